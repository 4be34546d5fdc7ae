"""Issue 11: several instances on one PostgreSQL with a streaming replica made by
pg_basebackup: shared sessions, live updates across instances, reads on the replica with
read-your-writes, reads surviving the replica's death, migrations applied once."""
import os
import queue
import re
import subprocess
import threading
import time

import requests

from conftest import (CORRAL, PASSWORD, Client, Cluster, Server, as_pg_user, pg_bindir, unique)
from test_live import listen, next_event


def metric(server, name):
    m = re.search(r"^%s (\d+)" % name, requests.get(server.url("/metrics")).text, re.M)
    return int(m.group(1))


def make_replica(primary, name):
    base = os.path.join(os.environ["CORRAL_TEST_TMP"], name)
    os.makedirs(base, exist_ok=True)
    os.chmod(base, 0o755)
    rdir = os.path.join(base, "pg")
    os.makedirs(rdir, mode=0o700)
    if os.geteuid() == 0:
        import pwd
        pw = pwd.getpwnam("postgres")
        os.chown(rdir, pw.pw_uid, pw.pw_gid)
    out = as_pg_user([os.path.join(pg_bindir(), "pg_basebackup"), "-D", rdir, "-R", "-X", "stream", "-c", "fast",
                      "-h", primary.pg_dir, "-p", "5432", "-U", "postgres"])
    assert out.returncode == 0, out.stderr
    # the copied configuration points the socket at the primary's folder, whose socket
    # lock file came along: give the replica its own
    conf = os.path.join(rdir, "postgresql.conf")
    as_pg_user(["sh", "-c", "echo \"unix_socket_directories = '%s'\" >> %s && rm -f %s/.s.PGSQL.5432.lock %s/server.log"
                % (rdir, conf, rdir, rdir)])
    out = as_pg_user([os.path.join(pg_bindir(), "pg_ctl"), "-D", rdir, "-l", os.path.join(rdir, "server.log"),
                      "-w", "start"])
    assert out.returncode == 0, out.stderr + out.stdout
    return rdir


def stop_replica(rdir, mode="immediate"):
    as_pg_user([os.path.join(pg_bindir(), "pg_ctl"), "-D", rdir, "-m", mode, "-w", "stop"])


def test_two_instances_a_replica_and_one_primary():
    primary = Cluster(unique("primary"))
    rdir = make_replica(primary, unique("replica"))
    servers = []
    try:
        db = unique("scale")
        url = primary.create_db(db)
        time.sleep(0.5)  # the new database reaches the replica
        replica_url = "postgresql:///%s?host=%s&port=5432&user=postgres" % (db, rdir)
        args = ["--database", url, "--replica-url", replica_url, "--quiet", "--register-limit-ip", "1000"]
        # two instances start together: their migrations run concurrently
        starters = [threading.Thread(target=lambda i=i: servers.append(Server(args, name="inst%d" % i)))
                    for i in range(2)]
        for th in starters:
            th.start()
        for th in starters:
            th.join()
        assert len(servers) == 2
        a, b = servers
        versions = primary.sql("SELECT version, count(*) FROM schema_migrations GROUP BY 1 ORDER BY 1", dbname=db)
        assert versions and all(n == 1 for _, n in versions)
        logs = a.output() + b.output()
        for v, _ in versions:
            assert len(re.findall(r"applied schema/%04d_" % v, logs)) == 1, v

        # a member signs in on A and posts on B: the session lives in PostgreSQL
        member = Client(a).register()
        primary.sql("UPDATE users SET approved_posts = 100 WHERE id = %s", (member.user["id"],), dbname=db)
        on_b = Client(b)
        on_b.s.cookies.update(member.s.cookies)
        on_b.csrf = member.csrf
        r = on_b.post("/api/v1/threads", json={"category": "general", "title": "Across instances", "body": "op"})
        assert r.status_code == 201, r.text
        tid = r.json()["thread"]["id"]

        # a reader on A sees B's reply live
        q, stop = queue.Queue(), threading.Event()
        threading.Thread(target=listen, args=(a.url("/t/%d/events" % tid), q, stop), daemon=True).start()
        q.get(timeout=5)
        time.sleep(0.3)
        p = on_b.post("/api/v1/threads/%d/posts" % tid, json={"body": "live across instances"}).json()["post"]
        assert next_event(q)["id"] == str(p["id"])
        stop.set()

        # the writer reads its own write at once, from the primary (the write cookie)
        assert "corral_w" in on_b.s.cookies
        before = metric(b, "corral_db_replica_queries_total")
        page = on_b.get("/api/v1/threads/%d" % tid)
        assert "live across instances" in page.text
        assert metric(b, "corral_db_replica_queries_total") == before

        # anonymous readers are served by the replica (with the cache off for this check)
        c = Server(args + ["--cache-mb", "0"], name="inst3")
        servers.append(c)
        before = metric(c, "corral_db_replica_queries_total")
        deadline = time.time() + 5
        while "live across instances" not in requests.get(c.url("/api/v1/threads/%d" % tid)).text:
            assert time.time() < deadline, "the replica never caught up"
            time.sleep(0.05)
        assert metric(c, "corral_db_replica_queries_total") > before

        # the replica dies: reads keep working from the primary
        served = metric(c, "corral_db_replica_queries_total")
        fallbacks = metric(c, "corral_db_replica_fallbacks_total")
        stop_replica(rdir)
        statuses = [requests.get(c.url("/api/v1/threads/%d" % tid)).status_code for _ in range(20)]
        statuses += [requests.get(c.url("/t/%d" % tid)).status_code for _ in range(5)]
        assert statuses == [200] * 25
        # none of them was answered by the dead replica, and Corral noticed it was gone:
        # a thread holding a replica connection counted a fallback, a thread without one
        # logged the failed connection
        assert metric(c, "corral_db_replica_queries_total") == served
        with open(c.log_path) as f:
            noticed = "cannot connect to the replica" in f.read()
        assert metric(c, "corral_db_replica_fallbacks_total") > fallbacks or noticed
        assert requests.get(c.url("/readyz")).status_code == 200
    finally:
        for s in servers:
            s.stop()
        stop_replica(rdir, "fast")
        primary.stop()
