/* forum/user_lists.c — see user_lists.h. OFFSET paging over the member's part of
 * posts_author / threads_author: a member's own rows are a few thousand at most, and
 * OFFSET gives "page N of M" and links that stay put. */
#include "forum/user_lists.h"

#include <string.h>

#include "auth/auth.h"
#include "db/db.h"
#include "forum/policy.h"
#include "forum/routes.h"

#define USER_LISTS_HTML_SIZE 10   /* two lists share the profile page */
#define USER_LISTS_API_SIZE 50
#define USER_LISTS_MAX_PAGE 100000

struct user_list {
	const char *key;     /* model key and API path segment: "threads" or "posts" */
	const char *param;   /* the profile page's query parameter */
	enum stmt_id count, rows;
};

static const struct user_list user_lists_threads = { "threads", "threads_page", STMT_PROFILE_THREADS_COUNT,
						     STMT_PROFILE_THREADS };
static const struct user_list user_lists_posts = { "posts", "posts_page", STMT_PROFILE_POSTS_COUNT,
						   STMT_PROFILE_POSTS };

/* What the HTML view says of a state other than visible, and the status class (the
 * words and colours of the thread page's post states). */
static const struct {
	const char *note, *cls;
} user_lists_states[POLICY_STATES] = {
	{ NULL, NULL },
	{ "waiting for a moderator", "under_review" },
	{ "hidden by moderators", "declined" },
	{ "deleted", "declined" },
};

/* The URL of page n of list l: the profile page keeps the other list's page (other, 1:
 * left out) and lands on the list; the API has one list per URL. */
static json_t *
user_lists_url(struct req *r, const char *name, const struct user_list *l, int64_t n, int64_t other)
{
	const struct user_list *o = l == &user_lists_posts ? &user_lists_threads : &user_lists_posts;
	struct buf b = BUF_INIT;
	json_t *url;

	buf_puts(&b, r->html ? "/u/" : "/api/v1/users/");
	buf_url_escape(&b, name, strlen(name));
	if (!r->html) {
		buf_printf(&b, "/%s", l->key);
		if (n > 1)
			buf_printf(&b, "?page=%lld", (long long)n);
	} else {
		if (other > 1)
			buf_printf(&b, "?%s=%lld", o->param, (long long)other);
		if (n > 1)
			buf_printf(&b, "%c%s=%lld", other > 1 ? '&' : '?', l->param, (long long)n);
		buf_printf(&b, "#%s", l->key);
	}
	url = json_string(b.data);
	buf_free(&b);
	return url;
}

/* The HTML view's words: a state other than visible, a thread's replies. */
static void
user_lists_decorate(struct req *r, json_t *items)
{
	json_t *it, *replies;
	size_t i;

	if (!r->html)
		return;
	json_array_foreach(items, i, it) {
		enum policy_state s = policy_state_parse(json_string_value(json_object_get(it, "state")));

		if (user_lists_states[s].note)
			json_object_set_new(it, "state_note", json_pack("{s:s,s:s}", "text", user_lists_states[s].note,
									"class", user_lists_states[s].cls));
		if ((replies = json_object_get(it, "reply_count")) != NULL)
			json_object_set_new(it, "replies_text", json_string(arena_printf(r->c.arena, "%lld repl%s",
				(long long)json_integer_value(replies), json_integer_value(replies) == 1 ? "y" : "ies")));
	}
}

/* model[l->key] = {items, page, pages, total, size, prev, next}: page n of l for the
 * member user_id named name; other is the other list's page (the profile's links keep
 * it). 0, or -1 with the error set. */
static int
user_lists_add(struct req *r, const struct user_list *l, int64_t user_id, const char *name, int64_t n,
	       int64_t other)
{
	struct viewer *v = auth_viewer(r);
	const char *uid = db_int(&r->c, user_id), *vid = db_int(&r->c, v ? v->id : 0);
	const char *mod = policy_is_moderator(v) ? "true" : "false";
	int64_t size = r->html ? USER_LISTS_HTML_SIZE : USER_LISTS_API_SIZE, total, pages;
	PGresult *res;
	json_t *items;

	if ((res = db_q(&r->c, l->count, uid, vid, mod)) == NULL)
		return -1;
	total = db_i64(res, 0, 0);
	pages = total > 0 ? (total + size - 1) / size : 1;
	if (n > pages) {
		http_fail(r, HERR_NOT_FOUND, r->html ? l->param : "page", "There is no such page.");
		return -1;
	}
	if ((res = db_q(&r->c, l->rows, uid, vid, mod, db_int(&r->c, size), db_int(&r->c, (n - 1) * size))) == NULL)
		return -1;
	items = db_rows_json(res);
	user_lists_decorate(r, items);
	json_object_set_new(http_model(r), l->key, json_pack("{s:o,s:I,s:I,s:I,s:I,s:o,s:o}", "items", items,
		"page", (json_int_t)n, "pages", (json_int_t)pages, "total", (json_int_t)total, "size", (json_int_t)size,
		"prev", n > 1 ? user_lists_url(r, name, l, n - 1, other) : json_null(),
		"next", n < pages ? user_lists_url(r, name, l, n + 1, other) : json_null()));
	if (r->html)
		json_object_set_new(json_object_get(r->model, l->key), "paged", json_boolean(pages > 1));
	return 0;
}

int
user_lists_profile(struct req *r, int64_t user_id)
{
	const char *name = http_param(r, "username");
	int64_t tp, pp;

	if (http_query_int(r, user_lists_threads.param, 1, USER_LISTS_MAX_PAGE, 1, &tp) != 0 ||
	    http_query_int(r, user_lists_posts.param, 1, USER_LISTS_MAX_PAGE, 1, &pp) != 0)
		return -1;
	return user_lists_add(r, &user_lists_threads, user_id, name, tp, pp) != 0 ||
	       user_lists_add(r, &user_lists_posts, user_id, name, pp, tp) != 0 ? -1 : 0;
}

/* GET /api/v1/users/{username}/threads|posts?page=N: {user: {id, username}, <list>}. */
static enum herr
user_lists_api(struct req *r, const struct user_list *l)
{
	PGresult *res = db_q(&r->c, STMT_USER_BY_NAME, http_param(r, "username"));
	const char *name;
	int64_t n, id;

	if (res == NULL)
		return r->c.err;
	if (PQntuples(res) == 0)
		return http_fail(r, HERR_NOT_FOUND, NULL, "There is no such user.");
	id = db_i64(res, 0, db_col(res, "id"));
	name = db_str(res, 0, db_col(res, "username"));
	if (http_query_int(r, "page", 1, USER_LISTS_MAX_PAGE, 1, &n) != 0)
		return r->c.err;
	json_object_set_new(http_model(r), "user", json_pack("{s:I,s:s}", "id", (json_int_t)id, "username", name));
	return user_lists_add(r, l, id, name, n, 1) == 0 ? HERR_OK : r->c.err;
}

static enum herr
user_lists_api_threads(struct req *r)
{
	return user_lists_api(r, &user_lists_threads);
}

static enum herr
user_lists_api_posts(struct req *r)
{
	return user_lists_api(r, &user_lists_posts);
}

const struct route user_lists_routes[] = {
	{ "GET", "/api/v1/users/{username}/threads", user_lists_api_threads },
	{ "GET", "/api/v1/users/{username}/posts", user_lists_api_posts },
};
const size_t user_lists_routes_n = ROUTES_N(user_lists_routes);
