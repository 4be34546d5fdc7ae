"""Issue 16: the wait for approval explained — the composer tells a new account that its
first posts wait and why, the held post says why to its author, and approval is notified."""
import html

from conftest import new_thread, reply

NEW = "Your account is new, so a moderator approves your posts before others see them"


def pending_item(moderator, post_id):
    items = moderator.get("/api/v1/mod/queue?kind=pending").json()["items"]
    return [i for i in items if (i.get("post") or {}).get("id") == post_id][0]


def test_the_composer_tells_a_new_account_that_its_posts_wait(server, member, newcomer):
    page = newcomer.get("/new")
    assert page.status_code == 200
    assert NEW in page.text and "Posts still to be approved before yours appear at once: 2." in page.text
    t = new_thread(member)
    data = newcomer.get("/api/v1/threads/%d" % t["id"]).json()
    assert data["composer"] == {"trusted": False, "approvals_needed": 2}
    assert NEW in newcomer.get("/t/%d" % t["id"]).text
    # a trusted member is told nothing of the kind
    assert member.get("/api/v1/threads/%d" % t["id"]).json()["composer"] == {"trusted": True, "approvals_needed": 0}
    assert NEW not in member.get("/t/%d" % t["id"]).text and NEW not in member.get("/new").text


def test_a_held_post_says_why_to_its_author_only(server, member, newcomer, moderator):
    t = new_thread(member)
    p = reply(newcomer, t["id"], "my first words here")
    assert p["state"] == "pending"
    mine = [x for x in newcomer.get("/api/v1/threads/%d" % t["id"]).json()["posts"] if x["id"] == p["id"]][0]
    assert mine["held"]["reason"] == "new_account"
    assert mine["held"]["reason_text"].startswith("your account is new")
    page = html.unescape(newcomer.get("/t/%d" % t["id"]).text)
    assert "Only you and the moderators see this post until a moderator approves it. It waits because your account is new" in page
    frag = html.unescape(newcomer.get("/p/%d/fragment" % p["id"]).text)
    assert "It waits because your account is new" in frag
    # others: the moderator sees the post (and the queue says why), but no note addressed to its author
    assert "It waits because" not in moderator.get("/t/%d" % t["id"]).text
    assert p["id"] not in [x["id"] for x in member.get("/api/v1/threads/%d" % t["id"]).json()["posts"]]


def test_the_author_is_notified_when_a_held_post_is_approved(server, member, newcomer, moderator):
    t = new_thread(member)
    p = reply(newcomer, t["id"], "waiting for a moderator")
    assert newcomer.get("/api/v1/notifications").json()["notifications"] == []
    r = moderator.post("/api/v1/mod/queue/%d/decision" % pending_item(moderator, p["id"])["id"],
                       json={"action": "approve"})
    assert r.status_code == 200, r.text
    notes = newcomer.get("/api/v1/notifications").json()["notifications"]
    assert [(n["kind"], n["what"], n["post_id"], n["url"]) for n in notes] == [
        ("approved", "A moderator approved your post", p["id"], "/t/%d#p%d" % (t["id"], p["id"]))]
    assert notes[0]["excerpt"] == "waiting for a moderator"
    assert newcomer.get("/api/v1/me").json()["unread_notifications"] == 1
    assert "A moderator approved your post" in newcomer.get("/notifications").text
    # once visible, the post no longer says it waits
    mine = [x for x in newcomer.get("/api/v1/threads/%d" % t["id"]).json()["posts"] if x["id"] == p["id"]][0]
    assert "held" not in mine
