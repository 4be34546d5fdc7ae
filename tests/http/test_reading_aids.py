"""Issue 16 item 19: revisions show what each edit changed and lead back to the post; pages
with a feed offer it to feed readers in <head>; a reply drawn flat below a deep parent says
whom it answers."""
import re

import requests

from conftest import Client, make_user, new_thread, reply

DEL = '<del><span class="vh">[removed: </span>%s<span class="vh">]</span></del>'
INS = '<ins><span class="vh">[added: </span>%s<span class="vh">]</span></ins>'


def test_revisions_page_shows_each_edit_as_a_diff_and_links_back(server, member):
    t = new_thread(member, title="A thread to edit", body="The CAB meets every <week> on Monday.")
    pid = t["first_post_id"]
    assert member.patch("/api/v1/posts/%d" % pid, json={"body": "The CAB meets every <day> on Monday."}).status_code == 200
    assert member.patch("/api/v1/posts/%d" % pid, json={"body": "The CAB meets every <day> on Monday.\n\nNew line."}).status_code == 200
    html = requests.get(server.url("/p/%d/revisions" % pid)).text
    items = re.findall(r"<li><p class=\"post-meta\">.*?</li>", html, re.S)
    assert len(items) == 3
    newest, middle, first = items
    assert INS % "\n\nNew line." in newest and "2 words added, 0 taken away" in newest
    assert "every " + DEL % "&lt;week&gt;" + INS % "&lt;day&gt;" + " on Monday." in middle
    assert "<week>" not in html and "<day>" not in html     # escaped, never raw
    assert "first version" in first and "<pre>The CAB meets every &lt;week&gt; on Monday.</pre>" in first
    assert '<a href="/p/%d">Back to the post</a>' % pid in html
    assert '<a href="/t/%d">A thread to edit</a>' % t["id"] in html
    # the JSON keeps its shape and adds where the post is
    body = requests.get(server.url("/api/v1/posts/%d/revisions" % pid)).json()
    assert body["post"] == {"id": pid, "url": "/p/%d" % pid, "thread_id": t["id"], "thread_title": "A thread to edit"}
    assert all(set(r) == {"id", "body", "title", "created_at", "editor"} for r in body["revisions"])


def test_revisions_page_diffs_a_renamed_title(server, member):
    t = new_thread(member, title="Teh old title", body="body")
    assert member.patch("/api/v1/threads/%d" % t["id"], json={"title": "The old title"}).status_code == 200
    html = requests.get(server.url("/p/%d/revisions" % t["first_post_id"])).text
    assert 'Title: <strong class="diff">' + DEL % "Teh" + INS % "The" + " old title</strong>" in html
    assert "text unchanged" in html


def test_revisions_of_a_huge_rewrite_are_shown_replaced(server, member):
    t = new_thread(member, body=" ".join("a%d" % i for i in range(3000)))
    pid = t["first_post_id"]
    r = member.patch("/api/v1/posts/%d" % pid, json={"body": " ".join(("b%d" if i % 2 else "a%d") % i for i in range(3000))})
    assert r.status_code == 200
    html = requests.get(server.url("/p/%d/revisions" % pid)).text
    assert "too different to compare word by word" in html


def feed_links(html):
    head = html[:html.index("</head>")]
    return re.findall(r'<link rel="alternate" type="application/atom\+xml" title="([^"]*)" href="([^"]*)">', head)


def test_pages_with_a_feed_offer_it_in_their_head(server, member):
    t = new_thread(member, title="Feeds & <discovery>")
    links = feed_links(requests.get(server.url("/")).text)
    assert len(links) == 1 and links[0][1] == "/feed.atom" and links[0][0].endswith(": latest discussions")
    assert feed_links(requests.get(server.url("/c/general")).text)[0][1] == "/c/general/feed.atom"
    (title, href), = feed_links(requests.get(server.url("/t/%d" % t["id"])).text)
    assert href == "/t/%d/feed.atom" % t["id"] and title.endswith(": Feeds &amp; &lt;discovery&gt;")
    assert feed_links(requests.get(server.url("/ideas")).text) == [(links[0][0].replace("latest discussions", "ideas"),
                                                                    "/ideas/feed.atom")]
    # every link is a feed that answers
    for path in ("/feed.atom", "/c/general/feed.atom", "/t/%d/feed.atom" % t["id"], "/ideas/feed.atom"):
        r = requests.get(server.url(path))
        assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/atom+xml")
    # pages without a feed offer none; a held thread has no feed to offer
    assert feed_links(requests.get(server.url("/voices")).text) == []
    assert feed_links(requests.get(server.url("/u/%s" % member.user["username"])).text) == []
    newcomer = Client(server).register()
    r = newcomer.post("/api/v1/threads", json={"category": "general", "title": "Held for now", "body": "b"})
    assert r.status_code == 201 and r.json()["thread"]["state"] == "pending"
    page = newcomer.get("/t/%d" % r.json()["thread"]["id"])
    assert page.status_code == 200 and "Held for now" in page.text and feed_links(page.text) == []


def test_replies_drawn_flat_say_whom_they_answer(server, cluster):
    a, b = make_user(server, cluster), make_user(server, cluster)
    t = new_thread(a, body="depth 0")
    chain = [t["first_post_id"]]
    for d in range(1, 9):
        chain.append(reply(a if d % 2 else b, t["id"], "depth %d" % d, chain[-1])["id"])
    html = requests.get(server.url("/t/%d" % t["id"])).text

    def line(pid):
        item = html[html.index('id="p%d"' % pid):]
        item = item[:item.index("</article>")]
        m = re.search(r'<p class="(in-reply-to[^"]*)">In reply to <a href="([^"]+)">@([^<]+)</a></p>', item)
        return m and (m.group(1), m.group(2), m.group(3))

    names = {d: (a if d % 2 else b).user["username"] for d in range(9)}
    names[0] = a.user["username"]
    for d in range(1, 4):
        assert line(chain[d]) is None, d               # indented under its parent everywhere
    for d in range(4, 7):                              # flat on a phone only
        assert line(chain[d]) == ("in-reply-to phone-only", "#p%d" % chain[d - 1], names[d - 1]), d
    for d in range(7, 9):                              # flat everywhere
        assert line(chain[d]) == ("in-reply-to", "#p%d" % chain[d - 1], names[d - 1]), d
    # the API tells the tree by depth and parent_id: no extra in_reply_to there
    posts = requests.get(server.url("/api/v1/threads/%d" % t["id"])).json()["posts"]
    assert all("in_reply_to" not in p for p in posts)
