"""Issue 11: live updates — a thread's readers get its new posts as Server-Sent Events,
whichever instance the writer used."""
import queue
import threading
import time

import requests

from conftest import SHARED_ARGS, Server, make_user, new_thread, reply, unique


def listen(url, out, stop):
    with requests.get(url, stream=True, timeout=30, headers={"Accept": "text/event-stream"}) as r:
        out.put(("status", r.status_code, r.headers.get("Content-Type")))
        event = {}
        for line in r.iter_lines(decode_unicode=True):
            if stop.is_set():
                return
            if line is None:
                continue
            if line == "":
                if event:
                    out.put(("event", event))
                event = {}
            elif not line.startswith(":"):
                k, _, v = line.partition(": ")
                event[k] = v


def next_event(q, timeout=5):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            item = q.get(timeout=0.2)
        except queue.Empty:
            continue
        if item[0] == "event" and item[1].get("event") == "post":
            return item[1]
    raise AssertionError("no event within %ss" % timeout)


def test_readers_receive_new_posts_live(server, member):
    t = new_thread(member)
    q, stop = queue.Queue(), threading.Event()
    th = threading.Thread(target=listen, args=(server.url("/t/%d/events" % t["id"]), q, stop), daemon=True)
    th.start()
    kind, status, ctype = q.get(timeout=5)
    assert status == 200 and ctype.startswith("text/event-stream")
    time.sleep(0.2)
    p = reply(member, t["id"], "live!")
    ev = next_event(q)
    assert ev["id"] == str(p["id"]) and '"thread_id":%d' % t["id"] in ev["data"]
    frag = requests.get(server.url("/p/%d/fragment" % p["id"]))
    assert frag.status_code == 200 and 'id="p%d"' % p["id"] in frag.text and "live!" in frag.text
    stop.set()


def test_pending_posts_are_not_announced_until_approved(server, cluster, member, newcomer):
    t = new_thread(member)
    q, stop = queue.Queue(), threading.Event()
    threading.Thread(target=listen, args=(server.url("/t/%d/events" % t["id"]), q, stop), daemon=True).start()
    q.get(timeout=5)
    time.sleep(0.2)
    pending = reply(newcomer, t["id"], "waiting")
    visible = reply(member, t["id"], "at once")
    assert next_event(q)["id"] == str(visible["id"])
    cluster.sql("UPDATE posts SET state = 'visible' WHERE id = %s", (pending["id"],))
    assert next_event(q)["id"] == str(pending["id"])
    stop.set()


def test_a_reader_on_another_instance_sees_the_reply(cluster, server, member):
    other = Server(["--database", cluster.url] + SHARED_ARGS, name="live2")
    try:
        t = new_thread(member)
        q, stop = queue.Queue(), threading.Event()
        threading.Thread(target=listen, args=(other.url("/t/%d/events" % t["id"]), q, stop), daemon=True).start()
        q.get(timeout=5)
        time.sleep(0.5)  # its listener connects just after start
        p = reply(member, t["id"], "written on the first instance")
        assert next_event(q)["id"] == str(p["id"])
        stop.set()
    finally:
        other.stop()


def test_events_of_unknown_or_hidden_threads_are_404(server):
    assert requests.get(server.url("/t/999999999/events")).status_code == 404


def test_shutdown_ends_open_streams(cluster):
    # every request logged: the stream's line is written at its end, from the few fields its
    # request keeps once the stream has started (http_req_settle frees the rest)
    s = Server(["--database", cluster.url] + [a for a in SHARED_ARGS if a != "--quiet"], name="live3")
    writer = make_user(s, cluster)
    t = new_thread(writer)
    q, stop = queue.Queue(), threading.Event()
    th = threading.Thread(target=listen, args=(s.url("/t/%d/events" % t["id"]), q, stop), daemon=True)
    th.start()
    q.get(timeout=5)
    t0 = time.time()
    assert s.stop() == 0
    assert time.time() - t0 < 5  # streams do not hold the drain for its whole deadline
    th.join(timeout=5)
    assert not th.is_alive()
    line = [ln for ln in open(s.log_path).read().splitlines() if " GET /t/%d/events " % t["id"] in ln]
    assert len(line) == 1 and " 127.0.0.1 GET /t/%d/events 200 " % t["id"] in line[0], line
