"""Issue 21: posting as "a verified practitioner". A verified practitioner starts a thread
and replies without their name; every read path (JSON, HTML, feeds, search, notifications,
mentions, live fragments, revisions, profiles, the trail, ideas, bookmarks, asks, the
accepted answer, the moderators' queues and the log) shows "A verified practitioner" and
never the username, display name or id. Admins reveal the author (logged, with the reason);
moderators suspend the author through the post without learning who it is."""
import datetime
import json

import pytest
import requests

from conftest import Client, assert_error, make_user, new_thread, reply, unique

LABEL = "A verified practitioner"
MONTH = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m")


class World:
    """One anonymous thread and reply by bob, and everything around them, made once."""

    def __init__(self, server, cluster):
        self.server, self.cluster = server, cluster
        self.admin = make_user(server, cluster, "admin", "trainer")
        self.mod = make_user(server, cluster, "moderator", "consultant")
        self.alice = make_user(server, cluster)
        self.carol = make_user(server, cluster)
        self.bob = make_user(server, cluster, username=unique("anonbob"))
        self.bob_id = self.bob.user["id"]
        self.bob_name = self.bob.user["username"]
        self.bob_display = "Roberta " + unique("Secretname")
        cluster.sql("UPDATE users SET role_verified = true, display_name = %s WHERE id = %s",
                    (self.bob_display, self.bob_id))
        self.word = unique("zqanon")          # in the anonymous posts only
        self.named_word = unique("zqnamed")   # in bob's one post under his name
        self.cat = unique("q")[:12].lower()
        r = self.admin.post("/api/v1/categories", json={"slug": self.cat, "name": "Q " + self.cat,
                                                        "question_style": True})
        assert r.status_code == 201, r.text
        self.tag = unique("t")[:10].lower()
        assert self.mod.post("/api/v1/tags", json={"name": self.tag, "description": ""}).status_code == 201

        # alice's question; bob answers it anonymously, mentioning carol, then edits it
        self.ta = new_thread(self.alice, title="Question " + unique(), category=self.cat)
        r = self.bob.post("/api/v1/threads/%d/posts" % self.ta["id"], json={
            "body": "%s: we did it @%s" % (self.word, self.carol.user["username"]), "anonymous": True,
            "parent_id": self.ta["first_post_id"]})
        assert r.status_code == 201, r.text
        self.rb = r.json()["post"]["id"]
        r = self.bob.patch("/api/v1/posts/%d" % self.rb, json={"body": "%s: we did it, @%s" % (
            self.word, self.carol.user["username"])})
        assert r.status_code == 200, r.text
        # bob's own anonymous thread, tagged, in the category, asking the doers
        r = self.bob.post("/api/v1/threads", json={"category": self.cat, "title": "Anonymous " + self.word,
                                                   "body": "Opening %s" % self.word, "tags": [self.tag],
                                                   "anonymous": True})
        assert r.status_code == 201, r.text
        self.tb = r.json()["thread"]
        assert self.carol.put("/api/v1/me/asks", json={"notify": True}).status_code == 200
        r = self.bob.post("/api/v1/threads/%d/ask" % self.tb["id"])
        assert r.status_code == 200 and r.json()["notified"] >= 1, r.text
        # a reply in bob's thread: "in reply to" names the anonymous parent
        reply(self.carol, self.tb["id"], "thanks", parent_id=self.tb["first_post_id"])
        # bob under his own name elsewhere, so the name filters have something to find
        tc = new_thread(self.mod, title="Elsewhere " + unique())
        self.named = reply(self.bob, tc["id"], "Named %s" % self.named_word)["id"]

        # around the reply: accepted, bookmarked, flagged, nominated, an idea's source
        r = self.alice.post("/api/v1/threads/%d/answer" % self.ta["id"], json={"post_id": self.rb})
        assert r.status_code == 200, r.text
        assert self.carol.post("/api/v1/posts/%d/bookmark" % self.rb, json={}).status_code in (200, 201)
        assert self.carol.post("/api/v1/posts/%d/flags" % self.rb, json={"reason": "spam"}).status_code == 201
        assert self.carol.post("/api/v1/posts/%d/nominations" % self.rb, json={}).status_code == 201
        r = self.mod.post("/api/v1/ideas", json={"title": unique("Idea "), "summary": "x",
                                                 "source_post_ids": [self.rb]})
        assert r.status_code == 201, r.text
        self.idea = r.json()["idea"]["number"]
        # a verified newcomer's anonymous reply waits in the pending queue
        dave = Client(server).register()
        cluster.sql("UPDATE users SET role_verified = true WHERE id = %s", (dave.user["id"],))
        self.dave_name = dave.user["username"]
        r = dave.post("/api/v1/threads/%d/posts" % self.ta["id"], json={"body": "waiting " + self.word,
                                                                         "anonymous": True})
        assert r.status_code == 201 and r.json()["post"]["state"] == "pending", r.text
        self.pending = r.json()["post"]["id"]

    def secrets(self):
        return [self.bob_name, self.bob_display]


@pytest.fixture(scope="module")
def world(server, cluster):
    return World(server, cluster)


def author_ids(data, found=None):
    """The ids of every author-like object in a JSON document."""
    found = [] if found is None else found
    if isinstance(data, dict):
        for k, v in data.items():
            if k in ("author", "actor", "asked_by", "editor", "proposer", "by") and isinstance(v, dict):
                found.append(v.get("id"))
            author_ids(v, found)
    elif isinstance(data, list):
        for v in data:
            author_ids(v, found)
    return found


def assert_hidden(w, text, what, names=None):
    low = text.lower()
    for s in names or w.secrets():
        assert s.lower() not in low, "%s names the author (%s)" % (what, s)
    if text.lstrip().startswith(("{", "[")):
        assert w.bob_id not in author_ids(json.loads(text)), "%s gives the author's id" % what


def public_paths(w):
    ta, tb, rb = w.ta["id"], w.tb["id"], w.rb
    return ["/", "/c/%s" % w.cat, "/api/v1/threads", "/api/v1/threads?sort=doer_share",
            "/t/%d" % ta, "/api/v1/threads/%d" % ta, "/t/%d" % tb, "/api/v1/threads/%d" % tb,
            "/p/%d/fragment" % rb, "/api/v1/posts/%d" % rb, "/p/%d/revisions" % rb,
            "/api/v1/posts/%d/revisions" % rb, "/feed.atom", "/c/%s/feed.atom" % w.cat,
            "/t/%d/feed.atom" % ta, "/t/%d/feed.atom" % tb, "/tags/%s/feed.atom" % w.tag,
            "/search?q=%s" % w.word, "/api/v1/search?q=%s" % w.word, "/asks", "/api/v1/asks",
            "/ideas/%d" % w.idea, "/api/v1/ideas/%d" % w.idea, "/report/" + MONTH, "/api/v1/report/" + MONTH]


def test_the_author_is_shown_as_a_verified_practitioner(world):
    w = world
    t = requests.get(w.server.url("/api/v1/threads/%d" % w.tb["id"])).json()["thread"]
    assert t["author"] == {"id": None, "username": None, "display_name": LABEL, "anonymous": True,
                           "community_role": t["author"]["community_role"], "role_verified": True,
                           "deleted": False, "affiliation": None}
    assert t["author"]["community_role"]["kind"] == "doer"
    post = requests.get(w.server.url("/api/v1/posts/%d" % w.rb)).json()["post"]
    assert post["author"]["display_name"] == LABEL and post["author"]["anonymous"] is True
    page = requests.get(w.server.url("/t/%d" % w.ta["id"])).text
    assert LABEL in page and "✓ verified" in page
    # counted in voices like any post: the thread has its author and bob
    assert t["voices"]["participants"] >= 1
    ta = requests.get(w.server.url("/api/v1/threads/%d" % w.ta["id"])).json()["thread"]
    assert ta["voices"]["participants"] == 2 and ta["voices"]["doers"] == 2


@pytest.mark.parametrize("who", ["anon", "member", "moderator"])
def test_no_read_path_names_the_author(world, who):
    w = world
    client = {"anon": Client(w.server), "member": w.carol, "moderator": w.mod}[who]
    for path in public_paths(w):
        r = client.get(path)
        assert r.status_code == 200, (path, r.status_code, r.text[:300])
        assert_hidden(w, r.text, path)
    # bob's profile: his named post only (not even moderators learn which anonymous posts are his)
    for path in ("/u/%s" % w.bob_name, "/api/v1/users/%s/posts" % w.bob_name,
                 "/api/v1/users/%s/threads" % w.bob_name, "/api/v1/users/%s" % w.bob_name):
        r = client.get(path)
        assert r.status_code == 200, (path, r.text[:300])
        assert w.word not in r.text and str(w.tb["title"]) not in r.text, path
    assert w.named_word in client.get("/api/v1/users/%s/posts" % w.bob_name).text
    if who == "moderator":
        for path in ("/mod", "/api/v1/mod/queue?kind=flags", "/api/v1/mod/queue?kind=pending",
                     "/api/v1/mod/queue?kind=ideas", "/mod/log", "/api/v1/mod/log"):
            r = client.get(path)
            assert r.status_code == 200, (path, r.text[:300])
            assert_hidden(w, r.text, path, w.secrets() + [w.dave_name])
        pending = client.get("/api/v1/mod/queue?kind=pending").json()["items"]
        assert any(i["post"]["id"] == w.pending and i["post"]["author"]["display_name"] == LABEL for i in pending)


def test_notifications_and_mentions_do_not_name_the_author(world):
    w = world
    for c, kind, post in ((w.alice, "reply", w.rb), (w.carol, "mention", w.rb), (w.carol, "ask", None)):
        data = c.get("/api/v1/notifications").json()["notifications"]
        mine = [n for n in data if n["post_id"] == post and n["kind"] == kind]
        assert mine, (kind, data)
        assert mine[0]["actor"]["username"] == LABEL and mine[0]["what"].startswith(LABEL), mine[0]
        for path in ("/api/v1/notifications", "/notifications"):
            assert_hidden(w, c.get(path).text, path)
    # the bookmarks list of the member who kept the post
    for path in ("/bookmarks", "/api/v1/me/bookmarks"):
        r = w.carol.get(path)
        assert r.status_code == 200 and w.word in r.text, path
        assert_hidden(w, r.text, path)


def test_the_author_filter_of_search_never_finds_anonymous_posts(world):
    w = world
    s = requests.get(w.server.url("/api/v1/search"), params={"q": "author:%s %s" % (w.bob_name, w.word)}).json()
    assert s["results"] == []
    s = requests.get(w.server.url("/api/v1/search"), params={"q": "author:%s %s" % (w.bob_name, w.named_word)}).json()
    assert [x["id"] for x in s["results"]] == [w.named]
    s = requests.get(w.server.url("/api/v1/search"), params={"q": w.word}).json()
    assert s["results"] and all(x["author"] == LABEL for x in s["results"]), s


def test_the_author_sees_their_own_anonymous_posts_marked(world):
    w = world
    mine = w.bob.get("/api/v1/users/%s/posts" % w.bob_name).json()["posts"]["items"]
    marked = {p["id"]: p["anonymous"] for p in mine}
    assert marked.get(w.rb) is True and marked.get(w.named) is False
    threads = w.bob.get("/api/v1/users/%s/threads" % w.bob_name).json()["threads"]["items"]
    assert any(t["id"] == w.tb["id"] and t["anonymous"] for t in threads)


def test_the_author_may_still_edit_their_anonymous_post_from_the_page(world):
    w = world
    def the_post(client):
        posts = client.get("/api/v1/threads/%d" % w.ta["id"]).json()["posts"]
        return [p for p in posts if p["id"] == w.rb][0]
    mine, theirs = the_post(w.bob), the_post(w.carol)
    assert mine["can_edit"] is True and mine["mine_anonymous"] is True and mine["can_flag"] is False
    assert theirs["can_edit"] is False and theirs["mine_anonymous"] is False and theirs["can_flag"] is True


def test_only_a_verified_practitioner_may_post_anonymously(world, server, cluster):
    w = world
    body = {"category": "general", "title": unique("Nope "), "body": "x", "anonymous": True}
    r = w.alice.post("/api/v1/threads", json=body)            # a practitioner, not verified
    assert_error(r, 403, "forbidden", "anonymous")
    assert r.json()["error"]["reason"] == "not_verified_practitioner"
    vendor = make_user(server, cluster, community_role="vendor")
    cluster.sql("UPDATE users SET role_verified = true WHERE id = %s", (vendor.user["id"],))
    r = vendor.post("/api/v1/threads/%d/posts" % w.ta["id"], json={"body": "x", "anonymous": True})
    assert_error(r, 403, "forbidden", "anonymous")
    assert r.json()["error"]["reason"] == "not_verified_practitioner"
    # wrong types
    for bad in ("yes", 1, None, [True]):
        r = w.bob.post("/api/v1/threads/%d/posts" % w.ta["id"], json={"body": "x", "anonymous": bad})
        assert r.status_code == 400, (bad, r.text)
        assert set(r.json()) == {"error"}
    # anonymous: false is an ordinary post
    r = w.alice.post("/api/v1/threads/%d/posts" % w.ta["id"], json={"body": "named", "anonymous": False})
    assert r.status_code == 201, r.text


def test_the_checkbox_works_without_javascript(world):
    w = world
    page = w.bob.get("/t/%d" % w.ta["id"]).text
    assert 'name="anonymous"' in page and "without my name" in page
    assert 'name="anonymous"' not in w.alice.get("/t/%d" % w.ta["id"]).text
    assert 'name="anonymous"' in w.bob.get("/new").text
    r = w.bob.post("/t/%d/reply" % w.ta["id"], data={"csrf": w.bob.csrf, "body": "form " + w.word,
                                                      "anonymous": "1"})
    assert r.status_code in (302, 303), r.text[:300]
    pid = int(r.headers["Location"].rsplit("#p", 1)[1])
    assert w.cluster.sql("SELECT anonymous FROM posts WHERE id = %s", (pid,)) == [(True,)]
    r = w.alice.post("/t/%d/reply" % w.ta["id"], data={"csrf": w.alice.csrf, "body": "form", "anonymous": "1"})
    assert r.status_code == 403 and "verified" in r.text


def test_an_admin_reveals_the_author_and_the_look_is_logged(world):
    w = world
    path = "/api/v1/posts/%d/reveal" % w.rb
    assert_error(w.mod.post(path, json={"reason": "curious"}), 403, "forbidden")
    assert_error(requests.post(w.server.url(path), json={"reason": "x"}), 401, "unauthenticated")
    assert_error(w.admin.post(path, json={"reason": "x"}, csrf=False), 403, "csrf")
    for bad in ({}, {"reason": ""}, {"reason": "  "}, {"reason": "x" * 501}, {"reason": 5}):
        assert_error(w.admin.post(path, json=bad), 400, "invalid_input", "reason")
    r = w.admin.req("POST", path, data=b'{"reason": "\xff\xfe"}', headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and set(r.json()) == {"error"}
    assert_error(w.admin.post("/api/v1/posts/%d/reveal" % w.named, json={"reason": "x"}), 404, "not_found")
    assert_error(w.admin.post("/api/v1/posts/999999999/reveal", json={"reason": "x"}), 404, "not_found")
    r = w.admin.post(path, json={"reason": "a court order"})
    assert r.status_code == 200, r.text
    got = r.json()["revealed"]
    assert got["post_id"] == w.rb and got["author"]["username"] == w.bob_name and got["author"]["id"] == w.bob_id
    log = w.cluster.sql("SELECT actor_id, target_type, target_id, reason FROM mod_log WHERE action = 'reveal_author'"
                        " ORDER BY id DESC LIMIT 1")
    assert log == [(w.admin.user["id"], "post", str(w.rb), "a court order")]
    # the log, which members read, says who looked and why, not who wrote it
    page = w.carol.get("/mod/log").text
    assert "looked up who wrote" in page and "a court order" in page
    assert_hidden(w, page, "/mod/log")
    assert_hidden(w, w.carol.get("/api/v1/mod/log").text, "/api/v1/mod/log")


def test_the_reveal_and_suspend_buttons_work_without_javascript(world, server, cluster):
    w = world
    # links to the pages holding the forms (issue 20)
    page = w.admin.get("/t/%d" % w.ta["id"]).text
    assert 'href="/p/%d/reveal"' % w.rb in page and 'href="/p/%d/suspend-author"' % w.rb in page
    mod_page = w.mod.get("/t/%d" % w.ta["id"]).text
    assert 'href="/p/%d/reveal"' % w.rb not in mod_page and 'href="/p/%d/suspend-author"' % w.rb in mod_page
    assert "/reveal" not in w.carol.get("/t/%d" % w.ta["id"]).text
    assert 'action="/p/%d/reveal"' % w.rb in w.admin.get("/p/%d/reveal" % w.rb).text
    assert 'action="/p/%d/suspend-author"' % w.rb in w.mod.get("/p/%d/suspend-author" % w.rb).text
    r = w.admin.post("/p/%d/reveal" % w.rb, data={"csrf": w.admin.csrf, "reason": "form look"})
    assert r.status_code == 200 and w.bob_name in r.text and "Who wrote this post" in r.text
    assert cluster.sql("SELECT count(*) FROM mod_log WHERE action = 'reveal_author' AND reason = 'form look'") == [(1,)]
    r = w.mod.post("/p/%d/reveal" % w.rb, data={"csrf": w.mod.csrf, "reason": "x"})
    assert r.status_code == 403 and w.bob_name not in r.text
    doer = make_user(server, cluster)
    cluster.sql("UPDATE users SET role_verified = true WHERE id = %s", (doer.user["id"],))
    t = doer.post("/api/v1/threads", json={"category": "general", "title": unique("Anon "), "body": "x",
                                           "anonymous": True}).json()["thread"]
    r = w.mod.post("/p/%d/suspend-author" % t["first_post_id"], data={"csrf": w.mod.csrf, "reason": "spam",
                                                                      "duration": "day"})
    assert r.status_code in (302, 303) and r.headers["Location"] == "/t/%d#p%d" % (t["id"], t["first_post_id"])
    assert cluster.sql("SELECT suspended_until > now() FROM users WHERE id = %s", (doer.user["id"],)) == [(True,)]


def test_a_moderator_suspends_the_author_through_the_post(server, cluster):
    mod = make_user(server, cluster, "moderator", "consultant")
    doer = make_user(server, cluster)
    cluster.sql("UPDATE users SET role_verified = true WHERE id = %s", (doer.user["id"],))
    r = doer.post("/api/v1/threads", json={"category": "general", "title": unique("Anon "), "body": "x",
                                           "anonymous": True})
    assert r.status_code == 201, r.text
    tid, pid = r.json()["thread"]["id"], r.json()["thread"]["first_post_id"]
    path = "/api/v1/posts/%d/suspend-author" % pid
    other = make_user(server, cluster)
    assert_error(other.post(path, json={"reason": "spam", "duration": "day"}), 403, "forbidden")
    assert_error(mod.post(path, json={"duration": "day"}), 400, "invalid_input", "reason")
    assert_error(mod.post(path, json={"reason": "spam", "duration": "fortnight"}), 400, "invalid_input", "duration")
    assert_error(mod.post(path, json={"reason": "x" * 501}), 400, "invalid_input", "reason")
    assert_error(mod.post("/api/v1/posts/999999999/suspend-author", json={"reason": "x"}), 404, "not_found")
    r = mod.post(path, json={"reason": "spam", "duration": "week"})
    assert r.status_code == 200, r.text
    # The post as its id alone: nothing of its author (the id's digits were once looked for in
    # the text, which failed whenever they were part of the post's id).
    assert doer.user["username"] not in r.text and r.json()["post"] == {"id": pid}
    assert r.json()["author_suspended"] is True
    assert cluster.sql("SELECT suspended_until > now() FROM users WHERE id = %s", (doer.user["id"],)) == [(True,)]
    log = cluster.sql("SELECT target_type, target_id, reason FROM mod_log WHERE action = 'suspend_author'"
                      " AND actor_id = %s", (mod.user["id"],))
    assert log == [("post", str(pid), "spam")]
    assert doer.user["username"] not in mod.get("/mod/log").text
    # a named post's author may be suspended the same way: the log calls either "a post"
    named = reply(other, tid, "named words")
    assert mod.post("/api/v1/posts/%d/suspend-author" % named["id"], json={"reason": "rude"}).status_code == 200
    entries = mod.get("/api/v1/mod/log", params={"action": "suspend_author"}).json()["entries"]
    said = [e["summary"] for e in entries if e["target_id"] == str(named["id"])]
    assert len(said) == 1 and "suspended the author of a post" in said[0], said
    # the suspension holds: the author cannot post
    assert_error(doer.post("/api/v1/threads/%d/posts" % tid, json={"body": "y"}), 403, "forbidden")


@pytest.fixture(scope="module")
def mail_env(cluster):
    """A server of its own that mails (test_digest.py's: notification mail and digests)."""
    from test_digest import Env
    env = Env(cluster)
    yield env
    code = env.server.stop()
    env.ctl.stop()
    assert code == 0, env.server.output()


def test_notification_mail_does_not_name_the_author(mail_env):
    from test_notify_mail import body_html, body_text
    env = mail_env
    alice, bob, carol = env.user(daily=False), env.user(daily=False), env.user(daily=False)
    env.sql("UPDATE users SET role_verified = true WHERE id = %s", (bob.user["id"],))
    t = new_thread(alice, title=unique("Mailed "))
    r = bob.post("/api/v1/threads/%d/posts" % t["id"], json={
        "body": "Ours too, @%s" % carol.user["username"], "anonymous": True, "parent_id": t["first_post_id"]})
    assert r.status_code == 201, r.text
    for to in (alice, carol):
        msg = env.wait_mail(to.addr)[0]
        whole = "%s\n%s\n%s" % (msg["Subject"], body_text(msg), body_html(msg))
        assert LABEL in whole and bob.user["username"] not in whole, whole


def test_the_digest_does_not_name_the_author(mail_env):
    from test_notify_mail import body_html, body_text
    env = mail_env
    alice, bob = env.user(), env.user(daily=False)
    env.sql("UPDATE users SET role_verified = true WHERE id = %s", (bob.user["id"],))
    assert alice.put("/api/v1/me/mail-preferences", json={"reply": "digest"}).status_code == 200
    t = new_thread(alice, title=unique("Digested "))
    r = bob.post("/api/v1/threads/%d/posts" % t["id"], json={"body": "We do", "anonymous": True,
                                                               "parent_id": t["first_post_id"]})
    assert r.status_code == 201, r.text
    env.wait_state(alice.user["id"], "digest")
    env.digest_now(alice)
    msg = env.wait_mail(alice.addr)[0]
    whole = "%s\n%s" % (body_text(msg), body_html(msg))
    assert "%s replied to your post" % LABEL in whole and bob.user["username"] not in whole
