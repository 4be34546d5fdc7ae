"""Issue 16, item 9: merge and split a moderator can use without knowing numbers — find the
thread to merge into by its title, confirm, read what happened; split from a post with the
posts that move shown and a title to give."""
import html
import re

import requests

from conftest import assert_error, make_user, new_thread, reply, unique


def form_post(client, path, **data):
    data.setdefault("csrf", client.csrf)
    return client.s.post(client.server.url(path), data=data, allow_redirects=False)


def page(client, path):
    r = client.s.get(client.server.url(path), allow_redirects=False)
    return r.status_code, html.unescape(r.text)


def thread_row(cluster, tid):
    return cluster.sql("SELECT merged_into, state, post_count FROM threads WHERE id = %s", (tid,))[0]


def titled(client, words):
    """A thread whose title holds words and a word no other test uses."""
    tag = unique("zq")
    return new_thread(client, title="%s %s" % (words, tag)), tag


# --- merge: finding the thread to merge into ---

def test_merge_search_lists_threads_by_title_words_without_this_one(server, cluster, member, moderator):
    tag = unique("zq")
    a = new_thread(member, title="Quarterly patching window %s" % tag)
    reply(member, a["id"], "one more")
    b = new_thread(member, title="Patching window for the quarter %s" % tag, category="general")
    gone = new_thread(member, title="Patching window deleted %s" % tag)
    cluster.sql("UPDATE threads SET state = 'deleted' WHERE id = %s", (gone["id"],))
    away = new_thread(member, title="Patching window merged %s" % tag)
    assert moderator.post("/api/v1/threads/%d/merge" % away["id"], json={"into": b["id"]}).status_code == 200

    status, text = page(moderator, "/t/%d/merge?q=patching+window+%s" % (a["id"], tag))
    assert status == 200
    assert 'href="/t/%d/merge?into=%d"' % (a["id"], b["id"]) in text
    for excluded in (a, gone, away):
        assert "into=%d\"" % excluded["id"] not in text, excluded
    # what tells the candidates apart: title, category, posts, last activity
    item = text[text.index("Patching window for the quarter"):]
    item = item[:item.index("</li>")]
    assert "General" in item and "2 posts" in item and "last activity" in item   # its own and the merged one
    assert "Quarterly patching window %s” (2 posts)" % tag in text
    # nothing found says so
    status, text = page(moderator, "/t/%d/merge?q=%s" % (a["id"], unique("nothing")))
    assert status == 200 and "No thread found to merge into" in text


def test_merge_search_takes_a_number_or_a_link(server, member, moderator):
    a, _ = titled(member, "Number search source")
    b, _ = titled(member, "Number search target")
    for q in (str(b["id"]), "#%d" % b["id"], "http://127.0.0.1/t/%d/some-slug#p4" % b["id"]):
        status, text = page(moderator, "/t/%d/merge?q=%s" % (a["id"], requests.utils.quote(q)))
        assert status == 200 and 'href="/t/%d/merge?into=%d"' % (a["id"], b["id"]) in text, q
    status, text = page(moderator, "/t/%d/merge?q=%d" % (a["id"], a["id"]))
    assert status == 200 and "is this thread" in text and "merge?into=" not in text
    status, text = page(moderator, "/t/%d/merge?q=999999999" % a["id"])
    assert status == 200 and "cannot take this merge" in text


def test_merge_search_refuses_a_huge_query(server, member, moderator):
    a, _ = titled(member, "Huge query")
    status, text = page(moderator, "/t/%d/merge?q=%s" % (a["id"], "x" * 201))
    assert status == 400 and "at most 200 characters" in text


# --- merge: confirming, and what it says after ---

def test_merge_confirmation_page_changes_nothing(server, cluster, member, moderator):
    a, _ = titled(member, "Confirm source")
    reply(member, a["id"], "second")
    b, _ = titled(member, "Confirm target")
    status, text = page(moderator, "/t/%d/merge?into=%d" % (a["id"], b["id"]))
    assert status == 200
    assert "Merge “%s” (2 posts) into “%s” (1 post)?" % (a["title"], b["title"]) in text
    assert "becomes a pointer to" in text
    assert 'action="/t/%d/merge"' % a["id"] in text and 'name="into" value="%d"' % b["id"] in text
    assert thread_row(cluster, a["id"]) == (None, "visible", 2)
    assert thread_row(cluster, b["id"]) == (None, "visible", 1)


def test_merge_by_form_lands_on_the_target_saying_what_moved(server, cluster, member, moderator):
    a, _ = titled(member, "Landed source")
    reply(member, a["id"], "second")
    reply(member, a["id"], "third")
    b, _ = titled(member, "Landed target")
    r = form_post(moderator, "/t/%d/merge" % a["id"], into=str(b["id"]), reason="same question")
    assert r.status_code == 303 and r.headers["Location"] == "/t/%d?merged=%d" % (b["id"], a["id"])
    assert thread_row(cluster, a["id"])[0] == b["id"]
    status, text = page(moderator, r.headers["Location"])
    assert status == 200 and "3 posts merged from “%s”." % a["title"] in text
    # the notice is read from the log: a made-up one says nothing
    status, text = page(moderator, "/t/%d?merged=%d" % (a["id"] + 100000, b["id"]))
    assert "merged from" not in text
    # and it is not for everyone
    status, text = page(member, r.headers["Location"])
    assert status == 200 and "merged from" not in text
    log = moderator.get("/api/v1/mod/log?action=merge").json()["entries"]
    entry = [e for e in log if e["target_id"] == str(a["id"])][0]
    assert entry["summary"] == "%s merged the thread “%s” into “%s” (3 posts)" % (
        moderator.user["username"], a["title"], b["title"])
    assert entry["details"] == {"into": b["id"], "posts": 3} and entry["reason"] == "same question"


def test_merge_into_itself_an_unknown_a_deleted_or_a_merged_thread_is_refused(server, cluster, member, moderator):
    a, _ = titled(member, "Refused source")
    gone, _ = titled(member, "Refused deleted")
    cluster.sql("UPDATE threads SET state = 'deleted' WHERE id = %s", (gone["id"],))
    target, _ = titled(member, "Refused final")
    away, _ = titled(member, "Refused merged")
    assert moderator.post("/api/v1/threads/%d/merge" % away["id"], json={"into": target["id"]}).status_code == 200
    url = "/api/v1/threads/%d/merge" % a["id"]
    assert_error(moderator.post(url, json={"into": a["id"]}), 400, "invalid_input", "into")
    assert_error(moderator.post(url, json={"into": 999999999}), 404, "not_found", "into")
    assert_error(moderator.post(url, json={"into": gone["id"]}), 409, "conflict", "into")
    assert_error(moderator.post(url, json={"into": away["id"]}), 409, "conflict", "into")
    assert_error(moderator.post(url, json={"into": "two"}), 400, "invalid_input", "into")
    assert_error(moderator.post(url, json={}), 400, "invalid_input", "into")
    assert_error(moderator.post("/api/v1/threads/999999999/merge", json={"into": a["id"]}), 404, "not_found")
    # the confirmation page refuses them too, in words
    for into, status in ((a["id"], 400), (999999999, 404), (gone["id"], 409), (away["id"], 409)):
        got, text = page(moderator, "/t/%d/merge?into=%d" % (a["id"], into))
        assert got == status, (into, got)
        assert "Merge the threads" not in text
    got, _ = page(moderator, "/t/%d/merge?into=x" % a["id"])
    assert got == 400
    got, text = page(moderator, "/t/%d/merge?into=" % a["id"])   # no choice yet: the search form
    assert got == 200 and "Find the thread to merge into" in text
    # and the form's answer to a deleted target is a page saying so, not a merge
    r = form_post(moderator, "/t/%d/merge" % a["id"], into=str(gone["id"]))
    assert r.status_code == 409 and "That thread was deleted." in html.unescape(r.text)
    r = moderator.s.post(server.url("/t/%d/merge" % a["id"]), data={"into": str(target["id"])}, allow_redirects=False)
    assert r.status_code == 403   # no CSRF token
    assert thread_row(cluster, a["id"])[0] is None


def test_a_merged_thread_page_says_so_instead_of_searching(server, member, moderator):
    a, _ = titled(member, "Already merged")
    b, _ = titled(member, "Merged target")
    moderator.post("/api/v1/threads/%d/merge" % a["id"], json={"into": b["id"]})
    status, text = page(moderator, "/t/%d/merge?q=anything" % a["id"])
    assert status == 200 and "merged already" in text and "Find threads" not in text


# --- split ---

def split_world(member):
    t, _ = titled(member, "Split world")
    p1 = reply(member, t["id"], "first branch")
    p2 = reply(member, t["id"], "under the first branch", parent_id=p1["id"])
    p3 = reply(member, t["id"], "second branch")
    return t, p1, p2, p3


def test_split_page_shows_the_posts_that_move_and_a_title_to_give(server, cluster, member, moderator):
    t, p1, p2, p3 = split_world(member)
    cluster.sql("UPDATE posts SET state = 'hidden' WHERE id = %s", (p2["id"],))
    status, text = page(moderator, "/t/%d/split?post_id=%d" % (t["id"], p1["id"]))
    assert status == 200
    assert "2 posts move to the new thread" in text
    assert "#p%d" % p1["id"] in text and "#p%d" % p2["id"] in text and "#p%d\"" % p3["id"] not in text
    assert "under the first branch" in text and "second branch" not in text
    assert "(hidden)" in text   # it moves too
    assert 'value="%s (split)"' % t["title"] in text
    assert '<option value="general" selected>' in text
    assert 'action="/t/%d/split?post_id=%d"' % (t["id"], p1["id"]) in text
    assert cluster.sql("SELECT count(*) FROM posts WHERE thread_id = %s", (t["id"],))[0][0] == 4


def test_split_page_refuses_what_cannot_be_split(server, member, moderator):
    t, p1, _, _ = split_world(member)
    other, _ = titled(member, "Split other")
    op = moderator.get("/api/v1/threads/%d" % t["id"]).json()["thread"]["first_post_id"]
    for query, words in (("", "Split from here"), ("?post_id=%d" % op, "opening post cannot be split"),
                         ("?post_id=%d" % other["first_post_id"], "not a post of this thread"),
                         ("?post_id=999999999", "not a post of this thread"), ("?post_id=x", "")):
        status, text = page(moderator, "/t/%d/split%s" % (t["id"], query))
        assert status == 400 and words in text, (query, status)


def test_split_by_form_with_a_title_lands_on_the_new_thread(server, cluster, member, moderator):
    t, p1, p2, p3 = split_world(member)
    slug = unique("c")[:12].lower()
    admin = make_user(server, cluster, "admin")
    assert admin.post("/api/v1/categories", json={"slug": slug, "name": "Split here"}).status_code == 201
    r = form_post(moderator, "/t/%d/split?post_id=%d" % (t["id"], p1["id"]), post_id=str(p1["id"]),
                  title="  The first branch, on its own  ", category=slug, reason="a topic of its own")
    assert r.status_code == 303, r.text
    m = re.fullmatch(r"/t/(\d+)\?split_from=%d" % t["id"], r.headers["Location"])
    assert m, r.headers["Location"]
    new = int(m.group(1))
    got = moderator.get("/api/v1/threads/%d" % new).json()
    assert got["thread"]["title"] == "The first branch, on its own"
    assert got["thread"]["category"]["slug"] == slug
    assert sorted(p["id"] for p in got["posts"]) == [p1["id"], p2["id"]]
    status, text = page(moderator, r.headers["Location"])
    assert "2 posts split off from “%s”." % t["title"] in text
    assert 'href="/p/%d/edit"' % p1["id"] in text
    log = moderator.get("/api/v1/mod/log?action=split").json()["entries"]
    entry = [e for e in log if e["target_id"] == str(t["id"])][0]
    assert entry["summary"] == "%s split replies off the thread “%s” into a new thread “%s” (2 posts)" % (
        moderator.user["username"], t["title"], "The first branch, on its own")
    # the moderator who split it renames it, through the thread's title edit
    r = moderator.patch("/api/v1/threads/%d" % new, json={"title": "A better name for the branch"})
    assert r.status_code == 200, r.text
    assert moderator.get("/api/v1/threads/%d" % new).json()["thread"]["title"] == "A better name for the branch"


def test_split_api_takes_an_optional_title_and_checks_it(server, cluster, member, moderator):
    t, p1, _, p3 = split_world(member)
    url = "/api/v1/threads/%d/split" % t["id"]
    for bad in ("ab", "   ", "", "x" * 201, 42, ["a title"], {"t": "a title"}):
        assert_error(moderator.post(url, json={"post_id": p1["id"], "title": bad}), 400, "invalid_input", "title")
    assert_error(moderator.post(url, json={"post_id": p1["id"], "category": "no-such-cat"}), 400, "invalid_input",
                 "category")
    assert_error(moderator.post(url, json={"post_id": p1["id"], "category": 999999}), 400, "invalid_input",
                 "category")
    r = moderator.s.post(server.url("/t/%d/split" % t["id"]), allow_redirects=False,
                         data=b"csrf=" + moderator.csrf.encode() + b"&post_id=%d&title=ab\xff\xfecd" % p1["id"],
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 400
    assert cluster.sql("SELECT count(*) FROM posts WHERE thread_id = %s", (t["id"],))[0][0] == 4
    # 200 characters is a title; without one, the thread's title + " (split)"
    r = moderator.post(url, json={"post_id": p1["id"], "title": "é" * 200})
    assert r.status_code == 200 and r.json()["thread"]["title"] == "é" * 200 and r.json()["moved_posts"] == 2
    r = moderator.post(url, json={"post_id": p3["id"], "title": None})
    assert r.status_code == 200 and r.json()["thread"]["title"] == t["title"] + " (split)"


def test_the_default_split_title_of_a_long_title_stays_a_title(server, member, moderator):
    t = new_thread(member, title="ü" * 200)
    p = reply(member, t["id"], "a reply")
    r = moderator.post("/api/v1/threads/%d/split" % t["id"], json={"post_id": p["id"]})
    assert r.status_code == 200, r.text
    title = r.json()["thread"]["title"]
    assert title.endswith(" (split)") and len(title) <= 200 and title.startswith("ü" * 96)


def test_the_split_form_shown_again_keeps_the_title_typed(server, member, moderator):
    t, p1, _, _ = split_world(member)
    r = form_post(moderator, "/t/%d/split?post_id=%d" % (t["id"], p1["id"]), post_id=str(p1["id"]), title="ab",
                  category="general")
    text = html.unescape(r.text)
    assert r.status_code == 400 and 'value="ab"' in text and "2 posts move to the new thread" in text


def test_posts_offer_split_from_here_to_moderators_only(server, member, moderator):
    t, p1, _, _ = split_world(member)
    _, text = page(moderator, "/t/%d" % t["id"])
    assert 'href="/t/%d/split?post_id=%d">Split from here' % (t["id"], p1["id"]) in text
    assert 'split?post_id=%d"' % t["first_post_id"] not in text
    assert 'action="/t/%d/merge"' % t["id"] in text and 'name="q"' in text
    _, text = page(member, "/t/%d" % t["id"])
    assert "Split from here" not in text and "/merge" not in text


def test_members_and_visitors_cannot_reach_the_pages(server, member, moderator):
    t, p1, _, _ = split_world(member)
    for path in ("/t/%d/merge?q=x" % t["id"], "/t/%d/merge?into=%d" % (t["id"], t["id"]),
                 "/t/%d/split?post_id=%d" % (t["id"], p1["id"])):
        assert page(member, path)[0] == 403, path
        assert requests.get(server.url(path), allow_redirects=False).status_code == 401, path
