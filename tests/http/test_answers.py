"""Issue 19: accepted answers. In question-style categories (an admin's category setting)
the thread's author or a moderator marks one visible reply as the answer; it is shown under
the question with the answerer's role, thread lists show "solved" and filter by it, and a
moderator's marking is logged."""
import requests

from conftest import assert_error, make_user, new_thread, reply, unique


def question_category(admin):
    slug = unique("q")[:12].lower()
    r = admin.post("/api/v1/categories", json={"slug": slug, "name": "Questions " + slug, "question_style": True})
    assert r.status_code == 201, r.text
    assert r.json()["category"]["question_style"] is True
    return slug


def mark(client, thread_id, post_id, **kw):
    return client.post("/api/v1/threads/%d/answer" % thread_id, json={"post_id": post_id}, **kw)


def thread_json(client, thread_id):
    r = client.get("/api/v1/threads/%d" % thread_id)
    assert r.status_code == 200, r.text
    return r.json()


def test_the_author_marks_a_reply_and_it_shows_under_the_question(server, cluster, admin, member):
    cat = question_category(admin)
    t = new_thread(member, category=cat)
    helper = make_user(server, cluster, community_role="consultant")
    a = reply(helper, t["id"], "Restart the **CMDB** sync")
    b = reply(helper, t["id"], "Another idea")
    r = mark(member, t["id"], a["id"])
    assert r.status_code == 200, r.text
    got = r.json()["thread"]
    assert got["solved"] is True and got["answer"]["post_id"] == a["id"]
    assert r.json()["logged"] is False   # the author's own business
    body = thread_json(member, t["id"])
    assert body["thread"]["question_style"] is True and body["thread"]["solved"] is True
    ans = body["thread"]["answer"]
    assert ans["author"]["username"] == helper.user["username"]
    assert ans["author"]["community_role"]["slug"] == "consultant"
    assert ans["url"] == "/p/%d" % a["id"] and "CMDB" in ans["excerpt"]
    posts = {p["id"]: p for p in body["posts"]}
    assert posts[a["id"]]["is_answer"] and not posts[b["id"]]["is_answer"]
    assert posts[b["id"]]["can_accept"] and posts[a["id"]]["can_unaccept"]
    # the page: under the opening post, with the role, and a link to the answer
    page = member.get("/t/%d" % t["id"]).text
    first = page.split('id="p%d"' % t["first_post_id"], 1)[1].split("</article>", 1)[0]
    assert "Accepted answer" in first and helper.user["username"] in first and "Consultant" in first
    assert 'href="/p/%d"' % a["id"] in first
    # change it, then unmark it
    assert mark(member, t["id"], b["id"]).json()["thread"]["answer"]["post_id"] == b["id"]
    r = member.delete("/api/v1/threads/%d/answer" % t["id"])
    assert r.status_code == 200 and r.json()["thread"]["answer"] is None and r.json()["thread"]["solved"] is False


def test_only_the_author_or_a_moderator_marks(server, cluster, admin, member, moderator):
    cat = question_category(admin)
    t = new_thread(member, category=cat)
    other = make_user(server, cluster)
    a = reply(other, t["id"], "an answer")
    assert_error(mark(other, t["id"], a["id"]), 403, "forbidden")
    assert_error(other.delete("/api/v1/threads/%d/answer" % t["id"]), 403, "forbidden")
    assert_error(requests.post(server.url("/api/v1/threads/%d/answer" % t["id"]), json={"post_id": a["id"]}),
                 401, "unauthenticated")
    assert_error(mark(member, t["id"], a["id"], csrf=False), 403, "csrf")
    # a moderator may, and it is logged
    r = mark(moderator, t["id"], a["id"])
    assert r.status_code == 200 and r.json()["logged"] is True
    log = cluster.sql("SELECT action, target_type, target_id, details->>'post_id' FROM mod_log"
                      " WHERE actor_id = %s ORDER BY id DESC LIMIT 1", (moderator.user["id"],))
    assert log == [("accept_answer", "thread", str(t["id"]), str(a["id"]))]
    assert moderator.delete("/api/v1/threads/%d/answer" % t["id"]).status_code == 200
    assert cluster.sql("SELECT action FROM mod_log WHERE actor_id = %s ORDER BY id DESC LIMIT 1",
                       (moderator.user["id"],))[0][0] == "unaccept_answer"
    page = member.get("/mod/log").text
    assert "marked the accepted answer of" in page
    # a suspended author may not
    moderator.post("/api/v1/users/%s/suspension" % member.user["username"],
                   json={"until": "2099-01-01T00:00:00Z", "reason": "cooling off"})
    assert_error(mark(member, t["id"], a["id"]), 403, "forbidden")


def test_not_in_a_category_that_takes_no_answers(server, cluster, member):
    t = new_thread(member)   # general: discussions
    other = make_user(server, cluster)
    a = reply(other, t["id"], "not an answer")
    assert_error(mark(member, t["id"], a["id"]), 409, "conflict")
    body = thread_json(member, t["id"])
    assert body["thread"]["question_style"] is False and body["thread"]["answer"] is None
    assert not any(p["can_accept"] for p in body["posts"])
    assert "Mark as the answer" not in member.get("/t/%d" % t["id"]).text


def test_only_a_visible_reply_of_this_thread(server, cluster, admin, member, moderator):
    cat = question_category(admin)
    t = new_thread(member, category=cat)
    elsewhere = new_thread(member, category=cat)
    other = make_user(server, cluster)
    theirs = reply(other, elsewhere["id"], "in another thread")
    assert_error(mark(member, t["id"], theirs["id"]), 400, "invalid_input", "post_id")
    assert_error(mark(member, t["id"], t["first_post_id"]), 400, "invalid_input", "post_id")
    assert_error(mark(member, t["id"], 999999999), 400, "invalid_input", "post_id")
    for bad in ("12", None, -1, 0, [1], {"a": 1}, 2 ** 62):
        assert_error(member.post("/api/v1/threads/%d/answer" % t["id"], json={"post_id": bad}),
                     400, "invalid_input", "post_id")
    assert_error(member.post("/api/v1/threads/%d/answer" % t["id"], json={"post_id": 2 ** 70}), 400, "invalid_input")
    assert_error(member.post("/api/v1/threads/%d/answer" % t["id"], data=b'{"post_id": "\xff"}',
                             headers={"Content-Type": "application/json"}), 400, "invalid_input")
    assert_error(member.post("/api/v1/threads/%d/answer" % t["id"], json={}), 400, "invalid_input", "post_id")
    assert_error(mark(member, 999999999, theirs["id"]), 404, "not_found")
    hidden = reply(other, t["id"], "to be hidden")
    cluster.sql("UPDATE posts SET state = 'hidden' WHERE id = %s", (hidden["id"],))
    assert_error(mark(moderator, t["id"], hidden["id"]), 400, "invalid_input", "post_id")
    # an accepted post hidden later: the thread shows no answer and is not solved
    a = reply(other, t["id"], "the answer")
    assert mark(member, t["id"], a["id"]).status_code == 200
    assert moderator.post("/p/%d/hide" % a["id"], data={"csrf": moderator.csrf, "reason": "rude"},
                          ).status_code in (200, 303)
    body = thread_json(member, t["id"])
    assert body["thread"]["answer"] is None and body["thread"]["solved"] is False
    listed = member.get("/api/v1/threads?category=%s" % cat).json()["threads"]
    assert [x["solved"] for x in listed if x["id"] == t["id"]] == [False]
    assert "Accepted answer" not in member.get("/t/%d" % t["id"]).text


def test_thread_lists_show_solved_and_filter_by_it(server, cluster, admin, member):
    cat = question_category(admin)
    solved = new_thread(member, category=cat, title=unique("Solved "))
    open_ = new_thread(member, category=cat, title=unique("Open "))
    other = make_user(server, cluster)
    a = reply(other, solved["id"], "this works")
    assert mark(member, solved["id"], a["id"]).status_code == 200

    def ids(query):
        r = requests.get(server.url("/api/v1/threads?category=%s%s" % (cat, query)))
        assert r.status_code == 200, r.text
        return {t["id"]: t["solved"] for t in r.json()["threads"]}

    assert ids("") == {solved["id"]: True, open_["id"]: False}
    assert ids("&solved=1") == {solved["id"]: True}
    assert ids("&solved=0") == {open_["id"]: False}
    assert solved["id"] in {t["id"] for t in requests.get(server.url("/api/v1/threads?solved=1")).json()["threads"]}
    for bad in ("yes", "2", "-1", "%FF"):
        assert_error(requests.get(server.url("/api/v1/threads?solved=" + bad)), 400, "invalid_input", "solved")
    # the pages: a "Solved" mark and the filter's links
    page = requests.get(server.url("/c/%s?solved=1" % cat)).text
    assert solved["title"] in page and open_["title"] not in page
    assert '<span class="solved">Solved</span>' in page
    assert 'href="?solved=1" aria-current="page"' in page
    page = requests.get(server.url("/c/%s?solved=0" % cat)).text
    assert open_["title"] in page and solved["title"] not in page
    assert requests.get(server.url("/?solved=maybe")).status_code == 400


def test_admins_set_question_style_in_admin(server, cluster, admin, member):
    slug = unique("c")[:12].lower()
    assert admin.post("/api/v1/categories", json={"slug": slug, "name": "C"}).json()["category"]["question_style"] is False
    r = admin.patch("/api/v1/categories/" + slug, json={"question_style": True})
    assert r.status_code == 200 and r.json()["category"]["question_style"] is True
    assert_error(admin.patch("/api/v1/categories/" + slug, json={"question_style": "sometimes"}),
                 400, "invalid_input", "question_style")
    assert_error(member.patch("/api/v1/categories/" + slug, json={"question_style": False}), 403, "forbidden")
    got = {c["slug"]: c for c in requests.get(server.url("/api/v1/categories")).json()["categories"]}
    assert got[slug]["question_style"] is True
    # the admin page's edit form: an unchecked box turns it off
    page = admin.get("/admin").text
    assert 'id="cat-q-%s" name="question_style" value="true" checked' % slug in page
    r = admin.s.post(server.url("/admin/categories/" + slug), data={"csrf": admin.csrf, "slug": slug, "name": "C",
                                                                    "description": ""}, allow_redirects=False)
    assert r.status_code == 303
    assert requests.get(server.url("/api/v1/categories/" + slug)).json()["category"]["question_style"] is False
    r = admin.s.post(server.url("/admin/categories/" + slug), data={"csrf": admin.csrf, "slug": slug, "name": "C",
                                                                    "description": "", "question_style": "true"},
                     allow_redirects=False)
    assert r.status_code == 303
    assert requests.get(server.url("/api/v1/categories/" + slug)).json()["category"]["question_style"] is True


def test_marking_from_the_page_without_javascript(server, cluster, admin, member):
    cat = question_category(admin)
    t = new_thread(member, category=cat)
    other = make_user(server, cluster)
    a = reply(other, t["id"], "the form's answer")
    page = member.get("/t/%d" % t["id"]).text
    assert 'formaction="/t/%d/answer" name="post_id" value="%d"' % (t["id"], a["id"]) in page
    assert "Mark as the answer" not in other.get("/t/%d" % t["id"]).text   # not theirs to mark
    r = member.s.post(server.url("/t/%d/answer" % t["id"]), data={"csrf": member.csrf, "post_id": str(a["id"])},
                      allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/t/%d" % t["id"]
    page = member.get("/t/%d" % t["id"]).text
    assert "The accepted answer" in page and 'formaction="/t/%d/unanswer"' % t["id"] in page
    r = member.s.post(server.url("/t/%d/unanswer" % t["id"]), data={"csrf": member.csrf}, allow_redirects=False)
    assert r.status_code == 303
    assert thread_json(member, t["id"])["thread"]["answer"] is None
    r = member.s.post(server.url("/t/%d/answer" % t["id"]), data={"post_id": str(a["id"])}, allow_redirects=False)
    assert r.status_code == 403
