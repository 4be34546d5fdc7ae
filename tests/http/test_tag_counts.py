"""Issue 20: each tag's count of visible threads is kept on tags.visible_threads by the
triggers of schema/0041 instead of being counted on every request. After every way the
count can change (tags added and removed, threads held, approved, rejected, merged, moved,
split, hidden, deleted and restored, tags renamed and deleted, SQL by hand), /tags (JSON and
page) and /api/v1/tags/{name} must show exactly what counting the database shows. A database
of its own, so the recount covers every tag and nothing else moves them."""
import re
import threading
import time

import pytest

from conftest import SHARED_ARGS, Client, Server, cli, reply, unique

RECOUNT = ("SELECT g.name, (SELECT count(*) FROM thread_tags tt JOIN threads t ON t.id = tt.thread_id"
           " WHERE tt.tag_id = g.id AND t.state = 'visible')::int FROM tags g ORDER BY g.name")


class Env:
    def __init__(self, cluster):
        self.cluster = cluster
        self.db = unique("tagcounts")
        self.url = cluster.create_db(self.db)
        self.server = Server(["--database", self.url] + SHARED_ARGS, name="tagcounts")

    def sql(self, q, params=None):
        return self.cluster.sql(q, params, dbname=self.db)

    def user(self, role="member", trusted=True):
        c = Client(self.server).register()
        if trusted:
            self.sql("UPDATE users SET approved_posts = 100 WHERE id = %s", (c.user["id"],))
        if role != "member":
            out = cli("user", "set-role", c.user["username"], role, "--database", self.url)
            assert out.returncode == 0, out.stderr
        return c

    def tag(self):
        name = unique("c")[:10]
        assert self.mod.post("/api/v1/tags", json={"name": name}).status_code == 201
        return name

    def start(self, client, tags, **kw):
        r = client.post("/api/v1/threads", json={"category": "general", "title": unique("Counted "),
                                                 "body": "Opening post", "tags": tags, **kw})
        assert r.status_code == 201, r.text
        return r.json()

    def counts(self):
        """The counts as the database recounts them, checked against all that shows them;
        read signed in, past the page cache."""
        want = dict(self.sql(RECOUNT))
        r = self.mod.get("/api/v1/tags")
        assert r.status_code == 200, r.text
        assert {t["name"]: t["thread_count"] for t in r.json()["tags"]} == want
        page = self.mod.get("/tags").text
        shown = re.findall(r'href="/tags/([a-z0-9-]+)">[a-z0-9-]+</a> <span class="count">(\d+) threads', page)
        assert {n: int(c) for n, c in shown} == want
        for name, n in want.items():
            r = self.mod.get("/api/v1/tags/%s" % name)
            assert r.status_code == 200 and r.json()["tag"]["thread_count"] == n, (name, n, r.text[:300])
        assert dict(self.sql("SELECT name, visible_threads FROM tags")) == want
        return want


@pytest.fixture(scope="module")
def env(cluster):
    e = Env(cluster)
    e.mod, e.author = e.user("moderator"), e.user()
    yield e
    code = e.server.stop()
    assert code == 0, e.server.output()


def decide(env, post_id, action, **extra):
    items = env.mod.get("/api/v1/mod/queue", params={"kind": "pending"}).json()["items"]
    item = [i for i in items if i.get("post") and i["post"]["id"] == post_id]
    assert len(item) == 1, items
    r = env.mod.post("/api/v1/mod/queue/%d/decision" % item[0]["id"], json={"action": action, **extra})
    assert r.status_code == 200, r.text


def test_tags_chosen_at_the_start_and_changed_later_are_counted(env):
    a, b, c = env.tag(), env.tag(), env.tag()
    assert env.counts()[a] == 0
    t1 = env.start(env.author, [a, b])["thread"]
    env.start(env.author, [a])
    assert [env.counts()[x] for x in (a, b, c)] == [2, 1, 0]
    r = env.author.put("/api/v1/threads/%d/tags" % t1["id"], json={"tags": [b, c]})
    assert r.status_code == 200, r.text
    assert [env.counts()[x] for x in (a, b, c)] == [1, 1, 1]
    r = env.mod.put("/api/v1/threads/%d/tags" % t1["id"], json={"tags": []})
    assert r.status_code == 200, r.text
    assert [env.counts()[x] for x in (a, b, c)] == [1, 0, 0]


def test_held_threads_count_once_approved_and_never_when_rejected(env):
    a = env.tag()
    yes, no = env.user(trusted=False), env.user(trusted=False)
    ty, tn = env.start(yes, [a]), env.start(no, [a])
    assert env.counts()[a] == 0
    decide(env, ty["post"]["id"], "approve")
    assert env.counts()[a] == 1
    decide(env, tn["post"]["id"], "reject", reason="advertising")
    assert env.counts()[a] == 1
    # a held thread retagged by a moderator still counts only when it shows
    held = env.start(env.user(trusted=False), [])
    r = env.mod.put("/api/v1/threads/%d/tags" % held["thread"]["id"], json={"tags": [a]})
    assert r.status_code == 200, r.text
    assert env.counts()[a] == 1
    decide(env, held["post"]["id"], "approve")
    assert env.counts()[a] == 2


def test_merged_threads_drop_out_moved_and_split_ones_stay(env):
    a, b = env.tag(), env.tag()
    src, dst = env.start(env.author, [a, b])["thread"], env.start(env.author, [a])["thread"]
    assert [env.counts()[x] for x in (a, b)] == [2, 1]
    env.sql("INSERT INTO categories (slug, name) VALUES (%s, 'Elsewhere')", (unique("s")[:10],))
    slug = env.sql("SELECT slug FROM categories ORDER BY id DESC LIMIT 1")[0][0]
    r = env.mod.post("/api/v1/threads/%d/move" % dst["id"], json={"category": slug})
    assert r.status_code == 200, r.text
    assert [env.counts()[x] for x in (a, b)] == [2, 1]
    r = env.mod.post("/api/v1/threads/%d/merge" % src["id"], json={"into": dst["id"], "reason": "duplicate"})
    assert r.status_code == 200, r.text
    assert [env.counts()[x] for x in (a, b)] == [1, 0]
    p = reply(env.author, dst["id"], "A side topic")
    r = env.mod.post("/api/v1/threads/%d/split" % dst["id"], json={"post_id": p["id"], "title": unique("Split ")})
    assert r.status_code in (200, 201), r.text
    new_id = r.json()["thread"]["id"]
    r = env.mod.put("/api/v1/threads/%d/tags" % new_id, json={"tags": [a, b]})
    assert r.status_code == 200, r.text
    assert [env.counts()[x] for x in (a, b)] == [2, 1]


def test_threads_hidden_deleted_and_restored_by_hand_are_counted(env):
    a, b = env.tag(), env.tag()
    t = env.start(env.author, [a, b])["thread"]
    for state, n in (("hidden", 0), ("deleted", 0), ("pending", 0), ("visible", 1), ("visible", 1)):
        env.sql("UPDATE threads SET state = %s WHERE id = %s", (state, t["id"]))
        assert [env.counts()[x] for x in (a, b)] == [n, n], state
    # a thread_tags row moved to another tag by hand, and one of a hidden thread
    c = env.tag()
    env.sql("UPDATE thread_tags SET tag_id = (SELECT id FROM tags WHERE name = %s)"
            " WHERE thread_id = %s AND tag_id = (SELECT id FROM tags WHERE name = %s)", (c, t["id"], a))
    assert [env.counts()[x] for x in (a, b, c)] == [0, 1, 1]
    hidden = env.start(env.author, [a])["thread"]
    env.sql("UPDATE threads SET state = 'hidden' WHERE id = %s", (hidden["id"],))
    env.sql("UPDATE thread_tags SET tag_id = (SELECT id FROM tags WHERE name = %s) WHERE thread_id = %s",
            (b, hidden["id"]))
    assert [env.counts()[x] for x in (a, b, c)] == [0, 1, 1]


def test_deleted_threads_and_tags_take_their_counts_with_them(env):
    a, b = env.tag(), env.tag()
    keep = env.start(env.author, [a, b])["thread"]
    # threads without posts, deleted by hand (Corral never deletes a thread): the cascade
    # to thread_tags must not count the visible one twice nor the hidden one at all
    ids = [r[0] for r in env.sql(
        "INSERT INTO threads (category_id, title, author_id, state)"
        " SELECT (SELECT id FROM categories WHERE slug = 'general'), 'By hand', %s, s"
        " FROM unnest(ARRAY['visible', 'hidden', 'visible']) s RETURNING id", (env.author.user["id"],))]
    env.sql("INSERT INTO thread_tags (thread_id, tag_id) SELECT t, g.id FROM unnest(%s::bigint[]) t, tags g"
            " WHERE g.name IN (%s, %s)", (ids, a, b))
    assert [env.counts()[x] for x in (a, b)] == [3, 3]
    env.sql("DELETE FROM threads WHERE id = ANY(%s)", (ids[:2],))
    assert [env.counts()[x] for x in (a, b)] == [2, 2]
    r = env.mod.patch("/api/v1/tags/%s" % a, json={"name": a + "-r"})
    assert r.status_code == 200 and r.json()["tag"]["thread_count"] == 2, r.text
    r = env.mod.delete("/api/v1/tags/%s" % (a + "-r"))
    assert r.status_code == 200, r.text
    after = env.counts()
    assert a + "-r" not in after and after[b] == 2
    r = env.mod.put("/api/v1/threads/%d/tags" % keep["id"], json={"tags": []})
    assert r.status_code == 200 and env.counts()[b] == 1


def waiting(env):
    return env.sql("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
                   (env.db,))[0][0]


@pytest.mark.parametrize("first,second", [
    # a tag added, the thread hidden meanwhile
    ("INSERT INTO thread_tags (thread_id, tag_id) VALUES (%(t)s, %(b)s)", "UPDATE threads SET state = 'hidden' WHERE id = %(t)s"),
    # the thread hidden, a tag removed meanwhile
    ("UPDATE threads SET state = 'hidden' WHERE id = %(t)s", "DELETE FROM thread_tags WHERE thread_id = %(t)s"),
    # the thread hidden, a tag added meanwhile
    ("UPDATE threads SET state = 'hidden' WHERE id = %(t)s", "INSERT INTO thread_tags (thread_id, tag_id) VALUES (%(t)s, %(b)s)"),
    # a tag removed, the thread hidden meanwhile
    ("DELETE FROM thread_tags WHERE thread_id = %(t)s", "UPDATE threads SET state = 'hidden' WHERE id = %(t)s"),
])
def test_a_retagging_and_a_hiding_at_once_count_the_thread_once(env, first, second):
    """Two transactions on one thread: the second waits for the first (the thread's row
    lock), and the kept count ends as the recount, neither counted twice nor missed."""
    import psycopg2
    a, b = env.tag(), env.tag()
    t = env.start(env.author, [a])["thread"]["id"]
    ids = dict(env.sql("SELECT name, id FROM tags WHERE name IN (%s, %s)", (a, b)))
    args = {"t": t, "a": ids[a], "b": ids[b]}
    c1, c2 = psycopg2.connect(env.url), psycopg2.connect(env.url)
    try:
        c1.cursor().execute(first, args)
        before = waiting(env)
        errors = []

        def run():
            try:
                c2.cursor().execute(second, args)
                c2.commit()
            except Exception as e:  # reported below
                errors.append(e)
        w = threading.Thread(target=run)
        w.start()
        for _ in range(200):
            if waiting(env) > before:
                break
            time.sleep(0.01)
        c1.commit()
        w.join(30)
        assert errors == []
    finally:
        c1.close()
        c2.close()
    env.counts()
