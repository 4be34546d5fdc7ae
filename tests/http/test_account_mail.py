"""Issue 17, accounts by mail: email verification, change of address, forgot/reset password
and the operator's commands, against a real SMTP server (aiosmtpd on loopback): every link
is read from the mail that arrived and followed over HTTP."""
import hashlib
import os
import re
import statistics
import time

import pytest
import requests

from conftest import PASSWORD, SLOW, Client, Server, assert_error, cli, unique
from test_mail import smtp_server

LINK = re.compile(r"(http://[^\s\"<>]+/(?:verify-email|password/reset)\?token=([A-Za-z0-9_-]+))")
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture(scope="module")
def smtp():
    ctl, inbox = smtp_server()
    yield ctl, inbox
    ctl.stop()


def start(cluster, smtp, *extra, name="acctmail"):
    url = cluster.create_db(unique("acct"))
    s = Server(["--database", url, "--quiet", "--mail-from", "forum@example.org",
                "--smtp-url", "smtp://127.0.0.1:%d" % smtp[0].port, "--smtp-plain-loopback",
                "--register-limit-ip", "1000000", "--signin-limit-ip", "1000000", "--post-limit", "1000000",
                "--spam-burst", "1000000"] + list(extra), name=name)
    s.db_url = url
    s.dbname = url.split("///")[1].split("?")[0]
    return s


@pytest.fixture(scope="module")
def site(cluster, smtp):
    # the per-account allowance of mails is tested on a server of its own
    s = start(cluster, smtp, "--account-mail-limit", "1000", "--reset-limit-ip", "1000000")
    yield s
    assert s.stop() == 0, s.output()


def sql(cluster, site, query, params=None):
    return cluster.sql(query, params, dbname=site.dbname)


def address(prefix="m"):
    return "%s@example.org" % unique(prefix)


def mails_to(smtp, addr):
    inbox = smtp[1]
    with inbox.lock:
        found = [i for i, m in enumerate(inbox.messages) if addr in m[1]]
    return [inbox.parsed(i) for i in found]


def wait_mail(smtp, addr, count=1, timeout=20):
    deadline = time.time() + timeout * SLOW
    while time.time() < deadline:
        got = mails_to(smtp, addr)
        if len(got) >= count:
            return got[count - 1]
        time.sleep(0.05)
    raise AssertionError("%d mail(s) to %s did not arrive" % (count, addr))


def text_of(msg):
    return msg.get_body(preferencelist=("plain",)).get_content()


def link_of(msg):
    m = LINK.search(text_of(msg))
    assert m, text_of(msg)
    return m.group(1), m.group(2)


def register(site, email=None, **kw):
    extra = {"email": email} if email else {}
    extra.update(kw)
    return Client(site).register(**extra)


def browser_post(url_of_page, action, fields, session=None):
    """Open a page like a browser (its CSRF token), then post its form."""
    s = session or requests.Session()
    page = s.get(url_of_page)
    assert page.status_code == 200, page.text[:500]
    data = dict(fields)
    data["csrf"] = CSRF.search(page.text).group(1)
    return s, s.post(action, data=data, allow_redirects=False)


def me(client):
    return client.get("/api/v1/me")


# --- email verification ---

def test_registration_mails_a_link_whose_page_confirms_the_address_once(site, smtp):
    addr = address()
    c = register(site, addr)
    assert me(c).json()["user"]["email_verified_at"] is None
    msg = wait_mail(smtp, addr)
    assert "confirm your email address" in msg["Subject"]
    link, _ = link_of(msg)
    assert link.startswith(site.base + "/verify-email?token=")
    # following the link only shows a button (mail scanners open links too)
    page = requests.get(link)
    assert page.status_code == 200 and addr in page.text and c.user["username"] in page.text
    assert page.headers["Cache-Control"] == "no-store"  # the token is in the address
    assert me(c).json()["user"]["email_verified_at"] is None
    s, r = browser_post(link, site.url("/verify-email"), {"token": link.split("token=")[1]})
    assert r.status_code == 303 and r.headers["Location"] == "/verify-email?done=1"
    assert "is confirmed" in s.get(site.url("/verify-email?done=1")).text
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", me(c).json()["user"]["email_verified_at"])
    # once only: the form again, the API, the page of the link
    _, again = browser_post(site.url("/login"), site.url("/verify-email"), {"token": link.split("token=")[1]})
    assert again.status_code == 400 and "already been used" in again.text and 'href="/settings#email"' in again.text
    err = assert_error(requests.post(site.url("/api/v1/email/verify"), json={"token": link.split("token=")[1]}),
                       400, "invalid_input", "token")
    assert err["reason"] == "token_used" and err["next"]["href"] == "/settings#email"
    assert requests.get(link).status_code == 400


def test_registration_without_an_address_mails_nothing_and_a_bad_address_is_refused(site, smtp):
    before = len(smtp[1].messages)
    register(site)
    for bad in ("not-an-address", "x@example.org\r\nBcc: evil@example.org", "é@example.org", "a@b@", "@example.org"):
        r = requests.post(site.url("/api/v1/users"), json={"username": unique(), "password": PASSWORD,
                                                            "community_role": "practitioner", "email": bad})
        assert_error(r, 400, "invalid_input", "email")
    time.sleep(1)
    assert len(smtp[1].messages) == before
    assert not any("evil@example.org" in m[1] for m in smtp[1].messages)


def test_expired_reused_forged_and_malformed_links_are_refused_with_the_next_step(site, smtp, cluster):
    addr = address()
    c = register(site, addr)
    link, tok = link_of(wait_mail(smtp, addr))
    sql(cluster, site, "UPDATE account_tokens SET expires_at = now() - interval '1 minute',"
                       " created_at = now() - interval '2 days' WHERE user_id = %s", (c.user["id"],))
    err = assert_error(requests.post(site.url("/api/v1/email/verify"), json={"token": tok}), 400, "invalid_input", "token")
    assert err["reason"] == "token_expired"
    page = requests.get(link)
    assert page.status_code == 400 and "expired" in page.text and 'href="/settings#email"' in page.text
    assert me(c).json()["user"]["email_verified_at"] is None
    forged = "A" * 43
    for path in ("/api/v1/email/verify", "/api/v1/password/reset"):
        err = assert_error(requests.post(site.url(path), json={"token": forged, "password": NEW_PASSWORD}),
                           400, "invalid_input", "token")
        assert err["reason"] == "token_invalid"
    # a link of one purpose is no use for another
    err = assert_error(requests.post(site.url("/api/v1/password/reset"), json={"token": tok, "password": NEW_PASSWORD}),
                       400, "invalid_input", "token")
    assert err["reason"] == "token_invalid"
    for bad in ("", "short", "x" * 129, "ü" * 43, "A" * 42 + "!", 42, None, ["a"], {"a": 1}):
        r = requests.post(site.url("/api/v1/email/verify"), json={"token": bad})
        assert_error(r, 400, "invalid_input", "token")
        r = requests.post(site.url("/api/v1/password/reset"), json={"token": bad, "password": NEW_PASSWORD})
        assert_error(r, 400, "invalid_input", "token")
    assert_error(requests.post(site.url("/api/v1/email/verify"), json={}), 400, "invalid_input", "token")
    r = requests.post(site.url("/api/v1/email/verify"), data=b'{"token": "\xff\xfe"}',
                      headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    for q in ("", "?token=", "?token=%00", "?token=" + "x" * 5000, "?token=" + forged):
        r = requests.get(site.url("/verify-email" + q))
        assert r.status_code in (400, 414), (q, r.status_code)
        r = requests.get(site.url("/password/reset" + q))
        assert r.status_code in (400, 414), (q, r.status_code)
        assert 'href="/password/forgot"' in r.text or r.status_code == 414


def test_resending_the_link_replaces_the_old_one_and_is_rate_limited(cluster, smtp):
    s = start(cluster, smtp, "--account-mail-limit", "2", name="resend")
    try:
        addr = address()
        c = register(s, addr)
        first, tok1 = link_of(wait_mail(smtp, addr))
        # the settings page's button: 303 back to the section, which says a link is on its way
        r = c.s.post(s.url("/settings/email/verification"), data={"csrf": c.csrf}, allow_redirects=False)
        assert r.status_code == 303 and r.headers["Location"] == "/settings?email=sent#email"
        assert "A new confirmation link is on its way to %s" % addr in c.get("/settings?email=sent").text
        _, tok2 = link_of(wait_mail(smtp, addr, 2))
        assert tok2 != tok1
        assert requests.post(s.url("/api/v1/email/verify"), json={"token": tok1}).json()["error"]["reason"] == "token_used"
        r = c.post("/api/v1/me/email/verification")
        assert r.status_code == 202 and r.json()["sent_to"] == addr
        r = c.post("/api/v1/me/email/verification")
        assert_error(r, 429, "rate_limited")
        assert int(r.headers["Retry-After"]) > 0
        assert_error(c.post("/api/v1/me/email/verification", csrf=False), 403, "csrf")
        assert_error(Client(s).post("/api/v1/me/email/verification"), 401, "unauthenticated")
        # nothing to confirm: no address, or confirmed already
        assert_error(register(s).post("/api/v1/me/email/verification"), 400, "invalid_input", "email")
        _, tok3 = link_of(wait_mail(smtp, addr, 3))
        assert requests.post(s.url("/api/v1/email/verify"), json={"token": tok3}).status_code == 200
        assert_error(Client(s).login(c.user["username"]).post("/api/v1/me/email/verification"), 409, "conflict", "email")
    finally:
        s.stop()


# --- holding posts until the address is confirmed ---

def test_require_verified_email_holds_posting_until_the_link_is_followed(cluster, smtp):
    s = start(cluster, smtp, "--require-verified-email", name="required")
    try:
        r = requests.post(s.url("/api/v1/users"), json={"username": unique(), "password": PASSWORD,
                                                         "community_role": "practitioner"})
        assert_error(r, 400, "invalid_input", "email")
        form = requests.get(s.url("/register")).text
        assert 'autocomplete="email" required' in form and "you can post once you have followed it" in form
        addr = address()
        c = register(s, addr)
        thread = {"category": "general", "title": "Held until confirmed", "body": "Hello"}
        err = assert_error(c.post("/api/v1/threads", json=thread), 403, "forbidden")
        assert err["reason"] == "email_unverified" and err["next"]["href"] == "/settings#email"
        # the page says so and points to settings, where the address section says why
        page = c.s.post(s.url("/new"), data=dict(thread, csrf=c.csrf), allow_redirects=False)
        assert page.status_code == 403 and "Confirm your email address" in page.text
        assert 'href="/settings#email"' in page.text
        settings = c.get("/settings").text
        assert "asks members to confirm an address" in settings and "Send the confirmation link again" in settings
        # a moderator is trusted: never held
        mod = register(s, address("mod"))
        assert cli("user", "set-role", mod.user["username"], "moderator", "--database", s.db_url).returncode == 0
        assert mod.post("/api/v1/threads", json=dict(thread, title="Staff post")).status_code == 201
        t = mod.post("/api/v1/threads", json=dict(thread, title="Reply here")).json()["thread"]
        err = assert_error(c.post("/api/v1/threads/%d/posts" % t["id"], json={"body": "hi"}), 403, "forbidden")
        assert err["reason"] == "email_unverified"
        _, tok = link_of(wait_mail(smtp, addr))
        assert requests.post(s.url("/api/v1/email/verify"), json={"token": tok}).status_code == 200
        assert c.post("/api/v1/threads", json=thread).status_code == 201
        assert c.post("/api/v1/threads/%d/posts" % t["id"], json={"body": "hi"}).status_code == 201
        assert "asks members to confirm" not in c.get("/settings").text
    finally:
        s.stop()


# --- changing the address ---

def test_change_of_address_mails_the_new_one_tells_the_old_and_waits_for_the_link(site, smtp, cluster):
    old, new = address("old"), address("new")
    c = register(site, old)
    _, tok = link_of(wait_mail(smtp, old))
    assert requests.post(site.url("/api/v1/email/verify"), json={"token": tok}).status_code == 200
    # a reset link mailed to the old address stops working once the address changes
    assert requests.post(site.url("/api/v1/password/forgot"), json={"login": old}).status_code == 202
    _, reset_tok = link_of(wait_mail(smtp, old, 2))
    r = c.s.post(site.url("/settings/email"), data={"email": new, "password": PASSWORD, "csrf": c.csrf},
                 allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/settings#email"
    assert me(c).json()["user"]["email"] == old
    link, _ = link_of(wait_mail(smtp, new))
    notice = wait_mail(smtp, old, 3)
    assert "change of your email address" in notice["Subject"]
    assert not LINK.search(text_of(notice)) and new not in text_of(notice) and "n***@example.org" in text_of(notice)
    assert new in c.get("/settings").text  # pending, shown in settings
    s, r = browser_post(link, site.url("/verify-email"), {"token": link.split("token=")[1]}, session=c.s)
    assert r.status_code == 303
    u = me(c).json()["user"]
    assert u["email"] == new and u["email_verified_at"]
    assert requests.post(site.url("/api/v1/password/reset"),
                         json={"token": reset_tok, "password": NEW_PASSWORD}).status_code == 400


def test_change_of_address_checks_the_password_taken_addresses_and_input(site, smtp, cluster):
    taken = address("taken")
    other = register(site, taken)
    _, tok = link_of(wait_mail(smtp, taken))
    assert requests.post(site.url("/api/v1/email/verify"), json={"token": tok}).status_code == 200
    c = register(site)
    assert_error(c.post("/api/v1/me/email", json={"email": taken.upper(), "password": PASSWORD}), 409, "conflict", "email")
    r = c.post("/api/v1/me/email", json={"email": address("fine"), "password": PASSWORD})
    assert r.status_code == 202 and r.json()["pending_email"].startswith("fine")
    assert_error(c.post("/api/v1/me/email", json={"email": address(), "password": "wrong password!"}),
                 403, "forbidden", "password")
    assert_error(c.post("/api/v1/me/email", json={"email": address(), "password": PASSWORD}, csrf=False), 403, "csrf")
    assert_error(Client(site).post("/api/v1/me/email", json={"email": address(), "password": PASSWORD}),
                 401, "unauthenticated")
    for bad in ("", "x" * 300 + "@example.org", "x@example.org\r\nBcc: evil@example.org", "x@example.org\nTo: b@c.org",
                5, None, ["a@b.org"]):
        assert_error(c.post("/api/v1/me/email", json={"email": bad, "password": PASSWORD}), 400, "invalid_input", "email")
    assert_error(c.post("/api/v1/me/email", json={"email": address()}), 400, "invalid_input", "password")
    r = c.post("/api/v1/me/email", data=b'{"email": "\xc3\x28@example.org", "password": "x"}',
               headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    # the settings form shows the refusal beside the field, with the rest of the page
    page = c.s.post(site.url("/settings/email"), data={"email": taken, "password": PASSWORD, "csrf": c.csrf},
                    allow_redirects=False)
    assert page.status_code == 409 and "belongs to another account" in page.text and "Your profile" in page.text
    time.sleep(1)
    assert not any("evil@example.org" in m[1] or "b@c.org" in m[1] for m in smtp[1].messages)
    assert other.user["id"] != c.user["id"]


# --- forgot password, reset ---

def _forgot(site, login):
    t0 = time.monotonic()
    r = requests.post(site.url("/api/v1/password/forgot"), json={"login": login})
    return r, time.monotonic() - t0


def test_forgot_password_answers_the_same_in_about_the_same_time_whoever_is_asked_for(site, smtp):
    addr = address()
    c = register(site, addr)
    known, unknown = [], []
    answers = set()
    for login in (c.user["username"], addr.upper(), unique(), address("nobody")) * 2:
        r, took = _forgot(site, login)
        assert r.status_code == 202
        answers.add((r.status_code, r.text, r.headers.get("Content-Type")))
        (known if login in (c.user["username"], addr.upper()) else unknown).append(took)
    assert len(answers) == 1, answers
    assert min(known + unknown) >= 0.29
    assert abs(statistics.median(known) - statistics.median(unknown)) < 0.15 * SLOW, (known, unknown)
    # the form answers alike: 303 to the same page
    for login in (c.user["username"], unique()):
        _, r = browser_post(site.url("/password/forgot"), site.url("/password/forgot"), {"login": login})
        assert r.status_code == 303 and r.headers["Location"] == "/password/forgot?sent=1"
    assert "If an account matches" in requests.get(site.url("/password/forgot?sent=1")).text
    wait_mail(smtp, addr, 6)  # the registration's link, then one per request for the account
    assert_error(requests.post(site.url("/api/v1/password/forgot"), json={}), 400, "invalid_input", "login")
    assert_error(requests.post(site.url("/api/v1/password/forgot"), json={"login": ""}), 400, "invalid_input", "login")
    assert_error(requests.post(site.url("/api/v1/password/forgot"), json={"login": 7}), 400, "invalid_input", "login")
    assert_error(requests.post(site.url("/api/v1/password/forgot"), json={"login": "x" * 300}), 400, "invalid_input", "login")


def test_reset_link_sets_the_password_once_ends_every_session_and_signs_nobody_in(site, smtp, cluster):
    addr = address()
    c1 = register(site, addr)
    name = c1.user["username"]
    c2 = Client(site).login(name)
    token_client = Client(site).login(name)
    token_client.token = token_client.post("/api/v1/tokens", json={"name": "script"}).json()["token"]
    assert requests.post(site.url("/api/v1/password/forgot"), json={"login": name}).status_code == 202
    link, tok = link_of(wait_mail(smtp, addr, 2))
    row = sql(cluster, site, "SELECT expires_at - created_at, used_at FROM account_tokens"
                             " WHERE user_id = %s AND purpose = 'reset_password'", (c1.user["id"],))
    assert str(row[0][0]) == "1:00:00" and row[0][1] is None
    assert sql(cluster, site, "SELECT count(*) FROM account_tokens WHERE token_hash = %s",
               (hashlib.blake2b(tok.encode(), digest_size=32).digest(),))[0][0] == 1
    assert not sql(cluster, site, "SELECT 1 FROM account_tokens WHERE encode(token_hash, 'escape') LIKE %s", ("%" + tok + "%",))
    # once sent, the outbox keeps neither the link nor the body that holds the token
    deadline = time.time() + 20 * SLOW
    while time.time() < deadline and sql(cluster, site, "SELECT 1 FROM mail_outbox WHERE state <> 'sent'"
                                                         " AND position(%s IN message) > 0", (tok,)):
        time.sleep(0.1)
    assert sql(cluster, site, "SELECT count(*) FROM mail_outbox WHERE position(%s IN message) > 0 OR link LIKE %s",
               (tok, "%" + tok))[0][0] == 0
    page = requests.get(link)
    assert page.status_code == 200 and name in page.text and 'autocomplete="new-password"' in page.text
    assert page.headers["Cache-Control"] == "no-store"
    # password rules as at registration; a refused password does not use the link up
    for weak in ("short", "x" * 1025, ""):
        assert_error(requests.post(site.url("/api/v1/password/reset"), json={"token": tok, "password": weak}),
                     400, "invalid_input", "password")
    s, r = browser_post(link, site.url("/password/reset"), {"token": tok, "password": NEW_PASSWORD}, session=c2.s)
    assert r.status_code == 303 and r.headers["Location"] == "/password/reset?done=1"
    assert "Set-Cookie" not in r.headers or "corral_session=;" in r.headers["Set-Cookie"]
    assert "Sign in with your new password" in s.get(site.url("/password/reset?done=1")).text
    for old in (c1, c2):
        assert_error(me(old), 401, "unauthenticated")
    assert me(token_client).status_code == 200  # API tokens are not sessions: revoked in settings
    bad = requests.post(site.url("/api/v1/session"), json={"username": name, "password": PASSWORD})
    assert bad.status_code == 401
    Client(site).login(name, NEW_PASSWORD)
    err = assert_error(requests.post(site.url("/api/v1/password/reset"), json={"token": tok, "password": "another one 123"}),
                       400, "invalid_input", "token")
    assert err["reason"] == "token_used" and err["next"]["href"] == "/password/forgot"
    assert requests.get(link).status_code == 400
    notice = wait_mail(smtp, addr, 3)
    assert "password was changed" in notice["Subject"] and not LINK.search(text_of(notice))
    assert "(%s): password reset through a mailed link" % name in site.output()


def test_a_newer_reset_link_replaces_the_older_one(site, smtp):
    addr = address()
    c = register(site, addr)
    for _ in range(2):
        assert requests.post(site.url("/api/v1/password/forgot"), json={"login": addr}).status_code == 202
    _, first = link_of(wait_mail(smtp, addr, 2))
    _, second = link_of(wait_mail(smtp, addr, 3))
    assert requests.post(site.url("/api/v1/password/reset"), json={"token": first, "password": NEW_PASSWORD}).status_code == 400
    r = requests.post(site.url("/api/v1/password/reset"), json={"token": second, "password": NEW_PASSWORD})
    assert r.status_code == 200 and r.json()["username"] == c.user["username"] and r.json()["sessions_ended"] == 1


def test_forgot_password_is_rate_limited_per_address_and_quietly_per_account(cluster, smtp):
    s = start(cluster, smtp, "--reset-limit-ip", "4", "--account-mail-limit", "2", name="resetlimit")
    try:
        addr = address()
        c = register(s, addr)
        for _ in range(3):
            r = requests.post(s.url("/api/v1/password/forgot"), json={"login": c.user["username"]})
            assert r.status_code == 202  # the third mails nothing, and says nothing of it
        assert requests.post(s.url("/api/v1/password/forgot"), json={"login": unique()}).status_code == 202
        for login in (c.user["username"], unique()):
            r = requests.post(s.url("/api/v1/password/forgot"), json={"login": login})
            assert_error(r, 429, "rate_limited")
            assert int(r.headers["Retry-After"]) > 0
        wait_mail(smtp, addr, 3)  # the registration's link and two resets
        time.sleep(1.5)
        assert len(mails_to(smtp, addr)) == 3
    finally:
        s.stop()


# --- the operator's commands, and no SMTP at all ---

def test_cli_set_password_and_reset_link(site, smtp):
    c = register(site, address())
    name = c.user["username"]
    out = cli("user", "set-password", name, "--database", site.db_url, stdin=NEW_PASSWORD + "\n")
    assert out.returncode == 0, out.stderr
    assert "1 session ended" in out.stdout
    assert_error(me(c), 401, "unauthenticated")
    Client(site).login(name, NEW_PASSWORD)
    assert cli("user", "set-password", name, "--database", site.db_url, stdin="short\n").returncode == 1
    assert cli("user", "set-password", unique(), "--database", site.db_url, stdin=NEW_PASSWORD + "\n").returncode == 1
    out = cli("user", "reset-link", name, "--database", site.db_url, "--base-url", site.base + "/")
    assert out.returncode == 0, out.stderr
    link = out.stdout.strip()
    assert LINK.fullmatch(link) and link.startswith(site.base + "/password/reset?token=")
    r = requests.post(site.url("/api/v1/password/reset"),
                      json={"token": link.split("token=")[1], "password": "set by the link 1"})
    assert r.status_code == 200
    Client(site).login(name, "set by the link 1")
    out = cli("user", "reset-link", unique(), "--database", site.db_url)
    assert out.returncode == 1 and "no such user" in out.stderr
    assert cli("user", "reset-link", "--database", site.db_url).returncode == 2
    assert "reset-link NAME" in cli("user", "--help").stdout


def test_without_smtp_the_reset_mail_is_an_eml_file_and_the_log_shows_its_link(cluster):  # noqa: ARG001 (sets CORRAL_TEST_TMP)
    data_dir = os.path.join(os.environ["CORRAL_TEST_TMP"], unique("acctout"))
    s = Server(["--data-dir", data_dir], name="acctout")
    try:
        addr = address()
        c = register(s, addr)
        assert requests.post(s.url("/api/v1/password/forgot"), json={"login": c.user["username"]}).status_code == 202
        deadline = time.time() + 20 * SLOW
        while time.time() < deadline and "/password/reset?token=" not in s.output():
            time.sleep(0.1)
        m = re.search(r"mail (\d+) link: (http://\S+/password/reset\?token=\S+)", s.output())
        assert m, s.output()
        with open(os.path.join(data_dir, "outbox", "%s.eml" % m.group(1)), "rb") as f:
            assert b"password/reset?token=" in f.read()
        r = requests.post(s.url("/api/v1/password/reset"),
                          json={"token": m.group(2).split("token=")[1], "password": NEW_PASSWORD})
        assert r.status_code == 200
    finally:
        code = s.stop()
        assert code == 0, s.output()


def test_a_reset_does_not_bypass_two_factor_sign_in(site, smtp):
    from test_totp import enable, password_step
    addr = address()
    c = register(site, addr)
    enable(c)
    assert requests.post(site.url("/api/v1/password/forgot"), json={"login": addr}).status_code == 202
    _, tok = link_of(wait_mail(smtp, addr, 2))
    assert requests.post(site.url("/api/v1/password/reset"), json={"token": tok, "password": NEW_PASSWORD}).status_code == 200
    # the new password is only the first step: the account's second factor is still asked for
    password_step(site, c.user["username"], NEW_PASSWORD)


def test_an_account_with_a_confirmed_address_can_be_deleted(site, smtp, cluster):
    addr = address()
    c = register(site, addr)
    _, tok = link_of(wait_mail(smtp, addr))
    assert requests.post(site.url("/api/v1/email/verify"), json={"token": tok}).status_code == 200
    assert requests.post(site.url("/api/v1/password/forgot"), json={"login": addr}).status_code == 202
    wait_mail(smtp, addr, 2)
    r = c.delete("/api/v1/me", json={"password": PASSWORD})
    assert r.status_code == 204, r.text
    assert sql(cluster, site, "SELECT email, email_verified_at FROM users WHERE id = %s", (c.user["id"],)) == [(None, None)]
    assert sql(cluster, site, "SELECT count(*) FROM account_tokens WHERE user_id = %s", (c.user["id"],)) == [(0,)]
    # the address is free again for someone else to confirm
    other = register(site, addr)
    _, tok = link_of(wait_mail(smtp, addr, 3))
    assert requests.post(site.url("/api/v1/email/verify"), json={"token": tok}).status_code == 200
    assert me(other).json()["user"]["email_verified_at"]
