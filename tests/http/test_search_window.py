"""Issue 20, target 3 (schema 0036): a word the statistics call common is ranked among
its newest matches, found newest first; that path must show exactly what the exact one
shows: visible posts of visible threads, visible threads, only."""
from conftest import new_thread, reply
from test_search import hits, search, word


def test_a_common_word_ranks_its_newest_matches_and_never_shows_hidden_ones(server, cluster, member, moderator,
                                                                           newcomer):
    w = word()
    t = new_thread(member, body="An opening post without the word")
    tid, op, uid = t["id"], t["first_post_id"], member.user["id"]
    # enough matches that the statistics call the word common (search_common())
    cluster.sql("""
        INSERT INTO posts (thread_id, parent_id, author_id, body, body_html, render_version)
        SELECT %s, %s, %s, 'filler ' || %s || ' number ' || g, '<p>filler</p>', '0'
        FROM generate_series(1, 2400) g
    """, (tid, op, uid, w))
    best = reply(member, tid, " ".join([w] * 4))
    hidden = reply(member, tid, " ".join([w] * 4))
    cluster.sql("UPDATE posts SET state = 'hidden' WHERE id = %s", (hidden["id"],))
    pending = reply(newcomer, tid, " ".join([w] * 4))
    assert pending["state"] == "pending"
    deleted = reply(member, tid, " ".join([w] * 4))
    assert member.delete("/api/v1/posts/%d" % deleted["id"]).status_code == 204
    gone = new_thread(member, title="Hidden thread %s" % w, body=" ".join([w] * 4))
    in_gone = reply(member, gone["id"], " ".join([w] * 4))
    cluster.sql("UPDATE threads SET state = 'hidden' WHERE id = %s", (gone["id"],))
    cluster.sql("ANALYZE posts")
    (common,), = cluster.sql("SELECT search_common(search_query(%s), 'posts')", (w,))
    assert common  # the recent-window path is the one under test
    never = {hidden["id"], pending["id"], deleted["id"], gone["first_post_id"], in_gone["id"]}
    for who in (None, member, newcomer, moderator):
        for kind in ("all", "posts"):
            found = hits(server, who, q=w, type=kind)
            assert len(found) == 20 and all(h[0] == "post" for h in found)
            assert found[0] == ("post", best["id"])  # the best-ranked of the window comes first
            assert not never & {h[1] for h in found}
    # every page of the window is served, the last ones too (window >= page end)
    data = search(server, q=w, type="posts", page=50)
    assert len(data["results"]) == 20 and not never & {x["id"] for x in data["results"]}


def test_a_common_title_word_ranks_its_newest_threads_and_never_shows_hidden_ones(server, cluster, member,
                                                                                 moderator, newcomer):
    w = word()
    cluster.sql("""
        INSERT INTO threads (category_id, title, slug, author_id)
        SELECT (SELECT id FROM categories WHERE slug = 'general'), 'Older thread on ' || %s || ' ' || g, 'x', %s
        FROM generate_series(1, 2400) g
    """, (w, member.user["id"]))
    best = new_thread(member, title="%s, %s and %s" % (w, w, w))
    hidden = new_thread(member, title="%s, %s and %s hidden" % (w, w, w))
    cluster.sql("UPDATE threads SET state = 'hidden' WHERE id = %s", (hidden["id"],))
    r = newcomer.post("/api/v1/threads", json={"category": "general", "title": "%s %s %s" % (w, w, w), "body": "x"})
    assert r.json()["thread"]["state"] == "pending"
    cluster.sql("ANALYZE threads")
    (common,), = cluster.sql("SELECT search_common(search_query(%s), 'threads')", (w,))
    assert common
    never = {hidden["id"], r.json()["thread"]["id"]}
    for who in (None, newcomer, moderator):
        for kind in ("all", "threads"):
            found = hits(server, who, q=w, type=kind)
            assert len(found) == 20 and found[0] == ("thread", best["id"])
            assert not never & {h[1] for h in found}
