"""Issue 20 (target 2): the forms under each post left the thread page. Each post links to
its reply and flag pages (and, for moderators, hide, suspend-the-author and reveal pages);
"Suggest as an idea", "Unhide" and "Restore" are buttons of the page's one #rx form. Each
page shows the post above its form, only to who may use it, and is the page its form comes
back to when refused."""
import html
import re

import pytest

from conftest import Client, make_user, new_thread, reply, unique


def form_of(page, action):
    """The form posting to action on page: {hidden field: value} and its markup."""
    m = re.search(r'<form method="post" action="%s"[^>]*>(.*?)</form>' % re.escape(html.escape(action)), page, re.S)
    assert m, "no form to %s" % action
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', m.group(1))), m.group(1)


@pytest.fixture(scope="module")
def site(server, cluster):
    class Site:
        pass
    s = Site()
    s.author = make_user(server, cluster)
    s.reader = make_user(server, cluster)
    s.mod = make_user(server, cluster, "moderator", "consultant")
    s.admin = make_user(server, cluster, "admin", "trainer")
    s.t = new_thread(s.author, body="The opening words")
    s.p = reply(s.author, s.t["id"], "Words to answer " + unique())
    return s


def test_the_thread_page_links_to_the_pages_instead_of_carrying_forms(site):
    s = site
    tid, pid = s.t["id"], s.p["id"]
    page = s.reader.get("/t/%d" % tid).text
    assert 'href="/t/%d/reply?to=%d" class="reply-link"' % (tid, pid) in page
    assert 'href="/p/%d/flag" class="flag-link"' % pid in page
    assert 'action="/p/%d/flag"' % pid not in page and "parent_id" not in page
    nominate = re.search(r'<button form="rx" formaction="/p/%d/nominate" name="idem" value="([^"]+)"' % pid, page)
    assert nominate and 'id="rx"' in page
    # one flag form for the scripts, and the one reply form at the end
    assert page.count('<template id="flag-form">') == 1 and page.count('id="reply-form"') == 1
    mod = s.mod.get("/t/%d" % tid).text
    assert 'href="/p/%d/hide"' % pid in mod and 'href="/p/%d/hide"' % pid not in page
    own = s.author.get("/t/%d" % tid).text
    assert 'href="/p/%d/flag"' % pid not in own


def test_the_flag_page_round_trip_without_javascript(site, cluster):
    s = site
    pid = s.p["id"]
    r = s.reader.get("/p/%d/flag" % pid)
    assert r.status_code == 200 and "<h1>Flag a post</h1>" in r.text and "Words to answer" in r.text
    assert '<label for="flag-note">' in r.text and 'name="reason" value="spam" required' in r.text
    fields, _ = form_of(r.text, "/p/%d/flag" % pid)
    assert set(fields) == {"csrf", "idem"}
    # refused: the page again, with the error and what was typed
    bad = s.reader.post("/p/%d/flag" % pid, data=dict(fields, reason="other", note=""))
    assert bad.status_code == 400 and "<h1>Flag a post</h1>" in bad.text and 'role="alert"' in bad.text
    assert 'id="flag-note" name="note" maxlength="500" value="" aria-invalid="true"' in bad.text
    ok = s.reader.post("/p/%d/flag" % pid, data=dict(fields, reason="spam", note="sells things"))
    assert ok.status_code == 303 and ok.headers["Location"] == "/t/%d#p%d" % (s.t["id"], pid)
    assert cluster.sql("SELECT reason, note FROM flags WHERE post_id = %s", (pid,)) == [("spam", "sells things")]
    # the same nonce again (a double click) answers the same, and adds nothing
    again = s.reader.post("/p/%d/flag" % pid, data=dict(fields, reason="spam", note="sells things"))
    assert again.status_code == 303
    assert cluster.sql("SELECT count(*) FROM flags WHERE post_id = %s", (pid,)) == [(1,)]
    nocsrf = s.reader.req("POST", "/p/%d/flag" % pid, data={"reason": "spam"}, csrf=False)
    assert nocsrf.status_code == 403


def test_the_flag_page_is_for_who_may_flag(site, server, cluster):
    s = site
    pid = s.p["id"]
    assert Client(server).get("/p/%d/flag" % pid).status_code == 401
    own = s.author.get("/p/%d/flag" % pid)
    assert own.status_code == 403 and "You cannot flag your own post." in own.text
    assert s.reader.get("/p/999999999/flag").status_code == 404
    assert s.reader.get("/p/abc/flag").status_code == 404
    assert s.reader.get("/p/%d/flag" % (10 ** 30)).status_code == 404
    hidden = reply(s.author, s.t["id"], "soon hidden")["id"]
    cluster.sql("UPDATE posts SET state = 'hidden' WHERE id = %s", (hidden,))
    for who in (s.reader, s.mod):
        assert who.get("/p/%d/flag" % hidden).status_code == 404
    gone = reply(s.author, s.t["id"], "soon deleted")["id"]
    assert s.author.delete("/api/v1/posts/%d" % gone).status_code == 204
    assert s.reader.get("/p/%d/flag" % gone).status_code == 404


def test_the_reply_page_round_trip_without_javascript(site, cluster):
    s = site
    tid, pid = s.t["id"], s.p["id"]
    r = s.reader.get("/t/%d/reply?to=%d" % (tid, pid))
    assert r.status_code == 200 and "Words to answer" in r.text and "<h1>Reply in " in r.text
    assert '<label for="reply-main">' in r.text and '<details class="md-help">' in r.text
    fields, markup = form_of(r.text, "/t/%d/reply?to=%d" % (tid, pid))
    assert fields["parent_id"] == str(pid) and "csrf" in fields and "idem" in fields
    assert 'enctype="multipart/form-data"' in r.text and 'name="file"' in markup
    bad = s.reader.post("/t/%d/reply?to=%d" % (tid, pid), data=dict(fields, body=""))
    assert bad.status_code == 400 and "<h1>Reply in " in bad.text and 'role="alert"' in bad.text
    assert "Words to answer" in bad.text and 'name="parent_id" value="%d"' % pid in bad.text
    body = "From the reply page " + unique()
    ok = s.reader.post("/t/%d/reply?to=%d" % (tid, pid), data=dict(fields, body=body))
    assert ok.status_code == 303
    new = int(re.fullmatch(r"/t/%d#p(\d+)" % tid, ok.headers["Location"]).group(1))
    assert cluster.sql("SELECT parent_id, body FROM posts WHERE id = %s", (new,)) == [(pid, body)]
    # without ?to: a reply to the thread
    whole = s.reader.get("/t/%d/reply" % tid)
    assert whole.status_code == 200 and "parent_id" not in whole.text


def test_the_reply_page_is_for_who_may_reply(site, server, cluster):
    s = site
    tid, pid = s.t["id"], s.p["id"]
    assert Client(server).get("/t/%d/reply?to=%d" % (tid, pid)).status_code == 401
    other = new_thread(s.author)
    for to in (str(other["first_post_id"]), "999999999", "abc", "", "-1", "1" * 40):
        assert s.reader.get("/t/%d/reply?to=%s" % (tid, to)).status_code == 404, to
    assert s.reader.get("/t/%d/reply?to=%%ff" % tid).status_code == 400
    assert s.reader.get("/t/999999999/reply").status_code == 404
    hidden = reply(s.author, tid, "hidden one")["id"]
    cluster.sql("UPDATE posts SET state = 'hidden' WHERE id = %s", (hidden,))
    assert s.reader.get("/t/%d/reply?to=%d" % (tid, hidden)).status_code == 404
    assert s.mod.get("/t/%d/reply?to=%d" % (tid, hidden)).status_code == 200
    locked = new_thread(s.author)
    assert s.mod.post("/api/v1/threads/%d/lock" % locked["id"], json={}).status_code == 200
    r = s.reader.get("/t/%d/reply?to=%d" % (locked["id"], locked["first_post_id"]))
    assert r.status_code == 423 and "locked" in r.text
    page = s.reader.get("/t/%d" % locked["id"]).text
    assert "reply-link" not in page
    suspended = make_user(server, cluster)
    cluster.sql("UPDATE users SET suspended_until = now() + interval '1 day', suspension_reason = 'x'"
                " WHERE id = %s", (suspended.user["id"],))
    assert suspended.get("/t/%d/reply?to=%d" % (tid, pid)).status_code == 403


def test_suggesting_as_an_idea_is_a_button_of_the_page_form(site, server, cluster):
    s = site
    tid, pid = s.t["id"], s.p["id"]
    nominator = make_user(server, cluster)
    page = nominator.get("/t/%d" % tid).text
    nonce = re.search(r'formaction="/p/%d/nominate" name="idem" value="([^"]+)"' % pid, page).group(1)
    first = t_first = s.t["first_post_id"]
    assert 'formaction="/p/%d/nominate" name="idem" value="%s"' % (first, nonce) in page
    rx = {"csrf": re.search(r'<form id="rx"[^>]*><input type="hidden" name="csrf" value="([^"]+)"', page).group(1)}
    # what the browser sends: the form's csrf and the button's idem
    for _ in range(2):  # a double click: one nomination, the same answer
        r = nominator.post("/p/%d/nominate" % pid, data=dict(rx, idem=nonce))
        assert r.status_code == 303 and r.headers["Location"] == "/t/%d#p%d" % (tid, pid)
    # the nonce is the page's, scoped to each post's action: another post is its own
    r = nominator.post("/p/%d/nominate" % t_first, data=dict(rx, idem=nonce))
    assert r.status_code == 303 and r.headers["Location"] == "/t/%d#p%d" % (tid, t_first)
    assert cluster.sql("SELECT post_id FROM nominations WHERE user_id = %s ORDER BY post_id",
                       (nominator.user["id"],)) == [(t_first,), (pid,)]
    # a fresh page (a new nonce) nominating again is told it was done
    again = nominator.post("/p/%d/nominate" % pid, data=dict(rx, idem=unique()))
    assert again.status_code == 409 and "You already nominated this post." in again.text


def test_the_hide_page_and_unhide_button(site, server, cluster):
    s = site
    tid = s.t["id"]
    pid = reply(s.author, tid, "to be hidden " + unique())["id"]
    assert Client(server).get("/p/%d/hide" % pid).status_code == 401
    assert s.reader.get("/p/%d/hide" % pid).status_code == 403
    assert s.mod.get("/p/999999999/hide").status_code == 404
    r = s.mod.get("/p/%d/hide" % pid)
    assert r.status_code == 200 and "<h1>Hide a post</h1>" in r.text and "to be hidden" in r.text
    assert '<label for="hide-reason">' in r.text
    fields, _ = form_of(r.text, "/p/%d/hide" % pid)
    bad = s.mod.post("/p/%d/hide" % pid, data=dict(fields, reason=" "))
    assert bad.status_code == 400 and "<h1>Hide a post</h1>" in bad.text and 'role="alert"' in bad.text
    big = s.mod.post("/p/%d/hide" % pid, data=dict(fields, reason="x" * 1001))
    assert big.status_code == 400 and "<h1>Hide a post</h1>" in big.text
    ok = s.mod.post("/p/%d/hide" % pid, data=dict(fields, reason="off topic"))
    assert ok.status_code == 303 and ok.headers["Location"] == "/t/%d#p%d" % (tid, pid)
    assert cluster.sql("SELECT state FROM posts WHERE id = %s", (pid,)) == [("hidden",)]
    again = s.mod.get("/p/%d/hide" % pid)
    assert again.status_code == 409 and "hidden or deleted already" in again.text
    page = s.mod.get("/t/%d" % tid).text
    assert '<button form="rx" formaction="/p/%d/unhide" class="link">Unhide</button>' % pid in page
    r = s.mod.post("/p/%d/unhide" % pid, data={"csrf": s.mod.csrf})
    assert r.status_code == 303
    assert cluster.sql("SELECT state FROM posts WHERE id = %s", (pid,)) == [("visible",)]


def test_the_restore_button_posts_the_page_form(site, cluster):
    s = site
    pid = reply(s.author, s.t["id"], "deleted and restored")["id"]
    assert s.author.delete("/api/v1/posts/%d" % pid).status_code == 204
    page = s.author.get("/t/%d" % s.t["id"]).text
    assert '<button form="rx" formaction="/p/%d/restore" class="link">Restore</button>' % pid in page
    assert 'href="/t/%d/reply?to=%d"' % (s.t["id"], pid) not in page  # no reply to a deleted post
    assert s.author.post("/p/%d/restore" % pid, data={"csrf": s.author.csrf}).status_code == 303
    assert cluster.sql("SELECT state FROM posts WHERE id = %s", (pid,)) == [("visible",)]


def _anonymous_post(s, cluster):
    pid = reply(s.author, s.t["id"], "anonymous words " + unique())["id"]
    cluster.sql("UPDATE posts SET anonymous = true WHERE id = %s", (pid,))
    return pid


def test_the_suspend_and_reveal_pages(site, server, cluster):
    s = site
    pid = _anonymous_post(s, cluster)
    page = s.admin.get("/t/%d" % s.t["id"]).text
    assert 'href="/p/%d/suspend-author"' % pid in page and 'href="/p/%d/reveal"' % pid in page
    r = s.mod.get("/p/%d/suspend-author" % pid)
    assert r.status_code == 200 and "anonymous words" in r.text and '<label for="suspend-reason">' in r.text
    assert s.author.user["username"] not in r.text  # the page does not give the author away
    fields, _ = form_of(r.text, "/p/%d/suspend-author" % pid)
    bad = s.mod.post("/p/%d/suspend-author" % pid, data=dict(fields, reason="", duration="day"))
    assert bad.status_code == 400 and "<h1>Suspend the author of a post</h1>" in bad.text
    assert s.reader.get("/p/%d/suspend-author" % pid).status_code == 403
    assert Client(server).get("/p/%d/suspend-author" % pid).status_code == 401
    assert s.mod.get("/p/%d/reveal" % pid).status_code == 403
    r = s.admin.get("/p/%d/reveal" % pid)
    assert r.status_code == 200 and "anonymous words" in r.text and '<label for="reveal-reason">' in r.text
    assert s.author.user["username"] not in r.text
    fields, _ = form_of(r.text, "/p/%d/reveal" % pid)
    bad = s.admin.post("/p/%d/reveal" % pid, data=dict(fields, reason=""))
    assert bad.status_code == 400 and 'id="reveal-reason"' in bad.text and s.author.user["username"] not in bad.text
    ok = s.admin.post("/p/%d/reveal" % pid, data=dict(fields, reason="a court order"))
    assert ok.status_code == 200 and s.author.user["username"] in ok.text
    # a post with its author's name has nothing to reveal
    assert s.admin.get("/p/%d/reveal" % s.p["id"]).status_code == 404
