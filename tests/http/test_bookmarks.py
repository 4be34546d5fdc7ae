"""Issue 19 (part): bookmarks with reminders. A member bookmarks any post they can see,
once, with an optional note and reminder; the reminder becomes one notification of kind
'reminder' however many instances run, and is mailed through the member's preferences.
Two servers share one database here (--reminder-interval 1), and mail goes to a real SMTP
server on loopback (aiosmtpd, as in test_mail.py)."""
import datetime
import email
import email.policy
import re
import time

import pytest
import requests

from conftest import PASSWORD, SHARED_ARGS, SLOW, Client, Server, assert_error, cli, new_thread, reply, unique
from test_mail import smtp_server

BASE = "http://forum.example.org"


def iso(delta):
    t = datetime.datetime.now(datetime.timezone.utc) + delta
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class Env:
    def __init__(self, cluster):
        self.cluster = cluster
        self.db = unique("bookmarks")
        self.url = cluster.create_db(self.db)
        self.ctl, self.inbox = smtp_server()
        args = ["--database", self.url, "--mail-from", "Forum <forum@example.org>", "--base-url", BASE,
                "--smtp-url", "smtp://127.0.0.1:%d" % self.ctl.port, "--smtp-plain-loopback",
                "--notify-mail-delay", "0", "--reminder-interval", "1"] + SHARED_ARGS
        self.server = Server(args, name="bookmarks-a")
        self.other = Server(args, name="bookmarks-b")

    def sql(self, q, params=None):
        return self.cluster.sql(q, params, dbname=self.db)

    def user(self, role="member"):
        name = unique()
        c = Client(self.server).register(username=name)
        c.addr = "%s@example.net" % name
        self.sql("UPDATE users SET email = %s, email_verified_at = now(), approved_posts = 100 WHERE id = %s",
                 (c.addr, c.user["id"]))
        if role != "member":
            out = cli("user", "set-role", name, role, "--database", self.url)
            assert out.returncode == 0, out.stderr
        return c

    def post(self, author=None):
        author = author or self.user()
        t = new_thread(author, title=unique("Bookmarked thread "))
        return t, reply(author, t["id"], "Words worth keeping " + unique())

    def mails_to(self, addr):
        with self.inbox.lock:
            raw = [m[2] for m in self.inbox.messages if addr in m[1]]
        return [email.message_from_bytes(r, policy=email.policy.default) for r in raw]

    def wait(self, what, timeout=20):
        deadline = time.time() + timeout * SLOW
        while time.time() < deadline:
            got = what()
            if got:
                return got
            time.sleep(0.05)
        raise AssertionError("timed out")


@pytest.fixture(scope="module")
def env(cluster):
    e = Env(cluster)
    yield e
    codes = (e.server.stop(), e.other.stop())
    e.ctl.stop()
    assert codes == (0, 0), e.server.output() + e.other.output()


def bookmark(client, post_id, **body):
    return client.post("/api/v1/posts/%d/bookmark" % post_id, json=body)


def mine(client, query=""):
    r = client.get("/api/v1/me/bookmarks" + query)
    assert r.status_code == 200, r.text
    return r.json()["bookmarks"]


def test_bookmarking_a_post_lists_changes_and_removes_it(env):
    alice = env.user()
    t, p = env.post()
    at = iso(datetime.timedelta(days=2))
    r = bookmark(alice, p["id"], remind_at=at, note="read this again")
    assert r.status_code == 201, r.text
    b = r.json()["bookmark"]
    assert r.json()["created"] is True
    assert b["post_id"] == p["id"] and b["note"] == "read this again" and b["remind_at"] == at
    assert b["reminded"] is False
    # once per member and post: a second POST changes the one there is; what it leaves
    # out stays, what it sends empty or null goes
    r = bookmark(alice, p["id"], note="changed")
    assert r.status_code == 200 and r.json()["created"] is False
    assert r.json()["bookmark"]["remind_at"] == at and r.json()["bookmark"]["note"] == "changed"
    r = bookmark(alice, p["id"], remind_at=None)
    assert r.json()["bookmark"]["remind_at"] is None and r.json()["bookmark"]["note"] == "changed"
    r = alice.put("/api/v1/posts/%d/bookmark" % p["id"], json={"remind": "week", "note": ""})
    assert r.status_code == 200 and r.json()["bookmark"]["note"] is None
    week = datetime.datetime.strptime(r.json()["bookmark"]["remind_at"], "%Y-%m-%dT%H:%M:%SZ")
    assert abs((week - datetime.datetime.utcnow()).total_seconds() - 7 * 86400) < 120
    assert env.sql("SELECT count(*) FROM bookmarks WHERE user_id = %s", (alice.user["id"],))[0][0] == 1
    listed = mine(alice)
    assert len(listed) == 1
    item = listed[0]
    assert item["post_id"] == p["id"] and item["available"] is True
    assert item["thread_id"] == t["id"] and item["thread_title"] == t["title"]
    assert item["excerpt"].startswith("Words worth keeping") and item["url"] == "/p/%d" % p["id"]
    assert item["remind_at"] == r.json()["bookmark"]["remind_at"]
    # the thread shows the viewer's own mark, and nobody else's
    posts = {x["id"]: x for x in alice.get("/api/v1/threads/%d" % t["id"]).json()["posts"]}
    assert posts[p["id"]]["bookmark"]["remind_at"] == item["remind_at"]
    assert posts[t["first_post_id"]]["bookmark"] is None
    assert env.user().get("/api/v1/posts/%d" % p["id"]).json()["post"]["bookmark"] is None
    assert alice.get("/api/v1/posts/%d" % p["id"]).json()["post"]["bookmark"] is not None
    r = alice.delete("/api/v1/posts/%d/bookmark" % p["id"])
    assert r.status_code == 200 and r.json() == {"post_id": p["id"], "deleted": True}
    assert_error(alice.delete("/api/v1/posts/%d/bookmark" % p["id"]), 404, "not_found")
    assert mine(alice) == []


def test_the_list_is_newest_first_and_paged_by_cursor(env):
    bob = env.user()
    ids = []
    for _ in range(3):
        _, p = env.post()
        assert bookmark(bob, p["id"]).status_code == 201
        ids.append(p["id"])
    r = bob.get("/api/v1/me/bookmarks")
    assert [b["post_id"] for b in r.json()["bookmarks"]] == ids[::-1] and r.json()["next_before"] is None
    second = r.json()["bookmarks"][1]["id"]
    assert [b["post_id"] for b in mine(bob, "?before=%d" % second)] == ids[:1]
    assert_error(bob.get("/api/v1/me/bookmarks?before=x"), 400, "invalid_input", "before")
    assert_error(requests.get(env.server.url("/api/v1/me/bookmarks")), 401, "unauthenticated")


def test_bad_input_is_refused_field_by_field(env):
    c = env.user()
    _, p = env.post()
    path = "/api/v1/posts/%d/bookmark" % p["id"]
    for body in [{"remind_at": iso(datetime.timedelta(minutes=-1))},
                 {"remind_at": iso(datetime.timedelta(days=367))},
                 {"remind_at": "tomorrow"}, {"remind_at": "now"}, {"remind_at": "infinity"},
                 {"remind_at": "2027-02-30T10:00:00Z"}, {"remind_at": "2027-01-01T10:00:00+25:00"},
                 {"remind_at": 5}, {"remind_at": "x" * 5000}, {"remind": "custom"}]:
        assert_error(c.post(path, json=body), 400, "invalid_input", "remind_at")
    for body in [{"remind": "someday"}, {"remind": 1}]:
        assert_error(c.post(path, json=body), 400, "invalid_input", "remind")
    for body in [{"note": "x" * 201}, {"note": "two\nlines"}, {"note": ["a"]}, {"note": "\u0007"}]:
        assert_error(c.post(path, json=body), 400, "invalid_input", "note")
    h = {"Content-Type": "application/json", "X-CSRF-Token": c.csrf}
    r = c.s.post(env.server.url(path), data=b'{"note": "\xff\xfe"}', headers=h)
    assert r.status_code == 400
    r = c.s.post(env.server.url(path), data=b'[1, 2]', headers=h)
    assert r.status_code == 400
    r = c.s.post(env.server.url(path), json={}, headers={"X-CSRF-Token": "wrong"})
    assert r.status_code == 403
    assert_error(c.post("/api/v1/posts/999999999/bookmark", json={}), 404, "not_found")
    assert c.post("/api/v1/posts/abc/bookmark", json={}).status_code == 404
    assert_error(c.delete("/api/v1/posts/999999999/bookmark"), 404, "not_found")
    assert env.sql("SELECT count(*) FROM bookmarks WHERE user_id = %s", (c.user["id"],))[0][0] == 0
    # a time without a zone is UTC (a datetime-local's value); a long note of 200 is fine
    r = c.post(path, json={"remind_at": iso(datetime.timedelta(days=1))[:16], "note": "é" * 200})
    assert r.status_code == 201, r.text
    assert r.json()["bookmark"]["remind_at"] == iso(datetime.timedelta(days=1))[:16] + ":00Z"


def test_another_members_bookmark_is_not_theirs_to_see_or_remove(env):
    a, b = env.user(), env.user()
    _, p = env.post()
    assert bookmark(a, p["id"], note="mine alone").status_code == 201
    assert_error(b.delete("/api/v1/posts/%d/bookmark" % p["id"]), 404, "not_found")
    r = b.post("/p/%d/bookmark/delete" % p["id"], data={"csrf": b.csrf})
    assert r.status_code == 404
    assert mine(b) == [] and "mine alone" not in b.get("/bookmarks").text
    assert [x["note"] for x in mine(a)] == ["mine alone"]
    # b's own bookmark of the same post is b's: a's stays as it was
    assert bookmark(b, p["id"], note="b's").status_code == 201
    assert [x["note"] for x in mine(a)] == ["mine alone"]


def test_a_hidden_post_is_listed_as_unavailable_without_its_words(env):
    member, mod = env.user(), env.user("moderator")
    t, p = env.post()
    assert bookmark(member, p["id"], note="before it went").status_code == 201
    assert mod.post("/api/v1/posts/%d/hide" % p["id"], json={"reason": "spam"}).status_code == 200
    r = member.get("/api/v1/me/bookmarks")
    item = r.json()["bookmarks"][0]
    assert item["available"] is False and item["note"] == "before it went"
    assert item["thread_title"] is None and item["excerpt"] is None and item["author"] is None
    assert "Words worth keeping" not in r.text and t["title"] not in r.text
    page = member.get("/bookmarks").text
    assert "no longer available" in page and "Words worth keeping" not in page
    # a post one cannot see cannot be bookmarked; the moderator sees it and may
    other = env.user()
    assert_error(bookmark(other, p["id"]), 404, "not_found")
    assert other.get("/p/%d/bookmark" % p["id"]).status_code == 404
    assert bookmark(mod, p["id"]).status_code == 201
    # its reminder is dropped, not told: nothing about a hidden post
    env.sql("UPDATE bookmarks SET remind_at = now() - interval '1 second' WHERE post_id = %s", (p["id"],))
    env.wait(lambda: env.sql("SELECT bool_and(reminded_at IS NOT NULL) FROM bookmarks WHERE post_id = %s",
                             (p["id"],))[0][0])
    told = dict(env.sql("SELECT user_id, count(*) FROM notifications WHERE kind = 'reminder' AND post_id = %s"
                        " GROUP BY user_id", (p["id"],)))
    assert told == {mod.user["id"]: 1}
    # and the member can still remove it
    assert member.delete("/api/v1/posts/%d/bookmark" % p["id"]).status_code == 200


def test_a_due_reminder_notifies_once_with_two_instances_and_is_mailed(env):
    members = [env.user() for _ in range(4)]
    posts = [env.post()[1] for _ in range(5)]
    for c in members:
        for p in posts:
            assert bookmark(c, p["id"], remind="hour", note="look again").status_code == 201
    ids = [c.user["id"] for c in members]
    # due now for both instances at once (the API takes only future times)
    env.sql("UPDATE bookmarks SET remind_at = now() - interval '1 second' WHERE user_id = ANY(%s)", (ids,))
    env.wait(lambda: env.sql("SELECT bool_and(reminded_at IS NOT NULL) FROM bookmarks WHERE user_id = ANY(%s)",
                             (ids,))[0][0])
    rows = env.sql("SELECT user_id, post_id, count(*), min(message) FROM notifications WHERE kind = 'reminder'"
                   " AND user_id = ANY(%s) GROUP BY user_id, post_id", (ids,))
    assert len(rows) == 20 and {r[2] for r in rows} == {1} and {r[3] for r in rows} == {"Reminder: look again"}
    alice = members[0]
    n = alice.get("/api/v1/notifications").json()["notifications"]
    assert len(n) == 5 and {x["kind"] for x in n} == {"reminder"} and n[0]["what"] == "Reminder: look again"
    assert n[0]["excerpt"].startswith("Words worth keeping")
    # the mail: one per thread, through the 'reminder' preference
    msgs = env.wait(lambda: env.mails_to(alice.addr) if len(env.mails_to(alice.addr)) >= 5 else None)
    assert len(msgs) == 5
    subjects = sorted(m["Subject"] for m in msgs)
    assert all(s.startswith("Reminder: look again in \u201cBookmarked thread ") for s in subjects)
    m = re.fullmatch(r"<%s/unsubscribe\?token=([A-Za-z0-9._-]+)>" % re.escape(BASE), msgs[0]["List-Unsubscribe"])
    assert m and m.group(1).startswith("%d.reminder." % alice.user["id"])
    assert "Words worth keeping" in msgs[0].get_body(("plain",)).get_content()
    # done reminders show as done, and are not told again
    assert all(b["reminded"] for b in mine(alice))
    time.sleep(1.5)
    assert env.sql("SELECT count(*) FROM notifications WHERE kind = 'reminder' AND user_id = ANY(%s)", (ids,))[0][0] == 20


def test_reminder_mail_follows_the_preference(env):
    c = env.user()
    r = c.put("/api/v1/me/mail-preferences", json={"reminder": "never"})
    assert r.status_code == 200 and r.json()["preferences"]["reminder"] == "never"
    _, p = env.post()
    assert bookmark(c, p["id"], remind="hour").status_code == 201
    env.sql("UPDATE bookmarks SET remind_at = now() - interval '1 second' WHERE user_id = %s", (c.user["id"],))
    env.wait(lambda: env.sql("SELECT mail_state FROM notifications WHERE user_id = %s AND kind = 'reminder'",
                             (c.user["id"],)))
    state = env.wait(lambda: env.sql("SELECT mail_state FROM notifications WHERE user_id = %s AND kind = 'reminder'"
                                     " AND mail_state IS NOT NULL", (c.user["id"],)))
    assert state[0][0] == "skipped" and env.mails_to(c.addr) == []


def test_the_link_under_a_post_leads_to_a_form_that_works_without_javascript(env):
    c = env.user()
    t, p = env.post()
    page = c.get("/t/%d" % t["id"]).text
    assert '<a href="/p/%d/bookmark">Bookmark</a>' % p["id"] in page
    form = c.get("/p/%d/bookmark" % p["id"])
    assert form.status_code == 200 and "Words worth keeping" in form.text and t["title"] in form.text
    assert 'name="remind" value="tomorrow"' in form.text and 'type="datetime-local"' in form.text
    custom = iso(datetime.timedelta(days=30))[:16]   # what a datetime-local sends
    r = c.post("/p/%d/bookmark" % p["id"], data={"csrf": c.csrf, "remind": "custom", "remind_at": custom,
                                                 "note": "form note"})
    assert r.status_code == 303 and r.headers["Location"] == "/p/%d" % p["id"]
    assert mine(c)[0]["remind_at"] == custom + ":00Z"
    assert "Bookmarked" in c.get("/t/%d" % t["id"]).text
    # the form again: the reminder to come is offered, checked, so saving a new note keeps it
    form = c.get("/p/%d/bookmark" % p["id"]).text
    assert 'name="remind" value="keep" checked' in form and 'value="form note"' in form
    r = c.post("/p/%d/bookmark" % p["id"], data={"csrf": c.csrf, "remind": "keep", "remind_at": "", "note": "new"})
    assert r.status_code == 303 and (mine(c)[0]["remind_at"], mine(c)[0]["note"]) == (custom + ":00Z", "new")
    # an empty note clears it; "none" clears the reminder
    r = c.post("/p/%d/bookmark" % p["id"], data={"csrf": c.csrf, "remind": "none", "remind_at": "", "note": ""})
    assert r.status_code == 303 and (mine(c)[0]["remind_at"], mine(c)[0]["note"]) == (None, None)
    # a refused form comes back with the error and what was typed
    r = c.post("/p/%d/bookmark" % p["id"], data={"csrf": c.csrf, "remind": "custom", "remind_at": "",
                                                 "note": "typed"})
    assert r.status_code == 400 and "Choose the time" in r.text and 'value="typed"' in r.text
    r = c.post("/p/%d/bookmark" % p["id"], data={"csrf": c.csrf, "remind": "custom",
                                                 "remind_at": "2020-01-01T10:00", "note": ""})
    assert r.status_code == 400 and "in the future" in r.text and 'aria-invalid="true"' in r.text
    listing = c.get("/bookmarks")
    assert listing.status_code == 200 and t["title"] in listing.text and "Words worth keeping" in listing.text
    r = c.post("/p/%d/bookmark/delete?from=bookmarks" % p["id"], data={"csrf": c.csrf})
    assert r.status_code == 303 and r.headers["Location"] == "/bookmarks"
    assert "No bookmarks yet" in c.get("/bookmarks").text
    assert requests.get(env.server.url("/bookmarks"), allow_redirects=False).status_code in (302, 303, 401)
    assert c.get("/p/999999999/bookmark").status_code == 404


def test_export_holds_the_bookmarks_and_deleting_the_account_erases_them(env):
    c = env.user()
    _, p = env.post()
    assert bookmark(c, p["id"], note="exported", remind="tomorrow").status_code == 201
    doc = c.get("/api/v1/me/export").json()
    assert [(b["post_id"], b["note"]) for b in doc["bookmarks"]] == [(p["id"], "exported")]
    assert doc["bookmarks"][0]["remind_at"] is not None and doc["bookmarks"][0]["reminded_at"] is None
    r = c.delete("/api/v1/me", json={"password": PASSWORD})
    assert r.status_code in (200, 204), r.text
    assert env.sql("SELECT count(*) FROM bookmarks WHERE user_id = %s", (c.user["id"],))[0][0] == 0
