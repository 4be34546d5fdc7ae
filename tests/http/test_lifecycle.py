"""Issue 2: migrations, the embedded cluster's life, PostgreSQL restarts, SIGTERM."""
import os
import re
import signal
import subprocess
import time

import requests

from conftest import CORRAL, Client, Cluster, Server, assert_error, cli, unique


def test_migrate_is_idempotent_and_refuses_a_newer_schema(cluster):
    url = cluster.create_db(unique("mig"))
    first = cli("migrate", "--database", url)
    assert first.returncode == 0, first.stderr
    assert "migrations applied" in first.stdout and "(0 migrations" not in first.stdout
    again = cli("migrate", "--database", url)
    assert again.returncode == 0 and "(0 migrations applied)" in again.stdout
    cluster.sql("INSERT INTO schema_migrations (version, name) VALUES (9999, 'from_the_future.sql')",
                dbname=url.split("///")[1].split("?")[0])
    newer = cli("migrate", "--database", url)
    assert newer.returncode != 0 and "newer than this corral" in newer.stderr
    serve = subprocess.run([CORRAL, "serve", "--database", url, "--listen", "127.0.0.1:0"],
                           capture_output=True, text=True, timeout=60)
    assert serve.returncode != 0 and "newer than this corral" in serve.stderr


def test_migrate_refuses_a_database_that_is_not_utf8(cluster):
    # Corral trusts PostgreSQL to have validated every text it sends (db_value_json), which
    # only a UTF8 database does; SQL_ASCII checks nothing.
    import psycopg2
    name = unique("ascii")
    conn = psycopg2.connect(cluster.db_url("postgres"))
    conn.autocommit = True
    conn.cursor().execute('CREATE DATABASE "%s" ENCODING \'SQL_ASCII\' LC_COLLATE \'C\' LC_CTYPE \'C\''
                          ' TEMPLATE template0' % name)
    conn.close()
    url = cluster.db_url(name)
    out = cli("migrate", "--database", url)
    assert out.returncode != 0 and "encoding is SQL_ASCII" in out.stderr and "UTF8" in out.stderr
    tables = cluster.sql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", dbname=name)
    assert tables == [(0,)]


def test_concurrent_migrations_apply_once(cluster):
    url = cluster.create_db(unique("migrace"))
    procs = [subprocess.Popen([CORRAL, "migrate", "--database", url], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outs = [p.communicate(timeout=60) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    dbname = url.split("///")[1].split("?")[0]
    rows = cluster.sql("SELECT version, count(*) FROM schema_migrations GROUP BY version HAVING count(*) > 1",
                       dbname=dbname)
    assert rows == []
    applied = sum(int(o[0].split("(")[1].split()[0]) for o in outs)
    total = cluster.sql("SELECT count(*) FROM schema_migrations", dbname=dbname)[0][0]
    assert applied == total  # each migration applied by exactly one process


def test_postgres_restart_gives_503_then_recovers(cluster):
    own = Cluster(unique("restart"))
    s = Server(["--database", own.url, "--quiet"], name="restart")
    try:
        assert requests.get(s.url("/api/v1/categories")).status_code == 200
        c = Client(s).register()
        own.stop(mode="immediate")
        r = requests.get(s.url("/api/v1/categories"))
        assert_error(r, 503, "unavailable")
        assert int(r.headers["Retry-After"]) >= 1
        assert requests.get(s.url("/readyz")).status_code == 503
        page = requests.get(s.url("/"))
        assert page.status_code == 503 and "text/html" in page.headers["Content-Type"]
        own.start()
        deadline = time.time() + 15
        while time.time() < deadline:
            if requests.get(s.url("/api/v1/categories")).status_code == 200:
                break
            time.sleep(0.1)
        # every worker thread finds its old connection dead and takes a new one without
        # failing the request (a read is run again on the new connection): writes first
        # (their session lookup is such a read), then reads, each on a new TCP connection
        # so that they spread over the pool's threads
        me = "/api/v1/users/%s" % c.user["username"]
        statuses = [requests.patch(s.url(me), json={"display_name": "after %d" % i}, cookies=c.s.cookies,
                                   headers={"X-CSRF-Token": c.csrf}).status_code for i in range(24)]
        assert set(statuses) == {200}, statuses
        statuses = {requests.get(s.url("/api/v1/categories")).status_code for _ in range(40)}
        assert statuses == {200}
        assert requests.get(s.url("/readyz")).status_code == 200
    finally:
        assert s.stop() == 0
        own.stop()


def _postgres_running(data_dir):
    out = subprocess.run(["pgrep", "-f", "postgres.*-D %s" % os.path.join(data_dir, "pg")],
                         capture_output=True, text=True)
    return out.stdout.strip() != ""


def test_embedded_cluster_starts_and_sigterm_stops_everything(tmp_path_factory):
    data_dir = os.path.join(os.environ["CORRAL_TEST_TMP"], unique("embedded"))
    s = Server(["--data-dir", data_dir, "--quiet"], name="embedded")
    try:
        assert requests.get(s.url("/")).status_code == 200
        assert os.path.exists(os.path.join(data_dir, "pg", "PG_VERSION"))
        assert _postgres_running(data_dir)
        # no TCP port: the cluster listens on a Unix socket in its folder only
        conf = open(os.path.join(data_dir, "pg", "postgresql.conf")).read()
        assert "listen_addresses = ''" in conf
        # the server's key, sealing two-factor secrets (auth/seal.h), made beside the cluster
        key_path = os.path.join(data_dir, "secret.key")
        key = open(key_path).read()
        assert re.fullmatch(r"[0-9a-f]{64}\n", key) and os.stat(key_path).st_mode & 0o777 == 0o600
        assert "made a new key in %s" % key_path in s.output()
    finally:
        code = s.stop(signal.SIGTERM)
    assert code == 0, s.output()
    assert not _postgres_running(data_dir)
    assert not os.path.exists(os.path.join(data_dir, "pg", "postmaster.pid"))
    # a second start reuses the cluster (no initdb) and SIGINT stops it as well
    s2 = Server(["--data-dir", data_dir, "--quiet"], name="embedded2")
    assert "creating a PostgreSQL cluster" not in s2.output()
    assert open(key_path).read() == key and "made a new key" not in s2.output()   # kept, never remade
    assert s2.stop(signal.SIGINT) == 0
    assert not _postgres_running(data_dir)


def test_user_command_works_while_the_embedded_server_runs():
    data_dir = os.path.join(os.environ["CORRAL_TEST_TMP"], unique("embuser"))
    s = Server(["--data-dir", data_dir, "--quiet"], name="embuser")
    try:
        name = unique("Emb")
        out = cli("user", "add", name, "--role", "admin", "--data-dir", data_dir,
                  stdin="correct horse battery staple\n")
        assert out.returncode == 0, out.stderr
        r = requests.post(s.url("/api/v1/session"), json={"username": name, "password": "correct horse battery staple"})
        assert r.status_code == 200 and r.json()["user"]["role"] == "admin"
        # the command left the server's cluster running
        assert requests.get(s.url("/readyz")).status_code == 200
    finally:
        assert s.stop() == 0


def test_help_everywhere():
    for args in (["--help"], ["serve", "--help"], ["migrate", "--help"], ["user", "--help"], ["cluster", "--help"]):
        out = cli(*args)
        assert out.returncode == 0 and "usage: corral" in out.stdout, args
    serve = cli("serve", "--help").stdout
    for opt in ("--listen", "--database", "--data-dir", "--threads", "CORRAL_DATABASE_URL", "CORRAL_LISTEN"):
        assert opt in serve
    assert cli("serve", "--no-such-flag").returncode == 2
    assert cli("frobnicate").returncode == 2


def test_options_come_from_the_environment(cluster):
    s = Server([], env={"CORRAL_DATABASE_URL": cluster.url, "CORRAL_QUIET": "1"}, name="envopts")
    try:
        assert requests.get(s.url("/readyz")).status_code == 200
    finally:
        assert s.stop() == 0
