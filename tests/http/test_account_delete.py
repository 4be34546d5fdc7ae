"""Issue 17: deleting one's account (settings and DELETE /api/v1/me), administrators
deleting an account (reason required, logged, never themselves, never the last admin),
and exporting one's data (GET /api/v1/me/export)."""
import json
import re
import time

import pytest
import requests

from conftest import (PASSWORD, Client, Server, assert_error, cli, make_user, new_thread, reply,
                      unique)


def deleted_name(client):
    return "deleted member %d" % client.user["id"]


def delete_me(client, password=PASSWORD):
    return client.delete("/api/v1/me", json={"password": password})


def form_csrf(client, path):
    page = client.get(path)
    assert page.status_code == 200, page.text[:300]
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


# --- deleting one's own account ---

def test_wrong_password_is_refused_and_nothing_is_deleted(server, cluster, member):
    assert_error(delete_me(member, "not the password at all"), 403, "forbidden", "password")
    assert member.get("/api/v1/me").status_code == 200
    assert cluster.sql("SELECT deleted_at, username FROM users WHERE id = %s",
                       (member.user["id"],)) == [(None, member.user["username"])]


@pytest.mark.parametrize("body, field", [
    ({}, "password"),
    ({"password": ""}, "password"),
    ({"password": 12345678901}, "password"),
    ({"password": "x" * 2000}, "password"),
    ({"password": PASSWORD, "confirm": "somebody-else"}, "confirm"),
    ({"password": PASSWORD, "confirm": ["a"]}, "confirm"),
])
def test_bad_input_is_400_and_deletes_nothing(server, cluster, member, body, field):
    assert_error(member.delete("/api/v1/me", json=body), 400, "invalid_input", field)
    assert cluster.sql("SELECT deleted_at FROM users WHERE id = %s", (member.user["id"],)) == [(None,)]


def test_invalid_utf8_and_wrong_content_type_are_4xx(server, member):
    h = {"X-CSRF-Token": member.csrf, "Content-Type": "application/json"}
    r = member.s.request("DELETE", server.url("/api/v1/me"), data=b'{"password": "\xff\xfe"}', headers=h)
    assert_error(r, 400, "invalid_input")
    h["Content-Type"] = "text/plain"
    r = member.s.request("DELETE", server.url("/api/v1/me"), data=b"password", headers=h)
    assert r.status_code in (400, 415)
    assert member.get("/api/v1/me").status_code == 200


def test_missing_csrf_token_is_403_and_deletes_nothing(server, member):
    r = member.delete("/api/v1/me", json={"password": PASSWORD}, csrf=False)
    assert_error(r, 403, "csrf")
    assert member.get("/api/v1/me").status_code == 200


def test_anonymous_delete_is_401(server):
    assert_error(requests.delete(server.url("/api/v1/me"), json={"password": PASSWORD}), 401, "unauthenticated")


def test_deleted_account_cannot_sign_in_and_its_cookie_and_token_get_401(server, cluster):
    c = make_user(server, cluster)
    name = c.user["username"]
    token = c.post("/api/v1/tokens", json={"name": "script"}).json()["token"]
    other_session = Client(server).login(name)
    r = delete_me(c)
    assert r.status_code == 204, r.text
    assert_error(c.get("/api/v1/me"), 401, "unauthenticated")
    assert_error(other_session.get("/api/v1/me"), 401, "unauthenticated")
    assert_error(requests.get(server.url("/api/v1/me"), headers={"Authorization": "Bearer " + token}),
                 401, "unauthenticated")
    for who in (name, name.upper(), deleted_name(c)):
        r = requests.post(server.url("/api/v1/session"), json={"username": who, "password": PASSWORD})
        assert_error(r, 401, "unauthenticated")
    assert_error(c.delete("/api/v1/me", json={"password": PASSWORD}), 401, "unauthenticated")


def test_the_old_name_is_retired_and_the_profile_is_gone(server, cluster, member):
    name = member.user["username"]
    assert delete_me(member).status_code == 204
    assert_error(requests.get(server.url("/api/v1/users/%s" % name)), 404, "not_found")
    assert requests.get(server.url("/u/%s" % name)).status_code == 404
    gone = assert_error(requests.get(server.url("/api/v1/users/deleted member %d" % member.user["id"])), 404,
                        "not_found")
    assert "was deleted" in gone["message"]
    page = requests.get(server.url("/u/deleted%%20member%%20%d" % member.user["id"]))
    assert page.status_code == 404 and "was deleted" in page.text
    r = requests.post(server.url("/api/v1/users"), json={"username": name.upper(), "password": PASSWORD,
                                                         "community_role": "vendor"})
    assert_error(r, 409, "conflict", "username")


def test_personal_data_is_erased_in_one_go(server, cluster):
    c = make_user(server, cluster)
    uid = c.user["id"]
    c.patch("/api/v1/users/%s" % c.user["username"], json={"display_name": "Real Name", "bio": "I live in Town"})
    cluster.sql("UPDATE users SET email = 'person@example.org' WHERE id = %s", (uid,))
    t = new_thread(c)
    c.post("/api/v1/threads/%d/watch" % t["id"], json={})
    c.post("/api/v1/tokens", json={"name": "t"})
    reply(make_user(server, cluster), t["id"], "a reply that notifies @%s" % c.user["username"])
    assert cluster.sql("SELECT count(*) FROM notifications WHERE user_id = %s", (uid,))[0][0] > 0
    assert delete_me(c).status_code == 204
    row = cluster.sql("SELECT username, display_name, email, bio, bio_html, password_hash, role,"
                      " community_role, deleted_at IS NOT NULL FROM users WHERE id = %s", (uid,))[0]
    assert row == ("deleted member %d" % uid, "", None, "", "", "!", "member", "practitioner", True)
    for table in ("sessions", "api_tokens", "notifications", "thread_watchers", "idempotency_keys",
                  "post_mentions"):
        assert cluster.sql("SELECT count(*) FROM %s WHERE user_id = %%s" % table, (uid,)) == [(0,)], table
    # a reply to its post afterwards notifies nobody
    reply(make_user(server, cluster), t["id"], "late reply", parent_id=t["first_post_id"])
    assert cluster.sql("SELECT count(*) FROM notifications WHERE user_id = %s", (uid,)) == [(0,)]


# Tables whose rows go with an account when its row is deleted (ON DELETE CASCADE to users)
# are one person's own: account_erase() empties every one of them (it finds them in the
# catalog), except those kept on purpose in account_erase_keep. A new "kept" table is a
# privacy decision, so it must be named here too.
KEPT_ON_PURPOSE = {"idea_votes": "votes keep counting in idea vote splits"}


def test_every_per_user_table_is_erased_or_kept_on_purpose(server, cluster):
    kept = {r[0] for r in cluster.sql("SELECT table_name FROM account_erase_keep")}
    assert kept == set(KEPT_ON_PURPOSE)
    c = make_user(server, cluster)
    uid = c.user["id"]
    t = new_thread(c)
    c.post("/api/v1/tokens", json={"name": "t"})
    reply(make_user(server, cluster), t["id"], "a reply that notifies @%s" % c.user["username"])
    cascading = cluster.sql(
        "SELECT c.conrelid::regclass::text, a.attname FROM pg_constraint c"
        " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]"
        " WHERE c.contype = 'f' AND c.confrelid = 'users'::regclass AND c.confdeltype = 'c'")
    assert len(cascading) >= 8
    had = {tbl for tbl, col in cascading
           if cluster.sql("SELECT count(*) FROM %s WHERE %s = %%s" % (tbl, col), (uid,))[0][0]}
    assert {"sessions", "api_tokens", "notifications"} <= had
    assert delete_me(c).status_code == 204
    left = {tbl for tbl, col in cascading if tbl not in kept and
            cluster.sql("SELECT count(*) FROM %s WHERE %s = %%s" % (tbl, col), (uid,))[0][0]}
    assert not left, "per-user rows account_erase() left behind: %s" % sorted(left)


def test_posts_stay_readable_as_deleted_member_in_html_json_atom_and_search(server, cluster):
    c = make_user(server, cluster)
    name = c.user["username"]
    word = unique("zebrafish")
    t = new_thread(c, title="Thread about %s" % word, body="Opening words on %s" % word)
    other = make_user(server, cluster)
    reply(other, t["id"], "Replying to @%s about %s" % (name, word))
    # pages anonymous readers have in the page cache now must not keep the old name
    for path in ("/t/%d" % t["id"], "/", "/t/%d/feed.atom" % t["id"]):
        assert name in requests.get(server.url(path)).text
    assert delete_me(c).status_code == 204
    shown = deleted_name(c)

    api = requests.get(server.url("/api/v1/threads/%d" % t["id"])).json()
    assert api["thread"]["author"]["username"] == shown and api["thread"]["author"]["deleted"] is True
    op = [p for p in api["posts"] if p["parent_id"] is None][0]
    assert op["author"]["username"] == shown and "Opening words" in op["body_html"]
    assert op["author"]["community_role"]["slug"] == "practitioner"
    # the mention in another member's post stays as they wrote it
    assert any("@" + name in p["body_html"] for p in api["posts"] if p["parent_id"] is not None)

    page = requests.get(server.url("/t/%d" % t["id"])).text
    assert shown in page and "Opening words" in page
    assert 'href="/u/%s"' % shown not in page
    assert name not in requests.get(server.url("/")).text
    home = requests.get(server.url("/api/v1/threads")).json()["threads"]
    assert [x["author"]["username"] for x in home if x["id"] == t["id"]] == [shown]
    for feed in ("/feed.atom", "/t/%d/feed.atom" % t["id"]):
        atom = requests.get(server.url(feed)).text
        assert "<name>%s</name>" % shown in atom, feed
        assert "<name>%s</name>" % name not in atom, feed
    hits = requests.get(server.url("/api/v1/search"), params={"q": word}).json()["results"]
    assert hits and all(h["author"] in (shown, other.user["username"]) for h in hits)
    assert shown in [h["author"] for h in hits]
    html = requests.get(server.url("/search"), params={"q": word}).text
    assert "by %s" % shown in html


def test_voices_idea_vote_splits_and_survey_breakdowns_do_not_change(server, cluster, moderator, admin):
    doer = make_user(server, cluster, community_role="practitioner")
    helper = make_user(server, cluster, community_role="vendor")
    t = new_thread(doer)
    reply(helper, t["id"])
    idea = admin.post("/api/v1/ideas", json={"title": unique("Idea "), "summary": "s"}).json()["idea"]["number"]
    for c in (doer, helper):
        assert c.post("/api/v1/ideas/%d/votes" % idea, json={}).status_code == 200
    s = moderator.post("/api/v1/surveys", json={"title": unique("Survey "), "intro": "", "questions": [
        {"kind": "single", "prompt": "Fine?", "options": ["yes", "no"]}]}).json()["survey"]
    q = s["questions"][0]
    for c in (doer, helper):
        r = c.put("/api/v1/surveys/%d/response" % s["id"],
                  json={"answers": [{"question_id": q["id"], "option_ids": [q["options"][0]["id"]]}]})
        assert r.status_code == 200, r.text

    def snapshot():
        voices = requests.get(server.url("/api/v1/threads/%d" % t["id"])).json()["thread"]["voices"]
        votes = requests.get(server.url("/api/v1/ideas/%d" % idea)).json()["idea"]["votes"]
        results = moderator.get("/api/v1/surveys/%d/results" % s["id"]).json()
        return voices, votes, results["respondents"], results["questions"][0]["options"]

    before = snapshot()
    assert before[0]["participants"] == 2 and before[0]["doers"] == 1
    assert delete_me(doer).status_code == 204
    assert snapshot() == before


def test_self_deletion_is_in_the_moderation_log_in_words(server, cluster, member):
    uid = member.user["id"]
    assert delete_me(member).status_code == 204
    log = make_user(server, cluster).get("/api/v1/mod/log?action=delete_own_account").json()["entries"]
    entry = [e for e in log if e["target_id"] == str(uid)][0]
    assert entry["summary"] == "deleted member %d deleted their account" % uid
    assert member.user["username"] not in json.dumps(entry)


def test_settings_page_deletes_with_the_confirmation_page(server, cluster):
    c = make_user(server, cluster)
    name = c.user["username"]
    settings = c.get("/settings").text
    assert 'href="/settings/delete"' in settings and 'href="/api/v1/me/export"' in settings
    csrf = form_csrf(c, "/settings/delete")
    # a wrong confirmation shows the page again with the error, and deletes nothing
    r = c.s.post(server.url("/settings/delete"), data={"csrf": csrf, "confirm": "nobody", "password": PASSWORD},
                 allow_redirects=False)
    assert r.status_code == 400 and "Type your username" in r.text and 'value="nobody"' in r.text
    r = c.s.post(server.url("/settings/delete"), data={"csrf": csrf, "confirm": name, "password": "wrong password"},
                 allow_redirects=False)
    assert r.status_code == 403 and "not your password" in r.text
    r = c.s.post(server.url("/settings/delete"), data={"csrf": csrf, "confirm": name}, allow_redirects=False)
    assert r.status_code == 400
    r = c.s.post(server.url("/settings/delete"), data={"confirm": name, "password": PASSWORD},
                 allow_redirects=False)
    assert r.status_code == 403
    assert c.get("/api/v1/me").status_code == 200
    r = c.s.post(server.url("/settings/delete"), data={"csrf": csrf, "confirm": name, "password": PASSWORD},
                 allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/account/deleted"
    assert "Max-Age=0" in r.headers.get("Set-Cookie", "")
    done = c.s.get(server.url("/account/deleted"))
    assert done.status_code == 200 and "Your account is deleted" in done.text
    assert c.get("/api/v1/me").status_code == 401


# --- administrators deleting an account ---

def test_admin_deletes_an_account_with_a_reason_and_the_log_says_so(server, cluster, admin):
    victim = make_user(server, cluster)
    path = "/api/v1/admin/users/%s" % victim.user["username"]
    for body in ({}, {"reason": ""}, {"reason": "   "}, {"reason": "x" * 501}, {"reason": 5}):
        assert_error(admin.delete(path, json=body), 400, "invalid_input", "reason")
    assert_error(admin.delete(path, json={"reason": "spam"}, csrf=False), 403, "csrf")
    assert victim.get("/api/v1/me").status_code == 200
    r = admin.delete(path, json={"reason": "spam account"})
    assert r.status_code == 204, r.text
    assert_error(victim.get("/api/v1/me"), 401, "unauthenticated")
    assert_error(admin.delete(path, json={"reason": "again"}), 404, "not_found")
    log = admin.get("/api/v1/mod/log?action=delete_account").json()["entries"]
    entry = [e for e in log if e["target_id"] == str(victim.user["id"])][0]
    assert entry["reason"] == "spam account" and entry["actor"]["username"] == admin.user["username"]
    assert entry["summary"] == "%s deleted the account of deleted member %d" % (
        admin.user["username"], victim.user["id"])
    assert_error(admin.delete("/api/v1/admin/users/nobody-here", json={"reason": "x"}), 404, "not_found")


def test_only_admins_delete_accounts_and_not_themselves_that_way(server, cluster, admin, moderator, member):
    victim = make_user(server, cluster)
    path = "/api/v1/admin/users/%s" % victim.user["username"]
    assert_error(moderator.delete(path, json={"reason": "x"}), 403, "forbidden")
    assert_error(member.delete(path, json={"reason": "x"}), 403, "forbidden")
    assert_error(admin.delete("/api/v1/admin/users/%s" % admin.user["username"], json={"reason": "x"}),
                 403, "forbidden")
    assert admin.get("/api/v1/me").status_code == 200


def test_admin_deletes_from_the_accounts_page(server, cluster, admin):
    victim = make_user(server, cluster)
    name = victim.user["username"]
    listing = admin.get("/admin/users?q=%s" % name).text
    assert 'href="/admin/users/%s/delete"' % name in listing
    csrf = form_csrf(admin, "/admin/users/%s/delete" % name)
    r = admin.s.post(server.url("/admin/users/%s/delete" % name), data={"csrf": csrf, "reason": ""},
                     allow_redirects=False)
    assert r.status_code == 400
    r = admin.s.post(server.url("/admin/users/%s/delete" % name), data={"csrf": csrf, "reason": "asked by mail"},
                     allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/admin/users"
    assert 'href="/u/%s"' % name not in admin.get("/admin/users?q=%s" % name).text


@pytest.fixture(scope="module")
def lone(cluster):
    """A forum of its own, whose one administrator is made here."""
    url = cluster.create_db(unique("lone"))
    s = Server(["--database", url, "--quiet"], name="lone")
    yield s, url
    s.stop()


def test_the_last_admin_cannot_delete_their_account(lone):
    s, url = lone
    name = unique("boss")
    out = cli("user", "add", name, "--role", "admin", "--database", url, stdin=PASSWORD + "\n")
    assert out.returncode == 0, out.stderr
    boss = Client(s).login(name)
    assert_error(delete_me(boss), 409, "conflict")
    assert boss.get("/api/v1/me").status_code == 200
    second = unique("boss")
    assert cli("user", "add", second, "--role", "admin", "--database", url, stdin=PASSWORD + "\n").returncode == 0
    assert delete_me(boss).status_code == 204
    # now the other one is the last
    assert_error(delete_me(Client(s).login(second)), 409, "conflict")


# --- export ---

def test_export_holds_my_posts_revisions_votes_flags_and_answers_and_nobody_elses(server, cluster, admin, moderator):
    me = make_user(server, cluster)
    them = make_user(server, cluster)
    secret = unique("theirsecret")
    t = new_thread(me, body="my opening post")
    mine = reply(me, t["id"], "my first words")
    assert me.patch("/api/v1/posts/%d" % mine["id"], json={"body": "my second words"}).status_code == 200
    theirs = reply(them, t["id"], "their reply " + secret)
    assert me.post("/api/v1/posts/%d/flags" % theirs["id"], json={"reason": "spam", "note": "my flag note"}).status_code == 201
    assert them.post("/api/v1/posts/%d/flags" % mine["id"], json={"reason": "other", "note": secret}).status_code == 201
    idea = admin.post("/api/v1/ideas", json={"title": unique("Idea "), "summary": "s"}).json()["idea"]["number"]
    for c in (me, them):
        assert c.post("/api/v1/ideas/%d/votes" % idea, json={}).status_code == 200
    s = moderator.post("/api/v1/surveys", json={"title": unique("Survey "), "intro": "", "questions": [
        {"kind": "text", "prompt": "Why?"}]}).json()["survey"]
    qid = s["questions"][0]["id"]
    me.put("/api/v1/surveys/%d/response" % s["id"], json={"answers": [{"question_id": qid, "text": "my answer"}]})
    them.put("/api/v1/surveys/%d/response" % s["id"], json={"answers": [{"question_id": qid, "text": secret}]})

    r = me.get("/api/v1/me/export")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.headers["Content-Disposition"] == 'attachment; filename="corral-%s-export.json"' % me.user["username"]
    assert "no-store" in r.headers.get("Cache-Control", "")
    doc = r.json()
    assert doc["format"] == "corral-account-export" and doc["profile"]["username"] == me.user["username"]
    assert {p["id"] for p in doc["posts"]} == {t["first_post_id"], mine["id"]}
    edited = [p for p in doc["posts"] if p["id"] == mine["id"]][0]
    assert edited["body"] == "my second words"
    assert [v["body"] for v in edited["revisions"]] == ["my first words", "my second words"]
    assert [v["idea"] for v in doc["idea_votes"]] == [idea]
    assert [(f["post_id"], f["note"]) for f in doc["flags"]] == [(theirs["id"], "my flag note")]
    answers = [a["text"] for resp in doc["survey_responses"] if resp["survey_id"] == s["id"] for a in resp["answers"]]
    assert answers == ["my answer"]
    assert doc["settings"]["api_tokens"] == [] and len(doc["settings"]["sessions"]) >= 1
    assert doc["settings"]["sessions"][0]["address"] == "127.0.0.1"
    assert doc["settings"]["two_factor_enabled_at"] is None
    assert secret not in r.text and them.user["username"] not in r.text


def test_export_needs_a_signed_in_account(server):
    assert_error(requests.get(server.url("/api/v1/me/export")), 401, "unauthenticated")


def test_export_of_a_2000_post_account_is_quick(server, cluster, capsys):
    c = make_user(server, cluster)
    t = new_thread(c)
    cluster.sql("INSERT INTO posts (thread_id, parent_id, author_id, body, body_html, render_version)"
                " SELECT %s, %s, %s, 'Post number ' || g || ' ' || repeat('words ', 60), '<p>x</p>', 'x'"
                " FROM generate_series(1, 1999) g", (t["id"], t["first_post_id"], c.user["id"]))
    cluster.sql("INSERT INTO post_revisions (post_id, editor_id, body) SELECT id, author_id, body FROM posts"
                " WHERE author_id = %s", (c.user["id"],))
    start = time.monotonic()
    r = c.get("/api/v1/me/export")
    took = time.monotonic() - start
    assert r.status_code == 200
    posts = r.json()["posts"]
    assert len(posts) == 2000 and len({p["id"] for p in posts}) == 2000
    assert all(len(p["revisions"]) >= 1 for p in posts)
    with capsys.disabled():
        print("\nexport of 2000 posts: %.3f s, %d bytes" % (took, len(r.content)))
    assert took < 10
