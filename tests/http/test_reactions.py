"""Issue 19: reactions on posts (+1, thanks, insightful), once per member and kind, never on
one's own post, counted split by community role, hidden with their post, race-safe, and the
replies sorted by practitioners' agreement."""
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import requests

from conftest import Client, assert_error, make_user, new_thread, reply

KINDS = ["plus_one", "thanks", "insightful"]


def react(client, post_id, kind="plus_one", **kw):
    return client.post("/api/v1/posts/%d/reactions/%s" % (post_id, kind), **kw)


def unreact(client, post_id, kind="plus_one", **kw):
    return client.delete("/api/v1/posts/%d/reactions/%s" % (post_id, kind), **kw)


def by_kind(reactions):
    return {r["kind"]: r for r in reactions}


def thread_posts(client_or_server, thread_id, query=""):
    if isinstance(client_or_server, Client):
        r = client_or_server.get("/api/v1/threads/%d%s" % (thread_id, query))
    else:
        r = requests.get(client_or_server.url("/api/v1/threads/%d%s" % (thread_id, query)))
    assert r.status_code == 200, r.text
    return {p["id"]: p for p in r.json()["posts"]}


def a_post(author):
    t = new_thread(author)
    return t, reply(author, t["id"], "Something to react to")


def test_reacting_counts_once_per_member_and_kind_split_by_role(server, cluster, member):
    t, p = a_post(member)
    doer = make_user(server, cluster, community_role="practitioner")
    helper = make_user(server, cluster, community_role="vendor")
    for c in (doer, helper):
        r = react(c, p["id"])
        assert r.status_code == 200, r.text
    again = react(doer, p["id"])   # a repeat is a no-op
    assert again.status_code == 200
    plus = by_kind(again.json()["reactions"])["plus_one"]
    assert plus["total"] == 2 and plus["by_kind"] == {"doer": 1, "helper": 1}
    assert {x["slug"]: x["count"] for x in plus["by_role"]} == {"practitioner": 1, "vendor": 1}
    assert plus["reacted"] is True and plus["label"] == "+1"
    assert react(doer, p["id"], "thanks").status_code == 200
    posts = thread_posts(server, t["id"])
    got = by_kind(posts[p["id"]]["reactions"])
    assert [r["kind"] for r in posts[p["id"]]["reactions"]] == KINDS
    assert got["plus_one"]["total"] == 2 and got["thanks"]["total"] == 1 and got["insightful"]["total"] == 0
    assert got["plus_one"]["reacted"] is False   # anonymous viewer
    # the viewer's own reactions come with the page
    mine = by_kind(thread_posts(doer, t["id"])[p["id"]]["reactions"])
    assert mine["plus_one"]["reacted"] and mine["thanks"]["reacted"] and not mine["insightful"]["reacted"]
    # and the single post's JSON carries the counts too
    one = doer.get("/api/v1/posts/%d" % p["id"]).json()["post"]
    assert by_kind(one["reactions"])["plus_one"]["total"] == 2
    assert cluster.sql("SELECT count(*) FROM post_reactions WHERE post_id = %s", (p["id"],))[0][0] == 3


def test_unreacting_takes_back_only_ones_own(server, cluster, member):
    t, p = a_post(member)
    a = make_user(server, cluster)
    b = make_user(server, cluster)
    assert react(a, p["id"]).status_code == 200
    r = unreact(b, p["id"])   # b never reacted: nothing of a's goes
    assert r.status_code == 200
    assert by_kind(r.json()["reactions"])["plus_one"]["total"] == 1
    r = unreact(a, p["id"])
    assert r.status_code == 200 and by_kind(r.json()["reactions"])["plus_one"]["total"] == 0
    assert unreact(a, p["id"]).status_code == 200   # again: still nothing, no error


def test_own_post_is_refused_with_a_clear_reason(member):
    t, p = a_post(member)
    e = assert_error(react(member, p["id"]), 403, "forbidden")
    assert e["reason"] == "own_post" and "own post" in e["message"]
    e = assert_error(react(member, t["first_post_id"], "thanks"), 403, "forbidden")
    assert e["reason"] == "own_post"


def test_bad_kinds_and_bad_ids(server, cluster, member):
    t, p = a_post(member)
    other = make_user(server, cluster)
    for kind in ("like", "PLUS_ONE", "%2B1", "+1", "x" * 3000, "%C3%28", "%FF"):
        r = other.post("/api/v1/posts/%d/reactions/%s" % (p["id"], kind))
        assert r.status_code in (400, 404, 414), (kind, r.status_code)
        assert r.json()["error"]["code"] in ("invalid_input", "not_found", "uri_too_long"), r.text
    assert_error(other.post("/api/v1/posts/%d/reactions/like" % p["id"]), 400, "invalid_input", "kind")
    assert_error(react(other, 999999999), 404, "not_found")
    assert other.post("/api/v1/posts/abc/reactions/thanks").status_code == 404
    # a body is ignored, whatever it is
    r = other.post("/api/v1/posts/%d/reactions/thanks" % p["id"], json={"kind": ["x"]})
    assert r.status_code == 200


def test_reacting_needs_a_signed_in_active_member_and_csrf(server, cluster, member, moderator):
    t, p = a_post(member)
    assert_error(requests.post(server.url("/api/v1/posts/%d/reactions/plus_one" % p["id"])), 401, "unauthenticated")
    other = make_user(server, cluster)
    assert_error(react(other, p["id"], csrf=False), 403, "csrf")
    assert_error(unreact(other, p["id"], csrf=False), 403, "csrf")
    r = moderator.post("/api/v1/users/%s/suspension" % other.user["username"],
                       json={"until": "2099-01-01T00:00:00Z", "reason": "cooling off"})
    assert r.status_code == 200, r.text
    assert_error(react(other, p["id"]), 403, "forbidden")
    assert cluster.sql("SELECT count(*) FROM post_reactions WHERE post_id = %s", (p["id"],))[0][0] == 0


def test_hidden_pending_and_deleted_posts_hide_their_reactions(server, cluster, member, moderator):
    t, p = a_post(member)
    fan = make_user(server, cluster)
    assert react(fan, p["id"], "insightful").status_code == 200
    cluster.sql("UPDATE posts SET state = 'hidden' WHERE id = %s", (p["id"],))
    # not for anyone, moderators included, in the API or the page
    assert p["id"] not in thread_posts(server, t["id"])
    assert thread_posts(moderator, t["id"])[p["id"]]["reactions"] is None
    page = moderator.get("/t/%d" % t["id"]).text
    assert 'id="p%d"' % p["id"] in page
    block = page.split('id="p%d"' % p["id"], 1)[1].split("</article>", 1)[0]
    assert "reaction" not in block
    # no new reactions either: a member does not see it, a moderator may not react
    assert_error(react(fan, p["id"]), 404, "not_found")
    e = assert_error(react(moderator, p["id"]), 403, "forbidden")
    assert e["reason"] == "not_visible"
    # shown again: the reaction is back
    cluster.sql("UPDATE posts SET state = 'visible' WHERE id = %s", (p["id"],))
    # (signed in: SQL by hand does not wait for the page cache to hear of it, a request does)
    assert by_kind(thread_posts(fan, t["id"])[p["id"]]["reactions"])["insightful"]["total"] == 1
    # deleted: the placeholder has no reactions
    assert member.delete("/api/v1/posts/%d" % p["id"]).status_code == 204
    assert thread_posts(server, t["id"])[p["id"]]["reactions"] is None
    assert_error(react(fan, p["id"], "thanks"), 404, "not_found")
    # a post waiting for a moderator takes none
    newcomer = Client(server).register()
    waiting = reply(newcomer, t["id"], "waiting")
    assert_error(react(fan, waiting["id"]), 404, "not_found")
    assert thread_posts(newcomer, t["id"])[waiting["id"]]["reactions"] is None


def test_parallel_reactions_all_count_exactly_once(server, cluster, member):
    t, p = a_post(member)
    roles = ["practitioner", "consultant", "analyst", "trainer"]
    with ThreadPoolExecutor(2) as pool:   # the server hashes two passwords at a time
        fans = list(pool.map(lambda i: make_user(server, cluster, community_role=roles[i % 4], trusted=False),
                             range(16)))
    barrier = threading.Barrier(len(fans) * 2)

    def go(i):
        c = fans[i % len(fans)]
        barrier.wait()
        return react(c, p["id"])   # every member twice at once

    with ThreadPoolExecutor(len(fans) * 2) as pool:
        results = list(pool.map(go, range(len(fans) * 2)))
    assert [r.status_code for r in results] == [200] * len(results), [r.text for r in results if r.status_code != 200][:3]
    assert cluster.sql("SELECT count(*) FROM post_reactions WHERE post_id = %s", (p["id"],))[0][0] == 16
    # the counts the pages read, kept by trigger, agree with the rows
    assert cluster.sql("SELECT sum(n) FROM post_reaction_counts WHERE post_id = %s", (p["id"],))[0][0] == 16
    plus = by_kind(thread_posts(server, t["id"])[p["id"]]["reactions"])["plus_one"]
    assert plus["total"] == 16 and plus["by_kind"] == {"doer": 4, "helper": 12}
    assert {x["slug"]: x["count"] for x in plus["by_role"]} == {r: 4 for r in roles}

    # and the same member hammering react/unreact ends in a consistent state
    one = fans[0]
    barrier2 = threading.Barrier(20)

    def flip(i):
        barrier2.wait()
        return (react if i % 2 else unreact)(one, p["id"], "thanks")

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(flip, range(20)))
    assert all(r.status_code == 200 for r in results), [r.text for r in results if r.status_code != 200][:3]
    rows = cluster.sql("SELECT count(*) FROM post_reactions WHERE post_id = %s AND kind = 'thanks'", (p["id"],))[0][0]
    assert rows in (0, 1)
    assert cluster.sql("SELECT coalesce(sum(n), 0) FROM post_reaction_counts WHERE post_id = %s AND kind = 'thanks'",
                       (p["id"],))[0][0] == rows
    assert by_kind(thread_posts(server, t["id"])[p["id"]]["reactions"])["thanks"]["total"] == rows


def test_the_role_a_reaction_was_made_with_stays_counted(server, cluster, member):
    t, p = a_post(member)
    fan = make_user(server, cluster, community_role="practitioner")
    assert react(fan, p["id"]).status_code == 200
    # the member changes role, or the account is anonymised: what they said stays a practitioner's
    cluster.sql("UPDATE users SET community_role = 'vendor', username = 'gone' || id WHERE id = %s",
                (fan.user["id"],))
    plus = by_kind(thread_posts(server, t["id"])[p["id"]]["reactions"])["plus_one"]
    assert plus["by_kind"] == {"doer": 1, "helper": 0}


def test_a_deleted_accounts_reactions_stay_counted_under_its_role(server, cluster, member):
    t, p = a_post(member)
    fan = make_user(server, cluster, community_role="practitioner")
    assert react(fan, p["id"], "insightful").status_code == 200
    r = fan.req("DELETE", "/api/v1/me", json={"password": fan.password})
    assert r.status_code == 204, r.text
    got = by_kind(thread_posts(member, t["id"])[p["id"]]["reactions"])["insightful"]
    assert got["total"] == 1 and got["by_kind"] == {"doer": 1, "helper": 0}


def test_replies_sort_by_practitioner_agreement(server, cluster, member):
    t = new_thread(member)
    a = reply(member, t["id"], "first reply")
    b = reply(member, t["id"], "second reply")
    c = reply(member, t["id"], "third reply", parent_id=a["id"])
    doers = [make_user(server, cluster, community_role="practitioner") for _ in range(2)]
    helpers = [make_user(server, cluster, community_role="consultant") for _ in range(3)]
    for d in doers:
        react(d, c["id"])
    react(doers[0], b["id"])
    for h in helpers:   # helpers' +1s do not make practitioner agreement
        react(h, a["id"])
    tree = [p["id"] for p in requests.get(server.url("/api/v1/threads/%d" % t["id"])).json()["posts"]]
    assert tree[1:] == [a["id"], c["id"], b["id"]]   # the default order is unchanged
    r = requests.get(server.url("/api/v1/threads/%d?sort=agreement" % t["id"]))
    assert r.status_code == 200 and r.json()["sort"] == "agreement"
    order = [p["id"] for p in r.json()["posts"]]
    assert order == [tree[0], c["id"], b["id"], a["id"]]
    assert r.json()["pages"]["next"] is None
    assert_error(requests.get(server.url("/api/v1/threads/%d?sort=votes" % t["id"])), 400, "invalid_input", "sort")
    assert_error(requests.get(server.url("/api/v1/threads/%d?sort=agreement&after=000001" % t["id"])),
                 400, "invalid_input", "after")
    page = requests.get(server.url("/t/%d?sort=agreement" % t["id"])).text
    assert page.index('id="p%d"' % c["id"]) < page.index('id="p%d"' % b["id"]) < page.index('id="p%d"' % a["id"])
    assert 'href="?sort=agreement" aria-current="page"' in page


def test_the_page_shows_the_split_and_a_form_per_reaction(server, cluster, member):
    t, p = a_post(member)
    fans = [make_user(server, cluster, community_role=r) for r in ("practitioner", "practitioner", "vendor")]
    for f in fans:
        react(f, p["id"])
    viewer = make_user(server, cluster)
    page = viewer.get("/t/%d" % t["id"]).text
    block = page.split('id="p%d"' % p["id"], 1)[1].split("</article>", 1)[0]
    assert "from 2 practitioners, 1 helper" in block
    for kind in KINDS:
        assert 'form="rx" formaction="/p/%d/reactions/%s"' % (p["id"], kind) in block
    assert '<form id="rx" method="post"' in page   # one form a page: its csrf field is not repeated
    # the form works without JavaScript: a POST with the csrf field, then 303 back to the post
    r = viewer.s.post(server.url("/p/%d/reactions/thanks" % p["id"]), data={"csrf": viewer.csrf},
                      allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"].endswith("/p/%d" % p["id"])
    page = viewer.get("/t/%d" % t["id"]).text
    block = page.split('id="p%d"' % p["id"], 1)[1].split("</article>", 1)[0]
    assert 'formaction="/p/%d/reactions/thanks/delete"' % p["id"] in block
    assert re.search(r'aria-pressed="true">.*?Thanks', block)
    r = viewer.s.post(server.url("/p/%d/reactions/thanks/delete" % p["id"]), data={"csrf": viewer.csrf},
                      allow_redirects=False)
    assert r.status_code == 303
    # without the csrf field: refused, nothing stored
    r = viewer.s.post(server.url("/p/%d/reactions/insightful" % p["id"]), data={}, allow_redirects=False)
    assert r.status_code == 403
    assert cluster.sql("SELECT count(*) FROM post_reactions WHERE post_id = %s AND user_id = %s",
                       (p["id"], viewer.user["id"]))[0][0] == 0
    # the author sees the counts but no buttons on their own post
    own = member.get("/t/%d" % t["id"]).text.split('id="p%d"' % p["id"], 1)[1].split("</article>", 1)[0]
    assert "from 2 practitioners, 1 helper" in own and "/reactions/" not in own
    # anonymous readers see counts, no forms; the cached page follows a new reaction at once
    anon = requests.get(server.url("/t/%d" % t["id"])).text
    assert "/reactions/" not in anon.split('id="p%d"' % p["id"], 1)[1].split("</article>", 1)[0]
    react(viewer, p["id"], "insightful")
    anon = requests.get(server.url("/t/%d" % t["id"])).text
    block = anon.split('id="p%d"' % p["id"], 1)[1].split("</article>", 1)[0]
    assert "<span>Insightful 1</span>" in block
