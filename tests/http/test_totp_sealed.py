"""Two-factor secrets sealed with the server's own key (auth/seal.h, schema/0042): the
database alone does not give anyone an account's codes. Sealed at enrolment with a key,
sealed at the next start when stored without one, never opened with another key or on
another account's row; a server whose key cannot open the database's secrets, or that
has none, does not start. Each test has a database of its own: sealed rows would stop
every keyless server of the suite on the shared one."""
import base64
import os
import subprocess

import psycopg2
import pytest
import requests

from conftest import CORRAL, SHARED_ARGS, Client, Server, assert_error, free_port, unique
from test_totp import code_step, enable, password_step, totp


def write_key(tmp_path, name):
    path = str(tmp_path / name)
    with open(path, "w") as f:
        f.write(os.urandom(32).hex() + "\n")
    os.chmod(path, 0o600)
    return path


def serve(url, *extra, name="sealed"):
    return Server(["--database", url] + SHARED_ARGS + list(extra), name=name)


def refused_start(url, *extra):
    """`corral serve` that must not start: its exit status and what it said."""
    out = subprocess.run([CORRAL, "serve", "--listen", "127.0.0.1:%d" % free_port(), "--database", url,
                          "--quiet"] + list(extra), capture_output=True, text=True, timeout=60)
    return out.returncode, out.stdout + out.stderr


def stored(url, uid):
    conn = psycopg2.connect(url)
    try:
        cur = conn.cursor()
        cur.execute("SELECT secret FROM user_totp WHERE user_id = %s", (uid,))
        return bytes(cur.fetchone()[0])
    finally:
        conn.close()


def raw_secret(b32):
    return base64.b32decode(b32 + "=" * (-len(b32) % 8))


def signs_in(server, client, secret, step):
    token = password_step(server, client.user["username"])
    r = code_step(server, token, totp(secret, step))
    return r.status_code == 200 and "corral_session" in r.cookies


@pytest.fixture
def db(cluster):
    return cluster.create_db(unique("seal"))


def test_a_secret_is_stored_sealed_and_signs_in(db, tmp_path):
    key = write_key(tmp_path, "a.key")
    s = serve(db, "--secret-key-file", key)
    try:
        c = Client(s).register()
        secret, step, _ = enable(c)
        box = stored(db, c.user["id"])
        assert len(box) == 61 and box[0] == 1 and raw_secret(secret) not in box
        assert signs_in(s, c, secret, step + 1)
    finally:
        assert s.stop() == 0, s.output()


def test_secrets_stored_without_a_key_are_sealed_at_the_next_start(db, tmp_path):
    s = serve(db, name="nokey")
    try:
        assert "two-factor secrets are kept unsealed" in s.output()
        c = Client(s).register()
        secret, step, _ = enable(c)
        assert stored(db, c.user["id"]) == raw_secret(secret)   # as before: no key, no box
    finally:
        assert s.stop() == 0, s.output()
    s = serve(db, "--secret-key-file", write_key(tmp_path, "later.key"), name="withkey")
    try:
        assert "sealed 1 secrets stored without a key" in s.output()
        box = stored(db, c.user["id"])
        assert len(box) == 61 and raw_secret(secret) not in box
        assert signs_in(s, c, secret, step + 1)
    finally:
        assert s.stop() == 0, s.output()


def test_a_server_with_another_key_or_none_does_not_start(db, tmp_path):
    key = write_key(tmp_path, "a.key")
    s = serve(db, "--secret-key-file", key)
    try:
        enable(Client(s).register())
    finally:
        assert s.stop() == 0, s.output()
    code, said = refused_start(db, "--secret-key-file", write_key(tmp_path, "b.key"))
    assert code != 0 and "does not open the secrets in the database" in said, said
    code, said = refused_start(db)
    assert code != 0 and "1 accounts' secrets are sealed with a key, and this server has none" in said, said


def test_a_box_copied_onto_another_account_does_not_open(db, tmp_path):
    s = serve(db, "--secret-key-file", write_key(tmp_path, "a.key"))
    try:
        ann, bob = Client(s).register(), Client(s).register()
        secret, step, _ = enable(ann)
        enable(bob)
        conn = psycopg2.connect(db)
        conn.autocommit = True
        conn.cursor().execute("UPDATE user_totp SET secret = (SELECT secret FROM user_totp WHERE user_id = %s)"
                              " WHERE user_id = %s", (ann.user["id"], bob.user["id"]))
        conn.close()
        token = password_step(s, bob.user["username"])
        # ann's codes are no codes of bob's: not a session, and not taken as a wrong code either
        assert_error(code_step(s, token, totp(secret, step + 1)), 503, "unavailable")
        assert "cannot be read with the key" in s.output()
        assert signs_in(s, ann, secret, step + 1)
    finally:
        assert s.stop() == 0, s.output()


def test_a_key_file_that_is_missing_or_holds_no_key_is_refused(db, tmp_path):
    missing = str(tmp_path / "none.key")
    code, said = refused_start(db, "--secret-key-file", missing)
    assert code != 0 and "does not exist; make it once" in said and not os.path.exists(missing), said
    bad = tmp_path / "bad.key"
    bad.write_text("password123\n")
    code, said = refused_start(db, "--secret-key-file", str(bad))
    assert code != 0 and "does not hold a key" in said, said
    assert bad.read_text() == "password123\n"   # never replaced
