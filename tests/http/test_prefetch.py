"""Issue 20: a thread page's statements sent to PostgreSQL together (db/prefetch.c) — the
thread, its paging counts, its posts and (for a reader without statements of their own)
their reactions in one round trip, and for a signed-in member the reactions, bookmarks and
watching in another — and a page that goes another way (a
missing or hidden thread, ?page=N, a cursor) still shows exactly what it did, on a
connection left as it was. Counted per response by Server-Timing (--server-timing)."""
import json
import os
import re
import subprocess
import time

import psycopg2
import requests

from conftest import CORRAL, Client, Server, assert_error, make_user, new_thread, reply, round_trips, statements


def _thread(member, n=4):
    t = new_thread(member, body="The opening words")
    ids = [reply(member, t["id"], "reply number %d" % i)["id"] for i in range(n)]
    return t, ids


def _post_ids(html):
    return [int(x) for x in re.findall(r'class="post[^"]*" id="p(\d+)"', html)]


def test_an_anonymous_thread_page_waits_for_the_database_once_for_four_statements(server, member):
    t, ids = _thread(member)
    for path in ("/t/%d" % t["id"], "/api/v1/threads/%d" % t["id"]):
        resp = requests.get(server.url(path))
        assert resp.status_code == 200
        # the thread, the counts, the posts and their reactions (REACTIONS_WINDOW selects the
        # posts itself, so it needs no answer of the others) together
        assert (statements(resp), round_trips(resp)) == (4, 1), resp.headers["Server-Timing"]
    api = requests.get(server.url("/api/v1/threads/%d" % t["id"])).json()
    assert [p["id"] for p in api["posts"]] == [t["first_post_id"]] + ids
    assert _post_ids(requests.get(server.url("/t/%d?verified=0" % t["id"])).text) == [t["first_post_id"]] + ids


def test_a_signed_in_members_page_sends_its_own_statements_together_too(server, cluster, member):
    t, ids = _thread(member)
    reader = make_user(server, cluster)
    assert reader.put("/api/v1/posts/%d/bookmark" % ids[1], json={"note": "later"}).status_code in (200, 201)
    assert reader.post("/api/v1/threads/%d/watch" % t["id"]).status_code in (200, 204)
    # The API's page is the member's own render (an HTML page is a shared copy filled for
    # them, forum/sharedpage.h): two prefetches, the thread, counts and posts in one trip,
    # then the reactions, bookmarks and watching in another.
    resp = reader.get("/api/v1/threads/%d" % t["id"])
    assert resp.status_code == 200
    assert round_trips(resp) == statements(resp) - 4, resp.headers["Server-Timing"]
    # and what they read is in the model: the bookmark, the watching
    body = resp.json()
    assert [p["bookmark"] is not None for p in body["posts"]] == [False, False, True, False, False]
    assert body["posts"][2]["bookmark"]["note"] == "later"
    assert body["watching"] is True
    # a thread they do not watch, with nothing bookmarked, reads as such the same way
    other, _ = _thread(member, 1)
    resp = reader.get("/api/v1/threads/%d" % other["id"])
    assert round_trips(resp) == statements(resp) - 4, resp.headers["Server-Timing"]
    assert resp.json()["watching"] is False
    assert all(p["bookmark"] is None for p in resp.json()["posts"])


def test_a_missing_thread_is_still_404_and_the_next_page_is_whole(server, member):
    resp = requests.get(server.url("/api/v1/threads/987654321"))
    assert_error(resp, 404, "not_found")
    assert round_trips(resp) == 1   # the three statements went out together, two unused
    t, ids = _thread(member, 2)
    resp = requests.get(server.url("/api/v1/threads/%d" % t["id"]))
    assert resp.status_code == 200
    assert [p["id"] for p in resp.json()["posts"]] == [t["first_post_id"]] + ids


def test_a_held_thread_shows_a_stranger_nothing_of_its_prefetched_posts(server, cluster):
    newcomer = make_user(server, cluster, trusted=False)
    r = newcomer.post("/api/v1/threads", json={"category": "general", "title": "Held for review",
                                               "body": "secret-words-of-a-held-thread"})
    assert r.status_code in (201, 202), r.text
    tid = r.json()["thread"]["id"]
    assert cluster.sql("SELECT state FROM threads WHERE id = %s", (tid,))[0][0] == "pending"
    for path in ("/t/%d" % tid, "/api/v1/threads/%d" % tid):
        resp = requests.get(server.url(path))
        assert resp.status_code == 404
        assert "secret-words" not in resp.text
    # its author still sees it, from the same statements
    mine = newcomer.get("/api/v1/threads/%d" % tid)
    assert mine.status_code == 200 and "secret-words-of-a-held-thread" in mine.text


def test_a_numbered_page_and_a_cursor_read_the_posts_they_ask_for(server, cluster, member):
    t, _ = _thread(member, 0)
    cluster.sql("""
        INSERT INTO posts (thread_id, parent_id, author_id, body, body_html, render_version)
        SELECT %s, %s, %s, 'r' || g, '<p>r' || g || '</p>', '0' FROM generate_series(1, 60) g
    """, (t["id"], t["first_post_id"], member.user["id"]))
    first = requests.get(server.url("/t/%d" % t["id"]))
    second = requests.get(server.url("/t/%d?page=2" % t["id"]))
    assert first.status_code == second.status_code == 200
    # ?page=N needs the counts before it knows where its posts start: nothing sent ahead
    assert round_trips(second) == statements(second), second.headers["Server-Timing"]
    shown = _post_ids(first.text) + _post_ids(second.text)
    assert len(shown) == 61 and len(set(shown)) == 61
    # the page's Next link is a cursor (the API's pages are 200 posts: one page here)
    cursor = re.search(r'<a href="/t/%d\?after=([0-9A-Za-z]+)" rel="next">' % t["id"], first.text).group(1)
    resp = requests.get(server.url("/t/%d" % t["id"]), params={"after": cursor})
    assert resp.status_code == 200
    # a cursor is known before the counts: its posts and their reactions went out with them
    # (then the parents on the first page, for "in reply to")
    assert round_trips(resp) == statements(resp) - 3, resp.headers["Server-Timing"]
    assert "In reply to" in resp.text
    assert _post_ids(resp.text) == _post_ids(second.text)
    api = requests.get(server.url("/api/v1/threads/%d" % t["id"])).json()
    assert api["next_page"] is None and sorted(p["id"] for p in api["posts"]) == sorted(shown)


def test_a_bad_cursor_is_refused_before_anything_is_sent(server, member):
    t, _ = _thread(member, 1)
    resp = requests.get(server.url("/api/v1/threads/%d" % t["id"]), params={"after": "not a cursor"})
    assert_error(resp, 400, "invalid_input", "after")
    assert statements(resp) == 0
    # ?verified= too: the reactions sent ahead read it, so it is read before anything is sent
    for bad in ("yes", "2", "-1", "\u00e9", "1" * 400):
        resp = requests.get(server.url("/t/%d" % t["id"]), params={"verified": bad})
        assert resp.status_code == 400, bad
        assert statements(resp) == 0, bad


def test_a_statement_that_times_out_in_a_prefetch_is_not_waited_for_twice(server, cluster, member):
    """The thread page's first statement times out inside the prefetch (this test holds the
    threads table): the page answers 503 after one statement timeout. Run again on its own,
    as a failed prefetched statement once was, it waited a second timeout before the 503."""
    t, _ = _thread(member, 1)
    timeout_ms = 1500
    # One thread, so one connection, its statements prepared before the table is held.
    own = Server(["--database", cluster.url, "--quiet", "--threads", "1", "--cache-mb", "0",
                  "--server-timing", "--statement-timeout", str(timeout_ms)], name="prefetch-timeout")
    conn = psycopg2.connect(cluster.url)
    try:
        path = own.base + "/api/v1/threads/%d" % t["id"]
        warm = requests.get(path)
        assert warm.status_code == 200 and round_trips(warm) == 1
        cur = conn.cursor()
        cur.execute("LOCK TABLE threads IN ACCESS EXCLUSIVE MODE")
        start = time.monotonic()
        resp = requests.get(path, timeout=30)
        took = time.monotonic() - start
        conn.rollback()
        assert_error(resp, 503, "unavailable")
        assert int(resp.headers["Retry-After"]) > 0
        assert timeout_ms / 1000 <= took < 1.7 * timeout_ms / 1000, took
        assert "statement timeout" in own.output()
        # The connection was not lost: the next page is whole, its statements together again.
        after = requests.get(path)
        assert after.status_code == 200 and round_trips(after) == 1
        assert [p["id"] for p in after.json()["posts"]] == [p["id"] for p in warm.json()["posts"]]
    finally:
        conn.close()
        own.stop()


PROBE = os.path.join(os.path.dirname(os.path.dirname(CORRAL)), "tests", "prefetch_probe")


def test_a_write_or_a_transaction_forgets_what_was_kept_and_a_failure_is_kept(server, cluster, member):
    """db_prefetch's rules that no page exercises today, through tests/http/prefetch_probe.c
    on this suite's database: two threads fetched together (one round trip), the first
    taken without asking; after a write the second is asked again (a kept result would not
    see the write); a transaction forgets them too; a statement that failed in the
    prefetch is reported from what was kept, without a second round trip."""
    a, _ = _thread(member, 1)
    b, _ = _thread(member, 1)
    out = subprocess.run([PROBE, cluster.url, str(a["id"]), str(b["id"]), str(a["first_post_id"])],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert got["taken"] == 1, got                  # the prefetch's round trip, nothing more
    assert got["after_write"] == 3, got            # the write, and the second thread asked
    assert got["after_tx"] == got["after_write"] + 3, got   # prefetch, in the transaction, after it
    assert got["failed_round_trips"] == 0, got
    assert (got["failed_error"], got["sqlstate"]) == ("invalid_input", "22P02"), got
    assert requests.get(server.url("/api/v1/threads/%d" % a["id"])).status_code == 200


def _reactions(client, tid, **params):
    body = client.get("/api/v1/threads/%d" % tid, params=params).json()
    return {p["id"]: p["reactions"] and {r["kind"]: r["total"] for r in p["reactions"] if r["total"]}
            for p in body["posts"]}, body["next_page"]


def test_the_reactions_sent_ahead_are_those_of_the_posts_the_reader_sees(server, cluster, member, moderator):
    """REACTIONS_WINDOW selects the page's posts again, by POSTS_PAGE's window: on a cursor's
    page, with posts a stranger does not see taking no place in it, and with the post after
    the page (the look-ahead row) left out of what is shown. The API's pages are 200 posts."""
    t, _ = _thread(member, 0)
    cluster.sql("""
        INSERT INTO posts (thread_id, parent_id, author_id, body, body_html, render_version)
        SELECT %s, %s, %s, 'r' || g, '<p>r' || g || '</p>', '0' FROM generate_series(1, 209) g
    """, (t["id"], t["first_post_id"], member.user["id"]))
    posts = [r[0] for r in cluster.sql("SELECT id FROM posts WHERE thread_id = %s ORDER BY path", (t["id"],))]
    fans = [make_user(server, cluster, community_role=role) for role in ("practitioner", "consultant")]
    # every reply thanked by the first fan, every other one by the second too
    for n, fan in enumerate(fans):
        cluster.sql("""
            INSERT INTO post_reactions (post_id, user_id, kind, community_role)
            SELECT id, %s, 'thanks', %s FROM unnest(%s::bigint[]) WITH ORDINALITY AS x(id, n) WHERE n %% %s = 0
        """, (fan.user["id"], ("practitioner", "consultant")[n], posts[1:], n + 1))
    # two posts only moderators see, in the first page's window
    hidden = posts[100:102]
    cluster.sql("UPDATE posts SET state = 'hidden' WHERE id = ANY(%s)", (hidden,))
    want = {pid: {"thanks": 1 + (n % 2 == 0)} for n, pid in enumerate(posts[1:], 1)}
    want[posts[0]] = {}
    for client, shown in ((Client(server), [p for p in posts if p not in hidden]), (moderator, posts)):
        got, cursor = _reactions(client, t["id"])
        assert cursor is not None
        pages = 1
        while cursor:
            resp = client.get("/api/v1/threads/%d" % t["id"], params={"after": cursor})
            if client.user is None:   # a member's reactions go with their own statements
                assert round_trips(resp) == statements(resp) - 3, resp.headers["Server-Timing"]
            more, cursor = _reactions(client, t["id"], after=cursor)
            assert not set(more) & set(got)
            got.update(more)
            pages += 1
        assert pages == 2 and list(got) == shown
        # a hidden post's reactions are hidden with it, even from a moderator
        assert got == {pid: (None if pid in hidden else want[pid]) for pid in shown}
        # the same counts as the page's posts asked by their ids (the agreement order)
        by_ids = {}
        for page in (1, 2):
            for p in client.get("/api/v1/threads/%d" % t["id"], params={"sort": "agreement", "page": page}).json()["posts"]:
                by_ids[p["id"]] = p["reactions"] and {r["kind"]: r["total"] for r in p["reactions"] if r["total"]}
        assert by_ids == got


def _replies_to(html):
    """{post id: its "In reply to" words} of a thread page."""
    got = {}
    for pid, block in re.findall(r'<li data-depth="\d+" data-parent="\d*" class="post[^"]*" id="p(\d+)"(.*?)</article>',
                                 html, re.S):
        m = re.search(r'<p class="in-reply-to[^"]*">In reply to (.*?)</p>', block, re.S)
        if m:
            got[int(pid)] = re.sub(r"<[^>]+>", "", m.group(1))
    return got


def test_a_cursor_pages_parents_are_named_as_the_reader_may_see_them(server, cluster, member, moderator):
    """"In reply to" a parent on an earlier page (POSTS_PARENTS, after the page's first round
    trip): a named author, an anonymous one, a deleted post's (a moderator's only) and a
    hidden post's (a moderator's only) — each parent has 60 replies, so that later pages
    open on replies to a post on an earlier page."""
    x = make_user(server, cluster, community_role="consultant")
    t = new_thread(member, body="OP")
    tid, op = t["id"], t["first_post_id"]
    parents = []
    for anonymous in (False, True, False, False):
        pid = cluster.sql("""
            INSERT INTO posts (thread_id, parent_id, author_id, body, body_html, render_version, anonymous)
            VALUES (%s, %s, %s, 'parent', '<p>parent</p>', '0', %s) RETURNING id
        """, (tid, op, x.user["id"], anonymous))[0][0]
        cluster.sql("""
            INSERT INTO posts (thread_id, parent_id, author_id, body, body_html, render_version)
            SELECT %s, %s, %s, 'c' || g, '<p>c' || g || '</p>', '0' FROM generate_series(1, 60) g
        """, (tid, pid, member.user["id"]))
        parents.append(pid)
    named, anon, deleted, hidden = parents
    cluster.sql("UPDATE posts SET state = 'deleted', deleted_by = author_id, deleted_at = now() WHERE id = %s",
                (deleted,))
    cluster.sql("UPDATE posts SET state = 'hidden' WHERE id = %s", (hidden,))
    parent_of = dict(cluster.sql("SELECT id, parent_id FROM posts WHERE thread_id = %s", (tid,)))
    who = "@" + x.user["username"]
    for client, mod in ((Client(server), False), (moderator, True)):
        want = {named: who, anon: "@A verified practitioner", deleted: who if mod else "a deleted post",
                hidden: who if mod else "an earlier post"}
        page, seen, far = client.get("/t/%d" % tid), {}, set()
        while True:
            assert page.status_code == 200
            shown = _replies_to(page.text)
            ids = _post_ids(page.text)
            far |= {p for p in ids if parent_of[p] in parents and parent_of[p] not in ids}
            seen.update(shown)
            nxt = re.search(r'<a href="/t/%d\?after=([0-9A-Za-z]+)" rel="next">' % tid, page.text)
            if not nxt:
                break
            page = client.get("/t/%d" % tid, params={"after": nxt.group(1)})
            if client.user is None:   # the thread, counts, posts and reactions, then the parents
                assert (statements(page), round_trips(page)) == (5, 2), page.headers["Server-Timing"]
        # replies to a parent on an earlier page, for each kind of parent
        assert {parent_of[p] for p in far} == set(parents)
        for pid, words in seen.items():
            if parent_of[pid] in want:
                assert words == want[parent_of[pid]], (pid, mod)
        assert far <= set(seen)
