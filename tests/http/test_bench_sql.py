"""The benchmark's database ceilings (tests/bench/sql/*.sql, run by pgbench) hold exactly the
SQL of the statements Corral runs (server/db/sql/*.def), so they cannot drift apart.

Needs python only (a C compiler, when present, double-checks the .def reader)."""
import glob
import re
import os
import shutil
import subprocess
import sys
import tempfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "bench"))
import stmts  # noqa: E402

SCRIPTS = sorted(glob.glob(os.path.join(ROOT, "tests", "bench", "sql", "*.sql")))


def test_statement_table_reads_into_named_sql():
    table = stmts.load_statements()
    assert len(table) > 20
    for name in ("THREAD_GET", "POSTS_PAGE", "SESSION_VIEWER", "POST_CREATE"):
        flags, sql = table[name]
        assert flags in ("STMT_RO", "STMT_RW")
        assert sql.lstrip().split()[0] in ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH"), sql
        assert '"' not in sql and "\\" not in sql, sql   # every literal decoded and joined


@pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler to compare with")
def test_statement_reader_agrees_with_the_c_compiler():
    """The C preprocessor and compiler expand the same .def files; both readings agree."""
    prog = r'''
#include <stdio.h>
#define STMT(name, flags, sql) printf("%s\x1f%s\x1e", #name, sql);
int main(void) {
#include "db/statements.def"
	return 0;
}
'''
    with tempfile.TemporaryDirectory() as d:
        src, exe = os.path.join(d, "s.c"), os.path.join(d, "s")
        with open(src, "w") as f:
            f.write(prog)
        subprocess.run(["cc", "-w", "-I", os.path.join(ROOT, "server"), "-o", exe, src], check=True)
        out = subprocess.run([exe], capture_output=True, text=True, check=True).stdout
    compiled = dict(rec.split("\x1f", 1) for rec in out.split("\x1e") if rec)
    table = stmts.load_statements()
    assert list(compiled) == list(table)
    for name, sql in compiled.items():
        assert table[name][1] == sql, name


def test_there_are_bench_scripts():
    names = {os.path.basename(p) for p in SCRIPTS}
    assert {"thread50.sql", "thread1000.sql", "home.sql", "category.sql", "search.sql", "similar.sql",
            "signin.sql", "reply.sql", "vote.sql"} <= names


@pytest.mark.parametrize("path", SCRIPTS, ids=[os.path.basename(p) for p in SCRIPTS])
def test_bench_script_runs_exactly_the_named_statements(path):
    with open(path, encoding="utf-8") as f:
        problems = stmts.check_script(f.read(), stmts.load_statements())
    assert problems == [], "\n".join(problems)


def test_drift_is_caught():
    """A changed column, a renamed statement, a parameter made a literal or split in two,
    unmarked SQL: all found."""
    table = stmts.load_statements()
    with open(os.path.join(ROOT, "tests", "bench", "sql", "thread50.sql"), encoding="utf-8") as f:
        good = f.read()
    assert stmts.check_script(good, table) == []
    bad_column = good.replace("t.reply_count,", "t.reply_count, t.doers,", 1)
    assert any("THREAD_GET differs" in p for p in stmts.check_script(bad_column, table))
    bad_name = good.replace("-- statement: POSTS_PAGE", "-- statement: POSTS_PAGE_OLD")
    assert any("not in the statement table" in p for p in stmts.check_script(bad_name, table))
    literal = re.sub(r"LIMIT\s+:limit", "LIMIT 201", good)
    assert literal != good
    assert any("POSTS_PAGE differs" in p for p in stmts.check_script(literal, table))
    split = good.replace("NOT :moderator::boolean", "NOT :mod2::boolean", 1)
    assert any(re.search(r"\$5 is :\w+ in one place and :\w+ in another", p) and ":mod2" in p
               for p in stmts.check_script(split, table))
    unmarked = good + "\nSELECT 1;\n"
    assert any("without a '-- statement" in p for p in stmts.check_script(unmarked, table))
    # and a statement changed in the table is caught from the other side
    changed = dict(table)
    changed["POSTS_PAGE"] = (table["POSTS_PAGE"][0], table["POSTS_PAGE"][1].replace("LIMIT $3", "LIMIT $3 OFFSET 0"))
    assert any("POSTS_PAGE differs" in p for p in stmts.check_script(good, changed))
