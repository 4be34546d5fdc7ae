"""Issue 16: notifications people can read — grouped by thread, what happened in words, an
excerpt that never shows text the reader may not see, marking all read."""
import html

from conftest import make_user, new_thread, reply, unique


def listing(client):
    r = client.get("/api/v1/notifications")
    assert r.status_code == 200, r.text
    return r.json()


def test_notifications_are_grouped_by_thread_and_say_what_happened(server, cluster):
    author, replier, mentioned = (make_user(server, cluster) for _ in range(3))
    t1 = new_thread(author, title=unique("First thread "))
    t2 = new_thread(author, title=unique("Second thread "))
    p1 = reply(replier, t1["id"], "**Bold** words, 1 < 2 & \"there\", see IDEA-1.")
    p2 = reply(replier, t2["id"], "hello @%s " % mentioned.user["username"] + "word " * 60)
    p3 = reply(replier, t1["id"], "a second reply\n\n- item one\n- item _two_")
    who = replier.user["username"]

    data = listing(author)
    # the flat list stays as it was (newest first), with the new fields
    assert [n["post_id"] for n in data["notifications"]] == [p3["id"], p2["id"], p1["id"]]
    assert data["unread"] == 3
    groups = data["groups"]
    # one group per thread, the thread with the newest notification first
    assert [g["thread"]["id"] for g in groups] == [t1["id"], t2["id"]]
    assert groups[0]["thread"] == {"id": t1["id"], "title": t1["title"], "url": "/t/%d" % t1["id"]}
    assert groups[0]["unread"] == 2
    first = groups[0]["items"]
    assert [n["post_id"] for n in first] == [p3["id"], p1["id"]]
    assert first[0]["excerpt"] == "a second reply item one item two"   # blocks apart, inline joined
    assert first[1]["what"] == "%s replied to your post" % who
    assert first[1]["excerpt"] == "Bold words, 1 < 2 & \"there\", see IDEA-1."   # plain text, no markup
    assert first[1]["url"] == "/t/%d#p%d" % (t1["id"], p1["id"])
    assert first[1]["read"] is False and first[1]["kind"] == "reply"
    long = groups[1]["items"][0]["excerpt"]
    assert long.startswith("hello @%s word" % mentioned.user["username"])
    assert len(long) <= 140 and long.endswith("word…")

    assert listing(mentioned)["groups"][0]["items"][0]["what"] == "%s mentioned you" % who
    assert mentioned.post("/api/v1/threads/%d/watch" % t1["id"]).status_code == 200
    reply(replier, t1["id"], "for the watchers")
    watched = listing(mentioned)["groups"][0]["items"][0]
    assert watched["what"] == "%s replied in a thread you watch" % who
    assert watched["excerpt"] == "for the watchers"

    page = author.get("/notifications")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "%s replied to your post" % who in text and "Bold words, 1 < 2 & \"there\", see IDEA-1." in text
    assert '<a href="/t/%d">%s</a>' % (t1["id"], html.escape(t1["title"], quote=False)) in page.text
    assert '<a href="/t/%d#p%d">' % (t1["id"], p1["id"]) in page.text
    assert "watch in" not in text and '<span class="kind">' not in page.text   # no raw kinds
    assert text.index(t1["title"]) < text.index(t2["title"])
    assert "Mark all read" in page.text and "4 unread" in text


def test_excerpts_and_titles_never_show_what_the_reader_may_not_see(server, cluster, member, moderator):
    t = new_thread(member, title=unique("Visible thread "))
    hidden = reply(moderator, t["id"], "secret words of a hidden reply")
    deleted = reply(moderator, t["id"], "secret words of a deleted reply")
    gone = new_thread(moderator, title=unique("Secret title "))
    watcher = make_user(server, cluster)
    assert watcher.post("/api/v1/threads/%d/watch" % gone["id"]).status_code == 200
    reply(moderator, gone["id"], "secret words in a hidden thread")
    cluster.sql("UPDATE posts SET state = 'hidden' WHERE id = %s", (hidden["id"],))
    cluster.sql("UPDATE posts SET state = 'deleted' WHERE id = %s", (deleted["id"],))
    cluster.sql("UPDATE threads SET state = 'hidden' WHERE id = %s", (gone["id"],))

    items = [n for g in listing(member)["groups"] for n in g["items"]]
    assert {n["post_id"]: n["excerpt"] for n in items} == {hidden["id"]: None, deleted["id"]: None}
    note = listing(watcher)["groups"][0]
    assert note["thread"]["title"] is None and note["items"][0]["excerpt"] is None
    for client in (member, watcher):
        page = client.get("/notifications").text
        assert "secret words" not in page and "Secret title" not in page
    assert "A thread you cannot see" in watcher.get("/notifications").text

    # a moderator, who may read them on the thread page, sees them here too
    assert moderator.post("/api/v1/threads/%d/watch" % t["id"]).status_code == 200
    reply(member, t["id"], "the member answers")
    cluster.sql("UPDATE posts SET state = 'hidden' WHERE thread_id = %s AND body = 'the member answers'", (t["id"],))
    assert listing(moderator)["groups"][0]["items"][0]["excerpt"] == "the member answers"


def test_mark_all_read_from_the_page_and_some_through_the_api(server, cluster, member):
    replier = make_user(server, cluster)
    t = new_thread(member)
    for i in range(3):
        reply(replier, t["id"], "reply %d" % i)
    ids = [n["id"] for n in listing(member)["notifications"]]
    r = member.post("/api/v1/notifications/read", json={"ids": ids[:1]})
    assert r.status_code == 200 and r.json()["marked"] == 1
    assert listing(member)["unread"] == 2 and listing(member)["groups"][0]["unread"] == 2
    # the page's form: no script, the CSRF token in the form, 303 back to the list
    r = member.post("/notifications/read", data={"csrf": member.csrf}, csrf=False)
    assert r.status_code == 303 and r.headers["Location"] == "/notifications"
    data = listing(member)
    assert data["unread"] == 0 and all(n["read"] for n in data["notifications"])
    page = member.get("/notifications").text
    assert "Mark all read" not in page and 'class="unread"' not in page
