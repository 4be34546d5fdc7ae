/* forum/ideas.c — the idea corral: ideas with their source posts, status history and
 * votes; created by moderators (directly, or from the ideas queue through the two
 * functions of ideas.h), changed, merged when they duplicate each other. The pages
 * (board, idea, feed) live in ideas_pages.c. */
#include "forum/ideas.h"

#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "core/utf8.h"
#include "db/db.h"
#include "forum/ideas_internal.h"
#include "forum/ideas_status.h"
#include "forum/markup.h"
#include "forum/modlog.h"
#include "forum/trail.h"
#include "render/markdown.h"

#define IDEAS_MAX_SOURCES 50
#define IDEAS_REASON_MAX 500

json_t *
ideas_load(struct ctx *c, int64_t number, int64_t viewer_id, bool mod)
{
	PGresult *res = db_q(c, STMT_IDEA_GET, db_int(c, number), db_int(c, viewer_id), mod ? "true" : "false");
	json_t *idea;

	if (res == NULL)
		return NULL;
	if (PQntuples(res) == 0) {
		ctx_fail(c, HERR_NOT_FOUND, NULL, "There is no such idea.");
		return NULL;
	}
	idea = db_row_json(res, 0);
	trail_idea_sources(idea);   /* the practitioners among its sources */
	return idea;
}

/* --- summaries: the one Markdown pipeline, mentions linked only for real accounts --- */

/* 0 with *ret_html (arena), or -1 with 400 on field recorded. */
static int
ideas_render(struct ctx *c, const char *field, const char *src, const char **ret_html)
{
	const struct markup_spec spec = { .field = field, .noun = "summary", .mentions = true,
					  .too_large = "A summary is at most 50 000 bytes." };
	struct markup m;

	if (markup_render(c, src, &spec, &m) != 0)
		return -1;
	*ret_html = m.html;
	return 0;
}

/* A string member of a decision's idea object, checked like in_string() checks input:
 * 0 with *ret (arena), or -1 with 400 on field. */
static int
ideas_json_text(struct ctx *c, json_t *obj, const char *key, const char *field, size_t min,
		size_t max, bool bytes, const char **ret)
{
	json_t *v = json_object_get(obj, key);
	const char *s;
	size_t len, n;

	if (v == NULL || json_is_null(v)) {
		ctx_fail(c, HERR_INVALID, field, arena_printf(c->arena, "%s is required.", field));
		return -1;
	}
	if (!json_is_string(v)) {
		ctx_fail(c, HERR_INVALID, field, arena_printf(c->arena, "%s must be a string.", field));
		return -1;
	}
	s = json_string_value(v);
	len = json_string_length(v);
	if (!bytes) {   /* titles are trimmed; Markdown keeps its leading spaces */
		while (len && strchr(" \t\r\n", *s)) {
			s++;
			len--;
		}
		while (len && strchr(" \t\r\n", s[len - 1]))
			len--;
	}
	if (!utf8_valid(s, len)) {
		ctx_fail(c, HERR_INVALID, field,
			 arena_printf(c->arena, "%s must be valid UTF-8 text without NUL.", field));
		return -1;
	}
	n = bytes ? len : utf8_length(s, len);
	if (n < min || n > max) {
		ctx_fail(c, HERR_INVALID, field, arena_printf(c->arena, "%s must be %zu to %zu %s.", field,
							      min, max, bytes ? "bytes" : "characters"));
		return -1;
	}
	*ret = arena_strndup(c->arena, s, len);
	return 0;
}

/* "{1,2,3}" for a bigint[] parameter. */
static const char *
ideas_array(struct ctx *c, const int64_t *ids, size_t n)
{
	struct buf b = BUF_INIT;
	const char *s;

	buf_putc(&b, '{');
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s%lld", i ? "," : "", (long long)ids[i]);
	buf_putc(&b, '}');
	s = arena_strdup(c->arena, b.data);
	buf_free(&b);
	return s;
}

/* Every post must exist and not be deleted: 0, or -1 with 400 on field. */
static int
ideas_check_posts(struct ctx *c, const char *ids, const char *field)
{
	PGresult *res = db_q(c, STMT_IDEA_POSTS_MISSING, ids);

	if (res == NULL)
		return -1;
	if (PQntuples(res) > 0) {
		ctx_fail(c, HERR_INVALID, field, arena_printf(c->arena, "There is no post %s.", db_str(res, 0, 0)));
		return -1;
	}
	return 0;
}

struct ideas_new {
	int64_t actor, number;
	const char *title, *summary, *html;
	const int64_t *posts;
	size_t n_posts;
	const char *posts_field;   /* the input field naming the posts, for errors */
};

/* Inside a transaction: the idea, the first entry of its history, its sources. */
static int
ideas_insert(struct ctx *c, struct ideas_new *n)
{
	const char *actor = db_int(c, n->actor), *posts = NULL, *num;
	PGresult *res;

	if (n->n_posts) {
		posts = ideas_array(c, n->posts, n->n_posts);
		if (ideas_check_posts(c, posts, n->posts_field) != 0)
			return -1;
	}
	if ((res = db_q(c, STMT_IDEA_CREATE, n->title, n->summary, n->html, md_version(), actor)) == NULL)
		return -1;
	n->number = db_i64(res, 0, 0);
	num = db_int(c, n->number);
	if (db_q(c, STMT_IDEA_HISTORY_ADD, num, "new", actor, NULL) == NULL)
		return -1;
	if (posts && db_q(c, STMT_IDEA_SOURCES_ADD, num, posts, actor) == NULL)
		return -1;
	return 0;
}

/* --- the ideas queue (called by the moderation queue inside its decision) --- */

int
ideas_accept_nomination(struct ctx *c, int64_t actor_id, int64_t post_id, json_t *idea,
			json_t **ret_idea)
{
	struct ideas_new n = { .actor = actor_id, .posts = &post_id, .n_posts = 1, .posts_field = "post_id" };
	json_t *out;

	if (!json_is_object(idea)) {
		ctx_fail(c, HERR_INVALID, "idea", "idea must be an object with a title and a summary.");
		return -1;
	}
	if (ideas_json_text(c, idea, "title", "idea.title", 3, 200, false, &n.title) != 0 ||
	    ideas_json_text(c, idea, "summary", "idea.summary", 1, MD_MAX_BYTES, true, &n.summary) != 0 ||
	    ideas_render(c, "idea.summary", n.summary, &n.html) != 0 || ideas_insert(c, &n) != 0 ||
	    (out = ideas_load(c, n.number, actor_id, true)) == NULL)
		return -1;
	*ret_idea = out;
	return 0;
}

int
ideas_attach_nomination(struct ctx *c, int64_t actor_id, int64_t post_id, json_t *idea,
			json_t **ret_idea)
{
	json_t *v = json_is_object(idea) ? json_object_get(idea, "number") : NULL, *out;
	const char *num;
	PGresult *res;

	if (!json_is_integer(v) || json_integer_value(v) < 1) {
		ctx_fail(c, HERR_INVALID, "idea.number", "idea.number must be the number of an idea.");
		return -1;
	}
	num = db_int(c, json_integer_value(v));
	if ((res = db_q(c, STMT_IDEA_LOCK, num)) == NULL)
		return -1;
	if (PQntuples(res) == 0 || db_str(res, 0, 2) != NULL) {
		ctx_fail(c, HERR_NOT_FOUND, "idea.number",
			 PQntuples(res) ? "That idea was merged into another; attach to that one."
					: "There is no such idea.");
		return -1;
	}
	if (ideas_check_posts(c, ideas_array(c, &post_id, 1), "post_id") != 0 ||
	    db_q(c, STMT_IDEA_SOURCES_ADD, num, ideas_array(c, &post_id, 1), db_int(c, actor_id)) == NULL ||
	    db_q(c, STMT_IDEA_UPDATE, num, NULL, NULL, NULL, NULL, NULL) == NULL ||
	    (out = ideas_load(c, json_integer_value(v), actor_id, true)) == NULL)
		return -1;
	*ret_idea = out;
	return 0;
}

/* --- moderators: create, change, merge --- */

static enum herr
ideas_create_tx(struct ctx *c, void *arg)
{
	struct ideas_new *n = arg;

	if (ideas_insert(c, n) != 0 ||
	    modlog_add(c, n->actor, "create_idea", "idea", db_int(c, n->number), NULL, NULL) != 0)
		return c->err;
	return HERR_OK;
}

enum herr
ideas_create(struct req *r)
{
	struct ideas_new n = { .posts_field = "source_post_ids" };
	int64_t *posts = NULL;
	json_t *idea;

	if (auth_require(r, ROLE_MODERATOR) != 0 ||
	    in_string(r, "title", 3, 200, IN_REQUIRED | IN_TRIM, &n.title) < 0 ||
	    in_string(r, "summary", 1, MD_MAX_BYTES, IN_REQUIRED | IN_BYTES, &n.summary) < 0 ||
	    in_int_list(r, "source_post_ids", IDEAS_MAX_SOURCES, 1, INT64_MAX, IN_NULLABLE, &posts,
			&n.n_posts) < 0 ||
	    ideas_render(&r->c, "summary", n.summary, &n.html) != 0)
		return r->c.err;
	n.posts = posts;
	n.actor = auth_viewer(r)->id;
	if (db_transaction(&r->c, ideas_create_tx, &n) != HERR_OK ||
	    (idea = ideas_load(&r->c, n.number, n.actor, true)) == NULL)
		return r->c.err;
	json_object_set_new(http_model(r), "idea", idea);
	r->status = 201;
	r->location = arena_printf(r->c.arena, "/ideas/%lld", (long long)n.number);
	return HERR_OK;
}

struct ideas_edit {
	int64_t number, actor;
	const char *title, *summary, *html, *status, *reason;
};

static enum herr
ideas_edit_tx(struct ctx *c, void *arg)
{
	struct ideas_edit *e = arg;
	const char *num = db_int(c, e->number), *actor = db_int(c, e->actor), *old;
	PGresult *res = db_q(c, STMT_IDEA_LOCK, num);
	bool moved;
	int rc = 0;

	if (res == NULL)
		return c->err;
	if (PQntuples(res) == 0)
		return ctx_fail(c, HERR_NOT_FOUND, NULL, "There is no such idea.");
	if (db_str(res, 0, 2) != NULL)
		return ctx_fail(c, HERR_CONFLICT, NULL, "This idea was merged into another; change that one.");
	old = db_str(res, 0, 1);
	moved = e->status && strcmp(old, e->status) != 0;
	if (db_q(c, STMT_IDEA_UPDATE, num, e->title, e->summary, e->html, e->html ? md_version() : NULL,
		 moved ? e->status : NULL) == NULL)
		return c->err;
	if (moved) {
		json_t *d = json_pack("{s:s,s:s}", "from", old, "to", e->status);

		/* modlog_add takes d over; without it, d is released here. */
		if ((rc = db_q(c, STMT_IDEA_HISTORY_ADD, num, e->status, actor, e->reason) == NULL))
			json_decref(d);
		else
			rc = modlog_add(c, e->actor, "idea_status", "idea", num, e->reason, d) != 0 ||
			     ideas_notify(c, e->number, e->actor,
					  arena_printf(c->arena, "IDEA-%s \u201c%s\u201d is now %s%s%s", num,
						       e->title ? e->title : db_str(res, 0, 3),
						       ideas_status_label(e->status), e->reason ? ": " : ".",
						       e->reason ? e->reason : "")) != 0;
	}
	if (rc || ((e->title || e->summary) && modlog_add(c, e->actor, "edit_idea", "idea", num, NULL, NULL) != 0))
		return c->err;
	return HERR_OK;
}

enum herr
ideas_edit(struct req *r)
{
	struct ideas_edit e = { 0 };
	json_t *idea;

	if (http_param_id(r, "n", &e.number) != 0 || auth_require(r, ROLE_MODERATOR) != 0 ||
	    in_string(r, "title", 3, 200, IN_TRIM | IN_NULLABLE, &e.title) < 0 ||
	    in_string(r, "summary", 1, MD_MAX_BYTES, IN_BYTES | IN_NULLABLE, &e.summary) < 0 ||
	    in_enum(r, "status", ideas_statuses, IN_NULLABLE, &e.status) < 0 ||
	    in_string(r, "reason", 0, IDEAS_REASON_MAX, IN_TRIM | IN_NULLABLE, &e.reason) < 0 ||
	    (e.summary && ideas_render(&r->c, "summary", e.summary, &e.html) != 0))
		return r->c.err;
	if (e.reason && !*e.reason)
		e.reason = NULL;
	e.actor = auth_viewer(r)->id;
	if ((e.title || e.summary || e.status) && db_transaction(&r->c, ideas_edit_tx, &e) != HERR_OK)
		return r->c.err;
	if ((idea = ideas_load(&r->c, e.number, e.actor, true)) == NULL)
		return r->c.err;
	json_object_set_new(http_model(r), "idea", idea);
	r->location = arena_printf(r->c.arena, "/ideas/%lld", (long long)e.number);
	return HERR_OK;
}

struct ideas_merge {
	int64_t from, into, actor;
	const char *reason;
};

static enum herr
ideas_merge_tx(struct ctx *c, void *arg)
{
	struct ideas_merge *m = arg;
	const char *from = db_int(c, m->from), *into = db_int(c, m->into);
	PGresult *res = db_q(c, STMT_IDEA_LOCK_PAIR, from, into);
	int have_from = -1, have_into = -1;
	json_t *d;
	int rc;

	if (res == NULL)
		return c->err;
	for (int i = 0; i < PQntuples(res); i++) {
		if (db_i64(res, i, 0) == m->from)
			have_from = i;
		else
			have_into = i;
	}
	if (have_from < 0)
		return ctx_fail(c, HERR_NOT_FOUND, NULL, "There is no such idea.");
	if (have_into < 0)
		return ctx_fail(c, HERR_INVALID, "into", "There is no such idea to merge into.");
	if (db_str(res, have_from, 1) != NULL)
		return ctx_fail(c, HERR_CONFLICT, NULL,
				arena_printf(c->arena, "IDEA-%s was already merged into IDEA-%s.", from,
					     db_str(res, have_from, 1)));
	if (db_str(res, have_into, 1) != NULL)
		return ctx_fail(c, HERR_CONFLICT, "into",
				arena_printf(c->arena, "IDEA-%s was itself merged into IDEA-%s; merge into that one.",
					     into, db_str(res, have_into, 1)));
	/* Told before its voters and followers move to the idea kept. */
	if (ideas_notify(c, m->from, m->actor,
			 arena_printf(c->arena, "IDEA-%s \u201c%s\u201d was merged into IDEA-%s%s%s", from,
				      db_str(res, have_from, 2), into, m->reason ? ": " : ".",
				      m->reason ? m->reason : "")) != 0 ||
	    db_q(c, STMT_IDEA_MERGE_FOLLOWERS, from, into) == NULL ||
	    db_q(c, STMT_IDEA_MERGE_VOTES, from, into) == NULL ||
	    db_q(c, STMT_IDEA_MERGE_SOURCES, from, into) == NULL ||
	    db_q(c, STMT_IDEA_MERGE_COMMENTS, from, into) == NULL ||
	    db_q(c, STMT_IDEA_MERGE_MARK, from, into) == NULL ||
	    db_q(c, STMT_IDEA_UPDATE, into, NULL, NULL, NULL, NULL, NULL) == NULL ||
	    db_q(c, STMT_IDEA_HISTORY_ADD, from, "declined", db_int(c, m->actor),
		 arena_printf(c->arena, "Merged into IDEA-%s.%s%s", into, m->reason ? " " : "",
			      m->reason ? m->reason : "")) == NULL)
		return c->err;
	d = json_pack("{s:I}", "into", (json_int_t)m->into);
	rc = modlog_add(c, m->actor, "merge_idea", "idea", from, m->reason, d);   /* takes d */
	return rc == 0 ? HERR_OK : c->err;
}

enum herr
ideas_merge(struct req *r)
{
	struct ideas_merge m = { 0 };
	json_t *idea;

	if (http_param_id(r, "n", &m.from) != 0 || auth_require(r, ROLE_MODERATOR) != 0 ||
	    in_int(r, "into", 1, INT64_MAX, IN_REQUIRED, &m.into) < 0 ||
	    in_string(r, "reason", 0, IDEAS_REASON_MAX, IN_TRIM | IN_NULLABLE, &m.reason) < 0)
		return r->c.err;
	if (m.reason && !*m.reason)
		m.reason = NULL;
	if (m.from == m.into)
		return http_fail(r, HERR_INVALID, "into", "An idea cannot be merged into itself.");
	m.actor = auth_viewer(r)->id;
	if (db_transaction(&r->c, ideas_merge_tx, &m) != HERR_OK ||
	    (idea = ideas_load(&r->c, m.into, m.actor, true)) == NULL)
		return r->c.err;
	json_object_set_new(http_model(r), "idea", idea);
	json_object_set_new(r->model, "merged", json_pack("{s:I}", "number", (json_int_t)m.from));
	r->location = arena_printf(r->c.arena, "/ideas/%lld", (long long)m.into);
	return HERR_OK;
}

/* --- members: vote, unvote --- */

static enum herr
ideas_vote_set(struct req *r, bool on)
{
	const char *from, *num, *uid;
	PGresult *res;
	int64_t n;

	if (http_param_id(r, "n", &n) != 0 || auth_require_active(r) != 0)
		return r->c.err;
	num = db_int(&r->c, n);
	uid = db_int(&r->c, auth_viewer(r)->id);
	if ((res = db_q(&r->c, STMT_IDEA_STATE, num)) == NULL)
		return r->c.err;
	if (PQntuples(res) == 0)
		return http_fail(r, HERR_NOT_FOUND, NULL, "There is no such idea.");
	if (db_str(res, 0, 1) != NULL)
		return http_fail(r, HERR_CONFLICT, NULL,
				 arena_printf(r->c.arena, "This idea was merged into IDEA-%s; vote there.",
					      db_str(res, 0, 1)));
	if (db_q(&r->c, on ? STMT_IDEA_VOTE : STMT_IDEA_UNVOTE, num, uid) == NULL ||
	    (res = db_q(&r->c, STMT_IDEA_VOTES, num, uid)) == NULL)
		return r->c.err;
	r->model = db_row_json(res, 0);
	/* Forms on the board come back to the board; any other value means the idea page. */
	from = json_string_value(json_object_get(r->input, "from"));
	r->location = from && strcmp(from, "board") == 0
		      ? "/ideas" : arena_printf(r->c.arena, "/ideas/%lld", (long long)n);
	return HERR_OK;
}

enum herr
ideas_vote(struct req *r)
{
	return ideas_vote_set(r, true);
}

enum herr
ideas_unvote(struct req *r)
{
	return ideas_vote_set(r, false);
}
