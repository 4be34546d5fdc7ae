#!/usr/bin/env python3
"""Fail when a file of the source tree still holds git conflict markers.

A rebase once committed `<<<<<<< HEAD` … `>>>>>>>` into a template; the template engine
printed them as text and every test still passed. This check is what stops that.
Fuzz corpora are skipped: their inputs may legitimately start with runs of '<' or '>'.
"""
import os
import re
import sys

MARKER = re.compile(rb"^(<{7} |={7}$|>{7} )", re.M)
SKIP_DIRS = {".git", "node_modules", "build", "corpus", "screenshots"}
TEXT_EXT = {".c", ".h", ".def", ".sql", ".html", ".xml", ".css", ".js", ".mjs", ".md",
            ".py", ".build", ".txt", ".json", ".conf", ".service", ""}


def main(root):
    bad = []
    for top in ("server", "web", "schema", "docs", "tests", "script", "tools", ".ci"):
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]
            for name in filenames:
                if os.path.splitext(name)[1] not in TEXT_EXT:
                    continue
                path = os.path.join(dirpath, name)
                with open(path, "rb") as f:
                    data = f.read()
                for m in MARKER.finditer(data):
                    line = data.count(b"\n", 0, m.start()) + 1
                    bad.append("%s:%d" % (os.path.relpath(path, root), line))
    for b in bad:
        print("conflict marker at " + b)
    print("1..1")
    print(("not ok" if bad else "ok") + " 1 - no git conflict markers in the source tree")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
