/* forum/idea_comments.c — comments on an idea (Fider-style): members write Markdown under
 * the idea, shown oldest first with each commenter's community role; authors edit their
 * own within the edit window; moderators hide (and unhide) them. Commenting tells the
 * idea's audience (ideas_follow.c: voters, followers, proposer, commenters…).
 *
 * A table of their own (schema/0030) rather than posts of a hidden per-idea thread:
 * every thread list, count, search, feed, unread marker and profile list reads threads
 * and posts, and each would need to learn to leave such threads out. Flagging is not
 * offered (flags belong to posts); moderators hide from the idea page. */
#include "forum/idea_comments.h"

#include <string.h>

#include "auth/auth.h"
#include "db/db.h"
#include "forum/ideas_internal.h"
#include "forum/markup.h"
#include "forum/moderation.h"
#include "forum/modlog.h"
#include "forum/policy.h"
#include "forum/posts.h"
#include "forum/routes.h"
#include "render/markdown.h"

/* How long after writing it an author may still change a comment. */
#define IDEA_COMMENTS_EDIT_S 86400

/* The idea n, not merged away (for writing) or at all (for reading): 0, or -1 with 404
 * (no such idea) or 409 (merged; commenting goes to the idea kept) recorded. */
static int
idea_comments_idea(struct req *r, int64_t n, bool writing)
{
	PGresult *res = db_q(&r->c, STMT_IDEA_STATE, db_int(&r->c, n));

	if (res == NULL)
		return -1;
	if (PQntuples(res) == 0) {
		http_fail(r, HERR_NOT_FOUND, NULL, "There is no such idea.");
		return -1;
	}
	if (writing && db_str(res, 0, 1) != NULL) {
		http_fail(r, HERR_CONFLICT, NULL,
			  arena_printf(r->c.arena, "This idea was merged into IDEA-%s; comment there.",
				       db_str(res, 0, 1)));
		return -1;
	}
	return 0;
}

/* The comments of idea n as the viewer may see them: a new reference, or NULL. */
static json_t *
idea_comments_list(struct req *r, int64_t n)
{
	struct viewer *v = auth_viewer(r);
	PGresult *res = db_q(&r->c, STMT_IDEA_COMMENTS, db_int(&r->c, n), policy_is_moderator(v) ? "true" : "false",
			     db_int(&r->c, v ? v->id : 0), db_int(&r->c, IDEA_COMMENTS_EDIT_S));

	return res ? db_rows_json(res) : NULL;
}

int
idea_comments_page(struct req *r, int64_t n, bool merged)
{
	struct viewer *v = auth_viewer(r);
	bool mod = policy_is_moderator(v), active = v && !v->suspended;
	json_t *rows = idea_comments_list(r, n), *c;
	size_t i;

	if (rows == NULL)
		return -1;
	/* Templates cannot compare: what each comment offers this viewer. */
	json_array_foreach(rows, i, c) {
		bool hidden = strcmp(json_string_value(json_object_get(c, "state")), "visible") != 0;

		json_object_set_new(c, "is_hidden", json_boolean(hidden));
		json_object_set_new(c, "can_edit", json_boolean(active && !hidden &&
			json_is_true(json_object_get(c, "mine")) && json_is_true(json_object_get(c, "editable"))));
		json_object_set_new(c, "can_hide", json_boolean(mod && !hidden));
		json_object_set_new(c, "can_unhide", json_boolean(mod && hidden));
	}
	json_object_set_new(r->model, "has_comments", json_boolean(json_array_size(rows) > 0));
	json_object_set_new(r->model, "comments", rows);
	json_object_set_new(r->model, "can_comment", json_boolean(active && !merged));
	return 0;
}

/* GET /api/v1/ideas/{n}/comments — anyone; hidden ones for moderators only. */
static enum herr
idea_comments_get(struct req *r)
{
	json_t *rows;
	int64_t n;

	if (http_param_id(r, "n", &n) != 0 || idea_comments_idea(r, n, false) != 0 ||
	    (rows = idea_comments_list(r, n)) == NULL)
		return r->c.err;
	json_object_set_new(http_model(r), "comments", rows);
	return HERR_OK;
}

/* One comment as the API shows it: a new reference, or NULL (404 recorded). */
static json_t *
idea_comments_load(struct req *r, int64_t id)
{
	PGresult *res = db_q(&r->c, STMT_IDEA_COMMENT_GET, db_int(&r->c, id), db_int(&r->c, IDEA_COMMENTS_EDIT_S));
	json_t *c;

	if (res == NULL)
		return NULL;
	if (PQntuples(res) == 0) {
		http_fail(r, HERR_NOT_FOUND, NULL, "There is no such comment.");
		return NULL;
	}
	c = db_row_json(res, 0);
	json_object_del(c, "author_id");
	return c;
}

/* The body field, rendered: 0 with *ret, or -1 with 400 on "body". Comments have no
 * moderation queue to wait in, so more links than a post may carry unseen (the spam rule,
 * --spam-links) are refused rather than held. */
static int
idea_comments_body(struct req *r, const char **ret_src, struct markup *ret)
{
	const struct markup_spec spec = { .field = "body", .noun = "comment", .mentions = true };
	const struct policy_limits limits = { .spam_links = moderation_config()->spam_links };

	if (in_string(r, "body", 1, MD_MAX_BYTES, IN_REQUIRED | IN_BYTES, ret_src) < 0 ||
	    markup_render(&r->c, *ret_src, &spec, ret) != 0)
		return -1;
	if (policy_too_many_links(&limits, auth_viewer(r), ret->links)) {
		http_fail(r, HERR_INVALID, "body",
			  arena_printf(r->c.arena, "A comment may hold at most %d links.", limits.spam_links));
		return -1;
	}
	return 0;
}

struct idea_comment_new {
	int64_t idea, author, id;
	const char *body, *html, *version, *username, *title;
};

static enum herr
idea_comments_add_tx(struct ctx *c, void *arg)
{
	struct idea_comment_new *m = arg;
	const char *num = db_int(c, m->idea);
	PGresult *res;

	res = db_q(c, STMT_IDEA_COMMENT_ADD, num, db_int(c, m->author), m->body, m->html, m->version);
	if (res == NULL)
		return c->err;
	if (PQntuples(res) == 0)
		return ctx_fail(c, HERR_CONFLICT, NULL, "This idea was merged into another; comment there.");
	m->id = db_i64(res, 0, 0);
	return ideas_notify(c, m->idea, m->author,
			    arena_printf(c->arena, "%s commented on IDEA-%s \u201c%s\u201d", m->username, num,
					 db_str(res, 0, 1))) == 0 ? HERR_OK : c->err;
}

/* POST /api/v1/ideas/{n}/comments {body} → 201 {comment}; the form at /ideas/{n}/comments. */
static enum herr
idea_comments_add(struct req *r)
{
	struct idea_comment_new m = { 0 };
	struct markup md;
	json_t *c;

	if (http_param_id(r, "n", &m.idea) != 0 || posts_may_write(r) != 0 ||
	    idea_comments_idea(r, m.idea, true) != 0 ||
	    idea_comments_body(r, &m.body, &md) != 0 || posts_count_write(r) != 0)
		return r->c.err;
	m.html = md.html;
	m.version = md.version;
	m.author = auth_viewer(r)->id;
	m.username = auth_viewer(r)->username;
	if (db_transaction(&r->c, idea_comments_add_tx, &m) != HERR_OK || (c = idea_comments_load(r, m.id)) == NULL)
		return r->c.err;
	json_object_set_new(http_model(r), "comment", c);
	r->status = 201;
	r->location = arena_printf(r->c.arena, "/ideas/%lld#c%lld", (long long)m.idea, (long long)m.id);
	return HERR_OK;
}

/* The comment {id} of idea {n}, as the path names it: its row, or NULL (404: also a
 * hidden one, for anyone but moderators). */
static PGresult *
idea_comments_target(struct req *r, int64_t *ret_n, int64_t *ret_id)
{
	PGresult *res;

	if (http_param_id(r, "n", ret_n) != 0 || http_param_id(r, "id", ret_id) != 0)
		return NULL;
	res = db_q(&r->c, STMT_IDEA_COMMENT_GET, db_int(&r->c, *ret_id), db_int(&r->c, IDEA_COMMENTS_EDIT_S));
	if (res == NULL)
		return NULL;
	if (PQntuples(res) == 0 || db_i64(res, 0, db_col(res, "idea")) != *ret_n ||
	    (strcmp(db_str(res, 0, db_col(res, "state")), "visible") != 0 && !policy_is_moderator(auth_viewer(r)))) {
		http_fail(r, HERR_NOT_FOUND, NULL, "There is no such comment.");
		return NULL;
	}
	return res;
}

/* PATCH /api/v1/ideas/{n}/comments/{id} {body}: its author, within the edit window. */
static enum herr
idea_comments_edit(struct req *r)
{
	const char *src;
	struct markup md;
	PGresult *res;
	int64_t n, id;
	json_t *c;

	if (posts_may_write(r) != 0 || (res = idea_comments_target(r, &n, &id)) == NULL)
		return r->c.err;
	if (db_i64(res, 0, db_col(res, "author_id")) != auth_viewer(r)->id)
		return http_fail(r, HERR_FORBIDDEN, NULL, "Only its author may change a comment.");
	if (strcmp(db_str(res, 0, db_col(res, "state")), "visible") != 0)
		return http_fail(r, HERR_FORBIDDEN, NULL, "A hidden comment cannot be changed.");
	if (!db_bool(res, 0, db_col(res, "editable")))
		return http_fail(r, HERR_FORBIDDEN, NULL, "A comment can be changed for a day after it was written.");
	if (idea_comments_body(r, &src, &md) != 0)
		return r->c.err;
	res = db_q(&r->c, STMT_IDEA_COMMENT_EDIT, db_int(&r->c, id), db_int(&r->c, auth_viewer(r)->id), src,
		   md.html, md.version, db_int(&r->c, IDEA_COMMENTS_EDIT_S));
	if (res == NULL)
		return r->c.err;
	if (PQntuples(res) == 0)
		return http_fail(r, HERR_CONFLICT, NULL, "The comment was hidden meanwhile, or its edit window closed.");
	if ((c = idea_comments_load(r, id)) == NULL)
		return r->c.err;
	json_object_set_new(http_model(r), "comment", c);
	r->location = arena_printf(r->c.arena, "/ideas/%lld#c%lld", (long long)n, (long long)id);
	return HERR_OK;
}

struct idea_comment_hide {
	int64_t idea, id, moderator;
	bool hide;
	const char *reason;
};

static enum herr
idea_comments_hide_tx(struct ctx *c, void *arg)
{
	struct idea_comment_hide *h = arg;
	PGresult *res = db_q(c, STMT_IDEA_COMMENT_SET_STATE, db_int(c, h->id), h->hide ? "hidden" : "visible",
			     h->hide ? h->reason : NULL);
	int64_t author;

	if (res == NULL)
		return c->err;
	if (PQntuples(res) == 0)
		return ctx_fail(c, HERR_CONFLICT, NULL,
				h->hide ? "The comment is hidden already." : "The comment is not hidden.");
	author = db_i64(res, 0, 0);
	if (modlog_add(c, h->moderator, h->hide ? "hide_idea_comment" : "unhide_idea_comment", "idea",
		       db_int(c, h->idea), h->reason, json_pack("{s:I}", "comment_id", (json_int_t)h->id)) != 0)
		return c->err;
	if (h->hide && author != h->moderator &&
	    db_q(c, STMT_PROPOSAL_NOTIFY, db_int(c, author), db_int(c, h->moderator), db_int(c, h->idea),
		 arena_printf(c->arena, "A moderator hid your comment on IDEA-%lld: %s", (long long)h->idea,
			      h->reason)) == NULL)
		return c->err;
	return HERR_OK;
}

/* POST /api/v1/ideas/{n}/comments/{id}/hide {reason} and /unhide {reason?}: moderators. */
static enum herr
idea_comments_hide_set(struct req *r, bool hide)
{
	struct idea_comment_hide h = { .hide = hide };
	json_t *c;

	if (auth_require(r, ROLE_MODERATOR) != 0 || idea_comments_target(r, &h.idea, &h.id) == NULL ||
	    in_string(r, "reason", 1, 1000, IN_TRIM | (hide ? IN_REQUIRED : IN_NULLABLE), &h.reason) < 0)
		return r->c.err;
	h.moderator = auth_viewer(r)->id;
	if (db_transaction(&r->c, idea_comments_hide_tx, &h) != HERR_OK || (c = idea_comments_load(r, h.id)) == NULL)
		return r->c.err;
	json_object_set_new(http_model(r), "comment", c);
	r->location = arena_printf(r->c.arena, "/ideas/%lld#c%lld", (long long)h.idea, (long long)h.id);
	return HERR_OK;
}

static enum herr
idea_comments_hide(struct req *r)
{
	return idea_comments_hide_set(r, true);
}

static enum herr
idea_comments_unhide(struct req *r)
{
	return idea_comments_hide_set(r, false);
}

const struct route idea_comments_routes[] = {
	{ "POST", "/ideas/{n}/comments", idea_comments_add, .view = "idea", .page = ideas_show },
	{ "POST", "/ideas/{n}/comments/{id}", idea_comments_edit, .view = "idea", .page = ideas_show },
	{ "POST", "/ideas/{n}/comments/{id}/hide", idea_comments_hide, .view = "idea", .page = ideas_show },
	{ "POST", "/ideas/{n}/comments/{id}/unhide", idea_comments_unhide, .view = "idea", .page = ideas_show },
	{ "GET", "/api/v1/ideas/{n}/comments", idea_comments_get },
	{ "POST", "/api/v1/ideas/{n}/comments", idea_comments_add },
	{ "PATCH", "/api/v1/ideas/{n}/comments/{id}", idea_comments_edit },
	{ "POST", "/api/v1/ideas/{n}/comments/{id}/hide", idea_comments_hide },
	{ "POST", "/api/v1/ideas/{n}/comments/{id}/unhide", idea_comments_unhide },
};
const size_t idea_comments_routes_n = ROUTES_N(idea_comments_routes);
