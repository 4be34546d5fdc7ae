#!/usr/bin/env python3
"""tests/unit/layers.py SERVER_DIR — the dependency rule of docs/architecture.md, as TAP.

Each lower folder of server/ may include only the folders listed for it, and the library
headers it must not know: http/ holds no libpq and no db/ (the database reaches it only
through the application's hooks and subscribers), db/ holds no libmicrohttpd (nor libcurl),
mail/ no http/ (features hand it a message, the worker needs no request). forum/ and auth/
sit on top and are not checked."""
import os
import re
import sys

RULES = {
    # folder: (project folders it may include, system headers it must not)
    "core": ({"core"}, {"libpq-fe.h", "microhttpd.h"}),
    "render": ({"core", "render"}, {"libpq-fe.h", "microhttpd.h"}),
    "db": ({"core", "db"}, {"microhttpd.h", "curl.h"}),
    "http": ({"core", "http", "render"}, {"libpq-fe.h"}),
    "mail": ({"core", "db", "mail", "render"}, {"microhttpd.h"}),
    "media": ({"core", "media"}, {"libpq-fe.h", "microhttpd.h"}),
}
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^">]+)[">]', re.M)


def violations(root, folder, allowed, banned):
    for dirpath, _, names in os.walk(os.path.join(root, folder)):
        for name in sorted(names):
            if not name.endswith((".c", ".h", ".def")):
                continue
            path = os.path.join(dirpath, name)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            for kind, target in INCLUDE.findall(text):
                rel = os.path.relpath(path, root)
                if os.path.basename(target) in banned:
                    yield f"{rel} includes <{target}>"
                elif kind == '"' and "/" in target and target.split("/")[0] not in allowed:
                    yield f'{rel} includes "{target}"'


def main():
    root = sys.argv[1]
    print(f"1..{len(RULES)}")
    failed = 0
    for i, (folder, (allowed, banned)) in enumerate(RULES.items(), 1):
        bad = list(violations(root, folder, allowed, banned))
        if not os.path.isdir(os.path.join(root, folder)):
            bad.append(f"{folder}/ not found under {root}")
        print(f"{'not ok' if bad else 'ok'} {i} - {folder}/ includes only {', '.join(sorted(allowed))}/"
              f" and none of {', '.join(sorted(banned))}")
        for line in bad:
            print(f"#   {line}")
        failed += bool(bad)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
