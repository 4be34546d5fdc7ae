"""Issue 20: lists filtered by a tag. A tag on few threads (at most 3 x the square root of the
visible threads: THREADS_TAG_FEW, server/db/sql/forum.def) is listed from its threads, a
common one by scanning the list in its order; both must give exactly the threads, order and columns the scan gives, which the tests
compute here in SQL. A database of its own: the bulk threads of the common tag would crowd
the shared server's lists."""
import pytest
import requests

from conftest import SHARED_ARGS, Client, Server, cli, new_thread, reply, unique

BULK = 1005  # threads on the common tag: rare up to ~95 of them


class Env:
    def __init__(self, cluster):
        self.cluster = cluster
        self.db = unique("taglists")
        self.url = cluster.create_db(self.db)
        self.server = Server(["--database", self.url] + SHARED_ARGS, name="taglists")

    def sql(self, q, params=None):
        return self.cluster.sql(q, params, dbname=self.db)

    def user(self, role="member"):
        c = Client(self.server).register()
        self.sql("UPDATE users SET approved_posts = 100 WHERE id = %s", (c.user["id"],))
        if role != "member":
            out = cli("user", "set-role", c.user["username"], role, "--database", self.url)
            assert out.returncode == 0, out.stderr
        return c


@pytest.fixture(scope="module")
def env(cluster):
    e = Env(cluster)
    mod, author = e.user("moderator"), e.user()
    for name in ("rare", "common", "lonely"):
        assert mod.post("/api/v1/tags", json={"name": name}).status_code == 201
    e.sql("INSERT INTO categories (slug, name) VALUES ('second', 'Second')")
    # Threads started over HTTP (with their opening posts), on both tags, one in another
    # category, one solved, one hidden, one pinned.
    made = []
    for i in range(6):
        r = author.post("/api/v1/threads", json={"category": "second" if i == 1 else "general",
                                                 "title": unique("Tagged "), "body": "Opening post",
                                                 "tags": ["rare", "common"]})
        assert r.status_code == 201, r.text
        made.append(r.json()["thread"])
    answer = reply(author, made[2]["id"], "The answer")
    e.sql("UPDATE threads SET answer_post_id = %s, answer_at = now() WHERE id = %s", (answer["id"], made[2]["id"]))
    e.sql("UPDATE threads SET state = 'hidden' WHERE id = %s", (made[3]["id"],))
    e.sql("UPDATE threads SET pinned = true WHERE id = %s", (made[4]["id"],))
    new_thread(author)  # untagged
    # The bulk: threads carrying the common tag, every 20th the rare one too (50 of them, so
    # the rare list has a second page), some in the other category, some hidden, spread in
    # time out of the order of their ids, and in doer share (ties in doer_share and in
    # last_post_at, two threads a minute, are broken by id).
    e.sql("INSERT INTO threads (category_id, title, author_id, state, last_post_at, participants, doers)"
          " SELECT CASE WHEN g %% 7 = 0 THEN (SELECT id FROM categories WHERE slug = 'second')"
          "  ELSE (SELECT id FROM categories WHERE slug = 'general') END, 'Bulk ' || g, %s,"
          " CASE WHEN g %% 97 = 0 THEN 'hidden' ELSE 'visible' END,"
          " now() - ((g * 389) %% 1009 / 2) * interval '1 minute', g %% 4 + 1, (g %% 4 + 1) / (g %% 3 + 1)"
          " FROM generate_series(1, %s) g", (author.user["id"], BULK))
    e.sql("INSERT INTO thread_tags (thread_id, tag_id) SELECT t.id, g.id FROM threads t, tags g"
          " WHERE t.title LIKE 'Bulk %' AND (g.name = 'common'"
          "  OR (g.name = 'rare' AND substr(t.title, 6)::int % 20 = 0))")
    e.sql("ANALYZE")
    e.made, e.author, e.mod = made, author, mod
    yield e
    code = e.server.stop()
    assert code == 0, e.server.output()


ORDERS = {"latest": "t.pinned DESC, t.last_post_at DESC, t.id DESC",
          "doer_share": "t.doer_share, t.last_post_at DESC, t.id DESC"}


def expected(env, tag, sort="latest", category=None, solved=None, page=1):
    """The list as the scan computes it: visible threads carrying the tag, in the list's order."""
    q = ("SELECT t.id FROM threads t JOIN categories c ON c.id = t.category_id WHERE t.state = 'visible'"
         " AND EXISTS (SELECT 1 FROM thread_tags ft JOIN tags g ON g.id = ft.tag_id"
         "  WHERE ft.thread_id = t.id AND g.name = %(tag)s) AND (%(cat)s::text IS NULL OR c.slug = %(cat)s)"
         " AND (%(solved)s::int IS NULL OR EXISTS (SELECT 1 FROM posts ap WHERE ap.id = t.answer_post_id"
         "  AND ap.thread_id = t.id AND ap.state = 'visible') = (%(solved)s::int = 1))"
         " ORDER BY " + ORDERS[sort] + " LIMIT 31 OFFSET %(off)s")
    ids = [r[0] for r in env.sql(q, {"tag": tag, "cat": category, "solved": solved, "off": (page - 1) * 30})]
    return ids[:30], len(ids) > 30


def listed(client, tag, sort="latest", category=None, solved=None, page=1):
    path = "/api/v1/categories/%s" % category if category else "/api/v1/threads"
    q = "?tag=%s&sort=%s&page=%d" % (tag, sort, page) + ("" if solved is None else "&solved=%d" % solved)
    r = client.get(path + q)
    assert r.status_code == 200, r.text
    body = r.json()
    return [t["id"] for t in body["threads"]], body["next_page"] is not None, body["threads"]


def test_the_tags_are_rare_and_common_as_the_tests_need(env):
    counts = dict(env.sql("SELECT g.name, count(*) FROM tags g JOIN thread_tags ft ON ft.tag_id = g.id GROUP BY 1"))
    visible = env.sql("SELECT count(*) FROM threads WHERE state = 'visible'")[0][0]
    rare_max = max(30, round(3 * visible ** 0.5))
    assert 30 < counts["rare"] <= rare_max < counts["common"], (counts, rare_max)


@pytest.mark.parametrize("tag", ["rare", "common", "lonely"])
@pytest.mark.parametrize("sort", ["latest", "doer_share"])
@pytest.mark.parametrize("category,solved,page", [(None, None, 1), (None, None, 2), ("second", None, 1),
                                                  (None, 1, 1), (None, 0, 2), ("general", 0, 2)])
def test_rare_and_common_tag_lists_match_the_scan(env, tag, sort, category, solved, page):
    ids, more, _ = listed(env.author, tag, sort, category, solved, page)
    assert (ids, more) == expected(env, tag, sort, category, solved, page)


def test_pinned_solved_and_hidden_threads_in_the_rare_list(env):
    made = env.made
    ids, more, rows = listed(env.author, "rare")
    assert ids[0] == made[4]["id"] and rows[0]["pinned"] is True and more
    assert made[3]["id"] not in ids  # hidden
    everything = ids + listed(env.author, "rare", page=2)[0]
    assert made[3]["id"] not in everything and len(everything) == len(set(everything))
    assert listed(env.author, "rare", solved=1)[0] == [made[2]["id"]]
    assert [t for t in rows if t["id"] == made[2]["id"]][0]["solved"] is True
    # The HTML tag page lists the same threads.
    page = requests.get(env.server.url("/tags/rare")).text
    assert made[0]["title"] in page and made[3]["title"] not in page


def test_a_thread_reads_the_same_in_the_rare_and_the_common_list(env):
    """Same columns, unread state included, whichever way the list was made."""
    reader = env.user()
    first = env.made[0]["id"]
    assert reader.get("/api/v1/threads/%d?mark_read=1" % first).status_code == 200
    reply(env.author, first, "Something new")

    def row(tag):
        rows = listed(reader, tag)[2]
        return [t for t in rows if t["id"] == first][0]

    rare, common = row("rare"), row("common")
    assert rare == common
    assert rare["unread_posts"] == 1 and rare["tags"] == [{"name": "common"}, {"name": "rare"}]
