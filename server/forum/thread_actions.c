/* forum/thread_actions.c — what moderators do to whole threads: lock, pin, move, merge
 * one thread into another, split a subtree out into a thread of its own. Every action
 * is one transaction and one entry in the moderation log. */
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "db/db.h"
#include "forum/modlog.h"
#include "forum/routes.h"
#include "forum/thread_actions.h"
#include "forum/threads.h"

struct thread_action {
	int64_t thread, moderator, other, post, category;   /* category: a split's; 0 = the thread's */
	const char *action, *reason, *value, *title;
	int64_t result, moved;   /* the thread to show after; the posts a merge or split moved */
};

/* How many rows an UPDATE changed. */
static int64_t
ta_changed(PGresult *res)
{
	return strtoll(PQcmdTuples(res), NULL, 10);
}

static enum herr
ta_simple_tx(struct ctx *c, void *arg)
{
	struct thread_action *a = arg;
	enum stmt_id id = strcmp(a->action, "lock") == 0 || strcmp(a->action, "unlock") == 0 ? STMT_THREAD_LOCK
			  : strcmp(a->action, "move") == 0 ? STMT_THREAD_MOVE : STMT_THREAD_PIN;
	const struct db_expect *missing = id == STMT_THREAD_MOVE
		? DB_EXPECT({ "23503", HERR_INVALID, "category", "There is no such category." }) : NULL;
	PGresult *res = db_qx(c, id, missing, db_int(c, a->thread), a->value);

	if (res == NULL)
		return c->err;
	if (PQntuples(res) == 0)
		return ctx_fail(c, HERR_NOT_FOUND, NULL, "There is no such thread.");
	return modlog_add(c, a->moderator, a->action, "thread", db_int(c, a->thread), a->reason,
			  a->value && id == STMT_THREAD_MOVE
				  ? json_pack("{s:I}", "category_id", (json_int_t)strtoll(a->value, NULL, 10)) : NULL) == 0
		       ? HERR_OK : c->err;
}

/* Merge thread a->thread into a->other: its posts join the other's tree under its
 * opening post, with every path rewritten in one statement. */
static enum herr
ta_merge_tx(struct ctx *c, void *arg)
{
	struct thread_action *a = arg;
	PGresult *rows, *root, *moved;
	int found = 0;

	if ((rows = db_q(c, STMT_THREADS_LOCK_ROWS, db_int(c, a->thread), db_int(c, a->other))) == NULL)
		return c->err;
	for (int i = 0; i < PQntuples(rows); i++)
		found |= db_i64(rows, i, 0) == a->other ? 2 : 1;
	if (!(found & 1))
		return ctx_fail(c, HERR_NOT_FOUND, NULL, "There is no such thread.");
	if (!(found & 2))
		return ctx_fail(c, HERR_NOT_FOUND, "into", "There is no thread with that number.");
	for (int i = 0; i < 2; i++) {
		bool target = db_i64(rows, i, 0) == a->other;

		if (db_str(rows, i, 1) != NULL)
			return ctx_fail(c, HERR_CONFLICT, target ? "into" : NULL,
					target ? "That thread was merged into another one: merge into that one."
					       : "This thread was already merged into another one.");
		if (target && strcmp(db_str(rows, i, 4), "deleted") == 0)
			return ctx_fail(c, HERR_CONFLICT, "into", "That thread was deleted.");
	}
	if ((root = db_q(c, STMT_THREAD_ROOT, db_int(c, a->other))) == NULL)
		return c->err;
	if (PQntuples(root) == 0)
		return ctx_fail(c, HERR_CONFLICT, "into", "That thread has no opening post.");
	if ((moved = db_qx(c, STMT_THREAD_MERGE_POSTS,
			   DB_EXPECT({ "23514", HERR_CONFLICT, "into", "The merged tree would be too deep." }),
			   db_int(c, a->thread), db_int(c, a->other), db_str(root, 0, 0), db_str(root, 0, 1))) == NULL)
		return c->err;
	a->moved = ta_changed(moved);
	if (db_q(c, STMT_THREAD_MERGE_WATCHERS, db_int(c, a->thread), db_int(c, a->other)) == NULL ||
	    db_q(c, STMT_NOTIFICATIONS_FOLLOW, db_int(c, a->thread)) == NULL ||
	    db_q(c, STMT_THREAD_MERGED, db_int(c, a->thread), db_int(c, a->other)) == NULL ||
	    modlog_add(c, a->moderator, "merge", "thread", db_int(c, a->thread), a->reason,
		       json_pack("{s:I,s:I}", "into", (json_int_t)a->other, "posts", (json_int_t)a->moved)) != 0)
		return c->err;
	a->result = a->other;
	return HERR_OK;
}

/* Split the subtree under a->post out of a->thread into a new thread. */
static enum herr
ta_split_tx(struct ctx *c, void *arg)
{
	struct thread_action *a = arg;
	PGresult *post, *res, *moved;
	const char *slug;

	if ((post = db_q(c, STMT_POST_GET, db_int(c, a->post))) == NULL)
		return c->err;
	if (PQntuples(post) == 0 || db_i64(post, 0, db_col(post, "thread_id")) != a->thread)
		return ctx_fail(c, HERR_INVALID, "post_id", "post_id is not a post of this thread.");
	if (db_str(post, 0, db_col(post, "parent_id")) == NULL)
		return ctx_fail(c, HERR_INVALID, "post_id", "The opening post cannot be split off; move the thread instead.");
	slug = threads_slug(c, a->title);
	res = db_qx(c, STMT_THREAD_SPLIT_NEW, DB_EXPECT({ "23503", HERR_INVALID, "category", "There is no such category." }),
		    db_int(c, a->post), a->title, slug, a->category ? db_int(c, a->category) : NULL);
	if (res == NULL)
		return c->err;
	a->result = db_i64(res, 0, 0);
	if ((moved = db_q(c, STMT_THREAD_SPLIT_POSTS, db_int(c, a->post), db_int(c, a->thread),
			  db_str(post, 0, db_col(post, "path")), db_str(post, 0, db_col(post, "depth")),
			  db_int(c, a->result))) == NULL)
		return c->err;
	a->moved = ta_changed(moved);
	if (db_q(c, STMT_NOTIFICATIONS_FOLLOW, db_int(c, a->thread)) == NULL ||
	    modlog_add(c, a->moderator, "split", "thread", db_int(c, a->thread), a->reason,
		       json_pack("{s:I,s:I,s:I}", "post_id", (json_int_t)a->post, "new_thread", (json_int_t)a->result,
				 "posts", (json_int_t)a->moved)) != 0)
		return c->err;
	return HERR_OK;
}

/* Whether an optional field was sent (JSON null counts as not). */
static bool
ta_given(struct req *r, const char *field)
{
	json_t *v = json_object_get(r->input, field);

	return v != NULL && !json_is_null(v);
}

static enum herr
ta_run(struct req *r, const char *action)
{
	struct thread_action a = { .action = action };
	enum herr (*tx)(struct ctx *, void *) = ta_simple_tx;
	json_t *t;

	if (auth_require(r, ROLE_MODERATOR) != 0 || http_param_id(r, "id", &a.thread) != 0 ||
	    in_string(r, "reason", 1, 1000, IN_TRIM | IN_NULLABLE, &a.reason) < 0)
		return r->c.err;
	a.moderator = auth_viewer(r)->id;
	if (strcmp(action, "lock") == 0 || strcmp(action, "pin") == 0)
		a.value = "true";
	else if (strcmp(action, "unlock") == 0 || strcmp(action, "unpin") == 0)
		a.value = "false";
	else if (strcmp(action, "move") == 0) {
		int64_t cat;

		if (threads_category_input(r, &cat) != 0)
			return r->c.err;
		a.value = db_int(&r->c, cat);
	} else if (strcmp(action, "merge") == 0) {
		if (in_int(r, "into", 1, INT64_MAX, IN_REQUIRED, &a.other) < 0)
			return r->c.err;
		if (a.other == a.thread)
			return http_fail(r, HERR_INVALID, "into", "A thread cannot be merged into itself.");
		tx = ta_merge_tx;
	} else if (strcmp(action, "split") == 0) {
		if (in_int(r, "post_id", 1, INT64_MAX, IN_REQUIRED, &a.post) < 0 ||
		    in_string(r, "title", 3, 200, IN_TRIM | IN_NULLABLE, &a.title) < 0 ||
		    (ta_given(r, "category") && threads_category_input(r, &a.category) != 0))
			return r->c.err;
		if (a.title == NULL) {
			if ((t = threads_load(r, a.thread)) == NULL)
				return r->c.err;
			a.title = thread_actions_split_title(r->c.arena, json_string_value(json_object_get(t, "title")));
			json_decref(t);
		}
		tx = ta_split_tx;
	}
	if (db_transaction(&r->c, tx, &a) != HERR_OK)
		return r->c.err;
	if ((t = threads_load(r, a.result ? a.result : a.thread)) == NULL)
		return r->c.err;
	r->model = json_pack("{s:o}", "thread", t);
	if (a.moved)
		json_object_set_new(r->model, "moved_posts", json_integer(a.moved));
	if (tx == ta_simple_tx)
		r->location = arena_printf(r->c.arena, "/t/%lld", (long long)a.thread);
	else   /* the page after a merge or split says what happened (thread_actions_notice) */
		r->location = arena_printf(r->c.arena, "/t/%lld?%s=%lld", (long long)a.result,
					   tx == ta_merge_tx ? "merged" : "split_from", (long long)a.thread);
	return HERR_OK;
}

#define TA(name) static enum herr ta_##name(struct req *r) { return ta_run(r, #name); }
TA(lock)
TA(unlock)
TA(pin)
TA(unpin)
TA(move)
TA(merge)
TA(split)
#undef TA

const struct route thread_actions_routes[] = {
	{ "POST", "/api/v1/threads/{id}/lock", ta_lock },
	{ "POST", "/api/v1/threads/{id}/unlock", ta_unlock },
	{ "POST", "/api/v1/threads/{id}/pin", ta_pin },
	{ "POST", "/api/v1/threads/{id}/unpin", ta_unpin },
	{ "POST", "/api/v1/threads/{id}/move", ta_move },
	{ "POST", "/api/v1/threads/{id}/merge", ta_merge },
	{ "POST", "/api/v1/threads/{id}/split", ta_split },
	{ "POST", "/t/{id}/lock", ta_lock, .view = "thread", .page = threads_page },
	{ "POST", "/t/{id}/unlock", ta_unlock, .view = "thread", .page = threads_page },
	{ "POST", "/t/{id}/pin", ta_pin, .view = "thread", .page = threads_page },
	{ "POST", "/t/{id}/unpin", ta_unpin, .view = "thread", .page = threads_page },
	{ "POST", "/t/{id}/move", ta_move, .view = "thread", .page = threads_page },
	{ "GET", "/t/{id}/merge", thread_actions_merge_page, .view = "thread_merge", .title = "Merge a thread" },
	{ "POST", "/t/{id}/merge", ta_merge, .view = "thread_merge", .page = thread_actions_merge_page },
	{ "GET", "/t/{id}/split", thread_actions_split_page, .view = "thread_split", .title = "Split a thread" },
	{ "POST", "/t/{id}/split", ta_split, .view = "thread_split", .page = thread_actions_split_page },
};
const size_t thread_actions_routes_n = ROUTES_N(thread_actions_routes);
