"""Issue 20, target 3 (schema 0038): a thread hit's headline is made from its title and a
bounded prefix of its opening post (the title holds the match); a post's from the whole
post, so a long post still shows the words it was found by wherever they are. The
headlines are made by Corral (forum/search_headline.c) from the text and the query's
lexemes, stemmed as PostgreSQL's 'english' configuration stems them."""
import re

import requests

from conftest import new_thread, reply
from test_search import hits, search, word

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


def marked(snippet):
    return re.findall(r"<mark>(.*?)</mark>", snippet)


def test_a_stemmed_query_word_marks_every_form_postgresql_stems_alike(server, cluster, member):
    w = word()
    t = new_thread(member)
    text = "The %s escalation was escalated twice; Escalating it, said the ESCALATIONS desk by the Escalator." % w
    reply(member, t["id"], text)
    snippet = only(server, q="escalations " + w, type="posts")
    # PostgreSQL's own verdict on each word, so the test holds whatever Snowball's version
    same = [x for x in re.findall(r"\w+", text) if cluster.sql(
        "SELECT to_tsvector('english', %s) @@ websearch_to_tsquery('english', 'escalations')", (x,))[0][0]]
    assert sorted(same) == sorted(["escalation", "escalated", "Escalating", "ESCALATIONS", "Escalator"])
    assert sorted(marked(snippet)) == sorted(same + [w]), snippet
    # stop words are never marked, even when asked for next to a real word
    assert marked(only(server, q="the " + w, type="posts")) == [w]


def test_an_and_query_shows_where_its_words_meet_and_a_second_place_after_a_gap(server, member):
    w1, w2, lone = word(), word(), word()
    t = new_thread(member)
    filler = "nothing to see in this sentence at all. " * 12   # 96 words
    reply(member, t["id"], "%s alone at first. " % w1 + filler + "Here %s meets %s. " % (w1, w2) + lone + " "
          + filler + "And later %s with %s again." % (w2, w1))
    snippet = only(server, q="%s %s" % (w1, w2), type="posts")
    frags = snippet.split(" … ")
    assert len(frags) == 2, snippet
    assert "Here <mark>%s</mark> meets <mark>%s</mark>" % (w1, w2) in frags[0], snippet
    assert "later <mark>%s</mark> with <mark>%s</mark> again" % (w2, w1) in frags[1], snippet
    assert "alone at first" not in snippet   # the lone first match is not a place they meet
    for f in frags:   # fragments of at most 30 words
        assert len(re.findall(r"\w+", re.sub(r"</?mark>", "", f))) <= 30, f
    assert clean(snippet), snippet


def test_phrase_or_and_negated_words_as_the_search_supports_them(server, member):
    w1, w2, w3 = word(), word(), word()
    t = new_thread(member)
    together = reply(member, t["id"], "They said %s %s in one breath." % (w1, w2))
    apart = reply(member, t["id"], "First %s, then much later %s." % (w2, w1))
    with_w3 = reply(member, t["id"], "Only %s next to %s here." % (w1, w3))
    assert hits(server, q='"%s %s"' % (w1, w2), type="posts") == [("post", together["id"])]
    assert marked(only(server, q='"%s %s"' % (w1, w2), type="posts")) == [w1, w2]
    found = search(server, q="%s -%s" % (w1, w3), type="posts")["results"]
    assert {h["id"] for h in found} == {together["id"], apart["id"]}
    for h in found:   # a negated word is never marked (nor are its posts found)
        assert w3 not in h["snippet"] and marked(h["snippet"]) == [w1], h["snippet"]
    found = search(server, q="%s or %s" % (w2, w3), type="posts")["results"]
    assert {h["id"] for h in found} == {together["id"], apart["id"], with_w3["id"]}
    assert [marked(h["snippet"]) for h in found if h["id"] == with_w3["id"]] == [[w3]]


def test_html_and_control_characters_in_a_post_never_reach_the_headline(server, member):
    w = word()
    t = new_thread(member)
    reply(member, t["id"], FILLER + "<script>alert('%s')</script> & <b onclick=\"x\">%s</b>"
          " \x01fake\x02 \x07bell\x1b[31m Über%s café\u2028naïve \U0001F600 end." % (w, w, w))
    r = requests.get(server.url("/api/v1/search"), params={"q": w, "type": "posts"})
    r.content.decode("utf-8", errors="strict")
    [hit] = r.json()["results"]
    snippet = hit["snippet"]
    assert marked(snippet) == [w, w], snippet   # Über<w> is another word, not <w>
    # tags are left out (as ts_headline did, and as the rendered post shows no raw HTML)
    assert "alert(&#39;<mark>%s</mark>&#39;) &amp; <mark>%s</mark> " % (w, w) in snippet, snippet
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", snippet), repr(snippet)
    assert "fake" in snippet and "bell[31m" in snippet and "café" in snippet, snippet
    assert clean(snippet), snippet
    # a capital outside ASCII is lowered as PostgreSQL lowers it
    assert marked(only(server, q="über" + w, type="posts")) == ["Über" + w]


def test_a_16_kb_post_whose_only_match_is_its_last_word(server, member):
    w = word()
    t = new_thread(member)
    body = ("Ünïcödé wörds — and “quotes” fill this post. " * 400)[:16000] + " finally " + w
    reply(member, t["id"], body)
    snippet = only(server, q=w, type="posts")
    assert snippet.endswith("finally <mark>%s</mark>" % w), snippet[-200:]
    assert len(re.findall(r"\w+", re.sub(r"</?mark>", "", snippet))) <= 30, snippet
    assert clean(snippet), snippet


def test_no_headline_shows_hidden_or_deleted_text(server, cluster, member, moderator):
    w, secret = word(), word()
    t = new_thread(member, title="Asking about %s" % w, body="The opening post, later hidden: %s." % secret)
    shown = reply(member, t["id"], "A visible reply about %s." % w)
    gone = reply(member, t["id"], "A deleted reply about %s and %s." % (w, secret))
    cluster.sql("UPDATE posts SET state = 'hidden' WHERE id = %s", (t["first_post_id"],))
    assert member.delete("/api/v1/posts/%d" % gone["id"]).status_code == 204
    for who in (None, member, moderator):
        found = search(server, who, q=w)["results"]
        assert {(h["type"], h["id"]) for h in found} == {("thread", t["id"]), ("post", shown["id"])}, found
        for h in found:
            assert secret not in h["snippet"] and "deleted" not in h["snippet"], h
        assert hits(server, who, q=secret) == []
