"""Issue 21's side channels: what could tie an anonymous post ("A verified practitioner") to
its author without naming them. A member's public post count leaves out their anonymous
posts (schema/0035) whatever happens to the post; a suspension shows only to the member and
to moderators, so one made through an anonymous post cannot be matched to a profile; the
flag queue's "hide and suspend" of an anonymous post logs the post, not the member; and the
inline reply forms under each post offer the checkbox to verified practitioners."""
import re
import time

import pytest
import requests

from conftest import Client, make_user, new_thread, reply, unique

LABEL = "A verified practitioner"


def verified(server, cluster, **kw):
    c = make_user(server, cluster, **kw)
    cluster.sql("UPDATE users SET role_verified = true WHERE id = %s", (c.user["id"],))
    return c


def anon_reply(client, thread, parent=None, body="Ours too"):
    payload = {"body": body, "anonymous": True}
    if parent:
        payload["parent_id"] = parent
    r = client.post("/api/v1/threads/%d/posts" % thread, json=payload)
    assert r.status_code == 201, r.text
    return r.json()["post"]


def eventually(read, want, timeout=5):
    """read() once it gives want: pages are cached, and a change made in SQL reaches the
    cache through PostgreSQL's notifications, a moment later."""
    deadline = time.time() + timeout
    got = read()
    while got != want and time.time() < deadline:
        time.sleep(0.05)
        got = read()
    return got


def public_count(server, name):
    """The member's post count as a visitor reads it, from the API and from the page."""
    n = requests.get(server.url("/api/v1/users/%s" % name)).json()["user"]["post_count"]
    page = requests.get(server.url("/u/%s" % name)).text
    assert "· %d posts" % n in page, page
    return n


@pytest.fixture(scope="module")
def mod(server, cluster):
    return make_user(server, cluster, "moderator", "consultant")


def test_the_public_post_count_leaves_out_anonymous_posts(server, cluster, mod):
    doer, carol = verified(server, cluster), make_user(server, cluster)
    name = doer.user["username"]
    t = new_thread(doer)                                       # 1, under the name
    assert public_count(server, name) == 1
    r = doer.post("/api/v1/threads", json={"category": "general", "title": unique("Anon "), "body": "x",
                                           "anonymous": True})
    assert r.status_code == 201, r.text
    anon = anon_reply(doer, t["id"])["id"]
    assert public_count(server, name) == 1, "an anonymous post moved the public count"
    named = reply(doer, t["id"], "named")["id"]
    assert public_count(server, name) == 2
    # the same figure for a member and for the author themself: nothing to compare
    for c in (carol, doer, mod):
        assert c.get("/api/v1/users/%s" % name).json()["user"]["post_count"] == 2
    # hidden and shown again, deleted and restored: still not counted
    for path, body in (("hide", {"reason": "check"}), ("unhide", {})):
        assert mod.post("/api/v1/posts/%d/%s" % (anon, path), json=body).status_code == 200
        assert public_count(server, name) == 2, path
    assert doer.delete("/api/v1/posts/%d" % anon).status_code in (200, 204)
    assert public_count(server, name) == 2
    assert doer.post("/api/v1/posts/%d/restore" % anon, json={}).status_code == 200
    assert public_count(server, name) == 2
    # the named post still counts and uncounts
    assert mod.post("/api/v1/posts/%d/hide" % named, json={"reason": "check"}).status_code == 200
    assert public_count(server, name) == 1
    assert mod.post("/api/v1/posts/%d/unhide" % named, json={}).status_code == 200
    assert public_count(server, name) == 2
    # no route changes the flag, but the count follows it wherever it changes
    cluster.sql("UPDATE posts SET anonymous = false WHERE id = %s", (anon,))
    assert eventually(lambda: public_count(server, name), 3) == 3
    cluster.sql("UPDATE posts SET anonymous = true WHERE id = %s", (anon,))
    assert eventually(lambda: public_count(server, name), 2) == 2
    # the profile's lists agree with the figure for everyone but the author
    assert requests.get(server.url("/api/v1/users/%s/threads" % name)).json()["threads"]["total"] == 1
    assert doer.get("/api/v1/users/%s/threads" % name).json()["threads"]["total"] == 2
    (bad,) = cluster.sql("SELECT count(*) FROM users u WHERE u.id IN (%s, %s) AND u.post_count <>"
                         " (SELECT count(*) FROM posts p WHERE p.author_id = u.id AND p.state = 'visible'"
                         " AND NOT p.anonymous)", (doer.user["id"], carol.user["id"]))[0]
    assert bad == 0


def test_an_approved_anonymous_post_counts_for_trust_only(server, cluster, mod):
    """The rule that holds a new account's first posts counts every approved post of the
    real account, anonymous or not; the public figure does not move."""
    host = make_user(server, cluster)
    t = new_thread(host)
    newcomer = Client(server).register()
    cluster.sql("UPDATE users SET role_verified = true WHERE id = %s", (newcomer.user["id"],))
    p = anon_reply(newcomer, t["id"])
    assert p["state"] == "pending"
    items = [i for i in mod.get("/api/v1/mod/queue", params={"kind": "pending"}).json()["items"]
             if i.get("post") and i["post"]["id"] == p["id"]]
    assert len(items) == 1
    r = mod.post("/api/v1/mod/queue/%d/decision" % items[0]["id"], json={"action": "approve"})
    assert r.status_code == 200, r.text
    assert public_count(server, newcomer.user["username"]) == 0
    assert cluster.sql("SELECT approved_posts FROM users WHERE id = %s", (newcomer.user["id"],)) == [(1,)]


SUSPENSION_KEYS = ("suspended", "suspended_until", "suspension_reason")


def assert_suspension_hidden(client, name):
    r = client.get("/api/v1/users/%s" % name)
    assert r.status_code == 200, r.text
    u = r.json()["user"]
    assert not [k for k in SUSPENSION_KEYS if k in u], u
    page = client.get("/u/%s" % name).text
    assert "Suspended until" not in page and "until a moderator lifts it" not in page


def assert_suspension_shown(client, name):
    u = client.get("/api/v1/users/%s" % name).json()["user"]
    assert u["suspended"] is True and u["suspension_reason"] == "spam", u
    assert "Suspended until" in client.get("/u/%s" % name).text


@pytest.mark.parametrize("how", ["through_the_post", "on_the_profile"])
def test_a_suspension_shows_only_to_the_member_and_moderators(server, cluster, mod, how):
    doer, carol = verified(server, cluster), make_user(server, cluster)
    admin = make_user(server, cluster, "admin", "trainer")
    name = doer.user["username"]
    t = new_thread(carol)
    pid = anon_reply(doer, t["id"])["id"]
    if how == "through_the_post":
        r = mod.post("/api/v1/posts/%d/suspend-author" % pid, json={"reason": "spam", "duration": "week"})
    else:
        r = mod.post("/api/v1/users/%s/suspension" % name, json={"reason": "spam", "duration": "week"})
    assert r.status_code == 200, r.text
    for who in (Client(server), carol):
        assert_suspension_hidden(who, name)
    for who in (doer, mod, admin):
        assert_suspension_shown(who, name)
    # the moderators' profile page still offers to lift it
    assert "Lift suspension" in mod.get("/u/%s" % name).text
    # lifted from the profile: through the post, the log names the post again, not the member
    assert mod.delete("/api/v1/users/%s/suspension" % name).status_code == 204
    # by type and id: a post and an account may share a number
    lifted = cluster.sql("SELECT action, target_type, target_id FROM mod_log WHERE action LIKE 'lift_suspension%%'"
                         " AND ((target_type = 'post' AND target_id = %s) OR (target_type = 'user' AND target_id = %s))",
                         (str(pid), str(doer.user["id"])))
    if how == "through_the_post":
        assert lifted == [("lift_suspension_author", "post", str(pid))]
        # the log members read says whose post, not whose account
        for who in (carol, mod):
            for path in ("/mod/log", "/api/v1/mod/log"):
                text = who.get(path).text
                assert name not in text and "lifted the suspension of the author of" in text, path
    else:
        assert lifted == [("lift_suspension", "user", str(doer.user["id"]))]
    assert reply(doer, t["id"], "back")["state"] == "visible"


def test_hide_and_suspend_from_the_flag_queue_logs_the_post_not_the_member(server, cluster, mod):
    doer, carol = verified(server, cluster), make_user(server, cluster)
    name = doer.user["username"]
    t = new_thread(carol)
    pid = anon_reply(doer, t["id"])["id"]
    assert carol.post("/api/v1/posts/%d/flags" % pid, json={"reason": "abusive"}).status_code == 201
    items = [i for i in mod.get("/api/v1/mod/queue", params={"kind": "flags"}).json()["items"]
             if i.get("post") and i["post"]["id"] == pid]
    assert len(items) == 1 and items[0]["post"]["author"]["display_name"] == LABEL
    r = mod.post("/api/v1/mod/queue/%d/decision" % items[0]["id"],
                 json={"action": "suspend", "reason": "be kind", "duration": "day"})
    assert r.status_code == 200, r.text
    assert cluster.sql("SELECT suspended_until > now() FROM users WHERE id = %s", (doer.user["id"],)) == [(True,)]
    assert cluster.sql("SELECT count(*) FROM mod_log WHERE target_type = 'user' AND target_id = %s",
                       (str(doer.user["id"]),)) == [(0,)]
    assert cluster.sql("SELECT action FROM mod_log WHERE target_type = 'post' AND target_id = %s",
                       (str(pid),)) == [("suspend_author",)]
    for who in (carol, mod):
        for path in ("/mod/log", "/api/v1/mod/log", "/api/v1/mod/log?action=suspend"):
            assert name not in who.get(path).text, path
    assert mod.delete("/api/v1/users/%s/suspension" % name).status_code == 204
    assert cluster.sql("SELECT action FROM mod_log WHERE target_type = 'post' AND target_id = %s ORDER BY id",
                       (str(pid),)) == [("suspend_author",), ("lift_suspension_author",)]
    assert name not in carol.get("/api/v1/mod/log").text


def reply_page_form(page, pid):
    """The reply page's form answering post pid: its action and fields as the browser sends
    them with every checkbox ticked."""
    m = re.search(r'<input type="hidden" name="parent_id" value="%d">(.*?)</form>' % pid, page, re.S)
    assert m, "no reply form answering post %d" % pid
    start = page.rfind("<form", 0, m.start())
    form = page[start:m.end()]
    action = re.search(r'action="([^"]+)"', form).group(1)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    boxes = re.findall(r'<input type="checkbox" id="([^"]+)" name="([^"]+)" value="([^"]*)"', form)
    return action, fields, boxes, form


def test_the_reply_pages_offer_the_checkbox_to_verified_practitioners(server, cluster):
    host, doer = make_user(server, cluster), verified(server, cluster)
    doer_display = "Inline " + unique("Secret")
    cluster.sql("UPDATE users SET display_name = %s WHERE id = %s", (doer_display, doer.user["id"]))
    t = new_thread(host)
    other = reply(host, t["id"], "a second post")["id"]
    page = doer.get("/t/%d" % t["id"]).text
    # each post links to its reply page (issue 20); the page's one reply form has the box
    for pid in (t["first_post_id"], other):
        assert 'href="/t/%d/reply?to=%d"' % (t["id"], pid) in page
    assert page.count('name="anonymous"') == 1 and page.count('for="anonymous"') == 1
    # members who may not post anonymously do not get it (nor its bytes)
    assert 'name="anonymous"' not in host.get("/t/%d" % t["id"]).text
    assert 'name="anonymous"' not in host.get("/t/%d/reply?to=%d" % (t["id"], other)).text
    action, fields, boxes, form = reply_page_form(doer.get("/t/%d/reply?to=%d" % (t["id"], other)).text, other)
    assert boxes == [("anonymous", "anonymous", "1")], form
    assert "Post as a verified practitioner, without my name" in form
    data = dict(fields, body="From the reply page " + unique(), anonymous="1")
    r = doer.post(action, data=data)
    assert r.status_code in (302, 303), r.text[:300]
    pid = int(r.headers["Location"].rsplit("#p", 1)[1])
    assert cluster.sql("SELECT anonymous, parent_id FROM posts WHERE id = %s", (pid,)) == [(True, other)]
    shown = requests.get(server.url("/t/%d" % t["id"])).text
    assert data["body"] in shown and LABEL in shown
    for secret in (doer.user["username"], doer_display):
        assert secret not in shown


def test_an_anonymous_voice_is_a_voice_of_its_own(server, cluster):
    """Voices counted by account let an anonymous reply by someone who had posted under their
    name leave the count as it was, narrowing who wrote it (and a named reply after an
    anonymous one, the other way round). Named and anonymous are two voices now."""
    host, doer = make_user(server, cluster, community_role="consultant"), verified(server, cluster)

    def voices(tid):
        v = requests.get(server.url("/api/v1/threads/%d" % tid)).json()["thread"]["voices"]
        assert sum(r["count"] for r in v["by_role"]) == v["participants"], v
        return v["participants"], v["doers"]

    t = new_thread(host)
    reply(doer, t["id"], "named first")
    assert voices(t["id"]) == (2, 1)
    anon = anon_reply(doer, t["id"])["id"]
    assert voices(t["id"]) == (3, 2), "the anonymous reply did not add a voice"
    t2 = new_thread(host)
    anon_reply(doer, t2["id"])
    assert voices(t2["id"]) == (2, 1)
    reply(doer, t2["id"], "named after")
    assert voices(t2["id"]) == (3, 2), "the named reply did not add a voice"
    # the voice follows the post: hidden, shown again, or its flag changed
    mod = make_user(server, cluster, "moderator", "consultant")
    assert mod.post("/api/v1/posts/%d/hide" % anon, json={"reason": "check"}).status_code == 200
    assert voices(t["id"]) == (2, 1)
    assert mod.post("/api/v1/posts/%d/unhide" % anon, json={}).status_code == 200
    assert voices(t["id"]) == (3, 2)
    cluster.sql("UPDATE posts SET anonymous = false WHERE id = %s", (anon,))
    assert eventually(lambda: voices(t["id"]), (2, 1)) == (2, 1)
    cluster.sql("UPDATE posts SET anonymous = true WHERE id = %s", (anon,))
    assert eventually(lambda: voices(t["id"]), (3, 2)) == (3, 2)
    # verified only: the same two voices (doer is verified, host is not)
    v = requests.get(server.url("/api/v1/threads/%d" % t["id"]), params={"verified": "1"}).json()["thread"]["voices"]
    assert (v["participants"], v["doers"]) == (2, 2), v
    (bad,) = cluster.sql("SELECT count(*) FROM threads t WHERE t.id IN (%s, %s) AND (t.participants, t.doers) <>"
                         " (SELECT count(*), count(*) FILTER (WHERE forum_is_doer(tp.user_id))"
                         "  FROM thread_participants tp WHERE tp.thread_id = t.id)", (t["id"], t2["id"]))[0]
    assert bad == 0
