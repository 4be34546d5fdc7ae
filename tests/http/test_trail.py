"""Issue 21 (part): the trail from a post to an idea ("you were heard") on profiles, the
practitioners among an idea's source posts, and the public monthly report."""
import datetime
import time

import pytest
import requests

from conftest import assert_error, make_user, new_thread, reply, unique


@pytest.fixture(scope="module")
def mod(server, cluster):
    return make_user(server, cluster, "moderator", "consultant")


@pytest.fixture(scope="module")
def nominator(server, cluster):
    return make_user(server, cluster)


def item_for(mod, post_id):
    items = [i for i in mod.get("/api/v1/mod/queue", params={"kind": "ideas"}).json()["items"]
             if (i.get("post") or {}).get("id") == post_id]
    assert len(items) == 1, items
    return items[0]["id"]


def nominate(nominator, post_id):
    assert nominator.post("/api/v1/posts/%d/nominations" % post_id, json={}).status_code == 201


def decide(mod, item, action, **extra):
    body = {"action": action}
    body.update(extra)
    r = mod.post("/api/v1/mod/queue/%d/decision" % item, json=body)
    assert r.status_code == 200, r.text
    return r.json()


def profile(server, username, client=None):
    r = (client.get if client else lambda p: requests.get(server.url(p)))("/api/v1/users/%s" % username)
    assert r.status_code == 200, r.text
    return r.json()


# --- the trail ---

def test_the_trail_follows_nominated_posts_to_ideas_and_their_status(server, cluster, mod, nominator):
    doer = make_user(server, cluster)
    t = new_thread(doer, body="We keep a *shared* runbook for standard changes")
    heard = t["first_post_id"]
    declined = reply(doer, t["id"], "Let us drop the CAB altogether")["id"]
    waiting = reply(doer, t["id"], "Publish the change calendar")["id"]
    reply(doer, t["id"], "Just a thought, never nominated")
    for p in (heard, declined, waiting):
        nominate(nominator, p)
    idea = decide(mod, item_for(mod, heard), "accept",
                  idea={"title": unique("Shared runbook "), "summary": "A runbook."})["idea"]
    decide(mod, item_for(mod, declined), "decline", reason="not actionable")
    assert mod.patch("/api/v1/ideas/%d" % idea["number"], json={"status": "planned"}).status_code == 200

    trail = profile(server, doer.user["username"])["trail"]
    assert [p["post_id"] for p in trail["posts"]] == [waiting, declined, heard]
    assert [p["nomination"] for p in trail["posts"]] == ["waiting", "declined", "accepted"]
    assert trail["nominated"] == 3 and trail["ideas"] == 1
    first = trail["posts"][2]
    assert first["url"] == "/t/%d#p%d" % (t["id"], heard) and first["nominations"] == 1
    assert first["thread"]["id"] == t["id"] and "shared runbook" in first["excerpt"]
    assert [(i["number"], i["status"], i["url"]) for i in first["ideas"]] == [
        (idea["number"], "planned", "/ideas/%d" % idea["number"])]
    assert trail["posts"][0]["ideas"] == [] and trail["posts"][0]["nominated_at"]

    mine = doer.get("/u/%s" % doer.user["username"]).text
    assert "You were heard" in mine and 'href="/ideas/%d"' % idea["number"] in mine and "Planned" in mine
    theirs = requests.get(server.url("/u/%s" % doer.user["username"])).text
    assert ">Heard <" in theirs and "not taken up" in theirs and "waiting for the moderators" in theirs


def test_the_trail_and_the_idea_never_show_a_hidden_source_to_those_who_may_not_see_it(server, cluster, mod,
                                                                                       nominator):
    doer = make_user(server, cluster)
    t = new_thread(doer)
    secret = reply(doer, t["id"], "Zanzibar-quokka secret wording")["id"]
    kept = reply(doer, t["id"], "A fine public suggestion")["id"]
    idea = mod.post("/api/v1/ideas", json={"title": unique("Hidden source "), "summary": "x",
                                           "source_post_ids": [secret, kept]}).json()["idea"]["number"]
    assert mod.post("/api/v1/posts/%d/hide" % secret, json={"reason": "off topic"}).status_code == 200
    for client in (None, make_user(server, cluster), doer):
        got = (client.get if client else lambda p: requests.get(server.url(p)))
        trail = got("/api/v1/users/%s" % doer.user["username"]).json()["trail"]
        assert [p["post_id"] for p in trail["posts"]] == [kept]
        shown = got("/api/v1/ideas/%d" % idea).json()["idea"]
        assert [s["post_id"] for s in shown["sources"]] == [kept]
        assert shown["source_summary"] == {"posts": 1, "practitioner_posts": 1, "practitioners": 1}
        for path in ("/ideas/%d" % idea, "/u/%s" % doer.user["username"]):
            assert "Zanzibar" not in got(path).text, path
    # moderators see every source, with its text
    shown = mod.get("/api/v1/ideas/%d" % idea).json()["idea"]
    assert sorted(s["post_id"] for s in shown["sources"]) == sorted([secret, kept])
    assert "Zanzibar" in mod.get("/ideas/%d" % idea).text
    assert [p["post_id"] for p in profile(server, doer.user["username"], mod)["trail"]["posts"]] == [kept, secret]


def test_an_idea_says_how_many_of_its_sources_came_from_practitioners(server, cluster, mod):
    doers = [make_user(server, cluster) for _ in range(2)]
    vendor = make_user(server, cluster, community_role="vendor")
    t = new_thread(doers[0])
    posts = [t["first_post_id"], reply(doers[0], t["id"], "again")["id"], reply(doers[1], t["id"], "me too")["id"],
             reply(vendor, t["id"], "our product")["id"]]
    n = mod.post("/api/v1/ideas", json={"title": unique("Mixed sources "), "summary": "x",
                                        "source_post_ids": posts}).json()["idea"]["number"]
    idea = requests.get(server.url("/api/v1/ideas/%d" % n)).json()["idea"]
    assert idea["source_summary"] == {"posts": 4, "practitioner_posts": 3, "practitioners": 2}
    assert [(s["community_role"]["slug"], s["from_practitioner"]) for s in idea["sources"]] == [
        ("practitioner", True)] * 3 + [("vendor", False)]
    page = requests.get(server.url("/ideas/%d" % n)).text
    assert "3 of them by practitioners" in page and 'class="from-practitioner"' in page


# --- the monthly report ---

MONTH = "2011-02"


def test_the_report_of_a_crafted_month(server, cluster, mod):
    doer, doer2 = make_user(server, cluster), make_user(server, cluster)
    vendor = make_user(server, cluster, community_role="vendor")
    n = mod.post("/api/v1/ideas", json={"title": unique("Report idea "), "summary": "x"}).json()["idea"]["number"]
    for c in (doer, doer2, vendor):
        assert c.post("/api/v1/ideas/%d/votes" % n).status_code == 200
    assert mod.patch("/api/v1/ideas/%d" % n, json={"status": "under_review"}).status_code == 200
    assert mod.patch("/api/v1/ideas/%d" % n, json={"status": "planned"}).status_code == 200
    cluster.sql("UPDATE idea_status_history SET at = %s::timestamptz + id * interval '1 second'"
                " WHERE idea = %s", ("2011-02-03T10:00:00Z", n))
    t = new_thread(doer)
    r1 = reply(vendor, t["id"], "vendor reply")["id"]
    r2 = reply(doer2, t["id"], "doer reply")["id"]
    hidden = reply(doer2, t["id"], "hidden reply")["id"]
    assert mod.post("/api/v1/posts/%d/hide" % hidden, json={"reason": "spam"}).status_code == 200
    cluster.sql("UPDATE posts SET created_at = '2011-02-10T12:00:00Z' WHERE id IN (%s, %s, %s, %s)",
                (t["first_post_id"], r1, r2, hidden))
    # a survey open in the month and closed in it, answered by two doers and a vendor
    s = mod.post("/api/v1/surveys", json={"title": unique("Report survey "), "questions": [
        {"kind": "single", "prompt": "Yes?", "options": ["yes", "no"]}]}).json()["survey"]
    opt = s["questions"][0]["options"][0]["id"]
    for c in (doer, doer2, vendor):
        r = c.put("/api/v1/surveys/%d/response" % s["id"],
                  json={"answers": [{"question_id": s["questions"][0]["id"], "option_ids": [opt]}]})
        assert r.status_code in (200, 201), r.text
    cluster.sql("UPDATE surveys SET opens_at = '2011-01-20T00:00:00Z', closes_at = '2011-02-20T00:00:00Z'"
                " WHERE id = %s", (s["id"],))
    open_s = mod.post("/api/v1/surveys", json={"title": unique("Still open "), "questions": [
        {"kind": "text", "prompt": "Why?"}]}).json()["survey"]
    cluster.sql("UPDATE surveys SET opens_at = '2011-02-25T00:00:00Z' WHERE id = %s", (open_s["id"],))

    rep = requests.get(server.url("/api/v1/report/" + MONTH)).json()
    assert rep["month"] == MONTH and rep["prev"] == "2011-01" and rep["next"] == "2011-03"
    moved = [(m["number"], m["from"], m["to"]) for m in rep["ideas_moved"]]
    assert moved == [(n, "new", "under_review"), (n, "under_review", "planned")]
    assert rep["ideas_moved"][0]["votes"] == 3 and rep["ideas_moved"][0]["doer_votes"] == 2
    assert rep["ideas_moved"][0]["doer_share"] == 0.667
    assert rep["ideas_summary"] == {"changes": 2, "ideas": 1, "votes": 3, "doer_votes": 2, "doer_share": 0.667,
                                    "doer_share_pct": "67 %"}
    roles = {r["slug"]: r for r in rep["roles"]}
    assert (roles["practitioner"]["threads"], roles["practitioner"]["posts"]) == (1, 2)   # hidden not counted
    assert (roles["vendor"]["threads"], roles["vendor"]["posts"]) == (0, 1)
    assert rep["activity"]["posts"] == 3 and rep["activity"]["doer_share_posts"] == 0.667
    members = dict(cluster.sql("SELECT community_role, count(*) FROM users WHERE deleted_at IS NULL GROUP BY 1"))
    assert {k: v["members"] for k, v in roles.items() if v["members"]} == members
    assert rep["community"]["members"] == sum(members.values())
    surveys = {x["id"]: x for x in rep["surveys"]}
    closed = surveys[s["id"]]
    assert closed["status"] == "closed" and closed["closed_in_month"] and closed["respondents"] == 3
    by_role = {x["slug"]: x for x in closed["by_role"]}
    assert by_role["practitioner"]["respondents"] == 2 and by_role["vendor"]["share"] == 0.333
    assert by_role["vendor"]["community_share"] == round(members["vendor"] / sum(members.values()), 3)
    assert closed["doer_share"] == 0.667
    assert surveys[open_s["id"]]["status"] == "open" and surveys[open_s["id"]]["by_role"] is None

    page = requests.get(server.url("/report/" + MONTH))
    assert page.status_code == 200 and "February 2011" in page.text
    assert "IDEA-%d" % n in page.text and "Under review" in page.text and "67 %" in page.text
    assert 'href="/report/2011-01"' in page.text and "<caption" in page.text


def test_the_report_is_cached_for_anonymous_readers_until_something_moves(server, cluster, mod):
    month = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m")
    url = server.url("/report/" + month)
    requests.get(url)
    assert requests.get(url).headers.get("X-Cache") == "hit"
    n = mod.post("/api/v1/ideas", json={"title": unique("Cache idea "), "summary": "x"}).json()["idea"]["number"]
    assert mod.patch("/api/v1/ideas/%d" % n, json={"status": "done"}).status_code == 200
    for _ in range(50):   # the invalidation arrives through NOTIFY
        page = requests.get(url)
        if "IDEA-%d" % n in page.text:
            break
        time.sleep(0.05)
    assert "IDEA-%d" % n in page.text


def test_the_current_report_and_bad_months(server):
    month = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m")
    r = requests.get(server.url("/report"), allow_redirects=False)
    assert r.status_code == 302 and r.headers["Location"] == "/report/" + month
    cur = requests.get(server.url("/api/v1/report")).json()
    assert cur["month"] == month and cur["current"] is True and cur["next"] is None
    for bad in ("2011-13", "2011-00", "2011-2", "1999-12", "abcd-ef", "2011-02-01", "2011_02", "%C3%A9"):
        assert_error(requests.get(server.url("/api/v1/report/" + bad)), 400, "invalid_input", "month")
        assert requests.get(server.url("/report/" + bad)).status_code == 400
    assert_error(requests.get(server.url("/api/v1/report/2999-01")), 404, "not_found")
    assert requests.get(server.url("/api/v1/report/2000-01")).json()["prev"] is None
