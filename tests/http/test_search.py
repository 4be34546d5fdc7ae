"""Issue 6: full-text search over thread titles, posts and ideas (ranked, highlighted,
never showing what readers may not see) and similar threads while composing."""
import re
import uuid

import pytest
import requests

from conftest import Client, assert_error, make_user, new_thread, reply, unique


def word():
    """A made-up word no other test uses (letters only, so every parser keeps it whole)."""
    return "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:12])


def search(server, client=None, **params):
    get = client.get if client else (lambda p, **kw: requests.get(server.url(p), **kw))
    r = get("/api/v1/search", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def hits(server, client=None, **params):
    return [(x["type"], x.get("id", x.get("number"))) for x in search(server, client, **params)["results"]]


def create_idea(mod, title, summary="An idea."):
    r = mod.post("/api/v1/ideas", json={"title": title, "summary": summary})
    assert r.status_code == 201, r.text
    return r.json()["idea"]


def test_search_finds_threads_posts_and_ideas_ranked_with_snippets(server, member, moderator):
    w = word()
    t = new_thread(member, title="Planning %s rollouts" % w, body="The opening post says nothing of it.")
    many = reply(member, t["id"], "%s, %s and again %s: the %s way." % (w, w, w, w))
    once = reply(member, t["id"], "A long post about change management, release trains, CAB meetings, "
                                  "service catalogues and many other things, where %s appears once among "
                                  "a great deal of other text about incidents and problems." % w)
    idea = create_idea(moderator, "Adopt %s everywhere" % w, "Because %s works." % w)
    data = search(server, q=w)
    assert data["q"] == w and data["type"] == "all" and data["next_page"] is None
    found = [(x["type"], x.get("id", x.get("number"))) for x in data["results"]]
    assert set(found) == {("thread", t["id"]), ("post", many["id"]), ("post", once["id"]),
                          ("idea", idea["number"])}
    # titles (thread and idea) outrank posts; the post saying it four times outranks the one saying it once
    assert set(found[:2]) == {("thread", t["id"]), ("idea", idea["number"])}
    assert found[2:] == [("post", many["id"]), ("post", once["id"])]
    ranks = [x["rank"] for x in data["results"]]
    assert ranks == sorted(ranks, reverse=True) and all(r > 0 for r in ranks)
    by = {(x["type"], x.get("id", x.get("number"))): x for x in data["results"]}
    thread = by[("thread", t["id"])]
    assert set(thread) == {"type", "id", "title", "url", "snippet", "rank", "created_at", "author"}
    assert thread["author"] == member.user["username"]
    assert thread["url"] == "/t/%d" % t["id"] and "<mark>%s</mark>" % w in thread["snippet"]
    post = by[("post", once["id"])]
    assert set(post) == {"type", "id", "thread_id", "title", "url", "snippet", "rank", "created_at", "author"}
    assert post["thread_id"] == t["id"] and post["url"] == "/t/%d#p%d" % (t["id"], once["id"])
    assert "<mark>%s</mark>" % w in post["snippet"] and "appears once" in post["snippet"]
    found_idea = by[("idea", idea["number"])]
    assert set(found_idea) == {"type", "number", "ref", "title", "status", "url", "snippet", "rank", "created_at",
                               "author"}
    assert found_idea["ref"] == "IDEA-%d" % idea["number"] and found_idea["url"] == "/ideas/%d" % idea["number"]
    # one kind at a time
    assert hits(server, q=w, type="threads") == [("thread", t["id"])]
    assert hits(server, q=w, type="posts") == [("post", many["id"]), ("post", once["id"])]
    assert hits(server, q=w, type="ideas") == [("idea", idea["number"])]


def test_search_stems_and_understands_web_search_syntax(server, member):
    w1, w2 = word(), word()
    t = new_thread(member)
    a = reply(member, t["id"], "Our %s tools keep costing more" % w1)
    b = reply(member, t["id"], "Our %s tools and %s together" % (w1, w2))
    assert hits(server, q="%s costs" % w1, type="posts") == [("post", a["id"])]  # cost ~ costing
    assert hits(server, q="%s -%s" % (w1, w2), type="posts") == [("post", a["id"])]
    assert hits(server, q='"%s together"' % w2, type="posts") == [("post", b["id"])]
    assert {h[1] for h in hits(server, q="%s or %s" % (w2, w1), type="posts")} == {a["id"], b["id"]}
    assert hits(server, q="the and of", type="posts") == []  # only stop words: nothing, no error


def test_search_never_shows_pending_hidden_or_deleted_content(server, cluster, member, moderator, newcomer):
    w = word()
    t = new_thread(member, body="Visible opening post")
    visible = reply(member, t["id"], "visible %s" % w)
    pending = reply(newcomer, t["id"], "pending %s" % w)
    assert pending["state"] == "pending"
    hidden = reply(member, t["id"], "hidden %s" % w)
    cluster.sql("UPDATE posts SET state = 'hidden' WHERE id = %s", (hidden["id"],))
    deleted = reply(member, t["id"], "deleted %s" % w)
    assert member.delete("/api/v1/posts/%d" % deleted["id"]).status_code == 204
    gone = new_thread(member, title="Hidden thread %s" % w, body="its opening post %s" % w)
    reply(member, gone["id"], "a visible post %s in a hidden thread" % w)
    cluster.sql("UPDATE threads SET state = 'hidden' WHERE id = %s", (gone["id"],))
    r = newcomer.post("/api/v1/threads", json={"category": "general", "title": "Pending %s" % w, "body": w})
    assert r.json()["post"]["state"] == "pending"
    a = create_idea(moderator, "Merged away %s" % w)
    b = create_idea(moderator, "The idea kept")
    moderator.post("/api/v1/ideas/%d/merge" % a["number"], json={"into": b["number"]})
    for who in (None, member, newcomer, moderator):
        assert hits(server, who, q=w) == [("post", visible["id"])]
    # the vectors follow edits: the old word is gone, the new one found
    w2 = word()
    member.patch("/api/v1/posts/%d" % visible["id"], json={"body": "now %s" % w2})
    assert hits(server, q=w) == []
    assert hits(server, q=w2) == [("post", visible["id"])]


def test_snippets_escape_the_text_and_mark_only_real_matches(server, member):
    w = word()
    t = new_thread(member)
    reply(member, t["id"], "<script>alert(1)</script> %s: AT&T says 1 < 2, \"quoted\" <b>great</b> \x01fake\x02 "
                           "<img src=x onerror=y>" % w)
    [hit] = search(server, q=w, type="posts")["results"]
    snippet = hit["snippet"]
    assert "<mark>%s</mark>" % w in snippet
    assert snippet.count("<mark>") == snippet.count("</mark>") == 1
    assert "<mark>fake" not in snippet and "\x01" not in snippet and "\x02" not in snippet
    assert not re.search(r"[<>]", re.sub(r"</?mark>", "", snippet)), snippet
    assert "AT&amp;T" in snippet and "1 &lt; 2" in snippet and "&quot;quoted&quot;" in snippet
    page = requests.get(server.url("/search"), params={"q": w}).text
    assert "<mark>%s</mark>" % w in page and "<script>alert" not in page and "onerror=y>" not in page


def opening_post(cluster, thread_id):
    return cluster.sql("SELECT id FROM posts WHERE thread_id = %s AND parent_id IS NULL", (thread_id,))[0][0]


def test_search_lists_an_opening_post_once_as_its_thread(server, cluster, member):
    """Issue 16: a thread whose title and opening post both matched was listed twice, as
    the thread and as its opening post; searching everything, the thread stands for it."""
    w = word()
    t = new_thread(member, title="Planning %s rollouts" % w, body="Our %s rollout plan, step by step." % w)
    opening = opening_post(cluster, t["id"])
    answer = reply(member, t["id"], "A %s rollout of our own" % w)
    assert hits(server, q=w) == [("thread", t["id"]), ("post", answer["id"])]
    # looking at posts only, the opening post is a post like any other
    assert {h[1] for h in hits(server, q=w, type="posts")} == {opening, answer["id"]}
    assert hits(server, q=w, type="threads") == [("thread", t["id"])]
    # an opening post whose thread's title does not match is still found, once
    w2 = word()
    t2 = new_thread(member, title="Something else entirely", body="Only the body says %s" % w2)
    assert hits(server, q=w2) == [("post", opening_post(cluster, t2["id"]))]


def test_search_filters_by_author_category_dates_and_idea_status(server, cluster, member, moderator, admin):
    w = word()
    slug = "incidents-%s" % word()
    cluster.sql("INSERT INTO categories (slug, name) VALUES (%s, 'Incidents')", (slug,))
    mine = new_thread(member, title="Major %s review" % w, body="What went wrong.", category=slug)
    theirs = new_thread(admin, title="Minor %s review" % w, body="Nothing much.")
    my_reply = reply(member, theirs["id"], "my %s notes" % w)
    old = reply(admin, mine["id"], "an old %s remark" % w)
    cluster.sql("UPDATE posts SET created_at = '2020-06-15 12:00Z' WHERE id = %s", (old["id"],))
    planned = create_idea(moderator, "Planned %s idea" % w)
    assert moderator.patch("/api/v1/ideas/%d" % planned["number"], json={"status": "planned"}).status_code == 200
    fresh = create_idea(moderator, "New %s idea" % w)
    everything = {("thread", mine["id"]), ("thread", theirs["id"]), ("post", my_reply["id"]), ("post", old["id"]),
                  ("idea", planned["number"]), ("idea", fresh["number"])}
    assert set(hits(server, q=w)) == everything
    who = member.user["username"]
    data = search(server, q="author:%s %s" % (who.upper(), w))
    assert data["q"] == "author:%s %s" % (who.upper(), w) and data["filters"] == {"author": who.upper()}
    assert set(hits(server, q="author:@%s %s" % (who, w))) == {("thread", mine["id"]), ("post", my_reply["id"])}
    assert set(hits(server, q="%s author:%s" % (w, moderator.user["username"]))) == \
        {("idea", planned["number"]), ("idea", fresh["number"])}
    assert hits(server, q="author:nobody_%s %s" % (w[:8], w)) == []
    # category: discussions and posts in it; ideas have none
    assert set(hits(server, q="category:%s %s" % (slug.upper(), w))) == {("thread", mine["id"]), ("post", old["id"])}
    assert set(hits(server, q="category:general %s" % w)) == {("thread", theirs["id"]), ("post", my_reply["id"])}
    # dates are UTC days: after: includes its day, before: does not
    assert hits(server, q="%s before:2020-06-15" % w) == []
    assert hits(server, q="%s before:2020-06-16" % w) == [("post", old["id"])]
    assert hits(server, q="%s after:2020-06-15 before:2020-06-16" % w) == [("post", old["id"])]
    assert set(hits(server, q="%s after:2020-06-16" % w)) == everything - {("post", old["id"])}
    # status: ideas only
    assert hits(server, q="status:planned %s" % w) == [("idea", planned["number"])]
    assert hits(server, q="status:new %s" % w, type="ideas") == [("idea", fresh["number"])]
    # filters combine, and the words still have to match
    assert hits(server, q="author:%s category:%s after:2026-01-01 %s" % (who, slug, w)) == [("thread", mine["id"])]
    assert hits(server, q="author:%s %s" % (who, word())) == []
    # an unknown word: is searched for like any word; a "quoted author:x" too
    w3 = word()
    t3 = new_thread(member, title="Read todo:%s first" % w3)
    assert hits(server, q="todo:%s" % w3) == [("thread", t3["id"])]
    assert search(server, q="todo:%s" % w3)["filters"] == {}


def test_search_filters_never_show_hidden_pending_or_deleted_content(server, cluster, member, newcomer):
    w = word()
    t = new_thread(member, body="Visible opening post")
    visible = reply(member, t["id"], "visible %s" % w)
    hidden = reply(member, t["id"], "hidden %s" % w)
    cluster.sql("UPDATE posts SET state = 'hidden' WHERE id = %s", (hidden["id"],))
    deleted = reply(member, t["id"], "deleted %s" % w)
    assert member.delete("/api/v1/posts/%d" % deleted["id"]).status_code == 204
    pending = reply(newcomer, t["id"], "pending %s" % w)
    assert pending["state"] == "pending"
    gone = new_thread(member, title="Hidden thread %s" % w, body="its opening post %s" % w)
    cluster.sql("UPDATE threads SET state = 'hidden' WHERE id = %s", (gone["id"],))
    for q in ("author:%s %s" % (member.user["username"], w), "category:general %s" % w, "after:2000-01-01 %s" % w,
              "before:2999-01-01 %s" % w):
        for who in (None, member, newcomer):
            assert hits(server, who, q=q) == [("post", visible["id"])], q
    assert hits(server, q="author:%s %s" % (newcomer.user["username"], w)) == []


@pytest.mark.parametrize("q,type_,message", [
    ("author:ab x", None, "author: takes a username"),
    ("author:a'b x", None, "author: takes a username"),
    ("category:Bad_Slug x", None, "category: takes"),
    ("after:2026-02-30 x", None, "after: takes a date as YYYY-MM-DD"),
    ("before:31/01/2026 x", None, "before: takes a date as YYYY-MM-DD"),
    ("status:shipped x", None, "status: takes an idea status"),
    ("author:pat author:sam x", None, "author: is given twice"),
    ("after:2026-02-01 before:2026-01-01 x", None, "after: must be an earlier day than before:"),
    ("author:pat", None, "a word to search for besides its filters"),
    ("status:planned x", "posts", "status: finds ideas"),
    ("category:general x", "ideas", "ideas have no category"),
])
def test_search_refuses_invalid_filters_with_a_clear_message(server, q, type_, message):
    params = {"q": q}
    if type_:
        params["type"] = type_
    r = requests.get(server.url("/api/v1/search"), params=params)
    assert_error(r, 400, "invalid_input", "q")
    assert message in r.json()["error"]["message"]
    page = requests.get(server.url("/search"), params=params)
    assert page.status_code == 400 and message in page.text


@pytest.mark.parametrize("params,field", [
    ({}, "q"),
    ({"q": ""}, "q"),
    ({"q": "   "}, "q"),
    ({"q": "x" * 201}, "q"),
    ({"q": "é" * 201}, "q"),
    ({"q": "itsm", "type": "users"}, "type"),
    ({"q": "itsm", "page": "0"}, "page"),
    ({"q": "itsm", "page": "x"}, "page"),
])
def test_search_refuses_bad_queries(server, params, field):
    assert_error(requests.get(server.url("/api/v1/search"), params=params), 400, "invalid_input", field)


def test_search_accepts_200_characters_and_refuses_invalid_utf8(server):
    # 200 characters (400 bytes) pass, and tsquery syntax in the words is taken as text,
    # not as operators: no error, and no match for a word nobody wrote
    for q in ("é" * 188 + word(), "a'b\"c\\d & | ! ( ) :* " + word()):
        r = requests.get(server.url("/api/v1/search"), params={"q": q})
        assert r.status_code == 200 and r.json()["results"] == [], (q, r.text[:200])
    assert_error(requests.get(server.url("/api/v1/search?q=%FF%FE")), 400, "invalid_input")


def test_search_page_works_without_javascript(server, member):
    w = word()
    t = new_thread(member, title="Search page %s" % w)
    page = requests.get(server.url("/search"), params={"q": w, "type": "threads"})
    assert page.status_code == 200
    assert 'href="/t/%d"' % t["id"] in page.text and "<mark>%s</mark>" % w in page.text
    assert '<option value="threads" selected>' in page.text and 'value="%s"' % w in page.text
    empty = requests.get(server.url("/search"))
    assert empty.status_code == 200 and 'name="q"' in empty.text and "Results for" not in empty.text
    # the filters are explained on the page itself
    assert all(f in empty.text for f in ("author:", "category:", "after:", "before:", "status:"))
    filtered = requests.get(server.url("/search"), params={"q": "category:general %s" % w})
    assert filtered.status_code == 200 and 'href="/t/%d"' % t["id"] in filtered.text
    assert 'value="category:general %s"' % w in filtered.text
    nothing = requests.get(server.url("/search"), params={"q": word()})
    assert nothing.status_code == 200 and "Nothing found" in nothing.text
    assert requests.get(server.url("/search"), params={"q": "x" * 201}).status_code == 400


# --- similar threads ---

def test_similar_threads_are_found_for_a_reworded_title(server, cluster, member):
    same = new_thread(member, title="How do you cut ITSM tool costs")
    other = new_thread(member, title="Change advisory board cadence")
    hidden = new_thread(member, title="How can we cut costs of ITSM tools")
    cluster.sql("UPDATE threads SET state = 'hidden' WHERE id = %s", (hidden["id"],))
    r = requests.get(server.url("/api/v1/threads/similar"), params={"title": "Cutting the cost of ITSM tools"})
    assert r.status_code == 200, r.text
    found = r.json()
    assert isinstance(found, list) and found
    assert all(set(x) == {"id", "title", "similarity", "words", "why"} for x in found)
    ids = [x["id"] for x in found]
    assert same["id"] in ids and other["id"] not in ids and hidden["id"] not in ids
    assert found[ids.index(same["id"])]["similarity"] >= 0.9
    sims = [x["similarity"] for x in found]
    assert sims == sorted(sims, reverse=True) and all(0 < s <= 1 for s in sims)
    # a typo still shares most trigrams
    typo = requests.get(server.url("/api/v1/threads/similar"), params={"title": "Change advisery board cadense"})
    assert other["id"] in [x["id"] for x in typo.json()]
    unrelated = requests.get(server.url("/api/v1/threads/similar"), params={"title": word() + " " + word()})
    assert unrelated.status_code == 200 and unrelated.json() == []


def test_similar_threads_include_a_short_title_whose_words_a_long_title_shares(server, cluster, member):
    """Issue 16: trigram similarity missed a short existing title inside a long new one (the
    long title's many other trigrams dilute it below the cut); its significant words find it,
    and each suggestion says why it is offered."""
    w = word()
    short = new_thread(member, title="CAB %s meeting agenda" % w)
    one_word = new_thread(member, title="Weekly %s" % word())   # shares a single word: not enough
    hidden = new_thread(member, title="Agenda of the CAB %s meeting" % w)
    cluster.sql("UPDATE threads SET state = 'hidden' WHERE id = %s", (hidden["id"],))
    long_title = ("What should go on the agenda of our weekly CAB %s meeting when infrastructure changes, "
                  "releases and patches pile up across teams" % w)
    # the trigram measure alone stays below the 0.4 cut
    assert cluster.sql("SELECT greatest(similarity(search_title_key(%s), search_title_key(%s)), similarity(%s, %s))",
                       (short["title"], long_title, short["title"], long_title))[0][0] < 0.4
    r = requests.get(server.url("/api/v1/threads/similar"), params={"title": long_title})
    assert r.status_code == 200, r.text
    by = {x["id"]: x for x in r.json()}
    assert short["id"] in by and hidden["id"] not in by and one_word["id"] not in by
    found = by[short["id"]]
    assert 0.4 <= found["similarity"] <= 1
    assert found["words"] == ["CAB", w, "meeting", "agenda"]
    assert found["why"] == "Shares the words CAB, %s, meeting and agenda" % w
    # a misspelt word is no shared word; a title sharing none is offered for its spelling
    typo = requests.get(server.url("/api/v1/threads/similar"), params={"title": "CAB %s meeting agendaa" % w}).json()
    assert [x["why"] for x in typo if x["id"] == short["id"]] == ["Shares the words CAB, %s and meeting" % w]
    spelt = new_thread(member, title="Licence renewels")
    other = requests.get(server.url("/api/v1/threads/similar"), params={"title": "License renewals"}).json()
    assert [(x["words"], x["why"]) for x in other if x["id"] == spelt["id"]] == [([], "Similar spelling")]
    # and the preview of the new-thread form lists it with the reason
    form = {"csrf": member.csrf, "category": "general", "title": long_title, "body": "Ideas?", "preview": "1"}
    page = member.s.post(server.url("/new"), data=form, allow_redirects=False)
    assert page.status_code == 200 and 'href="/t/%d"' % short["id"] in page.text
    assert "Shares the words CAB, %s, meeting and agenda" % w in page.text


@pytest.mark.parametrize("params", [{}, {"title": ""}, {"title": "  "}, {"title": "x" * 201}])
def test_similar_threads_refuse_bad_titles(server, params):
    assert_error(requests.get(server.url("/api/v1/threads/similar"), params=params), 400, "invalid_input", "title")


def test_new_thread_preview_lists_similar_threads_and_stores_nothing(server, cluster, member):
    existing = new_thread(member, title="Quarterly vendor review checklist")
    before = cluster.sql("SELECT count(*) FROM threads")[0][0]
    form = {"csrf": member.csrf, "category": "general", "title": "Checklist for the quarterly review of vendors",
            "body": "Do we **all** use one?", "preview": "1"}
    r = member.s.post(server.url("/new"), data=form, allow_redirects=False)
    assert r.status_code == 200, r.text[:500]
    assert "Is this already being discussed?" in r.text and 'href="/t/%d"' % existing["id"] in r.text
    assert "<strong>all</strong>" in r.text
    assert 'value="Checklist for the quarterly review of vendors"' in r.text
    assert '<option value="general" selected>' in r.text
    assert cluster.sql("SELECT count(*) FROM threads")[0][0] == before
    # nothing similar: said so
    lonely = dict(form, title="Entirely %s things" % word())
    r = member.s.post(server.url("/new"), data=lonely, allow_redirects=False)
    assert r.status_code == 200 and "No discussion has a title like this one." in r.text
    # a bad preview shows the form with the error, and still stores nothing
    bad = member.s.post(server.url("/new"), data=dict(form, title="ab"), allow_redirects=False)
    assert bad.status_code == 400 and 'aria-invalid="true"' in bad.text
    # the final submit (no preview button) creates the thread
    del form["preview"]
    r = member.s.post(server.url("/new"), data=form, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"].startswith("/t/")
    assert cluster.sql("SELECT count(*) FROM threads")[0][0] == before + 1
    page = member.get("/new").text
    assert 'name="preview"' in page
