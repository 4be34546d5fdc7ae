"""Issue 20: a list page's rows are made from the statement's cells, and the JSON texts and
voices they show are kept per server thread across requests, keyed by the whole text
(forum/thread_list.c, core/kept.c). Nothing kept may be stale: what changed shows on the
next signed-in page, which is never cached."""
import re

from conftest import make_user, new_thread, reply


def _row(page, tid):
    """The list item of thread tid on a list page."""
    m = re.search(r'<li class="thread-item">\s*<a class="thread-title" href="/t/%d/.*?</li>' % tid, page, re.S)
    assert m, "thread %d is not listed" % tid
    return m.group(0)


def _voices(row):
    return re.search(r'<span class="voices-text">([^<]*)</span>', row).group(1)


def test_signed_in_lists_show_a_new_voice_at_once(server, cluster, member):
    helper = make_user(server, cluster, community_role="consultant")
    t = new_thread(member)
    # read by every worker thread of the server, so that each has kept this row's voices
    for _ in range(12):
        assert _voices(_row(member.get("/").text, t["id"])) == "1 voice · 1 practitioner, 100 %"
    reply(helper, t["id"], "a helper's voice")
    for _ in range(12):
        row = _row(member.get("/").text, t["id"])
        assert _voices(row) == "2 voices · 1 practitioner, 50 %"
        assert 'class="doer" x="0" y="0" width="50.0"' in row and 'width="50.0" height="6"/><rect class="none"' in row
        assert '<span class="reply-count">1 reply</span>' in row
    assert _voices(_row(member.get("/c/general").text, t["id"])) == "2 voices · 1 practitioner, 50 %"


def test_signed_in_lists_show_an_author_changed_at_once(server, cluster, member):
    author = make_user(server, cluster, community_role="practitioner")
    t = new_thread(author)
    for _ in range(12):
        assert 'title="Practitioner (doer)"' in _row(member.get("/").text, t["id"])
    cluster.sql("UPDATE users SET community_role = 'vendor' WHERE id = %s", (author.user["id"],))
    for _ in range(12):
        row = _row(member.get("/").text, t["id"])
        assert 'title="Vendor (helper)"' in row and "Practitioner" not in row
        assert '<a href="/u/%s">%s</a>' % (author.user["username"], author.user["username"]) in row


def test_list_rows_of_a_page_and_of_the_api_say_the_same(server, cluster, member):
    # the page's rows are made apart from the API's (forum/thread_list.h)
    helper = make_user(server, cluster, community_role="vendor")
    t = new_thread(member)
    reply(helper, t["id"], "one")
    reply(helper, t["id"], "two")
    api = next(x for x in member.get("/api/v1/threads").json()["threads"] if x["id"] == t["id"])
    row = _row(member.get("/").text, t["id"])
    assert '<span class="reply-count">%d replies</span>' % api["reply_count"] in row
    assert _voices(row) == "%d voices · 1 practitioner, %d %%" % (api["voices"]["participants"],
                                                                  api["voices"]["doer_percent"])
    assert '<time datetime="%s">' % api["last_post_at"] in row
    assert set(api) >= {"unread_posts", "is_new", "last_read_post_id", "created_at", "reply_count", "voices"}
    assert set(api["voices"]) == {"participants", "doers", "doer_share", "doer_percent"}
