/* forum/posts.c — replies, edits with revisions (renaming a thread is an edit of its
 * opening post), soft deletion, and the Markdown of a post with its @mentions resolved
 * against real accounts. */
#include "forum/posts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "core/jsonset.h"
#include "core/log.h"
#include "db/db.h"
#include "forum/account_mail.h"
#include "forum/anonymous.h"
#include "forum/bookmarks.h"
#include "forum/markup.h"
#include "forum/moderation.h"
#include "forum/modlog.h"
#include "forum/page_posts.h"
#include "forum/policy.h"
#include "forum/reactions.h"
#include "forum/routes.h"
#include "forum/sharedpage.h"
#include "forum/threads.h"
#include "render/diff.h"

static struct forum_config forum_cfg = { .trust_posts = 2, .post_limit = 10, .post_window_s = 60,
					 .page_size = 200, .ask_weekly_cap = 3 };

void
forum_configure(const struct forum_config *cfg)
{
	forum_cfg = *cfg;
}

const struct forum_config *
forum_config(void)
{
	return &forum_cfg;
}

int
posts_read_body(struct req *r, struct post_body *ret)
{
	static const struct markup_spec spec = { .field = "body", .noun = "post", .mentions = true,
						 .too_large = "A post is at most 50 000 bytes." };
	struct markup m;
	const char *body;

	if (in_string(r, "body", 0, 1024 * 1024, IN_REQUIRED | IN_BYTES, &body) < 0 ||
	    markup_render(&r->c, body, &spec, &m) != 0)
		return -1;
	memset(ret, 0, sizeof *ret);
	ret->source = body;
	ret->html = m.html;
	ret->version = m.version;
	ret->mentions = m.mentions;
	ret->mention_ids = m.mention_ids;
	ret->idea_refs = m.idea_refs;
	ret->links = m.links;
	return 0;
}

int
posts_store_refs(struct ctx *c, int64_t post_id, const struct post_body *b, bool edit)
{
	const char *id = db_int(c, post_id);

	if (b->mention_ids && db_q(c, STMT_MENTIONS_ADD, id, b->mention_ids) == NULL)
		return -1;
	if (edit && db_q(c, STMT_IDEA_REFS_CLEAR, id) == NULL)
		return -1;
	if (b->idea_refs && db_q(c, STMT_IDEA_REFS_ADD, id, b->idea_refs) == NULL)
		return -1;
	return 0;
}

int
posts_may_write(struct req *r)
{
	if (auth_require(r, ROLE_MEMBER) != 0)
		return -1;
	switch (policy_may_post(auth_viewer(r), auth_config()->require_verified_email)) {
	case WRITE_OK:
		return 0;
	case WRITE_SUSPENDED:
		http_fail(r, HERR_FORBIDDEN, NULL, "Your account is suspended.");
		return -1;
	case WRITE_UNVERIFIED:
		acctmail_fail_unverified(r);
		return -1;
	}
	return -1;
}

int
posts_count_write(struct req *r)
{
	if (policy_is_moderator(auth_viewer(r)))
		return 0;
	return auth_rate_hit(r, arena_printf(r->c.arena, "post:user:%lld", (long long)auth_viewer(r)->id),
			     forum_cfg.post_limit, forum_cfg.post_window_s);
}

/* The numbers of the hold rules, from the forum and moderation settings. */
static struct policy_limits
posts_limits(void)
{
	const struct moderation_config *m = moderation_config();

	return (struct policy_limits){ .trust_posts = forum_cfg.trust_posts, .spam_links = m->spam_links,
				       .spam_burst = m->spam_burst };
}

int
posts_hold(struct req *r, const struct post_body *b, enum policy_hold *ret)
{
	const struct policy_limits l = posts_limits();
	struct viewer *v = auth_viewer(r);
	int64_t recent = 0;
	PGresult *res;

	/* The pace is asked of the database only when it can decide. */
	if (policy_hold(&l, v, b->links, 0) == HOLD_NONE && !policy_is_moderator(v)) {
		res = db_q(&r->c, STMT_POSTS_RECENT_BY, db_int(&r->c, v->id), db_int(&r->c, moderation_config()->spam_burst_s));
		if (res == NULL)
			return -1;
		recent = db_i64(res, 0, 0);
	}
	*ret = policy_hold(&l, v, b->links, recent);
	return 0;
}

static enum policy_state
posts_state(PGresult *post)
{
	return policy_state_parse(db_str(post, 0, db_col(post, "state")));
}

bool
posts_trusted(const struct viewer *v)
{
	const struct policy_limits l = posts_limits();

	/* no links, no recent posts: only the new-account rule is left to hold a post */
	return policy_hold(&l, v, 0, 0) != HOLD_NEW_ACCOUNT;
}

int
posts_approvals_needed(const struct viewer *v)
{
	return posts_trusted(v) ? 0 : forum_cfg.trust_posts - v->approved_posts;
}

json_t *
posts_composer(struct req *r)
{
	struct viewer *v = auth_viewer(r);
	bool trusted;

	if (v == NULL)
		return json_null();
	if (r->shared)
		return sharedpage_composer(r);
	trusted = posts_trusted(v);
	return json_pack("{s:b,s:i}", "trusted", trusted, "approvals_needed", posts_approvals_needed(v));
}

int
posts_held_reasons(struct req *r, const struct page_posts *pp)
{
	struct viewer *v = auth_viewer(r);
	struct buf ids = BUF_INIT;
	json_t *by_id;
	PGresult *res;
	int n = 0;

	if (v == NULL)
		return 0;
	/* a pending post always shows its author (only a deleted one's is withheld) */
	for (size_t i = 0; i < pp->n; i++)
		if (pp->v[i].state == STATE_PENDING && page_post_author(&pp->v[i], v->id) == v->id)
			buf_printf(&ids, "%s%lld", n++ ? "," : "{", (long long)pp->v[i].id);
	if (n == 0)
		return 0;   /* most pages: no query */
	buf_putc(&ids, '}');
	res = db_q(&r->c, STMT_HELD_REASONS, ids.data, db_int(&r->c, v->id));
	buf_free(&ids);
	if (res == NULL)
		return -1;
	by_id = json_object();
	for (int row = 0; row < PQntuples(res); row++)
		json_object_set_new(by_id, db_str(res, row, 0), json_pack("{s:s,s:s}", "reason", db_str(res, row, 1),
									  "reason_text", db_str(res, row, 2)));
	for (size_t i = 0; i < pp->n; i++) {
		char key[24];
		json_t *held;

		snprintf(key, sizeof key, "%lld", (long long)pp->v[i].id);
		if ((held = json_object_get(by_id, key)) != NULL)
			json_object_set(pp->v[i].obj, "held", held);
	}
	json_decref(by_id);
	return 0;
}

/* The post as the viewer may see it, or NULL with 404 recorded. */
static PGresult *
posts_visible(struct req *r, int64_t id)
{
	PGresult *res = db_q(&r->c, STMT_POST_GET, db_int(&r->c, id));

	if (res == NULL)
		return NULL;
	if (PQntuples(res) == 0 ||
	    !policy_may_see_post(auth_viewer(r), posts_state(res),
				 policy_state_parse(db_str(res, 0, db_col(res, "thread_state"))),
				 db_i64(res, 0, db_col(res, "author_id")))) {
		http_fail(r, HERR_NOT_FOUND, NULL, "There is no such post.");
		return NULL;
	}
	return res;
}

/* Author of the post or a moderator. */
static int
posts_may_change(struct req *r, PGresult *post)
{
	const char *why;
	enum herr e;

	if (auth_require(r, ROLE_MEMBER) != 0)
		return -1;
	e = policy_change(auth_viewer(r), posts_state(post), db_i64(post, 0, db_col(post, "author_id")),
			  db_bool(post, 0, db_col(post, "locked")), &why);
	if (e != HERR_OK) {
		http_fail(r, e, NULL, why);
		return -1;
	}
	return 0;
}

static json_t *
posts_model(PGresult *post)
{
	json_t *p = db_row_json(post, 0);

	json_object_del(p, "author_id");
	json_object_del(p, "path");
	json_object_del(p, "locked");
	json_object_del(p, "thread_state");
	return p;
}

static enum herr
posts_show(struct req *r)
{
	PGresult *post;
	int64_t id;
	struct page_posts pp;
	json_t *p, *one;
	int rc;

	if (http_param_id(r, "id", &id) != 0 || (post = posts_visible(r, id)) == NULL)
		return r->c.err;
	p = posts_model(post);
	json_object_set_new(http_model(r), "post", p);
	/* its reactions and answer mark, as on its thread's page */
	one = json_pack("[O]", p);
	page_posts_of_json(r, one, &pp);
	rc = reactions_decorate(r, db_i64(post, 0, db_col(post, "thread_id")), &pp, NULL);
	if (rc == 0)
		rc = bookmarks_decorate(r, &pp);
	json_decref(one);
	return rc == 0 ? HERR_OK : r->c.err;
}

/* The edit page: the post, for its author or a moderator. */
static enum herr
posts_edit_page(struct req *r)
{
	PGresult *post;
	int64_t id;

	if (http_param_id(r, "id", &id) != 0 || (post = posts_visible(r, id)) == NULL ||
	    posts_may_change(r, post) != 0)
		return r->c.err;
	json_object_set_new(http_model(r), "post", posts_model(post));
	return HERR_OK;
}

/* An edit or a deletion of post id, in one transaction with its moderation-log entry. */
struct posts_change {
	struct req *r;
	int64_t id, author;
	const struct post_body *b;   /* the edit; NULL: delete */
	bool hold;                   /* the edit goes back to the queue */
	PGresult *post;              /* renaming: the opening post as posts_visible read it */
	const char *title;           /* renaming the thread (opening posts only), or NULL */
};

/* Rename the thread whose opening post is `post`, inside the caller's transaction, when
 * title is not its title already: title and slug, the opening post marked edited, a
 * revision of it when with_revision (an edit of the body adds its own; either way the
 * revision trigger stores the new title beside it, the earlier ones keep the old), and
 * the log when a moderator renames someone else's thread. 0 (also for no change) or -1. */
static int
posts_retitle(struct ctx *c, int64_t editor, PGresult *post, const char *title, bool with_revision)
{
	const char *old = db_str(post, 0, db_col(post, "thread_title"));
	const char *tid = db_str(post, 0, db_col(post, "thread_id"));
	const char *pid = db_str(post, 0, db_col(post, "id"));

	if (strcmp(old, title) == 0)
		return 0;
	if (db_q(c, STMT_THREAD_RENAME, tid, title, threads_slug(c, title)) == NULL ||
	    db_q(c, STMT_POST_MARK_EDITED, pid) == NULL ||
	    (with_revision && db_q(c, STMT_REVISION_ADD, pid, db_int(c, editor),
				   db_str(post, 0, db_col(post, "body"))) == NULL))
		return -1;
	if (editor != db_i64(post, 0, db_col(post, "author_id")) &&
	    modlog_add(c, editor, "rename_thread", "thread", tid, NULL,
		       json_pack("{s:s,s:s}", "from", old, "to", title)) != 0)
		return -1;
	return 0;
}

static enum herr
posts_rename_tx(struct ctx *c, void *arg)
{
	const struct posts_change *p = arg;

	return posts_retitle(c, auth_viewer(p->r)->id, p->post, p->title, true) != 0 ? c->err : HERR_OK;
}

static enum herr
posts_edit_tx(struct ctx *c, void *arg)
{
	const struct posts_change *p = arg;
	struct req *r = p->r;
	const struct post_body *b = p->b;
	int64_t id = p->id;
	bool hold = p->hold;

	if (db_q(c, STMT_POST_EDIT, db_int(c, id), b->source, b->html, b->version) == NULL ||
	    (p->title && posts_retitle(c, auth_viewer(r)->id, p->post, p->title, false) != 0) ||
	    db_q(c, STMT_REVISION_ADD, db_int(c, id), db_int(c, auth_viewer(r)->id), b->source) == NULL ||
	    posts_store_refs(c, id, b, true) != 0 ||
	    (hold && (db_q(c, STMT_POST_SET_STATE, db_int(c, id), "pending") == NULL ||
		      moderation_enqueue(c, "pending", id, "too_many_links") < 0)) ||
	    (auth_viewer(r)->id != p->author &&
	     modlog_add(c, auth_viewer(r)->id, "edit_post", "post", db_int(c, id), NULL, NULL) != 0))
		return c->err;
	return HERR_OK;
}

static enum herr
posts_delete_tx(struct ctx *c, void *arg)
{
	const struct posts_change *p = arg;
	struct req *r = p->r;
	int64_t id = p->id;

	if (db_q(c, STMT_POST_DELETE, db_int(c, id), db_int(c, auth_viewer(r)->id)) == NULL ||
	    (auth_viewer(r)->id != p->author &&
	     modlog_add(c, auth_viewer(r)->id, "delete_post", "post", db_int(c, id), NULL, NULL) != 0))
		return c->err;
	return HERR_OK;
}

/* PATCH /api/v1/threads/{id} {title}: the author of the thread or a moderator renames
 * it (3–200 characters), under the same rules as editing its opening post. */
static enum herr
posts_thread_patch(struct req *r)
{
	const char *title;
	PGresult *res, *post;
	int64_t id;

	if (http_param_id(r, "id", &id) != 0 || (res = db_q(&r->c, STMT_THREAD_OPENING_POST, db_int(&r->c, id))) == NULL)
		return r->c.err;
	if (PQntuples(res) == 0)
		return http_fail(r, HERR_NOT_FOUND, NULL, "There is no such thread.");
	if ((post = posts_visible(r, db_i64(res, 0, 0))) == NULL || posts_may_change(r, post) != 0 ||
	    in_string(r, "title", 3, 200, IN_REQUIRED | IN_TRIM, &title) < 0)
		return r->c.err;
	if (db_transaction(&r->c, posts_rename_tx,
			   &(struct posts_change){ r, 0, 0, NULL, false, post, title }) != HERR_OK)
		return r->c.err;
	json_object_set_new(http_model(r), "thread", threads_load(r, id));
	return r->c.err;
}

static enum herr
posts_edit(struct req *r)
{
	const struct policy_limits l = posts_limits();
	struct post_body b;
	const char *title = NULL;
	PGresult *post;
	int64_t id;
	bool hold;

	if (http_param_id(r, "id", &id) != 0 || (post = posts_visible(r, id)) == NULL ||
	    posts_may_change(r, post) != 0 || posts_read_body(r, &b) != 0)
		return r->c.err;
	/* The opening post's edit form carries the thread's title too. */
	if (PQgetisnull(post, 0, db_col(post, "parent_id")) &&
	    in_string(r, "title", 3, 200, IN_TRIM | IN_NULLABLE, &title) < 0)
		return r->c.err;
	/* An edit that adds more links than the spam rule allows goes back to the queue. */
	hold = posts_state(post) == STATE_VISIBLE && policy_too_many_links(&l, auth_viewer(r), b.links);
	if (db_transaction(&r->c, posts_edit_tx,
			   &(struct posts_change){ r, id, db_i64(post, 0, db_col(post, "author_id")), &b, hold,
						   post, title }) != HERR_OK)
		return r->c.err;
	if ((post = db_q(&r->c, STMT_POST_GET, db_int(&r->c, id))) == NULL)
		return r->c.err;
	json_object_set_new(http_model(r), "post", posts_model(post));
	r->location = arena_printf(r->c.arena, "/t/%s#p%lld", db_str(post, 0, db_col(post, "thread_id")),
				   (long long)id);
	return HERR_OK;
}

static enum herr
posts_delete(struct req *r)
{
	PGresult *post;
	int64_t id;

	if (http_param_id(r, "id", &id) != 0 || (post = posts_visible(r, id)) == NULL ||
	    posts_may_change(r, post) != 0)
		return r->c.err;
	r->location = arena_printf(r->c.arena, "/t/%s#p%lld", db_str(post, 0, db_col(post, "thread_id")),
				   (long long)id);
	/* Deleting what is deleted changes nothing and logs nothing. */
	if (posts_state(post) == STATE_DELETED)
		return HERR_OK;
	if (db_transaction(&r->c, posts_delete_tx,
			   &(struct posts_change){ r, id, db_i64(post, 0, db_col(post, "author_id")), NULL, false }) != HERR_OK)
		return r->c.err;
	r->location = arena_printf(r->c.arena, "/t/%s#p%lld", db_str(post, 0, db_col(post, "thread_id")),
				   (long long)id);
	return HERR_OK;
}

struct posts_restore {
	int64_t post, viewer, author;
	const char *state;   /* the state it went back to */
};

static enum herr
posts_restore_tx(struct ctx *c, void *arg)
{
	struct posts_restore *p = arg;
	PGresult *res = db_q(c, STMT_POST_RESTORE, db_int(c, p->post));

	if (res == NULL)
		return c->err;
	if (PQntuples(res) == 0)
		return ctx_fail(c, HERR_CONFLICT, NULL, "The post is not deleted.");
	p->state = arena_strdup(c->arena, db_str(res, 0, 0));
	if (p->viewer != p->author &&
	    modlog_add(c, p->viewer, "restore_post", "post", db_int(c, p->post), NULL,
		       json_pack("{s:s}", "state", p->state)) != 0)
		return c->err;
	return HERR_OK;
}

/* POST /api/v1/posts/{id}/restore: undo a delete, back to the state the post had. */
static enum herr
posts_restore(struct req *r)
{
	struct posts_restore p = { 0 };
	PGresult *post, *del;
	const char *why;
	enum herr e;

	if (http_param_id(r, "id", &p.post) != 0 || auth_require(r, ROLE_MEMBER) != 0 ||
	    (post = db_q(&r->c, STMT_POST_GET, db_int(&r->c, p.post))) == NULL)
		return r->c.err;
	p.viewer = auth_viewer(r)->id;
	if (PQntuples(post) == 0 ||
	    ((p.author = db_i64(post, 0, db_col(post, "author_id"))) != p.viewer &&
	     !policy_may_see_post(auth_viewer(r), posts_state(post),
				  policy_state_parse(db_str(post, 0, db_col(post, "thread_state"))), p.author)))
		return http_fail(r, HERR_NOT_FOUND, NULL, "There is no such post.");
	if (posts_state(post) != STATE_DELETED)
		return http_fail(r, HERR_CONFLICT, NULL, "The post is not deleted.");
	if ((del = db_q(&r->c, STMT_POST_DELETION, db_int(&r->c, p.post))) == NULL)
		return r->c.err;
	e = policy_restore(auth_viewer(r), p.author, db_bool(del, 0, 0), db_bool(del, 0, 1),
			   db_bool(post, 0, db_col(post, "locked")), &why);
	if (e != HERR_OK)
		return http_fail(r, e, NULL, why);
	if (db_transaction(&r->c, posts_restore_tx, &p) != HERR_OK)
		return r->c.err;
	r->model = json_pack("{s:{s:I,s:I,s:s}}", "post", "id", (json_int_t)p.post, "thread_id",
			     (json_int_t)db_i64(post, 0, db_col(post, "thread_id")), "state", p.state);
	r->location = arena_printf(r->c.arena, "/t/%s#p%lld", db_str(post, 0, db_col(post, "thread_id")),
				   (long long)p.post);
	return HERR_OK;
}

/* The HTML view of each revision: what it changed against the one before it (the next
 * in the list, newest first). The oldest is the post as first written: nothing to compare. */
static void
posts_revisions_diff(struct ctx *c, json_t *revs)
{
	struct buf out = BUF_INIT;
	struct diff_stats st;
	json_t *rev, *older;
	size_t i;

	json_array_foreach(revs, i, rev) {
		const char *title, *was;

		if ((older = json_array_get(revs, i + 1)) == NULL) {
			JSON_SET(rev, "original", json_true());
			break;
		}
		buf_reset(&out);
		diff_words_html(&out, json_string_value(json_object_get(older, "body")),
				json_string_value(json_object_get(rev, "body")), DIFF_MAX_CELLS, &st);
		JSON_SET(rev, "diff", json_pack("{s:s,s:s,s:b,s:b}", "html", out.data,
			"summary", arena_printf(c->arena, "%zu word%s added, %zu taken away", st.inserted,
						st.inserted == 1 ? "" : "s", st.deleted),
			"replaced", st.replaced, "unchanged", st.inserted == 0 && st.deleted == 0));
		title = json_string_value(json_object_get(rev, "title"));
		was = json_string_value(json_object_get(older, "title"));
		if (title && was && strcmp(title, was) != 0) {
			buf_reset(&out);
			diff_words_html(&out, was, title, DIFF_MAX_CELLS, NULL);
			JSON_SET(rev, "title_diff_html", json_string(out.data));
		}
	}
	buf_free(&out);
}

static enum herr
posts_revisions(struct req *r)
{
	PGresult *res, *post;
	int64_t id;
	json_t *revs;

	if (http_param_id(r, "id", &id) != 0 || (post = posts_visible(r, id)) == NULL)
		return r->c.err;
	if ((res = db_q(&r->c, STMT_REVISIONS, db_int(&r->c, id))) == NULL)
		return r->c.err;
	revs = db_rows_json(res);
	if (r->html)
		posts_revisions_diff(&r->c, revs);
	json_object_set_new(http_model(r), "revisions", revs);
	JSON_SET(r->model, "post_id", json_integer(id));
	JSON_SET(r->model, "post", json_pack("{s:I,s:s,s:I,s:s}", "id", (json_int_t)id,
		"url", arena_printf(r->c.arena, "/p/%lld", (long long)id),
		"thread_id", (json_int_t)db_i64(post, 0, db_col(post, "thread_id")),
		"thread_title", db_str(post, 0, db_col(post, "thread_title"))));
	r->title = "Revisions";
	return HERR_OK;
}

/* POST /api/v1/preview {body}: the HTML a post would get, from the same pipeline (the
 * live preview of the editor). Signed in, as only members write. */
static enum herr
posts_preview(struct req *r)
{
	struct post_body b;

	if (auth_require(r, ROLE_MEMBER) != 0 || posts_read_body(r, &b) != 0)
		return r->c.err;
	r->model = json_pack("{s:s}", "body_html", b.html);
	return HERR_OK;
}

const struct route posts_routes[] = {
	{ "POST", "/api/v1/preview", posts_preview },
	{ "GET", "/p/{id}/edit", posts_edit_page, .view = "post_edit", .title = "Edit post" },
	{ "POST", "/p/{id}/edit", posts_edit, .view = "post_edit", .title = "Edit post", .page = posts_edit_page },
	{ "GET", "/p/{id}/delete", posts_edit_page, .view = "post_delete", .title = "Delete post" },
	{ "POST", "/p/{id}/delete", posts_delete, .view = "post_delete", .title = "Delete post", .page = posts_edit_page },
	{ "POST", "/p/{id}/restore", posts_restore, .view = "error" },
	{ "GET", "/p/{id}/revisions", posts_revisions, .view = "revisions", .title = "Revisions" },
	{ "GET", "/api/v1/posts/{id}", posts_show },
	{ "PATCH", "/api/v1/posts/{id}", posts_edit },
	{ "PATCH", "/api/v1/threads/{id}", posts_thread_patch },
	{ "DELETE", "/api/v1/posts/{id}", posts_delete },
	{ "POST", "/api/v1/posts/{id}/restore", posts_restore },
	{ "GET", "/api/v1/posts/{id}/revisions", posts_revisions },
};
const size_t posts_routes_n = ROUTES_N(posts_routes);
