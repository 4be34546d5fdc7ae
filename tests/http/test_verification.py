"""Issue 21, verified community roles: a member asks to have their current role verified
(a note, optionally a work address confirmed by a mailed single-use link read from a real
SMTP server), the moderators' verifications queue (exactly one moderator wins, logged,
the member told), the verified mark, the role change that drops it, and the "verified
only" reading of voices, idea votes and reactions."""
import re
import secrets
import threading

import pytest
import requests

from conftest import Client, Server, assert_error, new_thread, reply, unique
from test_mail import smtp_server
from test_account_mail import wait_mail, text_of

LINK = re.compile(r"(http://[^\s\"<>]+/verification/confirm\?token=([A-Za-z0-9_-]+))")
NOTE = "I run the maintenance crew of a paper mill; ask me about planned shutdowns."


@pytest.fixture(scope="module")
def smtp():
    ctl, inbox = smtp_server()
    yield ctl, inbox
    ctl.stop()


@pytest.fixture(scope="module")
def site(cluster, smtp):
    url = cluster.create_db(unique("verify"))
    s = Server(["--database", url, "--quiet", "--mail-from", "forum@example.org",
                "--smtp-url", "smtp://127.0.0.1:%d" % smtp[0].port, "--smtp-plain-loopback",
                "--register-limit-ip", "1000000", "--signin-limit-ip", "1000000", "--post-limit", "1000000",
                "--spam-burst", "1000000", "--account-mail-limit", "1000", "--notify-mail-delay", "1",
                "--survey-min-group", "1"],
               name="verify")
    s.dbname = url.split("///")[1].split("?")[0]
    yield s
    assert s.stop() == 0, s.output()


def sql(cluster, site, query, params=None):
    return cluster.sql(query, params, dbname=site.dbname)


def user(site, cluster, community_role="practitioner", role=None):
    c = Client(site).register(community_role=community_role)
    sql(cluster, site, "UPDATE users SET approved_posts = 100%s WHERE id = %%s"
        % (", role = '%s'" % role if role else ""), (c.user["id"],))
    return c


@pytest.fixture(scope="module")
def mods(site, cluster):
    return user(site, cluster, "consultant", "moderator"), user(site, cluster, "analyst", "moderator")


def ask(client, **body):
    payload = {"community_role": client.user["community_role"]["slug"], "note": NOTE}
    payload.update(body)
    return client.post("/api/v1/me/verification", json=payload)


def queue_ids(mod):
    r = mod.get("/api/v1/mod/verifications")
    assert r.status_code == 200, r.text
    return {i["id"]: i for i in r.json()["items"]}


def profile(site, name):
    return requests.get(site.url("/api/v1/users/" + name)).json()["user"]


def test_work_address_link_queues_the_request_and_approval_marks_every_post(site, cluster, smtp, mods):
    mod = mods[0]
    doer = user(site, cluster)
    addr = unique("w") + "@mill.example"
    r = ask(doer, work_email=addr)
    assert r.status_code == 201, r.text
    mine = r.json()["verification"]
    assert mine["state"] == "unconfirmed" and mine["work_email"] == addr and mine["note"] == NOTE
    assert mine["id"] not in queue_ids(mod)          # not before the address is confirmed

    link, token = LINK.search(text_of(wait_mail(smtp, addr))).groups()
    page = requests.get(link)                         # following the link only shows a button
    assert page.status_code == 200 and "Confirm this address" in page.text
    assert ask(doer).status_code == 409               # one open request per member
    ok = doer.post("/api/v1/me/verification/confirm", json={"token": token})
    assert ok.status_code == 200, ok.text
    assert ok.json()["confirmed"]["work_email"] == addr
    item = queue_ids(mod)[mine["id"]]
    assert item["user"]["username"] == doer.user["username"] and item["free_mail"] is False
    assert item["community_role"]["slug"] == "practitioner" and item["note"] == NOTE
    again = requests.post(site.url("/api/v1/me/verification/confirm"), json={"token": token})
    assert assert_error(again, 400, "invalid_input", "token")

    t = new_thread(doer)
    d = mod.post("/api/v1/mod/verifications/%d/decision" % mine["id"], json={"action": "approve"})
    assert d.status_code == 200, d.text
    assert d.json()["decision"]["state"] == "approved"
    assert profile(site, doer.user["username"])["role_verified"] is True
    posts = requests.get(site.url("/api/v1/threads/%d" % t["id"])).json()["posts"]
    assert posts[0]["author"]["role_verified"] is True
    html = requests.get(site.url("/t/%d" % t["id"])).text
    assert "✓ verified" in html
    assert "verified role" in requests.get(site.url("/u/" + doer.user["username"])).text
    assert mine["id"] not in queue_ids(mod)
    notes = doer.get("/api/v1/notifications").json()["notifications"]
    assert any("verified" in (n.get("message") or "") for n in notes), notes
    log = sql(cluster, site, "SELECT action, details->>'request' FROM mod_log WHERE target_id = %s"
              " ORDER BY id DESC LIMIT 1", (str(doer.user["id"]),))
    assert log and log[0] == ("verify_role", str(mine["id"]))
    # verified already: nothing to ask
    assert_error(ask(doer), 409, "conflict")


def test_without_an_address_the_request_is_queued_at_once_and_a_rejection_needs_a_reason(site, cluster, mods):
    mod = mods[0]
    doer = user(site, cluster)
    r = ask(doer)
    assert r.status_code == 201 and r.json()["verification"]["state"] == "open"
    vid = r.json()["verification"]["id"]
    assert vid in queue_ids(mod)
    path = "/api/v1/mod/verifications/%d/decision" % vid
    assert_error(mod.post(path, json={"action": "reject"}), 400, "invalid_input", "reason")
    assert_error(mod.post(path, json={"action": "promote"}), 400, "invalid_input", "action")
    assert mod.post(path, json={"action": "reject", "reason": "Nothing shows it"}).status_code == 200
    assert profile(site, doer.user["username"])["role_verified"] is False
    mine = doer.get("/api/v1/me/verification").json()
    assert mine["verification"]["state"] == "rejected" and mine["verification"]["reason"] == "Nothing shows it"
    assert mine["can_request"] is True
    notes = doer.get("/api/v1/notifications").json()["notifications"]
    assert any("Nothing shows it" in (n.get("message") or "") for n in notes), notes
    # a rejected request is closed: the member may ask again
    assert ask(doer).status_code == 201


def test_a_helper_cannot_ask_to_be_verified_as_a_practitioner(site, cluster):
    vendor = user(site, cluster, "vendor")
    assert_error(ask(vendor, community_role="practitioner"), 400, "invalid_input", "community_role")
    assert_error(ask(vendor, community_role="wizard"), 400, "invalid_input", "community_role")
    assert vendor.get("/api/v1/me/verification").json()["verification"] is None


def test_bad_input_is_refused_with_the_error_shape(site, cluster):
    c = user(site, cluster)
    assert_error(ask(c, note=""), 400, "invalid_input", "note")
    assert_error(ask(c, note="x" * 2001), 400, "invalid_input", "note")
    assert_error(ask(c, note=5), 400, "invalid_input", "note")
    assert_error(ask(c, work_email="not an address"), 400, "invalid_input", "work_email")
    bad = c.req("POST", "/api/v1/me/verification", data=b'{"community_role":"practitioner","note":"\xff\xfe"}',
                headers={"Content-Type": "application/json"})
    assert bad.status_code == 400
    assert_error(c.post("/api/v1/me/verification", json={"note": NOTE}), 400, "invalid_input", "community_role")
    nocsrf = c.s.post(site.url("/api/v1/me/verification"), json={"community_role": "practitioner", "note": NOTE})
    assert nocsrf.status_code == 403
    assert_error(requests.post(site.url("/api/v1/me/verification"), json={"note": NOTE}), 401, "unauthenticated")
    assert c.get("/api/v1/me/verification").json()["verification"] is None


def test_forged_and_used_links_are_refused(site, cluster, smtp):
    forged = secrets.token_urlsafe(32)
    assert_error(requests.post(site.url("/api/v1/me/verification/confirm"), json={"token": forged}),
                 400, "invalid_input", "token")
    assert requests.get(site.url("/verification/confirm?token=" + forged)).status_code == 400
    assert_error(requests.post(site.url("/api/v1/me/verification/confirm"), json={"token": "short"}),
                 400, "invalid_input", "token")
    # an address-confirmation token of another purpose does not confirm a work address
    c = user(site, cluster)
    addr = unique("w") + "@gmail.com"
    assert ask(c, work_email=addr).status_code == 201
    _, token = LINK.search(text_of(wait_mail(smtp, addr))).groups()
    assert sql(cluster, site, "SELECT free_mail FROM role_verifications WHERE user_id = %s",
               (c.user["id"],))[0][0] is True
    assert_error(requests.post(site.url("/api/v1/email/verify"), json={"token": token}), 400, "invalid_input", "token")


def test_changing_ones_role_drops_the_verification_and_withdraws_a_waiting_request(site, cluster, mods):
    mod = mods[0]
    c = user(site, cluster)
    vid = ask(c).json()["verification"]["id"]
    assert mod.post("/api/v1/mod/verifications/%d/decision" % vid, json={"action": "approve"}).status_code == 200
    path = "/api/v1/users/" + c.user["username"]
    assert c.patch(path, json={"community_role": "practitioner"}).json()["user"]["role_verified"] is True
    assert c.patch(path, json={"community_role": "vendor"}).json()["user"]["role_verified"] is False
    # a waiting request for the old role is withdrawn; deciding it is refused
    vid2 = ask(c, community_role="vendor").json()["verification"]["id"]
    assert c.patch(path, json={"community_role": "analyst"}).status_code == 200
    assert vid2 not in queue_ids(mod)
    assert_error(mod.post("/api/v1/mod/verifications/%d/decision" % vid2, json={"action": "approve"}), 409, "conflict")
    assert profile(site, c.user["username"])["role_verified"] is False
    # any path: SQL by hand too
    vid3 = ask(c, community_role="analyst").json()["verification"]["id"]
    assert mod.post("/api/v1/mod/verifications/%d/decision" % vid3, json={"action": "approve"}).status_code == 200
    sql(cluster, site, "UPDATE users SET community_role = 'trainer' WHERE id = %s", (c.user["id"],))
    assert profile(site, c.user["username"])["role_verified"] is False


def test_two_moderators_deciding_at_once_exactly_one_wins(site, cluster, mods):
    c = user(site, cluster)
    vid = ask(c).json()["verification"]["id"]
    path = "/api/v1/mod/verifications/%d/decision" % vid
    barrier = threading.Barrier(2)
    got = [None, None]

    def decide(i, body):
        barrier.wait()
        got[i] = mods[i].post(path, json=body)

    ts = [threading.Thread(target=decide, args=(0, {"action": "approve"})),
          threading.Thread(target=decide, args=(1, {"action": "reject", "reason": "no"}))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    codes = sorted(r.status_code for r in got)
    assert codes == [200, 409], [r.text for r in got]
    lost = next(r for r in got if r.status_code == 409)
    assert "Already decided" in lost.json()["error"]["message"]
    n = sql(cluster, site, "SELECT count(*) FROM mod_log WHERE details->>'request' = %s", (str(vid),))[0][0]
    assert n == 1


def test_members_cannot_see_the_queue_nor_decide(site, cluster, mods):
    c = user(site, cluster)
    other = user(site, cluster)
    vid = ask(other).json()["verification"]["id"]
    assert_error(c.get("/api/v1/mod/verifications"), 403, "forbidden")
    assert_error(c.post("/api/v1/mod/verifications/%d/decision" % vid, json={"action": "approve"}), 403, "forbidden")
    assert c.get("/mod/verifications").status_code == 403
    # one's own request only: nobody else's evidence
    assert c.get("/api/v1/me/verification").json()["verification"] is None
    assert NOTE not in requests.get(site.url("/u/" + other.user["username"])).text
    assert_error(mods[0].post("/api/v1/mod/verifications/999999/decision", json={"action": "approve"}),
                 404, "not_found")


def test_the_pages_work_without_script(site, cluster, mods):
    c = user(site, cluster)
    page = c.get("/settings/verification")
    assert page.status_code == 200 and '<label for="note">' in page.text
    r = c.s.post(site.url("/settings/verification"), allow_redirects=False,
                 data={"csrf": c.csrf, "community_role": "practitioner", "note": NOTE, "work_email": ""})
    assert r.status_code == 303, r.text
    assert "waiting for a moderator" in c.get("/settings/verification").text
    q = mods[0].get("/mod/verifications")
    assert q.status_code == 200 and c.user["username"] in q.text
    vid = c.get("/api/v1/me/verification").json()["verification"]["id"]
    d = mods[0].s.post(site.url("/mod/verifications/%d/decision" % vid), allow_redirects=False,
                       data={"csrf": mods[0].csrf, "action": "approve"})
    assert d.status_code == 303 and d.headers["Location"] == "/mod/verifications"
    assert profile(site, c.user["username"])["role_verified"] is True


def test_verified_only_counts_differ_from_all(site, cluster, mods):
    mod = mods[0]
    verified = user(site, cluster)
    plain = user(site, cluster)
    vendor = user(site, cluster, "vendor")
    for c in (verified, vendor):
        vid = ask(c).json()["verification"]["id"]
        assert mod.post("/api/v1/mod/verifications/%d/decision" % vid, json={"action": "approve"}).status_code == 200
    t = new_thread(plain)
    p1 = reply(verified, t["id"], "from a verified practitioner")
    reply(vendor, t["id"], "from a verified vendor")
    for c in (plain, vendor):
        assert c.post("/api/v1/posts/%d/reactions/plus_one" % p1["id"]).status_code in (200, 201)

    def thread(q):
        r = requests.get(site.url("/api/v1/threads/%d%s" % (t["id"], q)))
        assert r.status_code == 200, r.text
        return r.json()

    everyone, only = thread(""), thread("?verified=1")
    assert everyone["thread"]["voices"]["participants"] == 3
    assert everyone["thread"]["voices"]["doers"] == 2
    v = only["thread"]["voices"]
    assert v["participants"] == 2 and v["doers"] == 1 and v["verified_only"] is True
    assert {b["slug"]: b["count"] for b in v["by_role"]} == {"practitioner": 1, "vendor": 1}

    def plus(data):
        post = next(p for p in data["posts"] if p["id"] == p1["id"])
        return {k["kind"]: k["total"] for k in post["reactions"]}

    assert plus(everyone)["plus_one"] == 2 and plus(only)["plus_one"] == 1
    # a reaction counts as the role stored with it: the vendor's +1 stays a vendor's
    sql(cluster, site, "UPDATE users SET community_role = 'practitioner', role_verified = true WHERE id = %s",
        (vendor.user["id"],))
    # (signed in: SQL by hand reaches the anonymous page cache's invalidation a moment later)
    assert plus(plain.get("/api/v1/threads/%d?verified=1" % t["id"]).json())["plus_one"] == 0
    assert_error(requests.get(site.url("/api/v1/threads/%d?verified=yes" % t["id"])), 400, "invalid_input", "verified")
    html = requests.get(site.url("/t/%d?verified=1" % t["id"])).text
    assert "verified members only</strong>" in html and 'href="?verified=0"' in html

    cat = requests.get(site.url("/api/v1/voices?category=general")).json()["by_category"][0]
    vcat = requests.get(site.url("/api/v1/voices?category=general&verified=1")).json()
    assert vcat["verified_only"] is True
    # the verified vendor now counts as a verified practitioner; plain does not count
    assert cat["participants"] - vcat["by_category"][0]["participants"] >= 1
    week = vcat["by_week"][-1]
    assert week["participants"] >= 2 and week["doers"] >= 2

    idea = mod.post("/api/v1/ideas", json={"title": unique("Idea "), "summary": "s"}).json()["idea"]["number"]
    for c in (verified, plain):
        assert c.post("/api/v1/ideas/%d/votes" % idea).status_code in (200, 201)
    all_votes = requests.get(site.url("/api/v1/ideas/%d" % idea)).json()["idea"]["votes"]
    ver_votes = requests.get(site.url("/api/v1/ideas/%d?verified=1" % idea)).json()["idea"]["votes"]
    assert all_votes["total"] == 2 and all_votes["by_kind"]["doer"] == 2
    assert ver_votes["total"] == 1 and ver_votes["by_kind"]["doer"] == 1 and ver_votes["verified_only"] is True
    board = requests.get(site.url("/api/v1/ideas?verified=1")).json()["ideas"]
    assert next(i for i in board if i["number"] == idea)["votes"]["total"] == 1
    assert "verified members only" in requests.get(site.url("/ideas/%d" % idea)).text


def test_verified_only_survey_breakdown_counts_verified_respondents_as_their_stored_role(site, cluster, mods):
    mod = mods[0]
    verified, plain = user(site, cluster), user(site, cluster)
    vid = ask(verified).json()["verification"]["id"]
    assert mod.post("/api/v1/mod/verifications/%d/decision" % vid, json={"action": "approve"}).status_code == 200
    r = mod.post("/api/v1/surveys", json={"title": unique("Survey "), "intro": "",
                                          "questions": [{"kind": "single", "prompt": "Shifts?", "options": ["2", "3"]}]})
    assert r.status_code == 201, r.text
    s = r.json()["survey"]
    q = s["questions"][0]
    for c, opt in ((verified, 0), (plain, 1)):
        got = c.put("/api/v1/surveys/%d/response" % s["id"],
                    json={"answers": [{"question_id": q["id"], "option_ids": [q["options"][opt]["id"]]}]})
        assert got.status_code == 200, got.text
    path = "/api/v1/surveys/%d/results" % s["id"]
    everyone, only = mod.get(path).json(), mod.get(path + "?verified=1").json()
    assert everyone["respondents"]["total"] == 2 and only["respondents"]["total"] == 1
    assert only["verified_only"] is True
    assert [o["total"] for o in only["questions"][0]["options"]] == [1, 0]
    assert [o["total"] for o in everyone["questions"][0]["options"]] == [1, 1]
    assert "verified members only</strong>" in mod.get("/surveys/%d/results?verified=1" % s["id"]).text


def test_a_decision_is_mailed_through_the_moderation_mail_preference(site, cluster, smtp, mods):
    c = user(site, cluster)
    addr = unique("m") + "@example.net"
    sql(cluster, site, "UPDATE users SET email = %s, email_verified_at = now() WHERE id = %s", (addr, c.user["id"]))
    vid = ask(c).json()["verification"]["id"]
    d = mods[0].post("/api/v1/mod/verifications/%d/decision" % vid, json={"action": "reject", "reason": "Say more"})
    assert d.status_code == 200, d.text
    assert "Say more" in text_of(wait_mail(smtp, addr))


def test_ones_requests_are_in_the_export_and_go_with_the_account(site, cluster):
    c = user(site, cluster)
    assert ask(c).status_code == 201
    got = c.get("/api/v1/me/export").json()["role_verifications"]
    assert [(v["community_role"], v["note"], v["state"]) for v in got] == [("practitioner", NOTE, "open")]
    r = c.req("DELETE", "/api/v1/me", json={"password": c.password, "confirm": c.user["username"]})
    assert r.status_code in (200, 204), r.text
    assert sql(cluster, site, "SELECT count(*) FROM role_verifications WHERE user_id = %s", (c.user["id"],))[0][0] == 0
