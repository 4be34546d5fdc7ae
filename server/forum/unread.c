/* forum/unread.c — see unread.h. The marker is one row per member and thread, never one
 * per post: lists count the posts past it in their own query, and the thread page moves
 * it in the request that shows the posts, so reading costs no extra round trip. */
#include "forum/unread.h"

#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "core/jsonset.h"
#include "db/db.h"
#include "forum/page_posts.h"
#include "forum/routes.h"
#include "forum/sharedpage.h"
#include "forum/thread_list.h"
#include "forum/threads.h"

#define UNREAD_PER_PAGE 30

static bool
unread_post_counts(const struct page_post *p, int64_t viewer)
{
	/* Only what others can see counts: not a pending or hidden post, nor one's own. */
	return p->state == STATE_VISIBLE && page_post_author(p, viewer) != viewer;
}

static json_t *
unread_where(struct req *r, int64_t thread, int64_t post, int64_t page)
{
	const char *base = r->html ? "/t" : "/api/v1/threads";
	const char *url = page > 1 ? arena_printf(r->c.arena, "%s/%lld?page=%lld#p%lld", base, (long long)thread,
						  (long long)page, (long long)post)
				   : arena_printf(r->c.arena, "%s/%lld#p%lld", base, (long long)thread, (long long)post);

	return json_pack("{s:I,s:I,s:s}", "id", (json_int_t)post, "page", (json_int_t)page, "url", url);
}

int
unread_thread_page(struct req *r, int64_t thread, const struct thread_window *w, const struct page_posts *pp)
{
	struct viewer *v = auth_viewer(r);
	struct buf ids = BUF_INIT;
	int64_t mark = 0, shown_max = 0;
	int rc = 0;

	if (v == NULL)
		return 0;
	if (!r->html && (http_query_int(r, "mark_read", 0, 1, 0, &mark) != 0))
		return -1;
	for (size_t i = 0; i < pp->n; i++) {
		json_t *p = pp->v[i].obj;
		json_int_t id = pp->v[i].id;

		if (!unread_post_counts(&pp->v[i], v->id))
			continue;
		if (r->shared) {
			/* A shared copy (forum/sharedpage.h): the viewer's marker is read at fill time,
			 * which also moves it. */
			JSON_SET(p, "is_unread", sharedpage_unread(r, id));
			continue;
		}
		/* On a page, "new" beside a post only for a member who read this thread before: on a first
		 * visit every post would carry it, which says nothing (and costs the page
		 * 50 labels). */
		if ((w->read_upto > 0 || !r->html) && id > w->read_upto)
			JSON_SET(p, "is_unread", json_true());
		if (id > shown_max)
			shown_max = id;
		buf_printf(&ids, "%s%lld", ids.len ? "," : "{", (long long)id);
	}
	JSON_SET(r->model, "unread", json_pack("{s:I,s:o}", "last_read_post_id", (json_int_t)w->read_upto,
		"first_unread", w->unread_id ? unread_where(r, thread, w->unread_id, w->unread_page) : json_null()));
	/* Nothing shown past the marker: nothing to write (the usual case on a re-read). */
	if ((r->html || mark) && shown_max > w->read_upto) {
		buf_puts(&ids, "}");
		if (db_q(&r->c, STMT_THREAD_READ_MARK, db_int(&r->c, v->id), db_int(&r->c, thread), ids.data,
			 db_int(&r->c, w->read_upto)) == NULL)
			rc = -1;
	}
	buf_free(&ids);
	return rc;
}

void
unread_list_decorate(struct req *r, json_t *threads)
{
	json_t *t;
	size_t i;

	if (auth_viewer(r) != NULL)
		return;
	json_array_foreach(threads, i, t) {
		json_object_del(t, "unread_posts");
		json_object_del(t, "is_new");
		json_object_del(t, "last_read_post_id");
	}
}

/* /unread, /new-threads and their API twins: ?page=N, 30 a page. */
static enum herr
unread_list(struct req *r, enum stmt_id stmt)
{
	int64_t page;
	PGresult *res;

	if (auth_require(r, ROLE_MEMBER) != 0 || http_query_int(r, "page", 1, 100000, 1, &page) != 0)
		return r->c.err;
	res = db_q(&r->c, stmt, db_int(&r->c, auth_viewer(r)->id), db_int(&r->c, UNREAD_PER_PAGE + 1),
		   db_int(&r->c, (page - 1) * UNREAD_PER_PAGE));
	if (res == NULL)
		return r->c.err;
	json_object_set_new(http_model(r), "next_page", PQntuples(res) > UNREAD_PER_PAGE
			    ? json_integer(page + 1) : json_null());
	JSON_SET(r->model, "threads", thread_list_rows(r, res, UNREAD_PER_PAGE));
	if (page > 1)
		JSON_SET(r->model, "prev_page", json_integer(page - 1));
	json_object_set_new(r->model, stmt == STMT_NEW_THREADS ? "list_new" : "list_unread", json_true());
	return HERR_OK;
}

static enum herr unread_threads(struct req *r) { return unread_list(r, STMT_UNREAD_THREADS); }
static enum herr unread_new_threads(struct req *r) { return unread_list(r, STMT_NEW_THREADS); }

/* POST: every opened thread read up to its newest post, and nothing started so far new. */
static enum herr
unread_mark_all(struct req *r)
{
	PGresult *res;

	if (auth_require(r, ROLE_MEMBER) != 0)
		return r->c.err;
	if ((res = db_q(&r->c, STMT_UNREAD_MARK_ALL, db_int(&r->c, auth_viewer(r)->id))) == NULL)
		return r->c.err;
	r->model = json_pack("{s:I}", "marked", (json_int_t)db_i64(res, 0, 0));
	r->location = "/unread";
	return HERR_OK;
}

/* /t/{id}/unread: to the page and anchor of the first post past the viewer's marker (the
 * newest post when none is unread); /api/v1/threads/{id}/unread says where that is. */
static enum herr
unread_jump(struct req *r)
{
	struct viewer *v = auth_viewer(r);
	struct thread_window w;
	json_t *t, *merged, *at;
	int64_t id;

	if (http_param_id(r, "id", &id) != 0 || r->c.err != HERR_OK)
		return r->c.err;
	if (v == NULL && !r->html)
		return http_fail(r, HERR_UNAUTHENTICATED, NULL, NULL);
	if ((t = threads_load(r, id)) == NULL)
		return r->c.err;
	merged = json_object_get(t, "merged_into");
	if (json_is_integer(merged))
		id = json_integer_value(merged);
	json_decref(t);
	if (v == NULL || json_is_integer(merged)) {
		r->status = 302;
		r->location = arena_printf(r->c.arena, v ? "/t/%lld/unread" : "/t/%lld", (long long)id);
		return HERR_OK;
	}
	if (thread_paging_window(r, id, NULL, &w) != 0)
		return r->c.err;
	at = w.unread_id ? unread_where(r, id, w.unread_id, w.unread_page) : NULL;
	if (!r->html) {
		r->model = json_pack("{s:I,s:I,s:o}", "thread_id", (json_int_t)id, "last_read_post_id",
				     (json_int_t)w.read_upto, "first_unread", at ? at : json_null());
		return HERR_OK;
	}
	/* Nothing unread: the newest post, as "jump to the newest post" would. */
	if (at == NULL && w.newest_id)
		at = unread_where(r, id, w.newest_id, w.newest_page);
	r->status = 302;
	r->location = at ? arena_strdup(r->c.arena, json_string_value(json_object_get(at, "url")))
			 : arena_printf(r->c.arena, "/t/%lld", (long long)id);
	json_decref(at);
	return HERR_OK;
}

const struct route unread_routes[] = {
	{ "GET", "/unread", unread_threads, .view = "unread", .title = "Unread" },
	{ "GET", "/new-threads", unread_new_threads, .view = "unread", .title = "New discussions" },
	{ "POST", "/unread/read-all", unread_mark_all, .view = "unread", .page = unread_threads },
	{ "GET", "/t/{id}/unread", unread_jump, .view = "error" },
	{ "GET", "/api/v1/unread", unread_threads },
	{ "GET", "/api/v1/new", unread_new_threads },
	{ "POST", "/api/v1/unread/read-all", unread_mark_all },
	{ "GET", "/api/v1/threads/{id}/unread", unread_jump },
};
const size_t unread_routes_n = ROUTES_N(unread_routes);
