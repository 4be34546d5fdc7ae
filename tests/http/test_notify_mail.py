"""Issue 18 (part): notification mail through the members' preferences, one-click
unsubscribe (RFC 8058) and closing the idea loop. Mail is read from a real SMTP server
(aiosmtpd on loopback), as in test_mail.py. Absence of a mail is shown with a marker: a
later notification's mail arrives, and the worker mails in the order notifications were
made, so the one that should not exist would have come first."""
import base64
import email
import email.policy
import hashlib
import hmac
import re
import threading
import time

import pytest
import requests

from conftest import SHARED_ARGS, SLOW, Client, Server, assert_error, cli, make_user, new_thread, reply, unique
from test_mail import smtp_server

BASE = "http://forum.example.org"
DELAY = 2


def mail_args(url, smtp_port, delay=DELAY):
    return ["--database", url, "--mail-from", "Forum <forum@example.org>", "--base-url", BASE,
            "--smtp-url", "smtp://127.0.0.1:%d" % smtp_port, "--smtp-plain-loopback",
            "--notify-mail-delay", str(delay)] + SHARED_ARGS


class Env:
    def __init__(self, cluster):
        self.cluster = cluster
        self.db = unique("notify")
        self.url = cluster.create_db(self.db)
        self.ctl, self.inbox = smtp_server()
        self.server = Server(mail_args(self.url, self.ctl.port), name="notify")

    def sql(self, q, params=None):
        return self.cluster.sql(q, params, dbname=self.db)

    def user(self, role="member", email=True, trusted=True):
        name = unique()
        # the address is set in SQL: registering with one mails a confirmation link
        # (accounts by mail), which these tests do not count
        c = Client(self.server).register(username=name)
        c.addr = "%s@example.net" % name
        if email:
            self.sql("UPDATE users SET email = %s, email_verified_at = now() WHERE id = %s", (c.addr, c.user["id"]))
        if role != "member":
            out = cli("user", "set-role", name, role, "--database", self.url)
            assert out.returncode == 0, out.stderr
        if trusted:
            self.sql("UPDATE users SET approved_posts = 100 WHERE id = %s", (c.user["id"],))
        return c

    def mails_to(self, addr):
        with self.inbox.lock:
            raw = [m[2] for m in self.inbox.messages if addr in m[1]]
        return [email.message_from_bytes(r, policy=email.policy.default) for r in raw]

    def wait_mail(self, addr, n=1, timeout=30):
        deadline = time.time() + timeout * SLOW
        while time.time() < deadline:
            got = self.mails_to(addr)
            if len(got) >= n:
                return got
            time.sleep(0.05)
        raise AssertionError("%d of %d mails to %s arrived" % (len(self.mails_to(addr)), n, addr))

    def marker(self):
        """A reply mailed after everything made before it: once it is here, earlier
        notifications have been decided."""
        a, b = self.user(), self.user()
        t = new_thread(a)
        reply(b, t["id"], "marker", parent_id=t["first_post_id"])
        self.wait_mail(a.addr)

    def stop(self):
        code = self.server.stop()
        self.ctl.stop()
        return code


@pytest.fixture(scope="module")
def env(cluster):
    e = Env(cluster)
    yield e
    assert e.stop() == 0, e.server.output()


def body_text(msg):
    return msg.get_body(("plain",)).get_content()


def body_html(msg):
    return msg.get_body(("html",)).get_content()


def unsub_token(sql, uid, kind, exp=None):
    """A token as the server signs it (HMAC-SHA-512-256, libsodium's crypto_auth)."""
    key = bytes(sql("SELECT secret FROM server_secrets WHERE name = 'unsubscribe'")[0][0])
    exp = int(time.time()) + 3600 if exp is None else exp
    mac = hmac.new(key, ("unsubscribe:%d:%s:%d" % (uid, kind, exp)).encode(), hashlib.sha512).digest()[:32]
    return "%d.%s.%d.%s" % (uid, kind, exp, base64.urlsafe_b64encode(mac).rstrip(b"=").decode())


def token_of(msg):
    m = re.fullmatch(r"<%s/unsubscribe\?token=([A-Za-z0-9._-]+)>" % re.escape(BASE), msg["List-Unsubscribe"])
    assert m, msg["List-Unsubscribe"]
    return m.group(1)


def prefs(client):
    r = client.get("/api/v1/me/mail-preferences")
    assert r.status_code == 200, r.text
    return r.json()["preferences"]


# --- notification mail ---

def test_a_reply_mails_the_author_after_the_delay_threaded_with_unsubscribe_headers(env):
    alice, bob = env.user(), env.user()
    t = new_thread(alice, title=unique("Change calendars "))
    t0 = time.time()
    p = reply(bob, t["id"], "We publish **ours** weekly.", parent_id=t["first_post_id"])
    msg = env.wait_mail(alice.addr)[0]
    assert time.time() - t0 >= DELAY - 0.5  # it waited
    host = "forum.example.org"
    assert msg["In-Reply-To"] == msg["References"] == "<thread-%d@%s>" % (t["id"], host)
    assert msg["Reply-To"] is None  # without --reply-address-domain (test_reply_mail.py has it)
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = token_of(msg)
    assert token.startswith("%d.reply." % alice.user["id"])
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["Subject"] == "%s replied to your post in \u201c%s\u201d" % (bob.user["username"], t["title"])
    text, html = body_text(msg), body_html(msg)
    assert "%s replied to your post" % bob.user["username"] in text
    assert "> We publish ours weekly." in text  # the excerpt, as plain text
    assert "%s/t/%d#p%d" % (BASE, t["id"], p["id"]) in text
    assert "%s/unsubscribe?token=%s" % (BASE, token) in text  # the visible link
    assert "<blockquote>We publish ours weekly.</blockquote>" in html
    assert 'href="%s/unsubscribe?token=%s"' % (BASE, token) in html
    # a second mail about the same thread refers to the same id
    reply(bob, t["id"], "And monthly.", parent_id=t["first_post_id"])
    second = env.wait_mail(alice.addr, 2)[1]
    assert second["References"] == msg["References"] and second["Message-ID"] != msg["Message-ID"]
    assert env.sql("SELECT kind FROM mail_outbox WHERE to_addr = %s", (alice.addr,)) == [("notification",)] * 2


def test_a_notification_read_on_the_site_first_is_not_mailed(env):
    alice, bob = env.user(), env.user()
    t = new_thread(alice)
    reply(bob, t["id"], "read me here", parent_id=t["first_post_id"])
    assert alice.post("/api/v1/notifications/read", json={}).json()["marked"] == 1
    env.marker()
    assert env.mails_to(alice.addr) == []
    assert env.sql("SELECT mail_state FROM notifications WHERE user_id = %s", (alice.user["id"],)) == [(None,)]


def test_three_replies_in_one_thread_become_one_mail(env):
    alice, bob, carol = env.user(), env.user(), env.user()
    t = new_thread(alice, title=unique("Runbooks "))
    reply(bob, t["id"], "first answer", parent_id=t["first_post_id"])
    reply(carol, t["id"], "second answer", parent_id=t["first_post_id"])
    reply(bob, t["id"], "third answer", parent_id=t["first_post_id"])
    msg = env.wait_mail(alice.addr)[0]
    env.marker()
    assert len(env.mails_to(alice.addr)) == 1
    assert msg["Subject"] == "3 new notifications in \u201c%s\u201d" % t["title"]
    text = body_text(msg)
    assert text.index("first answer") < text.index("second answer") < text.index("third answer")
    assert "%s replied to your post" % carol.user["username"] in text


def test_a_mention_mails_and_a_watched_thread_waits_for_the_digest_by_default(env):
    alice, bob, carol, watcher = env.user(), env.user(), env.user(), env.user()
    t = new_thread(carol)
    assert watcher.post("/api/v1/threads/%d/watch" % t["id"]).status_code in (200, 201, 204)
    reply(bob, t["id"], "ping @%s" % alice.user["username"])
    msg = env.wait_mail(alice.addr)[0]
    assert "%s mentioned you" % bob.user["username"] in body_text(msg)
    assert token_of(msg).startswith("%d.mention." % alice.user["id"])
    env.marker()
    assert env.mails_to(watcher.addr) == []
    assert env.sql("SELECT mail_state FROM notifications WHERE user_id = %s", (watcher.user["id"],)) == [("digest",)]


@pytest.mark.parametrize("what", ["post hidden", "post deleted", "thread hidden", "account deleted",
                                  "address unconfirmed", "member suspended", "preference never"])
def test_no_mail_when_the_post_or_the_member_is_gone_or_mail_is_not_wanted(env, what):
    alice, bob = env.user(), env.user()
    t = new_thread(alice)
    if what == "preference never":
        assert alice.put("/api/v1/me/mail-preferences", json={"reply": "never"}).status_code == 200
    p = reply(bob, t["id"], "soon gone", parent_id=t["first_post_id"])
    if what == "post hidden":
        env.sql("UPDATE posts SET state = 'hidden' WHERE id = %s", (p["id"],))
    elif what == "post deleted":
        assert bob.delete("/api/v1/posts/%d" % p["id"]).status_code == 204
    elif what == "thread hidden":
        env.sql("UPDATE threads SET state = 'hidden' WHERE id = %s", (t["id"],))
    elif what == "account deleted":
        env.sql("SELECT account_erase(%s)", (alice.user["id"],))
    elif what == "address unconfirmed":
        env.sql("UPDATE users SET email_verified_at = NULL WHERE id = %s", (alice.user["id"],))
    elif what == "member suspended":
        env.sql("UPDATE users SET suspended_until = now() + interval '1 day', suspension_reason = 'x'"
                " WHERE id = %s", (alice.user["id"],))
    env.marker()
    assert [m["Subject"] for m in env.mails_to(alice.addr)] == []
    # an erased account's notifications are gone with it; the others are decided "skipped"
    assert env.sql("SELECT mail_state FROM notifications WHERE user_id = %s", (alice.user["id"],)) == \
        ([] if what == "account deleted" else [("skipped",)])


def test_an_approved_pending_post_mails_its_author_through_the_moderation_preference(env):
    alice, mod = env.user(), env.user("moderator")
    newcomer = env.user(trusted=False)
    t = new_thread(alice)
    p = reply(newcomer, t["id"], "my first answer")
    assert p["state"] == "pending"
    item = env.sql("SELECT id FROM queue_items WHERE post_id = %s", (p["id"],))[0][0]
    assert mod.post("/api/v1/mod/queue/%d/decision" % item, json={"action": "approve"}).status_code == 200
    msg = env.wait_mail(newcomer.addr)[0]
    assert "A moderator approved your post" in body_text(msg)
    assert token_of(msg).startswith("%d.moderation." % newcomer.user["id"])


# --- preferences ---

def test_mail_preferences_have_defaults_and_change_through_the_api_and_the_settings_form(env):
    alice = env.user()
    assert prefs(alice) == {"reply": "immediately", "mention": "immediately", "watch": "digest",
                            "moderation": "immediately", "idea_status": "immediately", "survey": "digest",
                            "reminder": "immediately", "ask": "immediately"}
    r = alice.put("/api/v1/me/mail-preferences", json={"watch": "immediately", "survey": "never"})
    assert r.status_code == 200 and r.json()["preferences"]["watch"] == "immediately"
    assert r.json()["digest"] == "weekly" and "digest_sent" not in r.json()
    assert prefs(alice)["survey"] == "never" and prefs(alice)["reply"] == "immediately"
    page = alice.get("/settings")
    assert page.status_code == 200
    assert '<section id="mail"' in page.text and "Mail about replies to your posts" in page.text
    assert re.search(r'name="survey" value="never" checked', page.text)
    r = alice.s.post(env.server.url("/settings/mail"), data={"csrf": alice.csrf, "reply": "digest"},
                     allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/settings#mail"
    assert prefs(alice)["reply"] == "digest" and prefs(alice)["survey"] == "never"
    bad = alice.s.post(env.server.url("/settings/mail"), data={"csrf": alice.csrf, "reply": "often"})
    assert bad.status_code == 400 and '<section id="mail"' in bad.text


@pytest.mark.parametrize("body,field", [
    ({"reply": "sometimes"}, "reply"),
    ({"reply": 5}, "reply"),
    ({"reply": None}, "reply"),
    ({"replies": "never"}, "replies"),
    ({"reply": "x" * 100000}, "reply"),
    ({}, None),
    ([], None),
    ("never", None),
])
def test_bad_mail_preferences_are_400_with_the_field(env, body, field):
    alice = env.user()
    assert_error(alice.put("/api/v1/me/mail-preferences", json=body), 400, "invalid_input", field)
    assert prefs(alice)["reply"] == "immediately"


def test_mail_preferences_refuse_invalid_utf8_missing_csrf_and_strangers(env):
    alice = env.user()
    r = alice.put("/api/v1/me/mail-preferences", data=b'{"reply": "\xff"}',
                  headers={"Content-Type": "application/json"})
    assert_error(r, 400, "invalid_input")
    assert_error(alice.put("/api/v1/me/mail-preferences", json={"reply": "never"}, csrf=False), 403, "csrf")
    assert_error(requests.get(env.server.url("/api/v1/me/mail-preferences")), 401, "unauthenticated")
    assert_error(requests.put(env.server.url("/api/v1/me/mail-preferences"), json={"reply": "never"}),
                 401, "unauthenticated")
    assert prefs(alice)["reply"] == "immediately"


# --- unsubscribe ---

def test_get_only_confirms_and_the_one_click_post_stops_that_kind_without_signing_in(env):
    alice, bob = env.user(), env.user()
    t = new_thread(alice)
    reply(bob, t["id"], "one", parent_id=t["first_post_id"])
    token = token_of(env.wait_mail(alice.addr)[0])
    page = requests.get(env.server.url("/unsubscribe?token=" + token))  # a link scanner
    assert page.status_code == 200
    assert '<form method="post" action="/unsubscribe"' in page.text and 'value="%s"' % token in page.text
    assert "replies to your posts" in page.text
    assert prefs(alice)["reply"] == "immediately"
    api = requests.get(env.server.url("/api/v1/unsubscribe?token=" + token)).json()["unsubscribe"]
    assert api == {"username": alice.user["username"], "kind": "reply", "label": "replies to your posts",
                   "done": False}
    # RFC 8058: the mail provider POSTs multipart/form-data to the URL, with no cookie
    r = requests.post(env.server.url("/unsubscribe?token=" + token),
                      files={"List-Unsubscribe": (None, "One-Click")}, allow_redirects=False)
    assert r.status_code == 200 and "You are unsubscribed" in r.text
    assert prefs(alice)["reply"] == "never" and prefs(alice)["mention"] == "immediately"
    reply(bob, t["id"], "two", parent_id=t["first_post_id"])
    env.marker()
    assert len(env.mails_to(alice.addr)) == 1
    # the confirmation page's form, and the API, do the same
    r = requests.post(env.server.url("/unsubscribe"), data={"token": unsub_token(env.sql, alice.user["id"], "mention")})
    assert r.status_code == 200 and prefs(alice)["mention"] == "never"
    r = requests.post(env.server.url("/api/v1/unsubscribe"),
                      json={"token": unsub_token(env.sql, alice.user["id"], "watch")})
    assert r.status_code == 200 and r.json()["unsubscribe"]["done"] is True and prefs(alice)["watch"] == "never"


def test_forged_expired_or_malformed_tokens_are_refused(env):
    alice = env.user()
    uid = alice.user["id"]
    good = unsub_token(env.sql, uid, "reply")
    forged = [
        good[:-2] + ("AA" if not good.endswith("AA") else "BB"),      # another MAC
        good.replace("%d.reply." % uid, "%d.reply." % (uid + 1)),      # another member
        good.replace(".reply.", ".mention."),                          # another kind
        unsub_token(env.sql, uid, "newsletter"),                      # no such kind
        "", "garbage", "1.reply.1.x", good + "x", "%s.%s" % (good, good),
        "x" * 5000,
    ]
    for tok in forged:
        assert_error(requests.post(env.server.url("/api/v1/unsubscribe"), json={"token": tok}),
                     400, "invalid_input", "token")
        page = requests.post(env.server.url("/unsubscribe"), params={"token": tok},
                             files={"List-Unsubscribe": (None, "One-Click")})
        assert page.status_code == 400 and "not valid" in page.text
    expired = unsub_token(env.sql, uid, "reply", exp=int(time.time()) - 10)
    e = assert_error(requests.get(env.server.url("/api/v1/unsubscribe"), params={"token": expired}),
                     400, "invalid_input", "token")
    assert "expired" in e["message"]
    assert_error(requests.post(env.server.url("/api/v1/unsubscribe"), json={"token": 5}), 400, "invalid_input")
    assert_error(requests.post(env.server.url("/api/v1/unsubscribe"), json={}), 400, "invalid_input")
    assert requests.get(env.server.url("/unsubscribe?token=%ff")).status_code == 400
    assert requests.get(env.server.url("/unsubscribe")).status_code == 400
    assert prefs(alice) == {"reply": "immediately", "mention": "immediately", "watch": "digest",
                            "moderation": "immediately", "idea_status": "immediately", "survey": "digest",
                            "reminder": "immediately", "ask": "immediately"}


# --- the idea loop ---

def idea_notes(client):
    return [n for n in client.get("/api/v1/notifications").json()["notifications"] if n["kind"] == "idea"]


def test_an_idea_status_change_tells_voters_nominator_authors_and_followers_with_the_reason(env):
    mod = env.user("moderator")
    author, nominator, voter, follower, quitter, bystander = (env.user() for _ in range(6))
    t = new_thread(author, body="Publish the change calendar to every team.")
    assert nominator.post("/api/v1/posts/%d/nominations" % t["first_post_id"], json={}).status_code == 201
    item = env.sql("SELECT id FROM queue_items WHERE post_id = %s AND kind = 'ideas'", (t["first_post_id"],))[0][0]
    r = mod.post("/api/v1/mod/queue/%d/decision" % item,
                 json={"action": "accept", "idea": {"title": "Public change calendar", "summary": "Do it."}})
    assert r.status_code == 200, r.text
    n = env.sql("SELECT idea FROM idea_sources WHERE post_id = %s", (t["first_post_id"],))[0][0]
    assert voter.post("/api/v1/ideas/%d/votes" % n).status_code == 200
    r = follower.post("/api/v1/ideas/%d/follow" % n)
    assert r.status_code == 200 and r.json()["following"] is True
    assert follower.get("/api/v1/ideas/%d" % n).json()["idea"]["following"] is True
    assert quitter.post("/api/v1/ideas/%d/follow" % n).status_code == 200
    assert quitter.delete("/api/v1/ideas/%d/follow" % n).status_code == 200
    assert quitter.get("/api/v1/ideas/%d" % n).json()["idea"]["following"] is False
    r = mod.patch("/api/v1/ideas/%d" % n, json={"status": "planned", "reason": "Scheduled for Q3."})
    assert r.status_code == 200, r.text
    want = "IDEA-%d \u201cPublic change calendar\u201d is now Planned: Scheduled for Q3." % n
    for c in (author, nominator, voter, follower):
        notes = idea_notes(c)
        assert [(x["what"], x["url"]) for x in notes] == [(want, "/ideas/%d" % n)], c.user["username"]
        msg = env.wait_mail(c.addr)[0]
        assert msg["Subject"] == want and "Scheduled for Q3." in body_text(msg)
        assert msg["References"] == "<idea-%d@forum.example.org>" % n
        assert "%s/ideas/%d" % (BASE, n) in body_text(msg)
        assert token_of(msg).startswith("%d.idea_status." % c.user["id"])
    for c in (quitter, bystander, mod):
        assert idea_notes(c) == []
    page = follower.get("/ideas/%d" % n)
    assert 'action="/ideas/%d/unfollow"' % n in page.text and "Stop following" in page.text
    notif_page = follower.get("/notifications")
    assert 'href="/ideas/%d"' % n in notif_page.text


def test_a_merged_idea_tells_its_audience_and_its_followers_move(env):
    mod, voter, follower = env.user("moderator"), env.user(), env.user()
    a = mod.post("/api/v1/ideas", json={"title": "Duplicate idea", "summary": "s"}).json()["idea"]["number"]
    b = mod.post("/api/v1/ideas", json={"title": "Kept idea", "summary": "s"}).json()["idea"]["number"]
    assert voter.post("/api/v1/ideas/%d/votes" % a).status_code == 200
    assert follower.post("/api/v1/ideas/%d/follow" % a).status_code == 200
    assert mod.post("/api/v1/ideas/%d/merge" % a, json={"into": b, "reason": "Same thing."}).status_code == 200
    want = "IDEA-%d \u201cDuplicate idea\u201d was merged into IDEA-%d: Same thing." % (a, b)
    for c in (voter, follower):
        assert [x["what"] for x in idea_notes(c)] == [want]
        assert env.wait_mail(c.addr)[0]["Subject"] == want
    assert follower.get("/api/v1/ideas/%d" % b).json()["idea"]["following"] is True
    assert_error(follower.post("/api/v1/ideas/%d/follow" % a), 409, "conflict")
    assert_error(follower.post("/api/v1/ideas/999999/follow"), 404, "not_found")
    assert_error(requests.post(env.server.url("/api/v1/ideas/%d/follow" % b)), 401, "unauthenticated")


def test_following_from_the_idea_page_works_without_js(env):
    mod, m = env.user("moderator"), env.user()
    n = mod.post("/api/v1/ideas", json={"title": "Page idea", "summary": "s"}).json()["idea"]["number"]
    page = m.get("/ideas/%d" % n)
    assert 'action="/ideas/%d/follow"' % n in page.text
    r = m.s.post(env.server.url("/ideas/%d/follow" % n), data={"csrf": m.csrf}, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/ideas/%d" % n
    assert m.get("/api/v1/ideas/%d" % n).json()["idea"]["following"] is True
    r = m.s.post(env.server.url("/ideas/%d/unfollow" % n), data={"csrf": m.csrf}, allow_redirects=False)
    assert r.status_code == 303 and m.get("/api/v1/ideas/%d" % n).json()["idea"]["following"] is False
    assert m.s.post(env.server.url("/ideas/%d/follow" % n), data={}).status_code == 403  # no CSRF token


# --- two instances ---

def test_two_servers_on_one_database_mail_each_notification_once(cluster):
    db = unique("notify2")
    url = cluster.create_db(db)
    ctl, inbox = smtp_server()
    a = Server(mail_args(url, ctl.port, delay=1), name="notify-a")
    b = Server(mail_args(url, ctl.port, delay=1), name="notify-b")
    try:
        users = []
        for i in range(8):
            srv = (a, b)[i % 2]
            owner = Client(srv).register()
            cluster.sql("UPDATE users SET email = %s, email_verified_at = now() WHERE id = %s", ("owner%d@example.net" % i, owner.user["id"]),
                        dbname=db)
            users.append((owner, Client((b, a)[i % 2]).register()))
        cluster.sql("UPDATE users SET approved_posts = 100", dbname=db)
        threads = []
        for owner, other in users:
            t = new_thread(owner)
            threads.append(threading.Thread(target=reply, args=(other, t["id"], "hi", t["first_post_id"])))
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        inbox.wait(8, timeout=60)
        time.sleep(3 * SLOW)  # a second copy would arrive now
        rcpts = sorted(r for _, rs, _ in inbox.messages for r in rs)
        assert rcpts == sorted("owner%d@example.net" % i for i in range(8))
        assert cluster.sql("SELECT count(*) FROM notifications WHERE mail_state = 'sent'", dbname=db) == [(8,)]
    finally:
        assert a.stop() == 0 and b.stop() == 0
        ctl.stop()


def test_two_servers_racing_on_one_members_thread_mail_each_notification_once(cluster):
    """Both instances pick rows of the same group: each reply is in exactly one mail."""
    db = unique("notify3")
    url = cluster.create_db(db)
    ctl, inbox = smtp_server()
    a = Server(mail_args(url, ctl.port, delay=0), name="notify-a")
    b = Server(mail_args(url, ctl.port, delay=0), name="notify-b")
    try:
        owner = Client(a).register()
        cluster.sql("UPDATE users SET email = 'owner@example.net', email_verified_at = now() WHERE id = %s", (owner.user["id"],), dbname=db)
        others = [Client((a, b)[i % 2]).register() for i in range(6)]
        cluster.sql("UPDATE users SET approved_posts = 100", dbname=db)
        t = new_thread(owner)
        for round_ in range(3):
            ths = [threading.Thread(target=reply, args=(o, t["id"], "r%d-%d" % (round_, i), t["first_post_id"]))
                   for i, o in enumerate(others)]
            for th in ths:
                th.start()
            for th in ths:
                th.join()
        n = 3 * len(others)
        deadline = time.time() + 60 * SLOW
        while time.time() < deadline and cluster.sql(
                "SELECT count(*) FROM notifications WHERE mail_state IS NULL", dbname=db)[0][0]:
            time.sleep(0.1)
        assert cluster.sql("SELECT count(*) FROM notifications WHERE mail_state = 'sent'", dbname=db) == [(n,)]
        mails = cluster.sql("SELECT count(*) FROM mail_outbox", dbname=db)[0][0]
        inbox.wait(mails, timeout=60)
        time.sleep(2 * SLOW)
        texts = [email.message_from_bytes(m[2], policy=email.policy.default).get_body(("plain",)).get_content()
                 for m in inbox.messages]
        said = sorted(re.findall(r"> (r\d-\d)", "".join(texts)))
        assert said == sorted("r%d-%d" % (r, i) for r in range(3) for i in range(len(others)))
    finally:
        assert a.stop() == 0 and b.stop() == 0
        ctl.stop()
