"""Issue 6: the idea corral — ideas, sources, status history, votes (once per member, also
under parallel load), merging without double counting, IDEA-n references, the board,
the idea page and its feed."""
import json
import os
import re
import subprocess
import threading
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from conftest import CORRAL, assert_error, make_user, new_thread, reply, unique

PROBE = os.path.join(os.path.dirname(os.path.dirname(CORRAL)), "tests", "ideas_queue_probe")


def create_idea(mod, title=None, summary="We should **do** this.", sources=None):
    body = {"title": title or unique("Idea "), "summary": summary}
    if sources is not None:
        body["source_post_ids"] = sources
    r = mod.post("/api/v1/ideas", json=body)
    assert r.status_code == 201, r.text
    return r.json()["idea"]


def get_idea(server, n, client=None):
    r = (client.get if client else lambda p: requests.get(server.url(p)))("/api/v1/ideas/%d" % n)
    assert r.status_code == 200, r.text
    return r.json()["idea"]


def vote_rows(cluster, n):
    return cluster.sql("SELECT count(*) FROM idea_votes WHERE idea = %s", (n,))[0][0]


# --- creating, the idea object ---

def test_moderator_creates_an_idea_with_source_posts_and_history(server, cluster, member, moderator):
    t = new_thread(member, body="We keep paying for shelfware.")
    p = reply(member, t["id"], "Audit the licences every quarter.")
    r = moderator.post("/api/v1/ideas", json={"title": "  Quarterly licence audit  ",
                                              "summary": "Audit *every* quarter.",
                                              "source_post_ids": [t["first_post_id"], p["id"]]})
    assert r.status_code == 201, r.text
    idea = r.json()["idea"]
    n = idea["number"]
    assert r.headers["Location"] == "/ideas/%d" % n
    assert set(idea) >= {"number", "ref", "title", "summary_html", "status", "sources", "votes", "history",
                         "merged_into", "references", "voted"}
    assert idea["ref"] == "IDEA-%d" % n and idea["title"] == "Quarterly licence audit"
    assert idea["status"] == "new" and idea["merged_into"] is None
    assert "<em>every</em>" in idea["summary_html"]
    assert [(s["post_id"], s["thread_id"], s["url"]) for s in idea["sources"]] == [
        (t["first_post_id"], t["id"], "/t/%d#p%d" % (t["id"], t["first_post_id"])),
        (p["id"], t["id"], "/t/%d#p%d" % (t["id"], p["id"]))]
    assert idea["votes"] == {"total": 0, "by_role": [], "by_kind": {"doer": 0, "helper": 0}}
    [h] = idea["history"]
    assert h["status"] == "new" and h["by"]["username"] == moderator.user["username"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", h["at"]) and h["reason"] is None
    assert get_idea(server, n) == dict(idea, voted=False)
    assert ("create_idea", moderator.user["id"]) in cluster.sql(
        "SELECT action, actor_id FROM mod_log WHERE target_type = 'idea' AND target_id = %s", (str(n),))
    # numbers are sequential references
    assert create_idea(moderator)["number"] > n


def test_an_idea_may_start_without_sources(server, moderator):
    assert create_idea(moderator)["sources"] == []


@pytest.mark.parametrize("body,field", [
    ({"summary": "x"}, "title"),
    ({"title": "ab", "summary": "x"}, "title"),
    ({"title": "   ", "summary": "x"}, "title"),
    ({"title": "x" * 201, "summary": "x"}, "title"),
    ({"title": 7, "summary": "x"}, "title"),
    ({"title": "Fine title"}, "summary"),
    ({"title": "Fine title", "summary": ""}, "summary"),
    ({"title": "Fine title", "summary": " \n "}, "summary"),
    ({"title": "Fine title", "summary": "y" * 50001}, "summary"),
    ({"title": "Fine title", "summary": ["x"]}, "summary"),
    ({"title": "Fine title", "summary": "a\u0000b"}, None),
    ({"title": "Fine title", "summary": "x", "source_post_ids": "12"}, "source_post_ids"),
    ({"title": "Fine title", "summary": "x", "source_post_ids": ["one"]}, "source_post_ids"),
    ({"title": "Fine title", "summary": "x", "source_post_ids": [0]}, "source_post_ids"),
    ({"title": "Fine title", "summary": "x", "source_post_ids": [999999999]}, "source_post_ids"),
    ({"title": "Fine title", "summary": "x", "source_post_ids": list(range(1, 52))}, "source_post_ids"),
])
def test_idea_creation_refuses_bad_input(server, cluster, moderator, body, field):
    before = cluster.sql("SELECT count(*) FROM ideas")[0][0]
    assert_error(moderator.post("/api/v1/ideas", json=body), 400, "invalid_input", field)
    assert cluster.sql("SELECT count(*) FROM ideas")[0][0] == before


def test_idea_creation_refuses_invalid_utf8_wrong_type_and_deleted_sources(server, cluster, member, moderator):
    r = moderator.s.post(server.url("/api/v1/ideas"), data=b'{"title": "\xff\xfe", "summary": "x"}',
                         headers={"Content-Type": "application/json", "X-CSRF-Token": moderator.csrf})
    assert_error(r, 400, "invalid_input")
    r = moderator.s.post(server.url("/api/v1/ideas"), data="title=x", headers={"Content-Type": "text/plain",
                                                                                "X-CSRF-Token": moderator.csrf})
    assert_error(r, 415, "unsupported_media_type")
    t = new_thread(member)
    p = reply(member, t["id"], "gone soon")
    member.delete("/api/v1/posts/%d" % p["id"])
    assert_error(moderator.post("/api/v1/ideas", json={"title": "From a deleted post", "summary": "x",
                                                       "source_post_ids": [p["id"]]}),
                 400, "invalid_input", "source_post_ids")


def test_members_and_anonymous_are_refused_on_moderator_routes(server, member, moderator):
    idea = create_idea(moderator)
    other = create_idea(moderator)
    n = idea["number"]
    # a member's idea is a proposal waiting for a moderator (test_idea_proposals.py), not an idea
    r = member.post("/api/v1/ideas", json={"title": "Mine", "summary": "x"})
    assert r.status_code == 202 and r.json()["proposal"]["status"] == "pending", r.text
    assert_error(member.patch("/api/v1/ideas/%d" % n, json={"status": "done"}), 403, "forbidden")
    assert_error(member.post("/api/v1/ideas/%d/merge" % n, json={"into": other["number"]}), 403, "forbidden")
    anon = requests.Session()
    assert_error(anon.post(server.url("/api/v1/ideas"), json={"title": "Mine", "summary": "x"}), 401,
                 "unauthenticated")
    assert_error(anon.patch(server.url("/api/v1/ideas/%d" % n), json={"status": "done"}), 401, "unauthenticated")
    assert_error(anon.post(server.url("/api/v1/ideas/%d/merge" % n), json={"into": 1}), 401, "unauthenticated")
    # and a moderator's cookie without the CSRF token does nothing
    assert_error(moderator.patch("/api/v1/ideas/%d" % n, json={"status": "done"}, csrf=False), 403, "csrf")
    assert get_idea(server, n)["status"] == "new"
    # HTML forms: members get the page back with 403
    r = member.s.post(server.url("/ideas/%d" % n), data={"csrf": member.csrf, "status": "done"},
                      allow_redirects=False)
    assert r.status_code == 403 and get_idea(server, n)["status"] == "new"


def test_unknown_ideas_are_404(server, member, moderator):
    assert_error(requests.get(server.url("/api/v1/ideas/999999999")), 404, "not_found")
    assert_error(requests.get(server.url("/api/v1/ideas/abc")), 404, "not_found")
    assert_error(member.post("/api/v1/ideas/999999999/votes"), 404, "not_found")
    assert_error(moderator.patch("/api/v1/ideas/999999999", json={"status": "done"}), 404, "not_found")
    assert_error(moderator.post("/api/v1/ideas/999999999/merge", json={"into": 1}), 404, "not_found")
    assert requests.get(server.url("/ideas/999999999")).status_code == 404


# --- the ideas queue: the functions its decisions call (forum/ideas.h) ---

def probe(cluster, action, actor, post, idea):
    out = subprocess.run([PROBE, cluster.url, action, str(actor), str(post), json.dumps(idea)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_the_ideas_queue_accepts_a_nomination_as_a_new_idea(server, cluster, member, moderator):
    t = new_thread(member)
    p = reply(member, t["id"], "Publish the CAB calendar")
    idea = probe(cluster, "accept", moderator.user["id"], p["id"],
                 {"title": " Public CAB calendar ", "summary": "Publish it *weekly*."})
    assert "error" not in idea, idea
    assert idea["title"] == "Public CAB calendar" and idea["status"] == "new"
    assert "<em>weekly</em>" in idea["summary_html"]
    assert [(s["post_id"], s["url"]) for s in idea["sources"]] == [(p["id"], "/t/%d#p%d" % (t["id"], p["id"]))]
    assert [(h["status"], h["by"]["id"]) for h in idea["history"]] == [("new", moderator.user["id"])]
    assert get_idea(server, idea["number"], moderator) == idea  # the object GET shows


@pytest.mark.parametrize("idea,code,field", [
    ({"title": "ab", "summary": "x"}, "invalid_input", "idea.title"),
    ({"summary": "x"}, "invalid_input", "idea.title"),
    ({"title": 5, "summary": "x"}, "invalid_input", "idea.title"),
    ({"title": "Fine title"}, "invalid_input", "idea.summary"),
    ({"title": "Fine title", "summary": "  "}, "invalid_input", "idea.summary"),
    ({"title": "Fine title", "summary": "y" * 50001}, "invalid_input", "idea.summary"),
    ("a string", "invalid_input", "idea"),
])
def test_the_ideas_queue_refuses_a_bad_new_idea_and_stores_nothing(server, cluster, member, moderator, idea, code,
                                                                   field):
    t = new_thread(member)
    before = cluster.sql("SELECT count(*) FROM ideas")[0][0]
    out = probe(cluster, "accept", moderator.user["id"], t["first_post_id"], idea)
    assert out["error"]["code"] == code and out["error"]["field"] == field and out["error"]["message"]
    assert cluster.sql("SELECT count(*) FROM ideas")[0][0] == before


def test_the_ideas_queue_attaches_a_nomination_to_an_existing_idea(server, cluster, member, moderator):
    t = new_thread(member)
    p1 = reply(member, t["id"], "first")["id"]
    p2 = reply(member, t["id"], "second")["id"]
    n = create_idea(moderator, sources=[p1])["number"]
    for _ in range(2):  # attaching the same post twice keeps one source
        idea = probe(cluster, "attach", moderator.user["id"], p2, {"number": n})
        assert idea["number"] == n and [s["post_id"] for s in idea["sources"]] == [p1, p2]
    for bad, code in (({"number": 999999999}, "not_found"), ({"number": "x"}, "invalid_input"),
                      ({"number": 0}, "invalid_input"), ({}, "invalid_input"), ([], "invalid_input")):
        out = probe(cluster, "attach", moderator.user["id"], p1, bad)
        assert out["error"]["code"] == code and out["error"]["field"] == "idea.number", out
    other = create_idea(moderator)["number"]
    moderator.post("/api/v1/ideas/%d/merge" % n, json={"into": other})
    out = probe(cluster, "attach", moderator.user["id"], p1, {"number": n})
    assert out["error"]["code"] == "not_found" and out["error"]["field"] == "idea.number"
    assert get_idea(server, other)["sources"] and get_idea(server, n)["sources"] == []


# --- status ---

def test_status_is_validated_and_every_change_is_in_the_history_and_the_log(server, cluster, moderator, admin):
    n = create_idea(moderator)["number"]
    for bad in ("shipped", "", "NEW", 3, None):
        if bad is None:
            continue
        assert_error(moderator.patch("/api/v1/ideas/%d" % n, json={"status": bad}), 400, "invalid_input", "status")
    assert_error(moderator.patch("/api/v1/ideas/%d" % n, json={"status": "planned", "reason": "r" * 501}), 400,
                 "invalid_input", "reason")
    r = moderator.patch("/api/v1/ideas/%d" % n, json={"status": "under_review", "reason": "Looking at it"})
    assert r.status_code == 200 and r.json()["idea"]["status"] == "under_review"
    assert admin.patch("/api/v1/ideas/%d" % n, json={"status": "planned", "reason": "For Q3"}).status_code == 200
    # the same status again is no change
    assert moderator.patch("/api/v1/ideas/%d" % n, json={"status": "planned"}).status_code == 200
    history = get_idea(server, n)["history"]
    assert [(h["status"], h["by"]["username"], h["reason"]) for h in history] == [
        ("new", moderator.user["username"], None),
        ("under_review", moderator.user["username"], "Looking at it"),
        ("planned", admin.user["username"], "For Q3")]
    log = cluster.sql("SELECT action, reason, details FROM mod_log WHERE target_type = 'idea' AND target_id = %s"
                      " AND action = 'idea_status' ORDER BY id", (str(n),))
    assert [(a, why, d) for a, why, d in log] == [
        ("idea_status", "Looking at it", {"from": "new", "to": "under_review"}),
        ("idea_status", "For Q3", {"from": "under_review", "to": "planned"})]
    # title and summary edits
    r = moderator.patch("/api/v1/ideas/%d" % n, json={"title": "Renamed idea", "summary": "New *text*"})
    assert r.json()["idea"]["title"] == "Renamed idea" and "<em>text</em>" in r.json()["idea"]["summary_html"]
    assert_error(moderator.patch("/api/v1/ideas/%d" % n, json={"title": "x"}), 400, "invalid_input", "title")
    assert_error(moderator.patch("/api/v1/ideas/%d" % n, json={"summary": ""}), 400, "invalid_input", "summary")


def test_board_filters_by_status_and_sorts_by_votes_or_newest(server, cluster, moderator):
    a, b, c = create_idea(moderator), create_idea(moderator), create_idea(moderator)
    voters = [make_user(server, cluster) for _ in range(3)]
    for v in voters:
        assert v.post("/api/v1/ideas/%d/votes" % b["number"]).status_code == 200
    voters[0].post("/api/v1/ideas/%d/votes" % c["number"])
    status = "in_progress"
    for i in (a, b, c):
        moderator.patch("/api/v1/ideas/%d" % i["number"], json={"status": status})
    moderator.patch("/api/v1/ideas/%d" % a["number"], json={"status": "done"})
    mine = {a["number"], b["number"], c["number"]}

    def board(**params):
        r = requests.get(server.url("/api/v1/ideas"), params=params)
        assert r.status_code == 200, r.text
        return r.json()

    by_votes = [i["number"] for i in board(status=status, sort="votes")["ideas"] if i["number"] in mine]
    assert by_votes == [b["number"], c["number"]]
    newest = [i["number"] for i in board(status=status, sort="new")["ideas"] if i["number"] in mine]
    assert newest == [c["number"], b["number"]]
    done = board(status="done")
    assert a["number"] in [i["number"] for i in done["ideas"]] and done["status"] == "done"
    assert all(i["status"] == "done" for i in done["ideas"])
    row = [i for i in board(status=status)["ideas"] if i["number"] == b["number"]][0]
    assert row["votes"]["total"] == 3 and row["votes"]["by_kind"] == {"doer": 3, "helper": 0}
    assert row["ref"] == "IDEA-%d" % b["number"] and row["voted"] is False
    assert_error(requests.get(server.url("/api/v1/ideas?status=shipped")), 400, "invalid_input", "status")
    assert_error(requests.get(server.url("/api/v1/ideas?sort=loudest")), 400, "invalid_input", "sort")
    assert_error(requests.get(server.url("/api/v1/ideas?page=0")), 400, "invalid_input", "page")


# --- votes ---

def test_a_member_votes_once_and_a_repeated_vote_is_a_no_op(server, cluster, member, moderator):
    n = create_idea(moderator)["number"]
    for _ in range(3):
        r = member.post("/api/v1/ideas/%d/votes" % n)
        assert r.status_code == 200, r.text
        assert r.json()["votes"]["total"] == 1 and r.json()["voted"] is True
    assert vote_rows(cluster, n) == 1
    idea = get_idea(server, n, member)
    assert idea["voted"] is True and idea["votes"]["total"] == 1
    assert idea["votes"]["by_role"] == [{"slug": "practitioner", "label": "Practitioner", "kind": "doer", "count": 1}]
    assert get_idea(server, n)["voted"] is False  # anonymous


def test_forty_identical_votes_in_parallel_count_once(server, cluster, member, moderator):
    n = create_idea(moderator)["number"]
    barrier = threading.Barrier(40)

    def vote(_):
        s = requests.Session()
        s.cookies.update(member.s.cookies)
        barrier.wait()
        return s.post(server.url("/api/v1/ideas/%d/votes" % n), headers={"X-CSRF-Token": member.csrf})

    with ThreadPoolExecutor(40) as pool:
        results = list(pool.map(vote, range(40)))
    assert [r.status_code for r in results] == [200] * 40, [r.text for r in results if r.status_code != 200][:3]
    assert vote_rows(cluster, n) == 1
    assert cluster.sql("SELECT vote_count FROM ideas WHERE number = %s", (n,))[0][0] == 1
    assert get_idea(server, n)["votes"]["total"] == 1


def test_thirty_members_voting_in_parallel_are_all_counted(server, cluster, moderator):
    n = create_idea(moderator)["number"]
    roles = ["practitioner", "consultant", "vendor"]
    with ThreadPoolExecutor(2) as pool:  # the server hashes two passwords at a time
        members = list(pool.map(lambda i: make_user(server, cluster, community_role=roles[i % 3], trusted=False),
                                range(30)))
    barrier = threading.Barrier(30)

    def vote(m):
        barrier.wait()
        return m.post("/api/v1/ideas/%d/votes" % n)

    with ThreadPoolExecutor(30) as pool:
        results = list(pool.map(vote, members))
    assert [r.status_code for r in results] == [200] * 30
    assert vote_rows(cluster, n) == 30
    votes = get_idea(server, n)["votes"]
    assert votes["total"] == 30
    assert {r["slug"]: r["count"] for r in votes["by_role"]} == {"practitioner": 10, "consultant": 10, "vendor": 10}
    assert votes["by_kind"] == {"doer": 10, "helper": 20}


def test_unvote_removes_the_vote_and_repeating_it_is_harmless(server, cluster, member, moderator):
    n = create_idea(moderator)["number"]
    member.post("/api/v1/ideas/%d/votes" % n)
    for _ in range(2):
        r = member.delete("/api/v1/ideas/%d/votes" % n)
        assert r.status_code == 200 and r.json()["votes"]["total"] == 0 and r.json()["voted"] is False
    assert vote_rows(cluster, n) == 0
    assert cluster.sql("SELECT vote_count FROM ideas WHERE number = %s", (n,))[0][0] == 0


def test_voting_needs_an_active_signed_in_member_with_csrf(server, member, moderator):
    n = create_idea(moderator)["number"]
    assert_error(requests.post(server.url("/api/v1/ideas/%d/votes" % n)), 401, "unauthenticated")
    assert_error(member.post("/api/v1/ideas/%d/votes" % n, csrf=False), 403, "csrf")
    moderator.post("/api/v1/users/%s/suspension" % member.user["username"],
                   json={"until": "2099-01-01T00:00:00Z", "reason": "cooling off"})
    assert_error(member.post("/api/v1/ideas/%d/votes" % n), 403, "forbidden")
    assert_error(member.delete("/api/v1/ideas/%d/votes" % n), 403, "forbidden")
    assert get_idea(server, n)["votes"]["total"] == 0


def test_votes_are_split_by_community_role_on_the_board_and_the_page(server, cluster, moderator):
    n = create_idea(moderator)["number"]
    for role in ("practitioner", "practitioner", "consultant", "vendor", "analyst"):
        make_user(server, cluster, community_role=role).post("/api/v1/ideas/%d/votes" % n)
    votes = get_idea(server, n)["votes"]
    assert votes["total"] == 5 and votes["by_kind"] == {"doer": 2, "helper": 3}
    assert [(r["slug"], r["count"]) for r in votes["by_role"]] == [
        ("practitioner", 2), ("consultant", 1), ("vendor", 1), ("analyst", 1)]
    assert all(set(r) == {"slug", "label", "kind", "count"} for r in votes["by_role"])
    page = requests.get(server.url("/ideas/%d" % n)).text
    assert '<span class="votes-doer">2 from doers</span>' in page
    assert not re.search(r'<time[^>]*>\d{4}-\d\d-\d\dT', page), "times are shown for people"
    assert '<span class="votes-helper">3 from helpers</span>' in page
    board = requests.get(server.url("/ideas?sort=new")).text
    item = board[board.index('href="/ideas/%d"' % n):]
    item = item[:item.index("</li>")]
    assert "<strong>5</strong> votes" in item and "2 from doers" in item and "3 from helpers" in item


# --- merge ---

def test_merge_moves_sources_and_combines_votes_without_double_counting(server, cluster, member, moderator):
    t = new_thread(member)
    pa = reply(member, t["id"], "idea A")["id"]
    pb = reply(member, t["id"], "idea B")["id"]
    a = create_idea(moderator, sources=[pa])["number"]
    b = create_idea(moderator, sources=[pb])["number"]
    only_a, only_b, both = (make_user(server, cluster) for _ in range(3))
    only_a.post("/api/v1/ideas/%d/votes" % a)
    only_b.post("/api/v1/ideas/%d/votes" % b)
    both.post("/api/v1/ideas/%d/votes" % a)
    both.post("/api/v1/ideas/%d/votes" % b)
    r = moderator.post("/api/v1/ideas/%d/merge" % a, json={"into": b, "reason": "Same thing"})
    assert r.status_code == 200, r.text
    merged = r.json()["idea"]
    assert merged["number"] == b and merged["votes"]["total"] == 3
    assert sorted(s["post_id"] for s in merged["sources"]) == [pa, pb]
    assert vote_rows(cluster, b) == 3 and vote_rows(cluster, a) == 0
    assert cluster.sql("SELECT vote_count FROM ideas WHERE number = %s", (b,))[0][0] == 3
    assert get_idea(server, b, both)["voted"] is True
    old = get_idea(server, a)
    assert old["merged_into"] == b and old["status"] == "declined" and old["votes"]["total"] == 0
    assert old["sources"] == []
    assert old["history"][-1]["status"] == "declined"
    assert old["history"][-1]["reason"] == "Merged into IDEA-%d. Same thing" % b
    assert ("merge_idea", "Same thing", {"into": b}) in cluster.sql(
        "SELECT action, reason, details FROM mod_log WHERE target_type = 'idea' AND target_id = %s", (str(a),))
    # A redirects to B; the board lists B only
    page = requests.get(server.url("/ideas/%d" % a), allow_redirects=False)
    assert page.status_code == 301 and page.headers["Location"] == "/ideas/%d" % b
    listed = [i["number"] for i in requests.get(server.url("/api/v1/ideas?sort=new")).json()["ideas"]]
    assert b in listed and a not in listed
    # a merged idea takes no votes and no changes
    assert_error(only_a.post("/api/v1/ideas/%d/votes" % a), 409, "conflict")
    assert_error(moderator.patch("/api/v1/ideas/%d" % a, json={"status": "done"}), 409, "conflict")


def test_merge_refuses_itself_merged_and_unknown_ideas(server, moderator):
    a, b, c = (create_idea(moderator)["number"] for _ in range(3))
    assert_error(moderator.post("/api/v1/ideas/%d/merge" % a, json={"into": a}), 400, "invalid_input", "into")
    assert_error(moderator.post("/api/v1/ideas/%d/merge" % a, json={}), 400, "invalid_input", "into")
    assert_error(moderator.post("/api/v1/ideas/%d/merge" % a, json={"into": "b"}), 400, "invalid_input", "into")
    assert_error(moderator.post("/api/v1/ideas/%d/merge" % a, json={"into": 999999999}), 400, "invalid_input",
                 "into")
    assert moderator.post("/api/v1/ideas/%d/merge" % a, json={"into": b}).status_code == 200
    assert_error(moderator.post("/api/v1/ideas/%d/merge" % a, json={"into": c}), 409, "conflict")
    assert_error(moderator.post("/api/v1/ideas/%d/merge" % c, json={"into": a}), 409, "conflict", "into")
    # merging B on into C carries A along: A now points straight at C
    assert moderator.post("/api/v1/ideas/%d/merge" % b, json={"into": c}).status_code == 200
    assert get_idea(server, a)["merged_into"] == c


def test_two_crossing_merges_at_once_leave_one_merged(server, moderator):
    for _ in range(5):
        a, b = create_idea(moderator)["number"], create_idea(moderator)["number"]
        with ThreadPoolExecutor(2) as pool:
            r1, r2 = pool.map(lambda p: moderator.post("/api/v1/ideas/%d/merge" % p[0], json={"into": p[1]}),
                              [(a, b), (b, a)])
        assert sorted([r1.status_code, r2.status_code]) == [200, 409]
        merged = [get_idea(server, n)["merged_into"] for n in (a, b)]
        assert merged in ([b, None], [None, a])


# --- IDEA-n references ---

def test_idea_references_link_to_the_idea_and_the_idea_lists_them(server, cluster, member, moderator):
    n = create_idea(moderator)["number"]
    t = new_thread(member, body="See IDEA-%d for the plan." % n)
    p = reply(member, t["id"], "I like IDEA-%d too" % n)
    hidden = reply(member, t["id"], "Secret note about IDEA-%d" % n)
    cluster.sql("UPDATE posts SET state = 'hidden' WHERE id = %s", (hidden["id"],))
    html = requests.get(server.url("/api/v1/threads/%d" % t["id"])).json()["posts"][0]["body_html"]
    assert '<a class="idea-ref" href="/ideas/%d">IDEA-%d</a>' % (n, n) in html
    refs = get_idea(server, n)["references"]
    assert [r["post_id"] for r in refs] == [p["id"], t["first_post_id"]]
    assert refs[0]["url"] == "/t/%d#p%d" % (t["id"], p["id"]) and refs[0]["thread_id"] == t["id"]
    page = requests.get(server.url("/ideas/%d" % n)).text
    assert 'href="/t/%d#p%d"' % (t["id"], p["id"]) in page
    assert "#p%d" % hidden["id"] not in page
    # references to an idea merged into this one count too
    b = create_idea(moderator)["number"]
    moderator.post("/api/v1/ideas/%d/merge" % n, json={"into": b})
    assert {r["post_id"] for r in get_idea(server, b)["references"]} == {p["id"], t["first_post_id"]}


def test_hidden_source_posts_are_shown_to_moderators_only(server, cluster, member, moderator):
    t = new_thread(member)
    p = reply(member, t["id"], "source to hide")
    n = create_idea(moderator, sources=[p["id"]])["number"]
    cluster.sql("UPDATE posts SET state = 'hidden' WHERE id = %s", (p["id"],))
    assert get_idea(server, n)["sources"] == []
    assert get_idea(server, n, member)["sources"] == []
    assert [s["post_id"] for s in get_idea(server, n, moderator)["sources"]] == [p["id"]]


# --- pages ---

def test_board_and_idea_pages_vote_without_javascript(server, member, moderator):
    n = create_idea(moderator, title="Page idea " + unique())["number"]
    board = member.get("/ideas")
    assert board.status_code == 200
    assert 'class="idea-list"' in board.text and 'class="idea-ref">IDEA-%d<' % n in board.text
    assert '<span class="status status-new">New</span>' in board.text
    assert 'action="/ideas/%d/vote"' % n in board.text
    r = member.s.post(server.url("/ideas/%d/vote" % n), data={"csrf": member.csrf, "from": "board"},
                      allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/ideas"
    assert get_idea(server, n)["votes"]["total"] == 1
    page = member.get("/ideas/%d" % n)
    assert 'action="/ideas/%d/unvote"' % n in page.text and "Remove my vote" in page.text
    r = member.s.post(server.url("/ideas/%d/unvote" % n), data={"csrf": member.csrf}, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/ideas/%d" % n
    assert get_idea(server, n)["votes"]["total"] == 0
    r = member.s.post(server.url("/ideas/%d/vote" % n), data={}, allow_redirects=False)
    assert r.status_code == 403
    # members see no moderator forms; anonymous visitors see no vote form
    assert 'action="/ideas/%d/merge"' % n not in page.text
    assert 'action="/ideas/%d/vote"' % n not in requests.get(server.url("/ideas/%d" % n)).text


def test_moderator_forms_change_status_and_merge(server, moderator):
    n = create_idea(moderator)["number"]
    other = create_idea(moderator)["number"]
    page = moderator.get("/ideas/%d" % n).text
    assert '<option value="new" selected>New</option>' in page and 'action="/ideas/%d/merge"' % n in page
    r = moderator.s.post(server.url("/ideas/%d" % n), allow_redirects=False,
                         data={"csrf": moderator.csrf, "status": "planned", "reason": "Agreed at the meetup"})
    assert r.status_code == 303 and r.headers["Location"] == "/ideas/%d" % n
    page = moderator.get("/ideas/%d" % n).text
    assert "Agreed at the meetup" in page and '<option value="planned" selected>' in page
    bad = moderator.s.post(server.url("/ideas/%d" % n), allow_redirects=False,
                           data={"csrf": moderator.csrf, "status": "shipped"})
    assert bad.status_code == 400 and 'role="alert"' in bad.text and "<h1" in bad.text
    bad = moderator.s.post(server.url("/ideas/%d/merge" % n), allow_redirects=False,
                           data={"csrf": moderator.csrf, "into": str(n)})
    assert bad.status_code == 400 and 'aria-invalid="true"' in bad.text
    r = moderator.s.post(server.url("/ideas/%d/merge" % n), allow_redirects=False,
                         data={"csrf": moderator.csrf, "into": str(other)})
    assert r.status_code == 303 and r.headers["Location"] == "/ideas/%d" % other
    r = moderator.s.post(server.url("/ideas"), allow_redirects=False,
                         data={"csrf": moderator.csrf, "title": "From the board form", "summary": "text",
                               "source_post_ids": ""})
    assert r.status_code == 303 and re.fullmatch(r"/ideas/\d+", r.headers["Location"])
    bad = moderator.s.post(server.url("/ideas"), allow_redirects=False,
                           data={"csrf": moderator.csrf, "title": "ab", "summary": "text"})
    assert bad.status_code == 400 and 'value="ab"' in bad.text


def test_idea_page_escapes_titles(server, moderator):
    n = create_idea(moderator, title='<script>alert("x")</script> idea')["number"]
    page = requests.get(server.url("/ideas/%d" % n)).text
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_ideas_atom_feed(server, moderator):
    idea = create_idea(moderator, title="Feed idea " + unique(), summary="**bold** plan")
    r = requests.get(server.url("/ideas/feed.atom"))
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/atom+xml")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ET.fromstring(r.content)
    entries = root.findall("a:entry", ns)
    entry = [e for e in entries if idea["title"] in e.find("a:title", ns).text][0]
    assert entry.find("a:title", ns).text == "IDEA-%d: %s (New)" % (idea["number"], idea["title"])
    assert entry.find("a:link", ns).get("href").endswith("/ideas/%d" % idea["number"])
    assert "<strong>bold</strong>" in entry.find("a:content", ns).text
    assert root.find("a:updated", ns).text.endswith("Z")
    assert 'href="/ideas/feed.atom"' in requests.get(server.url("/ideas")).text


def test_header_links_to_ideas_and_search(server):
    page = requests.get(server.url("/")).text
    assert 'href="/ideas"' in page and 'action="/search"' in page
