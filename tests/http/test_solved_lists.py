"""Issue 20: ?solved=1 lists. While few threads are solved (no more than the rare bound of
THREADS_TAG_FEW) a solved list is read from the threads with an accepted answer
(THREADS_SOLVED_FEW, server/db/sql/forum.def), otherwise by the scan; either way it must give
exactly the threads and order the scan's filter gives, computed here in SQL, with a tag, in a
category, in both sorts, over pages. A database of its own: the bulk threads would crowd the
shared server's lists."""
import pytest

from conftest import SHARED_ARGS, Client, Server, unique

BULK = 400  # visible threads ~390: the bound is max(30, 3 x sqrt) = 59


class Env:
    def __init__(self, cluster):
        self.cluster = cluster
        self.db = unique("solved")
        self.url = cluster.create_db(self.db)
        self.server = Server(["--database", self.url] + SHARED_ARGS, name="solved")

    def sql(self, q, params=None):
        return self.cluster.sql(q, params, dbname=self.db)

    def solve(self, where):
        """Threads matching where get an opening post and an accepted answer (a reply)."""
        for parent in ("NULL", "(SELECT o.id FROM posts o WHERE o.thread_id = t.id AND o.parent_id IS NULL)"):
            self.sql("INSERT INTO posts (thread_id, parent_id, author_id, body, body_html, render_version)"
                     " SELECT t.id, " + parent + ", %s, 'x', '<p>x</p>', 'test' FROM threads t"
                     " WHERE t.title LIKE 'Bulk %%' AND t.answer_post_id IS NULL AND (" + where + ")",
                     (self.author.user["id"],))
        self.sql("UPDATE threads t SET answer_post_id = (SELECT max(p.id) FROM posts p WHERE p.thread_id = t.id),"
                 " answer_at = now() WHERE t.title LIKE 'Bulk %%' AND t.answer_post_id IS NULL AND (" + where + ")", ())
        self.sql("ANALYZE")


@pytest.fixture(scope="module")
def env(cluster):
    e = Env(cluster)
    e.author = Client(e.server).register()
    e.sql("UPDATE users SET approved_posts = 100 WHERE id = %s", (e.author.user["id"],))
    e.sql("INSERT INTO categories (slug, name) VALUES ('second', 'Second')")
    e.sql("INSERT INTO tags (name) VALUES ('common'), ('other')")
    # spread in time out of the order of their ids and in doer share; some hidden, some in
    # the other category, a few pinned; every thread but each 5th carries 'common'
    e.sql("INSERT INTO threads (category_id, title, author_id, state, pinned, last_post_at, participants, doers)"
          " SELECT CASE WHEN g %% 7 = 0 THEN (SELECT id FROM categories WHERE slug = 'second')"
          "  ELSE (SELECT id FROM categories WHERE slug = 'general') END, 'Bulk ' || g, %s,"
          " CASE WHEN g %% 37 = 0 THEN 'hidden' ELSE 'visible' END, g %% 101 = 0,"
          " now() - ((g * 389) %% 401 / 2) * interval '1 minute', g %% 4 + 1, (g %% 4 + 1) / (g %% 3 + 1)"
          " FROM generate_series(1, %s) g", (e.author.user["id"], BULK))
    e.sql("INSERT INTO thread_tags (thread_id, tag_id) SELECT t.id, g.id FROM threads t, tags g"
          " WHERE t.title LIKE 'Bulk %' AND ((g.name = 'common' AND substr(t.title, 6)::int % 5 <> 0)"
          "  OR (g.name = 'other' AND substr(t.title, 6)::int % 5 = 0))")
    # few solved: 9 threads, one of them hidden, one whose answer is hidden (not solved)
    e.solve("substr(t.title, 6)::int %% 43 = 0 OR t.title = 'Bulk 37'")
    e.sql("UPDATE posts SET state = 'hidden' WHERE id = (SELECT answer_post_id FROM threads WHERE title = 'Bulk 86')")
    yield e
    code = e.server.stop()
    assert code == 0, e.server.output()


ORDERS = {"latest": "t.pinned DESC, t.last_post_at DESC, t.id DESC",
          "doer_share": "t.doer_share, t.last_post_at DESC, t.id DESC"}


def expected(env, tag, sort, category, solved, page):
    q = ("SELECT t.id FROM threads t JOIN categories c ON c.id = t.category_id WHERE t.state = 'visible'"
         " AND (%(tag)s::text IS NULL OR EXISTS (SELECT 1 FROM thread_tags ft JOIN tags g ON g.id = ft.tag_id"
         "  WHERE ft.thread_id = t.id AND g.name = %(tag)s)) AND (%(cat)s::text IS NULL OR c.slug = %(cat)s)"
         " AND EXISTS (SELECT 1 FROM posts ap WHERE ap.id = t.answer_post_id"
         "  AND ap.thread_id = t.id AND ap.state = 'visible') = (%(solved)s::int = 1)"
         " ORDER BY " + ORDERS[sort] + " LIMIT 31 OFFSET %(off)s")
    ids = [r[0] for r in env.sql(q, {"tag": tag, "cat": category, "solved": solved, "off": (page - 1) * 30})]
    return ids[:30], len(ids) > 30


def listed(env, tag, sort, category, solved, page):
    path = ("/api/v1/categories/%s" % category if category else
            "/api/v1/tags/%s" % tag if tag else "/api/v1/threads")
    params = {"sort": sort, "page": page, "solved": solved}
    if tag and category:
        params["tag"] = tag
    r = env.author.get(path, params=params)
    assert r.status_code == 200, r.text
    body = r.json()
    return [t["id"] for t in body["threads"]], body["next_page"] is not None


CASES = [(None, None, 1, 1), ("common", None, 1, 1), (None, "second", 1, 1), ("common", "second", 1, 1),
         ("other", None, 1, 1), (None, None, 0, 2), ("common", "general", 0, 1)]


def check(env, tag, sort, category, solved, page):
    got = listed(env, tag, sort, category, solved, page)
    assert got == expected(env, tag, sort, category, solved, page)
    return got


@pytest.mark.parametrize("sort", ["latest", "doer_share"])
@pytest.mark.parametrize("tag,category,solved,page", CASES)
def test_few_solved_threads_list_as_the_scan_does(env, tag, sort, category, solved, page):
    check(env, tag, sort, category, solved, page)


def test_few_solved_lists_leave_out_the_hidden_thread_and_the_hidden_answer(env):
    ids = check(env, None, "latest", None, 1, 1)[0]
    hidden = dict(env.sql("SELECT title, id FROM threads WHERE title IN ('Bulk 37', 'Bulk 86')"))
    assert 0 < len(ids) < 30 and hidden["Bulk 37"] not in ids and hidden["Bulk 86"] not in ids


@pytest.mark.parametrize("sort", ["latest", "doer_share"])
def test_many_solved_threads_list_as_the_scan_does(env, sort):
    """Past the bound the scan lists them: the same threads, over pages."""
    if env.sql("SELECT count(*) FROM threads WHERE answer_post_id IS NOT NULL")[0][0] < 100:
        env.solve("substr(t.title, 6)::int %% 3 = 0")
    for tag, category, solved, page in CASES + [(None, None, 1, 3), ("common", None, 1, 2)]:
        check(env, tag, sort, category, solved, page)
