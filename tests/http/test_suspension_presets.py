"""Issue 16, item 4: the flag queue's "hide and suspend" offers the same duration presets
as a member's profile (one partial for both forms), permanent meaning until lifted."""
from conftest import assert_error, make_user, new_thread, reply


def form_post(client, path, **data):
    data.setdefault("csrf", client.csrf)
    return client.s.post(client.server.url(path), data=data, allow_redirects=False)


def flagged(server, cluster, moderator):
    author = make_user(server, cluster)
    flagger = make_user(server, cluster)
    t = new_thread(author)
    p = reply(author, t["id"], "rude words")
    assert flagger.post("/api/v1/posts/%d/flags" % p["id"], json={"reason": "abusive"}).status_code == 201
    items = moderator.get("/api/v1/mod/queue?kind=flags").json()["items"]
    return author, [i for i in items if (i.get("post") or {}).get("id") == p["id"]][0]


def test_flag_queue_offers_the_profile_presets(server, cluster, moderator):
    flagged(server, cluster, moderator)
    text = moderator.get("/mod?kind=flags").text
    for value, label in (("day", "1 day"), ("week", "1 week"), ("month", "1 month"), ("permanent", "Until lifted")):
        assert 'name="duration" value="%s"' % value in text and label in text
    assert 'name="until"' not in text


def test_flag_queue_suspends_until_lifted(server, cluster, moderator):
    author, item = flagged(server, cluster, moderator)
    r = form_post(moderator, "/mod/queue/%d/decision?kind=flags" % item["id"], action="suspend",
                  reason="for good", duration="permanent")
    assert r.status_code == 303, r.text
    u = moderator.get("/api/v1/users/%s" % author.user["username"]).json()["user"]
    assert u["suspended"] is True and u["suspended_until"] is None
    assert cluster.sql("SELECT suspended_until = 'infinity' FROM users WHERE id = %s", (author.user["id"],))[0][0]
    entry = [e for e in moderator.get("/api/v1/mod/log?action=suspend").json()["entries"]
             if e["target_type"] == "user" and e["target_id"] == str(author.user["id"])][0]
    assert entry["details"] == {"until": None}
    assert entry["summary"] == "%s suspended %s until a moderator lifts it" % (
        moderator.user["username"], author.user["username"])


def test_flag_queue_suspends_for_a_preset_and_refuses_others(server, cluster, moderator):
    author, item = flagged(server, cluster, moderator)
    url = "/api/v1/mod/queue/%d/decision" % item["id"]
    assert_error(moderator.post(url, json={"action": "suspend", "reason": "x", "duration": "year"}), 400,
                 "invalid_input", "duration")
    assert_error(moderator.post(url, json={"action": "suspend", "reason": "x", "duration": "day",
                                           "until": "2099-01-01T00:00:00Z"}), 400, "invalid_input", "until")
    assert_error(moderator.post(url, json={"action": "suspend", "reason": "x"}), 400, "invalid_input", "until")
    assert moderator.post(url, json={"action": "suspend", "reason": "x", "duration": "day"}).status_code == 200
    hours = cluster.sql("SELECT extract(epoch FROM suspended_until - now()) / 3600 FROM users WHERE id = %s",
                        (author.user["id"],))[0][0]
    assert 23 < hours <= 24
