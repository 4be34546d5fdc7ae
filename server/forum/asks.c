/* forum/asks.c — "Ask the doers": a thread's author or a moderator asks its question of the
 * practitioners. Those who opted in are notified once per thread, at most
 * forum_config()->ask_weekly_cap times a week each (in one statement: ask_notify() in
 * schema/0033); the thread shows the ask; /asks lists the open ones, those no practitioner
 * has answered yet first; the author or a moderator closes an ask (and may reopen it,
 * which tells nobody again). A moderator asking or closing for someone else is logged. */
#include <string.h>

#include "auth/auth.h"
#include "db/db.h"
#include "forum/modlog.h"
#include "forum/policy.h"
#include "forum/posts.h"
#include "forum/reactions.h"
#include "forum/routes.h"
#include "forum/sharedpage.h"

#define ASKS_PAGE 30

static bool
asks_doer(const struct viewer *v)
{
	return v->community_kind && strcmp(v->community_kind, "doer") == 0;
}

void
asks_decorate(struct req *r, PGresult *res, json_t *thread_model)
{
	struct viewer *v = auth_viewer(r);
	bool open = db_bool(res, 0, db_col(res, "ask_open"));
	bool visible, locked, may, may_own;
	int64_t author;

	if (thread_model == NULL)
		return;
	visible = policy_state_parse(db_str(res, 0, db_col(res, "state"))) == STATE_VISIBLE;
	locked = db_bool(res, 0, db_col(res, "locked"));
	author = db_i64(res, 0, db_col(res, "author_id"));
	may = visible && policy_can_ask(v, author, locked);
	json_object_set_new(thread_model, "ask",
			    open ? json_pack("{s:b,s:s,s:s?}", "open", 1, "asked_at", db_str(res, 0, db_col(res, "ask_at")),
					     "asked_by", db_str(res, 0, db_col(res, "ask_by")))
				 : json_null());
	if (r->shared) {
		/* a shared copy (forum/sharedpage.h): also as the thread's author */
		may_own = visible && policy_can_ask(v, v->id, locked);
		json_object_set_new(thread_model, "can_ask", sharedpage_is(r, author, may_own && !open, may && !open));
		json_object_set_new(thread_model, "can_close_ask", sharedpage_is(r, author, may_own && open, may && open));
		return;
	}
	json_object_set_new(thread_model, "can_ask", json_boolean(may && !open));
	json_object_set_new(thread_model, "can_close_ask", json_boolean(may && open));
}

struct asks_write {
	struct req *r;
	int64_t thread;
	bool open;              /* ask (or reopen), or close */
	int notified;           /* out: practitioners told */
	bool changed;           /* out: the ask's state changed */
};

static enum herr
asks_tx(struct ctx *c, void *arg)
{
	struct asks_write *w = arg;
	struct viewer *v = auth_viewer(w->r);
	const char *why;
	PGresult *res;
	int64_t author;
	bool asked, open;
	enum herr e;

	if ((res = db_q(c, STMT_ASK_THREAD_LOCK, db_int(c, w->thread))) == NULL)
		return c->err;
	if (PQntuples(res) == 0)
		return http_fail(w->r, HERR_NOT_FOUND, NULL, "There is no such thread.");
	author = db_i64(res, 0, db_col(res, "author_id"));
	if (!policy_may_see(v, policy_state_parse(db_str(res, 0, db_col(res, "state"))), author))
		return http_fail(w->r, HERR_NOT_FOUND, NULL, "There is no such thread.");
	if ((e = policy_ask(v, author, db_bool(res, 0, db_col(res, "locked")), &why)) != HERR_OK)
		return http_fail(w->r, e, NULL, why);
	if (policy_state_parse(db_str(res, 0, db_col(res, "state"))) != STATE_VISIBLE ||
	    db_bool(res, 0, db_col(res, "merged")))
		return http_fail(w->r, HERR_CONFLICT, NULL, "Only a visible thread asks the practitioners.");
	asked = db_bool(res, 0, db_col(res, "asked"));
	open = db_bool(res, 0, db_col(res, "open"));
	if (open == w->open)
		return HERR_OK;   /* already so: nothing to write, tell or log */
	if ((w->open ? db_q(c, STMT_ASK_OPEN, db_int(c, w->thread), db_int(c, v->id))
		     : db_q(c, STMT_ASK_CLOSE, db_int(c, w->thread))) == NULL)
		return c->err;
	w->changed = true;
	if (w->open && !asked) {
		/* The author of an anonymous thread asks without their name (schema/0034). */
		bool anon = v->id == author && db_bool(res, 0, db_col(res, "anonymous"));
		const char *msg = arena_printf(c->arena, "%s asks practitioners: what is your experience with “%s”?",
					       anon ? FORUM_ANON_LABEL : v->username, db_str(res, 0, db_col(res, "title")));

		if ((res = db_q(c, STMT_ASK_NOTIFY, db_int(c, w->thread), db_int(c, v->id),
				db_int(c, forum_config()->ask_weekly_cap), msg)) == NULL)
			return c->err;
		w->notified = (int)db_i64(res, 0, 0);
	}
	/* Asking for one's own thread is the author's business; a moderator doing it for them
	 * (or closing their ask) is moderation. */
	if (v->id != author && modlog_add(c, v->id, w->open ? "ask_doers" : "close_ask", "thread",
					  db_int(c, w->thread), NULL, json_pack("{s:i}", "notified", w->notified)) != 0)
		return c->err;
	return HERR_OK;
}

static enum herr
asks_set(struct req *r, bool open)
{
	struct asks_write w = { .r = r, .open = open };

	if (http_param_id(r, "id", &w.thread) != 0 || auth_require(r, ROLE_MEMBER) != 0)
		return r->c.err;
	if (db_transaction(&r->c, asks_tx, &w) != HERR_OK)
		return r->c.err;
	r->model = json_pack("{s:{s:I,s:b},s:i,s:b}", "thread", "id", (json_int_t)w.thread, "ask_open", open,
			     "notified", w.notified, "changed", w.changed);
	r->location = arena_printf(r->c.arena, "/t/%lld", (long long)w.thread);
	return HERR_OK;
}

static enum herr asks_open(struct req *r) { return asks_set(r, true); }
static enum herr asks_close(struct req *r) { return asks_set(r, false); }

/* GET /asks and /api/v1/asks: the open asks, page by page. */
static enum herr
asks_list(struct req *r)
{
	json_t *items, *it;
	PGresult *res;
	int64_t page;
	long long total = 0;
	size_t i;

	if (http_query_int(r, "page", 1, 100000, 1, &page) != 0)
		return r->c.err;
	res = db_q(&r->c, STMT_ASKS_LIST, db_int(&r->c, ASKS_PAGE), db_int(&r->c, (page - 1) * ASKS_PAGE));
	if (res == NULL)
		return r->c.err;
	if (PQntuples(res) > 0)
		total = db_i64(res, 0, db_col(res, "total"));
	items = db_rows_json(res);
	json_array_foreach(items, i, it) {
		json_object_del(it, "total");
		json_object_del(it, "at");
		json_object_set_new(it, "unanswered",
				    json_boolean(json_integer_value(json_object_get(it, "practitioner_replies")) == 0));
	}
	http_cache_tag(r, "lists");
	json_object_set_new(http_model(r), "asks", items);
	json_object_set_new(r->model, "current_page", json_integer(page));   /* "page" is the page context */
	json_object_set_new(r->model, "pages", json_integer(total ? (total + ASKS_PAGE - 1) / ASKS_PAGE : 1));
	json_object_set_new(r->model, "total", json_integer(total));
	if (r->html) {
		if (page > 1)
			json_object_set_new(r->model, "prev", json_sprintf("/asks?page=%lld", (long long)page - 1));
		if (page * ASKS_PAGE < total)
			json_object_set_new(r->model, "next", json_sprintf("/asks?page=%lld", (long long)page + 1));
	}
	return HERR_OK;
}

/* --- the opt-in: a practitioner wants to be asked --- */

int
asks_settings_model(struct req *r)
{
	struct viewer *v = auth_viewer(r);
	PGresult *res = db_q(&r->c, STMT_ASK_OPTIN_GET, db_int(&r->c, v->id));

	if (res == NULL)
		return -1;
	json_object_set_new(http_model(r), "asks",
			    json_pack("{s:b,s:b,s:i}", "notify", db_bool(res, 0, 0), "doer", asks_doer(v),
				      "weekly_cap", forum_config()->ask_weekly_cap));
	return 0;
}

static enum herr
asks_optin_get(struct req *r)
{
	if (auth_require(r, ROLE_MEMBER) != 0 || asks_settings_model(r) != 0)
		return r->c.err;
	return HERR_OK;
}

/* PUT /api/v1/me/asks {notify: bool} and POST /settings/asks (a checkbox: absent is off). */
static enum herr
asks_optin_set(struct req *r)
{
	struct viewer *v;
	bool on = false;

	if (auth_require(r, ROLE_MEMBER) != 0 ||
	    in_bool(r, "notify", r->input_form ? IN_CHECKBOX : IN_REQUIRED, &on) < 0)
		return r->c.err;
	v = auth_viewer(r);
	if (on && !asks_doer(v))
		return http_fail(r, HERR_CONFLICT, "notify",
				 "Asks go to practitioners: change your community role first if you are one.");
	if (db_q(&r->c, on ? STMT_ASK_OPTIN_ON : STMT_ASK_OPTIN_OFF, db_int(&r->c, v->id)) == NULL)
		return r->c.err;
	r->location = "/settings#asks";
	return r->html ? HERR_OK : asks_optin_get(r);
}

const struct route asks_routes[] = {
	{ "POST", "/t/{id}/ask", asks_open, .view = "error" },
	{ "POST", "/t/{id}/ask/close", asks_close, .view = "error" },
	{ "POST", "/api/v1/threads/{id}/ask", asks_open },
	{ "DELETE", "/api/v1/threads/{id}/ask", asks_close },
	{ "GET", "/asks", asks_list, .view = "asks", .title = "Asked of practitioners", .flags = ROUTE_CACHE },
	{ "GET", "/api/v1/asks", asks_list, .flags = ROUTE_CACHE },
	{ "GET", "/api/v1/me/asks", asks_optin_get },
	{ "PUT", "/api/v1/me/asks", asks_optin_set },
	{ "POST", "/settings/asks", asks_optin_set, .view = "settings", .title = "Settings", .page = acct_settings },
};
const size_t asks_routes_n = ROUTES_N(asks_routes);
