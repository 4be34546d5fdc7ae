"""Issue 16, what a first real use found in moderation: stale queue decisions, moderating a
post from the post itself, confirming and undoing a delete, a moderation log in words."""
import uuid

import requests

from conftest import Client, assert_error, make_user, new_thread, reply


def word():
    """A made-up word no other test uses (letters only, so search keeps it whole)."""
    return "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:12])


def queue_items(client, kind="pending"):
    r = client.get("/api/v1/mod/queue", params={"kind": kind})
    assert r.status_code == 200, r.text
    return r.json()["items"]


def item_for(client, post_id, kind="pending"):
    items = [i for i in queue_items(client, kind) if (i.get("post") or {}).get("id") == post_id]
    assert len(items) == 1, items
    return items[0]


def decide(client, item_id, action, **extra):
    body = {"action": action}
    body.update(extra)
    return client.post("/api/v1/mod/queue/%d/decision" % item_id, json=body)


def thread_post_ids(client, thread_id):
    r = client.get("/api/v1/threads/%d" % thread_id)
    assert r.status_code == 200, r.text
    return [p["id"] for p in r.json()["posts"]]


def public_everywhere(server, thread_id, post_id, w):
    """Where the post would show to anybody: the thread (page and API), the post's own
    API, search and the thread's Atom feed."""
    anon = requests.Session()
    seen = []
    # a deleted post keeps its place in the tree as a placeholder: no body, no author
    if [p for p in anon.get(server.url("/api/v1/threads/%d" % thread_id)).json()["posts"]
            if p["id"] == post_id and (p["state"] != "deleted" or p["body_html"] or p["author"])]:
        seen.append("thread api")
    if w in anon.get(server.url("/t/%d" % thread_id)).text:
        seen.append("thread page")
    if anon.get(server.url("/api/v1/posts/%d" % post_id)).status_code == 200:
        seen.append("post api")
    if anon.get(server.url("/api/v1/search"), params={"q": w}).json()["results"]:
        seen.append("search")
    if w in anon.get(server.url("/t/%d/feed.atom" % thread_id)).text:
        seen.append("feed")
    return seen


# --- (1) a decision on a stale queue item ---

def test_approving_a_post_its_author_deleted_is_refused_and_it_stays_unpublished(server, member, moderator,
                                                                                 newcomer):
    w = word()
    t = new_thread(member)
    p = reply(newcomer, t["id"], "held back %s" % w)
    it = item_for(moderator, p["id"])
    assert it["post"]["state"] == "pending" and it["post"]["version"] == 1
    assert newcomer.delete("/api/v1/posts/%d" % p["id"]).status_code == 204
    # the item left the queue, and deciding on it anyway is refused with the reason
    assert p["id"] not in [(i.get("post") or {}).get("id") for i in queue_items(moderator)]
    err = assert_error(decide(moderator, it["id"], "approve"), 409, "conflict")
    assert "deleted" in err["message"] and err["post"]["state"] == "deleted"
    err = assert_error(decide(moderator, it["id"], "approve", seen_version=1), 409, "conflict")
    assert "deleted" in err["message"]
    assert public_everywhere(server, t["id"], p["id"], w) == []
    # the form says it too, on the queue page
    r = moderator.s.post(server.url("/mod/queue/%d/decision?kind=pending" % it["id"]), allow_redirects=False,
                         data={"csrf": moderator.csrf, "action": "approve", "reason": "", "seen_version": "1"})
    assert r.status_code == 409 and "deleted" in r.text


def test_a_post_edited_since_the_queue_was_opened_is_not_approved(server, member, moderator, newcomer):
    w = word()
    t = new_thread(member)
    p = reply(newcomer, t["id"], "harmless at first")
    it = item_for(moderator, p["id"])
    assert 'name="seen_version" value="1"' in moderator.get("/mod?kind=pending").text
    assert newcomer.patch("/api/v1/posts/%d" % p["id"], json={"body": "now spam %s" % w}).status_code == 200
    err = assert_error(decide(moderator, it["id"], "approve", seen_version=it["post"]["version"]), 409, "conflict")
    assert "edited since you opened the queue" in err["message"] and err["post"]["version"] == 2
    assert public_everywhere(server, t["id"], p["id"], w) == []
    # reviewed again: the queue shows the edit, and a decision on what it shows stands
    again = item_for(moderator, p["id"])
    assert again["id"] == it["id"] and again["post"]["version"] == 2 and again["post"]["edited_at"]
    assert w in again["post"]["body_html"]
    assert decide(moderator, it["id"], "approve", seen_version=2).status_code == 200
    assert p["id"] in thread_post_ids(member, t["id"])


def test_approving_what_the_moderator_saw_still_publishes(server, member, moderator, newcomer):
    w = word()
    t = new_thread(member)
    p = reply(newcomer, t["id"], "fine post %s" % w)
    it = item_for(moderator, p["id"])
    r = decide(moderator, it["id"], "approve", seen_version=it["post"]["version"])
    assert r.status_code == 200 and r.json()["decision"]["action"] == "approve"
    assert set(public_everywhere(server, t["id"], p["id"], w)) == {"thread api", "thread page", "post api",
                                                                    "search", "feed"}
    assert_error(decide(moderator, it["id"], "approve"), 409, "conflict")  # decided: the old answer


# --- (7) moderating a post from the post itself ---

def modlog_entries(client):
    r = client.get("/api/v1/mod/log")
    assert r.status_code == 200, r.text
    return r.json()["entries"]


def test_a_moderator_hides_and_unhides_a_post_from_the_api_logged(server, member, moderator):
    w = word()
    t = new_thread(member)
    p = reply(member, t["id"], "rude words %s" % w)
    url = "/api/v1/posts/%d" % p["id"]
    assert_error(member.post(url + "/hide", json={"reason": "x"}), 403, "forbidden")
    assert_error(requests.post(server.url(url + "/hide"), json={"reason": "x"}), 401, "unauthenticated")
    assert_error(moderator.post(url + "/hide", json={}), 400, "invalid_input", "reason")
    assert_error(moderator.post("/api/v1/posts/999999999/hide", json={"reason": "x"}), 404, "not_found")
    r = moderator.post(url + "/hide", json={"reason": "personal attack"})
    assert r.status_code == 200 and r.json()["post"]["state"] == "hidden", r.text
    assert public_everywhere(server, t["id"], p["id"], w) == []
    assert_error(moderator.post(url + "/hide", json={"reason": "again"}), 409, "conflict")
    n = [n for n in member.get("/api/v1/notifications").json()["notifications"] if n["kind"] == "moderation"]
    assert n and "personal attack" in n[0]["message"]
    top = modlog_entries(member)[0]
    assert (top["action"], top["target_type"], top["target_id"], top["reason"]) == \
        ("hide_post", "post", str(p["id"]), "personal attack")
    r = moderator.post(url + "/unhide", json={})
    assert r.status_code == 200 and r.json()["post"]["state"] == "visible", r.text
    assert "post api" in public_everywhere(server, t["id"], p["id"], w)
    assert_error(moderator.post(url + "/unhide", json={}), 409, "conflict")
    assert modlog_entries(member)[0]["action"] == "unhide_post"
    # and the existing DELETE is the moderator's delete, logged too
    assert moderator.delete(url).status_code == 204
    top = modlog_entries(member)[0]
    assert (top["action"], top["target_id"]) == ("delete_post", str(p["id"]))
    assert_error(moderator.post(url + "/hide", json={"reason": "x"}), 409, "conflict")  # deleted stays deleted


def test_moderator_controls_on_each_post_of_the_thread_page(server, member, moderator):
    t = new_thread(member)
    p = reply(member, t["id"], "a post to moderate")
    page = moderator.get("/t/%d" % t["id"]).text
    # hide through its own page (forum/post_forms.c), unhide a button of the page's #rx form
    assert 'href="/p/%d/hide"' % p["id"] in page
    assert 'action="/p/%d/hide"' % p["id"] in moderator.get("/p/%d/hide" % p["id"]).text
    assert 'href="/p/%d/delete"' % p["id"] in page  # through the confirmation (or a dialog)
    assert 'formaction="/p/%d/unhide"' % p["id"] not in page
    assert 'href="/p/%d/hide"' % p["id"] not in member.get("/t/%d" % t["id"]).text
    form = lambda path, **data: moderator.s.post(server.url(path), allow_redirects=False,
                                                 data=dict(csrf=moderator.csrf, **data))
    r = form("/p/%d/hide" % p["id"], reason="off topic")
    assert r.status_code == 303 and r.headers["Location"] == "/t/%d#p%d" % (t["id"], p["id"])
    page = moderator.get("/t/%d" % t["id"]).text
    assert 'formaction="/p/%d/unhide"' % p["id"] in page and 'href="/p/%d/hide"' % p["id"] not in page
    r = form("/p/%d/unhide" % p["id"])
    assert r.status_code == 303 and r.headers["Location"] == "/t/%d#p%d" % (t["id"], p["id"])
    r = form("/p/%d/delete" % p["id"])
    assert r.status_code == 303 and r.headers["Location"] == "/t/%d#p%d" % (t["id"], p["id"])
    assert [e["action"] for e in modlog_entries(member)[:3]] == ["delete_post", "unhide_post", "hide_post"]
    r = moderator.s.post(server.url("/p/%d/hide" % p["id"]), allow_redirects=False, data={"reason": "x"})
    assert r.status_code == 403  # no csrf token


# --- (5) deleting asks first, and can be undone ---

def test_delete_asks_first_on_a_page_of_its_own(server, cluster, member):
    t = new_thread(member)
    p = reply(member, t["id"], "maybe delete me")
    edit = member.get("/p/%d/edit" % p["id"]).text
    # no delete button under Save: a link to the question, which a script turns into a dialog
    assert 'action="/p/%d/delete"' % p["id"] not in edit
    assert 'href="/p/%d/delete"' % p["id"] in edit and "data-confirm=" in edit and "/static/js/confirm.js" in edit
    page = member.get("/p/%d/delete" % p["id"])
    assert page.status_code == 200 and "Delete this post?" in page.text and "maybe delete me" in page.text
    assert 'action="/p/%d/delete"' % p["id"] in page.text and 'href="/t/%d#p%d"' % (t["id"], p["id"]) in page.text
    assert member.get("/api/v1/posts/%d" % p["id"]).json()["post"]["state"] == "visible"  # asking changed nothing
    assert make_user(server, cluster).get("/p/%d/delete" % p["id"]).status_code == 403
    assert requests.get(server.url("/p/%d/delete" % p["id"]), allow_redirects=False).status_code == 401
    r = member.s.post(server.url("/p/%d/delete" % p["id"]), allow_redirects=False, data={"csrf": member.csrf})
    assert r.status_code == 303 and r.headers["Location"] == "/t/%d#p%d" % (t["id"], p["id"])
    # the author sees Restore on the placeholder; nobody else does
    assert 'action="/p/%d/restore"' % p["id"] in member.get("/t/%d" % t["id"]).text
    assert 'action="/p/%d/restore"' % p["id"] not in make_user(server, cluster).get("/t/%d" % t["id"]).text
    r = member.s.post(server.url("/p/%d/restore" % p["id"]), allow_redirects=False, data={"csrf": member.csrf})
    assert r.status_code == 303 and r.headers["Location"] == "/t/%d#p%d" % (t["id"], p["id"])
    assert requests.get(server.url("/api/v1/posts/%d" % p["id"])).json()["post"]["state"] == "visible"


def test_a_restored_post_returns_to_the_state_it_had(server, member, moderator, newcomer):
    w = word()
    t = new_thread(member)
    p = reply(newcomer, t["id"], "waiting %s" % w)
    assert newcomer.delete("/api/v1/posts/%d" % p["id"]).status_code == 204
    assert p["id"] not in [(i.get("post") or {}).get("id") for i in queue_items(moderator)]
    r = newcomer.post("/api/v1/posts/%d/restore" % p["id"])
    assert r.status_code == 200 and r.json()["post"]["state"] == "pending", r.text
    assert public_everywhere(server, t["id"], p["id"], w) == []  # still waiting, not published
    assert item_for(moderator, p["id"])["post"]["state"] == "pending"  # back in the queue
    assert_error(newcomer.post("/api/v1/posts/%d/restore" % p["id"]), 409, "conflict")  # not deleted
    v = reply(member, t["id"], "visible %s" % w)
    assert member.delete("/api/v1/posts/%d" % v["id"]).status_code == 204
    assert member.post("/api/v1/posts/%d/restore" % v["id"]).json()["post"]["state"] == "visible"
    assert "post api" in public_everywhere(server, t["id"], v["id"], w)


def test_restore_is_the_authors_for_24_hours_and_the_moderators_always(server, cluster, member, moderator):
    t = new_thread(member)
    p = reply(member, t["id"], "old news")
    url = "/api/v1/posts/%d/restore" % p["id"]
    assert member.delete("/api/v1/posts/%d" % p["id"]).status_code == 204
    assert_error(make_user(server, cluster).post(url), 404, "not_found")
    assert_error(requests.post(server.url(url)), 401, "unauthenticated")
    cluster.sql("UPDATE posts SET deleted_at = now() - interval '25 hours' WHERE id = %s", (p["id"],))
    assert 'action="/p/%d/restore"' % p["id"] not in member.get("/t/%d" % t["id"]).text
    err = assert_error(member.post(url), 403, "forbidden")
    assert "24 hours" in err["message"]
    assert 'action="/p/%d/restore"' % p["id"] in moderator.get("/t/%d" % t["id"]).text
    assert moderator.post(url).json()["post"]["state"] == "visible"
    top = moderator.get("/api/v1/mod/log").json()["entries"][0]
    assert (top["action"], top["target_id"]) == ("restore_post", str(p["id"]))
    # what a moderator deleted, its author cannot bring back
    assert moderator.delete("/api/v1/posts/%d" % p["id"]).status_code == 204
    err = assert_error(member.post(url), 403, "forbidden")
    assert "moderator" in err["message"]


# --- (8) the moderation log in words, filtered ---

def test_the_log_says_in_words_who_did_what_to_which_post_thread_or_member(server, cluster, member, moderator):
    t = new_thread(member, title="Change freezes in December")
    p = reply(member, t["id"], "off topic")
    assert moderator.post("/api/v1/posts/%d/hide" % p["id"], json={"reason": "off topic"}).status_code == 200
    assert moderator.post("/api/v1/threads/%d/lock" % t["id"], json={}).status_code == 200
    target = make_user(server, cluster)
    assert moderator.post("/api/v1/users/%s/suspension" % target.user["username"],
                          json={"until": "2099-01-01T00:00:00Z", "reason": "spam"}).status_code == 200
    mo, pat, who = moderator.user["username"], member.user["username"], target.user["username"]
    mine = member.get("/api/v1/mod/log", params={"moderator": mo}).json()["entries"]
    assert [e["summary"] for e in mine[:3]] == [
        "%s suspended %s until 2099-01-01T00:00:00Z" % (mo, who),
        "%s locked the thread “Change freezes in December”" % mo,
        "%s hid a post by %s in “Change freezes in December”" % (mo, pat),
    ]
    hid = mine[2]
    assert hid["action"] == "hide_post" and hid["target_type"] == "post"  # the raw fields stay
    assert [(w["text"], w.get("href")) for w in hid["words"]] == [
        (mo, "/u/%s" % mo), (" hid ", None), ("a post", "/t/%d#p%d" % (t["id"], p["id"])), (" by ", None),
        (pat, "/u/%s" % pat), (" in ", None), ("“Change freezes in December”", "/t/%d" % t["id"])]
    page = member.get("/mod/log", params={"moderator": mo}).text
    assert '<a href="/t/%d#p%d">a post</a>' % (t["id"], p["id"]) in page
    assert '<a href="/u/%s">%s</a> suspended <a href="/u/%s">%s</a>' % (mo, mo, who, who) in page
    assert ">hide_post<" not in page  # no internal names on the page
    assert '<option value="%s" selected>' % mo in page


def test_the_log_filters_by_moderator_action_and_target(server, cluster, member, moderator, newcomer):
    other = make_user(server, cluster, "moderator")
    t = new_thread(member)
    p = reply(member, t["id"])
    moderator.post("/api/v1/posts/%d/hide" % p["id"], json={"reason": "r"})
    other.post("/api/v1/posts/%d/unhide" % p["id"], json={})
    other.post("/api/v1/threads/%d/pin" % t["id"], json={})
    q = reply(newcomer, t["id"], "waits")
    it = item_for(moderator, q["id"])
    assert decide(moderator, it["id"], "approve").status_code == 200

    def log(**params):
        r = member.get("/api/v1/mod/log", params=params)
        assert r.status_code == 200, r.text
        return r.json()["entries"]

    by_other = log(moderator=other.user["username"].upper())  # usernames match as at sign-in
    assert [e["action"] for e in by_other] == ["pin", "unhide_post"]
    assert {e["actor"]["username"] for e in log(moderator=moderator.user["username"])} == {moderator.user["username"]}
    assert all(e["action"] == "hide_post" for e in log(action="hide_post"))
    on_posts = log(moderator=moderator.user["username"], target="post")
    assert [e["action"] for e in on_posts[:2]] == ["approve", "hide_post"]  # queue decisions are about posts
    assert "approved a waiting post by %s" % newcomer.user["username"] in on_posts[0]["summary"]
    assert log(moderator=other.user["username"], target="thread")[0]["action"] == "pin"
    assert log(moderator=other.user["username"], target="user") == []
    assert log(moderator="", action="", target="")  # empty values are no filter (the page's "any")
    assert_error(member.get("/api/v1/mod/log", params={"action": "explode"}), 400, "invalid_input", "action")
    assert_error(member.get("/api/v1/mod/log", params={"target": "planet"}), 400, "invalid_input", "target")
    page = member.get("/mod/log", params={"moderator": other.user["username"], "target": "thread"}).text
    assert page.count("<tr><td><time") == 1 and '<option value="thread" selected>' in page
