"""Issue 20, target 3 (schema 0038): a thread hit's headline is made from its title and a
bounded prefix of its opening post (the title holds the match); a post's from the whole
post, so a long post still shows the words it was found by wherever they are."""
import re

from conftest import new_thread, reply
from test_search import search, word

FILLER = "a plain sentence of filler that says nothing in particular. " * 40  # 2,400 characters


def only(server, **params):
    [hit] = search(server, **params)["results"]
    return hit["snippet"]


def clean(snippet):
    """No markup but balanced <mark>s, no marker bytes."""
    return snippet.count("<mark>") == snippet.count("</mark>") and \
        not re.search(r"[<>\x01\x02]", re.sub(r"</?mark>", "", snippet))


def test_a_thread_hit_shows_its_title_and_only_the_start_of_its_opening_post(server, member):
    w, late = word(), word()
    body = "Opening words of the \x01post\x02. " + FILLER + "Far down: %s %s." % (w, late)
    t = new_thread(member, title="Question about %s" % w, body=body)
    for kind in ("all", "threads"):
        [hit] = [x for x in search(server, q=w, type=kind)["results"] if x["type"] == "thread"]
        assert hit["id"] == t["id"]
        snippet = hit["snippet"]
        assert "about <mark>%s</mark>" % w in snippet and "Opening words of the post" in snippet, snippet
        assert late not in snippet and clean(snippet), snippet  # the far fragment is given up
    # the opening post is still found by the words past the prefix, as a post
    post = only(server, q=late, type="posts")
    assert "<mark>%s</mark>" % late in post


def test_a_word_cut_by_the_prefix_is_not_shown_as_a_match(server, cluster, member):
    w = word()
    (n,), = cluster.sql("SELECT search_headline_prefix()")
    # "<w>zq" crosses the prefix's end right after <w>: cut there it would read as <w>
    pad = n - len(w)
    body = ("yy " if pad % 2 else "") + "y " * ((pad - 3) // 2 if pad % 2 else pad // 2) + w + "zq " + FILLER
    t = new_thread(member, title="About %s" % w, body=body)
    [(at,)] = cluster.sql("SELECT position(%s IN body) FROM posts WHERE id = %s", (w + "zq", t["first_post_id"]))
    assert at + len(w) - 1 == n  # <w> ends exactly at the prefix's end
    snippet = only(server, q=w, type="threads")
    assert snippet.count("<mark>") == 1 and "About <mark>%s</mark>" % w in snippet, snippet


def test_a_long_post_shows_a_match_that_is_past_the_prefix(server, member):
    w = word()
    t = new_thread(member)
    reply(member, t["id"], FILLER + "and at the very end the word " + w + " <b>&</b> \x01x\x02.")
    snippet = only(server, q=w, type="posts")
    assert "the word <mark>%s</mark>" % w in snippet and snippet.count("<mark>") == 1, snippet
    assert clean(snippet), snippet


def test_a_long_post_shows_where_the_words_of_an_and_meet_past_the_prefix(server, member):
    w1, w2 = word(), word()
    t = new_thread(member)
    reply(member, t["id"], "It starts with %s. " % w1 + FILLER + "It ends with %s and %s." % (w1, w2))
    snippet = only(server, q="%s %s" % (w1, w2), type="posts")
    assert "<mark>%s</mark> and <mark>%s</mark>" % (w1, w2) in snippet, snippet
