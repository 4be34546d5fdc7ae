"""Issue 16: a page refused for want of signing in leads to the sign-in form and back; a form
refused for a stale CSRF token comes back with what was typed and a token that works."""
import html
import re

import requests

from conftest import PASSWORD, new_thread

EXPIRED = "The form has expired or did not come from this site."


def form_csrf(text):
    return re.search(r'name="csrf" value="([^"]+)"', text).group(1)


def test_the_401_page_links_to_sign_in_and_signing_in_comes_back(server, member):
    s = requests.Session()
    r = s.get(server.url("/notifications"))
    assert r.status_code == 401
    assert '<a href="/login?next=%2Fnotifications">Sign in</a>' in r.text
    login = s.get(server.url("/login?next=/notifications"))
    assert 'name="next" value="/notifications"' in login.text
    r = s.post(server.url("/login"), data={"username": member.user["username"], "password": PASSWORD,
                                           "csrf": form_csrf(login.text), "next": "/notifications"},
               allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/notifications"


def test_signing_in_never_goes_on_to_another_site(server, member):
    for evil in ("//evil.example/", "/\\evil.example/", "/\t/evil.example/", "/\n/evil.example/",
                 "https://evil.example/", "http:/evil.example", "evil.example"):
        s = requests.Session()
        login = s.get(server.url("/login"), params={"next": evil})
        assert 'name="next" value=""' in login.text, evil
        r = s.post(server.url("/login"), data={"username": member.user["username"], "password": PASSWORD,
                                               "csrf": form_csrf(login.text), "next": evil},
                   allow_redirects=False)
        assert r.status_code == 303 and r.headers["Location"] == "/", evil
    s = requests.Session()
    login = s.get(server.url("/login"))
    r = s.post(server.url("/login"), data={"username": member.user["username"], "password": PASSWORD,
                                           "csrf": form_csrf(login.text), "next": "/search?q=a%20b"},
               allow_redirects=False)
    assert r.headers["Location"] == "/search?q=a%20b"


def test_a_stale_csrf_token_shows_the_form_again_with_the_text_and_a_fresh_token(server, member):
    t = new_thread(member)
    typed = "A long reply I do not want to type again <3"
    origin = server.url("/").rstrip("/")
    r = member.post("/t/%d/reply" % t["id"], data={"csrf": "stale" * 8, "body": typed}, csrf=False,
                    headers={"Origin": origin})
    assert r.status_code == 403
    assert html.unescape(r.text).count(EXPIRED) == 1
    assert re.search(r'<textarea id="reply-main"[^>]*>%s</textarea>' % re.escape(html.escape(typed, quote=False)),
                     r.text), "the typed reply is kept"
    fresh = form_csrf(r.text)
    assert fresh == member.csrf
    # the form as shown now goes through
    ok = member.post("/t/%d/reply" % t["id"], data={"csrf": fresh, "body": typed}, csrf=False,
                     headers={"Origin": origin})
    assert ok.status_code == 303
    assert html.escape(typed, quote=False) in member.get("/t/%d" % t["id"]).text


def test_a_post_from_another_site_is_not_shown_back_with_its_text(server, member):
    t = new_thread(member)
    # a foreign Origin, or none at all (nobody can tell where the form came from)
    for headers in ({"Origin": "https://evil.example"}, {}):
        r = member.post("/t/%d/reply" % t["id"], data={"csrf": "stale" * 8, "body": "planted words"}, csrf=False,
                        headers=headers)
        assert r.status_code == 403
        assert "planted words" not in r.text and "reply-main" not in r.text
    r = member.post("/api/v1/threads/%d/posts" % t["id"], json={"body": "x"}, csrf=False)
    assert r.json()["error"].get("field") is None
    r = member.post("/api/v1/threads/%d/posts" % t["id"], json={"body": "x"}, csrf=False,
                    headers={"Origin": server.url("/").rstrip("/")})
    assert r.json()["error"]["field"] == "csrf"
