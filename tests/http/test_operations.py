"""Issue 11: operating Corral — backup and restore (also of the embedded cluster), and
readiness for service managers (sd_notify)."""
import os
import re
import signal
import socket
import subprocess

import requests

from conftest import CORRAL, ROOT, SHARED_ARGS, Client, Server, cli, make_user, new_thread, unique


def test_backup_and_restore_round_trip(cluster, server, member):
    t = new_thread(member, title="Backed up " + unique())
    path = os.path.join(os.environ["CORRAL_TEST_TMP"], unique("dump") + ".pgdump")
    out = cli("backup", path, "--database", cluster.url)
    assert out.returncode == 0, out.stderr
    assert os.path.getsize(path) > 1000
    target = cluster.create_db(unique("restored"))
    out = cli("restore", path, "--database", target)
    assert out.returncode == 0, out.stderr
    dbname = target.split("///")[1].split("?")[0]
    assert cluster.sql("SELECT title FROM threads WHERE id = %s", (t["id"],), dbname=dbname) == [(t["title"],)]
    # the restored database serves
    s = Server(["--database", target, "--quiet"], name="restored")
    try:
        assert requests.get(s.url("/api/v1/threads/%d" % t["id"])).json()["thread"]["title"] == t["title"]
    finally:
        s.stop()
    assert cli("backup", "--database", cluster.url).returncode == 2  # no file named


def test_backup_of_the_embedded_cluster_while_it_runs():
    data_dir = os.path.join(os.environ["CORRAL_TEST_TMP"], unique("embbak"))
    s = Server(["--data-dir", data_dir, "--quiet"], name="embbak")
    try:
        c = Client(s).register()
        path = os.path.join(os.environ["CORRAL_TEST_TMP"], unique("emb") + ".pgdump")
        out = cli("backup", path, "--data-dir", data_dir)
        assert out.returncode == 0, out.stderr
        assert os.path.getsize(path) > 1000
        assert requests.get(s.url("/readyz")).status_code == 200  # still running
    finally:
        assert s.stop() == 0


def test_readiness_and_stopping_are_notified(cluster):
    path = os.path.join(os.environ["CORRAL_TEST_TMP"], unique("notify") + ".sock")
    so = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    so.bind(path)
    so.settimeout(30)
    try:
        s = Server(["--database", cluster.url] + SHARED_ARGS, env={"NOTIFY_SOCKET": path}, name="notify")
        assert so.recv(256) == b"READY=1"
        s.proc.send_signal(signal.SIGTERM)
        assert so.recv(256) == b"STOPPING=1"
        assert s.stop() == 0
    finally:
        so.close()


def _documented_options():
    """The rows of the configuration tables in docs/operations.md: --name → (metavar,
    variable, default cell)."""
    with open(os.path.join(ROOT, "docs", "operations.md"), encoding="utf-8") as f:
        section = f.read().split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        if not line.startswith("| `--"):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        m = re.fullmatch(r"`(--[a-z0-9-]+)(?: ([^`]+))?`", cells[0])
        assert m, "malformed option cell: " + line
        assert m.group(1) not in rows, m.group(1) + " is documented twice"
        rows[m.group(1)] = (m.group(2) or "", cells[1].strip("`"), cells[2].strip("`"))
    return rows


def _option_table():
    """Every option of every command, from the tables in the binary (`corral options`)."""
    out = cli("options")
    assert out.returncode == 0, out.stderr
    opts = [line.split("\t") for line in out.stdout.splitlines()]
    assert len(opts) > 30 and all(len(o) == 5 for o in opts)
    return opts


def test_every_option_is_documented_with_its_variable_and_default():
    opts = _option_table()
    names = [o[0] for o in opts]
    assert len(names) == len(set(names)), "an option is declared by two tables"
    rows = _documented_options()
    for name, metavar, env, default, _ in opts:
        assert name in rows, "%s (%s) is missing from docs/operations.md" % (name, env)
        shown = default or ("—" if metavar else "off")
        assert rows[name] == (metavar, env, shown), name
    assert set(rows) - set(names) == set(), "documented options that do not exist"


def test_help_lists_every_option_of_its_command():
    for name, metavar, env, default, commands in _option_table():
        for command in commands.split(","):
            help_text = cli(command, "--help").stdout
            assert ("%s %s" % (name, metavar)).strip() in help_text, (command, name)
            assert "[$%s]" % env in help_text, (command, env)
            if default:
                assert "default: " + default in help_text, (command, name)


def test_a_bad_option_value_stops_with_status_2_naming_it():
    out = cli("serve", "--threads", "0")
    assert out.returncode == 2 and "--threads must be a number from 1 to 256, not '0'" in out.stderr
    env = dict(os.environ, CORRAL_CACHE_MB="lots")
    out = subprocess.run([CORRAL, "migrate", "--help"], capture_output=True, text=True, env=env)
    assert out.returncode == 0  # an option of serve only is not read by migrate
    out = subprocess.run([CORRAL, "serve"], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 2 and "--cache-mb" in out.stderr and "CORRAL_CACHE_MB" in out.stderr
    out = cli("serve", "--base-url", "ftp://forum.example")
    assert out.returncode == 2 and "--base-url must start with http:// or https://" in out.stderr
    out = cli("migrate", "--log-level", "loud")
    assert out.returncode == 2 and "--log-level must be debug, info, warn or error" in out.stderr
