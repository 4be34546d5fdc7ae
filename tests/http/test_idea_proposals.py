"""Issue 19 (ideas like Fider): members propose ideas directly (they wait in the ideas
queue; one moderator decides; the proposer is told and follows the idea), similar ideas
shown before proposing, and comments on an idea (oldest first, with roles; edited by
their author; hidden by moderators; the idea's audience told)."""
import re
import threading

import pytest
import requests

from conftest import Client, Server, assert_error, make_user, unique


def propose(client, title=None, summary="We should **try** this.", **extra):
    body = {"title": title or unique("Proposal "), "summary": summary}
    body.update(extra)
    r = client.post("/api/v1/ideas", json=body)
    assert r.status_code == 202, r.text
    return r.json()["proposal"]


def decide(mod, item, action, **body):
    return mod.post("/api/v1/mod/queue/%d/decision" % item, json=dict(body, action=action))


def notifications(cluster, user_id):
    return cluster.sql("SELECT kind, idea, message FROM notifications WHERE user_id = %s ORDER BY id", (user_id,))


def create_idea(mod, title=None):
    r = mod.post("/api/v1/ideas", json={"title": title or unique("Idea "), "summary": "s"})
    assert r.status_code == 201, r.text
    return r.json()["idea"]["number"]


# --- proposing ---

def test_propose_queue_accept_becomes_idea_with_proposer(server, cluster, member, moderator):
    title = unique("Shared runbook ")
    p = propose(member, title=title, summary="Write *one* runbook.", source_url="https://example.org/x")
    assert p["status"] == "pending" and p["item_id"] > 0 and p["title"] == title
    # the proposer sees it waiting; others do not see it at all
    r = member.get("/api/v1/ideas/proposals/%d" % p["id"])
    assert r.status_code == 200 and r.json()["proposal"]["status"] == "pending"
    assert_error(make_user(server, cluster).get("/api/v1/ideas/proposals/%d" % p["id"]), 404, "not_found")
    # it waits in the ideas queue, with its counts
    q = moderator.get("/api/v1/mod/queue?kind=ideas").json()
    [item] = [i for i in q["items"] if i["id"] == p["item_id"]]
    assert item["proposal"]["title"] == title and item["proposal"]["author"]["username"] == member.user["username"]
    assert q["counts"]["ideas"] >= 1
    page = moderator.get("/mod?kind=ideas").text
    assert title in page and 'value="accept"' in page
    # accepted with a tidier title: IDEA-n by the proposer
    r = decide(moderator, p["item_id"], "accept", idea={"title": "  Shared runbook for all  "}, reason="Good one")
    assert r.status_code == 200, r.text
    idea = r.json()["idea"]
    assert idea["title"] == "Shared runbook for all" and idea["author"]["username"] == member.user["username"]
    assert "<em>one</em>" in idea["summary_html"] and "https://example.org/x" in idea["summary_html"]
    assert idea["history"][0]["by"]["username"] == moderator.user["username"]
    n = idea["number"]
    assert r.json()["decision"]["action"] == "accept"
    # the proposer is told, follows it, and the proposal points at it
    assert ("moderation", n, "Your idea \u201cShared runbook for all\u201d was accepted as IDEA-%d: Good one" % n) in \
        notifications(cluster, member.user["id"])
    assert member.get("/api/v1/ideas/%d" % n).json()["idea"]["following"] is True
    got = member.get("/api/v1/ideas/proposals/%d" % p["id"]).json()
    pr = got["proposal"]
    assert pr["status"] == "accepted" and pr["idea"] == n
    assert n not in [i["number"] for i in got["similar"]]   # its own idea is not "similar"
    assert cluster.sql("SELECT target_type, target_id, reason FROM mod_log WHERE action = 'accept_proposal'"
                       " AND details->>'queue_item' = %s", (str(p["item_id"]),)) == [("idea", str(n), "Good one")]
    log = moderator.get("/mod/log").text
    assert "accepted the proposed idea" in log and 'href="/ideas/%d"' % n in log
    # the proposer is in the idea's audience: a status change reaches them
    assert moderator.patch("/api/v1/ideas/%d" % n, json={"status": "planned"}).status_code == 200
    assert any(k == "idea" and i == n for k, i, _ in notifications(cluster, member.user["id"]))
    # decided: out of the queue, and a second decision is refused
    assert p["item_id"] not in [i["id"] for i in moderator.get("/api/v1/mod/queue?kind=ideas").json()["items"]]
    assert_error(decide(moderator, p["item_id"], "decline", reason="x"), 409, "conflict")


def test_a_source_path_on_this_forum_becomes_a_link(member, moderator):
    p = propose(member, source_url="/t/1#p2")
    r = decide(moderator, p["item_id"], "accept")
    assert r.status_code == 200, r.text
    assert 'href="/t/1#p2"' in r.json()["idea"]["summary_html"]


def test_decline_needs_a_reason_and_tells_the_proposer(server, cluster, member, moderator):
    p = propose(member)
    assert_error(decide(moderator, p["item_id"], "decline"), 400, "invalid_input", "reason")
    assert_error(decide(moderator, p["item_id"], "attach", idea={"number": 1}), 400, "invalid_input", "action")
    r = decide(moderator, p["item_id"], "decline", reason="Already on the board as IDEA-1")
    assert r.status_code == 200, r.text
    assert "idea" not in r.json()
    msgs = [m for k, i, m in notifications(cluster, member.user["id"]) if k == "moderation"]
    assert msgs[-1].endswith("was declined: Already on the board as IDEA-1")
    assert [x["id"] for x in member.get("/api/v1/me/export").json()["idea_proposals"]] == [p["id"]]
    assert cluster.sql("SELECT target_type, target_id FROM mod_log WHERE action = 'decline_proposal'"
                       " AND details->>'queue_item' = %s", (str(p["item_id"]),)) == [("user", str(member.user["id"]))]
    pr = member.get("/api/v1/ideas/proposals/%d" % p["id"]).json()["proposal"]
    assert pr["status"] == "declined" and pr["reason"] == "Already on the board as IDEA-1" and pr["idea"] is None


def test_two_moderators_deciding_at_once_one_wins(server, cluster, member):
    m1 = make_user(server, cluster, "moderator")
    m2 = make_user(server, cluster, "moderator")
    for round in range(4):
        p = propose(member)
        results = [None, None]
        barrier = threading.Barrier(2)

        def go(i, client, action):
            barrier.wait()
            results[i] = decide(client, p["item_id"], action, reason="r%d" % i)

        ths = [threading.Thread(target=go, args=(0, m1, "accept")),
               threading.Thread(target=go, args=(1, m2, "decline"))]
        for th in ths:
            th.start()
        for th in ths:
            th.join()
        assert sorted(r.status_code for r in results) == [200, 409], [r.text for r in results]
        winner = [r for r in results if r.status_code == 200][0].json()["decision"]
        loser = [r for r in results if r.status_code == 409][0].json()["error"]
        assert loser["decision"]["action"] == winner["action"]
        made = cluster.sql("SELECT count(*) FROM ideas i JOIN idea_proposals p ON p.idea = i.number"
                           " WHERE p.id = %s", (p["id"],))[0][0]
        assert made == (1 if winner["action"] == "accept" else 0)
        assert cluster.sql("SELECT count(*) FROM mod_log WHERE details->>'queue_item' = %s",
                           (str(p["item_id"]),))[0][0] == 1


@pytest.mark.parametrize("body,field", [
    ({"summary": "x"}, "title"),
    ({"title": "", "summary": "x"}, "title"),
    ({"title": "ab", "summary": "x"}, "title"),
    ({"title": "x" * 201, "summary": "x"}, "title"),
    ({"title": 7, "summary": "x"}, "title"),
    ({"title": "Fine title"}, "summary"),
    ({"title": "Fine title", "summary": ""}, "summary"),
    ({"title": "Fine title", "summary": "x" * 50001}, "summary"),
    ({"title": "Fine title", "summary": ["x"]}, "summary"),
    ({"title": "Fine title", "summary": "x", "source_url": "javascript:alert(1)"}, "source_url"),
    ({"title": "Fine title", "summary": "x", "source_url": "https://" + "a" * 500}, "source_url"),
])
def test_bad_proposals(member, body, field):
    assert_error(member.post("/api/v1/ideas", json=body), 400, "invalid_input", field)


def test_invalid_utf8_missing_csrf_suspended_anonymous(server, cluster, member):
    r = member.post("/api/v1/ideas", data=b'{"title": "Bad \xff title", "summary": "x"}',
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_input"
    r = member.post("/api/v1/ideas", json={"title": "Fine title", "summary": "x"}, csrf=False)
    assert r.status_code == 403
    anon = requests.post(server.url("/api/v1/ideas"), json={"title": "Fine title", "summary": "x"})
    assert anon.status_code in (401, 403)
    cluster.sql("UPDATE users SET suspended_until = now() + interval '1 day', suspension_reason = 'x'"
                " WHERE id = %s", (member.user["id"],))
    assert_error(member.post("/api/v1/ideas", json={"title": "Fine title", "summary": "x"}), 403, "forbidden")
    assert cluster.sql("SELECT count(*) FROM idea_proposals WHERE user_id = %s", (member.user["id"],))[0][0] == 0


def test_similar_ideas_before_proposing(server, member, moderator):
    word = unique("zq")
    n = create_idea(moderator, "Rotate the %s keys every month" % word)
    r = requests.get(server.url("/api/v1/ideas/similar"), params={"title": "monthly %s key rotation" % word})
    assert r.status_code == 200
    assert n in [i["number"] for i in r.json()["ideas"]]
    assert_error(requests.get(server.url("/api/v1/ideas/similar")), 400, "invalid_input", "title")
    assert_error(requests.get(server.url("/api/v1/ideas/similar"), params={"title": "x" * 201}),
                 400, "invalid_input", "title")
    # without JS: the check button shows them and keeps what was typed, storing nothing
    page = member.get("/ideas/new").text
    assert "Check for similar ideas" in page
    r = member.post("/ideas/new", data={"csrf": member.csrf, "check": "1", "title": "%s keys rotation" % word,
                                        "summary": "kept text"})
    assert r.status_code == 200, r.text
    assert "/ideas/%d" % n in r.text and "kept text" in r.text
    # the proposal's page lists them too
    p = propose(member, title="Rotate %s keys monthly" % word)
    assert n in [i["number"] for i in member.get("/api/v1/ideas/proposals/%d" % p["id"]).json()["similar"]]


def test_propose_with_the_form(server, cluster, member):
    title = unique("Form proposal ")
    r = member.post("/ideas/new", data={"csrf": member.csrf, "title": title, "summary": "Because.",
                                        "source_url": ""})
    assert r.status_code == 303, r.text
    assert re.fullmatch(r"/ideas/proposals/\d+", r.headers["Location"])
    page = member.get(r.headers["Location"]).text
    assert title in page and "waits for a moderator" in page
    # the form page lists the member's own proposals and their fate
    assert title in member.get("/ideas/new").text and "waiting for a moderator" in member.get("/ideas/new").text
    assert title not in make_user(server, cluster).get("/ideas/new").text
    # an error shows the form again with what was typed
    r = member.post("/ideas/new", data={"csrf": member.csrf, "title": "ab", "summary": "keep me"})
    assert r.status_code == 400 and "keep me" in r.text
    assert "Propose an idea" in requests.get(server.url("/ideas")).text


def test_posting_allowance_and_confirmed_address_hold_proposals_and_comments(cluster):
    """On a server of its own: two posts a minute, and a confirmed address required."""
    url = cluster.create_db(unique("ideaprop"))
    s = Server(["--database", url, "--quiet", "--register-limit-ip", "1000000", "--signin-limit-ip", "1000000",
                "--post-limit", "2", "--require-verified-email"], name="ideaprop")
    try:
        c = Client(s).register(email=unique("m") + "@example.org")
        err = assert_error(c.post("/api/v1/ideas", json={"title": "Held idea", "summary": "x"}), 403, "forbidden")
        assert err["reason"] == "email_unverified"
        cluster.sql("UPDATE users SET email_verified_at = now() WHERE id = %s", (c.user["id"],), dbname=url.split("///")[1].split("?")[0])
        assert c.post("/api/v1/ideas", json={"title": "First idea", "summary": "x"}).status_code == 202
        assert c.post("/api/v1/ideas", json={"title": "Second idea", "summary": "x"}).status_code == 202
        assert_error(c.post("/api/v1/ideas", json={"title": "Third idea", "summary": "x"}), 429, "rate_limited")
    finally:
        assert s.stop() == 0, s.output()


# --- comments ---

@pytest.fixture(scope="module")
def idea_n(server, cluster):
    return create_idea(make_user(server, cluster, "moderator"))


def comment(client, n, body="I like it"):
    r = client.post("/api/v1/ideas/%d/comments" % n, json={"body": body})
    assert r.status_code == 201, r.text
    return r.json()["comment"]


def test_comments_oldest_first_with_roles_and_notifications(server, cluster, moderator):
    n = create_idea(moderator)
    follower = make_user(server, cluster)
    assert follower.post("/api/v1/ideas/%d/follow" % n).status_code == 200
    a = make_user(server, cluster, community_role="consultant")
    b = make_user(server, cluster)
    c1 = comment(a, n, "First, with **bold**")
    c2 = comment(b, n, "Second")
    assert "<strong>bold</strong>" in c1["body_html"]
    assert c1["author"]["community_role"]["slug"] == "consultant"
    got = requests.get(server.url("/api/v1/ideas/%d/comments" % n)).json()["comments"]
    assert [c["id"] for c in got] == [c1["id"], c2["id"]]
    # followers and earlier commenters hear of it; the commenter does not
    assert any(k == "idea" and i == n and "commented on IDEA-%d" % n in m for k, i, m in
               notifications(cluster, follower.user["id"]))
    assert any(k == "idea" and "%s commented" % b.user["username"] in m for k, i, m in
               notifications(cluster, a.user["id"]))
    assert not any("%s commented" % b.user["username"] in m for k, i, m in notifications(cluster, b.user["id"]))
    # the page shows them, and a form
    page = a.get("/ideas/%d" % n).text
    assert 'id="c%d"' % c1["id"] in page and 'action="/ideas/%d/comments"' % n in page
    assert page.index('id="c%d"' % c1["id"]) < page.index('id="c%d"' % c2["id"])
    board = requests.get(server.url("/api/v1/ideas"), params={"sort": "new"}).json()["ideas"]
    assert [i["comment_count"] for i in board if i["number"] == n] == [2]
    assert 'href="/ideas/%d#comments-h">Comments: 2</a>' % n in requests.get(server.url("/ideas?sort=new")).text


def test_comment_with_the_form_and_edit(server, cluster, idea_n, member):
    r = member.post("/ideas/%d/comments" % idea_n, data={"csrf": member.csrf, "body": ""})
    assert r.status_code == 400 and 'id="form-error"' in r.text and "Add a comment" in r.text
    r = member.post("/ideas/%d/comments" % idea_n, data={"csrf": member.csrf, "body": "Form comment"})
    assert r.status_code == 303, r.text
    cid = int(r.headers["Location"].rsplit("#c", 1)[1])
    r = member.patch("/api/v1/ideas/%d/comments/%d" % (idea_n, cid), json={"body": "Edited *now*"})
    assert r.status_code == 200, r.text
    assert "<em>now</em>" in r.json()["comment"]["body_html"] and r.json()["comment"]["edited_at"]
    r = member.post("/ideas/%d/comments/%d" % (idea_n, cid), data={"csrf": member.csrf, "body": "Edited by form"})
    assert r.status_code == 303
    # another member's edit is refused; so is an edit after the window
    other = make_user(server, cluster)
    assert_error(other.patch("/api/v1/ideas/%d/comments/%d" % (idea_n, cid), json={"body": "mine"}), 403, "forbidden")
    cluster.sql("UPDATE idea_comments SET created_at = now() - interval '2 days' WHERE id = %s", (cid,))
    assert_error(member.patch("/api/v1/ideas/%d/comments/%d" % (idea_n, cid), json={"body": "late"}),
                 403, "forbidden")
    # the wrong idea in the path is no such comment
    assert_error(member.patch("/api/v1/ideas/%d/comments/%d" % (idea_n + 100000, cid), json={"body": "x"}),
                 404, "not_found")
    # both are in the member's export
    doc = member.get("/api/v1/me/export").json()
    assert [c["body"] for c in doc["idea_comments"] if c["id"] == cid] == ["Edited by form"]
    assert doc["idea_proposals"] == []


def test_hidden_comment_not_shown_to_others(server, cluster, idea_n, member, moderator):
    c = comment(member, idea_n, "Rude words")
    assert_error(member.post("/api/v1/ideas/%d/comments/%d/hide" % (idea_n, c["id"]), json={"reason": "x"}),
                 403, "forbidden")
    assert_error(moderator.post("/api/v1/ideas/%d/comments/%d/hide" % (idea_n, c["id"]), json={}),
                 400, "invalid_input", "reason")
    r = moderator.post("/api/v1/ideas/%d/comments/%d/hide" % (idea_n, c["id"]), json={"reason": "Be kind"})
    assert r.status_code == 200 and r.json()["comment"]["state"] == "hidden"
    ids = [x["id"] for x in requests.get(server.url("/api/v1/ideas/%d/comments" % idea_n)).json()["comments"]]
    assert c["id"] not in ids
    assert c["id"] not in [x["id"] for x in member.get("/api/v1/ideas/%d/comments" % idea_n).json()["comments"]]
    assert "Rude words" not in requests.get(server.url("/ideas/%d" % idea_n)).text
    assert c["id"] in [x["id"] for x in moderator.get("/api/v1/ideas/%d/comments" % idea_n).json()["comments"]]
    assert "Rude words" in moderator.get("/ideas/%d" % idea_n).text
    assert any("hid your comment on IDEA-%d: Be kind" % idea_n in m for k, i, m in
               notifications(cluster, member.user["id"]))
    assert_error(member.patch("/api/v1/ideas/%d/comments/%d" % (idea_n, c["id"]), json={"body": "x"}),
                 404, "not_found")
    assert_error(moderator.post("/api/v1/ideas/%d/comments/%d/hide" % (idea_n, c["id"]), json={"reason": "x"}),
                 409, "conflict")
    r = moderator.post("/api/v1/ideas/%d/comments/%d/unhide" % (idea_n, c["id"]), json={})
    assert r.status_code == 200 and r.json()["comment"]["state"] == "visible"
    assert cluster.sql("SELECT count(*) FROM mod_log WHERE action LIKE '%%hide_idea_comment'"
                       " AND details->>'comment_id' = %s", (str(c["id"]),))[0][0] == 2


def test_bad_comments(server, cluster, idea_n, member, moderator):
    path = "/api/v1/ideas/%d/comments" % idea_n
    assert_error(member.post(path, json={}), 400, "invalid_input", "body")
    assert_error(member.post(path, json={"body": ""}), 400, "invalid_input", "body")
    assert_error(member.post(path, json={"body": "x" * 50001}), 400, "invalid_input", "body")
    assert_error(member.post(path, json={"body": 5}), 400, "invalid_input", "body")
    r = member.post(path, data=b'{"body": "\xff"}', headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert member.post(path, json={"body": "x"}, csrf=False).status_code == 403
    assert requests.post(server.url(path), json={"body": "x"}).status_code in (401, 403)
    # no queue for comments: more links than a post may carry unseen (--spam-links 5) is refused
    links = " ".join("https://example.org/%d" % i for i in range(6))
    assert_error(member.post(path, json={"body": links}), 400, "invalid_input", "body")
    assert member.post(path, json={"body": links.rsplit(" ", 1)[0]}).status_code == 201
    assert moderator.post(path, json={"body": links}).status_code == 201
    assert_error(member.post("/api/v1/ideas/999999999/comments", json={"body": "x"}), 404, "not_found")
    assert_error(requests.get(server.url("/api/v1/ideas/999999999/comments")), 404, "not_found")
    # a merged idea takes no comments; the ones it had moved to the idea kept
    m = create_idea(moderator)
    moved = comment(member, m, "Said on the duplicate")
    assert moderator.post("/api/v1/ideas/%d/merge" % m, json={"into": idea_n}).status_code == 200
    assert_error(member.post("/api/v1/ideas/%d/comments" % m, json={"body": "x"}), 409, "conflict")
    kept = requests.get(server.url("/api/v1/ideas/%d/comments" % idea_n)).json()["comments"]
    assert [c["idea"] for c in kept if c["id"] == moved["id"]] == [idea_n]
    s = make_user(server, cluster)
    cluster.sql("UPDATE users SET suspended_until = now() + interval '1 day', suspension_reason = 'x'"
                " WHERE id = %s", (s.user["id"],))
    assert_error(s.post(path, json={"body": "x"}), 403, "forbidden")
