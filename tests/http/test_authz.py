"""Issue 9: the authorization matrix. Every route of `corral routes` is called as
anonymous, a member, the object's author, a moderator and an admin, each on a fresh
object, and the status must be the one the table expects. A route missing from the table
fails the test, so a new route cannot go unchecked."""
import hashlib
import secrets
import subprocess
import uuid

import pytest
import requests

from conftest import CORRAL, PASSWORD, Client, make_user, new_thread, reply, unique

OK = {200, 201, 202, 204, 301, 302, 303}
ROLES = ("anon", "member", "author", "moderator", "admin")

# who may: the expected status per role ("ok" = any of OK)
PUBLIC = dict(anon="ok", member="ok", author="ok", moderator="ok", admin="ok")
SIGNED = dict(anon=401, member="ok", author="ok", moderator="ok", admin="ok")
OWNER = dict(anon=401, member=403, author="ok", moderator="ok", admin="ok")
MOD = dict(anon=401, member=403, author=403, moderator="ok", admin="ok")
ADMIN = dict(anon=401, member=403, author=403, moderator=403, admin="ok")
SELF = dict(anon=401, member=403, author="ok", moderator=403, admin=403)       # own profile fields
PERSONAL = dict(anon=401, member=404, author="ok", moderator=404, admin=404)   # own API tokens
NOT_OWN = dict(anon=401, member="ok", author=403, moderator="ok", admin="ok")  # flag: not one's own post
RESTORE = dict(anon=401, member=404, author="ok", moderator="ok", admin="ok")   # an author's deleted post


class World:
    """Fresh objects on demand, owned by 'author'."""

    def __init__(self, server, cluster):
        self.server, self.cluster = server, cluster
        self.c = {
            "member": make_user(server, cluster),
            "author": make_user(server, cluster),
            "moderator": make_user(server, cluster, "moderator", "consultant"),
            "admin": make_user(server, cluster, "admin", "trainer"),
        }
        anon = Client(server)
        anon.s.get(server.url("/login"))             # a double-submit CSRF cookie, so forms reach
        anon.csrf = anon.s.cookies.get("corral_csrf")  # the handler and get its 401
        self.c["anon"] = anon

    @property
    def author(self):
        return self.c["author"]

    def thread(self):
        return new_thread(self.author)

    def post(self):
        t = self.thread()
        return t, reply(self.author, t["id"], "a reply")

    def pending_item(self):
        t = self.thread()
        p = reply(Client(self.server).register(), t["id"], "waiting")
        return self.cluster.sql("SELECT id FROM queue_items WHERE post_id = %s", (p["id"],))[0][0]

    def hidden_post(self):
        t, p = self.post()
        self.cluster.sql("UPDATE posts SET state = 'hidden' WHERE id = %s", (p["id"],))
        return p["id"]

    def token(self):
        return self.author.post("/api/v1/tokens", json={"name": "t"}).json()["api_token"]["id"]

    def victim(self, suspended=False):
        v = make_user(self.server, self.cluster)
        if suspended:
            self.cluster.sql("UPDATE users SET suspended_until = now() + interval '1 day', "
                             "suspension_reason = 'x' WHERE id = %s", (v.user["id"],))
        return v.user["username"]

    def onetime(self, purpose, email=None):
        """A fresh single-use token (schema/0018) of a throwaway account, made in SQL: only
        its BLAKE2b hash is stored, so the token itself can be made here."""
        v = make_user(self.server, self.cluster, trusted=False)
        if purpose == "verify_email":
            email = unique("v") + "@example.org"
            self.cluster.sql("UPDATE users SET email = %s WHERE id = %s", (email, v.user["id"]))
        tok = secrets.token_urlsafe(32)
        self.cluster.sql("INSERT INTO account_tokens (purpose, user_id, token_hash, email, expires_at)"
                         " VALUES (%s, %s, %s, %s, now() + interval '1 hour')",
                         (purpose, v.user["id"], hashlib.blake2b(tok.encode(), digest_size=32).digest(),
                          email if purpose != "change_email" else unique("n") + "@example.org"))
        return tok

    def unconfirmed_email(self, role):
        """Give role's account an address waiting for its confirmation link."""
        if role != "anon":
            self.cluster.sql("UPDATE users SET email = %s, email_verified_at = NULL WHERE id = %s",
                             (unique("m") + "@example.org", self.c[role].user["id"]))

    def category(self):
        """A new category, the last one: moving it down moves nothing."""
        slug = unique("c")[:12].lower()
        assert self.c["admin"].post("/api/v1/categories", json={"slug": slug, "name": "C"}).status_code == 201
        return slug

    def tagline(self):
        """The site's tagline as it is, so setting it changes nothing."""
        return requests.get(self.server.url("/api/v1/site")).json()["site"]["tagline"] or "a tagline"

    def idea(self):
        r = self.c["admin"].post("/api/v1/ideas", json={"title": unique("Idea "), "summary": "s"})
        return r.json()["idea"]["number"]

    def survey(self, closed=False):
        r = self.c["admin"].post("/api/v1/surveys", json={
            "title": unique("Survey "), "intro": "", "questions": [{"kind": "text", "prompt": "Why?"}]})
        s = r.json()["survey"]
        if closed:
            self.c["admin"].post("/api/v1/surveys/%d/close" % s["id"])
        return s


def T(w):
    return w.thread()["id"]


def P(w):
    return w.post()[1]["id"]


def DELETED(w):
    """A post its author deleted."""
    pid = P(w)
    assert w.author.delete("/api/v1/posts/%d" % pid).status_code == 204
    return pid


def form(d):
    return ("form", d)


# (method, pattern) → (expected, builder(world, role) → (path, body)); body = None, a dict
# (JSON), ("form", dict) or ("stream", None).
MATRIX = {
    ("GET", "/"): (PUBLIC, lambda w, r: ("/", None)),
    ("GET", "/c/{slug}"): (PUBLIC, lambda w, r: ("/c/general", None)),
    ("GET", "/api/v1/categories"): (PUBLIC, lambda w, r: ("/api/v1/categories", None)),
    ("GET", "/api/v1/categories/{slug}"): (PUBLIC, lambda w, r: ("/api/v1/categories/general", None)),
    ("GET", "/api/v1/community-roles"): (PUBLIC, lambda w, r: ("/api/v1/community-roles", None)),
    ("GET", "/healthz"): (PUBLIC, lambda w, r: ("/healthz", None)),
    ("GET", "/readyz"): (PUBLIC, lambda w, r: ("/readyz", None)),
    ("GET", "/metrics"): (PUBLIC, lambda w, r: ("/metrics", None)),
    ("GET", "/register"): (PUBLIC, lambda w, r: ("/register", None)),
    ("POST", "/register"): (PUBLIC, lambda w, r: ("/register", form(
        {"username": unique(), "password": PASSWORD, "community_role": "vendor"}))),
    ("GET", "/login"): (PUBLIC, lambda w, r: ("/login", None)),
    ("POST", "/login"): ("fresh", lambda w, r: ("/login", form({"username": w.author.user["username"],
                                                                 "password": PASSWORD}))),
    ("POST", "/logout"): (SIGNED, lambda w, r: ("/logout", form({}))),
    ("GET", "/settings"): (SIGNED, lambda w, r: ("/settings", None)),
    ("POST", "/settings"): (SIGNED, lambda w, r: ("/settings", form({"display_name": "Settings name"}))),
    ("POST", "/settings/tokens"): (SIGNED, lambda w, r: ("/settings/tokens", form({"name": "x"}))),
    ("POST", "/settings/tokens/{id}/delete"): (PERSONAL, lambda w, r: ("/settings/tokens/%d/delete" % w.token(), form({}))),
    ("POST", "/api/v1/users"): (PUBLIC, lambda w, r: ("/api/v1/users", {
        "username": unique(), "password": PASSWORD, "community_role": "vendor"})),
    ("POST", "/api/v1/session"): (PUBLIC, lambda w, r: ("/api/v1/session", {
        "username": w.author.user["username"], "password": PASSWORD})),
    ("DELETE", "/api/v1/session"): (SIGNED, lambda w, r: ("/api/v1/session", None)),
    ("GET", "/api/v1/me"): (SIGNED, lambda w, r: ("/api/v1/me", None)),
    ("POST", "/api/v1/tokens"): (SIGNED, lambda w, r: ("/api/v1/tokens", {"name": "x"})),
    ("GET", "/api/v1/tokens"): (SIGNED, lambda w, r: ("/api/v1/tokens", None)),
    ("DELETE", "/api/v1/tokens/{id}"): (PERSONAL, lambda w, r: ("/api/v1/tokens/%d" % w.token(), None)),
    # accounts by mail (forum/account_mail.c, forum/password_reset.c): a link's token is
    # the credential; changing one's own address and asking for a new link need a session
    ("GET", "/verify-email"): (PUBLIC, lambda w, r: ("/verify-email?token=" + w.onetime("verify_email"), None)),
    ("POST", "/verify-email"): (PUBLIC, lambda w, r: ("/verify-email", form({"token": w.onetime("change_email")}))),
    ("POST", "/api/v1/email/verify"): (PUBLIC, lambda w, r: ("/api/v1/email/verify", {"token": w.onetime("verify_email")})),
    ("POST", "/settings/email"): (SIGNED, lambda w, r: ("/settings/email", form({"email": unique("e") + "@example.org",
                                                                                 "password": PASSWORD}))),
    ("POST", "/api/v1/me/email"): (SIGNED, lambda w, r: ("/api/v1/me/email", {"email": unique("e") + "@example.org",
                                                                              "password": PASSWORD})),
    ("POST", "/settings/email/verification"): (SIGNED, lambda w, r: (w.unconfirmed_email(r), ("/settings/email/verification", form({})))[1]),
    ("POST", "/api/v1/me/email/verification"): (SIGNED, lambda w, r: (w.unconfirmed_email(r), ("/api/v1/me/email/verification", {}))[1]),
    ("GET", "/password/forgot"): (PUBLIC, lambda w, r: ("/password/forgot", None)),
    ("POST", "/password/forgot"): (PUBLIC, lambda w, r: ("/password/forgot", form({"login": unique()}))),
    ("POST", "/api/v1/password/forgot"): (PUBLIC, lambda w, r: ("/api/v1/password/forgot", {"login": unique()})),
    ("GET", "/password/reset"): (PUBLIC, lambda w, r: ("/password/reset?token=" + w.onetime("reset_password"), None)),
    ("POST", "/password/reset"): (PUBLIC, lambda w, r: ("/password/reset", form({"token": w.onetime("reset_password"),
                                                                                  "password": PASSWORD}))),
    ("POST", "/api/v1/password/reset"): (PUBLIC, lambda w, r: ("/api/v1/password/reset", {
        "token": w.onetime("reset_password"), "password": PASSWORD})),
    ("GET", "/u/{username}"): (PUBLIC, lambda w, r: ("/u/%s" % w.author.user["username"], None)),
    ("POST", "/u/{username}"): (SELF, lambda w, r: ("/u/%s" % w.author.user["username"], form({"display_name": "N"}))),
    ("POST", "/u/{username}/suspension"): (MOD, lambda w, r: (
        "/u/%s/suspension" % (w.author.user["username"] if r == "author" else w.victim()),
        form({"until": "2099-01-01T00:00:00Z", "reason": "r"}))),
    ("POST", "/u/{username}/unsuspend"): (MOD, lambda w, r: (
        "/u/%s/unsuspend" % (w.author.user["username"] if r == "author" else w.victim(True)), form({}))),
    ("GET", "/api/v1/users/{username}"): (PUBLIC, lambda w, r: ("/api/v1/users/%s" % w.author.user["username"], None)),
    ("GET", "/api/v1/users/{username}/threads"): (PUBLIC, lambda w, r: ("/api/v1/users/%s/threads" % w.author.user["username"], None)),
    ("GET", "/api/v1/users/{username}/posts"): (PUBLIC, lambda w, r: ("/api/v1/users/%s/posts" % w.author.user["username"], None)),
    ("PATCH", "/api/v1/users/{username}"): (SELF, lambda w, r: ("/api/v1/users/%s" % w.author.user["username"],
                                                                 {"display_name": "N"})),
    ("POST", "/api/v1/users/{username}/suspension"): (MOD, lambda w, r: (
        "/api/v1/users/%s/suspension" % (w.author.user["username"] if r == "author" else w.victim()),
        {"until": "2099-01-01T00:00:00Z", "reason": "r"})),
    ("DELETE", "/api/v1/users/{username}/suspension"): (MOD, lambda w, r: (
        "/api/v1/users/%s/suspension" % (w.author.user["username"] if r == "author" else w.victim(True)), None)),
    ("POST", "/admin/categories"): (ADMIN, lambda w, r: ("/admin/categories", form({"slug": unique("c")[:12].lower(), "name": "C"}))),
    ("POST", "/admin/categories/{slug}"): (ADMIN, lambda w, r: ("/admin/categories/general", form({"description": "Anything about running IT services that fits nowhere else."}))),
    ("POST", "/api/v1/categories"): (ADMIN, lambda w, r: ("/api/v1/categories", {"slug": unique("c")[:12].lower(), "name": "C"})),
    ("PATCH", "/api/v1/categories/{slug}"): (ADMIN, lambda w, r: ("/api/v1/categories/general", {"description": "Anything about running IT services that fits nowhere else."})),
    ("POST", "/admin/categories/{slug}/move"): (ADMIN, lambda w, r: ("/admin/categories/%s/move" % w.category(), form({"direction": "down"}))),
    ("POST", "/api/v1/categories/{slug}/move"): (ADMIN, lambda w, r: ("/api/v1/categories/%s/move" % w.category(), {"direction": "down"})),
    ("GET", "/admin"): (ADMIN, lambda w, r: ("/admin", None)),
    ("GET", "/api/v1/admin/mail"): (ADMIN, lambda w, r: ("/api/v1/admin/mail?state=queued", None)),
    ("GET", "/admin/users"): (ADMIN, lambda w, r: ("/admin/users?q=a", None)),
    ("GET", "/api/v1/admin/users"): (ADMIN, lambda w, r: ("/api/v1/admin/users?q=a", None)),
    ("POST", "/admin/users/{username}/role"): (ADMIN, lambda w, r: ("/admin/users/%s/role" % w.victim(), form({"role": "member"}))),
    ("GET", "/api/v1/site"): (PUBLIC, lambda w, r: ("/api/v1/site", None)),
    ("PATCH", "/api/v1/site"): (ADMIN, lambda w, r: ("/api/v1/site", {"tagline": w.tagline()})),
    ("POST", "/admin/site"): (ADMIN, lambda w, r: ("/admin/site", form({"tagline": w.tagline()}))),
    ("POST", "/admin/community-roles"): (ADMIN, lambda w, r: ("/admin/community-roles", form({"slug": unique("r")[:12].lower(), "label": "R", "kind": "helper"}))),
    ("POST", "/admin/community-roles/{slug}"): (ADMIN, lambda w, r: ("/admin/community-roles/other", form({"label": "Other"}))),
    ("POST", "/admin/users/role"): (ADMIN, lambda w, r: ("/admin/users/role", form({"username": w.victim(), "role": "member"}))),
    ("POST", "/api/v1/community-roles"): (ADMIN, lambda w, r: ("/api/v1/community-roles", {"slug": unique("r")[:12].lower(), "label": "R", "kind": "helper"})),
    ("PATCH", "/api/v1/community-roles/{slug}"): (ADMIN, lambda w, r: ("/api/v1/community-roles/other", {"label": "Other"})),
    ("GET", "/t/{id}"): (PUBLIC, lambda w, r: ("/t/%d" % T(w), None)),
    ("GET", "/t/{id}/{slug}"): (PUBLIC, lambda w, r: ("/t/%d/x" % T(w), None)),
    ("POST", "/t/{id}/reply"): (SIGNED, lambda w, r: ("/t/%d/reply" % T(w), form({"body": "hi"}))),
    ("POST", "/t/{id}/watch"): (SIGNED, lambda w, r: ("/t/%d/watch" % T(w), form({}))),
    ("POST", "/t/{id}/unwatch"): (SIGNED, lambda w, r: ("/t/%d/unwatch" % T(w), form({}))),
    ("GET", "/t/{id}/events"): (PUBLIC, lambda w, r: ("/t/%d/events" % T(w), ("stream", None))),
    ("GET", "/p/{id}/fragment"): (PUBLIC, lambda w, r: ("/p/%d/fragment" % P(w), None)),
    ("GET", "/p/{id}"): (PUBLIC, lambda w, r: ("/p/%d" % P(w), None)),
    ("GET", "/new"): (SIGNED, lambda w, r: ("/new", None)),
    ("POST", "/new"): (SIGNED, lambda w, r: ("/new", form({"category": "general", "title": "Form thread", "body": "b"}))),
    ("GET", "/api/v1/threads"): (PUBLIC, lambda w, r: ("/api/v1/threads", None)),
    ("POST", "/api/v1/threads"): (SIGNED, lambda w, r: ("/api/v1/threads", {"category": "general", "title": "API thread", "body": "b"})),
    ("GET", "/api/v1/threads/{id}"): (PUBLIC, lambda w, r: ("/api/v1/threads/%d" % T(w), None)),
    ("PATCH", "/api/v1/threads/{id}"): (OWNER, lambda w, r: ("/api/v1/threads/%d" % T(w), {"title": "Renamed thread"})),
    ("POST", "/api/v1/threads/{id}/posts"): (SIGNED, lambda w, r: ("/api/v1/threads/%d/posts" % T(w), {"body": "hi"})),
    ("POST", "/api/v1/threads/{id}/watch"): (SIGNED, lambda w, r: ("/api/v1/threads/%d/watch" % T(w), {})),
    ("DELETE", "/api/v1/threads/{id}/watch"): (SIGNED, lambda w, r: ("/api/v1/threads/%d/watch" % T(w), None)),
    ("POST", "/api/v1/preview"): (SIGNED, lambda w, r: ("/api/v1/preview", {"body": "*x*"})),
    ("GET", "/p/{id}/edit"): (OWNER, lambda w, r: ("/p/%d/edit" % P(w), None)),
    ("POST", "/p/{id}/edit"): (OWNER, lambda w, r: ("/p/%d/edit" % P(w), form({"body": "edited"}))),
    ("GET", "/p/{id}/delete"): (OWNER, lambda w, r: ("/p/%d/delete" % P(w), None)),
    ("POST", "/p/{id}/delete"): (OWNER, lambda w, r: ("/p/%d/delete" % P(w), form({}))),
    ("POST", "/p/{id}/restore"): (RESTORE, lambda w, r: ("/p/%d/restore" % DELETED(w), form({}))),
    ("POST", "/p/{id}/hide"): (MOD, lambda w, r: ("/p/%d/hide" % P(w), form({"reason": "r"}))),
    ("POST", "/p/{id}/unhide"): (MOD, lambda w, r: ("/p/%d/unhide" % w.hidden_post(), form({}))),
    ("GET", "/p/{id}/revisions"): (PUBLIC, lambda w, r: ("/p/%d/revisions" % P(w), None)),
    ("GET", "/api/v1/posts/{id}"): (PUBLIC, lambda w, r: ("/api/v1/posts/%d" % P(w), None)),
    ("PATCH", "/api/v1/posts/{id}"): (OWNER, lambda w, r: ("/api/v1/posts/%d" % P(w), {"body": "edited"})),
    ("DELETE", "/api/v1/posts/{id}"): (OWNER, lambda w, r: ("/api/v1/posts/%d" % P(w), None)),
    ("POST", "/api/v1/posts/{id}/restore"): (RESTORE, lambda w, r: ("/api/v1/posts/%d/restore" % DELETED(w), None)),
    ("POST", "/api/v1/posts/{id}/hide"): (MOD, lambda w, r: ("/api/v1/posts/%d/hide" % P(w), {"reason": "r"})),
    ("POST", "/api/v1/posts/{id}/unhide"): (MOD, lambda w, r: ("/api/v1/posts/%d/unhide" % w.hidden_post(), {})),
    ("GET", "/api/v1/posts/{id}/revisions"): (PUBLIC, lambda w, r: ("/api/v1/posts/%d/revisions" % P(w), None)),
    ("GET", "/notifications"): (SIGNED, lambda w, r: ("/notifications", None)),
    ("POST", "/notifications/read"): (SIGNED, lambda w, r: ("/notifications/read", form({}))),
    ("GET", "/api/v1/notifications"): (SIGNED, lambda w, r: ("/api/v1/notifications", None)),
    ("POST", "/api/v1/notifications/read"): (SIGNED, lambda w, r: ("/api/v1/notifications/read", {})),
    # unread tracking (forum/unread.c)
    ("GET", "/unread"): (SIGNED, lambda w, r: ("/unread", None)),
    ("GET", "/new-threads"): (SIGNED, lambda w, r: ("/new-threads", None)),
    ("POST", "/unread/read-all"): (SIGNED, lambda w, r: ("/unread/read-all", form({}))),
    ("GET", "/t/{id}/unread"): (PUBLIC, lambda w, r: ("/t/%d/unread" % T(w), None)),
    ("GET", "/api/v1/unread"): (SIGNED, lambda w, r: ("/api/v1/unread", None)),
    ("GET", "/api/v1/new"): (SIGNED, lambda w, r: ("/api/v1/new", None)),
    ("POST", "/api/v1/unread/read-all"): (SIGNED, lambda w, r: ("/api/v1/unread/read-all", {})),
    ("GET", "/api/v1/threads/{id}/unread"): (SIGNED, lambda w, r: ("/api/v1/threads/%d/unread" % T(w), None)),
    ("GET", "/voices"): (PUBLIC, lambda w, r: ("/voices", None)),
    ("GET", "/api/v1/voices"): (PUBLIC, lambda w, r: ("/api/v1/voices", None)),
    ("GET", "/feed.atom"): (PUBLIC, lambda w, r: ("/feed.atom", None)),
    ("GET", "/c/{slug}/feed.atom"): (PUBLIC, lambda w, r: ("/c/general/feed.atom", None)),
    ("GET", "/t/{id}/feed.atom"): (PUBLIC, lambda w, r: ("/t/%d/feed.atom" % T(w), None)),
    ("GET", "/mod"): (MOD, lambda w, r: ("/mod", None)),
    ("POST", "/mod/queue/{item}/decision"): (MOD, lambda w, r: ("/mod/queue/%d/decision" % w.pending_item(), form({"action": "approve"}))),
    ("GET", "/mod/log"): (SIGNED, lambda w, r: ("/mod/log", None)),
    ("POST", "/p/{id}/flag"): (NOT_OWN, lambda w, r: ("/p/%d/flag" % P(w), form({"reason": "spam"}))),
    ("POST", "/p/{id}/nominate"): (SIGNED, lambda w, r: ("/p/%d/nominate" % P(w), form({}))),
    ("GET", "/api/v1/mod/queue"): (MOD, lambda w, r: ("/api/v1/mod/queue?kind=flags", None)),
    ("POST", "/api/v1/mod/queue/{item}/decision"): (MOD, lambda w, r: ("/api/v1/mod/queue/%d/decision" % w.pending_item(), {"action": "approve"})),
    ("GET", "/api/v1/mod/log"): (SIGNED, lambda w, r: ("/api/v1/mod/log", None)),
    ("POST", "/api/v1/posts/{id}/flags"): (NOT_OWN, lambda w, r: ("/api/v1/posts/%d/flags" % P(w), {"reason": "spam"})),
    ("POST", "/api/v1/posts/{id}/nominations"): (SIGNED, lambda w, r: ("/api/v1/posts/%d/nominations" % P(w), {})),
    ("GET", "/surveys"): (PUBLIC, lambda w, r: ("/surveys", None)),
    ("GET", "/surveys/new"): (MOD, lambda w, r: ("/surveys/new", None)),
    ("POST", "/surveys/new"): (MOD, lambda w, r: ("/surveys/new", form({"title": "Form survey", "questions": "text: Why?"}))),
    ("GET", "/surveys/{id}"): (PUBLIC, lambda w, r: ("/surveys/%d" % w.survey()["id"], None)),
    ("POST", "/surveys/{id}"): (SIGNED, lambda w, r: (lambda s: ("/surveys/%d" % s["id"], form({"q%d" % s["questions"][0]["id"]: "because"})))(w.survey())),
    ("GET", "/surveys/{id}/edit"): (MOD, lambda w, r: ("/surveys/%d/edit" % w.survey()["id"], None)),
    ("POST", "/surveys/{id}/edit"): (MOD, lambda w, r: ("/surveys/%d/edit" % w.survey()["id"], form({"title": "Edited", "questions": "text: Why not?"}))),
    ("POST", "/surveys/{id}/close"): (MOD, lambda w, r: ("/surveys/%d/close" % w.survey()["id"], form({}))),
    ("GET", "/surveys/{id}/results"): (PUBLIC, lambda w, r: ("/surveys/%d/results" % w.survey(closed=True)["id"], None)),
    ("GET", "/surveys/{id}/results.csv"): (PUBLIC, lambda w, r: ("/surveys/%d/results.csv" % w.survey(closed=True)["id"], None)),
    ("GET", "/api/v1/surveys"): (PUBLIC, lambda w, r: ("/api/v1/surveys", None)),
    ("POST", "/api/v1/surveys"): (MOD, lambda w, r: ("/api/v1/surveys", {"title": "API survey", "intro": "", "questions": [{"kind": "text", "prompt": "Why?"}]})),
    ("GET", "/api/v1/surveys/template"): (PUBLIC, lambda w, r: ("/api/v1/surveys/template", None)),
    ("GET", "/api/v1/surveys/{id}"): (PUBLIC, lambda w, r: ("/api/v1/surveys/%d" % w.survey()["id"], None)),
    ("PATCH", "/api/v1/surveys/{id}"): (MOD, lambda w, r: ("/api/v1/surveys/%d" % w.survey()["id"], {"title": "Renamed"})),
    ("POST", "/api/v1/surveys/{id}/close"): (MOD, lambda w, r: ("/api/v1/surveys/%d/close" % w.survey()["id"], {})),
    ("PUT", "/api/v1/surveys/{id}/response"): (SIGNED, lambda w, r: (lambda s: ("/api/v1/surveys/%d/response" % s["id"], {"answers": [{"question_id": s["questions"][0]["id"], "text": "because"}]}))(w.survey())),
    ("GET", "/api/v1/surveys/{id}/results"): (PUBLIC, lambda w, r: ("/api/v1/surveys/%d/results" % w.survey(closed=True)["id"], None)),
    ("GET", "/api/v1/surveys/{id}/results.csv"): (PUBLIC, lambda w, r: ("/api/v1/surveys/%d/results.csv" % w.survey(closed=True)["id"], None)),
    ("GET", "/ideas"): (PUBLIC, lambda w, r: ("/ideas", None)),
    ("POST", "/ideas"): (MOD, lambda w, r: ("/ideas", form({"title": "Form idea", "summary": "s"}))),
    ("GET", "/ideas/feed.atom"): (PUBLIC, lambda w, r: ("/ideas/feed.atom", None)),
    ("GET", "/ideas/{n}"): (PUBLIC, lambda w, r: ("/ideas/%d" % w.idea(), None)),
    ("POST", "/ideas/{n}"): (MOD, lambda w, r: ("/ideas/%d" % w.idea(), form({"status": "planned", "reason": "r"}))),
    ("POST", "/ideas/{n}/vote"): (SIGNED, lambda w, r: ("/ideas/%d/vote" % w.idea(), form({}))),
    ("POST", "/ideas/{n}/unvote"): (SIGNED, lambda w, r: ("/ideas/%d/unvote" % w.idea(), form({}))),
    ("POST", "/ideas/{n}/merge"): (MOD, lambda w, r: ("/ideas/%d/merge" % w.idea(), form({"into": str(w.idea())}))),
    ("GET", "/api/v1/ideas"): (PUBLIC, lambda w, r: ("/api/v1/ideas", None)),
    ("POST", "/api/v1/ideas"): (SIGNED, lambda w, r: ("/api/v1/ideas", {"title": "API idea", "summary": "s"})),
    ("GET", "/api/v1/ideas/{n}"): (PUBLIC, lambda w, r: ("/api/v1/ideas/%d" % w.idea(), None)),
    ("PATCH", "/api/v1/ideas/{n}"): (MOD, lambda w, r: ("/api/v1/ideas/%d" % w.idea(), {"status": "planned", "reason": "r"})),
    ("POST", "/api/v1/ideas/{n}/votes"): (SIGNED, lambda w, r: ("/api/v1/ideas/%d/votes" % w.idea(), {})),
    ("DELETE", "/api/v1/ideas/{n}/votes"): (SIGNED, lambda w, r: ("/api/v1/ideas/%d/votes" % w.idea(), None)),
    ("POST", "/api/v1/ideas/{n}/merge"): (MOD, lambda w, r: ("/api/v1/ideas/%d/merge" % w.idea(), {"into": w.idea()})),
    ("GET", "/search"): (PUBLIC, lambda w, r: ("/search?q=change", None)),
    ("GET", "/api/v1/search"): (PUBLIC, lambda w, r: ("/api/v1/search?q=change", None)),
    ("GET", "/api/v1/threads/similar"): (PUBLIC, lambda w, r: ("/api/v1/threads/similar?title=change+advisory", None)),
    # issue 17: deleting accounts and exporting one's data (own accounts: ACCOUNT_ROUTES)
    ("GET", "/settings/delete"): (SIGNED, lambda w, r: ("/settings/delete", None)),
    ("POST", "/settings/delete"): (SIGNED, lambda w, r: ("/settings/delete", form({
        "password": PASSWORD, "confirm": w.c[r].user["username"] if r != "anon" else "x"}))),
    ("GET", "/account/deleted"): (PUBLIC, lambda w, r: ("/account/deleted", None)),
    ("DELETE", "/api/v1/me"): (SIGNED, lambda w, r: ("/api/v1/me", {"password": PASSWORD})),
    ("GET", "/api/v1/me/export"): (SIGNED, lambda w, r: ("/api/v1/me/export", None)),
    ("GET", "/admin/users/{username}/delete"): (ADMIN, lambda w, r: ("/admin/users/%s/delete" % w.victim(), None)),
    ("POST", "/admin/users/{username}/delete"): (ADMIN, lambda w, r: ("/admin/users/%s/delete" % w.victim(), form({"reason": "r"}))),
    ("DELETE", "/api/v1/admin/users/{username}"): (ADMIN, lambda w, r: ("/api/v1/admin/users/%s" % w.victim(), {"reason": "r"})),
}
for action in ("lock", "unlock", "pin", "unpin", "move", "merge", "split"):
    def _build(w, r, action=action):
        t, p = w.post()
        body = {"move": {"category": "general"}, "merge": {"into": T(w)}, "split": {"post_id": p["id"]}}.get(action, {})
        return "/api/v1/threads/%d/%s" % (t["id"], action), body

    def _build_form(w, r, action=action):
        path, body = _build(w, r)
        return path.replace("/api/v1/threads/", "/t/"), form({k: str(v) for k, v in body.items()})
    MATRIX[("POST", "/api/v1/threads/{id}/%s" % action)] = (MOD, _build)
    MATRIX[("POST", "/t/{id}/%s" % action)] = (MOD, _build_form)

# The pages in front of a merge and a split (issue 16).
MATRIX[("GET", "/t/{id}/merge")] = (MOD, lambda w, r: ("/t/%d/merge?q=thread" % T(w), None))
MATRIX[("GET", "/t/{id}/split")] = (MOD, lambda w, r: (lambda t, p: ("/t/%d/split?post_id=%d" % (t["id"], p["id"]),
                                                                      None))(*w.post()))


# Issue 17: a member's own sessions and password (forum/security.c).
def _author_session(w):
    """Another session of the author's: its id, for revoking."""
    other = Client(w.server).login(w.author.user["username"])
    return [s["id"] for s in other.get("/api/v1/me/sessions").json()["sessions"] if s["current"]][0]


def _password_change(w, r, path, wrap=lambda b: b):
    """A change back to PASSWORD (after one away from it), so every account keeps it."""
    if r != "anon":
        away = w.c[r].post("/api/v1/me/password", json={"current_password": PASSWORD,
                                                        "new_password": PASSWORD + " (away)"})
        assert away.status_code == 200, away.text
    return path, wrap({"current_password": PASSWORD + " (away)", "new_password": PASSWORD})


MATRIX.update({
    ("GET", "/api/v1/me/sessions"): (SIGNED, lambda w, r: ("/api/v1/me/sessions", None)),
    ("DELETE", "/api/v1/me/sessions"): (SIGNED, lambda w, r: ("/api/v1/me/sessions", None)),
    ("DELETE", "/api/v1/me/sessions/{id}"): (PERSONAL, lambda w, r: ("/api/v1/me/sessions/%d" % _author_session(w), None)),
    ("POST", "/settings/sessions/{id}/delete"): (PERSONAL, lambda w, r: (
        "/settings/sessions/%d/delete" % _author_session(w), form({}))),
    ("POST", "/settings/sessions/others/delete"): (SIGNED, lambda w, r: ("/settings/sessions/others/delete", form({}))),
    ("POST", "/api/v1/me/password"): (SIGNED, lambda w, r: _password_change(w, r, "/api/v1/me/password")),
    ("POST", "/settings/password"): (SIGNED, lambda w, r: _password_change(w, r, "/settings/password", form)),
})


# Uploads (issue 19, forum/uploads.c, test_uploads.py). A file linked from a visible post is
# public; unlinked ones (only the uploader and moderators) are checked in test_uploads.py.
def _linked_upload(w):
    r = w.author.post("/api/v1/uploads", files={"file": ("a.txt", unique("text ").encode(), "text/plain")})
    assert r.status_code == 201, r.text
    u = r.json()
    reply(w.author, T(w), u["markdown"])
    return u["url"]


MATRIX.update({
    ("POST", "/api/v1/uploads"): (SIGNED, lambda w, r: ("/api/v1/uploads", ("files", {
        "file": ("a.txt", unique("upload ").encode(), "text/plain")}))),
    ("GET", "/uploads/{file}"): (PUBLIC, lambda w, r: (_linked_upload(w), None)),
})


# Two-factor sign-in (issue 17, test_totp.py). The world's accounts never turn it on (their
# sign-ins must stay one step): confirming gets a code that cannot match (400, after an
# enrolment started for the role), new codes and turning off answer 409 (it is off), and the
# second sign-in step 401 (no pending sign-in).
CONFIRM_2FA = dict(anon=401, member=400, author=400, moderator=400, admin=400)
OFF_2FA = dict(anon=401, member=409, author=409, moderator=409, admin=409)
ALL_401 = dict(anon=401, member=401, author=401, moderator=401, admin=401)


def _enrolling(w, r):
    if r != "anon":
        assert w.c[r].post("/api/v1/me/2fa").status_code == 201


def _confirm_2fa(path, body):
    return lambda w, r: (_enrolling(w, r), (path, body))[1]


MATRIX.update({
    ("GET", "/settings/2fa"): (SIGNED, lambda w, r: ("/settings/2fa", None)),
    ("POST", "/settings/2fa/setup"): (SIGNED, lambda w, r: ("/settings/2fa/setup", form({}))),
    ("POST", "/settings/2fa/confirm"): (CONFIRM_2FA, _confirm_2fa("/settings/2fa/confirm", form({"code": "abcdef"}))),
    ("POST", "/settings/2fa/recovery-codes"): (OFF_2FA, lambda w, r: (
        "/settings/2fa/recovery-codes", form({"code": "123456"}))),
    ("POST", "/settings/2fa/disable"): (OFF_2FA, lambda w, r: (
        "/settings/2fa/disable", form({"password": PASSWORD, "code": "123456"}))),
    ("GET", "/login/2fa"): (PUBLIC, lambda w, r: ("/login/2fa", None)),
    ("POST", "/login/2fa"): (ALL_401, lambda w, r: ("/login/2fa", form({"code": "123456"}))),
    ("GET", "/api/v1/me/2fa"): (SIGNED, lambda w, r: ("/api/v1/me/2fa", None)),
    ("POST", "/api/v1/me/2fa"): (SIGNED, lambda w, r: ("/api/v1/me/2fa", {})),
    ("POST", "/api/v1/me/2fa/confirm"): (CONFIRM_2FA, _confirm_2fa("/api/v1/me/2fa/confirm", {"code": "abcdef"})),
    ("POST", "/api/v1/me/2fa/recovery-codes"): (OFF_2FA, lambda w, r: (
        "/api/v1/me/2fa/recovery-codes", {"code": "123456"})),
    ("POST", "/api/v1/me/2fa/disable"): (OFF_2FA, lambda w, r: (
        "/api/v1/me/2fa/disable", {"password": PASSWORD, "code": "123456"})),
    ("POST", "/api/v1/session/2fa"): (ALL_401, lambda w, r: (
        "/api/v1/session/2fa", {"pending_token": "A" * 43, "code": "123456"})),
})


# Issue 18: mail preferences, unsubscribe links (the signed token is the credential:
# anyone holding it may use it), following ideas.
def UNSUB(w):
    """A valid unsubscribe token of the author's, for the kind nothing sends yet."""
    from test_notify_mail import unsub_token
    return unsub_token(lambda q, p=None: w.cluster.sql(q, p), w.author.user["id"], "survey")


MATRIX.update({
    ("GET", "/api/v1/me/mail-preferences"): (SIGNED, lambda w, r: ("/api/v1/me/mail-preferences", None)),
    ("PUT", "/api/v1/me/mail-preferences"): (SIGNED, lambda w, r: ("/api/v1/me/mail-preferences", {"survey": "digest"})),
    ("POST", "/settings/mail"): (SIGNED, lambda w, r: ("/settings/mail", form({"survey": "digest"}))),
    ("GET", "/unsubscribe"): (PUBLIC, lambda w, r: ("/unsubscribe?token=" + UNSUB(w), None)),
    ("POST", "/unsubscribe"): (PUBLIC, lambda w, r: ("/unsubscribe?token=" + UNSUB(w), form({}))),
    ("GET", "/api/v1/unsubscribe"): (PUBLIC, lambda w, r: ("/api/v1/unsubscribe?token=" + UNSUB(w), None)),
    ("POST", "/api/v1/unsubscribe"): (PUBLIC, lambda w, r: ("/api/v1/unsubscribe", {"token": UNSUB(w)})),
    ("POST", "/ideas/{n}/follow"): (SIGNED, lambda w, r: ("/ideas/%d/follow" % w.idea(), form({}))),
    ("POST", "/ideas/{n}/unfollow"): (SIGNED, lambda w, r: ("/ideas/%d/unfollow" % w.idea(), form({}))),
    ("POST", "/api/v1/ideas/{n}/follow"): (SIGNED, lambda w, r: ("/api/v1/ideas/%d/follow" % w.idea(), {})),
    ("DELETE", "/api/v1/ideas/{n}/follow"): (SIGNED, lambda w, r: ("/api/v1/ideas/%d/follow" % w.idea(), None)),
})


# Issue 19: reactions and accepted answers (forum/reactions.c, forum/answers.c).
def _question(w):
    """A thread of the author's in a question-style category, with a member's reply."""
    if not hasattr(w, "question_cat"):
        w.question_cat = unique("q")[:12].lower()
        r = w.c["admin"].post("/api/v1/categories", json={"slug": w.question_cat, "name": "Q", "question_style": True})
        assert r.status_code == 201, r.text
    t = new_thread(w.author, category=w.question_cat)
    return t, reply(w.c["member"], t["id"], "an answer")


def _answered(w):
    t, p = _question(w)
    assert w.author.post("/api/v1/threads/%d/answer" % t["id"], json={"post_id": p["id"]}).status_code == 200
    return t["id"]


MATRIX.update({
    ("POST", "/p/{id}/reactions/{kind}"): (NOT_OWN, lambda w, r: ("/p/%d/reactions/thanks" % P(w), form({}))),
    ("POST", "/p/{id}/reactions/{kind}/delete"): (SIGNED, lambda w, r: ("/p/%d/reactions/thanks/delete" % P(w), form({}))),
    ("POST", "/api/v1/posts/{id}/reactions/{kind}"): (NOT_OWN, lambda w, r: ("/api/v1/posts/%d/reactions/plus_one" % P(w), None)),
    ("DELETE", "/api/v1/posts/{id}/reactions/{kind}"): (SIGNED, lambda w, r: ("/api/v1/posts/%d/reactions/plus_one" % P(w), None)),
    ("POST", "/t/{id}/answer"): (OWNER, lambda w, r: (lambda t, p: ("/t/%d/answer" % t["id"], form({"post_id": str(p["id"])})))(*_question(w))),
    ("POST", "/t/{id}/unanswer"): (OWNER, lambda w, r: ("/t/%d/unanswer" % _answered(w), form({}))),
    ("POST", "/api/v1/threads/{id}/answer"): (OWNER, lambda w, r: (lambda t, p: ("/api/v1/threads/%d/answer" % t["id"], {"post_id": p["id"]}))(*_question(w))),
    ("DELETE", "/api/v1/threads/{id}/answer"): (OWNER, lambda w, r: ("/api/v1/threads/%d/answer" % _answered(w), None)),
})


# Issue 19: bookmarks (forum/bookmarks.c). Removing one needs one of the role's own.
def _bookmarked(w, r):
    pid = P(w)
    if r != "anon":
        assert w.c[r].post("/api/v1/posts/%d/bookmark" % pid, json={}).status_code in (200, 201)
    return pid


MATRIX.update({
    ("GET", "/bookmarks"): (SIGNED, lambda w, r: ("/bookmarks", None)),
    ("GET", "/api/v1/me/bookmarks"): (SIGNED, lambda w, r: ("/api/v1/me/bookmarks", None)),
    ("GET", "/p/{id}/bookmark"): (SIGNED, lambda w, r: ("/p/%d/bookmark" % P(w), None)),
    ("POST", "/p/{id}/bookmark"): (SIGNED, lambda w, r: ("/p/%d/bookmark" % P(w), form({"remind": "hour"}))),
    ("POST", "/p/{id}/bookmark/delete"): (SIGNED, lambda w, r: ("/p/%d/bookmark/delete" % _bookmarked(w, r), form({}))),
    ("POST", "/api/v1/posts/{id}/bookmark"): (SIGNED, lambda w, r: ("/api/v1/posts/%d/bookmark" % P(w), {"note": "n"})),
    ("PUT", "/api/v1/posts/{id}/bookmark"): (SIGNED, lambda w, r: ("/api/v1/posts/%d/bookmark" % P(w), {})),
    ("DELETE", "/api/v1/posts/{id}/bookmark"): (SIGNED, lambda w, r: ("/api/v1/posts/%d/bookmark" % _bookmarked(w, r), None)),
})

# Issue 21: ask the doers (forum/asks.c).
def _asked(w):
    t = w.thread()
    assert w.author.post("/api/v1/threads/%d/ask" % t["id"]).status_code == 200
    return t["id"]


MATRIX.update({
    ("POST", "/t/{id}/ask"): (OWNER, lambda w, r: ("/t/%d/ask" % w.thread()["id"], form({}))),
    ("POST", "/t/{id}/ask/close"): (OWNER, lambda w, r: ("/t/%d/ask/close" % _asked(w), form({}))),
    ("POST", "/api/v1/threads/{id}/ask"): (OWNER, lambda w, r: ("/api/v1/threads/%d/ask" % w.thread()["id"], None)),
    ("DELETE", "/api/v1/threads/{id}/ask"): (OWNER, lambda w, r: ("/api/v1/threads/%d/ask" % _asked(w), None)),
    ("GET", "/asks"): (PUBLIC, lambda w, r: ("/asks", None)),
    ("GET", "/api/v1/asks"): (PUBLIC, lambda w, r: ("/api/v1/asks", None)),
    ("GET", "/api/v1/me/asks"): (SIGNED, lambda w, r: ("/api/v1/me/asks", None)),
    ("PUT", "/api/v1/me/asks"): (SIGNED, lambda w, r: ("/api/v1/me/asks", {"notify": False})),
    ("POST", "/settings/asks"): (SIGNED, lambda w, r: ("/settings/asks", form({}))),
})


# Issue 19: tags (forum/tags.c): moderators manage them; a thread's author or a moderator
# retags it, another member cannot.
def TAG(w):
    """A fresh tag, made by the moderator."""
    name = unique("t")[:12].lower()
    assert w.c["moderator"].post("/api/v1/tags", json={"name": name}).status_code == 201
    return name


MATRIX.update({
    ("GET", "/tags"): (PUBLIC, lambda w, r: ("/tags", None)),
    ("POST", "/tags"): (MOD, lambda w, r: ("/tags", form({"name": unique("t")[:12].lower()}))),
    ("POST", "/tags/{name}"): (MOD, lambda w, r: ("/tags/%s" % TAG(w), form({"description": "d"}))),
    ("POST", "/tags/{name}/delete"): (MOD, lambda w, r: ("/tags/%s/delete" % TAG(w), form({}))),
    ("GET", "/tags/{name}"): (PUBLIC, lambda w, r: ("/tags/%s" % TAG(w), None)),
    ("GET", "/tags/{name}/feed.atom"): (PUBLIC, lambda w, r: ("/tags/%s/feed.atom" % TAG(w), None)),
    ("GET", "/api/v1/tags"): (PUBLIC, lambda w, r: ("/api/v1/tags", None)),
    ("POST", "/api/v1/tags"): (MOD, lambda w, r: ("/api/v1/tags", {"name": unique("t")[:12].lower()})),
    ("GET", "/api/v1/tags/{name}"): (PUBLIC, lambda w, r: ("/api/v1/tags/%s" % TAG(w), None)),
    ("PATCH", "/api/v1/tags/{name}"): (MOD, lambda w, r: ("/api/v1/tags/%s" % TAG(w), {"description": "d"})),
    ("DELETE", "/api/v1/tags/{name}"): (MOD, lambda w, r: ("/api/v1/tags/%s" % TAG(w), None)),
    ("POST", "/t/{id}/tags"): (OWNER, lambda w, r: ("/t/%d/tags" % T(w), form({"tags": TAG(w)}))),
    ("PUT", "/api/v1/threads/{id}/tags"): (OWNER, lambda w, r: ("/api/v1/threads/%d/tags" % T(w), {"tags": [TAG(w)]})),
})



# Issue 19: ideas proposed by members (202 into the ideas queue; moderators still create
# at once, 201) and comments on ideas (forum/idea_proposals.c, forum/idea_comments.c).
PROPOSAL = dict(anon=401, member=404, author="ok", moderator="ok", admin="ok")  # the proposer's own


def _proposal(w):
    r = w.author.post("/api/v1/ideas", json={"title": unique("Proposal "), "summary": "s"})
    assert r.status_code == 202, r.text
    return r.json()["proposal"]["id"]


def _comment(w, hidden=False):
    """A comment of the author's on a fresh idea: (idea, comment)."""
    n = w.idea()
    r = w.author.post("/api/v1/ideas/%d/comments" % n, json={"body": "a comment"})
    assert r.status_code == 201, r.text
    cid = r.json()["comment"]["id"]
    if hidden:
        w.cluster.sql("UPDATE idea_comments SET state = 'hidden' WHERE id = %s", (cid,))
    return n, cid


MATRIX.update({
    ("GET", "/ideas/new"): (SIGNED, lambda w, r: ("/ideas/new", None)),
    ("POST", "/ideas/new"): (SIGNED, lambda w, r: ("/ideas/new", form({"title": unique("Form proposal "), "summary": "s"}))),
    ("GET", "/ideas/proposals/{id}"): (PROPOSAL, lambda w, r: ("/ideas/proposals/%d" % _proposal(w), None)),
    ("GET", "/api/v1/ideas/proposals/{id}"): (PROPOSAL, lambda w, r: ("/api/v1/ideas/proposals/%d" % _proposal(w), None)),
    ("GET", "/api/v1/ideas/similar"): (PUBLIC, lambda w, r: ("/api/v1/ideas/similar?title=idea", None)),
    ("POST", "/ideas/{n}/comments"): (SIGNED, lambda w, r: ("/ideas/%d/comments" % w.idea(), form({"body": "c"}))),
    ("POST", "/ideas/{n}/comments/{id}"): (SELF, lambda w, r: ("/ideas/%d/comments/%d" % _comment(w), form({"body": "e"}))),
    ("POST", "/ideas/{n}/comments/{id}/hide"): (MOD, lambda w, r: ("/ideas/%d/comments/%d/hide" % _comment(w), form({"reason": "r"}))),
    ("POST", "/ideas/{n}/comments/{id}/unhide"): (MOD, lambda w, r: ("/ideas/%d/comments/%d/unhide" % _comment(w, True), form({}))),
    ("GET", "/api/v1/ideas/{n}/comments"): (PUBLIC, lambda w, r: ("/api/v1/ideas/%d/comments" % w.idea(), None)),
    ("POST", "/api/v1/ideas/{n}/comments"): (SIGNED, lambda w, r: ("/api/v1/ideas/%d/comments" % w.idea(), {"body": "c"})),
    ("PATCH", "/api/v1/ideas/{n}/comments/{id}"): (SELF, lambda w, r: ("/api/v1/ideas/%d/comments/%d" % _comment(w), {"body": "e"})),
    ("POST", "/api/v1/ideas/{n}/comments/{id}/hide"): (MOD, lambda w, r: ("/api/v1/ideas/%d/comments/%d/hide" % _comment(w), {"reason": "r"})),
    ("POST", "/api/v1/ideas/{n}/comments/{id}/unhide"): (MOD, lambda w, r: ("/api/v1/ideas/%d/comments/%d/unhide" % _comment(w, True), {})),
})



# Issue 21: verified community roles (forum/verification.c). A role asks for its own role
# (any open request of the role's account is withdrawn first, so each call is the first);
# a decision takes a fresh open request; a work-address link is made in SQL with the
# unconfirmed request it confirms.
CROLE = dict(anon="practitioner", member="practitioner", author="practitioner", moderator="consultant",
             admin="trainer")


def _fresh_ask(w, r):
    if r != "anon":
        w.cluster.sql("UPDATE role_verifications SET state = 'withdrawn' WHERE user_id = %s"
                      " AND state IN ('open', 'unconfirmed')", (w.c[r].user["id"],))
    return {"community_role": CROLE[r], "note": "I run the plant's maintenance crew."}


def _verification(w, state="open"):
    v = make_user(w.server, w.cluster)
    email = unique("w") + "@example.org"
    vid = w.cluster.sql("INSERT INTO role_verifications (user_id, community_role, note, work_email, state, queued_at)"
                        " VALUES (%s, 'practitioner', 'evidence', %s, %s, now()) RETURNING id",
                        (v.user["id"], email, state))[0][0]
    return v, vid, email


def _work_token(w):
    v, _, email = _verification(w, "unconfirmed")
    tok = secrets.token_urlsafe(32)
    w.cluster.sql("INSERT INTO account_tokens (purpose, user_id, token_hash, email, expires_at)"
                  " VALUES ('verify_work_email', %s, %s, %s, now() + interval '1 hour')",
                  (v.user["id"], hashlib.blake2b(tok.encode(), digest_size=32).digest(), email))
    return tok


MATRIX.update({
    ("GET", "/settings/verification"): (SIGNED, lambda w, r: ("/settings/verification", None)),
    ("POST", "/settings/verification"): (SIGNED, lambda w, r: ("/settings/verification", form(_fresh_ask(w, r)))),
    ("GET", "/api/v1/me/verification"): (SIGNED, lambda w, r: ("/api/v1/me/verification", None)),
    ("POST", "/api/v1/me/verification"): (SIGNED, lambda w, r: ("/api/v1/me/verification", _fresh_ask(w, r))),
    ("GET", "/verification/confirm"): (PUBLIC, lambda w, r: ("/verification/confirm?token=" + _work_token(w), None)),
    ("POST", "/verification/confirm"): (PUBLIC, lambda w, r: ("/verification/confirm", form({"token": _work_token(w)}))),
    ("POST", "/api/v1/me/verification/confirm"): (PUBLIC, lambda w, r: (
        "/api/v1/me/verification/confirm", {"token": _work_token(w)})),
    ("GET", "/mod/verifications"): (MOD, lambda w, r: ("/mod/verifications", None)),
    ("POST", "/mod/verifications/{id}/decision"): (MOD, lambda w, r: (
        "/mod/verifications/%d/decision" % _verification(w)[1], form({"action": "approve"}))),
    ("GET", "/api/v1/mod/verifications"): (MOD, lambda w, r: ("/api/v1/mod/verifications", None)),
    ("POST", "/api/v1/mod/verifications/{id}/decision"): (MOD, lambda w, r: (
        "/api/v1/mod/verifications/%d/decision" % _verification(w)[1], {"action": "reject", "reason": "no evidence"})),
})


# Issue 21 (part): declared affiliations (helpers only: the matrix's member and author are
# practitioners, its moderator a consultant, its admin a trainer) and the monthly report.
HELPERS = dict(anon=401, member=403, author=403, moderator="ok", admin="ok")
MATRIX.update({
    ("GET", "/api/v1/me/affiliation"): (SIGNED, lambda w, r: ("/api/v1/me/affiliation", None)),
    ("PUT", "/api/v1/me/affiliation"): (HELPERS, lambda w, r: ("/api/v1/me/affiliation", {"organisation": "Acme"})),
    ("DELETE", "/api/v1/me/affiliation"): (SIGNED, lambda w, r: ("/api/v1/me/affiliation", None)),
    ("POST", "/settings/affiliation"): (HELPERS, lambda w, r: ("/settings/affiliation", form({"organisation": "Acme"}))),
    ("GET", "/report"): (PUBLIC, lambda w, r: ("/report", None)),
    ("GET", "/report/{month}"): (PUBLIC, lambda w, r: ("/report/2025-01", None)),
    ("GET", "/api/v1/report"): (PUBLIC, lambda w, r: ("/api/v1/report", None)),
    ("GET", "/api/v1/report/{month}"): (PUBLIC, lambda w, r: ("/api/v1/report/2025-01", None)),
})



# Issue 21: posting as "a verified practitioner". The reveal is the admins' alone; the
# suspension through a post is the moderators' (on a fresh member's post, so the world's
# author stays unsuspended; the author role suspending through its own post is refused).
def _anon_post(w):
    pid = P(w)
    w.cluster.sql("UPDATE posts SET anonymous = true WHERE id = %s", (pid,))
    return pid


def _victim_post(w, r):
    if r == "author":
        return P(w)
    v = make_user(w.server, w.cluster)
    return reply(v, new_thread(v)["id"], "a reply")["id"]


MATRIX.update({
    ("POST", "/api/v1/posts/{id}/reveal"): (ADMIN, lambda w, r: (
        "/api/v1/posts/%d/reveal" % _anon_post(w), {"reason": "a court order"})),
    ("POST", "/api/v1/posts/{id}/suspend-author"): (MOD, lambda w, r: (
        "/api/v1/posts/%d/suspend-author" % _victim_post(w, r), {"reason": "spam", "duration": "day"})),
    ("POST", "/p/{id}/reveal"): (ADMIN, lambda w, r: (
        "/p/%d/reveal" % _anon_post(w), form({"reason": "a court order"}))),
    ("POST", "/p/{id}/suspend-author"): (MOD, lambda w, r: (
        "/p/%d/suspend-author" % _victim_post(w, r), form({"reason": "spam", "duration": "day"}))),
})

# Issue 20: the pages behind the links under each post (forum/post_forms.c), each as its
# form's POST allows.
MATRIX.update({
    ("GET", "/t/{id}/reply"): (SIGNED, lambda w, r: (lambda t, p: ("/t/%d/reply?to=%d" % (t["id"], p["id"]), None))(
        *w.post())),
    ("GET", "/p/{id}/flag"): (NOT_OWN, lambda w, r: ("/p/%d/flag" % P(w), None)),
    ("GET", "/p/{id}/hide"): (MOD, lambda w, r: ("/p/%d/hide" % P(w), None)),
    ("GET", "/p/{id}/suspend-author"): (MOD, lambda w, r: ("/p/%d/suspend-author" % _anon_post(w), None)),
    ("GET", "/p/{id}/reveal"): (ADMIN, lambda w, r: ("/p/%d/reveal" % _anon_post(w), None)),
})

SESSION_ROUTES = {("POST", "/register"), ("POST", "/login"), ("POST", "/logout"), ("POST", "/api/v1/users"),
                  ("POST", "/api/v1/session"), ("DELETE", "/api/v1/session")}
# routes that delete the caller's own account: each role gets a fresh account of its role
ACCOUNT_ROUTES = {("POST", "/settings/delete"), ("DELETE", "/api/v1/me")}
PERMISSION = dict(member="member", author="member", moderator="moderator", admin="admin")


def call(w, role, method, path, body):
    client = w.c[role]
    if role == "anon":
        client = w.c["anon"]
    if isinstance(body, tuple) and body[0] == "stream":
        r = client.s.get(w.server.url(path), stream=True, timeout=10)
        r.close()
        return r.status_code
    if isinstance(body, tuple) and body[0] == "files":   # multipart/form-data (uploads)
        headers = {"X-CSRF-Token": client.csrf} if client.csrf and role != "anon" else {}
        return client.s.request(method, w.server.url(path), files=body[1], headers=headers,
                                allow_redirects=False).status_code
    if isinstance(body, tuple) and body[0] == "form":
        data = dict(body[1])
        data["csrf"] = client.csrf or ""
        return client.s.request(method, w.server.url(path), data=data, allow_redirects=False).status_code
    headers = {}
    if client.csrf and role != "anon":
        headers["X-CSRF-Token"] = client.csrf
    return client.s.request(method, w.server.url(path), json=body, headers=headers, allow_redirects=False).status_code


def test_the_matrix_covers_every_route():
    out = subprocess.run([CORRAL, "routes"], capture_output=True, text=True, check=True).stdout
    routes = {tuple(line.split(" ", 1)) for line in out.splitlines() if line}
    missing = sorted(routes - set(MATRIX))
    stale = sorted(set(MATRIX) - routes)
    assert not missing, "routes without an authorization expectation: %s" % missing
    assert not stale, "expectations for routes that do not exist: %s" % stale


@pytest.fixture(scope="module")
def world(server, cluster):
    return World(server, cluster)


@pytest.mark.parametrize("route", sorted(MATRIX), ids=lambda r: "%s %s" % r)
def test_every_route_as_every_role(world, route):
    expected, build = MATRIX[route]
    method = route[0]
    failures = []
    for role in ROLES:
        if expected == "fresh":  # signing in works for everyone, signed in or not
            want = "ok"
        else:
            want = expected[role]
        # routes that start or end a session get a session of their own, so the shared
        # clients keep theirs (signing in from a session ends that session)
        if route in ACCOUNT_ROUTES and role != "anon":
            saved = world.c[role]
            world.c[role] = make_user(world.server, world.cluster, PERMISSION[role])
            try:
                path, body = build(world, role)
                got = call(world, role, method, path, body)
            finally:
                world.c[role] = saved
        elif route in SESSION_ROUTES:
            saved = world.c[role]
            if role == "anon":
                fresh = Client(world.server)
                fresh.s.get(world.server.url("/login"))
                fresh.csrf = fresh.s.cookies.get("corral_csrf")
            else:
                fresh = Client(world.server).login(saved.user["username"])
            world.c[role] = fresh
            try:
                path, body = build(world, role)
                got = call(world, role, method, path, body)
            finally:
                world.c[role] = saved
        else:
            path, body = build(world, role)
            got = call(world, role, method, path, body)
        ok = got in OK if want == "ok" else got == want
        if not ok:
            failures.append("%s: %s %s → %s, want %s" % (role, method, path, got, want))
    assert not failures, "\n".join(failures)
