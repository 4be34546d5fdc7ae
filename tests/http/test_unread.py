"""Issue 19, "Unread and new": one read marker per member and thread, moved by the thread
page's own GET past what it showed; unread and new badges in the lists, computed in the list
query; /unread, /new-threads and their API twins; mark all read; /t/{id}/unread opens the
thread at the first unread post."""
import re

import pytest
import requests

from conftest import Client, assert_error, make_user, new_thread, reply


@pytest.fixture
def reader(server, cluster):
    return make_user(server, cluster)


def _marker(cluster, user, tid):
    rows = cluster.sql("SELECT last_post_id FROM thread_reads WHERE user_id = %s AND thread_id = %s",
                       (user.user["id"], tid))
    return rows[0][0] if rows else None


def _listed(client, tid, path="/api/v1/threads"):
    for t in client.get(path).json()["threads"]:
        if t["id"] == tid:
            return t
    return None


def _open(client, tid, query=""):
    r = client.get("/t/%d%s" % (tid, query))
    assert r.status_code == 200, r.text[:300]
    return r.text


def test_lists_count_the_replies_of_others_since_the_thread_was_read(server, cluster, member, reader):
    t = new_thread(member)
    tid = t["id"]
    # a first visit labels no post "new": all of them would be
    assert 'class="unread-mark"' not in _open(reader, tid)
    assert _marker(cluster, reader, tid) == t["first_post_id"]
    listed = _listed(reader, tid)
    assert listed["unread_posts"] == 0 and listed["is_new"] is False
    first = reply(member, tid, "one")["id"]
    second = reply(member, tid, "two")["id"]
    own = reply(reader, tid, "my own reply is not news to me")["id"]
    assert _listed(reader, tid)["unread_posts"] == 2
    home = reader.get("/").text
    assert '<a class="unread-badge" href="/t/%d/unread">2 new' % tid in home
    assert [x["id"] for x in reader.get("/api/v1/unread").json()["threads"]].count(tid) == 1
    # the link opens at the first unread post
    r = reader.get("/t/%d/unread" % tid)
    assert r.status_code == 302 and r.headers["Location"] == "/t/%d#p%d" % (tid, first)
    page = _open(reader, tid)
    assert 'id="p%d"' % first in page
    # the posts past the marker say so, the reader's own and the ones read before do not
    marked = re.findall(r'id="p(\d+)"(?:(?!<li ).)*?class="unread-mark"', page, re.S)
    assert [int(x) for x in marked] == [first, second]
    assert _listed(reader, tid)["unread_posts"] == 0
    assert tid not in [x["id"] for x in reader.get("/api/v1/unread").json()["threads"]]
    # nothing unread: the link goes to the newest post, and the API says there is none
    assert reader.get("/t/%d/unread" % tid).headers["Location"] == "/t/%d#p%d" % (tid, own)
    assert reader.get("/api/v1/threads/%d/unread" % tid).json()["first_unread"] is None
    # the author's own list shows the reader's reply as new to them
    assert _listed(member, tid)["unread_posts"] == 1


def test_reading_page_one_of_a_long_thread_marks_only_what_it_showed(server, cluster, member, reader):
    t = new_thread(member)
    tid, op = t["id"], t["first_post_id"]
    cluster.sql("""
        INSERT INTO posts (thread_id, parent_id, author_id, body, body_html, render_version)
        SELECT %s, %s, %s, 'r' || g, '<p>r' || g || '</p>', '0' FROM generate_series(1, 120) g
    """, (tid, op, member.user["id"]))
    ids = [p["id"] for p in requests.get(server.url("/api/v1/threads/%d" % tid)).json()["posts"]]
    assert len(ids) == 121
    _open(reader, tid)
    assert _marker(cluster, reader, tid) == ids[49]
    assert _listed(reader, tid)["unread_posts"] == 71
    r = reader.get("/t/%d/unread" % tid)
    assert r.headers["Location"] == "/t/%d?page=2#p%d" % (tid, ids[50])
    api = reader.get("/api/v1/threads/%d/unread" % tid).json()
    assert api["last_read_post_id"] == ids[49] and api["first_unread"]["id"] == ids[50]
    # page 2 moves it on; page 1 again never moves it back, and writes nothing
    _open(reader, tid, "?page=2")
    assert _marker(cluster, reader, tid) == ids[99]
    row = "SELECT xmin::text, last_post_id FROM thread_reads WHERE user_id = %s AND thread_id = %s"
    before = cluster.sql(row, (reader.user["id"], tid))
    _open(reader, tid)
    # ... and writes nothing: the marker's row is the same version (a write, even of the
    # same values, would make a new one)
    assert cluster.sql(row, (reader.user["id"], tid)) == before and before[0][1] == ids[99]
    # the same page for someone who has not read it writes their marker
    fresh = make_user(server, cluster)
    _open(fresh, tid)
    assert _marker(cluster, fresh, tid) == ids[49]
    _open(reader, tid, "?page=3")
    assert _marker(cluster, reader, tid) == ids[120]
    assert _listed(reader, tid)["unread_posts"] == 0


def test_a_page_that_skips_unseen_posts_stops_the_marker_before_them(server, cluster, member, reader):
    """Tree order is not id order: a reply to an early post shown on page 1 does not mark
    the older posts of page 2 read."""
    t = new_thread(member)
    tid, op = t["id"], t["first_post_id"]
    cluster.sql("""
        INSERT INTO posts (thread_id, parent_id, author_id, body, body_html, render_version)
        SELECT %s, %s, %s, 'r' || g, '<p>r' || g || '</p>', '0' FROM generate_series(1, 60) g
    """, (tid, op, member.user["id"]))
    ids = [p["id"] for p in requests.get(server.url("/api/v1/threads/%d" % tid)).json()["posts"]]
    late = reply(member, tid, "a late answer to the first reply", ids[1])["id"]
    _open(reader, tid)  # OP, r1, late, r2 … r48
    assert _marker(cluster, reader, tid) == ids[48]
    assert _listed(reader, tid)["unread_posts"] == 13  # r49 … r60 and the late one


def test_the_api_marks_read_only_when_asked(server, cluster, member, reader):
    tid = new_thread(member)["id"]
    assert reader.get("/api/v1/threads/%d" % tid).json()["unread"]["last_read_post_id"] == 0
    assert _marker(cluster, reader, tid) is None
    r = reader.get("/api/v1/threads/%d?mark_read=1" % tid)
    assert r.status_code == 200 and r.json()["posts"][0]["is_unread"] is True
    assert _marker(cluster, reader, tid) == r.json()["posts"][0]["id"]
    assert_error(reader.get("/api/v1/threads/%d?mark_read=2" % tid), 400, "invalid_input", "mark_read")
    assert_error(reader.get("/api/v1/threads/%d?mark_read=yes" % tid), 400, "invalid_input", "mark_read")


def test_new_lists_threads_not_opened_and_not_ones_own(server, cluster, member, reader):
    theirs = new_thread(member)["id"]
    mine = new_thread(reader)["id"]
    listed = [t["id"] for t in reader.get("/api/v1/new").json()["threads"]]
    assert theirs in listed and mine not in listed
    assert _listed(reader, theirs)["is_new"] is True and _listed(reader, mine)["is_new"] is False
    assert '<a class="unread-badge" href="/t/%d/unread">New' % theirs in reader.get("/").text
    assert reader.get("/new-threads").status_code == 200
    _open(reader, theirs)
    assert theirs not in [t["id"] for t in reader.get("/api/v1/new").json()["threads"]]
    # older than the window: not new
    old = new_thread(member)["id"]
    cluster.sql("UPDATE threads SET created_at = now() - interval '15 days' WHERE id = %s", (old,))
    assert old not in [t["id"] for t in reader.get("/api/v1/new").json()["threads"]]


def test_mark_all_read_clears_unread_and_new(server, cluster, member, reader):
    read = new_thread(member)["id"]
    _open(reader, read)
    reply(member, read, "news")
    fresh = new_thread(member)["id"]
    assert_error(reader.post("/api/v1/unread/read-all", json={}, csrf=False), 403, "csrf")
    r = reader.post("/api/v1/unread/read-all", json={})
    assert r.status_code == 200 and r.json()["marked"] >= 1
    assert reader.get("/api/v1/unread").json()["threads"] == []
    assert fresh not in [t["id"] for t in reader.get("/api/v1/new").json()["threads"]]
    assert _listed(reader, read)["unread_posts"] == 0 and _listed(reader, fresh)["is_new"] is False
    # and the HTML form does the same, then shows /unread
    reply(member, read, "more news")
    page = reader.get("/unread").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    r = reader.s.post(server.url("/unread/read-all"), data={"csrf": csrf},
                      headers={"Origin": server.url("/").rstrip("/")}, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/unread"
    assert reader.get("/api/v1/unread").json()["threads"] == []


def test_hidden_and_pending_posts_are_not_counted(server, cluster, member, reader, moderator, newcomer):
    tid = new_thread(member)["id"]
    _open(reader, tid)
    hidden = reply(member, tid, "to be hidden")["id"]
    r = moderator.post("/api/v1/posts/%d/hide" % hidden, json={"reason": "off topic"})
    assert r.status_code == 200, r.text
    pending = reply(newcomer, tid, "waits for a moderator")
    assert pending["state"] == "pending"
    assert _listed(reader, tid)["unread_posts"] == 0
    assert tid not in [t["id"] for t in reader.get("/api/v1/unread").json()["threads"]]
    visible = reply(member, tid, "seen by all")["id"]
    assert _listed(reader, tid)["unread_posts"] == 1
    assert reader.get("/t/%d/unread" % tid).headers["Location"].endswith("#p%d" % visible)


def test_anonymous_readers_get_no_badges_and_no_unread_lists(server, member):
    tid = new_thread(member)["id"]
    anon = Client(server)
    for path in ("/api/v1/threads", "/api/v1/categories/general"):
        for t in anon.get(path).json()["threads"]:
            assert "unread_posts" not in t and "is_new" not in t
    assert "unread-badge" not in anon.get("/").text
    for path in ("/api/v1/unread", "/api/v1/new", "/api/v1/threads/%d/unread" % tid):
        assert_error(anon.get(path), 401, "unauthenticated")
    assert anon.get("/unread").status_code == 401
    assert_error(anon.post("/api/v1/unread/read-all", json={}), 401, "unauthenticated")
    r = anon.get("/t/%d/unread" % tid)
    assert r.status_code == 302 and r.headers["Location"] == "/t/%d" % tid
    assert "unread" not in anon.get("/api/v1/threads/%d" % tid).json()


def test_bad_input_is_a_json_error(server, cluster, member, reader):
    tid = new_thread(member)["id"]
    assert_error(reader.get("/api/v1/unread?page=0"), 400, "invalid_input", "page")
    assert_error(reader.get("/api/v1/new?page=abc"), 400, "invalid_input", "page")
    assert_error(reader.get("/api/v1/unread?page=" + "9" * 5000), 400, "invalid_input", "page")
    assert_error(reader.get("/api/v1/threads/999999999/unread"), 404, "not_found")
    assert_error(reader.get("/api/v1/threads/abc/unread"), 404, "not_found")
    assert reader.get("/t/999999999/unread").status_code == 404
    assert_error(reader.post("/api/v1/unread/read-all", data=b"\xff\xfe", headers={"Content-Type": "application/json"}), 400, "invalid_input")
    assert_error(reader.post("/api/v1/unread/read-all", json=[1, 2]), 400, "invalid_input")
    # another member's thread hidden from view stays hidden
    cluster.sql("UPDATE threads SET state = 'hidden' WHERE id = %s", (tid,))
    assert_error(reader.get("/api/v1/threads/%d/unread" % tid), 404, "not_found")
