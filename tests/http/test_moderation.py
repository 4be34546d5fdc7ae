"""Issue 5: the moderation queues, decisions, thread actions, suspension and the log."""
import re
import threading

import pytest
import requests

from conftest import (Client, Server, assert_error, make_user, new_thread, reply, unique)


def queue(client, kind):
    r = client.get("/api/v1/mod/queue", params={"kind": kind})
    assert r.status_code == 200, r.text
    return r.json()


def item_for(client, kind, post_id):
    # (the ideas queue also holds proposed ideas, items without a post)
    items = [i for i in queue(client, kind)["items"] if i.get("post") and i["post"]["id"] == post_id]
    assert len(items) == 1, items
    return items[0]


def decide(client, item_id, action, **extra):
    body = {"action": action}
    body.update(extra)
    return client.post("/api/v1/mod/queue/%d/decision" % item_id, json=body)


def notes(client):
    return client.get("/api/v1/notifications").json()["notifications"]


# --- pending ---

def test_pending_post_is_queued_with_context_and_approved(server, member, moderator, newcomer):
    t = new_thread(member, body="the question")
    p = reply(newcomer, t["id"], "my first answer")
    it = item_for(moderator, "pending", p["id"])
    assert it["kind"] == "pending" and it["reason"] == "new_account"
    assert it["reason_text"] == "the account is new: its first posts wait for a moderator"
    page = moderator.get("/mod")
    assert page.status_code == 200
    assert "Held because the account is new: its first posts wait for a moderator." in page.text
    # times on the page are for people: no raw RFC 3339 between <time> tags
    assert not re.search(r'<time[^>]*>\d{4}-\d\d-\d\dT', page.text)
    assert it["thread"]["id"] == t["id"] and it["thread"]["title"] == t["title"]
    assert "the question" in it["parent"]["body_html"]
    a = it["post"]["author"]
    assert a["username"] == newcomer.user["username"] and a["community_role"]["slug"] == "practitioner"
    assert "joined" in a and a["post_count"] == 0 and a["flags_upheld"] == 0
    counts = queue(moderator, "pending")["counts"]
    assert counts["pending"] >= 1
    r = decide(moderator, it["id"], "approve")
    assert r.status_code == 200 and r.json()["decision"]["action"] == "approve"
    assert [x for x in member.get("/api/v1/threads/%d" % t["id"]).json()["posts"] if x["id"] == p["id"]]
    assert p["id"] not in [(i.get("post") or {}).get("id") for i in queue(moderator, "pending")["items"]]
    assert "reply" in [n["kind"] for n in notes(member)]  # notifications fire on approval


def test_pending_thread_is_approved_or_rejected_with_the_reason_sent(server, moderator):
    a, b = Client(server).register(), Client(server).register()
    ta = a.post("/api/v1/threads", json={"category": "general", "title": "Approve me", "body": "x"}).json()
    tb = b.post("/api/v1/threads", json={"category": "general", "title": "Reject me", "body": "spammy"}).json()
    ia = item_for(moderator, "pending", ta["post"]["id"])
    ib = item_for(moderator, "pending", tb["post"]["id"])
    assert ia["thread"]["is_new_thread"] is True
    assert decide(moderator, ia["id"], "approve").status_code == 200
    assert requests.get(server.url("/api/v1/threads/%d" % ta["thread"]["id"])).status_code == 200
    assert_error(decide(moderator, ib["id"], "reject"), 400, "invalid_input", "reason")
    assert decide(moderator, ib["id"], "reject", reason="advertising").status_code == 200
    assert_error(requests.get(server.url("/api/v1/threads/%d" % tb["thread"]["id"])), 404, "not_found")
    n = [n for n in notes(b) if n["kind"] == "moderation"]
    assert n and "advertising" in n[0]["message"]


def test_decisions_must_fit_the_queue(server, member, moderator, newcomer):
    t = new_thread(member)
    p = reply(newcomer, t["id"], "x")
    it = item_for(moderator, "pending", p["id"])
    assert_error(decide(moderator, it["id"], "hide", reason="r"), 400, "invalid_input", "action")
    assert_error(decide(moderator, it["id"], "explode"), 400, "invalid_input", "action")
    assert_error(decide(moderator, 999999999, "approve"), 404, "not_found")
    assert_error(moderator.get("/api/v1/mod/queue?kind=everything"), 400, "invalid_input", "kind")


# --- flags ---

def test_flags_on_one_post_are_one_item_and_one_per_member(server, cluster, member, moderator):
    t = new_thread(member, body="questionable")
    pid = t["first_post_id"]
    f1, f2 = make_user(server, cluster), make_user(server, cluster)
    r = f1.post("/api/v1/posts/%d/flags" % pid, json={"reason": "spam"})
    assert r.status_code == 201
    assert_error(f1.post("/api/v1/posts/%d/flags" % pid, json={"reason": "abusive"}), 409, "conflict")
    assert f2.post("/api/v1/posts/%d/flags" % pid, json={"reason": "other", "note": "sells tools"}).status_code == 201
    it = item_for(moderator, "flags", pid)
    assert [(f["reason"], f["by"]) for f in it["flags"]] == [("spam", f1.user["username"]), ("other", f2.user["username"])]
    assert it["flags"][1]["note"] == "sells tools"
    assert decide(moderator, it["id"], "dismiss").status_code == 200
    # dismissed: a new flag opens a new item
    assert f1.post("/api/v1/posts/%d/flags" % pid, json={"reason": "spam"}).status_code == 201
    assert item_for(moderator, "flags", pid)["id"] != it["id"]


def test_flag_input_is_validated(server, cluster, member):
    t = new_thread(member)
    other = make_user(server, cluster)
    url = "/api/v1/posts/%d/flags" % t["first_post_id"]
    assert_error(other.post(url, json={"reason": "ugly"}), 400, "invalid_input", "reason")
    assert_error(other.post(url, json={}), 400, "invalid_input", "reason")
    assert_error(other.post(url, json={"reason": "other"}), 400, "invalid_input", "note")
    assert_error(other.post(url, json={"reason": "spam", "note": "x" * 501}), 400, "invalid_input", "note")
    assert_error(member.post(url, json={"reason": "spam"}), 403, "forbidden")  # own post
    assert_error(other.post("/api/v1/posts/999999999/flags", json={"reason": "spam"}), 404, "not_found")
    assert_error(requests.post(server.url(url), json={"reason": "spam"}), 401, "unauthenticated")


@pytest.mark.parametrize("action", ["hide", "delete", "suspend"])
def test_flag_decisions_and_their_effects(server, cluster, moderator, action):
    author = make_user(server, cluster)
    flagger = make_user(server, cluster)
    t = new_thread(author)
    p = reply(author, t["id"], "rude words")
    flagger.post("/api/v1/posts/%d/flags" % p["id"], json={"reason": "abusive"})
    it = item_for(moderator, "flags", p["id"])
    extra = {"reason": "be kind"}
    if action == "suspend":
        assert_error(decide(moderator, it["id"], "suspend", reason="x"), 400, "invalid_input", "until")
        extra["until"] = "2099-01-01T00:00:00Z"
    assert decide(moderator, it["id"], action, **extra).status_code == 200
    post = [x for x in moderator.get("/api/v1/threads/%d" % t["id"]).json()["posts"] if x["id"] == p["id"]][0]
    assert post["state"] == {"hide": "hidden", "delete": "deleted", "suspend": "hidden"}[action]
    public = [x["id"] for x in requests.get(server.url("/api/v1/threads/%d" % t["id"])).json()["posts"]
              if x["state"] == "visible"]
    assert p["id"] not in public
    mods = [n for n in notes(author) if n["kind"] == "moderation"]
    if action in ("hide", "suspend"):
        assert mods and "be kind" in mods[0]["message"]
    if action == "suspend":
        assert_error(author.post("/api/v1/threads/%d/posts" % t["id"], json={"body": "again"}), 403, "forbidden")
        assert_error(author.post("/api/v1/posts/%d/flags" % t["first_post_id"], json={"reason": "spam"}), 403, "forbidden")
        u = moderator.get("/api/v1/users/%s" % author.user["username"]).json()["user"]
        assert u["suspended_until"] == "2099-01-01T00:00:00Z"


# --- the race ---

def test_two_moderators_deciding_at_once_one_wins(server, cluster, member):
    m1 = make_user(server, cluster, "moderator")
    m2 = make_user(server, cluster, "moderator")
    for round in range(8):
        newcomer = Client(server).register()
        t = new_thread(member)
        p = reply(newcomer, t["id"], "race %d" % round)
        it = item_for(m1, "pending", p["id"])
        results = [None, None]
        barrier = threading.Barrier(2)

        def go(i, client, action):
            barrier.wait()
            results[i] = decide(client, it["id"], action, reason="r%d" % i)

        ths = [threading.Thread(target=go, args=(0, m1, "approve")), threading.Thread(target=go, args=(1, m2, "reject"))]
        for th in ths:
            th.start()
        for th in ths:
            th.join()
        codes = sorted(r.status_code for r in results)
        assert codes == [200, 409], [r.text for r in results]
        winner = [r for r in results if r.status_code == 200][0].json()["decision"]
        loser = [r for r in results if r.status_code == 409][0].json()["error"]
        assert loser["code"] == "conflict" and loser["decision"]["action"] == winner["action"]
        assert loser["decision"]["by"] == winner["by"]
        state = cluster.sql("SELECT state FROM posts WHERE id = %s", (p["id"],))[0][0]
        assert state == ("visible" if winner["action"] == "approve" else "hidden")
        assert cluster.sql("SELECT count(*) FROM mod_log WHERE target_type = 'queue_item' AND target_id = %s",
                           (str(it["id"]),))[0][0] == 1


# --- nominations ---

def test_nominations_queue_and_decline(server, cluster, member, moderator):
    t = new_thread(member, body="We should publish a practitioner's runbook.")
    nom = make_user(server, cluster)
    assert nom.post("/api/v1/posts/%d/nominations" % t["first_post_id"], json={"note": "great idea"}).status_code == 201
    assert_error(nom.post("/api/v1/posts/%d/nominations" % t["first_post_id"], json={}), 409, "conflict")
    it = item_for(moderator, "ideas", t["first_post_id"])
    assert it["nominations"][0]["by"] == nom.user["username"] and it["nominations"][0]["note"] == "great idea"
    assert_error(decide(moderator, it["id"], "accept"), 400, "invalid_input", "idea")
    assert decide(moderator, it["id"], "decline", reason="not actionable").status_code == 200
    assert t["first_post_id"] not in [(i.get("post") or {}).get("id") for i in queue(moderator, "ideas")["items"] if i.get("post")]


# --- thread actions ---

def check_dfs(posts):
    """posts in page order: every post follows its parent's subtree start, depths agree,
    siblings ascend by id."""
    ids = {p["id"]: p for p in posts}
    stack = []
    last_child = {}
    for p in posts:
        if p["parent_id"] is None:
            assert p["depth"] == 0 and not stack
            stack = [p["id"]]
            continue
        while stack and stack[-1] != p["parent_id"]:
            stack.pop()
        assert stack, "parent %s not an ancestor on the stack" % p["parent_id"]
        assert p["depth"] == ids[p["parent_id"]]["depth"] + 1
        assert last_child.get(p["parent_id"], 0) < p["id"], "siblings out of order"
        last_child[p["parent_id"]] = p["id"]
        stack.append(p["id"])


def test_merge_keeps_a_valid_depth_first_tree(server, cluster, moderator):
    u1 = make_user(server, cluster, community_role="practitioner")
    u2 = make_user(server, cluster, community_role="vendor")
    a = new_thread(u1, body="A op")
    b = new_thread(u2, body="B op")
    a1 = reply(u2, a["id"], "a1")["id"]
    b1 = reply(u1, b["id"], "b1")["id"]
    a1a = reply(u1, a["id"], "a1a", a1)["id"]
    b1a = reply(u2, b["id"], "b1a", b1)["id"]
    a2 = reply(u2, a["id"], "a2")["id"]
    a1a1 = reply(u2, a["id"], "a1a1", a1a)["id"]
    r = moderator.post("/api/v1/threads/%d/merge" % a["id"], json={"into": b["id"], "reason": "duplicate"})
    assert r.status_code == 200, r.text
    posts = requests.get(server.url("/api/v1/threads/%d" % b["id"])).json()["posts"]
    check_dfs(posts)
    order = [p["id"] for p in posts]
    assert order == [b["first_post_id"], a["first_post_id"], a1, a1a, a1a1, a2, b1, b1a]
    assert [p["depth"] for p in posts] == [0, 1, 2, 3, 4, 2, 1, 2]
    merged = requests.get(server.url("/api/v1/threads/%d" % a["id"])).json()
    assert merged["thread"]["merged_into"] == b["id"] and merged["posts"] == []
    page = requests.get(server.url("/t/%d" % a["id"]), allow_redirects=False)
    assert page.status_code == 301 and page.headers["Location"] == "/t/%d" % b["id"]
    tb = requests.get(server.url("/api/v1/threads/%d" % b["id"])).json()["thread"]
    assert tb["reply_count"] == 7 and tb["voices"]["participants"] == 2
    listed = [t["id"] for t in requests.get(server.url("/api/v1/threads")).json()["threads"]]
    assert a["id"] not in listed and b["id"] in listed
    assert_error(moderator.post("/api/v1/threads/%d/merge" % b["id"], json={"into": a["id"]}), 409, "conflict", "into")
    assert_error(moderator.post("/api/v1/threads/%d/merge" % b["id"], json={"into": b["id"]}), 400, "invalid_input", "into")
    assert_error(moderator.post("/api/v1/threads/%d/merge" % b["id"], json={"into": 999999999}), 404, "not_found")


def test_split_moves_a_subtree_into_a_new_thread(server, cluster, moderator):
    u1 = make_user(server, cluster, community_role="practitioner")
    u2 = make_user(server, cluster, community_role="analyst")
    t = new_thread(u1)
    x = reply(u1, t["id"], "x")["id"]
    x1 = reply(u2, t["id"], "x1", x)["id"]
    x1a = reply(u1, t["id"], "x1a", x1)["id"]
    y = reply(u2, t["id"], "y")["id"]
    r = moderator.post("/api/v1/threads/%d/split" % t["id"], json={"post_id": x1, "title": "Tooling talk"})
    assert r.status_code == 200, r.text
    nt = r.json()["thread"]
    assert nt["title"] == "Tooling talk" and nt["id"] != t["id"]
    new_posts = requests.get(server.url("/api/v1/threads/%d" % nt["id"])).json()["posts"]
    assert [(p["id"], p["parent_id"], p["depth"]) for p in new_posts] == [(x1, None, 0), (x1a, x1, 1)]
    old = requests.get(server.url("/api/v1/threads/%d" % t["id"])).json()
    assert [p["id"] for p in old["posts"]] == [t["first_post_id"], x, y]
    check_dfs(old["posts"])
    assert old["thread"]["reply_count"] == 2 and nt["voices"]["participants"] == 2
    assert_error(moderator.post("/api/v1/threads/%d/split" % t["id"], json={"post_id": t["first_post_id"]}),
                 400, "invalid_input", "post_id")
    assert_error(moderator.post("/api/v1/threads/%d/split" % t["id"], json={"post_id": x1}), 400, "invalid_input",
                 "post_id")  # no longer in this thread


def test_lock_pin_move(server, cluster, member, admin, moderator):
    t = new_thread(member)
    assert moderator.post("/api/v1/threads/%d/lock" % t["id"], json={"reason": "heated"}).json()["thread"]["locked"]
    assert_error(member.post("/api/v1/threads/%d/posts" % t["id"], json={"body": "x"}), 423, "locked")
    assert not moderator.post("/api/v1/threads/%d/unlock" % t["id"]).json()["thread"]["locked"]
    assert reply(member, t["id"], "open again")
    assert moderator.post("/api/v1/threads/%d/pin" % t["id"]).json()["thread"]["pinned"]
    assert requests.get(server.url("/api/v1/threads")).json()["threads"][0]["id"] == t["id"]
    assert not moderator.post("/api/v1/threads/%d/unpin" % t["id"]).json()["thread"]["pinned"]
    slug = unique("mv")[:10].lower()
    admin.post("/api/v1/categories", json={"slug": slug, "name": "Moved here"})
    r = moderator.post("/api/v1/threads/%d/move" % t["id"], json={"category": slug})
    assert r.json()["thread"]["category"]["slug"] == slug
    assert_error(moderator.post("/api/v1/threads/%d/move" % t["id"], json={"category": "nope-nope"}), 400,
                 "invalid_input", "category")
    log = moderator.get("/api/v1/mod/log").json()["entries"]
    acts = [(e["action"], e["target_id"]) for e in log if e["target_type"] == "thread" and e["target_id"] == str(t["id"])]
    assert ("lock", str(t["id"])) in acts and ("move", str(t["id"])) in acts
    lock = [e for e in log if e["action"] == "lock" and e["target_id"] == str(t["id"])][0]
    assert lock["reason"] == "heated" and lock["actor"]["username"] == moderator.user["username"]


# --- authorization matrix ---

def moderator_routes(tid, pid, item, username):
    return [
        ("GET", "/api/v1/mod/queue?kind=pending", None),
        ("POST", "/api/v1/mod/queue/%d/decision" % item, {"action": "dismiss"}),
        ("POST", "/api/v1/threads/%d/lock" % tid, {}),
        ("POST", "/api/v1/threads/%d/unlock" % tid, {}),
        ("POST", "/api/v1/threads/%d/pin" % tid, {}),
        ("POST", "/api/v1/threads/%d/unpin" % tid, {}),
        ("POST", "/api/v1/threads/%d/move" % tid, {"category": "general"}),
        ("POST", "/api/v1/threads/%d/merge" % tid, {"into": tid + 1}),
        ("POST", "/api/v1/threads/%d/split" % tid, {"post_id": pid}),
        ("POST", "/api/v1/users/%s/suspension" % username, {"until": "2099-01-01T00:00:00Z", "reason": "x"}),
        ("DELETE", "/api/v1/users/%s/suspension" % username, None),
        ("GET", "/mod", None),
    ]


def test_moderator_routes_refuse_anonymous_and_members(server, cluster, member):
    t = new_thread(member)
    p = reply(member, t["id"])
    flagger = make_user(server, cluster)
    flagger.post("/api/v1/posts/%d/flags" % p["id"], json={"reason": "spam"})
    item = cluster.sql("SELECT id FROM queue_items WHERE post_id = %s", (p["id"],))[0][0]
    other = make_user(server, cluster)
    for method, path, body in moderator_routes(t["id"], p["id"], item, other.user["username"]):
        anon = requests.request(method, server.url(path), json=body)
        mem = member.req(method, path, json=body)
        if path.startswith("/api/"):
            assert_error(anon, 401, "unauthenticated")
            assert_error(mem, 403, "forbidden")
        else:
            assert anon.status_code == 401 and mem.status_code == 403, path
    # and nothing happened
    assert cluster.sql("SELECT decided_at FROM queue_items WHERE id = %s", (item,))[0][0] is None
    assert cluster.sql("SELECT locked, pinned FROM threads WHERE id = %s", (t["id"],))[0] == (False, False)


def test_mod_log_is_readable_by_members_only(server, member):
    assert_error(requests.get(server.url("/api/v1/mod/log")), 401, "unauthenticated")
    r = member.get("/api/v1/mod/log")
    assert r.status_code == 200 and isinstance(r.json()["entries"], list)
    page = member.get("/mod/log")
    assert page.status_code == 200 and "<table" in page.text
    assert_error(member.get("/api/v1/mod/log?page=0"), 400, "invalid_input", "page")


# --- pages ---

def test_mod_page_and_form_decision(server, member, moderator, newcomer):
    t = new_thread(member)
    p = reply(newcomer, t["id"], "via the form")
    page = moderator.get("/mod?kind=pending")
    assert page.status_code == 200 and "via the form" in page.text and 'aria-current="page"' in page.text
    it = item_for(moderator, "pending", p["id"])
    r = moderator.s.post(server.url("/mod/queue/%d/decision?kind=pending" % it["id"]), allow_redirects=False,
                         data={"csrf": moderator.csrf, "action": "approve", "reason": ""})
    assert r.status_code == 303 and r.headers["Location"] == "/mod?kind=pending"
    again = moderator.s.post(server.url("/mod/queue/%d/decision?kind=pending" % it["id"]), allow_redirects=False,
                             data={"csrf": moderator.csrf, "action": "reject", "reason": "late"})
    assert again.status_code == 409 and "Already decided: approve" in again.text


def test_flag_and_nominate_forms_on_the_thread_page(server, cluster, member):
    t = new_thread(member)
    other = make_user(server, cluster)
    page = other.get("/t/%d" % t["id"]).text
    # the flag form is a page of its own, suggesting a button of the page's #rx form (issue 20)
    assert 'href="/p/%d/flag"' % t["first_post_id"] in page and 'formaction="/p/%d/nominate"' % t["first_post_id"] in page
    assert 'action="/p/%d/flag"' % t["first_post_id"] in other.get("/p/%d/flag" % t["first_post_id"]).text
    r = other.s.post(server.url("/p/%d/flag" % t["first_post_id"]), allow_redirects=False,
                     data={"csrf": other.csrf, "reason": "off_topic"})
    assert r.status_code == 303
    own = member.get("/t/%d" % t["first_post_id"] if False else "/t/%d" % t["id"]).text
    assert 'href="/p/%d/flag"' % t["first_post_id"] not in own  # not on one's own post


# --- spam rules (a server of its own with low thresholds) ---

@pytest.fixture(scope="module")
def strict(cluster):
    url = cluster.create_db(unique("spam"))
    s = Server(["--database", url, "--quiet", "--spam-links", "2", "--spam-burst", "3",
                "--register-limit-ip", "1000", "--post-limit", "1000"], name="strict")
    yield s, url
    s.stop()


def test_spam_rules_hold_posts_of_trusted_members(strict, cluster):
    s, url = strict
    dbname = url.split("///")[1].split("?")[0]
    c = Client(s).register()
    cluster.sql("UPDATE users SET approved_posts = 100 WHERE id = %s", (c.user["id"],), dbname=dbname)
    t = new_thread(c)
    assert reply(c, t["id"], "[a](https://a.example) [b](https://b.example)")["state"] == "visible"
    links = reply(c, t["id"], "[a](https://a.example) [b](https://b.example) [c](https://c.example)")
    assert links["state"] == "pending"
    fast = reply(c, t["id"], "one too many, too fast")
    assert fast["state"] == "pending"
    reasons = dict(cluster.sql("SELECT post_id, reason FROM queue_items WHERE kind = 'pending'", dbname=dbname))
    assert reasons[links["id"]] == "too_many_links" and reasons[fast["id"]] == "posting_too_fast"


def test_a_nomination_becomes_an_idea_or_joins_one(server, cluster, member, moderator):
    t = new_thread(member, body="Publish a runbook for standard changes.")
    other = reply(member, t["id"], "And a template for the CAB agenda.")
    nom = make_user(server, cluster)
    nom.post("/api/v1/posts/%d/nominations" % t["first_post_id"], json={})
    it = item_for(moderator, "ideas", t["first_post_id"])
    assert_error(decide(moderator, it["id"], "accept", idea={"summary": "no title"}), 400, "invalid_input")
    r = decide(moderator, it["id"], "accept", idea={"title": "Standard-change runbook", "summary": "A **runbook**."})
    assert r.status_code == 200, r.text
    idea = r.json()["idea"]
    assert idea["ref"] == "IDEA-%d" % idea["number"] and idea["status"] == "new"
    shown = requests.get(server.url("/api/v1/ideas/%d" % idea["number"])).json()["idea"]
    assert [s["post_id"] for s in shown["sources"]] == [t["first_post_id"]]
    assert shown["sources"][0]["thread_id"] == t["id"] and "<strong>runbook</strong>" in shown["summary_html"]
    # a second nomination is attached to the same idea
    nom.post("/api/v1/posts/%d/nominations" % other["id"], json={})
    it2 = item_for(moderator, "ideas", other["id"])
    assert_error(decide(moderator, it2["id"], "attach", idea={"number": 999999}), 404, "not_found")
    r = decide(moderator, it2["id"], "attach", idea={"number": idea["number"]})
    assert r.status_code == 200, r.text
    shown = requests.get(server.url("/api/v1/ideas/%d" % idea["number"])).json()["idea"]
    assert sorted(s["post_id"] for s in shown["sources"]) == sorted([t["first_post_id"], other["id"]])
    assert cluster.sql("SELECT count(*) FROM mod_log WHERE target_type = 'queue_item' AND target_id IN (%s, %s)",
                       (str(it["id"]), str(it2["id"])))[0][0] == 2
