"""Issue 21 (part): helpers' declared affiliations (shown beside the role on posts and
profiles, required by some categories) and the idea board sorted by practitioners' votes."""
import re

import pytest
import requests

from conftest import Client, assert_error, make_user, new_thread, reply, unique


@pytest.fixture(scope="module")
def vendor(server, cluster):
    return make_user(server, cluster, community_role="vendor")


@pytest.fixture(scope="module")
def doer(server, cluster):
    return make_user(server, cluster)


@pytest.fixture(scope="module")
def admin_m(server, cluster):
    return make_user(server, cluster, "admin", "trainer")


def declare(client, organisation, products=None):
    body = {"organisation": organisation}
    if products is not None:
        body["products"] = products
    r = client.put("/api/v1/me/affiliation", json=body)
    assert r.status_code == 200, r.text
    return r.json()


def author_of(server, thread_id, post_id):
    posts = requests.get(server.url("/api/v1/threads/%d" % thread_id)).json()["posts"]
    return [p for p in posts if p["id"] == post_id][0]["author"]


# --- declaring ---

def test_a_vendor_declares_an_affiliation_shown_on_posts_profile_and_pages(server, cluster, vendor, doer):
    got = declare(vendor, "  Acme Service Tools  ", "AcmeDesk, AcmeCMDB")
    assert got["may_declare"] is True
    assert got["affiliation"]["organisation"] == "Acme Service Tools"
    assert got["affiliation"]["products"] == "AcmeDesk, AcmeCMDB"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", got["affiliation"]["declared_at"])
    assert vendor.get("/api/v1/me/affiliation").json() == got
    t = new_thread(doer)
    p = reply(vendor, t["id"], "Our tool does that")
    assert author_of(server, t["id"], p["id"])["affiliation"] == {"organisation": "Acme Service Tools",
                                                                  "products": "AcmeDesk, AcmeCMDB"}
    assert author_of(server, t["id"], t["first_post_id"])["affiliation"] is None   # a practitioner
    profile = requests.get(server.url("/api/v1/users/%s" % vendor.user["username"])).json()["user"]
    assert profile["affiliation"] == {"organisation": "Acme Service Tools", "products": "AcmeDesk, AcmeCMDB"}
    page = requests.get(server.url("/t/%d" % t["id"])).text
    assert re.search(r'class="affiliation">.*Acme Service Tools.*sells AcmeDesk, AcmeCMDB', page)
    assert "Acme Service Tools" in requests.get(server.url("/u/%s" % vendor.user["username"])).text
    exported = vendor.get("/api/v1/me/export").json()["profile"]["affiliation"]
    assert exported["organisation"] == "Acme Service Tools" and exported["declared_at"]


def test_practitioners_do_not_declare_and_show_no_affiliation(server, doer):
    r = doer.put("/api/v1/me/affiliation", json={"organisation": "Big Bank"})
    err = assert_error(r, 403, "forbidden", "organisation")
    assert r.json()["error"]["reason"] == "not_a_helper" and err["message"]
    got = doer.get("/api/v1/me/affiliation").json()
    assert got == {"affiliation": None, "may_declare": False}
    page = doer.get("/settings").text
    assert 'id="affiliation"' in page and "practitioners are not asked" in page


def test_becoming_a_practitioner_hides_the_affiliation_and_removing_clears_it(server, cluster):
    c = make_user(server, cluster, community_role="consultant")
    declare(c, "Consult & Co")
    t = new_thread(c)
    assert author_of(server, t["id"], t["first_post_id"])["affiliation"]["organisation"] == "Consult & Co"
    assert c.patch("/api/v1/users/%s" % c.user["username"], json={"community_role": "practitioner"}).status_code == 200
    assert author_of(server, t["id"], t["first_post_id"])["affiliation"] is None
    assert c.patch("/api/v1/users/%s" % c.user["username"], json={"community_role": "consultant"}).status_code == 200
    r = c.delete("/api/v1/me/affiliation")
    assert r.status_code == 200 and r.json()["affiliation"] is None
    assert author_of(server, t["id"], t["first_post_id"])["affiliation"] is None
    assert cluster.sql("SELECT affiliation, affiliation_products, affiliation_at FROM users WHERE id = %s",
                       (c.user["id"],))[0] == (None, None, None)


def test_deleting_an_account_erases_its_affiliation(server, cluster):
    c = make_user(server, cluster, community_role="trainer")
    declare(c, "Course Corp", "Courses")
    assert c.req("DELETE", "/api/v1/me", json={"password": c.password}).status_code in (200, 204)
    assert cluster.sql("SELECT affiliation, affiliation_products, affiliation_at FROM users WHERE id = %s",
                       (c.user["id"],))[0] == (None, None, None)


@pytest.mark.parametrize("body,field", [
    ({}, "organisation"),
    ({"organisation": ""}, "organisation"),
    ({"organisation": "   "}, "organisation"),
    ({"organisation": None}, "organisation"),
    ({"organisation": "x" * 101}, "organisation"),
    ({"organisation": 5}, "organisation"),
    ({"organisation": ["Acme"]}, "organisation"),
    ({"organisation": "Acme\nInc"}, "organisation"),
    ({"organisation": "Acme", "products": "p" * 301}, "products"),
    ({"organisation": "Acme", "products": 7}, "products"),
    ({"organisation": "Acme", "products": "a\x07b"}, "products"),
])
def test_bad_affiliations_are_refused_and_nothing_changes(server, cluster, vendor, body, field):
    before = cluster.sql("SELECT affiliation FROM users WHERE id = %s", (vendor.user["id"],))[0][0]
    assert_error(vendor.put("/api/v1/me/affiliation", json=body), 400, "invalid_input", field)
    assert cluster.sql("SELECT affiliation FROM users WHERE id = %s", (vendor.user["id"],))[0][0] == before


def test_affiliation_bodies_that_are_not_json_objects_or_utf8_are_refused(server, vendor):
    r = vendor.req("PUT", "/api/v1/me/affiliation", data=b'{"organisation": "\xff\xfe"}',
                   headers={"Content-Type": "application/json"})
    assert_error(r, 400, "invalid_input")
    r = vendor.req("PUT", "/api/v1/me/affiliation", data=b'["Acme"]', headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert_error(vendor.put("/api/v1/me/affiliation", json={"organisation": "Acme"}, csrf=False), 403, "csrf")
    assert_error(requests.put(server.url("/api/v1/me/affiliation"), json={"organisation": "Acme"}),
                 401, "unauthenticated")
    assert vendor.put("/api/v1/me/affiliation", json={"organisation": "x" * 100}).status_code == 200   # inclusive


def test_the_settings_form_declares_and_clears_without_javascript(server, cluster):
    c = make_user(server, cluster, community_role="analyst")
    page = c.get("/settings").text
    assert 'action="/settings/affiliation"' in page and '<label for="affiliation-org">' in page
    r = c.post("/settings/affiliation", data={"csrf": c.csrf, "organisation": "Gartnerish", "products": ""})
    assert r.status_code == 303 and r.headers["Location"] == "/settings#affiliation"
    assert 'value="Gartnerish"' in c.get("/settings").text
    bad = c.post("/settings/affiliation", data={"csrf": c.csrf, "organisation": "y" * 101})
    assert bad.status_code == 400 and 'aria-invalid="true"' in bad.text and "organisation" in bad.text
    r = c.post("/settings/affiliation", data={"csrf": c.csrf, "organisation": "", "products": ""})
    assert r.status_code == 303
    assert c.get("/api/v1/me/affiliation").json()["affiliation"] is None
    r = c.post("/settings/affiliation", data={"csrf": c.csrf, "organisation": "", "products": "Sold stuff"})
    assert r.status_code == 400


# --- categories that require one ---

def test_a_category_requiring_an_affiliation_refuses_helpers_without_one(server, cluster, admin_m, doer):
    slug = unique("aff")[:12].lower()
    r = admin_m.post("/api/v1/categories", json={"slug": slug, "name": "Vendors welcome",
                                                  "requires_affiliation": True})
    assert r.status_code == 201 and r.json()["category"]["requires_affiliation"] is True, r.text
    listed = requests.get(server.url("/api/v1/categories")).json()
    listed = listed["categories"] if isinstance(listed, dict) else listed
    assert [c["requires_affiliation"] for c in listed if c["slug"] == slug] == [True]
    helper = make_user(server, cluster, community_role="trainer")
    body = {"category": slug, "title": "Training offer", "body": "Come to my course"}
    r = helper.post("/api/v1/threads", json=body)
    err = assert_error(r, 403, "forbidden")
    assert r.json()["error"]["reason"] == "affiliation_required"
    assert r.json()["error"]["next"]["href"] == "/settings#affiliation" and "affiliation" in err["message"]
    t = new_thread(doer, category=slug)   # practitioners are not asked
    assert "declare their affiliation" in requests.get(server.url("/c/" + slug)).text
    r = helper.post("/api/v1/threads/%d/posts" % t["id"], json={"body": "Me too"})
    assert_error(r, 403, "forbidden")
    assert r.json()["error"]["reason"] == "affiliation_required"
    page = helper.post("/new", data={"csrf": helper.csrf, "category": slug, "title": "Training offer",
                                     "body": "Come"})
    assert page.status_code == 403 and 'href="/settings#affiliation"' in page.text
    mod = make_user(server, cluster, "moderator", "consultant")   # staff post notices anywhere
    reply(mod, t["id"], "A moderator's note")
    declare(helper, "Train Inc")
    reply(helper, t["id"], "Declared now")
    assert helper.post("/api/v1/threads", json=body).status_code == 201
    # elsewhere nothing is asked
    assert new_thread(make_user(server, cluster, community_role="vendor"))["id"]
    r = admin_m.patch("/api/v1/categories/%s" % slug, json={"requires_affiliation": False})
    assert r.status_code == 200 and r.json()["category"]["requires_affiliation"] is False
    assert_error(admin_m.patch("/api/v1/categories/%s" % slug, json={"requires_affiliation": "yes"}),
                 400, "invalid_input", "requires_affiliation")
    assert cluster.sql("SELECT details->>'requires_affiliation' FROM mod_log WHERE action = 'update_category'"
                       " AND target_id = %s ORDER BY id DESC LIMIT 1", (slug,))[0][0] == "false"


def test_the_admin_form_sets_the_category_rule(server, cluster, admin_m):
    slug = unique("af")[:12].lower()
    r = admin_m.post("/admin/categories", data={"csrf": admin_m.csrf, "slug": slug, "name": "Form made",
                                                 "requires_affiliation": "true"})
    assert r.status_code == 303
    assert cluster.sql("SELECT requires_affiliation FROM categories WHERE slug = %s", (slug,))[0][0] is True
    assert 'name="requires_affiliation"' in admin_m.get("/admin").text


# --- the board by practitioners' votes ---

def board(server, sort):
    numbers, page = [], 1
    while page:
        r = requests.get(server.url("/api/v1/ideas"), params={"sort": sort, "page": page})
        assert r.status_code == 200, r.text
        numbers += [i["number"] for i in r.json()["ideas"]]
        page = r.json()["next_page"]
    return numbers


def test_the_board_sorts_by_practitioner_votes(server, cluster):
    mod = make_user(server, cluster, "moderator", "consultant")
    a = mod.post("/api/v1/ideas", json={"title": unique("Helpers like "), "summary": "x"}).json()["idea"]["number"]
    b = mod.post("/api/v1/ideas", json={"title": unique("Doers like "), "summary": "x"}).json()["idea"]["number"]
    helpers = [make_user(server, cluster, community_role=r) for r in ("vendor", "analyst", "trainer")]
    doers = [make_user(server, cluster) for _ in range(2)]
    for c in helpers:
        assert c.post("/api/v1/ideas/%d/votes" % a).status_code == 200
    for c in doers:
        assert c.post("/api/v1/ideas/%d/votes" % b).status_code == 200
    by_votes, by_doers = board(server, "votes"), board(server, "practitioners")
    assert by_votes.index(a) < by_votes.index(b)
    assert by_doers.index(b) < by_doers.index(a)
    assert cluster.sql("SELECT doer_vote_count FROM ideas WHERE number IN (%s, %s) ORDER BY number", (a, b)) == [(0,), (2,)]
    # the count follows the voters' roles, and unvoting
    assert doers[0].patch("/api/v1/users/%s" % doers[0].user["username"],
                          json={"community_role": "consultant"}).status_code == 200
    assert doers[1].delete("/api/v1/ideas/%d/votes" % b).status_code == 200
    assert cluster.sql("SELECT doer_vote_count, vote_count FROM ideas WHERE number = %s", (b,)) == [(0, 1)]
    page = requests.get(server.url("/ideas?sort=practitioners")).text
    assert 'sort=practitioners" aria-current="page"' in page
    assert_error(requests.get(server.url("/api/v1/ideas?sort=doers")), 400, "invalid_input", "sort")


def test_the_practitioner_sort_has_an_index_in_its_order(server, cluster):
    """A test database is too small for the planner to prefer an index on its own: with the
    alternatives priced out, the board's order must come straight from ideas_by_doer_votes
    (no sort step), as it does on a large board."""
    plan = cluster.sql("SET enable_seqscan = off; SET enable_bitmapscan = off; SET enable_sort = off;"
                       " EXPLAIN SELECT number FROM ideas WHERE merged_into IS NULL"
                       " ORDER BY doer_vote_count DESC, vote_count DESC, number DESC LIMIT 31")
    text = " ".join(row[0] for row in plan)
    assert "ideas_by_doer_votes" in text and "Sort Key" not in text, text
