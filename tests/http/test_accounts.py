"""Issue 3: registration, sign-in, sessions, CSRF, tokens, roles, rate limits, suspension."""
import re
import statistics
import subprocess
import time

import pytest
import requests

from conftest import (CORRAL, SHARED_ARGS, PASSWORD, Client, Server, assert_error, cli, make_user, unique)


def register_raw(server, **body):
    return requests.post(server.url("/api/v1/users"), json=body)


# --- registration ---

def test_register_returns_the_user_and_signs_in(server):
    name = unique("Reg")
    r = register_raw(server, username=name, password=PASSWORD, community_role="practitioner",
                     email="a@example.org")
    assert r.status_code == 201
    u = r.json()["user"]
    assert u["username"] == name and u["role"] == "member" and u["role_verified"] is False
    assert u["community_role"] == {"slug": "practitioner", "label": "Practitioner", "kind": "doer"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", u["created_at"])
    assert "password_hash" not in u and "password" not in r.text
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith("corral_session=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # base URL is http
    assert r.json()["csrf_token"]


@pytest.mark.parametrize("password", ["", "short", "123456789", "x" * 1025])
def test_register_refuses_bad_password_lengths(server, password):
    assert_error(register_raw(server, username=unique(), password=password,
                              community_role="practitioner"), 400, "invalid_input", "password")


def test_register_accepts_the_password_length_bounds(server):
    assert register_raw(server, username=unique(), password="x" * 10, community_role="vendor").status_code == 201
    name = unique()
    assert register_raw(server, username=name, password="y" * 1023 + "z", community_role="vendor").status_code == 201
    # the whole 1024 bytes are the password: a prefix does not sign in, the full one does
    session = server.url("/api/v1/session")
    assert_error(requests.post(session, json={"username": name, "password": "y" * 1023}), 401, "unauthenticated")
    assert requests.post(session, json={"username": name, "password": "y" * 1023 + "z"}).status_code == 200


@pytest.mark.parametrize("name", ["ab", "a" * 33, "bad name", "ümlaut", "a/b", "<script>", "", "dot.dot"])
def test_register_refuses_bad_usernames(server, name):
    assert_error(register_raw(server, username=name, password=PASSWORD, community_role="practitioner"),
                 400, "invalid_input", "username")


def test_register_refuses_unknown_community_role(server):
    assert_error(register_raw(server, username=unique(), password=PASSWORD, community_role="wizard"),
                 400, "invalid_input", "community_role")


def test_register_refuses_a_name_differing_only_in_case(server):
    name = unique("Case")
    assert register_raw(server, username=name, password=PASSWORD, community_role="analyst").status_code == 201
    assert_error(register_raw(server, username=name.upper(), password=PASSWORD, community_role="analyst"),
                 409, "conflict", "username")
    assert_error(register_raw(server, username=name.lower(), password=PASSWORD, community_role="analyst"),
                 409, "conflict", "username")


def test_register_refuses_wrong_types_and_missing_fields(server):
    assert_error(register_raw(server, username=12345, password=PASSWORD, community_role="vendor"),
                 400, "invalid_input", "username")
    assert_error(register_raw(server, username=unique(), password=["x"], community_role="vendor"),
                 400, "invalid_input", "password")
    assert_error(register_raw(server, username=unique(), password=PASSWORD), 400, "invalid_input",
                 "community_role")
    assert_error(register_raw(server, username=unique(), password=PASSWORD, community_role="vendor",
                              email="not-an-address"), 400, "invalid_input", "email")


def test_bad_bodies_get_clear_4xx_and_create_nothing(server, cluster):
    url = server.url("/api/v1/users")
    name = unique("Body")
    good = '{"username":"%s","password":"%s","community_role":"vendor"' % (name, PASSWORD)
    cases = [
        (b"", "application/json", 400),                        # empty: fields missing
        (good.encode(), "application/json", 400),              # truncated JSON
        (b"[1,2,3]", "application/json", 400),                 # not an object
        (b"null", "application/json", 400),
        ((good + ',"x":"\xff"}').encode("latin-1"), "application/json", 400),  # invalid UTF-8
        ((good + ',"x":"a\\u0000b"}').encode(), "application/json", 400),     # escaped NUL
        ((good + '}').replace('"vendor"', '"ven\x00dor"').encode(), "application/json", 400),  # raw NUL
        ((good + ',"username":"dup"}').encode(), "application/json", 400),     # duplicate key
        ((good + '}').encode(), "text/plain", 415),
        ((good + '}').encode(), None, 415),
        (b"username=x&password=y", "application/x-www-form-urlencoded", 415),  # forms are for pages
    ]
    for body, ctype, status in cases:
        headers = {"Content-Type": ctype} if ctype else {}
        r = requests.post(url, data=body, headers=headers)
        assert r.status_code == status, (body[:60], ctype, r.status_code, r.text)
        assert r.json()["error"]["code"] in ("invalid_input", "unsupported_media_type")
    assert cluster.sql("SELECT count(*) FROM users WHERE lower(username) = lower(%s)", (name,))[0][0] == 0


# --- sign in / out, sessions ---

def test_sign_in_rotates_the_session_token(server, member):
    first = member.s.cookies.get("corral_session")
    member.login(member.user["username"])
    second = member.s.cookies.get("corral_session")
    assert first and second and first != second
    # the session that was replaced is gone server-side
    old = requests.get(server.url("/api/v1/me"), cookies={"corral_session": first})
    assert_error(old, 401, "unauthenticated")


def test_me_requires_sign_in_and_reports_csrf(server, member):
    assert_error(requests.get(server.url("/api/v1/me")), 401, "unauthenticated")
    me = member.get("/api/v1/me").json()
    assert me["user"]["username"] == member.user["username"]
    assert me["csrf_token"] == member.csrf and me["unread_notifications"] == 0


def test_unknown_user_and_wrong_password_answer_the_same(server, member):
    def attempt(username):
        t = time.perf_counter()
        r = requests.post(server.url("/api/v1/session"), json={"username": username, "password": "wrong password!"})
        return r, time.perf_counter() - t

    a, _ = attempt(member.user["username"])
    b, _ = attempt(unique("nobody"))
    assert a.status_code == b.status_code == 401
    assert a.json() == b.json()
    # about the same time: both verify an argon2id hash (medians of a few, fresh names
    # each time so the per-account limit does not interfere)
    known = [attempt(Client(server).register().user["username"])[1] for _ in range(3)]
    unknown = [attempt(unique("nobody"))[1] for _ in range(3)]
    ratio = statistics.median(known) / statistics.median(unknown)
    assert 0.4 < ratio < 2.5, (known, unknown)


def test_sign_out_deletes_the_session_server_side(server, member):
    cookie = member.s.cookies.get("corral_session")
    r = member.delete("/api/v1/session")
    assert r.status_code == 204
    assert "Max-Age=0" in r.headers["Set-Cookie"]
    assert_error(requests.get(server.url("/api/v1/me"), cookies={"corral_session": cookie}), 401, "unauthenticated")


def test_sign_out_without_session_is_401(server):
    assert_error(requests.delete(server.url("/api/v1/session")), 401, "unauthenticated")


def test_only_a_hash_of_the_session_token_is_stored(server, cluster, member):
    token = member.s.cookies.get("corral_session")
    rows = cluster.sql("SELECT encode(token_hash, 'hex'), octet_length(token_hash) FROM sessions s "
                       "JOIN users u ON u.id = s.user_id WHERE u.username = %s", (member.user["username"],))
    assert len(rows) == 1 and rows[0][1] == 32
    assert token not in rows[0][0] and token.encode().hex() != rows[0][0]


def test_idle_and_absolute_expiry(server, cluster):
    a = Client(server).register()
    cluster.sql("UPDATE sessions SET last_seen_at = now() - interval '15 days' WHERE user_id = %s", (a.user["id"],))
    assert_error(a.get("/api/v1/me"), 401, "unauthenticated")
    b = Client(server).register()
    cluster.sql("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_id = %s", (b.user["id"],))
    assert_error(b.get("/api/v1/me"), 401, "unauthenticated")


def test_password_is_rehashed_when_parameters_change(server, cluster):
    c = Client(server).register()
    weak = subprocess.run(["argon2", "saltsaltsalt", "-id", "-t", "1", "-m", "10", "-p", "1", "-e"],
                          input=PASSWORD, capture_output=True, text=True, check=True).stdout.strip()
    cluster.sql("UPDATE users SET password_hash = %s WHERE id = %s", (weak, c.user["id"]))
    Client(server).login(c.user["username"])
    stored = cluster.sql("SELECT password_hash FROM users WHERE id = %s", (c.user["id"],))[0][0]
    # the shared server's configured memory (CORRAL_HASH_MEMORY=19, conftest)
    assert stored != weak and stored.startswith("$argon2id$") and "m=19456," in stored


def test_hash_memory_is_configurable_and_accounts_follow_it(server, cluster):
    # The shared server runs with --hash-memory 19 (OWASP's minimum, CORRAL_HASH_MEMORY in
    # conftest): m=19456 KiB. A server without it hashes with the default 64 MiB; an account
    # made there and signed in on the small one is rehashed to 19 MiB, and back again.
    default = Server(["--database", cluster.url] + SHARED_ARGS, name="hashmem", unset=["CORRAL_HASH_MEMORY"])
    try:
        c = Client(default).register()
        stored = lambda: cluster.sql("SELECT password_hash FROM users WHERE id = %s", (c.user["id"],))[0][0]
        assert stored().startswith("$argon2id$") and "m=65536," in stored()
        Client(server).login(c.user["username"])
        assert "m=19456," in stored()
        Client(default).login(c.user["username"])
        assert "m=65536," in stored()
        assert_error(Client(default).s.post(default.url("/api/v1/session"),
                                            json={"username": c.user["username"], "password": "wrong-" + PASSWORD}),
                     401, "unauthenticated", "password")
    finally:
        assert default.stop() == 0
    bad = subprocess.run([CORRAL, "serve", "--hash-memory", "18", "--database", cluster.url],
                         capture_output=True, text=True, timeout=30)
    assert bad.returncode != 0 and "hash-memory" in bad.stderr


# --- CSRF and Origin ---

def test_cookie_write_without_csrf_token_is_403(server, member):
    path = "/api/v1/users/%s" % member.user["username"]
    assert_error(member.patch(path, json={"display_name": "X"}, csrf=False), 403, "csrf")
    assert_error(member.patch(path, json={"display_name": "X"}, headers={"X-CSRF-Token": "forged" * 8}), 403, "csrf")
    r = member.patch(path, json={"display_name": "Real Name"})
    assert r.status_code == 200 and r.json()["user"]["display_name"] == "Real Name"


def test_cookie_write_from_a_foreign_origin_is_403(server, member):
    path = "/api/v1/users/%s" % member.user["username"]
    assert_error(member.patch(path, json={"display_name": "Y"}, headers={"Origin": "https://evil.example"}),
                 403, "csrf")
    assert_error(member.patch(path, json={"display_name": "Y"}, headers={"Origin": "null"}), 403, "csrf")
    assert requests.get(server.url("/api/v1/users/%s" % member.user["username"])).json()["user"]["display_name"] != "Y"
    ok = member.patch(path, json={"display_name": "Y"}, headers={"Origin": server.base})
    assert ok.status_code == 200 and ok.json()["user"]["display_name"] == "Y"


def test_html_forms_carry_csrf_including_anonymous_ones(server):
    s = requests.Session()
    page = s.get(server.url("/register"))
    assert page.status_code == 200
    m = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert m and s.cookies.get("corral_csrf") == m.group(1)
    form = {"username": unique("Form"), "password": PASSWORD, "community_role": "trainer"}
    no = s.post(server.url("/register"), data=form, allow_redirects=False)
    assert no.status_code == 403 and "text/html" in no.headers["Content-Type"]
    form["csrf"] = "wrong"
    assert s.post(server.url("/register"), data=form, allow_redirects=False).status_code == 403
    form["csrf"] = m.group(1)
    ok = s.post(server.url("/register"), data=form, allow_redirects=False)
    assert ok.status_code == 303 and ok.headers["Location"] == "/"
    home = s.get(server.url("/"))
    assert form["username"] in home.text and 'action="/logout"' in home.text


def test_login_form_shows_the_error_and_keeps_the_name(server, member):
    s = requests.Session()
    page = s.get(server.url("/login"))
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    bad = s.post(server.url("/login"), data={"username": member.user["username"], "password": "nope-nope-nope",
                                             "csrf": csrf}, allow_redirects=False)
    assert bad.status_code == 401 and "Wrong username or password" in bad.text
    assert 'value="%s"' % member.user["username"] in bad.text
    good = s.post(server.url("/login"), data={"username": member.user["username"], "password": PASSWORD,
                                              "csrf": csrf, "next": "/c/general"}, allow_redirects=False)
    assert good.status_code == 303 and good.headers["Location"] == "/c/general"
    s2 = requests.Session()
    csrf2 = re.search(r'name="csrf" value="([^"]+)"', s2.get(server.url("/login")).text).group(1)
    evil = s2.post(server.url("/login"), data={"username": member.user["username"], "password": PASSWORD,
                                               "csrf": csrf2, "next": "//evil.example/"}, allow_redirects=False)
    assert evil.status_code == 303 and evil.headers["Location"] == "/"


def test_logout_form_needs_csrf(server, member):
    r = member.s.post(server.url("/logout"), data={}, allow_redirects=False)
    assert r.status_code == 403
    assert member.get("/api/v1/me").status_code == 200, "a refused sign-out ended the session"
    r = member.s.post(server.url("/logout"), data={"csrf": member.csrf}, allow_redirects=False)
    assert r.status_code == 303
    assert member.get("/api/v1/me").status_code == 401


# --- API tokens ---

def test_api_token_works_without_csrf_and_is_revocable(server, cluster, member):
    r = member.post("/api/v1/tokens", json={"name": "ci"})
    assert r.status_code == 201
    tok = r.json()["token"]
    stored = cluster.sql("SELECT encode(token_hash, 'hex') FROM api_tokens WHERE user_id = %s", (member.user["id"],))
    assert stored and tok not in stored[0][0]
    bearer = {"Authorization": "Bearer " + tok}
    me = requests.get(server.url("/api/v1/me"), headers=bearer)
    assert me.status_code == 200 and me.json()["csrf_token"] is None
    p = requests.patch(server.url("/api/v1/users/%s" % member.user["username"]), json={"display_name": "Tok"},
                       headers=bearer)
    assert p.status_code == 200
    tid = r.json()["api_token"]["id"]
    assert member.delete("/api/v1/tokens/%d" % tid).status_code == 204
    assert_error(requests.get(server.url("/api/v1/me"), headers=bearer), 401, "unauthenticated")
    assert_error(requests.get(server.url("/api/v1/me"), headers={"Authorization": "Bearer x"}), 401, "unauthenticated")


def test_cannot_revoke_another_members_token(server, member):
    other = Client(server).register()
    tid = other.post("/api/v1/tokens", json={"name": "mine"}).json()["api_token"]["id"]
    assert_error(member.delete("/api/v1/tokens/%d" % tid), 404, "not_found")


# --- profiles and roles ---

def test_profile_is_public_without_private_fields(server, member):
    member.patch("/api/v1/users/%s" % member.user["username"], json={"bio": "I run **change** at a bank"})
    r = requests.get(server.url("/api/v1/users/%s" % member.user["username"].upper()))
    u = r.json()["user"]
    for k in ("id", "username", "display_name", "role", "community_role", "role_verified", "created_at", "post_count"):
        assert k in u
    assert "email" not in u and "bio" not in u
    assert "<strong>change</strong>" in u["bio_html"]
    page = requests.get(server.url("/u/%s" % member.user["username"]))
    assert page.status_code == 200 and "Practitioner" in page.text and "kind-doer" in page.text
    assert_error(requests.get(server.url("/api/v1/users/nosuchuser1")), 404, "not_found")


def test_bio_markdown_is_safe(server, member):
    r = member.patch("/api/v1/users/%s" % member.user["username"],
                     json={"bio": "<script>alert(1)</script> [x](javascript:alert(1))"})
    html = r.json()["user"]["bio_html"]
    assert "<script" not in html and "javascript:" not in html


def test_member_cannot_edit_another_member(server, member):
    other = Client(server).register()
    assert_error(member.patch("/api/v1/users/%s" % other.user["username"], json={"display_name": "hijack"}),
                 403, "forbidden")


def test_member_cannot_change_roles_or_verify(server, member):
    path = "/api/v1/users/%s" % member.user["username"]
    assert_error(member.patch(path, json={"role": "admin"}), 403, "forbidden", "role")
    assert_error(member.patch(path, json={"role_verified": True}), 403, "forbidden", "role_verified")
    assert_error(member.patch(path, json={"role": "emperor"}), 400, "invalid_input", "role")


def test_changing_community_role_drops_verification(server, member, moderator):
    path = "/api/v1/users/%s" % member.user["username"]
    assert moderator.patch(path, json={"role_verified": True}).json()["user"]["role_verified"] is True
    u = member.patch(path, json={"community_role": "vendor"}).json()["user"]
    assert u["community_role"]["slug"] == "vendor" and u["role_verified"] is False
    assert_error(member.patch(path, json={"community_role": "wizard"}), 400, "invalid_input", "community_role")


def test_admin_changes_permission_roles_and_keeps_one_admin(server, cluster, admin, member):
    r = admin.patch("/api/v1/users/%s" % member.user["username"], json={"role": "moderator"})
    assert r.status_code == 200 and r.json()["user"]["role"] == "moderator"
    # demoting every admin is refused: make this admin the only one first
    cluster.sql("UPDATE users SET role = 'member' WHERE role = 'admin' AND id <> %s", (admin.user["id"],))
    assert_error(admin.patch("/api/v1/users/%s" % admin.user["username"], json={"role": "member"}),
                 409, "conflict", "role")
    log = cluster.sql("SELECT action, actor_id FROM mod_log WHERE target_type = 'user' AND target_id = %s",
                      (str(member.user["id"]),))
    assert ("set_role", admin.user["id"]) in log


def test_moderator_cannot_change_permission_roles(server, moderator, member):
    assert_error(moderator.patch("/api/v1/users/%s" % member.user["username"], json={"role": "admin"}),
                 403, "forbidden")


# --- community roles ---

def test_admin_adds_and_relabels_community_roles(server, admin, member):
    slug = "r" + unique("")[:8]
    r = admin.post("/api/v1/community-roles", json={"slug": slug, "label": "Service owner", "kind": "doer"})
    assert r.status_code == 201 and r.json()["community_role"]["kind"] == "doer"
    roles = requests.get(server.url("/api/v1/community-roles")).json()
    assert {"slug": slug, "label": "Service owner", "kind": "doer"} in roles
    assert admin.patch("/api/v1/community-roles/%s" % slug, json={"label": "Service Owner"}).status_code == 200
    assert_error(admin.post("/api/v1/community-roles", json={"slug": slug, "label": "x", "kind": "doer"}),
                 409, "conflict", "slug")
    assert_error(admin.post("/api/v1/community-roles", json={"slug": "q" + slug, "label": "x", "kind": "boss"}),
                 400, "invalid_input", "kind")
    assert_error(admin.post("/api/v1/community-roles", json={"slug": "Bad Slug", "label": "x", "kind": "doer"}),
                 400, "invalid_input", "slug")
    assert_error(admin.patch("/api/v1/community-roles/nosuchrole", json={"label": "x"}), 404, "not_found")
    # a new role can be chosen at registration
    Client(server).register(community_role=slug)


def test_members_and_anonymous_are_refused_on_admin_routes(server, member):
    body = {"slug": "zz" + unique("")[:6], "label": "x", "kind": "doer"}
    assert_error(member.post("/api/v1/community-roles", json=body), 403, "forbidden")
    assert_error(requests.post(server.url("/api/v1/community-roles"), json=body), 401, "unauthenticated")
    assert_error(member.patch("/api/v1/community-roles/vendor", json={"label": "Sellers"}), 403, "forbidden")
    assert member.get("/admin").status_code == 403
    assert requests.get(server.url("/admin")).status_code == 401


def test_admin_page_lists_roles(server, admin):
    page = admin.get("/admin")
    assert page.status_code == 200 and "Practitioner" in page.text and 'name="csrf"' in page.text


# --- suspension ---

def test_moderator_suspends_and_lifts(server, cluster, moderator, member):
    path = "/api/v1/users/%s/suspension" % member.user["username"]
    r = moderator.post(path, json={"until": "2099-01-01T00:00:00Z", "reason": "spam links"})
    assert r.status_code == 200
    assert r.json()["user"]["suspended_until"] == "2099-01-01T00:00:00Z"
    assert r.json()["user"]["suspension_reason"] == "spam links"
    # only the member and moderators see it (issue 21: test_anonymous_side_channels.py)
    public = requests.get(server.url("/api/v1/users/%s" % member.user["username"])).json()["user"]
    assert not {"suspended", "suspended_until", "suspension_reason"} & set(public)
    assert member.get("/api/v1/users/%s" % member.user["username"]).json()["user"]["suspended_until"]
    assert member.get("/api/v1/me").status_code == 200  # suspended members can still read
    assert moderator.delete(path).status_code == 204
    assert moderator.get("/api/v1/users/%s" % member.user["username"]).json()["user"]["suspended_until"] is None
    actions = [a for (a,) in cluster.sql("SELECT action FROM mod_log WHERE target_id = %s ORDER BY id",
                                         (str(member.user["id"]),))]
    assert actions[-2:] == ["suspend", "lift_suspension"]


def test_suspension_input_is_validated(server, moderator, member):
    path = "/api/v1/users/%s/suspension" % member.user["username"]
    assert_error(moderator.post(path, json={"until": "yesterday-ish", "reason": "x"}), 400, "invalid_input", "until")
    assert_error(moderator.post(path, json={"until": "2000-01-01T00:00:00Z", "reason": "x"}), 400, "invalid_input", "until")
    assert_error(moderator.post(path, json={"until": "2099-01-01T00:00:00Z"}), 400, "invalid_input", "reason")


def test_suspension_far_in_the_future_is_accepted(server, moderator, member):
    # issue 16: 2999-01-01 was refused as "must be in the future"
    path = "/api/v1/users/%s/suspension" % member.user["username"]
    r = moderator.post(path, json={"until": "2999-01-01T00:00:00Z", "reason": "long"})
    assert r.status_code == 200, r.text
    assert r.json()["user"]["suspended_until"] == "2999-01-01T00:00:00Z" and r.json()["user"]["suspended"] is True
    assert_error(moderator.post(path, json={"until": "10000-01-01T00:00:00Z", "reason": "x"}), 400,
                 "invalid_input", "until")


@pytest.mark.parametrize("body", [{"reason": "for good"}, {"until": None, "reason": "for good"},
                                  {"duration": "permanent", "reason": "for good"}])
def test_suspension_without_until_lasts_until_lifted(server, cluster, moderator, body):
    target = Client(server).register()
    path = "/api/v1/users/%s/suspension" % target.user["username"]
    r = moderator.post(path, json=body)
    assert r.status_code == 200, r.text
    u = r.json()["user"]
    assert u["suspended"] is True and u["suspended_until"] is None
    assert cluster.sql("SELECT suspended_until = 'infinity' FROM users WHERE id = %s", (target.user["id"],))[0][0]
    assert_error(target.post("/api/v1/threads", json={"category": "general", "title": "Still here?",
                                                      "body": "x"}), 403, "forbidden")
    (details,) = cluster.sql("SELECT details FROM mod_log WHERE target_id = %s AND action = 'suspend'",
                             (str(target.user["id"]),))[0]
    assert details == {"until": None}
    page = moderator.get("/u/%s" % target.user["username"]).text
    assert "Suspended until a moderator lifts it: for good" in page and "Lift suspension" in page
    assert moderator.delete(path).status_code == 204
    assert moderator.get("/api/v1/users/%s" % target.user["username"]).json()["user"]["suspended"] is False


def test_suspension_form_offers_presets(server, cluster, moderator):
    target = Client(server).register()
    name = target.user["username"]
    page = moderator.get("/u/%s" % name).text
    for value, label in [("day", "1 day"), ("week", "1 week"), ("month", "1 month"), ("permanent", "Until lifted")]:
        assert 'name="duration" value="%s"' % value in page and label in page
    assert 'name="until"' not in page
    r = moderator.post("/u/%s/suspension" % name, data={"csrf": moderator.csrf, "duration": "week", "reason": "cool off"})
    assert r.status_code == 303, r.text
    left = cluster.sql("SELECT extract(epoch FROM suspended_until - now()) FROM users WHERE id = %s",
                       (target.user["id"],))[0][0]
    assert 7 * 86400 - 60 < float(left) <= 7 * 86400
    other = Client(server).register()
    assert_error(moderator.post("/api/v1/users/%s/suspension" % other.user["username"],
                                json={"duration": "year", "reason": "x"}), 400, "invalid_input", "duration")
    assert_error(moderator.post("/api/v1/users/%s/suspension" % other.user["username"],
                                json={"duration": "day", "until": "2099-01-01T00:00:00Z", "reason": "x"}),
                 400, "invalid_input", "until")


def test_suspension_is_for_moderators_only(server, member, moderator, admin):
    other = Client(server).register()
    path = "/api/v1/users/%s/suspension" % other.user["username"]
    assert_error(member.post(path, json={"until": "2099-01-01T00:00:00Z", "reason": "x"}), 403, "forbidden")
    assert_error(requests.post(server.url(path), json={"until": "2099-01-01T00:00:00Z", "reason": "x"}), 401,
                 "unauthenticated")
    assert_error(moderator.post("/api/v1/users/%s/suspension" % admin.user["username"],
                                json={"until": "2099-01-01T00:00:00Z", "reason": "x"}), 403, "forbidden")


def test_mod_log_refuses_change_in_the_database(server, cluster):  # server: the schema is applied
    import psycopg2.errors
    cluster.sql("INSERT INTO mod_log (action, target_type, target_id) VALUES ('test', 'user', '0')")
    # the trigger's refusal, not any error (a misspelt column would raise one too)
    for sql in ("UPDATE mod_log SET reason = 'edited'", "DELETE FROM mod_log", "TRUNCATE mod_log"):
        with pytest.raises(psycopg2.errors.InsufficientPrivilege, match="mod_log is append-only"):
            cluster.sql(sql)


# --- the command line ---

def test_cli_user_add_and_set_role(server, cluster):
    name = unique("Cli")
    out = cli("user", "add", name, "--role", "admin", "--community-role", "analyst", "--database", cluster.url,
              stdin=PASSWORD + "\n")
    assert out.returncode == 0, out.stderr
    c = Client(server).login(name)
    assert c.user["role"] == "admin" and c.user["community_role"]["slug"] == "analyst"
    assert cli("user", "set-role", name, "moderator", "--database", cluster.url).returncode == 0
    assert Client(server).login(name).user["role"] == "moderator"
    bad = cli("user", "add", unique(), "--role", "emperor", "--database", cluster.url, stdin=PASSWORD + "\n")
    assert bad.returncode != 0 and "role" in bad.stderr
    short = cli("user", "add", unique(), "--database", cluster.url, stdin="short\n")
    assert short.returncode != 0 and "password" in short.stderr.lower()
    dup = cli("user", "add", name.lower(), "--database", cluster.url, stdin=PASSWORD + "\n")
    assert dup.returncode != 0 and "taken" in dup.stderr


# --- rate limits (servers with databases of their own: the counters are shared) ---

@pytest.fixture(scope="module")
def limited(cluster):
    url = cluster.create_db(unique("limits"))
    s = Server(["--database", url, "--quiet", "--signin-limit-account", "3", "--signin-limit-ip", "6",
                "--register-limit-ip", "4"], name="limited")
    yield s
    s.stop()


def test_failed_sign_ins_per_account_give_429(limited):
    c = Client(limited).register()
    for _ in range(3):
        assert_error(requests.post(limited.url("/api/v1/session"),
                                   json={"username": c.user["username"], "password": "wrong-wrong"}), 401,
                     "unauthenticated")
    r = requests.post(limited.url("/api/v1/session"), json={"username": c.user["username"], "password": PASSWORD})
    assert_error(r, 429, "rate_limited")
    assert int(r.headers["Retry-After"]) > 0


def test_failed_sign_ins_per_address_and_registrations_give_429(limited):
    # 3 more registrations fit under the limit of 4 (one was made above)
    names = [Client(limited).register().user["username"] for _ in range(3)]
    r = register_raw(limited, username=unique(), password=PASSWORD, community_role="vendor")
    assert_error(r, 429, "rate_limited")
    assert "Retry-After" in r.headers
    statuses = []
    for i in range(8):
        statuses.append(requests.post(limited.url("/api/v1/session"),
                                      json={"username": names[i % 3], "password": "wrong-wrong"}).status_code)
    assert 429 in statuses and statuses[0] == 401


def test_https_base_url_makes_cookies_secure_with_the_host_prefix_and_sends_hsts(cluster):
    s = Server(["--database", cluster.url, "--base-url", "https://forum.example.org"] + SHARED_ARGS, name="https")
    try:
        r = requests.post(s.url("/api/v1/users"), json={"username": unique(), "password": PASSWORD,
                                                        "community_role": "vendor"})
        cookie = r.headers["Set-Cookie"]
        assert cookie.startswith("__Host-corral_session=") and "; Secure" in cookie and "Path=/" in cookie
        assert "Domain" not in cookie
        assert r.headers["Strict-Transport-Security"].startswith("max-age=")
        token = cookie.split("=", 1)[1].split(";")[0]
        me = requests.get(s.url("/api/v1/me"), cookies={"__Host-corral_session": token})
        assert me.status_code == 200
        # the plain cookie name means nothing there
        assert requests.get(s.url("/api/v1/me"), cookies={"corral_session": token}).status_code == 401
    finally:
        s.stop()
