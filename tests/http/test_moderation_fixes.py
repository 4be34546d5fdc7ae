"""Issue 16, what a first real use found in moderation: stale queue decisions, moderating a
post from the post itself, confirming and undoing a delete, a moderation log in words."""
import uuid

import requests

from conftest import assert_error, new_thread, reply


def word():
    """A made-up word no other test uses (letters only, so search keeps it whole)."""
    return "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:12])


def queue_items(client, kind="pending"):
    r = client.get("/api/v1/mod/queue", params={"kind": kind})
    assert r.status_code == 200, r.text
    return r.json()["items"]


def item_for(client, post_id, kind="pending"):
    items = [i for i in queue_items(client, kind) if i["post"]["id"] == post_id]
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
    assert p["id"] not in [i["post"]["id"] for i in queue_items(moderator)]
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
    for action in ("hide", "delete"):
        assert 'action="/p/%d/%s"' % (p["id"], action) in page
    assert 'action="/p/%d/unhide"' % p["id"] not in page
    assert 'action="/p/%d/hide"' % p["id"] not in member.get("/t/%d" % t["id"]).text
    form = lambda path, **data: moderator.s.post(server.url(path), allow_redirects=False,
                                                 data=dict(csrf=moderator.csrf, **data))
    r = form("/p/%d/hide" % p["id"], reason="off topic")
    assert r.status_code == 303 and r.headers["Location"] == "/t/%d#p%d" % (t["id"], p["id"])
    page = moderator.get("/t/%d" % t["id"]).text
    assert 'action="/p/%d/unhide"' % p["id"] in page and 'action="/p/%d/hide"' % p["id"] not in page
    r = form("/p/%d/unhide" % p["id"])
    assert r.status_code == 303 and r.headers["Location"] == "/t/%d#p%d" % (t["id"], p["id"])
    r = form("/p/%d/delete" % p["id"])
    assert r.status_code == 303 and r.headers["Location"] == "/t/%d#p%d" % (t["id"], p["id"])
    assert [e["action"] for e in modlog_entries(member)[:3]] == ["delete_post", "unhide_post", "hide_post"]
    r = moderator.s.post(server.url("/p/%d/hide" % p["id"]), allow_redirects=False, data={"reason": "x"})
    assert r.status_code == 403  # no csrf token
