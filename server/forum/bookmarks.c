/* forum/bookmarks.c — see bookmarks.h: bookmarking a post (JSON API and the form under
 * each post), removing a bookmark, the viewer's marks on a page of posts, and the
 * bookmarks page with its API twin. */
#include "forum/bookmarks.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "auth/auth.h"
#include "core/jsonset.h"
#include "core/utf8.h"
#include "db/db.h"
#include "forum/page_posts.h"
#include "forum/policy.h"
#include "forum/routes.h"
#include "forum/sharedpage.h"

#define BOOKMARKS_PAGE 50
#define BOOKMARK_NOTE_MAX 200

/* --- the marks on a page of posts --- */

struct db_call
bookmarks_posts_call(struct req *r, const struct page_posts *pp)
{
	return DB_CALL_MAKE(&r->c, STMT_BOOKMARKS_OF_POSTS, db_int(&r->c, auth_viewer(r)->id), page_posts_ids(pp));
}

int
bookmarks_decorate(struct req *r, const struct page_posts *pp)
{
	struct viewer *v = auth_viewer(r);
	json_t *mine;
	PGresult *res;

	if (v == NULL || pp->n == 0)
		return 0;
	if (r->shared) {
		/* A shared copy (forum/sharedpage.h): the viewer's marks are read at fill time. */
		for (size_t i = 0; i < pp->n; i++) {
			JSON_SET(pp->v[i].obj, "bookmark", sharedpage_bookmark(r, pp->v[i].id));
			if (pp->v[i].has_body)
				JSON_SET(pp->v[i].obj, "can_bookmark", json_true());
		}
		return 0;
	}
	res = db_exec_call(&r->c, bookmarks_posts_call(r, pp));
	if (res == NULL)
		return -1;
	mine = db_rows_json(res);
	for (size_t i = 0; i < pp->n; i++) {
		json_t *p = pp->v[i].obj;
		json_int_t id = pp->v[i].id;
		json_t *found = json_null(), *b;
		size_t j;

		json_array_foreach(mine, j, b)
			if (json_integer_value(json_object_get(b, "post_id")) == id)
				found = json_pack("{s:O,s:O,s:O}", "note", json_object_get(b, "note"), "remind_at",
						  json_object_get(b, "remind_at"), "reminded", json_object_get(b, "reminded"));
		JSON_SET(p, "bookmark", found);
		/* A placeholder (a deleted post, its words gone) offers nothing to keep. */
		if (r->html && pp->v[i].has_body)
			JSON_SET(p, "can_bookmark", json_true());
	}
	json_decref(mine);
	return 0;
}

/* --- setting and removing --- */

/* The post {id} as the viewer may see it, or NULL with 404 (or another error) recorded. */
static PGresult *
bookmarks_post(struct req *r, int64_t id)
{
	PGresult *post = db_q(&r->c, STMT_POST_GET, db_int(&r->c, id));

	if (post == NULL)
		return NULL;
	if (PQntuples(post) == 0 ||
	    !policy_may_see_post(auth_viewer(r), policy_state_parse(db_str(post, 0, db_col(post, "state"))),
				 policy_state_parse(db_str(post, 0, db_col(post, "thread_state"))),
				 db_i64(post, 0, db_col(post, "author_id")))) {
		http_fail(r, HERR_NOT_FOUND, NULL, "There is no such post.");
		return NULL;
	}
	return post;
}

/* A time `secs` from now as RFC 3339 UTC (arena). */
static const char *
bookmarks_from_now(struct req *r, long secs)
{
	time_t t = time(NULL) + secs;
	struct tm tm;
	char s[32];

	gmtime_r(&t, &tm);
	strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return arena_strdup(r->c.arena, s);
}

/* The reminder asked for: remind (none, hour, tomorrow, week, custom, keep) or remind_at
 * (RFC 3339; the form's datetime-local, read as UTC). *ret NULL: none; *ret_keep: keep the
 * bookmark's own. 0, or -1 with 400. */
static int
bookmarks_remind_arg(struct req *r, const char **ret, bool *ret_keep)
{
	static const char *const presets[] = { "none", "hour", "tomorrow", "week", "custom", "keep", NULL };
	static const long secs[] = { 0, 3600, 24 * 3600, 7 * 24 * 3600 };
	static const char msg[] = "remind_at must be a time like 2026-11-28T18:00:00Z (RFC 3339).";
	const char *preset = NULL, *at = NULL;
	PGresult *res;

	*ret = NULL;
	/* Neither field sent: the reminder stays as it is (the quick buttons send only one). */
	*ret_keep = json_object_get(r->input, "remind") == NULL && json_object_get(r->input, "remind_at") == NULL;
	if (*ret_keep)
		return 0;
	if (in_enum(r, "remind", presets, IN_NULLABLE, &preset) < 0 ||
	    in_string(r, "remind_at", 0, 40, IN_TRIM | IN_NULLABLE, &at) < 0)
		return -1;
	for (size_t i = 1; preset && i < 4; i++) {
		if (strcmp(preset, presets[i]) == 0) {
			*ret = bookmarks_from_now(r, secs[i]);
			return 0;
		}
	}
	*ret_keep = preset && strcmp(preset, "keep") == 0;
	if (preset && (strcmp(preset, "none") == 0 || *ret_keep))
		return 0;
	if (at == NULL || *at == '\0') {
		if (preset)   /* custom without a time */
			http_fail(r, HERR_INVALID, "remind_at", "Choose the time of the reminder.");
		return preset ? -1 : 0;
	}
	res = db_qx(&r->c, STMT_BOOKMARK_TIME, DB_EXPECT({ "22", HERR_INVALID, "remind_at", msg }), at);
	if (res == NULL)
		return -1;
	if (!db_bool(res, 0, 0)) {
		http_fail(r, HERR_INVALID, "remind_at", msg);
		return -1;
	}
	if (db_bool(res, 0, 1)) {
		http_fail(r, HERR_INVALID, "remind_at", "The reminder must be in the future.");
		return -1;
	}
	if (db_bool(res, 0, 2)) {
		http_fail(r, HERR_INVALID, "remind_at", "The reminder must be at most a year ahead.");
		return -1;
	}
	*ret = at;
	return 0;
}

/* POST or PUT: bookmark the post, or change the bookmark's reminder and note (a field not
 * sent at all keeps its value; an empty or null one clears it). */
static enum herr
bookmarks_set(struct req *r)
{
	const char *at, *note = NULL;
	PGresult *res;
	int64_t id;
	json_t *b;
	bool keep, keep_note;

	if (http_param_id(r, "id", &id) != 0 || auth_require(r, ROLE_MEMBER) != 0)
		return r->c.err;
	if (bookmarks_post(r, id) == NULL)
		return r->c.err;
	keep_note = json_object_get(r->input, "note") == NULL;
	if (in_string(r, "note", 0, BOOKMARK_NOTE_MAX, IN_TRIM | IN_NULLABLE, &note) < 0)
		return r->c.err;
	if (note && *note == '\0')
		note = NULL;
	/* The note becomes a reminder's words and a mail's subject: one line. */
	if (note && utf8_has_control(note, strlen(note)))
		return http_fail(r, HERR_INVALID, "note", "The note must be one line of text.");
	if (bookmarks_remind_arg(r, &at, &keep) != 0)
		return r->c.err;
	res = db_q(&r->c, STMT_BOOKMARK_SET, db_int(&r->c, auth_viewer(r)->id), db_int(&r->c, id), at, note,
		   keep ? "true" : "false", keep_note ? "true" : "false");
	if (res == NULL)
		return r->c.err;
	b = db_row_json(res, 0);
	r->model = json_pack("{s:o,s:O}", "bookmark", b, "created", json_object_get(b, "created"));
	json_object_del(b, "created");
	if (db_bool(res, 0, db_col(res, "created")))
		r->status = 201;
	r->location = arena_printf(r->c.arena, "/p/%lld", (long long)id);
	return HERR_OK;
}

/* GET /p/{id}/bookmark: the whole form for one post (another time, the note), and the page
 * a refused form comes back to. */
static enum herr
bookmarks_page(struct req *r)
{
	PGresult *post, *res;
	json_t *b = json_null();
	int64_t id;

	if (http_param_id(r, "id", &id) != 0 || auth_require(r, ROLE_MEMBER) != 0)
		return r->c.err;
	if ((post = bookmarks_post(r, id)) == NULL ||
	    (res = db_q(&r->c, STMT_BOOKMARK_ONE, db_int(&r->c, auth_viewer(r)->id), db_int(&r->c, id))) == NULL)
		return r->c.err;
	if (PQntuples(res) == 1) {
		b = db_row_json(res, 0);
		if (!PQgetisnull(res, 0, 1) && !db_bool(res, 0, 2))
			json_object_set_new(http_model(r), "bookmark_keep", json_true());
	}
	json_object_set_new(http_model(r), "bookmark", b);
	JSON_SET(r->model, "post",
		 json_pack("{s:I,s:I,s:s?,s:s?,s:s+}", "id", (json_int_t)id, "thread_id",
			   (json_int_t)db_i64(post, 0, db_col(post, "thread_id")), "thread_title",
			   db_str(post, 0, db_col(post, "thread_title")), "body_html",
			   db_str(post, 0, db_col(post, "body_html")), "url", "/p/",
			   db_str(post, 0, db_col(post, "id"))));
	return HERR_OK;
}

/* DELETE, or the form's remove button (?from=bookmarks: back to the bookmarks page). Only
 * one's own bookmark goes: there is no other to find. */
static enum herr
bookmarks_del(struct req *r)
{
	const char *from = http_query(r, "from");
	PGresult *res;
	int64_t id;

	if (http_param_id(r, "id", &id) != 0 || auth_require(r, ROLE_MEMBER) != 0)
		return r->c.err;
	res = db_q(&r->c, STMT_BOOKMARK_DEL, db_int(&r->c, auth_viewer(r)->id), db_int(&r->c, id));
	if (res == NULL)
		return r->c.err;
	if (PQntuples(res) == 0)
		return http_fail(r, HERR_NOT_FOUND, NULL, "You have not bookmarked this post.");
	r->model = json_pack("{s:I,s:b}", "post_id", (json_int_t)id, "deleted", true);
	r->location = from && strcmp(from, "bookmarks") == 0 ? "/bookmarks"
							       : arena_printf(r->c.arena, "/p/%lld", (long long)id);
	return HERR_OK;
}

/* --- the list --- */

static enum herr
bookmarks_list(struct req *r)
{
	int64_t before;
	PGresult *res;
	json_t *items;

	if (auth_require(r, ROLE_MEMBER) != 0 || http_query_int(r, "before", 1, INT64_MAX, 0, &before) != 0)
		return r->c.err;
	res = db_q(&r->c, STMT_BOOKMARKS_LIST, db_int(&r->c, auth_viewer(r)->id), db_int(&r->c, before),
		   db_int(&r->c, BOOKMARKS_PAGE + 1));
	if (res == NULL)
		return r->c.err;
	items = db_rows_json(res);
	if (json_array_size(items) > BOOKMARKS_PAGE) {
		json_array_remove(items, BOOKMARKS_PAGE);
		json_object_set_new(http_model(r), "next_before",
				    json_integer(db_i64(res, BOOKMARKS_PAGE - 1, db_col(res, "id"))));
	} else {
		json_object_set_new(http_model(r), "next_before", json_null());
	}
	JSON_SET(r->model, "bookmarks", items);
	if (r->html)
		JSON_SET(r->model, "paged", json_boolean(before != 0));
	return HERR_OK;
}

const struct route bookmarks_routes[] = {
	{ "GET", "/bookmarks", bookmarks_list, .view = "bookmarks", .title = "Bookmarks" },
	{ "GET", "/p/{id}/bookmark", bookmarks_page, .view = "bookmark", .title = "Bookmark a post" },
	{ "POST", "/p/{id}/bookmark", bookmarks_set, .view = "bookmark", .page = bookmarks_page },
	{ "POST", "/p/{id}/bookmark/delete", bookmarks_del, .view = "error" },
	{ "GET", "/api/v1/me/bookmarks", bookmarks_list },
	{ "POST", "/api/v1/posts/{id}/bookmark", bookmarks_set },
	{ "PUT", "/api/v1/posts/{id}/bookmark", bookmarks_set },
	{ "DELETE", "/api/v1/posts/{id}/bookmark", bookmarks_del },
};
const size_t bookmarks_routes_n = ROUTES_N(bookmarks_routes);
