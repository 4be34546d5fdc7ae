"""Issue 16 (10): what admins manage — categories (create, edit, rename, reorder, in the API
and in /admin without JavaScript), the accounts list with search, and the site's name,
tagline and description (schema/0017), shown at once on cached pages and feeds."""
import html
import re
import time

import pytest
import requests

from conftest import assert_error, make_user, unique


def anon(server, path, **kw):
    return requests.get(server.url(path), **kw)


def categories(client):
    r = client.get("/api/v1/categories")
    assert r.status_code == 200, r.text
    return [c["slug"] for c in r.json()["categories"]]


def log_entries(cluster, action, target_type, target_id):
    return cluster.sql("SELECT actor_id, details FROM mod_log WHERE action = %s AND target_type = %s"
                       " AND target_id = %s ORDER BY id", (action, target_type, target_id))


def form(client, path, fields):
    """A browser's form post: urlencoded, the CSRF token as a field, no redirect followed."""
    return client.req("POST", path, data=dict(fields, csrf=client.csrf), csrf=False)


def new_slug(prefix="cat"):
    return unique(prefix).lower()


# --- categories ---

def test_admin_edits_renames_and_reorders_categories_through_the_api(server, cluster, admin):
    a, b = new_slug(), new_slug()
    for slug in (a, b):
        r = admin.post("/api/v1/categories", json={"slug": slug, "name": "Name " + slug})
        assert r.status_code == 201, r.text
    r = admin.patch("/api/v1/categories/%s" % a, json={"name": "Renamed", "description": "About it"})
    assert r.status_code == 200, r.text
    assert r.json()["category"]["name"] == "Renamed" and r.json()["category"]["description"] == "About it"

    # a new slug: the old address is gone, the threads follow (they refer to the id)
    renamed = new_slug("ren")
    r = admin.patch("/api/v1/categories/%s" % a, json={"slug": renamed})
    assert r.status_code == 200 and r.json()["category"]["slug"] == renamed, r.text
    assert anon(server, "/api/v1/categories/%s" % a).status_code == 404
    assert anon(server, "/api/v1/categories/%s" % renamed).status_code == 200
    assert log_entries(cluster, "update_category", "category", a)[-1][1] == {"slug": renamed}

    assert_error(admin.patch("/api/v1/categories/%s" % renamed, json={"slug": b}), 409, "conflict", "slug")
    assert_error(admin.patch("/api/v1/categories/%s" % renamed, json={"slug": "Not A Slug"}),
                 400, "invalid_input", "slug")
    assert_error(admin.patch("/api/v1/categories/%s" % renamed, json={"name": ""}), 400, "invalid_input", "name")
    assert_error(admin.patch("/api/v1/categories/%s" % renamed, json={}), 400, "invalid_input")
    assert_error(admin.patch("/api/v1/categories/no-such-%s" % b, json={"name": "x"}), 404, "not_found")

    # b is last: up swaps it with renamed, down at the end moves nothing
    order = categories(admin)
    assert order[-2:] == [renamed, b]
    r = admin.post("/api/v1/categories/%s/move" % b, json={"direction": "up"})
    assert r.status_code == 200 and r.json()["moved"] is True, r.text
    assert [c["slug"] for c in r.json()["categories"]][-2:] == [b, renamed]
    assert categories(admin)[-2:] == [b, renamed]
    r = admin.post("/api/v1/categories/%s/move" % renamed, json={"direction": "down"})
    assert r.status_code == 200 and r.json()["moved"] is False
    assert_error(admin.post("/api/v1/categories/%s/move" % b, json={"direction": "sideways"}),
                 400, "invalid_input", "direction")
    assert_error(admin.post("/api/v1/categories/no-such-%s/move" % b, json={"direction": "up"}), 404, "not_found")
    assert log_entries(cluster, "move_category", "category", b)[-1][1] == {"direction": "up"}
    entries = admin.get("/api/v1/mod/log", params={"target": "category", "action": "move_category"}).json()["entries"]
    assert entries[0]["summary"].endswith("moved the category “Name %s” up" % b), entries[0]
    assert len(log_entries(cluster, "move_category", "category", renamed)) == 0


def test_admin_manages_categories_on_the_admin_page_without_javascript(server, cluster, admin):
    slug = new_slug()
    r = form(admin, "/admin/categories", {"slug": slug, "name": "Form " + slug, "description": "Made by a form"})
    assert r.status_code == 303 and r.headers["Location"].startswith("/admin"), r.text
    page = admin.get("/admin").text
    assert 'action="/admin/categories/%s"' % slug in page          # its edit form
    assert 'action="/admin/categories/%s/move"' % slug in page     # its move buttons
    assert re.search(r'name="direction" value="down" class="secondary" disabled>Move down<span class="vh"> Form %s'
                     % slug, page), "the last category cannot move down"

    r = form(admin, "/admin/categories/%s" % slug, {"slug": slug, "name": "Edited " + slug, "description": ""})
    assert r.status_code == 303, r.text
    got = admin.get("/api/v1/categories/%s" % slug).json()["category"]
    assert got["name"] == "Edited " + slug and got["description"] == ""

    before = categories(admin)
    r = form(admin, "/admin/categories/%s/move" % slug, {"direction": "up"})
    assert r.status_code == 303, r.text
    after = categories(admin)
    i = before.index(slug)
    assert after[i - 1] == slug and after[i] == before[i - 1]
    assert log_entries(cluster, "create_category", "category", slug)

    # a refused edit shows /admin again with the error beside the field
    r = form(admin, "/admin/categories/%s" % slug, {"slug": "general", "name": "x"})
    assert r.status_code == 409 and 'role="alert"' in r.text and "already a category" in r.text


def test_members_and_moderators_cannot_manage_categories_accounts_or_the_site(server, member, moderator):
    for c in (member, moderator):
        assert_error(c.patch("/api/v1/categories/general", json={"name": "x"}), 403, "forbidden")
        assert_error(c.post("/api/v1/categories/general/move", json={"direction": "down"}), 403, "forbidden")
        assert_error(c.get("/api/v1/admin/users"), 403, "forbidden")
        assert_error(c.patch("/api/v1/site", json={"site_name": "Mine"}), 403, "forbidden")
        assert c.get("/admin/users").status_code == 403
    assert requests.get(server.url("/api/v1/admin/users")).status_code == 401
    assert requests.patch(server.url("/api/v1/site"), json={"site_name": "x"}).status_code in (401, 403)


# --- accounts ---

def insert_users(cluster, names, display=""):
    for n in names:
        cluster.sql("INSERT INTO users (username, display_name, password_hash, community_role)"
                    " VALUES (%s, %s, 'x', 'practitioner')", (n, display))


def test_admin_searches_accounts_by_name_with_wildcards_taken_literally(server, cluster, admin):
    tag = unique("s")[:9]
    insert_users(cluster, ["%s_under" % tag, "%sXunder" % tag, "%s-plain" % tag])
    insert_users(cluster, ["%sdisp" % tag], display="Ada 100% Lovelace")

    def search(q, page=1):
        r = admin.get("/api/v1/admin/users", params={"q": q, "page": page})
        assert r.status_code == 200, r.text
        return r.json()

    # "_" and "%" are literal characters, not LIKE wildcards
    assert [u["username"] for u in search(tag + "_")["users"]] == ["%s_under" % tag]
    assert [u["username"] for u in search("100%")["users"]] == ["%sdisp" % tag]
    assert search("1%0")["users"] == []            # as a pattern it would match "100"
    assert search(tag.upper() + "XUNDER")["users"][0]["username"] == "%sXunder" % tag  # any case
    assert search("lovelace")["users"][0]["username"] == "%sdisp" % tag           # display name
    assert search("no such %s" % tag)["users"] == []
    u = search(tag + "-plain")["users"][0]
    for key in ("id", "username", "display_name", "role", "community_role", "role_verified",
                "suspended_until", "post_count", "created_at"):
        assert key in u, key
    assert u["role"] == "member" and u["community_role"]["slug"] == "practitioner"
    assert u["suspended_until"] is None

    # 50 a page
    many = unique("p")[:9]
    insert_users(cluster, ["%s%03d" % (many, i) for i in range(55)])
    first, second = search(many), search(many, 2)
    assert len(first["users"]) == 50 and first["next_page"] == 2
    assert len(second["users"]) == 5 and second["next_page"] is None and second["prev_page"] == 1
    assert_error(admin.get("/api/v1/admin/users", params={"page": "0"}), 400, "invalid_input")


def test_accounts_page_shows_roles_and_suspensions_and_changes_a_role(server, cluster, admin, member):
    name = member.user["username"]
    until = "2099-01-01T00:00:00Z"
    cluster.sql("UPDATE users SET suspended_until = %s, suspension_reason = 'test' WHERE id = %s",
                (until, member.user["id"]))
    page = admin.get("/admin/users", params={"q": name})
    assert page.status_code == 200
    assert 'href="/u/%s"' % name in page.text and 'datetime="%s"' % until in page.text
    assert "<option selected>member</option>" in page.text
    assert 'name="csrf" value=""' not in page.text   # each row's form carries the token

    r = form(admin, "/admin/users/%s/role" % name, {"role": "moderator", "q": name + " &x", "page": "1"})
    assert r.status_code == 303, r.text
    assert r.headers["Location"] == "/admin/users?q=%s%%20%%26x&page=1" % name
    assert admin.get("/api/v1/users/%s" % name).json()["user"]["role"] == "moderator"
    assert log_entries(cluster, "set_role", "user", str(member.user["id"]))[-1][0] == admin.user["id"]
    r = form(admin, "/admin/users/%s/role" % name, {"role": "king"})
    assert r.status_code == 400 and 'role="alert"' in r.text


# --- site settings ---

@pytest.fixture
def restore_site(server, admin):
    before = anon(server, "/api/v1/site").json()["site"]
    yield
    r = admin.patch("/api/v1/site", json={k: before[k] for k in ("site_name", "tagline", "description")})
    assert r.status_code == 200, r.text


def test_site_settings_are_public_and_validated(server, cluster, admin, restore_site):
    r = anon(server, "/api/v1/site")
    assert r.status_code == 200
    site = r.json()["site"]
    assert site["site_name"] == "Corral" and set(site) == {"site_name", "tagline", "description", "updated_at"}

    assert_error(admin.patch("/api/v1/site", json={"site_name": ""}), 400, "invalid_input", "site_name")
    assert_error(admin.patch("/api/v1/site", json={"site_name": "x" * 101}), 400, "invalid_input", "site_name")
    assert_error(admin.patch("/api/v1/site", json={"tagline": "two\nlines"}), 400, "invalid_input", "tagline")
    assert_error(admin.patch("/api/v1/site", json={"description": "bell\u0007"}), 400, "invalid_input",
                 "description")
    assert_error(admin.patch("/api/v1/site", json={"description": "c1\u0085"}), 400, "invalid_input",
                 "description")
    assert_error(admin.patch("/api/v1/site", json={"description": "d" * 501}), 400, "invalid_input",
                 "description")
    assert_error(admin.patch("/api/v1/site", json={"site_name": 7}), 400, "invalid_input", "site_name")
    assert_error(admin.patch("/api/v1/site", json={}), 400, "invalid_input")

    r = admin.patch("/api/v1/site", json={"site_name": "  Ünïcode Forum  ", "tagline": ""})
    assert r.status_code == 200, r.text
    assert r.json()["site"]["site_name"] == "Ünïcode Forum" and r.json()["site"]["tagline"] == ""
    assert r.json()["site"]["description"] == site["description"]   # untouched
    assert log_entries(cluster, "update_site", "site", "settings")[-1][1] == {"site_name": "Ünïcode Forum",
                                                                             "tagline": ""}
    entries = admin.get("/api/v1/mod/log", params={"target": "site"}).json()["entries"]
    assert entries[0]["summary"] == "%s changed the site's name and texts" % admin.user["username"]


def test_a_new_site_name_shows_at_once_on_cached_pages_and_feeds(server, admin, restore_site):
    for path in ("/", "/feed.atom", "/c/general"):
        anon(server, path)
        assert anon(server, path).headers.get("X-Cache") == "hit", path
    name, tagline = "Ops <Commons> " + unique(), "where " + unique("tag")
    desc = "Practitioners & friends " + unique()
    r = admin.patch("/api/v1/site", json={"site_name": name, "tagline": tagline, "description": desc})
    assert r.status_code == 200, r.text

    home = anon(server, "/")
    assert home.headers.get("X-Cache") != "hit"
    text = home.text
    esc = html.escape(name, quote=True)
    assert "<title>Discussions · %s</title>" % esc in text
    assert '<a class="brand" href="/">%s</a>' % esc in text
    assert '<meta name="description" content="%s">' % html.escape(desc, quote=True) in text
    assert '<meta property="og:site_name" content="%s">' % esc in text
    assert '<meta property="og:title" content="Discussions">' in text
    assert '<meta property="og:description" content="%s">' % html.escape(desc, quote=True) in text
    assert tagline in text and "Corral —" not in text
    assert "<Commons>" not in text
    assert "<title>%s: latest discussions</title>" % esc in anon(server, "/feed.atom").text
    assert "<title>%s: General</title>" % esc in anon(server, "/c/general/feed.atom").text
    assert "<title>%s: ideas</title>" % esc in anon(server, "/ideas/feed.atom").text
    assert esc in anon(server, "/c/general").text
    # and the signed-in pages too
    assert '<a class="brand" href="/">%s</a>' % esc in admin.get("/admin").text


def test_a_change_made_in_sql_reaches_the_pages_through_notify(server, cluster, restore_site):
    anon(server, "/")
    assert anon(server, "/").headers.get("X-Cache") == "hit"
    name = "Changed by hand " + unique()
    cluster.sql("UPDATE site_settings SET site_name = %s", (name,))
    deadline = time.time() + 5
    while name not in anon(server, "/").text:
        assert time.time() < deadline, "the page kept the old name"
        time.sleep(0.05)
    assert anon(server, "/api/v1/site").json()["site"]["site_name"] == name


def test_admin_saves_the_site_settings_with_the_form(server, admin, restore_site):
    name = "Form Forum " + unique()
    r = form(admin, "/admin/site", {"site_name": name, "tagline": "t", "description": "d"})
    assert r.status_code == 303 and r.headers["Location"].startswith("/admin"), r.text
    page = admin.get("/admin").text
    assert 'value="%s"' % name in page and '<a class="brand" href="/">%s</a>' % name in page
    r = form(admin, "/admin/site", {"site_name": "", "tagline": "t", "description": "d"})
    assert r.status_code == 400 and 'role="alert"' in r.text and 'aria-invalid="true"' in r.text
