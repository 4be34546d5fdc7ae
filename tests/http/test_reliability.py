"""Issue 9: idempotent writes, maintenance, and faults handled without losing anything."""
import threading
import time
import uuid

import requests

from conftest import Client, Server, assert_error, make_user, new_thread, unique


def post_thread(client, key, title="Idempotent thread", body="once"):
    return client.post("/api/v1/threads", json={"category": "general", "title": title, "body": body},
                       headers={"Idempotency-Key": key})


def test_a_retried_request_creates_one_thread_and_replays_the_answer(server, cluster, member):
    key = str(uuid.uuid4())
    title = unique("Idem ")
    first = post_thread(member, key, title)
    second = post_thread(member, key, title)
    assert first.status_code == second.status_code == 201
    assert second.json()["thread"]["id"] == first.json()["thread"]["id"]
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert cluster.sql("SELECT count(*) FROM threads WHERE title = %s", (title,))[0][0] == 1


def test_forty_parallel_retries_create_exactly_one_post(server, cluster, member):
    t = new_thread(member)
    key = str(uuid.uuid4())
    results = []
    barrier = threading.Barrier(40)

    def go():
        barrier.wait()
        results.append(member.post("/api/v1/threads/%d/posts" % t["id"], json={"body": "only once"},
                                   headers={"Idempotency-Key": key}))

    ths = [threading.Thread(target=go) for _ in range(40)]
    for th in ths:
        th.start()
    for th in ths:
        th.join()
    assert cluster.sql("SELECT count(*) FROM posts WHERE thread_id = %s AND body = 'only once'", (t["id"],))[0][0] == 1
    ids = {r.json()["post"]["id"] for r in results if r.status_code == 201}
    assert len(ids) == 1
    assert all(r.status_code in (201, 409) for r in results), [r.status_code for r in results]


def test_a_failed_request_releases_its_key(server, member):
    key = str(uuid.uuid4())
    bad = member.post("/api/v1/threads", json={"category": "general", "title": "Fine title", "body": ""},
                      headers={"Idempotency-Key": key})
    assert_error(bad, 400, "invalid_input", "body")
    good = post_thread(member, key)
    assert good.status_code == 201 and "Idempotent-Replayed" not in good.headers


def test_a_key_belongs_to_one_request(server, member):
    key = str(uuid.uuid4())
    t = post_thread(member, key).json()["thread"]
    other = member.post("/api/v1/threads/%d/posts" % t["id"], json={"body": "x"}, headers={"Idempotency-Key": key})
    assert_error(other, 409, "conflict", "Idempotency-Key")
    assert_error(post_thread(member, "x" * 256), 400, "invalid_input", "Idempotency-Key")
    assert_error(post_thread(member, "tab\there"), 400, "invalid_input", "Idempotency-Key")


def test_keys_are_per_member(server, cluster, member):
    other = make_user(server, cluster)
    key = str(uuid.uuid4())
    a = post_thread(member, key, title="Per member A")
    b = post_thread(other, key, title="Per member B")
    assert a.status_code == b.status_code == 201
    assert a.json()["thread"]["id"] != b.json()["thread"]["id"]


def test_a_form_submitted_twice_posts_once(server, cluster, member):
    t = new_thread(member)
    page = member.get("/t/%d" % t["id"]).text
    nonce = page.split('name="idem" value="')[1].split('"')[0]
    form = {"csrf": member.csrf, "idem": nonce, "body": "double click", "parent_id": str(t["first_post_id"])}
    r1 = member.s.post(server.url("/t/%d/reply" % t["id"]), data=form, allow_redirects=False)
    r2 = member.s.post(server.url("/t/%d/reply" % t["id"]), data=form, allow_redirects=False)
    assert r1.status_code == r2.status_code == 303 and r1.headers["Location"] == r2.headers["Location"]
    assert cluster.sql("SELECT count(*) FROM posts WHERE thread_id = %s AND body = 'double click'", (t["id"],))[0][0] == 1
    # the next page has a fresh nonce
    assert nonce not in member.get("/t/%d" % t["id"]).text


def test_maintenance_forgets_expired_sessions_and_keys(cluster):
    url = cluster.create_db(unique("maint"))
    s = Server(["--database", url, "--quiet"], name="maint")
    dbname = url.split("///")[1].split("?")[0]
    try:
        c = Client(s).register()
        cluster.sql("UPDATE sessions SET expires_at = now() - interval '1 minute'", dbname=dbname)
        cluster.sql("INSERT INTO idempotency_keys (user_id, key, method, path, request, created_at) "
                    "VALUES (%s, 'old', 'POST', '/x', 'h', now() - interval '2 days')", (c.user["id"],), dbname=dbname)
        cluster.sql("INSERT INTO rate_limits VALUES ('old:key', now() - interval '2 days', 3)", dbname=dbname)
    finally:
        s.stop()
    s2 = Server(["--database", url, "--quiet"], name="maint2")  # maintenance runs at start
    try:
        import time
        deadline = time.time() + 10
        while time.time() < deadline and cluster.sql("SELECT count(*) FROM sessions", dbname=dbname)[0][0]:
            time.sleep(0.2)
        assert cluster.sql("SELECT count(*) FROM sessions", dbname=dbname)[0][0] == 0
        assert cluster.sql("SELECT count(*) FROM idempotency_keys", dbname=dbname)[0][0] == 0
        assert cluster.sql("SELECT count(*) FROM rate_limits WHERE key = 'old:key'", dbname=dbname)[0][0] == 0
    finally:
        s2.stop()


def test_a_write_that_deadlocks_is_rolled_back_and_run_again(server, cluster, admin):
    """Every write runs in db_transaction, which runs it again after a deadlock (40P01)
    instead of answering 409. This test's own connection closes the cycle: it holds mod_log
    in SHARE mode, so the PATCH's log entry waits while its UPDATE holds categories; then it
    asks for categories in SHARE mode too. PostgreSQL aborts the PATCH, whose lock is then
    granted to this connection (table locks go in queue order, so the retry cannot overtake
    it); the runner's second run waits for this connection's commit and succeeds."""
    import psycopg2

    slug = unique("dl")[:12].lower()
    r = admin.post("/api/v1/categories", json={"slug": slug, "name": "Deadlock"})
    assert r.status_code == 201, r.text
    conn = psycopg2.connect(cluster.url)
    result = {}
    try:
        cur = conn.cursor()
        # PostgreSQL checks for a deadlock once, deadlock_timeout (1 s) after a wait begins.
        # This side must never be the one to find it, and must close the cycle well within
        # the PATCH's second: it watches pg_locks on its own connection, every 10 ms.
        cur.execute("SET deadlock_timeout = '60s'")
        cur.execute("LOCK TABLE mod_log IN SHARE MODE")
        t = threading.Thread(target=lambda: result.update(
            r=admin.patch("/api/v1/categories/" + slug, json={"description": "after the deadlock"})))
        t.start()
        for _ in range(3000):  # until the PATCH waits for mod_log
            cur.execute("SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'mod_log'::regclass")
            if cur.fetchone()[0]:
                break
            time.sleep(0.01)
        else:
            raise AssertionError("the PATCH never waited for mod_log")
        cur.execute("LOCK TABLE categories IN SHARE MODE")
        conn.commit()
        t.join(60)
    finally:
        conn.close()
    assert result["r"].status_code == 200, result["r"].text
    assert result["r"].json()["category"]["description"] == "after the deadlock"
    assert cluster.sql("SELECT count(*) FROM mod_log WHERE action = 'update_category' AND target_id = %s",
                       (slug,))[0][0] == 1
