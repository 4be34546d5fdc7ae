/* forum/thread_action_pages.c — the pages in front of a merge or a split, so a moderator
 * never types a number the forum does not show: the threads to merge into, found by title
 * words (the search's SQL), number or link, then a confirmation; the posts a split moves,
 * with the new thread's title and category; and the notice on the thread page after. */
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "core/utf8.h"
#include "db/db.h"
#include "forum/policy.h"
#include "forum/search.h"
#include "forum/thread_actions.h"
#include "forum/threads.h"

#define TAP_SIMILAR 10     /* candidates by similar titles… */
#define TAP_HITS 20        /* …and by title words; duplicates dropped */
#define TAP_CANDIDATES (1 + TAP_SIMILAR + TAP_HITS)
#define TAP_SUBTREE 200    /* posts of a split listed; the rest counted */
#define TAP_SPLIT_SUFFIX " (split)"

const char *
thread_actions_split_title(struct arena *a, const char *title)
{
	size_t n = strlen(title);

	/* 192 bytes are at most 192 characters: with the suffix, within the 200 of a title. */
	return arena_printf(a, "%.*s" TAP_SPLIT_SUFFIX, (int)utf8_truncate(title, n, 200 - strlen(TAP_SPLIT_SUFFIX)),
			    title);
}

static json_t *
tap_posts_text(json_int_t n)
{
	return json_sprintf("%lld post%s", (long long)n, n == 1 ? "" : "s");
}

/* An id from the query (a link) or, on a page shown again after a failed POST, from the
 * form. 1 with *ret, 0 when absent (or empty), -1 with 400 recorded. */
static int
tap_id(struct req *r, const char *name, int64_t *ret)
{
	if (http_query(r, name) != NULL)
		return http_query_int(r, name, 1, INT64_MAX, 0, ret) == 0 ? *ret != 0 : -1;
	if (r->c.err != HERR_OK)
		return -1;
	if (json_object_get(r->input, name) == NULL)
		return 0;
	return in_int(r, name, 1, INT64_MAX, IN_REQUIRED, ret) < 0 ? -1 : 1;
}

/* The thread a search names by number ("42", "#42") or by link (".../t/42/slug#p7"), or 0. */
static int64_t
tap_named_thread(const char *q)
{
	const char *t = strstr(q, "/t/");
	char *end;
	long long id;

	if (*q == '#')
		q++;
	if (t == NULL && (*q == '\0' || strspn(q, "0123456789") != strlen(q)))
		return 0;
	id = strtoll(t ? t + 3 : q, &end, 10);
	return id > 0 && (end != (t ? t + 3 : q)) ? (int64_t)id : 0;
}

struct tap_ids {
	int64_t v[TAP_CANDIDATES];
	size_t n;
};

static void
tap_ids_add(struct tap_ids *ids, int64_t id)
{
	for (size_t i = 0; i < ids->n; i++)
		if (ids->v[i] == id)
			return;
	if (ids->n < TAP_CANDIDATES)
		ids->v[ids->n++] = id;
}

/* The ids of the threads a search finds, best first: the one it names, else those with
 * similar titles (search_similar, as the new-thread page) and those whose titles hold its
 * words (search_hits, as /search). */
static int
tap_merge_find(struct req *r, const char *q, int64_t named, struct tap_ids *ids)
{
	json_t *similar, *row;
	PGresult *res;
	size_t i;

	if (named) {
		tap_ids_add(ids, named);
		return 0;
	}
	if (search_similar(r, q, TAP_SIMILAR, &similar) != 0)
		return -1;
	json_array_foreach(similar, i, row)
		tap_ids_add(ids, json_integer_value(json_object_get(row, "id")));
	json_decref(similar);
	if ((res = db_q(&r->c, STMT_THREAD_TITLE_HITS, q, db_int(&r->c, TAP_HITS))) == NULL)
		return -1;
	for (int k = 0; k < PQntuples(res); k++)
		tap_ids_add(ids, db_i64(res, k, 0));
	return 0;
}

/* ?q=: the threads this one may be merged into that the search finds. */
static enum herr
tap_merge_search(struct req *r, int64_t id, const char *q)
{
	struct tap_ids ids = { .n = 0 };
	struct buf list = BUF_INIT;
	json_t *found, *row;
	int64_t named;
	PGresult *res;
	size_t i;

	if (utf8_length(q, strlen(q)) > 200)
		return http_fail(r, HERR_INVALID, "q", "Search with at most 200 characters.");
	json_object_set_new(r->model, "q", json_string(q));
	named = tap_named_thread(q);
	if (tap_merge_find(r, q, named, &ids) != 0)
		return r->c.err;
	buf_puts(&list, "{");
	for (i = 0; i < ids.n; i++)
		buf_printf(&list, "%s%lld", i ? "," : "", (long long)ids.v[i]);
	buf_puts(&list, "}");
	res = db_q(&r->c, STMT_THREAD_MERGE_CANDIDATES, list.data, db_int(&r->c, id));
	buf_free(&list);
	if (res == NULL)
		return r->c.err;
	found = db_rows_json(res);
	json_array_foreach(found, i, row)
		json_object_set_new(row, "posts_text", tap_posts_text(json_integer_value(json_object_get(row, "post_count"))));
	json_object_set_new(r->model, "candidates", found);
	json_object_set_new(r->model, "searched", json_true());
	if (named && PQntuples(res) == 0)
		json_object_set_new(r->model, "refused", json_sprintf(
			named == id ? "Thread %lld is this thread: a thread cannot be merged into itself."
				    : "Thread %lld cannot take this merge: there is no such thread, or it was deleted or merged away.",
			(long long)named));
	return HERR_OK;
}

/* ?into=: the question before the merge, with what it will do. */
static enum herr
tap_merge_confirm(struct req *r, json_t *source, int64_t into)
{
	json_t *target;
	const char *a = json_string_value(json_object_get(source, "title")), *b;

	if (into == json_integer_value(json_object_get(source, "id")))
		return http_fail(r, HERR_INVALID, "into", "A thread cannot be merged into itself.");
	if ((target = threads_load(r, into)) == NULL)
		return r->c.err;
	json_object_set_new(r->model, "target", target);
	if (!json_is_null(json_object_get(target, "merged_into")))
		return http_fail(r, HERR_CONFLICT, "into", "That thread was merged into another one: merge into that one.");
	if (strcmp(json_string_value(json_object_get(target, "state")), "deleted") == 0)
		return http_fail(r, HERR_CONFLICT, "into", "That thread was deleted.");
	b = json_string_value(json_object_get(target, "title"));
	json_object_set_new(r->model, "confirm", json_pack("{s:o,s:o}",
		"question", json_sprintf("Merge “%s” (%lld post%s) into “%s” (%lld post%s)?", a,
			(long long)json_integer_value(json_object_get(source, "post_count")),
			json_integer_value(json_object_get(source, "post_count")) == 1 ? "" : "s", b,
			(long long)json_integer_value(json_object_get(target, "post_count")),
			json_integer_value(json_object_get(target, "post_count")) == 1 ? "" : "s"),
		"effect", json_sprintf("The posts move into “%s” under its opening post, replies still under what "
				       "they answered; “%s” becomes a pointer to “%s”. This cannot be undone.", b, a, b)));
	return HERR_OK;
}

enum herr
thread_actions_merge_page(struct req *r)
{
	const char *q = http_query(r, "q");
	int64_t id, into = 0;
	json_t *t;
	int has_into;

	if (auth_require(r, ROLE_MODERATOR) != 0 || http_param_id(r, "id", &id) != 0 || r->c.err != HERR_OK ||
	    (has_into = tap_id(r, "into", &into)) < 0)
		return r->c.err;
	if ((t = threads_load(r, id)) == NULL)
		return r->c.err;
	json_object_set_new(http_model(r), "thread", t);
	json_object_set_new(t, "posts_text", tap_posts_text(json_integer_value(json_object_get(t, "post_count"))));
	r->title = arena_printf(r->c.arena, "Merge “%s”", json_string_value(json_object_get(t, "title")));
	if (!json_is_null(json_object_get(t, "merged_into")))
		return HERR_OK;   /* the page says where it went; nothing to search */
	json_object_set_new(r->model, "can_merge", json_true());
	if (has_into)
		return tap_merge_confirm(r, t, into);
	while (q && (*q == ' ' || *q == '\t'))
		q++;
	return q && *q ? tap_merge_search(r, id, q) : HERR_OK;
}

/* The categories for the new thread, the one chosen (or else the thread's) selected. */
static int
tap_split_categories(struct req *r, json_t *thread)
{
	const char *chosen = json_string_value(json_object_get(r->input, "category"));
	const char *own = json_string_value(json_object_get(json_object_get(thread, "category"), "slug"));
	PGresult *res = db_q0(&r->c, STMT_CATEGORIES);
	json_t *cats, *c;
	size_t i;

	if (res == NULL)
		return -1;
	cats = db_rows_json(res);
	json_array_foreach(cats, i, c)
		json_object_set_new(c, "is_selected", json_boolean(strcmp(json_string_value(json_object_get(c, "slug")),
									 chosen ? chosen : own) == 0));
	json_object_set_new(r->model, "categories", cats);
	return 0;
}

/* Moderators see every post of the subtree, and every one moves: say which are not shown
 * to others. */
static void
tap_split_states(json_t *posts)
{
	json_t *p;
	size_t i;

	json_array_foreach(posts, i, p) {
		const char *state = json_string_value(json_object_get(p, "state"));

		if (strcmp(state, "visible") != 0)
			json_object_set_new(p, "state_text", json_string(strcmp(state, "pending") == 0 ? "waiting for approval"
									 : strcmp(state, "hidden") == 0 ? "hidden" : "deleted"));
	}
}

enum herr
thread_actions_split_page(struct req *r)
{
	const char *title = json_string_value(json_object_get(r->input, "title"));
	int64_t id, post = 0;
	json_int_t total;
	json_t *t, *posts;
	PGresult *res;

	if (auth_require(r, ROLE_MODERATOR) != 0 || http_param_id(r, "id", &id) != 0 || r->c.err != HERR_OK)
		return r->c.err;
	if (tap_id(r, "post_id", &post) == 0)
		return http_fail(r, HERR_INVALID, "post_id", "Split from a post: use “Split from here” on it.");
	if (r->c.err != HERR_OK || (t = threads_load(r, id)) == NULL)
		return r->c.err;
	json_object_set_new(http_model(r), "thread", t);
	r->title = arena_printf(r->c.arena, "Split “%s”", json_string_value(json_object_get(t, "title")));
	if (post == json_integer_value(json_object_get(t, "first_post_id")))
		return http_fail(r, HERR_INVALID, "post_id", "The opening post cannot be split off; move the thread instead.");
	if ((res = db_q(&r->c, STMT_THREAD_SUBTREE, db_int(&r->c, post), db_int(&r->c, id),
			db_int(&r->c, TAP_SUBTREE))) == NULL)
		return r->c.err;
	if (PQntuples(res) == 0)
		return http_fail(r, HERR_INVALID, "post_id", "post_id is not a post of this thread.");
	total = db_i64(res, 0, db_col(res, "total"));
	posts = db_rows_json(res);
	tap_split_states(posts);
	json_object_set_new(r->model, "posts", posts);
	json_object_set_new(r->model, "post_id", json_integer(post));
	json_object_set_new(r->model, "can_split", json_true());
	json_object_set_new(r->model, "moving", json_sprintf("%lld post%s move%s to the new thread", (long long)total,
							     total == 1 ? "" : "s", total == 1 ? "s" : ""));
	if (total > TAP_SUBTREE)
		json_object_set_new(r->model, "more", json_sprintf("and %lld more", (long long)(total - TAP_SUBTREE)));
	json_object_set_new(r->model, "new_title", json_string(title ? title
		: thread_actions_split_title(r->c.arena, json_string_value(json_object_get(t, "title")))));
	return tap_split_categories(r, t) == 0 ? HERR_OK : r->c.err;
}

int
thread_actions_notice(struct req *r, int64_t thread, json_int_t first_post)
{
	const char *merged = http_query(r, "merged"), *split = http_query(r, "split_from");
	const char *from = merged ? merged : split, *title, *done = merged ? "merged from" : "split off from";
	long long id = from ? strtoll(from, NULL, 10) : 0;
	PGresult *res;
	json_t *notice;
	json_int_t n;

	/* A stray or stale parameter is no error: the page is shown without a notice. */
	if (id <= 0 || !policy_is_moderator(auth_viewer(r)))
		return 0;
	res = db_q(&r->c, STMT_THREAD_ACTION_DONE, db_int(&r->c, id), db_int(&r->c, thread), merged ? "merge" : "split");
	if (res == NULL)
		return -1;
	if (PQntuples(res) == 0)
		return 0;
	title = db_str(res, 0, 0);
	n = PQgetisnull(res, 0, 1) ? -1 : db_i64(res, 0, 1);
	notice = json_pack("{s:o}", "text", n < 0 ? json_sprintf("Posts %s “%s”.", done, title)
		: json_sprintf("%lld post%s %s “%s”.", (long long)n, n == 1 ? "" : "s", done, title));
	if (!merged)   /* a split thread's title is a guess: say where to change it */
		json_object_set_new(notice, "rename_url", json_sprintf("/p/%lld/edit", (long long)first_post));
	json_object_set_new(r->model, "action_notice", notice);
	return 0;
}
