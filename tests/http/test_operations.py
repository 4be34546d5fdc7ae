"""Issue 11: operating Corral — backup and restore (also of the embedded cluster), and
readiness for service managers (sd_notify)."""
import os
import signal
import socket

import requests

from conftest import SHARED_ARGS, Client, Server, cli, make_user, new_thread, unique


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
