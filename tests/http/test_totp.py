"""Issue 17: two-factor sign-in. Enrolling (secret, otpauth URI, a first code), the second
step of signing in (pending token, code or recovery code), replays, expiry, forgery, rate
limits, recovery codes, turning it off, and --require-2fa-staff. Codes are computed here
from the secret the API shows (RFC 6238 with hmac + hashlib)."""
import base64
import hashlib
import hmac
import re
import struct
import time

import pytest
import requests

from conftest import (PASSWORD, SHARED_ARGS, Client, Server, assert_error, cli, unique)


def totp(secret, step, digits=6):
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    return str((struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 10 ** digits).zfill(digits)


def now_step():
    return int(time.time()) // 30


def test_the_code_helper_matches_rfc_6238():
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp(secret, 59 // 30, 8) == "94287082"
    assert totp(secret, 1111111109 // 30, 8) == "07081804"
    assert totp(secret, 20000000000 // 30, 8) == "65353130"


def start(client):
    r = client.post("/api/v1/me/2fa")
    assert r.status_code == 201, r.text
    return r.json()["two_factor"]["secret"]


def enable(client):
    """Turn 2FA on with the code of the current step; returns (secret, step, codes)."""
    secret = start(client)
    step = now_step()
    r = client.post("/api/v1/me/2fa/confirm", json={"code": totp(secret, step)})
    assert r.status_code == 200, r.text
    return secret, step, r.json()["recovery_codes"]


def password_step(server, username, password=PASSWORD):
    """Sign in with the password only: the 401 totp_required and its pending token."""
    r = requests.post(server.url("/api/v1/session"), json={"username": username, "password": password})
    err = assert_error(r, 401, "totp_required")
    assert "Set-Cookie" not in r.headers or "corral_session=" not in r.headers["Set-Cookie"]
    return err["pending_token"]


def code_step(server, token, code, session=None):
    return (session or requests).post(server.url("/api/v1/session/2fa"),
                                      json={"pending_token": token, "code": code})


# --- enrolling ---

def test_enrolling_shows_a_base32_secret_and_an_otpauth_uri(server, member):
    r = member.get("/api/v1/me/2fa")
    assert r.status_code == 200 and r.json()["two_factor"] == {
        "enabled": False, "enrolling": False, "recovery_codes_left": 0}
    secret = start(member)
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)       # 160 bits
    tf = member.get("/api/v1/me/2fa").json()["two_factor"]
    assert tf["enrolling"] and not tf["enabled"] and tf["secret"] == secret
    uri = tf["otpauth_uri"]
    assert uri.startswith("otpauth://totp/") and ("secret=%s" % secret) in uri
    assert (":%s?" % member.user["username"]) in uri and "digits=6" in uri and "period=30" in uri
    # a new start makes a new secret while not yet confirmed
    assert start(member) != secret


def test_enabling_with_a_wrong_code_is_refused_and_changes_nothing(server, member):
    secret = start(member)
    wrong = "%06d" % ((int(totp(secret, now_step())) + 500000) % 1000000)
    assert_error(member.post("/api/v1/me/2fa/confirm", json={"code": wrong}), 400, "invalid_input", "code")
    assert_error(member.post("/api/v1/me/2fa/confirm", json={"code": totp(secret, now_step() + 3)}),
                 400, "invalid_input", "code")
    assert member.get("/api/v1/me/2fa").json()["two_factor"]["enabled"] is False
    Client(server).login(member.user["username"])   # still no code needed


def test_enabling_gives_ten_recovery_codes_shown_once_and_stored_hashed(server, cluster, member):
    secret, step, codes = enable(member)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-7]{4}(-[a-z2-7]{4}){3}", c) for c in codes)
    tf = member.get("/api/v1/me/2fa").json()["two_factor"]
    assert tf == {"enabled": True, "enrolling": False, "recovery_codes_left": 10}   # no secret shown any more
    rows = cluster.sql("SELECT encode(code_hash, 'hex') FROM totp_recovery_codes WHERE user_id = %s",
                       (member.user["id"],))
    stored = {r[0] for r in rows}
    key = bytes(cluster.sql("SELECT recovery_key FROM user_totp WHERE user_id = %s", (member.user["id"],))[0][0])
    assert len(stored) == 10 and len(key) == 16
    # keyed BLAKE2b-256 of the code without its dashes, the account's random key as the salt
    assert stored == {hashlib.blake2b(c.replace("-", "").encode(), digest_size=32, key=key).hexdigest()
                      for c in codes}
    assert_error(member.post("/api/v1/me/2fa"), 409, "conflict")       # no new secret while on
    assert_error(member.post("/api/v1/me/2fa/confirm", json={"code": totp(secret, step + 1)}), 409, "conflict")


# --- signing in ---

def test_sign_in_needs_the_code_after_the_password(server, member):
    name = member.user["username"]
    secret, step, _ = enable(member)
    token = password_step(server, name)
    s = requests.Session()
    s.post(server.url("/api/v1/session"), json={"username": name, "password": PASSWORD})
    assert s.get(server.url("/api/v1/me")).status_code == 401      # no session from the password alone
    r = code_step(server, token, totp(secret, step + 1), s)
    assert r.status_code == 200, r.text
    assert r.json()["user"]["username"] == name and r.json()["csrf_token"]
    assert s.get(server.url("/api/v1/me")).json()["user"]["username"] == name


def test_a_wrong_code_is_refused_and_the_pending_sign_in_stays(server, member):
    secret, step, _ = enable(member)
    token = password_step(server, member.user["username"])
    wrong = "%06d" % ((int(totp(secret, step + 1)) + 1) % 1000000)
    assert_error(code_step(server, token, wrong), 401, "unauthenticated", "code")
    assert_error(code_step(server, token, "not a code"), 401, "unauthenticated", "code")
    assert code_step(server, token, totp(secret, step + 1)).status_code == 200


def test_a_code_already_used_is_refused(server, member):
    secret, step, _ = enable(member)
    name = member.user["username"]
    # the confirming code was step's: it cannot sign in
    assert_error(code_step(server, password_step(server, name), totp(secret, step)), 401, "unauthenticated", "code")
    assert code_step(server, password_step(server, name), totp(secret, step + 1)).status_code == 200
    token = password_step(server, name)
    assert_error(code_step(server, token, totp(secret, step + 1)), 401, "unauthenticated", "code")   # replay
    assert_error(code_step(server, token, totp(secret, step)), 401, "unauthenticated", "code")       # older
    assert ("a code of a step already taken was sent for account %d" % member.user["id"]) in server.output()


def test_expired_forged_and_spent_pending_tokens_are_refused(server, cluster, member):
    secret, step, codes = enable(member)
    name = member.user["username"]
    assert_error(code_step(server, "A" * 43, totp(secret, step + 1)), 401, "unauthenticated", "pending_token")
    assert_error(code_step(server, "not/a/token", totp(secret, step + 1)), 401, "unauthenticated", "pending_token")
    token = password_step(server, name)
    cluster.sql("UPDATE totp_pending SET expires_at = now() - interval '1 second' WHERE user_id = %s",
                (member.user["id"],))
    assert_error(code_step(server, token, totp(secret, step + 1)), 401, "unauthenticated", "pending_token")
    token = password_step(server, name)
    assert code_step(server, token, codes[0]).status_code == 200
    assert_error(code_step(server, token, codes[1]), 401, "unauthenticated", "pending_token")   # single use
    rows = cluster.sql("SELECT count(*) FROM totp_pending WHERE user_id = %s", (member.user["id"],))
    assert rows[0][0] == 0


def test_a_recovery_code_signs_in_once_only(server, member):
    _, _, codes = enable(member)
    name = member.user["username"]
    typed = codes[3].upper().replace("-", " ")        # as someone might type it
    assert code_step(server, password_step(server, name), typed).status_code == 200
    assert_error(code_step(server, password_step(server, name), codes[3]), 401, "unauthenticated", "code")
    assert member.get("/api/v1/me/2fa").json()["two_factor"]["recovery_codes_left"] == 9


def test_new_recovery_codes_need_a_code_and_replace_the_old_ones(server, member):
    secret, step, old = enable(member)
    assert_error(member.post("/api/v1/me/2fa/recovery-codes", json={"code": old[0]}), 400, "invalid_input", "code")
    r = member.post("/api/v1/me/2fa/recovery-codes", json={"code": totp(secret, step + 1)})
    assert r.status_code == 200, r.text
    new = r.json()["recovery_codes"]
    assert len(new) == 10 and not set(new) & set(old)
    name = member.user["username"]
    assert_error(code_step(server, password_step(server, name), old[1]), 401, "unauthenticated", "code")
    assert code_step(server, password_step(server, name), new[1]).status_code == 200


def test_turning_it_off_needs_the_password_and_a_code(server, member):
    secret, step, codes = enable(member)
    assert_error(member.post("/api/v1/me/2fa/disable", json={"password": "wrong password!", "code": codes[0]}),
                 403, "forbidden", "password")
    assert_error(member.post("/api/v1/me/2fa/disable", json={"password": PASSWORD, "code": "123"}),
                 400, "invalid_input", "code")
    r = member.post("/api/v1/me/2fa/disable", json={"password": PASSWORD, "code": totp(secret, step + 1)})
    assert r.status_code == 200 and r.json()["two_factor"]["enabled"] is False
    Client(server).login(member.user["username"])   # the password alone again
    # and a recovery code of before is worth nothing now
    start(member)
    assert_error(member.post("/api/v1/me/2fa/confirm", json={"code": codes[1]}), 400, "invalid_input", "code")


def test_api_tokens_made_before_keep_working(server, member):
    token = member.post("/api/v1/tokens", json={"name": "script"}).json()["token"]
    enable(member)
    r = requests.get(server.url("/api/v1/me"), headers={"Authorization": "Bearer " + token})
    assert r.status_code == 200 and r.json()["user"]["username"] == member.user["username"]


def test_bad_input_gets_clear_4xx(server, member):
    anon = requests.post(server.url("/api/v1/me/2fa"))
    assert_error(anon, 401, "unauthenticated")
    # cookie-authenticated writes need the CSRF token
    assert_error(member.post("/api/v1/me/2fa", csrf=False), 403, "csrf")
    assert_error(member.post("/api/v1/me/2fa/confirm", json={"code": "123456"}), 409, "conflict")  # nothing started
    start(member)
    for body, field in (({}, "code"), ({"code": ""}, "code"), ({"code": 123456}, "code"),
                        ({"code": "1" * 100000}, None), ({"code": None}, "code")):
        r = member.post("/api/v1/me/2fa/confirm", json=body)
        assert r.status_code in (400, 413), r.text
        assert_error(r, r.status_code, "invalid_input" if r.status_code == 400 else "too_large", field)
    r = member.post("/api/v1/me/2fa/confirm", data=b'{"code": "\xff\xfe"}',
                    headers={"Content-Type": "application/json"})
    assert_error(r, 400, "invalid_input")
    assert_error(member.post("/api/v1/me/2fa/disable", json={"code": "123456"}), 400, "invalid_input", "password")
    for body, field in (({"code": "123456"}, "pending_token"), ({"pending_token": "x"}, "code"),
                        ({"pending_token": 5, "code": "123456"}, "pending_token")):
        assert_error(requests.post(server.url("/api/v1/session/2fa"), json=body), 400, "invalid_input", field)
    assert requests.post(server.url("/api/v1/session/2fa"), data="code=1").status_code == 415


# --- HTML ---

def form_csrf(html):
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def test_the_settings_pages_enrol_and_show_the_codes_once(server, member):
    s = requests.Session()
    page = s.get(server.url("/login"))
    s.post(server.url("/login"), data={"username": member.user["username"], "password": PASSWORD,
                                       "csrf": form_csrf(page.text)})
    settings = s.get(server.url("/settings"))
    assert 'href="/settings/2fa"' in settings.text
    page = s.get(server.url("/settings/2fa"))
    assert page.status_code == 200 and "Set up two-factor sign-in" in page.text
    r = s.post(server.url("/settings/2fa/setup"), data={"csrf": form_csrf(page.text)}, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/settings/2fa"
    page = s.get(server.url("/settings/2fa"))
    secret = re.search(r'id="tf-secret">([A-Z2-7]{32})<', page.text).group(1)
    assert 'href="otpauth://totp/' in page.text and '<label for="confirm-code">' in page.text
    bad = s.post(server.url("/settings/2fa/confirm"), data={"csrf": form_csrf(page.text), "code": "000000x"})
    assert bad.status_code == 400 and "not right" in bad.text and secret in bad.text   # the form again
    ok = s.post(server.url("/settings/2fa/confirm"), data={"csrf": form_csrf(page.text),
                                                          "code": totp(secret, now_step())})
    assert ok.status_code == 200 and "shown only this once" in ok.text
    assert len(re.findall(r"<li><code>[a-z2-7]{4}-", ok.text)) == 10
    page = s.get(server.url("/settings/2fa"))
    assert secret not in page.text and 'id="recovery-left">10<' in page.text


def test_the_sign_in_form_asks_for_the_code_on_a_second_page(server, member):
    secret, step, _ = enable(member)
    s = requests.Session()
    page = s.get(server.url("/login?next=/ideas"))
    r = s.post(server.url("/login"), data={"username": member.user["username"], "password": PASSWORD,
                                           "next": "/ideas", "csrf": form_csrf(page.text)}, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/login/2fa"
    assert "corral_2fa=" in r.headers["Set-Cookie"] and "HttpOnly" in r.headers["Set-Cookie"]
    assert s.cookies.get("corral_session") is None
    page = s.get(server.url("/login/2fa"))
    assert page.status_code == 200 and '<label for="code">' in page.text
    bad = s.post(server.url("/login/2fa"), data={"code": "12", "csrf": form_csrf(page.text)})
    assert bad.status_code == 401 and "not right" in bad.text
    r = s.post(server.url("/login/2fa"), data={"code": totp(secret, step + 1), "csrf": form_csrf(page.text)},
               allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/ideas"
    assert s.get(server.url("/api/v1/me")).json()["user"]["username"] == member.user["username"]
    assert s.cookies.get("corral_2fa") is None       # cleared
    # without the cookie: sign in again
    fresh = requests.Session()
    page = fresh.get(server.url("/login/2fa"))
    r = fresh.post(server.url("/login/2fa"), data={"code": "123456", "csrf": form_csrf(page.text)})
    assert r.status_code == 401 and 'href="/login"' in r.text


# --- limits and staff (a server of their own) ---

@pytest.fixture(scope="module")
def strict(cluster):
    url = cluster.create_db(unique("tfa"))
    s = Server(["--database", url, "--require-2fa-staff", "--signin-limit-account", "3"] + SHARED_ARGS[1:],
               name="strict")
    s.db_url = url
    yield s
    s.stop()


def test_wrong_codes_are_rate_limited_per_account(strict):
    c = Client(strict).register()
    secret, step, codes = enable(c)
    token = password_step(strict, c.user["username"])
    for _ in range(3):
        assert_error(code_step(strict, token, "000000" if totp(secret, step + 1) != "000000" else "111111"),
                     401, "unauthenticated", "code")
    r = code_step(strict, token, totp(secret, step + 1))
    assert_error(r, 429, "rate_limited")
    assert int(r.headers["Retry-After"]) > 0
    # the right code was not spent by the refused attempt, nor is any other account limited
    other = Client(strict).register()
    s2, st2, _ = enable(other)
    assert code_step(strict, password_step(strict, other.user["username"]), totp(s2, st2 + 1)).status_code == 200


def staff(server, role):
    c = Client(server).register()
    out = cli("user", "set-role", c.user["username"], role, "--database", server.db_url)
    assert out.returncode == 0, out.stderr
    return c


def test_staff_without_2fa_may_only_enrol(strict):
    mod = staff(strict, "moderator")
    member = Client(strict).register()
    assert member.get("/api/v1/threads").status_code == 200          # members are not asked
    mod = Client(strict).login(mod.user["username"])
    r = mod.get("/api/v1/threads")
    err = assert_error(r, 403, "2fa_required")
    assert err["enrol"] == "/api/v1/me/2fa"
    assert_error(mod.get("/api/v1/mod/queue?kind=flags"), 403, "2fa_required")
    assert_error(mod.get("/api/v1/me"), 403, "2fa_required")
    page = mod.s.get(strict.url("/"))
    assert page.status_code == 403 and 'href="/settings/2fa"' in page.text
    for path in ("/settings", "/t/1/lock", "/new", "/mod/queue/1/decision"):   # forms, too: a page, never a 500
        r = mod.s.post(strict.url(path), data={"csrf": mod.csrf, "display_name": "x"}, allow_redirects=False)
        assert r.status_code == 403 and "text/html" in r.headers["Content-Type"], (path, r.status_code)
        assert 'href="/settings/2fa"' in r.text, path
    # the sign-in form sends them to enrolment
    s = requests.Session()
    login = s.get(strict.url("/login"))
    r = s.post(strict.url("/login"), data={"username": mod.user["username"], "password": PASSWORD,
                                           "csrf": form_csrf(login.text)}, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/settings/2fa"
    assert s.get(strict.url("/settings/2fa")).status_code == 200
    # enrolling is open, and once on everything is
    secret, step, _ = enable(mod)
    assert mod.get("/api/v1/threads").status_code == 200
    assert mod.get("/api/v1/mod/queue?kind=flags").status_code == 200
    # signing out stays open too
    other = staff(strict, "admin")
    assert_error(other.get("/api/v1/notifications"), 403, "2fa_required")
    assert other.delete("/api/v1/session").status_code == 204
