"""Issue 8/11: the page cache for anonymous readers — hits, ETag/304, never stale after a
write (on this instance at once; on another instance through NOTIFY)."""
import time

import requests

from conftest import SHARED_ARGS, Server, make_user, new_thread, reply, unique


def anon(server, path, **kw):
    return requests.get(server.url(path), **kw)


def test_anonymous_thread_pages_are_served_from_the_cache(server, member):
    t = new_thread(member)
    for path in ("/t/%d" % t["id"], "/api/v1/threads/%d" % t["id"], "/", "/api/v1/threads"):
        first = anon(server, path)
        second = anon(server, path)
        assert first.status_code == second.status_code == 200
        assert second.headers.get("X-Cache") == "hit", path
        assert first.content == second.content and first.headers["ETag"] == second.headers["ETag"]
        assert "Cookie" in second.headers["Vary"]


def test_etag_gives_304_for_unchanged_pages(server, member):
    t = new_thread(member)
    first = anon(server, "/t/%d" % t["id"])
    again = anon(server, "/t/%d" % t["id"], headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""
    reply(member, t["id"], "changes the page")
    after = anon(server, "/t/%d" % t["id"], headers={"If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200 and "changes the page" in after.text


def test_a_write_is_visible_to_the_next_anonymous_read(server, member, moderator):
    t = new_thread(member)
    def cached(path):
        # both copies in the cache before the write, or there is nothing to go stale
        anon(server, path)
        assert anon(server, path).headers.get("X-Cache") == "hit", path

    for i in range(10):
        cached("/t/%d" % t["id"])
        cached("/api/v1/threads/%d" % t["id"])
        body = "reply number %d %s" % (i, unique())
        reply(member, t["id"], body)
        assert body in anon(server, "/t/%d" % t["id"]).text
        assert body in anon(server, "/api/v1/threads/%d" % t["id"]).text
    cached("/api/v1/threads/%d" % t["id"])
    assert moderator.post("/api/v1/threads/%d/lock" % t["id"]).status_code == 200
    assert '"locked":true' in anon(server, "/api/v1/threads/%d" % t["id"]).text.replace(" ", "")


def test_signed_in_readers_are_never_served_from_the_cache(server, member):
    t = new_thread(member)
    anon(server, "/t/%d" % t["id"])
    anon(server, "/t/%d" % t["id"])
    mine = member.get("/t/%d" % t["id"])
    assert "X-Cache" not in mine.headers and member.user["username"] in mine.text
    assert "private" in mine.headers["Cache-Control"]


def test_another_instance_drops_its_copy_when_this_one_writes(cluster, server, member):
    other = Server(["--database", cluster.url] + SHARED_ARGS, name="second")
    try:
        t = new_thread(member)
        url = other.url("/api/v1/threads/%d" % t["id"])
        deadline = time.time() + 5  # its invalidation listener connects just after start
        while requests.get(url).headers.get("X-Cache") != "hit":
            assert time.time() < deadline
            time.sleep(0.05)
        body = "written on the first instance " + unique()
        reply(member, t["id"], body)
        deadline = time.time() + 2
        while body not in requests.get(url).text:
            assert time.time() < deadline, "the second instance kept a stale page"
            time.sleep(0.01)
        # a change made behind Corral's back (SQL) is noticed too: triggers send the NOTIFY
        cluster.sql("UPDATE threads SET title = 'Renamed by SQL' WHERE id = %s", (t["id"],))
        deadline = time.time() + 2
        while "Renamed by SQL" not in requests.get(url).text:
            assert time.time() < deadline
            time.sleep(0.01)
    finally:
        other.stop()


def test_cache_can_be_turned_off(cluster):
    s = Server(["--database", cluster.url, "--cache-mb", "0"] + SHARED_ARGS, name="nocache")
    try:
        requests.get(s.url("/"))
        assert "X-Cache" not in requests.get(s.url("/")).headers
    finally:
        s.stop()
