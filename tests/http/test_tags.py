"""Issue 19: tags. Moderators define tags (name, description); a thread carries up to five,
chosen when it starts and changed by its author or a moderator (logged); tag pages, ?tag= on
the lists, a feed per tag, tag: in search, and the page cache dropping what a retagging
makes stale."""
import pytest
import requests

from conftest import assert_error, make_user, new_thread, unique


def make_tag(mod, name=None, description="A topic"):
    name = name or unique("t")[:12].lower()
    r = mod.post("/api/v1/tags", json={"name": name, "description": description})
    assert r.status_code == 201, r.text
    assert r.json()["tag"]["name"] == name
    return name


def start(client, tags, title=None, **kw):
    body = {"category": "general", "title": title or unique("Thread "), "body": "Opening post", "tags": tags}
    body.update(kw)
    return client.post("/api/v1/threads", json=body)


def tag_names(thread):
    return [t["name"] for t in thread["tags"]]


def retag(client, thread_id, tags, **kw):
    return client.put("/api/v1/threads/%d/tags" % thread_id, json={"tags": tags}, **kw)


def test_moderators_create_edit_and_delete_tags_and_each_is_logged(server, cluster, moderator, member):
    name = make_tag(moderator, description="Configuration management")
    listed = {t["name"]: t for t in requests.get(server.url("/api/v1/tags")).json()["tags"]}
    assert listed[name]["description"] == "Configuration management" and listed[name]["thread_count"] == 0
    r = moderator.patch("/api/v1/tags/%s" % name, json={"description": "CMDB and friends"})
    assert r.status_code == 200 and r.json()["tag"]["description"] == "CMDB and friends", r.text
    renamed = name + "-x"
    r = moderator.patch("/api/v1/tags/%s" % name, json={"name": renamed.upper()})
    assert r.status_code == 200 and r.json()["tag"]["name"] == renamed, r.text
    t = start(member, [renamed]).json()["thread"]
    r = moderator.delete("/api/v1/tags/%s" % renamed)
    assert r.status_code == 200 and r.json()["threads"] == 1, r.text
    assert tag_names(member.get("/api/v1/threads/%d" % t["id"]).json()["thread"]) == []
    assert_error(moderator.delete("/api/v1/tags/%s" % renamed), 404, "not_found")
    log = cluster.sql("SELECT action, target_type FROM mod_log WHERE actor_id = %s ORDER BY id",
                      (moderator.user["id"],))
    assert log == [("create_tag", "tag"), ("update_tag", "tag"), ("update_tag", "tag"), ("delete_tag", "tag")]
    assert "deleted the tag" in moderator.get("/mod/log").text


def test_tag_names_are_checked_and_unique(server, moderator):
    name = make_tag(moderator)
    assert_error(moderator.post("/api/v1/tags", json={"name": name}), 409, "conflict", "name")
    for bad in ("", "-x", "a b", "a_b", "x" * 31, "é", 12, None, ["a"]):
        assert_error(moderator.post("/api/v1/tags", json={"name": bad}), 400, "invalid_input", "name")
    assert_error(moderator.post("/api/v1/tags", json={"name": "okname", "description": "d" * 501}),
                 400, "invalid_input", "description")
    assert_error(moderator.post("/api/v1/tags", data=b'{"name": "\xff"}',
                                headers={"Content-Type": "application/json"}), 400, "invalid_input")
    assert_error(moderator.post("/api/v1/tags", json={"name": "x" + unique()[:8]}, csrf=False), 403, "csrf")
    assert_error(moderator.patch("/api/v1/tags/%s" % name, json={}), 400, "invalid_input", "name")
    assert_error(moderator.patch("/api/v1/tags/nosuchtag%s" % unique()[:6], json={"description": "x"}),
                 404, "not_found")
    other = make_tag(moderator)
    assert_error(moderator.patch("/api/v1/tags/%s" % other, json={"name": name}), 409, "conflict", "name")


def test_members_cannot_manage_tags(server, member):
    assert_error(member.post("/api/v1/tags", json={"name": "mine"}), 403, "forbidden")
    assert_error(requests.post(server.url("/api/v1/tags"), json={"name": "mine"}), 401, "unauthenticated")
    assert "Add a tag" not in member.get("/tags").text


def test_a_thread_starts_with_tags_and_shows_them(server, moderator, member):
    a, b = make_tag(moderator), make_tag(moderator)
    r = start(member, [b, a, a.upper()])   # duplicates ignored, any case
    assert r.status_code == 201, r.text
    t = r.json()["thread"]
    assert tag_names(t) == sorted([a, b])
    got = requests.get(server.url("/api/v1/threads/%d" % t["id"])).json()["thread"]
    assert tag_names(got) == sorted([a, b])
    page = requests.get(server.url("/t/%d" % t["id"])).text
    assert 'href="/tags/%s"' % a in page and 'href="/tags/%s"' % b in page
    listed = [x for x in requests.get(server.url("/api/v1/threads")).json()["threads"] if x["id"] == t["id"]]
    assert tag_names(listed[0]) == sorted([a, b])
    assert 'href="/tags/%s"' % a in requests.get(server.url("/")).text


def test_six_tags_or_an_unknown_one_are_refused(server, cluster, moderator, member):
    names = [make_tag(moderator) for _ in range(6)]
    assert_error(start(member, names), 400, "invalid_input", "tags")
    assert_error(start(member, ["nosuch" + unique()[:6]]), 400, "invalid_input", "tags")
    for bad in ("notalist", [1], [None], [["a"]], {"a": 1}, ["bad name"], [""]):
        assert_error(start(member, bad), 400, "invalid_input", "tags")
    assert_error(start(member, [names[0]] * 60), 400, "invalid_input", "tags")
    t = start(member, names[:5])
    assert t.status_code == 201 and len(t.json()["thread"]["tags"]) == 5
    t = t.json()["thread"]
    assert_error(retag(member, t["id"], names), 400, "invalid_input", "tags")
    assert_error(member.put("/api/v1/threads/%d/tags" % t["id"], json={}), 400, "invalid_input", "tags")
    # the database holds the limit too, whoever writes
    with pytest.raises(Exception, match="at most 5 tags"):
        cluster.sql("INSERT INTO thread_tags (thread_id, tag_id) SELECT %s, id FROM tags WHERE name = %s",
                    (t["id"], names[5]))


def test_the_author_retags_another_member_cannot_a_moderator_can_logged(server, cluster, moderator, member):
    a, b = make_tag(moderator), make_tag(moderator)
    t = start(member, [a]).json()["thread"]
    r = retag(member, t["id"], [b])
    assert r.status_code == 200 and r.json()["tags"] == [b], r.text
    other = make_user(server, cluster)
    assert member.get("/api/v1/threads/%d" % t["id"]).json()["can_tag"] is True
    assert other.get("/api/v1/threads/%d" % t["id"]).json()["can_tag"] is False
    assert moderator.get("/api/v1/threads/%d" % t["id"]).json()["can_tag"] is True
    assert_error(retag(other, t["id"], [a]), 403, "forbidden")
    assert_error(requests.put(server.url("/api/v1/threads/%d/tags" % t["id"]), json={"tags": [a]}),
                 401, "unauthenticated")
    assert_error(retag(member, t["id"], [a], csrf=False), 403, "csrf")
    assert_error(retag(member, 999999999, [a]), 404, "not_found")
    assert cluster.sql("SELECT count(*) FROM mod_log WHERE action = 'tag_thread' AND target_id = %s",
                       (str(t["id"]),))[0][0] == 0
    r = retag(moderator, t["id"], [a, b])
    assert r.status_code == 200 and r.json()["tags"] == sorted([a, b])
    log = cluster.sql("SELECT details->'from', details->'to' FROM mod_log WHERE action = 'tag_thread'"
                      " AND target_id = %s", (str(t["id"]),))
    assert log == [([b], sorted([a, b]))]
    assert "changed the tags of" in moderator.get("/mod/log").text
    # locked: the author may not any more, a moderator still may
    assert moderator.post("/api/v1/threads/%d/lock" % t["id"]).status_code == 200
    assert_error(retag(member, t["id"], []), 423, "locked")
    assert retag(moderator, t["id"], []).json()["tags"] == []


def test_the_tag_page_lists_its_threads_with_paging_and_filters(server, moderator, member):
    name = make_tag(moderator, description="Service desks")
    tagged = start(member, [name]).json()["thread"]
    untagged = new_thread(member)
    r = requests.get(server.url("/api/v1/tags/%s" % name))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["tag"]["name"] == name and body["tag"]["thread_count"] == 1
    assert [t["id"] for t in body["threads"]] == [tagged["id"]] and body["next_page"] is None
    assert requests.get(server.url("/api/v1/tags/%s?solved=1" % name)).json()["threads"] == []
    page = requests.get(server.url("/tags/%s" % name))
    assert page.status_code == 200 and "Service desks" in page.text and tagged["title"] in page.text
    assert untagged["title"] not in page.text
    assert 'type="application/atom+xml"' in page.text and "/tags/%s/feed.atom" % name in page.text
    assert 'href="/tags"' in requests.get(server.url("/")).text
    listing = requests.get(server.url("/tags")).text
    assert 'href="/tags/%s"' % name in listing and "1 threads" in listing
    assert_error(requests.get(server.url("/api/v1/tags/nosuch%s" % unique()[:6])), 404, "not_found")
    assert requests.get(server.url("/tags/nosuch%s" % unique()[:6])).status_code == 404
    assert_error(requests.get(server.url("/api/v1/tags/%s?page=0" % name)), 400, "invalid_input", "page")
    assert_error(requests.get(server.url("/api/v1/tags/%s?sort=x" % name)), 400, "invalid_input", "sort")


def test_lists_filter_by_tag(server, moderator, member):
    name = make_tag(moderator)
    tagged = start(member, [name]).json()["thread"]
    other = new_thread(member)
    ids = [t["id"] for t in requests.get(server.url("/api/v1/threads?tag=%s" % name)).json()["threads"]]
    assert ids == [tagged["id"]]
    ids = [t["id"] for t in requests.get(server.url("/api/v1/categories/general?tag=%s" % name)).json()["threads"]]
    assert ids == [tagged["id"]]
    home = requests.get(server.url("/?tag=%s" % name)).text
    assert tagged["title"] in home and other["title"] not in home and "Discussions tagged" in home
    assert "?solved=1&amp;tag=%s" % name in home and "?sort=doer_share&amp;tag=%s" % name in home
    assert_error(requests.get(server.url("/api/v1/threads?tag=nosuch%s" % unique()[:6])), 400, "invalid_input", "tag")
    assert_error(requests.get(server.url("/api/v1/threads?tag=" + "x" * 5000)), 400, "invalid_input", "tag")
    assert_error(requests.get(server.url("/api/v1/threads?tag=%ff")), 400, "invalid_input")


def test_the_tag_feed(server, moderator, member):
    name = make_tag(moderator)
    t = start(member, [name]).json()["thread"]
    new_thread(member, title="Not in the tag feed " + unique())
    r = requests.get(server.url("/tags/%s/feed.atom" % name))
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/atom+xml")
    assert t["title"] in r.text and "Not in the tag feed" not in r.text
    assert "/tags/%s" % name in r.text
    assert requests.get(server.url("/tags/nosuch%s/feed.atom" % unique()[:6])).status_code == 404


def test_search_by_tag(server, moderator, member):
    name = make_tag(moderator)
    word = "zebrafish" + unique()[:6]
    t = start(member, [name], title="About %s here" % word).json()["thread"]
    start(member, [], title="Also about %s" % word)
    r = requests.get(server.url("/api/v1/search"), params={"q": "%s tag:%s" % (word, name)})
    assert r.status_code == 200, r.text
    assert [x["id"] for x in r.json()["results"] if x["type"] == "thread"] == [t["id"]]
    assert r.json()["filters"] == {"tag": name}
    assert_error(requests.get(server.url("/api/v1/search"), params={"q": "%s tag:bad_name" % word}),
                 400, "invalid_input", "q")
    assert_error(requests.get(server.url("/api/v1/search"), params={"q": "%s tag:%s" % (word, name), "type": "ideas"}),
                 400, "invalid_input", "q")
    r = requests.get(server.url("/api/v1/search"), params={"q": "%s tag:nosuch%s" % (word, unique()[:5])})
    assert r.status_code == 200 and r.json()["results"] == []


def test_retagging_invalidates_the_cached_pages(server, moderator, member):
    a, b = make_tag(moderator), make_tag(moderator)
    t = start(member, [a]).json()["thread"]

    def cached(path):
        requests.get(server.url(path))
        r = requests.get(server.url(path))
        assert r.headers.get("X-Cache") == "hit", path
        return r.text

    paths = ["/t/%d" % t["id"], "/", "/tags/%s" % b, "/api/v1/threads/%d" % t["id"]]
    for p in paths:
        cached(p)
    assert retag(member, t["id"], [b]).status_code == 200
    assert 'href="/tags/%s"' % b in requests.get(server.url("/t/%d" % t["id"])).text
    assert t["title"] in requests.get(server.url("/tags/%s" % b)).text
    assert tag_names(requests.get(server.url("/api/v1/threads/%d" % t["id"])).json()["thread"]) == [b]
    # a tag's description changed: its page too
    cached("/tags/%s" % b)
    assert moderator.patch("/api/v1/tags/%s" % b, json={"description": "Fresh words"}).status_code == 200
    assert "Fresh words" in requests.get(server.url("/tags/%s" % b)).text


def test_forms_without_script(server, moderator, member):
    # a moderator adds a tag on /tags, a member starts a thread with it on /new
    name = unique("f")[:10].lower()
    r = moderator.post("/tags", data={"csrf": moderator.csrf, "name": name, "description": "From the form"})
    assert r.status_code == 303 and r.headers["Location"] == "/tags", r.text
    form = member.get("/new").text
    assert 'name="tags" value="%s"' % name in form
    r = member.post("/new", data={"csrf": member.csrf, "category": "general", "title": unique("Form thread "),
                                  "body": "hello", "tags": name})
    assert r.status_code == 303, r.text
    tid = int(r.headers["Location"].split("/")[2])
    page = member.get("/t/%d" % tid).text
    assert 'href="/tags/%s"' % name in page and 'action="/t/%d/tags"' % tid in page
    # unchecking every box removes them
    r = member.post("/t/%d/tags" % tid, data={"csrf": member.csrf})
    assert r.status_code == 303
    assert member.get("/api/v1/threads/%d" % tid).json()["thread"]["tags"] == []
    # an unknown tag re-shows the page with the error beside the field
    r = member.post("/t/%d/tags" % tid, data={"csrf": member.csrf, "tags": "nosuch" + unique()[:5]})
    assert r.status_code == 400 and "There is no tag named" in r.text
    # six ticked on /new: the form comes back with the error and the boxes still ticked
    six = [make_tag(moderator) for _ in range(6)]
    r = member.post("/new", data={"csrf": member.csrf, "category": "general", "title": unique("Too many "),
                                  "body": "hello", "tags": six})
    assert r.status_code == 400 and "at most 5 tags" in r.text
    assert all('value="%s" checked' % n in r.text for n in six)
    # edit and delete through the forms
    r = moderator.post("/tags/%s" % name, data={"csrf": moderator.csrf, "name": name, "description": "Changed"})
    assert r.status_code == 303
    assert "Changed" in moderator.get("/tags").text
    r = moderator.post("/tags/%s/delete" % name, data={"csrf": moderator.csrf})
    assert r.status_code == 303
    assert 'href="/tags/%s"' % name not in moderator.get("/tags").text
