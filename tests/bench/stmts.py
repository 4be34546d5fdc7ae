"""tests/bench/stmts.py — the statement table (server/db/statements.def and the
server/db/sql/*.def files it includes) read in Python, and the pgbench scripts of
tests/bench/sql/ checked against it.

The .def files are C: STMT(NAME, FLAGS, "sql" "pieces" MACRO(args) "more"), with #define
macros (object-like and function-like) whose bodies are string pieces too. A small
preprocessor here does what cpp and the compiler do to them: comments and line
continuations, #include, macro expansion with arguments, adjacent string literals
concatenated, C escapes decoded. No compiler needed.

A pgbench script in tests/bench/sql/ names every SQL command it holds:

    -- statement: THREAD_GET          the SQL of that statement, $N written as :variable
    -- helper: why                    SQL the server does not run (set-up of variables)
    BEGIN; / COMMIT;                  as db_transaction() sends them

check_script() compares each named command with the table after normalising white space
and replacing $N and :variable by one placeholder, and requires that one $N is always the
same variable.
"""
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SERVER = os.path.join(ROOT, "server")

_TOKEN = re.compile(r'''
    (?P<str>"(?:[^"\\\n]|\\.)*")
  | (?P<chr>'(?:[^'\\\n]|\\.)*')
  | (?P<id>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<num>[0-9][0-9A-Za-z_.]*)
  | (?P<ws>\s+)
  | (?P<punct>.)
''', re.X | re.S)


def _strip_comments(text):
    """Comments out, strings kept (a /* inside a string literal is SQL, not a comment)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == '"' or c == "'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                raise ValueError("unterminated comment")
            out.append(" " + "\n" * text.count("\n", i, j))
            i = j + 2
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _tokens(text):
    return [(m.lastgroup, m.group()) for m in _TOKEN.finditer(text) if m.lastgroup != "ws"]


def _read_source(path, seen):
    if path in seen:
        raise ValueError("include loop at " + path)
    seen.add(path)
    with open(path, encoding="utf-8") as f:
        text = f.read().replace("\\\n", " ")
    text = _strip_comments(text)
    lines = []
    for line in text.split("\n"):
        m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
        if m:
            lines.append(_read_source(os.path.join(SERVER, m.group(1)), seen))
        else:
            lines.append(line)
    return "\n".join(lines)


def _split_args(toks, start):
    """Arguments of a call whose "(" is toks[start]: (list of token lists, index after ")")."""
    depth, args, cur, i = 0, [], [], start
    while i < len(toks):
        kind, val = toks[i]
        if val == "(" and kind == "punct":
            depth += 1
            if depth > 1:
                cur.append(toks[i])
        elif val == ")" and kind == "punct":
            depth -= 1
            if depth == 0:
                args.append(cur)
                return args, i + 1
            cur.append(toks[i])
        elif val == "," and kind == "punct" and depth == 1:
            args.append(cur)
            cur = []
        else:
            cur.append(toks[i])
        i += 1
    raise ValueError("unbalanced parentheses")


def _expand(toks, macros, depth=0):
    if depth > 50:
        raise ValueError("macro recursion")
    out, i = [], 0
    while i < len(toks):
        kind, val = toks[i]
        if kind == "id" and val in macros:
            params, body = macros[val]
            if params is None:
                out.extend(_expand(body, macros, depth + 1))
                i += 1
                continue
            if i + 1 < len(toks) and toks[i + 1] == ("punct", "("):
                args, i = _split_args(toks, i + 1)
                if args == [[]] and not params:
                    args = []
                if len(args) != len(params):
                    raise ValueError("macro %s takes %d arguments" % (val, len(params)))
                args = [_expand(a, macros, depth + 1) for a in args]
                sub = []
                for t in body:
                    if t[0] == "id" and t[1] in params:
                        sub.extend(args[params.index(t[1])])
                    else:
                        sub.append(t)
                out.extend(_expand(sub, macros, depth + 1))
                continue
        out.append(toks[i])
        i += 1
    return out


_ESC = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "0": "\0", "a": "\a",
        "b": "\b", "f": "\f", "v": "\v", "?": "?"}


def _c_string(lit):
    s, out, i = lit[1:-1], [], 0
    while i < len(s):
        if s[i] == "\\":
            nxt = s[i + 1]
            if nxt == "x":
                m = re.match(r"[0-9A-Fa-f]+", s[i + 2:])
                out.append(chr(int(m.group(), 16)))
                i += 2 + len(m.group())
                continue
            if nxt in "01234567":
                m = re.match(r"[0-7]{1,3}", s[i + 1:])
                out.append(chr(int(m.group(), 8)))
                i += 1 + len(m.group())
                continue
            out.append(_ESC[nxt])
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def load_statements(path=None):
    """{NAME: (flags, sql)} in table order, from statements.def and its includes."""
    text = _read_source(path or os.path.join(SERVER, "db", "statements.def"), set())
    macros, body_lines = {}, []
    for line in text.split("\n"):
        m = re.match(r"\s*#\s*define\s+([A-Za-z_]\w*)(\(([^)]*)\))?\s?(.*)$", line)
        if m:
            params = [p.strip() for p in m.group(3).split(",")] if m.group(2) else None
            if params == [""]:
                params = []
            macros[m.group(1)] = (params, _tokens(m.group(4)))
            continue
        m = re.match(r"\s*#\s*undef\s+(\w+)", line)
        if m:
            macros.pop(m.group(1), None)
            continue
        if re.match(r"\s*#", line):
            continue
        body_lines.append(line)
    toks = _tokens("\n".join(body_lines))
    stmts, i = {}, 0
    while i < len(toks):
        if toks[i] == ("id", "STMT") and i + 1 < len(toks) and toks[i + 1] == ("punct", "("):
            args, i = _split_args(toks, i + 1)
            if len(args) != 3 or len(args[0]) != 1:
                raise ValueError("STMT needs (NAME, FLAGS, SQL)")
            name = args[0][0][1]
            sql_toks = _expand(args[2], macros)
            if not sql_toks or any(k != "str" for k, _ in sql_toks):
                raise ValueError("%s: the SQL does not reduce to string literals: %r" % (name, sql_toks[:5]))
            if name in stmts:
                raise ValueError("statement %s defined twice" % name)
            stmts[name] = (" ".join(v for _, v in args[1]), "".join(_c_string(v) for _, v in sql_toks))
        else:
            i += 1
    return stmts


def normalize(sql):
    """One space between tokens, none inside parentheses' edges, no trailing ';'."""
    s = re.sub(r"\s+", " ", sql).strip().rstrip(";").strip()
    s = re.sub(r"\(\s+", "(", s)
    s = re.sub(r"\s+\)", ")", s)
    return s


def _params(sql, pattern):
    return re.findall(pattern, sql)


DEF_PARAM = r"\$(\d+)"
# pgbench variables: :name, but not the casts of ::type
SCRIPT_VAR = r"(?<![:\w]):([A-Za-z_]\w*)"


def skeleton(sql, pattern):
    return normalize(re.sub(pattern, "?", sql))


def parse_script(text):
    """The SQL commands of a pgbench script: [(marker, sql)], marker ("statement", NAME),
    ("helper", why), ("tx", "BEGIN"/"COMMIT") or (None, None) for an unmarked command."""
    cmds, marker, cur = [], (None, None), []
    for raw in text.split("\n"):
        line = raw.strip()
        m = re.match(r"--\s*(statement|helper):\s*(.*)$", line)
        if m and not cur:
            marker = (m.group(1), m.group(2).strip())
            continue
        if line.startswith("--") or (not line and not cur):
            continue
        if line.startswith("\\") and not cur:
            continue   # a meta-command (\set, \if, \endif ...)
        gset = re.search(r"\\gset(\s+\w+)?\s*$", line)
        if gset:
            line = line[:gset.start()]
        cur.append(line)
        if gset or line.endswith(";"):
            sql = " ".join(cur).strip()
            if re.fullmatch(r"(?i)(BEGIN|COMMIT);?", sql):
                cmds.append((("tx", sql.rstrip(";").upper()), sql))
            else:
                cmds.append((marker, sql))
            marker, cur = (None, None), []
    if cur:
        cmds.append((marker, " ".join(cur)))
    return cmds


def check_script(text, stmts):
    """Problems of one script, as strings (empty: it runs exactly the named statements)."""
    problems, named = [], 0
    for (kind, what), sql in parse_script(text):
        if kind is None:
            problems.append("SQL without a '-- statement: NAME' or '-- helper: why' line: %.80s" % sql)
            continue
        if kind != "statement":
            continue
        named += 1
        if what not in stmts:
            problems.append("%s is not in the statement table" % what)
            continue
        want = stmts[what][1]
        if skeleton(want, DEF_PARAM) != skeleton(sql, SCRIPT_VAR):
            problems.append("%s differs from server/db/sql:\n  table:  %s\n  script: %s"
                            % (what, skeleton(want, DEF_PARAM), skeleton(sql, SCRIPT_VAR)))
            continue
        pos, names = _params(want, DEF_PARAM), _params(sql, SCRIPT_VAR)
        seen = {}
        for p, v in zip(pos, names):
            if seen.setdefault(p, v) != v:
                problems.append("%s: $%s is :%s in one place and :%s in another" % (what, p, seen[p], v))
        back = {}
        for p, v in zip(pos, names):
            if back.setdefault(v, p) != p:
                problems.append("%s: :%s stands for both $%s and $%s" % (what, v, back[v], p))
    if named == 0:
        problems.append("no '-- statement: NAME' command")
    return problems


def script_statements(text):
    """The statement names a script runs, in order (BEGIN/COMMIT as such)."""
    return [what for (kind, what), _ in parse_script(text) if kind in ("statement", "tx")]


if __name__ == "__main__":
    import sys
    table = load_statements()
    if len(sys.argv) > 1:
        for name in sys.argv[1:]:
            print("%s: %s" % (name, table[name][1]))
    else:
        for name, (flags, sql) in table.items():
            print("%-24s %s  %s" % (name, flags, sql[:90]))
