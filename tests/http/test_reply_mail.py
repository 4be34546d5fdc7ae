"""Issue 18 (part): reply by email. A notification mail (read from a real SMTP server,
aiosmtpd on loopback) carries a signed Reply-To; replies crafted as mail clients write
them are piped to `corral mail receive` as Postfix's pipe(8) would, and appear in the
thread as that member with the quote and signature trimmed. Refusals exit with a
sysexits status and post nothing."""
import base64
import hashlib
import re
import subprocess
import time

import pytest

from conftest import CORRAL, Server, new_thread, reply, unique
from test_mail import smtp_server
from test_notify_mail import Env, mail_args

DOMAIN = "reply.forum.example.org"
EX_DATAERR, EX_NOUSER, EX_TEMPFAIL, EX_NOPERM = 65, 67, 75, 77


class ReplyEnv(Env):
    # test_notify_mail's Env, with reply addresses on
    def __init__(self, cluster):  # pylint: disable=super-init-not-called
        self.cluster = cluster
        self.db = unique("replymail")
        self.url = cluster.create_db(self.db)
        self.ctl, self.inbox = smtp_server()
        self.server = Server(mail_args(self.url, self.ctl.port, delay=1) + ["--reply-address-domain", DOMAIN],
                             name="replymail")

    def receive(self, raw, recipient=None, url=None, extra=()):
        args = [CORRAL, "mail", "receive", "--database", url or self.url, "--base-url", "http://forum.example.org"]
        args += list(extra)
        if recipient:
            args += ["--recipient", recipient]
        out = subprocess.run(args, input=raw, capture_output=True, timeout=60)
        return out.returncode, out.stdout.decode() + out.stderr.decode()

    def key(self):
        secret = bytes(self.sql("SELECT secret FROM server_secrets WHERE name = 'unsubscribe'")[0][0])
        return hashlib.blake2b(b"corral reply-by-mail address key v1", digest_size=32, key=secret).digest()

    def token(self, uid, post, exp=None, key=None):
        """An address as the server signs it: base-36 fields, a keyed BLAKE2b MAC."""
        def b36(v):
            s = ""
            while True:
                v, d = divmod(v, 36)
                s = "0123456789abcdefghijklmnopqrstuvwxyz"[d] + s
                if v == 0:
                    return s
        if exp is None:  # each address its own: one address posts once
            self.n = getattr(self, "n", 0) + 1
            exp = int(time.time()) + 3600 + self.n
        text = "%s.%s.%s" % (b36(uid), b36(post), b36(exp))
        mac = hashlib.blake2b(text.encode(), digest_size=16, key=key or self.key()).digest()[:12]
        return "reply+%s.%s@%s" % (text, base64.b32encode(mac).decode().lower().rstrip("="), DOMAIN)

    def posts(self, thread_id):
        return self.sql("SELECT p.id, p.author_id, p.parent_id, p.body, p.state FROM posts p"
                        " WHERE p.thread_id = %s ORDER BY p.id", (thread_id,))


@pytest.fixture(scope="module")
def env(cluster):
    e = ReplyEnv(cluster)
    yield e
    assert e.stop() == 0, e.server.output()


@pytest.fixture(scope="module")
def convo(env):
    """alice's thread, bob's reply, and the notification mail alice got about it."""
    alice, bob = env.user(), env.user()
    t = new_thread(alice, title=unique("Patch windows "))
    p = reply(bob, t["id"], "We patch on Tuesdays.", parent_id=t["first_post_id"])
    msg = env.wait_mail(alice.addr)[0]
    return {"alice": alice, "bob": bob, "thread": t, "post": p, "mail": msg}


def message(to, body, frm, headers="", msgid=None, ctype="text/plain; charset=utf-8", cte=None):
    msgid = msgid or "<%s@client.example>" % unique("m")
    head = ("From: Someone <%s>\r\nTo: %s\r\nSubject: Re: x\r\nMessage-ID: %s\r\n"
            "MIME-Version: 1.0\r\n" % (frm.upper(), to, msgid))
    if ctype:
        head += "Content-Type: %s\r\n" % ctype
    if cte:
        head += "Content-Transfer-Encoding: %s\r\n" % cte
    if isinstance(body, str):
        body = body.encode()
    return (head + headers + "\r\n").encode() + body


def test_notification_mail_has_a_signed_reply_to_and_a_reply_is_posted_trimmed(env, convo):
    msg = convo["mail"]
    reply_to = msg["Reply-To"]
    assert re.fullmatch(r"reply\+[a-z0-9.]+@" + re.escape(DOMAIN), reply_to), reply_to
    assert len(reply_to.split("@")[0]) <= 64
    alice, t, p = convo["alice"], convo["thread"], convo["post"]
    raw = message(reply_to, "Thanks, Tuesdays work for us too.\r\n\r\n"
                  "On Mon, 1 Jun 2026 at 10:00, Forum <forum@example.org> wrote:\r\n"
                  "> bob replied to your post\r\n> We patch on Tuesdays.\r\n\r\n-- \r\nAlice\r\nACME Ops\r\n",
                  alice.addr, headers="In-Reply-To: %s\r\n" % msg["Message-ID"])
    code, out = env.receive(raw, recipient=reply_to)
    assert code == 0, out
    mine = [r for r in env.posts(t["id"]) if r[1] == alice.user["id"] and r[2] == p["id"]]
    assert len(mine) == 1, env.posts(t["id"])
    assert mine[0][3] == "Thanks, Tuesdays work for us too." and mine[0][4] == "visible"
    # the same code path as a web reply: the thread shows it, bob is notified
    page = alice.get("/api/v1/threads/%d" % t["id"]).json()
    assert any(x.get("body_html", "").find("Tuesdays work") >= 0 for x in page["posts"])
    n = env.sql("SELECT count(*) FROM notifications WHERE user_id = %s AND post_id = %s AND kind = 'reply'",
                (convo["bob"].user["id"], mine[0][0]))[0][0]
    assert n == 1
    # the same message delivered again is not posted again (and is no error for the MTA)
    code, out = env.receive(raw, recipient=reply_to)
    assert code == 0 and "already" in out, out
    # another message to the spent address is refused
    code, out = env.receive(message(reply_to, "Second try", alice.addr), recipient=reply_to)
    assert code == EX_NOUSER and "used already" in out, out
    assert len([r for r in env.posts(t["id"]) if r[1] == alice.user["id"]]) == 2  # opening post + one reply


LATIN1 = "Caf\u00e9 cr\u00e8me at 9\u00a0am \u00e0 l'\u00e9quipe."

CASES = {
    "multipart_alternative": lambda: (
        "multipart/alternative; boundary=\"b1\"",
        None,
        b"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlain wins over HTML.\r\n\r\n> old\r\n"
        b"--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>HTML loses</p>\r\n--b1--\r\n",
        "Plain wins over HTML."),
    "html_only": lambda: (
        "text/html; charset=utf-8", None,
        b"<html><body><p>First &amp; <b>bold</b> paragraph.</p><p>Second one.</p>"
        b"<div class=\"gmail_quote\">On Mon, Forum wrote:<blockquote>old text</blockquote></div></body></html>",
        "First & bold paragraph.\n\nSecond one."),
    "quoted_printable": lambda: (
        "text/plain; charset=utf-8", "quoted-printable",
        b"Na=C3=AFve question: does this long line survive a soft line=\r\n break?\r\n",
        "Na\u00efve question: does this long line survive a soft line break?"),
    "base64": lambda: (
        "text/plain; charset=utf-8", "base64",
        base64.encodebytes("Encoded in base64, with \u00fcmlauts.\n\n-- \nsig\n".encode()),
        "Encoded in base64, with \u00fcmlauts."),
    "latin1": lambda: (
        "text/plain; charset=ISO-8859-1", None,
        (LATIN1 + "\r\n\r\n-----Original Message-----\r\nFrom: Forum\r\n").encode("latin-1"),
        LATIN1),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_encodings_are_decoded(env, convo, case):
    ctype, cte, body, want = CASES[case]()
    alice, t, p = convo["alice"], convo["thread"], convo["post"]
    to = env.token(alice.user["id"], p["id"])
    code, out = env.receive(message(to, body, alice.addr, ctype=ctype, cte=cte))  # the address from To:
    assert code == 0, out
    got = [r[3] for r in env.posts(t["id"]) if r[1] == alice.user["id"]]
    assert got[-1] == want


def refused(env, convo, raw, recipient, status, words):
    before = len(env.posts(convo["thread"]["id"]))
    code, out = env.receive(raw, recipient=recipient)
    assert code == status, out
    assert words in out, out
    assert len(env.posts(convo["thread"]["id"])) == before


def test_forged_expired_and_missing_addresses_are_refused(env, convo):
    alice, p = convo["alice"], convo["post"]
    good = env.token(alice.user["id"], p["id"])
    forged = env.token(alice.user["id"], p["id"], key=b"k" * 32)
    a = alice.addr
    refused(env, convo, message(forged, "forged", a), forged, EX_NOUSER, "not valid")
    # a valid MAC for another member is still not bob's to use
    other = good.replace("reply+%s." % base36(alice.user["id"]), "reply+%s." % base36(convo["bob"].user["id"]), 1)
    refused(env, convo, message(other, "swapped", a), other, EX_NOUSER, "not valid")
    expired = env.token(alice.user["id"], p["id"], exp=int(time.time()) - 10)
    assert not [m for m in env.mails_to(a) if m["Subject"] == BOUNCE]
    refused(env, convo, message(expired, "late", a), expired, EX_NOUSER, "expired")
    refused(env, convo, message("someone@example.org", "hello", a), None, EX_NOUSER, "not addressed")
    # a genuine but expired address: the member is told, forged ones are not answered
    bounces = wait_bounces(env, a, 1)
    assert "expired" in bounces[0].get_body(("plain",)).get_content()


def test_a_reply_from_another_address_is_refused(env, convo):
    to = env.token(convo["alice"].user["id"], convo["post"]["id"])
    refused(env, convo, message(to, "Forwarded to a colleague", "colleague@example.com"), to, EX_NOPERM,
            "another address")


BOUNCE = "Your reply by email was not posted"


def wait_bounces(env, addr, n):
    deadline = time.time() + 30
    while time.time() < deadline:
        got = [m for m in env.mails_to(addr) if m["Subject"] == BOUNCE]
        if len(got) >= n:
            return got
        time.sleep(0.05)
    raise AssertionError("no refusal mail to " + addr)


def base36(v):
    s = ""
    while True:
        v, d = divmod(v, 36)
        s = "0123456789abcdefghijklmnopqrstuvwxyz"[d] + s
        if v == 0:
            return s


def test_garbage_huge_empty_and_unknown_charsets_are_refused(env, convo):
    to, a = env.token(convo["alice"].user["id"], convo["post"]["id"]), convo["alice"].addr
    refused(env, convo, b"\x00\x01 not a mail at all", to, EX_DATAERR, "not a mail message")
    refused(env, convo, b"", to, EX_DATAERR, "not a mail message")
    refused(env, convo, message(to, b"x" * (10 * 1024 * 1024 + 10), a), to, EX_DATAERR, "larger than 10 MiB")
    refused(env, convo, message(to, "> only a quote\r\n\r\n-- \r\nsig\r\n", a), to, EX_DATAERR, "no new text")
    refused(env, convo, message(to, b"\xc1\xc2", a, ctype="text/plain; charset=koi8-r"), to, EX_DATAERR, "koi8-r")
    refused(env, convo, message(to, b"caf\xe9", a, ctype="text/plain; charset=utf-8"), to, EX_DATAERR, "not valid")


def test_suspended_member_is_refused_and_told_by_mail(env, convo):
    carol = env.user()
    t = new_thread(convo["bob"], title=unique("Suspended "))
    to = env.token(carol.user["id"], t["first_post_id"])
    env.sql("UPDATE users SET suspended_until = now() + interval '1 day' WHERE id = %s", (carol.user["id"],))
    before = len(env.posts(t["id"]))
    code, out = env.receive(message(to, "Let me in", carol.addr), recipient=to)
    assert code == EX_NOPERM and "suspended" in out, out
    assert len(env.posts(t["id"])) == before
    bounce = wait_bounces(env, carol.addr, 1)[0]
    text = bounce.get_body(("plain",)).get_content()
    assert "suspended" in text and "> Let me in" in text


def test_locked_thread_and_deleted_account_are_refused(env, convo):
    dave, erin = env.user(), env.user()
    t = new_thread(convo["bob"], title=unique("Locked "))
    env.sql("UPDATE threads SET locked = true WHERE id = %s", (t["id"],))
    to = env.token(dave.user["id"], t["first_post_id"])
    code, out = env.receive(message(to, "Too late", dave.addr), recipient=to)
    assert code == EX_NOPERM and "locked" in out, out
    t2 = new_thread(convo["bob"], title=unique("Deleted "))
    to = env.token(erin.user["id"], t2["first_post_id"])
    env.sql("SELECT account_erase(%s)", (erin.user["id"],))
    code, out = env.receive(message(to, "Ghost", erin.addr), recipient=to)
    assert code == EX_NOUSER and "no longer exists" in out, out
    assert len(env.posts(t["id"])) == 1 and len(env.posts(t2["id"])) == 1


def test_a_new_accounts_reply_waits_in_the_pending_queue(env, convo):
    newbie = env.user(trusted=False)
    t = new_thread(convo["bob"], title=unique("Pending "))
    to = env.token(newbie.user["id"], t["first_post_id"])
    code, out = env.receive(message(to, "My first post, by mail", newbie.addr), recipient=to)
    assert code == 0 and "pending" in out, out
    rows = [r for r in env.posts(t["id"]) if r[1] == newbie.user["id"]]
    assert len(rows) == 1 and rows[0][4] == "pending"
    q = env.sql("SELECT count(*) FROM queue_items WHERE post_id = %s AND kind = 'pending'", (rows[0][0],))
    assert q[0][0] == 1


def test_the_post_rate_limit_defers_the_message(env, convo):
    fast = env.user()
    t = new_thread(fast, title=unique("Fast "))  # one post in the window already
    to = env.token(fast.user["id"], t["first_post_id"])
    code, out = env.receive(message(to, "One more", fast.addr), recipient=to, extra=["--post-limit", "1"])
    assert code == EX_TEMPFAIL and "too fast" in out, out
    assert len(env.posts(t["id"])) == 1
    # the MTA tries again later; the address was not spent by the refusal
    code, out = env.receive(message(to, "One more", fast.addr), recipient=to)
    assert code == 0, out
    assert len(env.posts(t["id"])) == 2


def test_database_down_is_a_temporary_failure(env, convo):
    to = env.token(convo["alice"].user["id"], convo["post"]["id"])
    code, out = env.receive(message(to, "later", convo["alice"].addr), recipient=to,
                            url="postgresql://nobody@127.0.0.1:1/none?connect_timeout=2")
    assert code == EX_TEMPFAIL, out
