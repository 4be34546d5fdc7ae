"""Issue 4: threads, reply trees, Markdown, revisions, trust, voices, notifications, feeds."""
import re
import xml.etree.ElementTree as ET

import pytest
import requests

from conftest import Client, assert_error, make_user, new_thread, reply, statements, unique


def thread_json(server, tid, client=None, **params):
    get = client.get if client else (lambda p, **kw: requests.get(server.url(p), **kw))
    r = get("/api/v1/threads/%d" % tid, params=params)
    assert r.status_code == 200, r.text
    return r.json()


# --- trees ---

def test_tree_order_and_depth_over_three_levels(server, member, cluster):
    other = make_user(server, cluster, community_role="vendor")
    t = new_thread(member, body="OP")
    op = t["first_post_id"]
    a = reply(member, t["id"], "A", op)["id"]
    b = reply(other, t["id"], "B", op)["id"]
    a1 = reply(other, t["id"], "A1", a)["id"]
    b1 = reply(member, t["id"], "B1", b)["id"]
    a2 = reply(member, t["id"], "A2", a)["id"]
    a1a = reply(member, t["id"], "A1a", a1)["id"]
    posts = thread_json(server, t["id"])["posts"]
    assert [p["id"] for p in posts] == [op, a, a1, a1a, a2, b, b1]
    assert [p["depth"] for p in posts] == [0, 1, 2, 3, 2, 1, 2]
    assert [p["parent_id"] for p in posts] == [None, op, a, a1, a, op, b]
    assert "<p>A1a</p>" in posts[3]["body_html"]
    for p in posts:
        assert set(p) >= {"id", "parent_id", "depth", "author", "body_html", "created_at", "edited_at", "state"}
        assert p["author"]["community_role"]["slug"] in ("practitioner", "vendor")


def test_interleaved_authors_each_keep_their_own_author_on_every_post(server, member, cluster):
    # db_rows_json parses each distinct author object once per page and copies it for the
    # other posts by the same author: every post must still carry its own author, in JSON
    # and on the page, with readable times that say the same instant as datetime="".
    import datetime
    others = [make_user(server, cluster, community_role=role) for role in ("vendor", "analyst")]
    people = [member] + others
    t = new_thread(member, body="OP")
    names = {}
    for i in range(12):
        who = people[i % 3]
        pid = reply(who, t["id"], "post %d" % i, t["first_post_id"])["id"]
        names[pid] = who.user["username"]
    posts = thread_json(server, t["id"])["posts"][1:]
    assert {p["id"]: p["author"]["username"] for p in posts} == names
    roles = {p["author"]["username"]: p["author"]["community_role"]["slug"] for p in posts}
    assert sorted(roles.values()) == ["analyst", "practitioner", "vendor"]
    html = requests.get(server.url("/t/%d" % t["id"])).text
    for pid, name in names.items():
        meta = re.search(r'id="p%d-meta">\s*<a href="/u/([^"]+)">' % pid, html)
        assert meta and meta.group(1) == name, pid
    times = re.findall(r'<time datetime="([^"]+)">([^<]+)</time>', html)
    assert len(times) >= 13
    for iso, shown in times:
        at = datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ")
        assert shown == "%d %s %d, %02d:%02d UTC" % (at.day, at.strftime("%b"), at.year, at.hour, at.minute)


def test_reply_defaults_to_the_opening_post(server, member):
    t = new_thread(member)
    p = reply(member, t["id"], "no parent given")
    assert p["parent_id"] == t["first_post_id"]


def test_reply_to_a_post_of_another_thread_is_400(server, member):
    t1, t2 = new_thread(member), new_thread(member)
    assert_error(member.post("/api/v1/threads/%d/posts" % t1["id"], json={"body": "x", "parent_id": t2["first_post_id"]}),
                 400, "invalid_input", "parent_id")
    assert_error(member.post("/api/v1/threads/%d/posts" % t1["id"], json={"body": "x", "parent_id": 999999999}),
                 400, "invalid_input", "parent_id")
    assert_error(member.post("/api/v1/threads/%d/posts" % t1["id"], json={"body": "x", "parent_id": "one"}),
                 400, "invalid_input", "parent_id")
    assert_error(member.post("/api/v1/threads/999999999/posts", json={"body": "x"}), 404, "not_found")


def test_a_long_thread_pages_in_tree_order_with_one_query_per_page(server, cluster, member):
    t = new_thread(member)
    # 450 posts in one statement: replies to the OP and to each other, via SQL for speed
    cluster.sql("""
        INSERT INTO posts (thread_id, parent_id, author_id, body, body_html, render_version)
        SELECT %s, %s, %s, 'r' || g, '<p>r' || g || '</p>', '0' FROM generate_series(1, 449) g
    """, (t["id"], t["first_post_id"], member.user["id"]))
    seen, after, pages = [], None, 0
    while True:
        resp = requests.get(server.url("/api/v1/threads/%d" % t["id"]),
                            params={"after": after} if after else None)
        assert resp.status_code == 200
        page, used = resp.json(), statements(resp)
        pages += 1
        seen += [p["id"] for p in page["posts"]]
        # the thread, page stats, posts, far parents, reactions and answer: never one query per post
        assert used <= 5, used
        after = page["next_page"]
        if not after:
            break
    assert pages == 3 and len(seen) == 450 and len(set(seen)) == 450
    assert seen[0] == t["first_post_id"] and seen[1:] == sorted(seen[1:])
    assert_error(requests.get(server.url("/api/v1/threads/%d?after=not-a-cursor" % t["id"])), 400,
                 "invalid_input", "after")


# --- input validation ---

@pytest.mark.parametrize("body,field", [
    ({"category": "general", "body": "x"}, "title"),
    ({"category": "general", "title": "ab", "body": "x"}, "title"),
    ({"category": "general", "title": "x" * 201, "body": "x"}, "title"),
    ({"category": "general", "title": 42, "body": "x"}, "title"),
    ({"category": "no-such-category", "title": "Fine title", "body": "x"}, "category"),
    ({"title": "Fine title", "body": "x"}, "category"),
    ({"category": "general", "title": "Fine title"}, "body"),
    ({"category": "general", "title": "Fine title", "body": ""}, "body"),
    ({"category": "general", "title": "Fine title", "body": "   \n\t "}, "body"),
    ({"category": "general", "title": "Fine title", "body": "x" * 50001}, "body"),
    ({"category": "general", "title": "Fine title", "body": ["x"]}, "body"),
    ({"category": "general", "title": "Fine title", "body": "a\u0000b"}, None),
])
def test_thread_creation_refuses_bad_input(server, member, cluster, body, field):
    before = cluster.sql("SELECT count(*) FROM threads")[0][0]
    r = member.post("/api/v1/threads", json=body)
    assert_error(r, 400, "invalid_input", field)
    assert cluster.sql("SELECT count(*) FROM threads")[0][0] == before


def test_title_length_counts_characters_and_bounds_are_inclusive(server, member):
    assert new_thread(member, title="abc")["title"] == "abc"
    assert new_thread(member, title="é" * 200)["title"] == "é" * 200


def test_body_of_exactly_50000_bytes_is_accepted(server, member):
    t = new_thread(member)
    assert reply(member, t["id"], "y" * 50000)


def test_writing_needs_sign_in_csrf_and_an_active_account(server, member, moderator):
    t = new_thread(member)
    assert_error(requests.post(server.url("/api/v1/threads/%d/posts" % t["id"]), json={"body": "x"}), 401,
                 "unauthenticated")
    assert_error(member.post("/api/v1/threads/%d/posts" % t["id"], json={"body": "x"}, csrf=False), 403, "csrf")
    moderator.post("/api/v1/users/%s/suspension" % member.user["username"],
                   json={"until": "2099-01-01T00:00:00Z", "reason": "cooling off"})
    assert_error(member.post("/api/v1/threads/%d/posts" % t["id"], json={"body": "x"}), 403, "forbidden")
    assert_error(member.post("/api/v1/threads", json={"category": "general", "title": "Hello there", "body": "x"}),
                 403, "forbidden")


def test_locked_thread_refuses_replies_with_423(server, cluster, member, moderator):
    t = new_thread(member)
    cluster.sql("UPDATE threads SET locked = true WHERE id = %s", (t["id"],))
    assert_error(member.post("/api/v1/threads/%d/posts" % t["id"], json={"body": "x"}), 423, "locked")
    assert reply(moderator, t["id"], "moderators may still answer")


def test_wrong_content_type_and_bad_json_on_reply(server, member):
    t = new_thread(member)
    url = "/api/v1/threads/%d/posts" % t["id"]
    r = member.s.post(server.url(url), data="body=x", headers={"Content-Type": "text/plain", "X-CSRF-Token": member.csrf})
    assert_error(r, 415, "unsupported_media_type")
    r = member.s.post(server.url(url), data=b'{"body": "\xff"}', headers={"Content-Type": "application/json", "X-CSRF-Token": member.csrf})
    assert_error(r, 400, "invalid_input")


# --- Markdown safety ---

@pytest.mark.parametrize("src,forbidden", [
    ("<script>alert(1)</script>", ["<script>alert"]),
    ('<img src=x onerror="alert(1)">', ["onerror", "<img src=x"]),
    ("[click](javascript:alert(1))", ["javascript:"]),
    ("[click](JaVaScRiPt:alert(1))", ["avascript:", "JaVaScRiPt"]),
    ("[data](data:text/html;base64,PHNjcmlwdD4=)", ["data:text"]),
    ("![img](javascript:alert(1))", ["javascript:"]),
    ('<a href="http://x" onclick="evil()">x</a>', ["onclick"]),
    ("<iframe src=//evil></iframe>", ["<iframe"]),
])
def test_markdown_is_safe(server, member, src, forbidden):
    t = new_thread(member, body=src)
    html = thread_json(server, t["id"])["posts"][0]["body_html"]
    for f in forbidden:
        assert f not in html, html
    page = requests.get(server.url("/t/%d" % t["id"])).text
    for f in forbidden:
        assert f not in page


def test_github_flavoured_markdown(server, member, cluster):
    # issue 16: tables showed as raw pipes
    body = ("| Tool | Cost |\n|:-----|-----:|\n| CAB | ~~3 weeks~~ 1 week |\n\n"
            "See www.example.org and https://example.org/x.\n\n- [x] done\n- [ ] open\n\n"
            "| <script>x</script> | [a](javascript:b) |\n|-|-|\n")
    t = new_thread(member, body=body)
    html = thread_json(server, t["id"])["posts"][0]["body_html"]
    assert '<th align="left">Tool</th>' in html and '<td align="right"><del>3 weeks</del> 1 week</td>' in html
    assert '<a rel="nofollow ugc noopener" href="http://www.example.org">www.example.org</a>' in html
    assert '<a rel="nofollow ugc noopener" href="https://example.org/x">https://example.org/x</a>' in html
    assert '<input type="checkbox" checked="" disabled="" /> done' in html
    assert "<script" not in html and "javascript:" not in html
    (version,) = cluster.sql("SELECT render_version FROM posts WHERE id = %s", (t["first_post_id"],))[0]
    assert "gfm" in version
    # the preview renders the same way
    r = member.post("/api/v1/preview", json={"body": "| a |\n|---|\n| b |"})
    assert r.status_code == 200 and "<td>b</td>" in r.json()["body_html"]


def test_markdown_the_extensions_would_take_seconds_on_is_refused(server, member):
    for body, message in [("|-\nt>|-\n" * 6000, "too many lines of dashes and pipes"),
                          ("|a" * 3000 + "\n" + "|-" * 3000 + "\n", "table too large"),
                          ("<http://s" * 5000, "web addresses run together")]:
        r = member.post("/api/v1/threads", json={"category": "general", "title": unique("Slow "), "body": body})
        assert_error(r, 400, "invalid_input", "body")
        assert message in r.json()["error"]["message"], r.text


def test_every_editor_has_a_markdown_help(server, member):
    t = new_thread(member)
    reply(member, t["id"], "a reply")
    page = member.get("/t/%d" % t["id"]).text
    # the main reply form (each post links to its reply page, issue 20)
    assert page.count('<details class="md-help"><summary>Markdown help</summary>') == 1
    assert "<code>| a | b |</code>" in page
    for path in ("/new", "/p/%d/edit" % t["first_post_id"], "/settings",
                 "/t/%d/reply?to=%d" % (t["id"], t["first_post_id"])):
        assert '<details class="md-help">' in member.get(path).text, path


def test_links_get_rel_and_quotes_in_titles_are_escaped(server, member):
    title = 'Say "hello" <b>bold</b> & \'bye\''
    t = new_thread(member, title=title, body="[site](https://example.org/a?b=1&c=2)")
    assert thread_json(server, t["id"])["thread"]["title"] == title
    page = requests.get(server.url("/t/%d" % t["id"])).text
    assert "<h1>Say &quot;hello&quot; &lt;b&gt;bold&lt;/b&gt; &amp; &#39;bye&#39;</h1>" in page
    assert "<b>bold</b>" not in page
    html = thread_json(server, t["id"])["posts"][0]["body_html"]
    assert 'rel="nofollow ugc noopener"' in html and "https://example.org/a?b=1&amp;c=2" in html


def test_mentions_and_idea_references_become_links(server, member, cluster):
    other = make_user(server, cluster)
    t = new_thread(member, body="Ask @%s and @nosuchperson123 about IDEA-7" % other.user["username"])
    html = thread_json(server, t["id"])["posts"][0]["body_html"]
    assert '<a class="mention" href="/u/%s">@%s</a>' % (other.user["username"], other.user["username"]) in html
    assert "/u/nosuchperson123" not in html
    assert 'href="/ideas/7"' in html
    assert cluster.sql("SELECT number FROM post_idea_refs WHERE post_id = %s", (t["first_post_id"],)) == [(7,)]


# --- editing and deleting ---

def test_edits_keep_revisions(server, member, moderator, cluster):
    t = new_thread(member, body="first")
    pid = t["first_post_id"]
    r = member.patch("/api/v1/posts/%d" % pid, json={"body": "second"})
    assert r.status_code == 200 and "<p>second</p>" in r.json()["post"]["body_html"]
    assert r.json()["post"]["edited_at"]
    assert moderator.patch("/api/v1/posts/%d" % pid, json={"body": "third, by a moderator"}).status_code == 200
    revs = requests.get(server.url("/api/v1/posts/%d/revisions" % pid)).json()["revisions"]
    assert [x["body"] for x in revs] == ["third, by a moderator", "second", "first"]
    assert revs[0]["editor"]["username"] == moderator.user["username"]
    assert revs[2]["editor"]["username"] == member.user["username"]
    assert ("edit_post", moderator.user["id"]) in cluster.sql(
        "SELECT action, actor_id FROM mod_log WHERE target_type = 'post' AND target_id = %s", (str(pid),))


def test_author_renames_the_thread_and_the_revisions_keep_the_old_title(server, member, moderator, cluster):
    # issue 16: authors could not fix their thread's title
    t = new_thread(member, title="Teh first title", body="the body")
    r = member.patch("/api/v1/threads/%d" % t["id"], json={"title": "  The first title  "})
    assert r.status_code == 200, r.text
    assert r.json()["thread"]["title"] == "The first title"
    assert thread_json(server, t["id"])["thread"]["title"] == "The first title"
    assert cluster.sql("SELECT slug FROM threads WHERE id = %s", (t["id"],))[0][0] == "the-first-title"
    revs = requests.get(server.url("/api/v1/posts/%d/revisions" % t["first_post_id"])).json()["revisions"]
    assert [(x["title"], x["body"]) for x in revs] == [("The first title", "the body"), ("Teh first title", "the body")]
    assert revs[0]["editor"]["username"] == member.user["username"]
    # the same title again changes nothing
    assert member.patch("/api/v1/threads/%d" % t["id"], json={"title": "The first title"}).status_code == 200
    # a moderator may rename it too, and that is logged
    assert moderator.patch("/api/v1/threads/%d" % t["id"], json={"title": "Renamed by a moderator"}).status_code == 200
    assert cluster.sql("SELECT details FROM mod_log WHERE action = 'rename_thread' AND target_id = %s",
                       (str(t["id"]),)) == [({"from": "The first title", "to": "Renamed by a moderator"},)]
    revs = requests.get(server.url("/api/v1/posts/%d/revisions" % t["first_post_id"])).json()["revisions"]
    assert [x["title"] for x in revs] == ["Renamed by a moderator", "The first title", "Teh first title"]
    page = requests.get(server.url("/p/%d/revisions" % t["first_post_id"])).text
    assert "Title: <strong>Teh first title</strong>" in page
    # replies' revisions carry no title
    p = reply(member, t["id"], "a reply")
    assert requests.get(server.url("/api/v1/posts/%d/revisions" % p["id"])).json()["revisions"][0]["title"] is None


def test_renaming_a_thread_is_checked(server, member, moderator, cluster):
    t = new_thread(member)
    path = "/api/v1/threads/%d" % t["id"]
    assert_error(member.patch(path, json={"title": "ab"}), 400, "invalid_input", "title")
    assert_error(member.patch(path, json={"title": "x" * 201}), 400, "invalid_input", "title")
    assert member.patch(path, json={"title": "x" * 200}).status_code == 200
    assert_error(member.patch(path, json={}), 400, "invalid_input", "title")
    other = make_user(server, cluster)
    assert_error(other.patch(path, json={"title": "Hijacked title"}), 403, "forbidden")
    assert_error(requests.patch(server.url(path), json={"title": "Anonymous title"}), 401, "unauthenticated")
    assert_error(member.patch("/api/v1/threads/999999999", json={"title": "No such thread"}), 404, "not_found")
    assert moderator.post("/api/v1/threads/%d/lock" % t["id"]).status_code == 200
    assert_error(member.patch(path, json={"title": "Locked title"}), 423, "locked")
    assert thread_json(server, t["id"])["thread"]["title"] == "x" * 200


def test_edit_form_of_the_opening_post_renames_the_thread(server, member):
    t = new_thread(member, title="Form title before", body="body before")
    page = member.get("/p/%d/edit" % t["first_post_id"]).text
    assert 'name="title"' in page and 'value="Form title before"' in page
    r = member.post("/p/%d/edit" % t["first_post_id"],
                    data={"csrf": member.csrf, "title": "Form title after", "body": "body after"})
    assert r.status_code == 303, r.text
    got = thread_json(server, t["id"])
    assert got["thread"]["title"] == "Form title after"
    revs = requests.get(server.url("/api/v1/posts/%d/revisions" % t["first_post_id"])).json()["revisions"]
    assert [(x["title"], x["body"]) for x in revs] == [("Form title after", "body after"),
                                                      ("Form title before", "body before")]
    p = reply(member, t["id"], "a reply")
    assert 'name="title"' not in member.get("/p/%d/edit" % p["id"]).text


def test_others_cannot_edit_or_delete(server, member, cluster):
    t = new_thread(member)
    other = make_user(server, cluster)
    assert_error(other.patch("/api/v1/posts/%d" % t["first_post_id"], json={"body": "hijack"}), 403, "forbidden")
    assert_error(other.delete("/api/v1/posts/%d" % t["first_post_id"]), 403, "forbidden")
    assert_error(requests.patch(server.url("/api/v1/posts/%d" % t["first_post_id"]), json={"body": "x"}), 401,
                 "unauthenticated")
    assert_error(member.patch("/api/v1/posts/%d" % t["first_post_id"], json={"body": ""}), 400, "invalid_input", "body")


def test_soft_delete_shows_a_placeholder_and_keeps_it_for_moderators(server, member, moderator):
    t = new_thread(member)
    p = reply(member, t["id"], "regrettable")
    assert member.delete("/api/v1/posts/%d" % p["id"]).status_code == 204
    public = [x for x in thread_json(server, t["id"])["posts"] if x["id"] == p["id"]][0]
    assert public["state"] == "deleted" and public["body_html"] is None and public["author"] is None
    mod = [x for x in thread_json(server, t["id"], moderator)["posts"] if x["id"] == p["id"]][0]
    assert "regrettable" in mod["body_html"]
    assert_error(member.patch("/api/v1/posts/%d" % p["id"], json={"body": "undo"}), 404, "not_found")


# --- trust ---

def test_a_new_accounts_first_posts_wait_and_are_invisible_to_others(server, member, moderator, newcomer, cluster):
    t = new_thread(member)
    p = reply(newcomer, t["id"], "my first post")
    assert p["state"] == "pending"
    others = [x["id"] for x in thread_json(server, t["id"], member)["posts"]]
    anon = [x["id"] for x in thread_json(server, t["id"])["posts"]]
    own = [x for x in thread_json(server, t["id"], newcomer)["posts"] if x["id"] == p["id"]]
    mods = [x["id"] for x in thread_json(server, t["id"], moderator)["posts"]]
    assert p["id"] not in others and p["id"] not in anon and p["id"] in mods
    assert own and own[0]["state"] == "pending"
    assert_error(requests.get(server.url("/api/v1/posts/%d/revisions" % p["id"])), 404, "not_found")
    # a pending thread is invisible to everyone but its author and moderators
    nt = newcomer.post("/api/v1/threads", json={"category": "general", "title": "Newcomer asks", "body": "hi"})
    assert nt.status_code == 201 and nt.json()["post"]["state"] == "pending"
    ntid = nt.json()["thread"]["id"]
    assert_error(requests.get(server.url("/api/v1/threads/%d" % ntid)), 404, "not_found")
    assert_error(member.get("/api/v1/threads/%d" % ntid), 404, "not_found")
    assert newcomer.get("/api/v1/threads/%d" % ntid).status_code == 200
    assert moderator.get("/api/v1/threads/%d" % ntid).status_code == 200
    listed = [x["id"] for x in requests.get(server.url("/api/v1/threads")).json()["threads"]]
    assert ntid not in listed
    # the voices count visible posts only
    assert thread_json(server, t["id"])["thread"]["voices"]["participants"] == 1


def test_after_two_approved_posts_an_account_is_trusted(server, member, newcomer, cluster):
    t = new_thread(member)
    for i in range(2):
        p = reply(newcomer, t["id"], "waiting %d" % i)
        assert p["state"] == "pending"
        cluster.sql("UPDATE posts SET state = 'visible' WHERE id = %s", (p["id"],))
    assert reply(newcomer, t["id"], "now trusted")["state"] == "visible"


# --- voices ---

def test_a_thread_with_no_voices_draws_a_neutral_bar(server, member):
    # issue 16: no voices drew a bar all in the helpers' colour
    t = new_thread(member, title=unique("Voiceless "))
    assert member.delete("/api/v1/posts/%d" % t["first_post_id"]).status_code == 204
    assert thread_json(server, t["id"])["thread"]["voices"]["participants"] == 0
    page = requests.get(server.url("/t/%d" % t["id"])).text
    bar = re.search(r'<svg class="voices-bar".*?</svg>', page).group(0)
    assert 'aria-label="No voices yet"' in bar
    assert 'class="helper" x="0.0" y="0" width="0.0"' in bar and 'class="none" x="0" y="0" width="100.0"' in bar
    listing = requests.get(server.url("/c/general")).text
    row = listing[listing.index(t["title"]):]
    mini = re.search(r'<svg class="voices-mini".*?</svg> <span class="voices-text">([^<]*)', row)
    assert 'class="helper" x="0.0" y="0" width="0.0"' in mini.group(0) and mini.group(1) == "no voices yet"
    # with a voice the neutral part is gone
    t2 = new_thread(member)
    bar = re.search(r'<svg class="voices-bar".*?</svg>', requests.get(server.url("/t/%d" % t2["id"])).text).group(0)
    assert 'class="doer" x="0" y="0" width="100.0"' in bar and 'class="none" x="0" y="0" width="0.0"' in bar


def test_voices_of_a_mixed_thread_are_exact(server, cluster):
    p1 = make_user(server, cluster, community_role="practitioner")
    p2 = make_user(server, cluster, community_role="practitioner")
    c1 = make_user(server, cluster, community_role="consultant")
    v1 = make_user(server, cluster, community_role="vendor")
    v2 = make_user(server, cluster, community_role="vendor")
    t = new_thread(c1)
    for who in (p1, c1, v1, v2, v1, p2, c1, v2):
        reply(who, t["id"], "voice")
    voices = thread_json(server, t["id"])["thread"]["voices"]
    assert voices["participants"] == 5
    assert voices["doer_share"] == pytest.approx(0.4)
    by = {r["slug"]: r["count"] for r in voices["by_role"]}
    assert by == {"practitioner": 2, "consultant": 1, "vendor": 2}
    assert all(set(r) == {"slug", "label", "kind", "count"} for r in voices["by_role"])
    page = requests.get(server.url("/t/%d" % t["id"])).text
    assert "5 voices · 2 practitioners, 40 %" in page
    # a post going away that was its author's only one takes the voice with it
    p2_post = [x for x in thread_json(server, t["id"])["posts"] if x["author"] and x["author"]["id"] == p2.user["id"]][0]
    p2.delete("/api/v1/posts/%d" % p2_post["id"])
    voices = thread_json(server, t["id"])["thread"]["voices"]
    assert voices["participants"] == 4 and voices["doer_share"] == pytest.approx(0.25)
    # a changed community role recounts
    v1.patch("/api/v1/users/%s" % v1.user["username"], json={"community_role": "practitioner"})
    assert thread_json(server, t["id"])["thread"]["voices"]["doer_share"] == pytest.approx(0.5)


def test_thread_list_sorts_by_doer_share(server, cluster):
    cat = unique("c")[:12].lower()
    admin = make_user(server, cluster, "admin")
    assert admin.post("/api/v1/categories", json={"slug": cat, "name": "Sorting"}).status_code == 201
    helper = make_user(server, cluster, community_role="analyst")
    doer = make_user(server, cluster, community_role="practitioner")
    low = new_thread(helper, category=cat)
    high = new_thread(doer, category=cat)
    mixed = new_thread(helper, category=cat)
    reply(doer, mixed["id"])
    latest = [t["id"] for t in requests.get(server.url("/api/v1/threads?category=%s" % cat)).json()["threads"]]
    assert latest == [mixed["id"], high["id"], low["id"]]
    by_share = requests.get(server.url("/api/v1/threads?category=%s&sort=doer_share" % cat)).json()["threads"]
    assert [t["id"] for t in by_share] == [low["id"], mixed["id"], high["id"]]
    assert [t["voices"]["doer_share"] for t in by_share] == [0.0, 0.5, 1.0]
    assert_error(requests.get(server.url("/api/v1/threads?sort=loudest")), 400, "invalid_input", "sort")
    assert_error(requests.get(server.url("/api/v1/threads?page=0")), 400, "invalid_input", "page")
    assert_error(requests.get(server.url("/api/v1/threads?category=nope-nope")), 400, "invalid_input", "category")
    page = requests.get(server.url("/c/%s?sort=doer_share" % cat)).text
    assert page.index(low["title"]) < page.index(mixed["title"]) < page.index(high["title"])


def test_voices_api_and_page(server, cluster):
    cat = unique("v")[:12].lower()
    admin = make_user(server, cluster, "admin")
    admin.post("/api/v1/categories", json={"slug": cat, "name": "Voices test"})
    d = make_user(server, cluster, community_role="practitioner")
    h1 = make_user(server, cluster, community_role="trainer")
    h2 = make_user(server, cluster, community_role="consultant")
    t = new_thread(h1, category=cat)
    reply(d, t["id"])
    reply(h2, t["id"])
    data = requests.get(server.url("/api/v1/voices?category=%s" % cat)).json()
    row = data["by_category"][0]
    assert row["slug"] == cat and row["participants"] == 3 and row["doers"] == 1
    assert row["doer_share"] == pytest.approx(0.333, abs=0.001)
    assert data["by_week"][-1]["participants"] == 3 and data["by_week"][-1]["doers"] == 1
    page = requests.get(server.url("/voices"))
    assert page.status_code == 200 and "<svg" in page.text and 'role="img"' in page.text


# --- notifications and watching ---

def test_notifications_for_replies_mentions_and_watched_threads(server, cluster):
    author = make_user(server, cluster)
    replier = make_user(server, cluster)
    mentioned = make_user(server, cluster)
    watcher = make_user(server, cluster)
    t = new_thread(author)
    assert watcher.post("/api/v1/threads/%d/watch" % t["id"]).status_code == 200
    reply(replier, t["id"], "hi @%s" % mentioned.user["username"])
    kinds = lambda c: [n["kind"] for n in c.get("/api/v1/notifications").json()["notifications"]]
    assert kinds(author) == ["reply"]
    assert kinds(mentioned) == ["mention"]
    assert kinds(watcher) == ["watch"]
    assert kinds(replier) == []  # never about your own post
    assert author.get("/api/v1/me").json()["unread_notifications"] == 1
    assert "Notifications" in author.get("/").text
    r = author.post("/api/v1/notifications/read", json={})
    assert r.status_code == 200 and r.json()["marked"] == 1
    assert author.get("/api/v1/me").json()["unread_notifications"] == 0
    assert watcher.delete("/api/v1/threads/%d/watch" % t["id"]).status_code == 200
    reply(replier, t["id"], "again")
    assert kinds(watcher) == ["watch"]  # no new one after unwatching
    assert_error(requests.get(server.url("/api/v1/notifications")), 401, "unauthenticated")


def test_pending_posts_notify_only_when_approved(server, cluster, member, newcomer):
    t = new_thread(member)
    p = reply(newcomer, t["id"], "pending reply")
    assert member.get("/api/v1/notifications").json()["notifications"] == []
    cluster.sql("UPDATE posts SET state = 'visible' WHERE id = %s", (p["id"],))
    assert [n["kind"] for n in member.get("/api/v1/notifications").json()["notifications"]] == ["reply"]


# --- feeds ---

def test_atom_feeds(server, member):
    t = new_thread(member, title="Feed me " + unique(), body="**bold** body")
    reply(member, t["id"], "a reply in the feed")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    for path in ("/feed.atom", "/c/general/feed.atom", "/t/%d/feed.atom" % t["id"]):
        r = requests.get(server.url(path))
        assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/atom+xml")
        root = ET.fromstring(r.content)
        assert root.find("a:updated", ns) is not None and root.findall("a:entry", ns)
    forum = ET.fromstring(requests.get(server.url("/feed.atom")).content)
    titles = [e.find("a:title", ns).text for e in forum.findall("a:entry", ns)]
    assert t["title"] in titles
    thread = ET.fromstring(requests.get(server.url("/t/%d/feed.atom" % t["id"])).content)
    contents = [e.find("a:content", ns).text for e in thread.findall("a:entry", ns)]
    assert any("a reply in the feed" in c for c in contents)
    assert requests.get(server.url("/c/no-such/feed.atom")).status_code == 404


# --- categories ---

def test_admin_creates_edits_and_orders_categories(server, admin, member):
    slug = unique("cat")[:14].lower()
    r = admin.post("/api/v1/categories", json={"slug": slug, "name": "Change enablement", "description": "CABs", "position": -5})
    assert r.status_code == 201 and r.json()["category"]["position"] == -5
    cats = requests.get(server.url("/api/v1/categories")).json()["categories"]
    assert cats[0]["slug"] == slug  # lowest position first
    assert admin.patch("/api/v1/categories/%s" % slug, json={"name": "Change", "position": 99}).json()["category"]["name"] == "Change"
    assert_error(admin.post("/api/v1/categories", json={"slug": slug, "name": "dup"}), 409, "conflict", "slug")
    assert_error(admin.post("/api/v1/categories", json={"slug": "Bad Slug", "name": "x"}), 400, "invalid_input", "slug")
    assert_error(member.post("/api/v1/categories", json={"slug": "x" + slug, "name": "x"}), 403, "forbidden")
    assert_error(admin.patch("/api/v1/categories/nope-nope", json={"name": "x"}), 404, "not_found")


# --- pages ---

def test_thread_page_reply_forms_work_without_javascript(server, member):
    t = new_thread(member)
    page = member.get("/t/%d" % t["id"])
    assert page.status_code == 200
    assert 'href="/t/%d/reply?to=%d"' % (t["id"], t["first_post_id"]) in page.text
    to = member.get("/t/%d/reply?to=%d" % (t["id"], t["first_post_id"])).text
    assert 'name="parent_id" value="%d"' % t["first_post_id"] in to
    r = member.s.post(server.url("/t/%d/reply" % t["id"]), allow_redirects=False,
                      data={"csrf": member.csrf, "body": "from the form", "parent_id": str(t["first_post_id"])})
    assert r.status_code == 303 and re.fullmatch(r"/t/%d#p\d+" % t["id"], r.headers["Location"])
    bad = member.s.post(server.url("/t/%d/reply" % t["id"]), allow_redirects=False,
                        data={"csrf": member.csrf, "body": "", "parent_id": str(t["first_post_id"])})
    assert bad.status_code == 400 and 'role="alert"' in bad.text and "<h1>" in bad.text


def test_new_thread_form(server, member):
    page = member.get("/new")
    assert page.status_code == 200 and 'name="title"' in page.text
    r = member.s.post(server.url("/new"), allow_redirects=False,
                      data={"csrf": member.csrf, "category": "general", "title": "Via the form", "body": "text"})
    assert r.status_code == 303 and r.headers["Location"].startswith("/t/")
    bad = member.s.post(server.url("/new"), allow_redirects=False,
                        data={"csrf": member.csrf, "category": "general", "title": "ab", "body": "text"})
    assert bad.status_code == 400 and 'value="ab"' in bad.text and 'aria-invalid="true"' in bad.text
    assert requests.get(server.url("/new"), allow_redirects=False).status_code == 401


def test_home_and_category_pages_list_threads(server, member):
    t = new_thread(member, title="Listed " + unique())
    assert t["title"] in requests.get(server.url("/")).text
    assert t["title"] in requests.get(server.url("/c/general")).text


def test_edit_page_for_author_only(server, member, cluster):
    w = unique("w")
    t = new_thread(member, body="Text to *edit* & <keep> %s" % w)
    page = member.get("/p/%d/edit" % t["first_post_id"])
    assert page.status_code == 200
    # the form holds the post's Markdown source (escaped), not its rendered HTML
    assert re.search(r'<textarea id="body"[^>]*>Text to \*edit\* &amp; &lt;keep&gt; %s</textarea>' % w, page.text)
    other = make_user(server, cluster)
    assert other.get("/p/%d/edit" % t["first_post_id"]).status_code == 403


def test_preview_renders_through_the_same_pipeline(server, member):
    r = member.post("/api/v1/preview", json={"body": "**bold** <script>x</script> [a](javascript:alert(1))"})
    assert r.status_code == 200
    html = r.json()["body_html"]
    assert "<strong>bold</strong>" in html and "<script" not in html and "javascript:" not in html
    assert_error(member.post("/api/v1/preview", json={"body": ""}), 400, "invalid_input", "body")
    assert_error(requests.post(server.url("/api/v1/preview"), json={"body": "x"}), 401, "unauthenticated")
