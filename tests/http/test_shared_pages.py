"""Issue 20, target 1: a signed-in member's thread page comes from a copy shared by every
viewer of the same kind, with holes filled per viewer (forum/sharedpage.c). The filled page
must equal a full render for the same viewer — checked here against a second Corral on the
same database with its cache off — and a write must show at once, on every instance."""
import datetime
import re
import time

import pytest
import requests

from conftest import NONCE, SHARED_ARGS, Client, Server, make_user, new_thread, reply, unique

def fetch(client, srv, path):
    """The page as this member's browser gets it from srv (the session is the database's,
    so it is good on both servers)."""
    r = client.s.get(srv.url(path), allow_redirects=False)
    assert r.status_code == 200, (path, r.status_code, r.text[:300])
    return r


@pytest.fixture(scope="module")
def server(keeping_server):
    """This file's server keeps sessions and page states (the shared one does not)."""
    return keeping_server


def set_marker(cluster, client, thread_id, upto):
    if upto is None:
        cluster.sql("DELETE FROM thread_reads WHERE user_id = %s AND thread_id = %s", (client.user["id"], thread_id))
    else:
        cluster.sql("INSERT INTO thread_reads (user_id, thread_id, last_post_id) VALUES (%s, %s, %s)"
                    " ON CONFLICT (user_id, thread_id) DO UPDATE SET last_post_id = EXCLUDED.last_post_id",
                    (client.user["id"], thread_id, upto))


def compare(cluster, server, reference, client, thread_id, path, upto=None, want_hit=True):
    """The shared server's page (built, then from the copy) equals the reference's, the
    read marker set alike before each read (reading moves it). Returns the page's text."""
    pages = []
    for srv in (reference, server, server):
        set_marker(cluster, client, thread_id, upto)
        pages.append(fetch(client, srv, path))
    full, built, hit = pages
    assert NONCE.sub("N", built.text) == NONCE.sub("N", full.text), (client.user["username"], path)
    assert NONCE.sub("N", hit.text) == NONCE.sub("N", full.text), (client.user["username"], path)
    if want_hit:
        assert hit.headers.get("X-Cache") == "shared", (client.user["username"], path)
    # each page has its own nonce, as a full render does
    assert NONCE.findall(hit.text) and NONCE.findall(hit.text) != NONCE.findall(built.text)
    assert "private" in hit.headers["Cache-Control"]
    return hit.text


@pytest.fixture(scope="module")
def forum(server, cluster):
    """A thread with much that differs per viewer: posts of several members (one
    anonymous), reactions, a bookmark with a reminder, a watch, a held reply, an accepted
    answer's category, a deleted reply."""
    admin = make_user(server, cluster, "admin", "trainer")
    slug = unique("q").lower()
    r = admin.post("/api/v1/categories", json={"slug": slug, "name": "Questions " + slug, "question_style": True})
    assert r.status_code == 201, r.text
    ann, bob, cid = (make_user(server, cluster) for _ in range(3))
    doer = make_user(server, cluster)
    cluster.sql("UPDATE users SET role_verified = true WHERE id = %s", (doer.user["id"],))
    t = new_thread(ann, body="The question", category=slug)
    first = t["first_post_id"] if "first_post_id" in t else None
    posts = [reply(bob, t["id"], "Bob answers " + unique()), reply(cid, t["id"], "Cid adds " + unique())]
    r = doer.post("/api/v1/threads/%d/posts" % t["id"], json={"body": "Anonymous voice " + unique(), "anonymous": True})
    assert r.status_code == 201, r.text
    posts.append(r.json()["post"])
    posts.append(reply(ann, t["id"], "Ann thanks " + unique(), parent_id=posts[0]["id"]))
    gone = reply(cid, t["id"], "Cid regrets " + unique())
    assert cid.delete("/api/v1/posts/%d" % gone["id"]).status_code in (200, 204)
    assert bob.post("/api/v1/posts/%d/reactions/plus_one" % posts[3]["id"]).status_code in (200, 201)
    assert ann.post("/api/v1/posts/%d/reactions/thanks" % posts[0]["id"]).status_code in (200, 201)
    r = bob.post("/api/v1/posts/%d/bookmark" % posts[2]["id"], json={"remind_at": (datetime.datetime.utcnow() + datetime.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")})
    assert r.status_code in (200, 201), r.text
    assert cid.post("/api/v1/threads/%d/watch" % t["id"]).status_code in (200, 204)
    newcomer = Client(server).register()
    r = newcomer.post("/api/v1/threads/%d/posts" % t["id"], json={"body": "A held reply " + unique()})
    assert r.status_code in (201, 202), r.text
    return {"thread": t, "posts": posts, "first": first, "admin": admin, "ann": ann, "bob": bob, "cid": cid,
            "doer": doer, "newcomer": newcomer, "category": slug}


def test_every_kind_of_viewer_gets_the_page_a_full_render_gives(cluster, server, reference, forum):
    t, posts = forum["thread"], forum["posts"]
    path = "/t/%d" % t["id"]
    mod = make_user(server, cluster, "moderator", "consultant")
    stranger = make_user(server, cluster)
    # one copy serves every community role, verified or not, trusted or not
    vendor = make_user(server, cluster, community_role="vendor")
    cluster.sql("UPDATE users SET role_verified = true WHERE id = %s", (vendor.user["id"],))
    untrusted = make_user(server, cluster, community_role="analyst", trusted=False)
    seen = {}
    for who in ("ann", "bob", "doer"):
        seen[who] = compare(cluster, server, reference, forum[who], t["id"], path)
    for client in (mod, forum["admin"], stranger, vendor, untrusted):
        seen[client.user["username"]] = compare(cluster, server, reference, client, t["id"], path)
    assert "without my name" in seen["doer"] and "without my name" not in seen[vendor.user["username"]]
    assert "Your account is new" in seen[untrusted.user["username"]] and "Your account is new" not in seen["bob"]
    assert "Vendor" in seen[vendor.user["username"]]
    # the fill really differs per viewer: each sees their own name, only Bob his reminder
    me = 'class="me" href="/u/%s"'
    assert me % forum["bob"].user["username"] in seen["bob"] and me % forum["bob"].user["username"] not in seen["doer"]
    assert "reminder" in seen["bob"] and "reminder" not in seen["ann"]
    # the author of the question may mark an answer, a stranger may not
    assert "Mark as the answer" in seen["ann"] and "Mark as the answer" not in seen[stranger.user["username"]]
    # the anonymous post's author may edit it and nobody else learns who wrote it
    anon_id = posts[2]["id"]
    assert 'href="/p/%d/edit"' % anon_id in seen["doer"] and 'href="/p/%d/edit"' % anon_id not in seen["bob"]
    assert forum["doer"].user["username"] not in seen["bob"]
    assert me % forum["doer"].user["username"] in seen["doer"]
    # moderators see the held reply; the stranger does not
    assert "waiting for a moderator" in seen[mod.user["username"]]
    assert "waiting for a moderator" not in seen[stranger.user["username"]]


def test_reactions_read_markers_and_other_pages_are_filled_right(cluster, server, reference, forum):
    t, posts = forum["thread"], forum["posts"]
    bob = forum["bob"]
    # "new since you last read" from Bob's marker, set between the posts
    text = compare(cluster, server, reference, bob, t["id"], "/t/%d" % t["id"], upto=posts[1]["id"])
    assert "since you last read" in text
    compare(cluster, server, reference, forum["ann"], t["id"], "/t/%d?sort=agreement" % t["id"], upto=posts[0]["id"])
    compare(cluster, server, reference, forum["cid"], t["id"], "/t/%d?verified=1" % t["id"], want_hit=False)


def test_viewers_with_posts_only_they_see_get_a_full_render(cluster, server, reference, forum):
    t = forum["thread"]
    for who in ("newcomer", "cid"):   # a held reply in the thread; a deleted reply on the page
        client = forum[who]
        text = compare(cluster, server, reference, client, t["id"], "/t/%d" % t["id"], want_hit=False)
        again = fetch(client, server, "/t/%d" % t["id"])
        assert again.headers.get("X-Cache") != "shared", who
    assert "waiting for a moderator" in fetch(forum["newcomer"], server, "/t/%d" % t["id"]).text


def test_reading_moves_the_marker_from_the_shared_copy(cluster, server, forum):
    t, posts = forum["thread"], forum["posts"]
    stranger = make_user(server, cluster)
    fetch(stranger, server, "/t/%d" % t["id"])            # builds the copy
    set_marker(cluster, stranger, t["id"], posts[0]["id"])
    assert fetch(stranger, server, "/t/%d" % t["id"]).headers.get("X-Cache") == "shared"
    upto = cluster.sql("SELECT last_post_id FROM thread_reads WHERE user_id = %s AND thread_id = %s",
                       (stranger.user["id"], t["id"]))[0][0]
    assert upto > posts[0]["id"]


def test_a_write_shows_at_once_to_signed_in_readers(cluster, server, forum):
    ann, bob = forum["ann"], forum["bob"]
    mod = make_user(server, cluster, "moderator", "consultant")
    t = new_thread(ann, body="Opening " + unique())
    path = "/t/%d" % t["id"]
    p = reply(bob, t["id"], "first words " + unique())

    def cached():
        fetch(ann, server, path)
        assert fetch(ann, server, path).headers.get("X-Cache") == "shared"

    cached()
    body = "a new reply " + unique()
    reply(bob, t["id"], body)
    assert body in fetch(ann, server, path).text
    cached()
    edited = "edited words " + unique()
    assert bob.patch("/api/v1/posts/%d" % p["id"], json={"body": edited}).status_code == 200
    assert edited in fetch(ann, server, path).text
    cached()
    assert mod.post("/api/v1/posts/%d/hide" % p["id"], json={"reason": "off topic"}).status_code == 200
    assert edited not in fetch(ann, server, path).text
    # the viewer's own reaction shows at once too (it is filled, never shared)
    cached()
    first = t.get("first_post_id") or reply(bob, t["id"], "to react to " + unique())["id"]
    assert bob.post("/api/v1/posts/%d/reactions/insightful" % first).status_code in (200, 201)
    page = fetch(bob, server, path).text
    assert re.search(r'formaction="/p/%d/reactions/insightful/delete" aria-pressed="true"' % first, page)


def test_another_instance_shows_a_members_write_at_once(cluster, server, forum):
    """The member writes through one instance and reads through another: the read waits
    until that instance has seen the write's invalidation (the corral_w cookie)."""
    other = Server(["--database", cluster.url] + SHARED_ARGS, name="second")
    try:
        ann, bob = forum["ann"], forum["bob"]
        t = new_thread(ann, body="Two instances " + unique())
        path = "/t/%d" % t["id"]
        deadline = time.time() + 5   # its listener connects just after start
        while fetch(bob, other, path).headers.get("X-Cache") != "shared":
            assert time.time() < deadline
            time.sleep(0.05)
        for i in range(5):
            body = "written on the first instance %d %s" % (i, unique())
            reply(bob, t["id"], body)   # through `server`; sets corral_w
            assert body in fetch(bob, other, path).text, "the second instance served a stale copy"
            assert fetch(bob, other, path).headers.get("X-Cache") == "shared"
    finally:
        other.stop()


def test_the_watch_form_posts_to_the_thread(server, cluster, forum):
    """The thread tools' watch form names the thread, not the viewer (a name both have)."""
    t = forum["thread"]
    stranger = make_user(server, cluster)
    page = fetch(stranger, server, "/t/%d" % t["id"]).text
    assert 'action="/t/%d/watch"' % t["id"] in page
    page = fetch(forum["cid"], server, "/t/%d" % t["id"]).text   # replied: watching
    assert 'action="/t/%d/unwatch"' % t["id"] in page


def test_anonymous_readers_never_get_a_shared_copy(server, forum):
    t = forum["thread"]
    fetch(forum["bob"], server, "/t/%d" % t["id"])
    anon = requests.get(server.url("/t/%d" % t["id"]))
    assert anon.headers.get("X-Cache") in (None, "hit")
    assert 'class="me"' not in anon.text and 'name="csrf"' not in anon.text


@pytest.mark.parametrize("query", ["?page=abc", "?page=0", "?page=99999", "?after=%ff%fe", "?after=" + "x" * 5000,
                                   "?sort=nonsense", "?page=2&after=000001"])
def test_bad_queries_answer_a_signed_in_reader_as_a_full_render_does(server, reference, forum, query):
    """A shared copy is kept only for a page the handler answered 200: a bad query gets the
    same error from both servers, and no copy."""
    t, bob = forum["thread"], forum["bob"]
    mine = bob.s.get(server.url("/t/%d%s" % (t["id"], query)), allow_redirects=False)
    full = bob.s.get(reference.url("/t/%d%s" % (t["id"], query)), allow_redirects=False)
    assert mine.status_code == full.status_code and 400 <= mine.status_code < 500, (query, mine.status_code)
    assert mine.headers.get("X-Cache") != "shared"
    again = bob.s.get(server.url("/t/%d%s" % (t["id"], query)), allow_redirects=False)
    assert again.status_code == mine.status_code and again.headers.get("X-Cache") != "shared"


def test_another_members_thread_that_only_its_author_sees_stays_hidden(server, cluster, forum):
    """A held thread: its author is served it in full, nobody else gets a copy of it."""
    newcomer = forum["newcomer"]
    r = newcomer.post("/api/v1/threads", json={"category": "general", "title": unique("Held "), "body": "wait"})
    assert r.status_code in (201, 202), r.text
    tid = r.json()["thread"]["id"]
    mine = fetch(newcomer, server, "/t/%d" % tid)
    assert mine.headers.get("X-Cache") != "shared"
    other = forum["bob"].s.get(server.url("/t/%d" % tid), allow_redirects=False)
    assert other.status_code == 404 and "wait" not in other.text
