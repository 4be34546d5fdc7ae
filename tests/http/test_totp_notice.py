"""ASVS 2.8.5: a two-factor code sent again after it was used is refused as before, and its
holder is told — a mail through the outbox (read from a real SMTP server) and a notice in
the app — at most once an hour per account, even with two instances on one database."""
import re
import threading
import time

import pytest
import requests

from conftest import PASSWORD, SLOW, Client, Server, assert_error, unique
from test_account_mail import start, text_of
from test_mail import smtp_server
from test_totp import code_step, enable, password_step, totp

# Documentation addresses (RFC 5737): the client as the trusted proxy (loopback) says.
ALICE, MALLORY = "203.0.113.10", "198.51.100.66"
SUBJECT = "a two-factor code was used again"


@pytest.fixture(scope="module")
def smtp():
    ctl, inbox = smtp_server()
    yield ctl, inbox
    ctl.stop()


# Behind a proxy on loopback: X-Forwarded-For is the client. Wrong codes are not limited here.
EXTRA = ["--trusted-proxy", "127.0.0.1/32", "--signin-limit-account", "1000"]


@pytest.fixture(scope="module")
def site(cluster, smtp):
    s = start(cluster, smtp, *EXTRA, name="tfnotice")
    yield s
    assert s.stop() == 0, s.output()


def sql(cluster, site, query, params=None):
    return cluster.sql(query, params, dbname=site.dbname)


def holder(site, email=True, sign_in=True):
    """A member with an address and two-factor sign-in on (the code of now's step turned it
    on), signed in once with the next step's code unless sign_in is false: (client,
    address, secret, the step last taken)."""
    addr = "%s@example.org" % unique("tf") if email else None
    c = Client(site).register(**({"email": addr} if addr else {}))
    secret, step, _ = enable(c)
    if not sign_in:
        return c, addr, secret, step
    r = code_step(site, password_step(site, c.user["username"]), totp(secret, step + 1))
    assert r.status_code == 200, r.text
    return c, addr, secret, step + 1


def replay(site, username, code, addr=MALLORY):
    token = password_step(site, username)
    return requests.post(site.url("/api/v1/session/2fa"), headers={"X-Forwarded-For": addr},
                         json={"pending_token": token, "code": code})


def queued_notices(cluster, site, addr):
    return sql(cluster, site, "SELECT count(*) FROM mail_outbox WHERE kind = 'totp_reused' AND to_addr = %s",
               (addr,))[0][0]


def security_notes(client):
    r = client.get("/api/v1/notifications")
    assert r.status_code == 200, r.text
    return [n for n in r.json()["notifications"] if n["kind"] == "security"]


def notice_mails(smtp, addr):
    inbox = smtp[1]
    with inbox.lock:
        found = [i for i, m in enumerate(inbox.messages) if addr in m[1]]
    return [m for m in (inbox.parsed(i) for i in found) if SUBJECT in m["Subject"]]


def wait_notice(smtp, addr, count=1, timeout=20):
    deadline = time.time() + timeout * SLOW
    while time.time() < deadline:
        got = notice_mails(smtp, addr)
        if len(got) >= count:
            return got
        time.sleep(0.05)
    raise AssertionError("%d notice(s) to %s did not arrive" % (count, addr))


def test_two_replays_within_the_hour_tell_the_holder_once_by_mail_and_in_the_app(cluster, site, smtp):
    c, addr, secret, taken = holder(site)
    for _ in range(2):
        assert_error(replay(site, c.user["username"], totp(secret, taken)), 401, "unauthenticated", "code")
    [msg] = wait_notice(smtp, addr)
    text = text_of(msg)
    assert MALLORY in text and "to sign in" in text, text
    assert re.search(r"When: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", text), text
    assert "change your password" in text and "sign out your other sessions" in text
    assert site.base + "/settings" in text
    # no secret: neither the code nor a token of any kind
    assert totp(secret, taken) not in text and "token" not in text.lower()
    html = msg.get_body(preferencelist=("html",)).get_content()
    assert re.search(r"<p>When: [^<]+ UTC<br>\r?\nFrom the address: %s</p>" % re.escape(MALLORY), html), html
    assert totp(secret, taken) not in html
    assert msg["Subject"].endswith(SUBJECT)
    # once: queued once, and the in-app notice once, pointing at the password and sessions
    assert queued_notices(cluster, site, addr) == 1
    [note] = security_notes(c)
    assert note["url"] == "/settings#password-h" and note["thread_id"] is None
    assert MALLORY in note["message"] and note["what"] == note["message"] and not note["read"]
    assert totp(secret, taken) not in note["message"]
    page = c.get("/notifications")
    assert page.status_code == 200 and 'href="/settings#password-h"' in page.text
    # the notice is not a notification the mail worker mails again
    assert sql(cluster, site, "SELECT mail_state FROM notifications WHERE user_id = %s AND kind = 'security'",
               (c.user["id"],)) == [("skipped",)]
    # an hour later (moved back in the database), a replay tells them again
    sql(cluster, site, "UPDATE user_totp SET reuse_noticed_at = now() - interval '61 minutes' WHERE user_id = %s",
        (c.user["id"],))
    assert_error(replay(site, c.user["username"], totp(secret, taken), ALICE), 401, "unauthenticated", "code")
    assert ALICE in text_of(wait_notice(smtp, addr, 2)[1])
    assert queued_notices(cluster, site, addr) == 2 and len(security_notes(c)) == 2


def test_a_fresh_code_and_a_wrong_code_tell_nobody(cluster, site, smtp):
    c, addr, secret, taken = holder(site, sign_in=False)
    assert code_step(site, password_step(site, c.user["username"]), totp(secret, taken + 1)).status_code == 200
    wrong = "%06d" % ((int(totp(secret, taken + 1)) + 1) % 1000000)
    assert_error(replay(site, c.user["username"], wrong), 401, "unauthenticated", "code")
    assert queued_notices(cluster, site, addr) == 0 and security_notes(c) == []
    assert sql(cluster, site, "SELECT reuse_noticed_at FROM user_totp WHERE user_id = %s",
               (c.user["id"],)) == [(None,)]


def test_the_replay_gets_the_answer_of_a_wrong_code(cluster, site, smtp):
    c, addr, secret, taken = holder(site)
    name = c.user["username"]
    wrong = "%06d" % ((int(totp(secret, taken)) + 7) % 1000000)
    first, second, other = (replay(site, name, totp(secret, taken)), replay(site, name, totp(secret, taken)),
                            replay(site, name, wrong))
    for r in (first, second, other):      # the one that told the holder, the one that did not, a wrong code
        assert_error(r, 401, "unauthenticated", "code")
        assert r.json() == {"error": {"code": "unauthenticated", "field": "code",
                                      "message": "That code is not right."}}, r.text
        assert "Set-Cookie" not in r.headers
    assert queued_notices(cluster, site, addr) == 1


def test_an_account_without_an_address_gets_the_notice_in_the_app(cluster, site, smtp):
    c, _, secret, taken = holder(site, email=False)
    assert_error(replay(site, c.user["username"], totp(secret, taken)), 401, "unauthenticated", "code")
    [note] = security_notes(c)
    assert MALLORY in note["message"] and "to sign in" in note["message"]


def test_settings_steps_that_check_a_code_tell_too(cluster, site, smtp):
    c, addr, secret, taken = holder(site)
    # a session left open somewhere, used with a code already taken
    r = c.post("/api/v1/me/2fa/disable", json={"password": PASSWORD, "code": totp(secret, taken)},
               headers={"X-Forwarded-For": MALLORY})
    assert_error(r, 400, "invalid_input", "code")
    assert r.json()["error"]["message"] == "That code is not right."
    [msg] = wait_notice(smtp, addr)
    assert "to turn off two-factor sign-in" in text_of(msg) and MALLORY in text_of(msg)
    assert c.get("/api/v1/me/2fa").json()["two_factor"]["enabled"] is True
    # new recovery codes: the same check, within the hour: no second mail
    assert_error(c.post("/api/v1/me/2fa/recovery-codes", json={"code": totp(secret, taken)}),
                 400, "invalid_input", "code")
    assert queued_notices(cluster, site, addr) == 1
    # past the hour, it tells of its own
    sql(cluster, site, "UPDATE user_totp SET reuse_noticed_at = now() - interval '61 minutes' WHERE user_id = %s",
        (c.user["id"],))
    assert_error(c.post("/api/v1/me/2fa/recovery-codes", json={"code": totp(secret, taken)}),
                 400, "invalid_input", "code")
    assert "to get new recovery codes" in text_of(wait_notice(smtp, addr, 2)[1])


def test_one_code_sent_twice_at_once_signs_in_once_and_tells_the_holder(cluster, site, smtp):
    c, addr, secret, taken = holder(site, sign_in=False)
    name = c.user["username"]
    tokens = [password_step(site, name) for _ in range(2)]
    code = totp(secret, taken + 1)
    out = [None, None]
    go = threading.Barrier(2)

    def send(i):
        go.wait()
        out[i] = code_step(site, tokens[i], code)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status_code for r in out) == [200, 401], [r.text for r in out]
    assert len(wait_notice(smtp, addr)) == 1 and queued_notices(cluster, site, addr) == 1


def test_two_instances_replaying_at_once_send_one_notice(cluster, site, smtp):
    # a second instance on the first one's database, with its own mail worker
    other = Server(["--database", site.db_url, "--quiet", "--mail-from", "forum@example.org",
                    "--smtp-url", "smtp://127.0.0.1:%d" % smtp[0].port, "--smtp-plain-loopback",
                    "--signin-limit-ip", "1000000"] + EXTRA, name="tfnotice2")
    try:
        c, addr, secret, taken = holder(site)
        name = c.user["username"]
        servers = [site, other] * 4
        tokens = [password_step(s, name) for s in servers]
        out = [None] * len(servers)
        go = threading.Barrier(len(servers))

        def send(i):
            go.wait()
            out[i] = requests.post(servers[i].url("/api/v1/session/2fa"), headers={"X-Forwarded-For": MALLORY},
                                   json={"pending_token": tokens[i], "code": totp(secret, taken)})

        threads = [threading.Thread(target=send, args=(i,)) for i in range(len(servers))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert all(r.status_code == 401 for r in out), [r.text for r in out]
        assert queued_notices(cluster, site, addr) == 1 and len(security_notes(c)) == 1
        wait_notice(smtp, addr)
        time.sleep(1)
        assert len(notice_mails(smtp, addr)) == 1      # each instance's worker: sent once
    finally:
        assert other.stop() == 0, other.output()
