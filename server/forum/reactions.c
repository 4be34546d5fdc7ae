/* forum/reactions.c — see reactions.h: reacting and unreacting (JSON API and a small form
 * per reaction), the counts of a page of posts split by kind of role and by role, and the
 * replies sorted by practitioners' agreement. */
#include "forum/reactions.h"

#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "core/jsonset.h"
#include "db/db.h"
#include "forum/page_posts.h"
#include "forum/policy.h"
#include "forum/routes.h"
#include "forum/sharedpage.h"

/* The reactions there are, in the order pages show them. */
static const struct reactions_kind {
	const char *kind, *label;
} reactions_kinds[] = {
	{ "plus_one", "+1" },
	{ "thanks", "Thanks" },
	{ "insightful", "Insightful" },
};
#define REACTIONS_N (sizeof reactions_kinds / sizeof reactions_kinds[0])

const char *
reactions_kind_at(int i)
{
	return i >= 0 && (size_t)i < REACTIONS_N ? reactions_kinds[i].kind : "";
}

static const struct reactions_kind *
reactions_kind(const char *kind)
{
	for (size_t i = 0; kind && i < REACTIONS_N; i++)
		if (strcmp(kind, reactions_kinds[i].kind) == 0)
			return &reactions_kinds[i];
	return NULL;
}

/* --- sorting by practitioners' agreement --- */

int
reactions_sort_arg(struct req *r, bool has_cursor, bool *ret_agreement)
{
	const char *sort = http_query(r, "sort");

	*ret_agreement = false;
	if (sort && *sort && strcmp(sort, "tree") != 0 && strcmp(sort, "agreement") != 0) {
		http_fail(r, HERR_INVALID, "sort", "sort is tree or agreement.");
		return -1;
	}
	*ret_agreement = sort && strcmp(sort, "agreement") == 0;
	if (*ret_agreement && has_cursor) {
		http_fail(r, HERR_INVALID, "after", "Pages sorted by agreement are numbered: ask for ?page=N.");
		return -1;
	}
	json_object_set_new(http_model(r), "sort", json_string(*ret_agreement ? "agreement" : "tree"));
	if (r->html)
		json_object_set_new(r->model, *ret_agreement ? "sort_agreement" : "sort_tree", json_true());
	return 0;
}

PGresult *
reactions_posts_by_agreement(struct req *r, int64_t thread, const struct thread_window *w)
{
	struct viewer *v = auth_viewer(r);

	return db_q(&r->c, STMT_POSTS_BY_AGREEMENT, db_int(&r->c, thread), "", db_int(&r->c, w->size + 1),
		    db_int(&r->c, v ? v->id : 0), policy_is_moderator(v) ? "true" : "false",
		    db_int(&r->c, (w->current - 1) * w->size));
}

static json_t *
reactions_page_url(struct req *r, int64_t thread, int64_t page)
{
	return json_string(arena_printf(r->c.arena, "%s/%lld?sort=agreement&page=%lld",
					r->html ? "/t" : "/api/v1/threads", (long long)thread, (long long)page));
}

void
reactions_pages_model(struct req *r, int64_t thread, const struct thread_window *w, bool more)
{
	json_t *pages = json_object();

	JSON_SET(pages, "current", json_integer(w->current));
	JSON_SET(pages, "count", json_integer(w->count));
	JSON_SET(pages, "size", json_integer(w->size));
	JSON_SET(pages, "first", reactions_page_url(r, thread, 1));
	JSON_SET(pages, "prev", w->current > 1 ? reactions_page_url(r, thread, w->current - 1) : json_null());
	JSON_SET(pages, "next", more ? reactions_page_url(r, thread, w->current + 1) : json_null());
	JSON_SET(pages, "last", reactions_page_url(r, thread, w->count));
	/* "The newest post" is a place in tree order: not offered in this one. */
	JSON_SET(pages, "newest", json_null());
	if (r->html) {
		JSON_SET(pages, "is_paged", json_boolean(w->count > 1));
		JSON_SET(pages, "on_first", json_boolean(w->current <= 1));
		JSON_SET(pages, "on_last", json_boolean(!more));
	}
	JSON_SET(r->model, "pages", pages);
	JSON_SET(r->model, "next_page", more ? json_integer(w->current + 1) : json_null());
}

/* --- the counts of a page --- */

/* "from 4 practitioners, 2 helpers" (practitioners: the doers). */
static json_t *
reactions_summary(json_int_t doer, json_int_t helper)
{
	char d[48] = "", h[48] = "";

	if (doer)
		snprintf(d, sizeof d, "%lld practitioner%s", (long long)doer, doer == 1 ? "" : "s");
	if (helper)
		snprintf(h, sizeof h, "%lld helper%s", (long long)helper, helper == 1 ? "" : "s");
	if (!doer && !helper)
		return json_null();
	return json_sprintf("from %s%s%s", d, doer && helper ? ", " : "", h);
}

/* {"kind", "total": 0, "by_kind": {"doer": 0, "helper": 0}, "by_role": []}, members in the
 * order json_pack made them (which cost 5,000 instructions a kind, three per page). */
static json_t *
reactions_none(const char *kind)
{
	json_t *o = json_object(), *by_kind = json_object();

	JSON_SET(by_kind, "doer", json_integer(0));
	JSON_SET(by_kind, "helper", json_integer(0));
	JSON_SET(o, "kind", json_string(kind));
	JSON_SET(o, "total", json_integer(0));
	JSON_SET(o, "by_kind", by_kind);
	JSON_SET(o, "by_role", json_array());
	return o;
}

/* The three kinds of one post, zeros where nobody reacted; counted = the kinds the
 * statement found (an array in REACTIONS_KINDS order), mine = the viewer's [post, kind]. */
static json_t *
reactions_of_post(struct req *r, json_int_t post, json_t *counted, json_t *mine, json_t **zero)
{
	json_t *list, *c, *m;
	size_t i, j;
	bool any = json_array_size(counted) > 0;

	json_array_foreach(mine, j, m)
		any = any || json_integer_value(json_array_get(m, 0)) == post;
	/* Most posts have no reaction: they share one list of zeros, made once per page (it
	 * is never changed once made; the page only reads it). */
	if (!any && *zero != NULL && !r->shared)
		return json_incref(*zero);
	list = json_array();
	for (i = 0; i < REACTIONS_N; i++) {
		const char *kind = reactions_kinds[i].kind;
		json_t *found = NULL, *by_kind, *o;
		bool reacted = false;

		json_array_foreach(counted, j, c)
			if (strcmp(json_string_value(json_object_get(c, "kind")), kind) == 0)
				found = c;
		json_array_foreach(mine, j, m)
			if (json_integer_value(json_array_get(m, 0)) == post &&
			    strcmp(json_string_value(json_array_get(m, 1)), kind) == 0)
				reacted = true;
		/* found is this post's own object of the statement's row: taken, not copied. */
		o = found ? json_incref(found) : reactions_none(kind);
		JSON_SET(o, "label", json_string(reactions_kinds[i].label));
		/* A shared copy's list is the post's own: "reacted" is a hole about it. */
		JSON_SET(o, "reacted", r->shared ? sharedpage_reacted(r, post, (int)i) : json_boolean(reacted));
		by_kind = json_object_get(o, "by_kind");
		if (r->html)
			JSON_SET(o, "summary",
				 reactions_summary(json_integer_value(json_object_get(by_kind, "doer")),
						   json_integer_value(json_object_get(by_kind, "helper"))));
		json_array_append_new(list, o);
	}
	if (!any && !r->shared)
		*zero = json_incref(list);
	return list;
}

static bool
reactions_any(json_t *list)
{
	json_t *o;
	size_t i;

	json_array_foreach(list, i, o)
		if (json_integer_value(json_object_get(o, "total")) > 0)
			return true;
	return false;
}

/* ?verified=1 was read by the thread page (forum/verification.c) before either call. */
static const char *
reactions_verified_only(struct req *r)
{
	return json_is_true(json_object_get(r->model, "verified_only")) ? "true" : "false";
}

struct db_call
reactions_window_call(struct req *r, int64_t thread, const char *after, int limit)
{
	struct viewer *v = auth_viewer(r);

	return DB_CALL_MAKE(&r->c, STMT_REACTIONS_WINDOW, db_int(&r->c, thread), after, db_int(&r->c, limit),
			    db_int(&r->c, v ? v->id : 0), policy_is_moderator(v) ? "true" : "false",
			    reactions_verified_only(r));
}

struct db_call
reactions_page_call(struct req *r, int64_t thread, const struct page_posts *pp)
{
	struct viewer *v = auth_viewer(r);

	if (pp->after != NULL)
		return reactions_window_call(r, thread, pp->after, pp->limit);
	return DB_CALL_MAKE(&r->c, STMT_REACTIONS_PAGE, db_int(&r->c, thread), page_posts_ids(pp),
			    db_int(&r->c, v ? v->id : 0), reactions_verified_only(r));
}

int
reactions_decorate(struct req *r, int64_t thread, const struct page_posts *pp, json_t *thread_model)
{
	struct viewer *v = auth_viewer(r);
	json_t *row, *counts, *mine, *zero = NULL;
	enum policy_state tstate;
	PGresult *res;
	char key[24];

	res = db_exec_call(&r->c, reactions_page_call(r, thread, pp));
	if (res == NULL)
		return -1;
	if (PQntuples(res) == 0)
		return 0;
	row = db_row_json(res, 0);
	counts = json_object_get(row, "reactions");
	mine = json_object_get(row, "mine");
	tstate = policy_state_parse(db_str(res, 0, db_col(res, "state")));
	for (size_t i = 0; i < pp->n; i++) {
		json_t *list, *p = pp->v[i].obj;
		bool can, any;
		json_int_t id = pp->v[i].id;
		enum policy_state state = pp->v[i].state;
		json_int_t author = page_post_author(&pp->v[i], v ? v->id : 0);

		if (state != STATE_VISIBLE || tstate != STATE_VISIBLE) {
			JSON_SET(p, "reactions", json_null());
			JSON_SET(p, "can_react", json_false());
			continue;
		}
		buf_i64_text(key, id);
		list = reactions_of_post(r, id, json_object_get(counts, key), mine, &zero);
		/* A page draws the line only when it holds a button or a count: a thread page of
		 * 50 posts stays phone-sized (tests/http/test_thread_pages.py). */
		if (r->shared) {
			JSON_SET(p, "reactions", list);
			bool own = policy_can_react(v, state, tstate, v->id), other = policy_can_react(v, state, tstate, author);

			JSON_SET(p, "can_react", sharedpage_own(r, id, own, other));
			JSON_SET(p, "has_reactions", sharedpage_own(r, id, own || reactions_any(list),
								    other || reactions_any(list)));
			continue;
		}
		can = policy_can_react(v, state, tstate, author);
		/* the page's shared list of zeros has none (asked 3 times a post, on most posts) */
		any = list != zero && reactions_any(list);
		/* A page reads a post's reactions only under has_reactions (reactions.html): a post
		 * without them (most, for a reader who may not react) goes without the list, one
		 * hash insert and one member to bind fewer. */
		if (!r->html || can || any)
			JSON_SET(p, "reactions", list);
		else
			json_decref(list);
		/* a page: only when true, as threads_posts_decorate's flags (no frame below a
		 * post, nor a reaction, has the name) */
		if (can || !r->html)
			JSON_SET(p, "can_react", json_boolean(can));
		if (r->html && (can || any))
			JSON_SET(p, "has_reactions", json_true());
	}
	answers_decorate(r, res, pp, thread_model);
	asks_decorate(r, res, thread_model);
	json_decref(zero);
	json_decref(row);
	return 0;
}

/* --- reacting --- */

static enum herr
reactions_set(struct req *r, bool on)
{
	struct viewer *v;
	const char *kind, *why, *reason;
	PGresult *post;
	int64_t id, thread;
	struct page_posts pp;
	json_t *one;
	enum herr e;

	if (http_param_id(r, "id", &id) != 0 || auth_require_active(r) != 0)
		return r->c.err;
	v = auth_viewer(r);
	kind = http_param(r, "kind");
	if (reactions_kind(kind) == NULL)
		return http_fail(r, HERR_INVALID, "kind", "A reaction is plus_one, thanks or insightful.");
	if ((post = db_q(&r->c, STMT_POST_GET, db_int(&r->c, id))) == NULL)
		return r->c.err;
	if (PQntuples(post) == 0)
		return http_fail(r, HERR_NOT_FOUND, NULL, "There is no such post.");
	e = policy_react(v, policy_state_parse(db_str(post, 0, db_col(post, "state"))),
			 policy_state_parse(db_str(post, 0, db_col(post, "thread_state"))),
			 db_i64(post, 0, db_col(post, "author_id")), &why, &reason);
	/* Taking a reaction back needs only that the post is there for the viewer: one made
	 * before the post was hidden stays the member's to remove once it is shown again. */
	if (e == HERR_NOT_FOUND || (e != HERR_OK && on)) {
		r->c.extra = json_pack("{s:s}", "reason", reason);
		http_defer_json(r, r->c.extra);
		return http_fail(r, e, NULL, why);
	}
	if (db_q(&r->c, on ? STMT_REACTION_ADD : STMT_REACTION_DEL, db_int(&r->c, id), db_int(&r->c, v->id), kind) == NULL)
		return r->c.err;
	thread = db_i64(post, 0, db_col(post, "thread_id"));
	one = json_pack("[{s:I,s:s,s:{s:I}}]", "id", (json_int_t)id, "state", db_str(post, 0, db_col(post, "state")),
			"author", "id", (json_int_t)db_i64(post, 0, db_col(post, "author_id")));
	page_posts_of_json(r, one, &pp);
	if (reactions_decorate(r, thread, &pp, NULL) != 0) {
		json_decref(one);
		return r->c.err;
	}
	r->model = json_pack("{s:I,s:O,s:b}", "post_id", (json_int_t)id, "reactions",
			     json_object_get(json_array_get(one, 0), "reactions"), "reacted", on);
	json_decref(one);
	r->location = arena_printf(r->c.arena, "/p/%lld", (long long)id);
	return HERR_OK;
}

static enum herr reactions_add(struct req *r) { return reactions_set(r, true); }
static enum herr reactions_del(struct req *r) { return reactions_set(r, false); }

const struct route reactions_routes[] = {
	{ "POST", "/p/{id}/reactions/{kind}", reactions_add, .view = "error" },
	{ "POST", "/p/{id}/reactions/{kind}/delete", reactions_del, .view = "error" },
	{ "POST", "/api/v1/posts/{id}/reactions/{kind}", reactions_add },
	{ "DELETE", "/api/v1/posts/{id}/reactions/{kind}", reactions_del },
};
const size_t reactions_routes_n = ROUTES_N(reactions_routes);
