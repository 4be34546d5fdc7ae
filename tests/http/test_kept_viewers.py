"""Issue 20, target 1: a signed-in thread page with no round trip to PostgreSQL. Each
instance keeps a reader's session (auth/viewer_cache.c) and their state of a thread page
(forum/sharedpage.c) in its page cache, dropped by the notices of schema/0040. These tests
show that nothing is asked of the database once both are kept, that a kept session ends as
soon as the write that ends it is answered on this instance and within a moment on another,
and that every table the notices cover sends one."""
import select
import time

import psycopg2
import pytest
import requests

from conftest import NONCE, SHARED_ARGS, Server, make_user, new_thread, reply, statements, unique



@pytest.fixture(scope="module")
def server(keeping_server):
    """This file's server keeps sessions and page states (the shared one does not)."""
    return keeping_server


def page(client, srv, path, cookies=None):
    r = (client.s.get if client else requests.get)(srv.url(path), allow_redirects=False, cookies=cookies)
    assert r.status_code == 200, (path, r.status_code, r.text[:300])
    return r


def same_as_full_render(client, server, reference, path):
    """The page equals the one a server without any cache renders for the same session
    (the read marker is past every post already, so reading moves nothing)."""
    mine, full = page(client, server, path), page(client, reference, path)
    assert NONCE.sub("N", mine.text) == NONCE.sub("N", full.text), client.user["username"]
    return mine


def signed_in(text):
    return 'name="csrf"' in text


def kept(client, server, path):
    """Read until the page comes from the shared copy with a kept session."""
    for _ in range(3):
        r = page(client, server, path)
    assert r.headers.get("X-Cache") == "shared"
    return r


def nothing_asked(client, server, path):
    """Read until the page asks PostgreSQL nothing: the session and the reader's state
    both kept (the first read moves the read marker, whose notice drops a state kept
    meanwhile, so it takes a few reads as the notice comes). Not for a client that
    wrote a moment ago (corral_w): its session is never kept."""
    for _ in range(20):
        r = page(client, server, path)
        if r.headers.get("X-Cache") == "shared" and statements(r) == 0:
            return r
        time.sleep(0.05)
    raise AssertionError("every page asked: %s" % r.headers.get("Server-Timing"))


@pytest.fixture(scope="module")
def thread(server, cluster):
    ann, bob = make_user(server, cluster), make_user(server, cluster)
    t = new_thread(ann, body="Kept viewers " + unique())
    for i in range(3):
        reply(bob if i % 2 else ann, t["id"], "reply %d %s" % (i, unique()))
    return {"id": t["id"], "path": "/t/%d" % t["id"], "ann": ann, "bob": bob}


def test_a_page_from_the_copy_with_a_kept_session_asks_the_database_nothing(server, cluster, thread):
    reader = make_user(server, cluster)
    nothing_asked(reader, server, thread["path"])
    for _ in range(20):
        resp = page(reader, server, thread["path"])
        # each page asked 2 statements before: the session and the viewer's state
        assert resp.headers.get("X-Cache") == "shared" and statements(resp) == 0


def test_reader_keep_0_asks_the_database_on_every_page(cluster, thread):
    """--reader-keep 0: the page still comes from the shared copy, but the session and the
    reader's state are asked for every time."""
    s = Server(["--database", cluster.url] + SHARED_ARGS + ["--reader-keep", "0"], name="nokeep")
    try:
        reader = make_user(s, cluster)
        kept(reader, s, thread["path"])
        for _ in range(10):
            resp = page(reader, s, thread["path"])
            assert resp.headers.get("X-Cache") == "shared" and statements(resp) >= 2
    finally:
        s.stop()


def test_a_session_is_kept_reader_keep_seconds_at_most(cluster, thread):
    """What changes without a notice (an expiry passing; here a change made with the
    triggers off) is seen once the kept session is --reader-keep seconds old."""
    # 6 s: reading until nothing is asked, the change and the next page must fit in it even
    # under TSan, where a page takes a hundred times longer
    s = Server(["--database", cluster.url] + SHARED_ARGS + ["--reader-keep", "6"], name="keep6")
    try:
        reader = make_user(s, cluster)
        nothing_asked(reader, s, thread["path"])
        cluster.sql("SET session_replication_role = replica; "
                    "UPDATE sessions SET expires_at = now() - interval '1 minute' WHERE user_id = %s",
                    (reader.user["id"],))
        resp = page(reader, s, thread["path"])
        assert signed_in(resp.text) and statements(resp) == 0   # no notice: still kept
        time.sleep(6.5)
        resp = page(reader, s, thread["path"])
        assert not signed_in(resp.text) and statements(resp) >= 1   # asked again: expired
    finally:
        assert s.stop() == 0, s.output()


def test_what_ends_or_changes_a_session_here_shows_on_the_next_page(server, cluster, reference, thread):
    """Role, suspension and sign-out, each through this instance: the next page is a full
    render's for the new state, never the kept session's."""
    path = thread["path"]
    admin, mod = make_user(server, cluster, "admin"), make_user(server, cluster, "moderator")
    m = make_user(server, cluster)
    mine = reply(m, thread["id"], "to be suspended over " + unique())
    kept(m, server, path)
    r = admin.patch("/api/v1/users/%s" % m.user["username"], json={"role": "moderator"})
    assert r.status_code == 200, r.text
    assert 'href="/mod"' in same_as_full_render(m, server, reference, path).text
    kept(m, server, path)
    r = admin.patch("/api/v1/users/%s" % m.user["username"], json={"role": "member"})
    assert r.status_code == 200, r.text
    kept(m, server, path)
    r = mod.post("/api/v1/posts/%d/suspend-author" % mine["id"], json={"reason": "cool off", "duration": "week"})
    assert r.status_code == 200, r.text
    suspended = same_as_full_render(m, server, reference, path)
    assert 'href="/mod"' not in suspended.text and signed_in(suspended.text)
    cluster.sql("UPDATE users SET suspended_until = NULL WHERE id = %s", (m.user["id"],))
    cookie = {"corral_session": m.s.cookies.get("corral_session")}
    kept(m, server, path)
    assert m.delete("/api/v1/session").status_code in (200, 204)
    after = page(None, server, path, cookies=cookie)
    assert not signed_in(after.text) and m.user["username"] not in after.text.split("<main", 1)[0]


def wait_for(what, seconds=3.0):
    until = time.time() + seconds
    while not what():
        assert time.time() < until, "not seen within %.1f s" % seconds
        time.sleep(0.02)
    return seconds - (until - time.time())


def test_another_instance_drops_a_kept_session_within_a_moment(server, cluster, thread):
    """Signed out through one instance, or the sessions deleted in psql: the other instance,
    which kept the session, stops serving it once the notice arrives (the old cookie is
    sent without corral_w, as by someone who stole it)."""
    other = Server(["--database", cluster.url] + SHARED_ARGS, name="second")
    try:
        path = thread["path"]
        wait_for(lambda: page(thread["ann"], other, path).headers.get("X-Cache") == "shared", 5)
        for how in ("sign-out", "psql"):
            m = make_user(server, cluster)
            cookie = {"corral_session": m.s.cookies.get("corral_session")}
            for _ in range(3):
                r = page(None, other, path, cookies=cookie)
            assert signed_in(r.text) and r.headers.get("X-Cache") == "shared"
            if how == "sign-out":
                assert m.delete("/api/v1/session").status_code in (200, 204)
            else:
                cluster.sql("DELETE FROM sessions WHERE user_id = %s", (m.user["id"],))
            wait_for(lambda: not signed_in(page(None, other, path, cookies=cookie).text))
    finally:
        other.stop()


class Notices:
    """LISTEN corral_cache on a connection of our own."""

    def __init__(self, cluster):
        self.conn = psycopg2.connect(cluster.db_url("corral"))
        self.conn.autocommit = True
        self.conn.cursor().execute("LISTEN corral_cache")

    def drain(self):
        self.conn.poll()
        self.conn.notifies.clear()

    def seen(self, payload, seconds=3.0):
        until = time.time() + seconds
        while time.time() < until:
            self.conn.poll()
            if any(n.payload == payload for n in self.conn.notifies):
                return True
            select.select([self.conn], [], [], 0.05)
        return False


def test_every_change_to_what_is_kept_of_a_reader_sends_its_notice(server, cluster, thread):
    """schema/0040: 'u:<id>' for the account as a session shows it, 'r:<id>' for its
    reading state; each trigger on its own."""
    n = Notices(cluster)
    try:
        m = make_user(server, cluster)
        uid = m.user["id"]
        u, r = "u:%d" % uid, "r:%d" % uid
        other_post = cluster.sql("SELECT min(id) FROM posts WHERE thread_id = %s", (thread["id"],))[0][0]
        steps = [
            (u, lambda: cluster.sql("UPDATE sessions SET last_seen_at = now() WHERE user_id = %s", (uid,))),
            (u, lambda: cluster.sql("UPDATE users SET bio = 'kept' WHERE id = %s", (uid,))),
            (r, lambda: reply(m, thread["id"], "mine " + unique())),
            (u, lambda: reply(thread["ann"], thread["id"], "@%s hello %s" % (m.user["username"], unique()))),
            (u, lambda: cluster.sql("UPDATE notifications SET read_at = now() WHERE user_id = %s", (uid,))),
            (r, lambda: cluster.sql("INSERT INTO thread_reads (user_id, thread_id, last_post_id) VALUES (%s, %s, 1)"
                                    " ON CONFLICT DO NOTHING", (uid, thread["id"]))),
            (r, lambda: cluster.sql("DELETE FROM thread_watchers /* watching: replied */ WHERE user_id = %s", (uid,))),
            (r, lambda: m.post("/api/v1/threads/%d/watch" % thread["id"])),
            (r, lambda: m.post("/api/v1/posts/%d/reactions/thanks" % other_post)),
            (r, lambda: m.post("/api/v1/posts/%d/bookmark" % other_post, json={})),
            (u, lambda: cluster.sql("DELETE FROM sessions WHERE user_id = %s", (uid,))),
        ]
        for i, (payload, change) in enumerate(steps):
            n.drain()
            change()
            assert n.seen(payload), "step %d did not send %s" % (i, payload)
    finally:
        n.conn.close()
