"""Issue 17: a member's own sessions (where they are signed in, ending one or all the others),
changing the password (which ends every other session), and revoking API tokens from the
settings page."""
import re
import time

import psycopg2
import psycopg2.errors
import pytest
import requests
import urllib3

from conftest import PASSWORD, Client, Server, assert_error, unique

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.5 Mobile/15E148 Safari/604.1")
NEW_PASSWORD = "a new and longer passphrase"
SESSION_KEYS = {"id", "device", "user_agent", "address", "created_at", "last_seen_at", "expires_at", "current"}


def device(server, username, ua, password=PASSWORD):
    """Another device signing in to the same account."""
    c = Client(server)
    c.s.headers["User-Agent"] = ua
    return c.login(username, password)


def sessions(client):
    r = client.get("/api/v1/me/sessions")
    assert r.status_code == 200, r.text
    return r.json()["sessions"]


def form_csrf(text):
    return re.search(r'name="csrf" value="([^"]+)"', text).group(1)


def signs_in(server, username, password):
    return requests.post(server.url("/api/v1/session"),
                         json={"username": username, "password": password}).status_code


@pytest.fixture
def laptop(server):
    c = Client(server)
    c.s.headers["User-Agent"] = FIREFOX
    return c.register()


def test_session_list_shows_the_device_and_address_of_each_sign_in(server, cluster, laptop):
    device(server, laptop.user["username"], SAFARI)
    listed = sessions(laptop)
    assert len(listed) == 2
    for s in listed:
        assert set(s) == SESSION_KEYS, s
        assert s["address"] == "127.0.0.1"
        assert isinstance(s["id"], int)
    this, other = listed   # this device first
    assert this["current"] is True and other["current"] is False
    assert this["device"] == "Firefox on Linux" and this["user_agent"] == FIREFOX
    assert other["device"] == "Safari on iPhone" and other["user_agent"] == SAFARI
    # never the token or its hash
    token = laptop.s.cookies.get("corral_session")
    stored = cluster.sql("SELECT encode(token_hash, 'hex') FROM sessions WHERE user_id = %s", (laptop.user["id"],))
    body = laptop.get("/api/v1/me/sessions").text
    assert token not in body and all(h[0] not in body for h in stored)
    page = laptop.get("/settings")
    assert page.status_code == 200
    assert "Firefox on Linux</strong> <strong>(this device)</strong>" in page.text
    assert "Safari on iPhone" in page.text and "from 127.0.0.1" in page.text
    assert 'action="/settings/sessions/%d/delete"' % other["id"] in page.text
    assert token not in page.text and all(h[0] not in page.text for h in stored)


def test_a_hostile_user_agent_is_cleaned_and_bounded(server, cluster):
    c = Client(server)
    c.s.headers["User-Agent"] = b"Evil\xff\x01Agent\xe2\x80\xa8\xc3\xa9 " + b"x" * 3000
    c.register()
    s = sessions(c)[0]
    assert s["user_agent"].startswith("Evil? Agent \u00e9 xxx") and len(s["user_agent"].encode()) <= 256
    assert s["device"] == "Evil?"
    # the schema refuses what the cleaning removes, whoever writes
    with pytest.raises(psycopg2.errors.CheckViolation):
        cluster.sql("UPDATE sessions SET user_agent = E'a\\x01b' WHERE user_id = %s", (c.user["id"],))
    bare = Client(server)
    bare.s.headers["User-Agent"] = urllib3.util.SKIP_HEADER   # no User-Agent at all
    bare.login(c.user["username"])
    mine = [x for x in sessions(bare) if x["current"]][0]
    assert mine["user_agent"] == "" and mine["device"] == "Unknown device"


def test_revoking_a_session_makes_its_cookie_401_while_the_others_keep_working(server, laptop):
    phone = device(server, laptop.user["username"], SAFARI)
    tablet = device(server, laptop.user["username"], "curl/8.5.0")
    phone_id = [s["id"] for s in sessions(phone) if s["current"]][0]
    assert laptop.delete("/api/v1/me/sessions/%d" % phone_id).status_code == 204
    assert_error(phone.get("/api/v1/me"), 401, "unauthenticated")
    assert tablet.get("/api/v1/me").status_code == 200
    assert laptop.get("/api/v1/me").status_code == 200
    assert phone_id not in [s["id"] for s in sessions(laptop)]
    assert_error(laptop.delete("/api/v1/me/sessions/%d" % phone_id), 404, "not_found")
    for bad in ("0", "-1", "abc", "99999999999999999999999"):
        assert_error(laptop.delete("/api/v1/me/sessions/%s" % bad), 404, "not_found")


def test_revoking_this_session_signs_out_here(server, laptop):
    mine = [s["id"] for s in sessions(laptop) if s["current"]][0]
    r = laptop.delete("/api/v1/me/sessions/%d" % mine)
    assert r.status_code == 204
    assert "Max-Age=0" in r.headers["Set-Cookie"]
    assert_error(laptop.get("/api/v1/me"), 401, "unauthenticated")


def test_sign_out_everywhere_else(server, laptop):
    others = [device(server, laptop.user["username"], ua) for ua in (SAFARI, "curl/8.5.0")]
    r = laptop.delete("/api/v1/me/sessions")
    assert r.status_code == 200 and r.json() == {"ended_sessions": 2}
    for o in others:
        assert_error(o.get("/api/v1/me"), 401, "unauthenticated")
    assert laptop.get("/api/v1/me").status_code == 200
    assert [s["current"] for s in sessions(laptop)] == [True]


def test_another_members_session_is_404_and_stays(server, laptop):
    other = Client(server).register()
    theirs = sessions(other)[0]["id"]
    assert_error(laptop.delete("/api/v1/me/sessions/%d" % theirs), 404, "not_found")
    r = laptop.post("/settings/sessions/%d/delete" % theirs, data={"csrf": laptop.csrf})
    assert r.status_code == 404
    assert other.get("/api/v1/me").status_code == 200
    assert theirs not in [s["id"] for s in sessions(laptop)]


def test_session_writes_need_the_csrf_token(server, laptop):
    phone = device(server, laptop.user["username"], SAFARI)
    phone_id = [s["id"] for s in sessions(phone) if s["current"]][0]
    assert_error(laptop.delete("/api/v1/me/sessions/%d" % phone_id, csrf=False), 403, "csrf")
    assert_error(laptop.delete("/api/v1/me/sessions", csrf=False), 403, "csrf")
    r = laptop.post("/settings/sessions/%d/delete" % phone_id, data={}, csrf=False)
    assert r.status_code == 403
    r = laptop.post("/settings/sessions/others/delete", data={"csrf": "x" * 43}, csrf=False)
    assert r.status_code == 403
    assert phone.get("/api/v1/me").status_code == 200


def test_session_forms_on_the_settings_page_work_without_script(server, laptop):
    phone = device(server, laptop.user["username"], SAFARI)
    tablet = device(server, laptop.user["username"], "curl/8.5.0")
    phone_id = [s["id"] for s in sessions(phone) if s["current"]][0]
    page = laptop.get("/settings").text
    r = laptop.post("/settings/sessions/%d/delete" % phone_id, data={"csrf": form_csrf(page)}, csrf=False)
    assert r.status_code == 303 and r.headers["Location"] == "/settings?done=sessions"
    assert phone.get("/api/v1/me").status_code == 401
    done = laptop.get("/settings?done=sessions")
    assert "Signed out there." in done.text and "Safari on iPhone" not in done.text
    assert "Sign out everywhere else" in done.text
    r = laptop.post("/settings/sessions/others/delete", data={"csrf": laptop.csrf}, csrf=False)
    assert r.status_code == 303 and r.headers["Location"] == "/settings?done=sessions"
    assert tablet.get("/api/v1/me").status_code == 401
    alone = laptop.get("/settings").text
    assert "Sign out everywhere else" not in alone and "(this device)" in alone
    # signing out this device from its own list goes home, signed out
    mine = sessions(laptop)[0]["id"]
    r = laptop.post("/settings/sessions/%d/delete" % mine, data={"csrf": laptop.csrf}, csrf=False)
    assert r.status_code == 303 and r.headers["Location"] == "/"
    assert laptop.get("/api/v1/me").status_code == 401


def test_a_signed_in_get_does_not_write_its_session_every_time(server, cluster, laptop):
    uid = laptop.user["id"]
    cluster.sql("UPDATE sessions SET last_seen_at = now() - interval '30 seconds' WHERE user_id = %s", (uid,))
    before = cluster.sql("SELECT xmin::text, last_seen_at FROM sessions WHERE user_id = %s", (uid,))
    for _ in range(5):
        assert laptop.get("/api/v1/me").status_code == 200
    assert laptop.get("/settings").status_code == 200
    # xmin changes with any UPDATE of the row, even one writing the same values
    assert cluster.sql("SELECT xmin::text, last_seen_at FROM sessions WHERE user_id = %s", (uid,)) == before
    cluster.sql("UPDATE sessions SET last_seen_at = now() - interval '2 minutes' WHERE user_id = %s", (uid,))
    stale = cluster.sql("SELECT xmin::text FROM sessions WHERE user_id = %s", (uid,))
    assert laptop.get("/api/v1/me").status_code == 200
    after = cluster.sql("SELECT xmin::text, now() - last_seen_at < interval '10 seconds' FROM sessions"
                        " WHERE user_id = %s", (uid,))
    assert after[0][0] != stale[0][0] and after[0][1] is True
    seen = sessions(laptop)[0]["last_seen_at"]
    assert seen.endswith("Z")


def test_lapsed_sessions_are_not_listed(server, cluster, laptop):
    phone = device(server, laptop.user["username"], SAFARI)
    cluster.sql("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_id = %s"
                " AND user_agent = %s", (laptop.user["id"], SAFARI))
    assert [s["device"] for s in sessions(laptop)] == ["Firefox on Linux"]
    assert phone.get("/api/v1/me").status_code == 401


# --- changing the password ---

def test_change_password_with_a_wrong_current_password_changes_nothing(server, laptop):
    phone = device(server, laptop.user["username"], SAFARI)
    r = laptop.post("/api/v1/me/password", json={"current_password": "not-my-password",
                                                 "new_password": NEW_PASSWORD})
    assert_error(r, 403, "forbidden", "current_password")
    assert phone.get("/api/v1/me").status_code == 200
    assert signs_in(server, laptop.user["username"], PASSWORD) == 200
    assert signs_in(server, laptop.user["username"], NEW_PASSWORD) == 401


def test_change_password_ends_the_other_sessions_but_not_this_one(server, cluster, laptop):
    others = [device(server, laptop.user["username"], ua) for ua in (SAFARI, "curl/8.5.0")]
    tok = laptop.post("/api/v1/tokens", json={"name": "script"}).json()["token"]
    r = laptop.post("/api/v1/me/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert r.status_code == 200, r.text
    assert r.json() == {"ended_sessions": 2}
    for o in others:
        assert_error(o.get("/api/v1/me"), 401, "unauthenticated")
    assert laptop.get("/api/v1/me").status_code == 200
    # this session keeps its CSRF token and can still write
    assert laptop.patch("/api/v1/users/%s" % laptop.user["username"], json={"display_name": "Still me"}).status_code == 200
    assert signs_in(server, laptop.user["username"], PASSWORD) == 401
    assert signs_in(server, laptop.user["username"], NEW_PASSWORD) == 200
    # API tokens are credentials of their own, listed and revoked apart
    assert requests.get(server.url("/api/v1/me"), headers={"Authorization": "Bearer " + tok}).status_code == 200


def test_change_password_by_api_token_ends_every_session(server, laptop):
    tok = laptop.post("/api/v1/tokens", json={"name": "script"}).json()["token"]
    bearer = {"Authorization": "Bearer " + tok}
    r = requests.post(server.url("/api/v1/me/password"), headers=bearer,
                      json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert r.status_code == 200 and r.json() == {"ended_sessions": 1}
    assert_error(laptop.get("/api/v1/me"), 401, "unauthenticated")
    assert requests.get(server.url("/api/v1/me/sessions"), headers=bearer).json() == {"sessions": []}


@pytest.mark.parametrize("body,field", [
    ({"current_password": PASSWORD, "new_password": "short"}, "new_password"),
    ({"current_password": PASSWORD, "new_password": "x" * 1025}, "new_password"),
    ({"current_password": PASSWORD, "new_password": "x" * 100000}, "new_password"),
    ({"current_password": PASSWORD, "new_password": ""}, "new_password"),
    ({"current_password": PASSWORD, "new_password": PASSWORD}, "new_password"),
    ({"current_password": PASSWORD, "new_password": 1234567890123}, "new_password"),
    ({"current_password": PASSWORD, "new_password": None}, "new_password"),
    ({"current_password": PASSWORD}, "new_password"),
    ({"new_password": NEW_PASSWORD}, "current_password"),
    ({"current_password": "", "new_password": NEW_PASSWORD}, "current_password"),
    ({"current_password": ["x"], "new_password": NEW_PASSWORD}, "current_password"),
    ({"current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_confirm": "other"},
     "new_password_confirm"),
])
def test_change_password_refuses_weak_overlong_and_malformed_input(server, laptop, body, field):
    assert_error(laptop.post("/api/v1/me/password", json=body), 400, "invalid_input", field)
    assert signs_in(server, laptop.user["username"], PASSWORD) == 200


def test_change_password_refuses_bad_bodies_and_missing_csrf(server, laptop):
    ok = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert_error(laptop.post("/api/v1/me/password", json=ok, csrf=False), 403, "csrf")
    bad_utf8 = b'{"current_password": "' + PASSWORD.encode() + b'", "new_password": "abc\xff\xfeabcdefgh"}'
    r = laptop.post("/api/v1/me/password", data=bad_utf8, headers={"Content-Type": "application/json"})
    assert_error(r, 400, "invalid_input")
    assert_error(laptop.post("/api/v1/me/password", data=b"[]", headers={"Content-Type": "application/json"}),
                 400, "invalid_input")
    assert_error(laptop.post("/api/v1/me/password", data=b"{", headers={"Content-Type": "application/json"}),
                 400, "invalid_input")
    assert_error(laptop.post("/api/v1/me/password", data=b"", headers={"Content-Type": "application/json"}),
                 400, "invalid_input")
    assert_error(laptop.post("/api/v1/me/password", data="current_password=x",
                             headers={"Content-Type": "text/plain"}), 415, "unsupported_media_type")
    assert_error(requests.post(server.url("/api/v1/me/password"), json=ok), 401, "unauthenticated")
    assert signs_in(server, laptop.user["username"], PASSWORD) == 200


def test_password_form_on_the_settings_page(server, laptop):
    phone = device(server, laptop.user["username"], SAFARI)
    page = laptop.get("/settings").text
    assert '<label for="current_password">' in page and 'autocomplete="new-password"' in page
    csrf = form_csrf(page)
    r = laptop.post("/settings/password", csrf=False, data={
        "csrf": csrf, "current_password": "wrong-password", "new_password": NEW_PASSWORD,
        "new_password_confirm": NEW_PASSWORD})
    assert r.status_code == 403
    assert "That is not your current password." in r.text
    assert re.search(r'id="current_password"[^>]*aria-invalid="true"', r.text)
    assert "wrong-password" not in r.text and NEW_PASSWORD not in r.text   # passwords are never shown back
    r = laptop.post("/settings/password", csrf=False, data={
        "csrf": csrf, "current_password": PASSWORD, "new_password": NEW_PASSWORD,
        "new_password_confirm": NEW_PASSWORD + "!"})
    assert r.status_code == 400 and re.search(r'id="new_password_confirm"[^>]*aria-invalid="true"', r.text)
    r = laptop.post("/settings/password", csrf=False, data={
        "csrf": csrf, "current_password": PASSWORD, "new_password": NEW_PASSWORD,
        "new_password_confirm": NEW_PASSWORD})
    assert r.status_code == 303 and r.headers["Location"] == "/settings?done=password"
    assert "Your password is changed" in laptop.get("/settings?done=password").text
    assert phone.get("/api/v1/me").status_code == 401
    assert signs_in(server, laptop.user["username"], NEW_PASSWORD) == 200


@pytest.fixture(scope="module")
def limited(cluster):
    url = cluster.create_db(unique("pwlimits"))
    # not --quiet: a password change is logged
    s = Server(["--database", url, "--signin-limit-account", "3", "--signin-limit-ip", "100"], name="pwlimited")
    yield s
    s.stop()


def test_wrong_current_passwords_are_rate_limited_like_sign_in(limited):
    c = Client(limited).register()
    for _ in range(3):
        assert_error(c.post("/api/v1/me/password", json={"current_password": "wrong-wrong",
                                                         "new_password": NEW_PASSWORD}),
                     403, "forbidden", "current_password")
    r = c.post("/api/v1/me/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert_error(r, 429, "rate_limited")
    assert int(r.headers["Retry-After"]) > 0
    # the same budget as signing in: guesses here are guesses there
    r = requests.post(limited.url("/api/v1/session"), json={"username": c.user["username"], "password": PASSWORD})
    assert_error(r, 429, "rate_limited")
    assert signs_in(limited, c.user["username"], NEW_PASSWORD) == 429


def test_a_password_change_is_logged_without_the_password(limited):
    c = Client(limited).register()
    r = c.post("/api/v1/me/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert r.status_code == 200
    log = limited.output()
    assert re.search(r"user %d changed their password; 0 other sessions ended" % c.user["id"], log)
    assert NEW_PASSWORD not in log and PASSWORD not in log


# --- API tokens on the settings page ---

def test_tokens_on_the_settings_page_show_last_use_and_revoke_to_401(server, laptop):
    made = laptop.post("/api/v1/tokens", json={"name": "deploy-bot"}).json()
    bearer = {"Authorization": "Bearer " + made["token"]}
    page = laptop.get("/settings").text
    assert "deploy-bot" in page and "never used" in page
    assert requests.get(server.url("/api/v1/me"), headers=bearer).status_code == 200
    page = laptop.get("/settings").text
    assert re.search(r"deploy-bot <span class=\"muted\">created <time[^>]*>[^<]*</time>, last used <time", page)
    tid = made["api_token"]["id"]
    assert 'action="/settings/tokens/%d/delete"' % tid in page
    r = laptop.post("/settings/tokens/%d/delete" % tid, data={"csrf": form_csrf(page)}, csrf=False)
    assert r.status_code == 303
    assert_error(requests.get(server.url("/api/v1/me"), headers=bearer), 401, "unauthenticated")
    assert "deploy-bot" not in laptop.get("/settings").text


def test_another_members_token_cannot_be_revoked_from_the_settings_form(server, laptop):
    other = Client(server).register()
    made = other.post("/api/v1/tokens", json={"name": "theirs"}).json()
    r = laptop.post("/settings/tokens/%d/delete" % made["api_token"]["id"], data={"csrf": laptop.csrf}, csrf=False)
    assert r.status_code == 404
    assert requests.get(server.url("/api/v1/me"),
                        headers={"Authorization": "Bearer " + made["token"]}).status_code == 200
