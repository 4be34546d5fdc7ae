"""Issue 16 item 19: a profile lists the member's threads and posts, paged, showing each
viewer only what they may see; the API lists the same (/api/v1/users/{name}/posts|threads)."""
import os
import re
import sys

import requests

from conftest import ROOT, Client, assert_error, cli, make_user, new_thread, reply, unique

sys.path.insert(0, os.path.join(ROOT, "tests", "bench"))
import stmts  # noqa: E402


def api(server, path, client=None, **params):
    get = client.get if client else (lambda p, **kw: requests.get(server.url(p), **kw))
    r = get(path, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_profile_lists_posts_newest_first_paged_with_links(server, member, cluster):
    name = member.user["username"]
    t = new_thread(member, title="Paging my posts", body="opening words")
    ids = [t["first_post_id"]] + [reply(member, t["id"], "reply number %d <b>x</b>" % i)["id"] for i in range(11)]
    # the API: 50 a page, newest first, with the thread and an excerpt in plain text
    body = api(server, "/api/v1/users/%s/posts" % name.upper())
    assert body["user"] == {"id": member.user["id"], "username": name}
    posts = body["posts"]
    assert [p["id"] for p in posts["items"]] == ids[::-1]
    assert (posts["page"], posts["pages"], posts["total"], posts["prev"], posts["next"]) == (1, 1, 12, None, None)
    first = posts["items"][0]
    assert first["thread"] == {"id": t["id"], "title": "Paging my posts", "slug": t["slug"]}
    assert first["excerpt"] == "reply number 10 x" and first["state"] == "visible"
    assert first["opens_thread"] is False and posts["items"][-1]["opens_thread"] is True
    # the page: 10 a page, page 1 of 2, links to /p/{id}, a next link keeping its place
    html = requests.get(server.url("/u/%s" % name)).text
    section = html[html.index('id="posts"'):]
    assert "Page 1 of 2" in section
    assert re.findall(r'href="/p/(\d+)"', section)[:10] == [str(i) for i in ids[::-1][:10]]
    assert 'href="/u/%s?posts_page=2#posts" rel="next"' % name in section
    assert "reply number 10 x" in section and "&lt;b&gt;" not in section
    page2 = requests.get(server.url("/u/%s?posts_page=2" % name)).text
    section = page2[page2.index('id="posts"'):]
    assert re.findall(r'href="/p/(\d+)"', section) == [str(i) for i in ids[:2][::-1]]
    assert "Page 2 of 2" in section and 'href="/u/%s#posts" rel="prev"' % name in section


def test_profile_lists_threads_and_keeps_the_other_lists_page(server, cluster):
    m = make_user(server, cluster)
    name = m.user["username"]
    threads = [new_thread(m, title="Started thread %d" % i) for i in range(12)]
    body = api(server, "/api/v1/users/%s/threads" % name)["threads"]
    assert [t["id"] for t in body["items"]] == [t["id"] for t in threads[::-1]]
    assert body["items"][0]["category"]["slug"] == "general" and body["items"][0]["reply_count"] == 0
    html = requests.get(server.url("/u/%s?posts_page=2&threads_page=2" % name)).text
    section = html[html.index('id="threads"'):html.index('id="posts"')]
    assert re.findall(r'href="/t/(\d+)/', section) == [str(threads[1]["id"]), str(threads[0]["id"])]
    assert 'href="/u/%s?posts_page=2#threads" rel="prev"' % name in section
    posts = html[html.index('id="posts"'):]
    assert 'href="/u/%s?threads_page=2#posts" rel="prev"' % name in posts
    # the API pages by 50
    more = [new_thread(m, title="More %d" % i) for i in range(40)]
    body = api(server, "/api/v1/users/%s/threads" % name, page=2)["threads"]
    assert (body["page"], body["pages"], body["total"]) == (2, 2, 52)
    assert [t["id"] for t in body["items"]] == [t["id"] for t in threads[1::-1]]
    assert body["prev"] == "/api/v1/users/%s/threads" % name and body["next"] is None
    assert api(server, "/api/v1/users/%s/threads" % name)["threads"]["next"] == \
        "/api/v1/users/%s/threads?page=2" % name
    assert more


def test_profile_lists_show_each_viewer_only_what_they_may_see(server, cluster, moderator):
    m = make_user(server, cluster)
    name = m.user["username"]
    t = new_thread(m, body="visible opening")
    hidden = reply(m, t["id"], "hidden words")["id"]
    deleted = reply(m, t["id"], "deleted words")["id"]
    assert moderator.post("/api/v1/posts/%d/hide" % hidden, json={"reason": "no"}).status_code == 200
    assert m.delete("/api/v1/posts/%d" % deleted).status_code in (200, 204)
    newcomer = Client(server).register()
    nt = newcomer.post("/api/v1/threads", json={"category": "general", "title": "Held thread of mine",
                                                 "body": "held opening"})
    assert nt.status_code == 201 and nt.json()["thread"]["state"] == "pending"
    held = reply(newcomer, t["id"], "held reply")["id"]
    stranger = make_user(server, cluster)

    def ids(client, who, kind):
        return [x["id"] for x in api(server, "/api/v1/users/%s/%s" % (who, kind), client)[kind]["items"]]

    assert ids(None, name, "posts") == [t["first_post_id"]]
    assert ids(stranger, name, "posts") == [t["first_post_id"]]
    assert ids(m, name, "posts") == [t["first_post_id"]]     # authors do not see hidden or deleted posts
    mod = api(server, "/api/v1/users/%s/posts" % name, moderator)["posts"]["items"]
    assert [(x["id"], x["state"]) for x in mod] == [(deleted, "deleted"), (hidden, "hidden"),
                                                    (t["first_post_id"], "visible")]
    html = moderator.get("/u/%s" % name).text
    assert "hidden by moderators" in html and "hidden words" in html
    assert "hidden words" not in requests.get(server.url("/u/%s" % name)).text
    # pending: the author and moderators, nobody else
    nname = newcomer.user["username"]
    nthread = nt.json()["thread"]
    assert ids(None, nname, "posts") == [] and ids(stranger, nname, "threads") == []
    assert ids(newcomer, nname, "posts") == [held, nthread["first_post_id"]]
    assert ids(newcomer, nname, "threads") == [nthread["id"]]
    assert ids(moderator, nname, "threads") == [nthread["id"]]
    page = newcomer.get("/u/%s" % nname).text
    assert "Held thread of mine" in page and "waiting for a moderator" in page
    anon = requests.get(server.url("/u/%s" % nname)).text
    assert "Held thread of mine" not in anon and "No posts yet." in anon and "No discussions started yet." in anon


def test_profile_lists_refuse_bad_pages_and_unknown_members(server, member):
    name = member.user["username"]
    for bad in ("0", "-1", "abc", "1.5", "9" * 30, "\xff"):
        assert_error(requests.get(server.url("/api/v1/users/%s/posts" % name), params={"page": bad}),
                     400, "invalid_input", "page")
        assert requests.get(server.url("/u/%s" % name), params={"threads_page": bad}).status_code == 400
    assert_error(requests.get(server.url("/api/v1/users/%s/threads?page=2" % name)), 404, "not_found", "page")
    assert requests.get(server.url("/u/%s?posts_page=5" % name)).status_code == 404
    assert_error(requests.get(server.url("/api/v1/users/nosuchmember404/posts")), 404, "not_found")
    # an empty page is page 1, as on every list
    assert requests.get(server.url("/api/v1/users/%s/posts?page=" % name)).json()["posts"]["page"] == 1


def test_profile_posts_use_the_author_index(cluster):
    """A member with 3 000 posts among 20 000 of 200 others': the page reads the member's part of
    posts_author and sorts only theirs. On a database of its own, so the planner sees this
    distribution and nothing else (triggers and foreign keys are off for the bulk insert)."""
    url = cluster.create_db(unique("plan"))
    out = cli("migrate", "--database", url)
    assert out.returncode == 0, out.stderr
    db = url.split("///")[1].split("?")[0]
    cluster.sql("""
        SET session_replication_role = replica;
        INSERT INTO users (username, password_hash, community_role)
          SELECT 'member' || g, 'x', 'practitioner' FROM generate_series(0, 200) g;
        INSERT INTO threads (category_id, title, author_id)
          SELECT 1, 'Thread ' || g, 2 + g FROM generate_series(0, 199) g;
        INSERT INTO posts (thread_id, author_id, path, depth, body, body_html, render_version, created_at)
          SELECT 1 + g % 200, CASE WHEN g % 23 < 3 THEN 1 ELSE 2 + g % 200 END, lpad(g::text, 6, '0'), 0,
                 'post ' || g, '<p>post ' || g || '</p>', '1', now() - g * interval '1 minute'
          FROM generate_series(1, 23000) g;
        ANALYZE;
    """, dbname=db)
    assert cluster.sql("SELECT count(*) FROM posts WHERE author_id = 1", dbname=db)[0][0] == 3000
    # the statement Corral runs, as an anonymous reader asks for page 40
    sql = stmts.load_statements()["PROFILE_POSTS"][1]
    args = {"$1": "1", "$2": "0", "$3": "false", "$4": "50", "$5": "1950"}
    sql = re.sub(r"\$\d", lambda x: args[x.group(0)], sql)
    plan = "\n".join(r[0] for r in cluster.sql("EXPLAIN " + sql, dbname=db))
    assert "posts_author" in plan and "Seq Scan on posts" not in plan, plan
    rows = cluster.sql(sql, dbname=db)
    assert len(rows) == 50
