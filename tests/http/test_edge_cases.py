"""Behaviour found by reviewing the API against a running server: each test guards one."""
import queue
import threading
import time
import uuid
import xml.etree.ElementTree as ET

import pytest
import requests

from conftest import Client, Server, assert_error, make_user, new_thread, reply, unique
from test_live import listen, next_event


def decide(client, item_id, action, **extra):
    body = {"action": action}
    body.update(extra)
    return client.post("/api/v1/mod/queue/%d/decision" % item_id, json=body)


def flagged_item(server, cluster, moderator, author):
    t = new_thread(author)
    make_user(server, cluster).post("/api/v1/posts/%d/flags" % t["first_post_id"], json={"reason": "abusive"})
    items = moderator.get("/api/v1/mod/queue?kind=flags").json()["items"]
    return [i for i in items if (i.get("post") or {}).get("id") == t["first_post_id"]][0], t


def test_a_flag_decision_cannot_suspend_an_admin_or_a_moderator(server, cluster, moderator, admin):
    other_mod = make_user(server, cluster, "moderator")
    for target in (admin, other_mod):
        it, _ = flagged_item(server, cluster, moderator, target)
        r = decide(moderator, it["id"], "suspend", reason="no", until="2099-01-01T00:00:00Z")
        assert_error(r, 403, "forbidden")
        assert cluster.sql("SELECT decided_at FROM queue_items WHERE id = %s", (it["id"],))[0][0] is None
        assert cluster.sql("SELECT suspended_until FROM users WHERE id = %s", (target.user["id"],))[0][0] is None
    # an admin may suspend a moderator through a flag, and lift it again
    it, _ = flagged_item(server, cluster, moderator, other_mod)
    assert decide(admin, it["id"], "suspend", reason="r", until="2099-01-01T00:00:00Z").status_code == 200
    assert_error(moderator.delete("/api/v1/users/%s/suspension" % other_mod.user["username"]), 403, "forbidden")
    assert admin.delete("/api/v1/users/%s/suspension" % other_mod.user["username"]).status_code == 204


def test_shares_are_written_with_few_digits(server, cluster):
    c1 = make_user(server, cluster, community_role="consultant")
    t = new_thread(c1)
    reply(make_user(server, cluster, community_role="practitioner"), t["id"])
    reply(make_user(server, cluster, community_role="vendor"), t["id"])
    text = requests.get(server.url("/api/v1/threads/%d" % t["id"])).text
    assert '"doer_share":0.333' in text and "0.33300000000000002" not in text


def test_marking_an_empty_list_of_notifications_marks_nothing(server, cluster, member):
    t = new_thread(member)
    reply(make_user(server, cluster), t["id"])
    assert member.post("/api/v1/notifications/read", json={"ids": []}).json()["marked"] == 0
    assert member.get("/api/v1/me").json()["unread_notifications"] == 1


def test_refused_posts_do_not_use_up_the_posting_limit(cluster):
    url = cluster.create_db(unique("plimit"))
    s = Server(["--database", url, "--quiet", "--post-limit", "2", "--trust-posts", "0"], name="plimit")
    try:
        c = Client(s).register()
        for _ in range(4):
            assert_error(c.post("/api/v1/threads", json={"category": "general", "title": "ok title", "body": ""}),
                         400, "invalid_input", "body")
        t = new_thread(c)
        assert_error(c.post("/api/v1/threads/%d/posts" % t["id"], json={"body": ""}), 400, "invalid_input", "body")
        assert reply(c, t["id"])
        assert_error(c.post("/api/v1/threads/%d/posts" % t["id"], json={"body": "third"}), 429, "rate_limited")
    finally:
        s.stop()


def test_an_empty_post_says_so(server, member):
    err = assert_error(member.post("/api/v1/threads", json={"category": "general", "title": "ok title", "body": ""}),
                       400, "invalid_input", "body")
    assert err["message"] == "The post is empty."


def test_replying_to_a_merged_thread_points_to_where_it_went(server, member, moderator):
    a, b = new_thread(member), new_thread(member)
    moderator.post("/api/v1/threads/%d/merge" % a["id"], json={"into": b["id"]})
    err = assert_error(member.post("/api/v1/threads/%d/posts" % a["id"], json={"body": "x"}), 409, "conflict")
    assert err["merged_into"] == b["id"]


def test_patching_a_category_with_nothing_is_400(server, admin):
    assert_error(admin.patch("/api/v1/categories/general", json={}), 400, "invalid_input")


def test_the_queue_json_has_no_page_flags(server, moderator):
    body = moderator.get("/api/v1/mod/queue?kind=flags").json()
    assert "is_flags" not in body and body["kind"] == "flags"


def test_an_idempotency_key_reused_with_another_body_is_refused(server, member):
    key = str(uuid.uuid4())
    t = new_thread(member)
    url = "/api/v1/threads/%d/posts" % t["id"]
    assert member.post(url, json={"body": "first"}, headers={"Idempotency-Key": key}).status_code == 201
    assert_error(member.post(url, json={"body": "second"}, headers={"Idempotency-Key": key}), 409, "conflict",
                 "Idempotency-Key")


def test_an_edit_adding_many_links_goes_back_to_the_queue(server, cluster, member, moderator):
    t = new_thread(member)
    p = reply(member, t["id"], "harmless")
    links = " ".join("[l%d](https://example.org/%d)" % (i, i) for i in range(8))
    assert member.patch("/api/v1/posts/%d" % p["id"], json={"body": links}).status_code == 200
    assert cluster.sql("SELECT state FROM posts WHERE id = %s", (p["id"],))[0][0] == "pending"
    items = moderator.get("/api/v1/mod/queue?kind=pending").json()["items"]
    assert [i["reason"] for i in items if (i.get("post") or {}).get("id") == p["id"]] == ["too_many_links"]


def test_deleting_a_deleted_post_changes_nothing(server, cluster, member, moderator):
    t = new_thread(member)
    p = reply(member, t["id"])
    assert moderator.delete("/api/v1/posts/%d" % p["id"]).status_code == 204
    assert moderator.delete("/api/v1/posts/%d" % p["id"]).status_code == 204
    assert cluster.sql("SELECT count(*) FROM mod_log WHERE action = 'delete_post' AND target_id = %s",
                       (str(p["id"]),))[0][0] == 1


def test_a_reconnecting_reader_gets_the_posts_it_missed(server, member):
    t = new_thread(member)
    first = reply(member, t["id"], "seen")
    missed = [reply(member, t["id"], "missed %d" % i)["id"] for i in range(2)]
    q, stop = queue.Queue(), threading.Event()

    def listen_from(last):
        with requests.get(server.url("/t/%d/events" % t["id"]), stream=True, timeout=30,
                          headers={"Last-Event-ID": str(last)}) as r:
            ev = {}
            for line in r.iter_lines(decode_unicode=True):
                if stop.is_set():
                    return
                if line == "":
                    if ev.get("event") == "post":
                        q.put(ev)
                    ev = {}
                elif line and not line.startswith(":"):
                    k, _, v = line.partition(": ")
                    ev[k] = v

    threading.Thread(target=listen_from, args=(first["id"],), daemon=True).start()
    got = [q.get(timeout=5)["id"], q.get(timeout=5)["id"]]
    stop.set()
    assert got == [str(i) for i in missed]


def test_feeds_resolve_relative_links_and_date_themselves_by_the_newest_change(server, member):
    t = new_thread(member, body="see IDEA-3")
    time.sleep(1.1)
    reply(member, t["id"], "later")
    root = ET.fromstring(requests.get(server.url("/feed.atom")).content)
    assert root.get("{http://www.w3.org/XML/1998/namespace}base") == server.base + "/"
    ns = {"a": "http://www.w3.org/2005/Atom"}
    newest = max(e.find("a:updated", ns).text for e in root.findall("a:entry", ns))
    assert root.find("a:updated", ns).text == newest


def test_notifications_follow_posts_into_the_thread_they_were_merged_into(server, cluster, member, moderator):
    a, b = new_thread(member), new_thread(member)
    reply(make_user(server, cluster), a["id"], "to the author")
    moderator.post("/api/v1/threads/%d/merge" % a["id"], json={"into": b["id"]})
    notes = member.get("/api/v1/notifications").json()["notifications"]
    assert notes[0]["thread_id"] == b["id"]
