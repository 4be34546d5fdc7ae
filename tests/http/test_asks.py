"""Issue 21: "ask the doers". A thread's author or a moderator asks its question of the
practitioners; practitioners who opted in are notified (once per thread, at most
--ask-weekly-cap a week each); /asks lists the open asks, those no practitioner has answered
yet first; the ask is closed (and reopened, telling nobody again) by the same people."""
import pytest

from conftest import Server, SHARED_ARGS, assert_error, make_user, new_thread, reply, unique


def opt_in(client, on=True):
    r = client.put("/api/v1/me/asks", json={"notify": on})
    assert r.status_code == 200, r.text
    assert r.json()["asks"]["notify"] is on
    return r


def asks_of(cluster, client, thread_ids):
    return cluster.sql("SELECT thread_id, message FROM notifications WHERE user_id = %s AND kind = 'ask' "
                       "AND thread_id = ANY(%s) ORDER BY id", (client.user["id"], list(thread_ids)))


def ask(client, thread_id, **kw):
    return client.post("/api/v1/threads/%d/ask" % thread_id, **kw)


def thread_json(client, thread_id):
    r = client.get("/api/v1/threads/%d" % thread_id)
    assert r.status_code == 200, r.text
    return r.json()["thread"]


def test_the_author_asks_and_opted_in_practitioners_are_told_once(server, cluster):
    author = make_user(server, cluster)
    doers = [make_user(server, cluster) for _ in range(2)]
    quiet = make_user(server, cluster)                      # a practitioner who did not opt in
    for d in doers:
        opt_in(d)
    opt_in(author)                                         # never told of one's own ask
    t = new_thread(author, title=unique("How do you run a CAB "))
    assert thread_json(author, t["id"])["ask"] is None and thread_json(author, t["id"])["can_ask"] is True

    r = ask(author, t["id"])
    assert r.status_code == 200, r.text
    assert r.json()["notified"] >= 2 and r.json()["changed"] is True
    for d in doers:
        got = asks_of(cluster, d, [t["id"]])
        assert len(got) == 1 and "asks practitioners" in got[0][1] and t["title"] in got[0][1]
        n = d.get("/api/v1/notifications").json()["notifications"]
        mine = [x for x in n if x["thread_id"] == t["id"]]
        assert mine and mine[0]["kind"] == "ask" and mine[0]["url"] == "/t/%d" % t["id"]
    assert asks_of(cluster, quiet, [t["id"]]) == [] and asks_of(cluster, author, [t["id"]]) == []

    # the thread shows the ask, to everyone, and offers the author to close it
    got = thread_json(author, t["id"])
    assert got["ask"]["open"] is True and got["ask"]["asked_by"] == author.user["username"]
    assert got["can_close_ask"] is True and got["can_ask"] is False
    assert thread_json(doers[0], t["id"])["can_close_ask"] is False
    page = server_get(server, "/t/%d" % t["id"])
    assert "asks practitioners" in page and 'href="/asks"' in page

    # asking again changes nothing; closing then reopening tells nobody a second time
    again = ask(author, t["id"]).json()
    assert again["changed"] is False and again["notified"] == 0
    r = author.delete("/api/v1/threads/%d/ask" % t["id"])
    assert r.status_code == 200 and r.json()["thread"]["ask_open"] is False
    assert thread_json(author, t["id"])["ask"] is None
    reopened = ask(author, t["id"]).json()
    assert reopened["changed"] is True and reopened["notified"] == 0
    assert len(asks_of(cluster, doers[0], [t["id"]])) == 1


def server_get(server, path):
    import requests
    r = requests.get(server.url(path))
    assert r.status_code == 200, r.text
    return r.text


def test_a_practitioner_is_told_at_most_the_weekly_cap(server, cluster):
    # the shared server keeps the default cap, 3 a week
    doer = make_user(server, cluster)
    opt_in(doer)
    author = make_user(server, cluster, community_role="consultant")
    threads = [new_thread(author) for _ in range(4)]
    for t in threads:
        assert ask(author, t["id"]).status_code == 200
    told = asks_of(cluster, doer, [t["id"] for t in threads])
    assert [row[0] for row in told] == [t["id"] for t in threads[:3]]


def test_only_the_author_or_a_moderator_asks_and_a_moderators_ask_is_logged(server, cluster, moderator):
    author = make_user(server, cluster)
    other = make_user(server, cluster)
    t = new_thread(author)
    assert_error(ask(other, t["id"]), 403, "forbidden")
    assert thread_json(other, t["id"])["can_ask"] is False
    r = ask(moderator, t["id"])
    assert r.status_code == 200, r.text
    logged = cluster.sql("SELECT action, actor_id FROM mod_log WHERE target_type = 'thread' AND target_id = %s",
                         (str(t["id"]),))
    assert ("ask_doers", moderator.user["id"]) in [tuple(x) for x in logged]
    assert_error(other.delete("/api/v1/threads/%d/ask" % t["id"]), 403, "forbidden")
    # the author's own ask is not moderation: nothing logged
    t2 = new_thread(author)
    assert ask(author, t2["id"]).status_code == 200
    assert cluster.sql("SELECT count(*) FROM mod_log WHERE target_type = 'thread' AND target_id = %s",
                       (str(t2["id"]),))[0][0] == 0


def test_suspended_locked_hidden_and_unknown_threads(server, cluster, moderator):
    author = make_user(server, cluster)
    t = new_thread(author)
    cluster.sql("UPDATE users SET suspended_until = now() + interval '1 day', suspension_reason = 'x' "
                "WHERE id = %s", (author.user["id"],))
    assert ask(author, t["id"]).status_code == 403
    cluster.sql("UPDATE users SET suspended_until = NULL, suspension_reason = NULL WHERE id = %s",
                (author.user["id"],))
    locked = new_thread(author)
    assert moderator.post("/api/v1/threads/%d/lock" % locked["id"]).status_code == 200
    assert_error(ask(author, locked["id"]), 409, "conflict")
    hidden = new_thread(author)
    cluster.sql("UPDATE threads SET state = 'hidden' WHERE id = %s", (hidden["id"],))
    assert_error(ask(make_user(server, cluster), hidden["id"]), 404, "not_found")
    assert_error(ask(moderator, hidden["id"]), 409, "conflict")
    assert_error(ask(author, 999999999), 404, "not_found")
    r = author.post("/api/v1/threads/%d/ask" % t["id"], headers={"X-CSRF-Token": "wrong"}, csrf=False)
    assert r.status_code == 403


def test_asks_list_puts_unanswered_first_and_leaves_closed_out(server, cluster):
    author = make_user(server, cluster, community_role="vendor")
    helper = make_user(server, cluster, community_role="analyst")
    doer = make_user(server, cluster)
    older, newer, closed = (new_thread(author, title=unique("Ask %s " % n)) for n in ("older", "newer", "closed"))
    for t in (older, newer, closed):
        assert ask(author, t["id"]).status_code == 200
    assert author.delete("/api/v1/threads/%d/ask" % closed["id"]).status_code == 200
    reply(helper, older["id"], "A helper's view does not answer an ask of practitioners")
    reply(doer, newer["id"], "We run it weekly")

    import requests
    got = requests.get(server.url("/api/v1/asks")).json()
    ids = [a["id"] for a in got["asks"]]
    assert older["id"] in ids and newer["id"] in ids and closed["id"] not in ids
    assert ids.index(older["id"]) < ids.index(newer["id"])   # unanswered first, though older
    by_id = {a["id"]: a for a in got["asks"]}
    assert by_id[older["id"]]["unanswered"] is True and by_id[older["id"]]["practitioner_replies"] == 0
    assert by_id[newer["id"]]["practitioner_replies"] == 1 and by_id[newer["id"]]["unanswered"] is False
    assert by_id[older["id"]]["asked_by"]["username"] == author.user["username"]
    # the anonymous page (cached) shows a new ask at once
    before = server_get(server, "/asks")
    assert older["title"] in before and "No practitioner answer yet" in before
    fresh = new_thread(author, title=unique("Fresh ask "))
    assert fresh["title"] not in server_get(server, "/asks")
    assert ask(author, fresh["id"]).status_code == 200
    assert fresh["title"] in server_get(server, "/asks")
    assert_error(requests.get(server.url("/api/v1/asks?page=0")), 400, "invalid_input", "page")


def test_opting_in_is_for_practitioners_and_checks_its_input(server, cluster):
    doer = make_user(server, cluster)
    helper = make_user(server, cluster, community_role="trainer")
    assert doer.get("/api/v1/me/asks").json()["asks"] == {"notify": False, "doer": True, "weekly_cap": 3}
    assert_error(helper.put("/api/v1/me/asks", json={"notify": True}), 409, "conflict", "notify")
    assert helper.put("/api/v1/me/asks", json={"notify": False}).status_code == 200
    assert_error(doer.put("/api/v1/me/asks", json={"notify": "yes"}), 400, "invalid_input", "notify")
    assert_error(doer.put("/api/v1/me/asks", json={}), 400, "invalid_input", "notify")
    assert_error(doer.put("/api/v1/me/asks", data=b"\xff\xfe", headers={"Content-Type": "application/json"}),
                 400, "invalid_input")
    # the settings form: a checked box opts in, an unchecked one (absent) opts out
    page = doer.get("/settings").text
    assert 'id="asks-h"' in page and 'name="notify"' in page
    r = doer.s.post(server.url("/settings/asks"), data={"csrf": doer.csrf, "notify": "1"}, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/settings#asks"
    assert doer.get("/api/v1/me/asks").json()["asks"]["notify"] is True
    doer.s.post(server.url("/settings/asks"), data={"csrf": doer.csrf}, allow_redirects=False)
    assert doer.get("/api/v1/me/asks").json()["asks"]["notify"] is False
    assert 'name="notify"' not in helper.get("/settings").text


def test_a_deleted_or_suspended_practitioner_is_not_told(server, cluster):
    gone, away = make_user(server, cluster), make_user(server, cluster)
    opt_in(gone)
    opt_in(away)
    cluster.sql("UPDATE users SET suspended_until = now() + interval '1 day', suspension_reason = 'x' "
                "WHERE id = %s", (away.user["id"],))
    r = gone.delete("/api/v1/me", json={"password": gone.password})
    assert r.status_code in (200, 204), r.text
    assert cluster.sql("SELECT count(*) FROM ask_optins WHERE user_id = %s", (gone.user["id"],))[0][0] == 0
    author = make_user(server, cluster)
    t = new_thread(author)
    assert ask(author, t["id"]).status_code == 200
    assert asks_of(cluster, gone, [t["id"]]) == [] and asks_of(cluster, away, [t["id"]]) == []


@pytest.fixture(scope="module")
def capped(cluster):
    s = Server(["--database", cluster.url, "--ask-weekly-cap", "0"] + SHARED_ARGS, name="asks-cap0")
    yield s
    assert s.stop() == 0, s.output()


def test_the_cap_is_an_option(capped, cluster):
    doer = make_user(capped, cluster)
    opt_in(doer)
    author = make_user(capped, cluster)
    t = new_thread(author)
    r = ask(author, t["id"])
    assert r.status_code == 200 and r.json()["notified"] == 0
    assert asks_of(cluster, doer, [t["id"]]) == []
