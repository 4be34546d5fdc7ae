/* forum/feeds.c — Atom feeds of the forum, a category, a tag and a thread (RFC 4287). */
#include "forum/feeds.h"

#include <string.h>

#include "db/db.h"
#include "forum/app.h"
#include "forum/policy.h"
#include "forum/routes.h"
#include "forum/site_settings.h"
#include "forum/threads.h"
#include "http/http.h"

static enum herr
feeds_render(struct req *r, const char *title, const char *path, json_t *entries)
{
	const char *base = app_config()->base_url;
	const char *updated = NULL;
	json_t *e;
	size_t i;

	/* The feed changed when its most recently changed entry did (RFC 3339 UTC strings
	 * compare in time order). */
	json_array_foreach(entries, i, e) {
		const char *u = json_string_value(json_object_get(e, "updated"));

		if (u && (updated == NULL || strcmp(u, updated) > 0))
			updated = u;
	}

	r->model = json_pack("{s:{s:s,s:s,s:s,s:s},s:o}", "feed", "title", title,
			     "id", arena_printf(r->c.arena, "%s%s", base, path),
			     "link", arena_printf(r->c.arena, "%s%s", base, path),
			     "updated", updated ? updated : "1970-01-01T00:00:00Z", "entries", entries);
	json_object_set_new(json_object_get(r->model, "feed"), "self",
			    json_sprintf("%s%s", base, r->url));
	/* Links inside the posts are relative (/u/name, /ideas/3): resolve them here. */
	json_object_set_new(json_object_get(r->model, "feed"), "base", json_sprintf("%s/", base));
	r->content_type = "application/atom+xml; charset=utf-8";
	return http_render_into(r, "feed", &r->out) == 0 ? HERR_OK
							 : http_fail(r, HERR_INTERNAL, NULL, NULL);
}

/* "Name: what" — feed titles carry the site's current name. */
static const char *
feeds_title(struct req *r, const char *what)
{
	struct site_settings site;

	site_settings_get(&r->c, &site);
	return arena_printf(r->c.arena, "%s: %s", site.site_name, what);
}

void
feeds_link(struct req *r, const char *path, const char *what)
{
	if (!r->html)
		return;
	r->feed_url = path;
	r->feed_title = feeds_title(r, what);
}

/* The threads of res (FEED_THREADS' columns) as a feed's entries. */
static enum herr
feeds_threads_of(struct req *r, PGresult *res, const char *title, const char *path)
{
	const char *base = app_config()->base_url;
	json_t *entries;

	if (res == NULL)
		return r->c.err;
	entries = json_array();
	for (int i = 0; i < PQntuples(res); i++) {
		json_t *row = db_row_json(res, i);
		const char *id = db_str(res, i, 0);

		json_array_append_new(entries, json_pack("{s:s,s:s,s:s,s:O,s:O,s:s,s:s}",
			"title", db_str(res, i, 1),
			"link", arena_printf(r->c.arena, "%s/t/%s/%s", base, id, db_str(res, i, 2)),
			"id", arena_printf(r->c.arena, "%s/t/%s", base, id),
			"published", json_object_get(row, "created_at"),
			"updated", json_object_get(row, "last_post_at"),
			"author", db_str(res, i, 5),
			"content_html", db_str(res, i, 6)));
		json_decref(row);
	}
	return feeds_render(r, title, path, entries);
}

static enum herr
feeds_threads(struct req *r, int64_t category_id, const char *title, const char *path)
{
	return feeds_threads_of(r, db_q(&r->c, STMT_FEED_THREADS, db_int(&r->c, category_id)), title, path);
}

static enum herr
feeds_forum(struct req *r)
{
	http_cache_tag(r, "lists");
	return feeds_threads(r, 0, feeds_title(r, "latest discussions"), "/");
}

static enum herr
feeds_category(struct req *r)
{
	PGresult *res;

	http_cache_tag(r, "lists");
	res = db_q(&r->c, STMT_CATEGORY_BY_SLUG, http_param(r, "slug"));

	if (res == NULL)
		return r->c.err;
	if (PQntuples(res) == 0)
		return http_fail(r, HERR_NOT_FOUND, NULL, "There is no such category.");
	return feeds_threads(r, db_i64(res, 0, 0),
			     feeds_title(r, db_str(res, 0, db_col(res, "name"))),
			     arena_printf(r->c.arena, "/c/%s", http_param(r, "slug")));
}

static enum herr
feeds_tag(struct req *r)
{
	PGresult *res;
	const char *name;

	http_cache_tag(r, "lists");
	if ((res = db_q(&r->c, STMT_TAG_BY_NAME, http_param(r, "name"))) == NULL)
		return r->c.err;
	if (PQntuples(res) == 0)
		return http_fail(r, HERR_NOT_FOUND, NULL, "There is no such tag.");
	name = arena_strdup(r->c.arena, db_str(res, 0, 1));
	return feeds_threads_of(r, db_q(&r->c, STMT_FEED_TAG_THREADS, db_str(res, 0, 0)),
				feeds_title(r, arena_printf(r->c.arena, "tag %s", name)),
				arena_printf(r->c.arena, "/tags/%s", name));
}

static enum herr
feeds_thread(struct req *r)
{
	const char *base = app_config()->base_url;
	json_t *t, *entries, *row;
	PGresult *res;
	int64_t id;

	if (http_param_id(r, "id", &id) != 0)
		return r->c.err;
	http_cache_tag(r, "t:%lld", (long long)id);
	if ((t = threads_load(r, id)) == NULL)
		return r->c.err;
	if (policy_state_parse(json_string_value(json_object_get(t, "state"))) != STATE_VISIBLE) {
		json_decref(t);
		return http_fail(r, HERR_NOT_FOUND, NULL, "There is no such thread.");
	}
	if ((res = db_q(&r->c, STMT_FEED_POSTS, db_int(&r->c, id))) == NULL) {
		json_decref(t);
		return r->c.err;
	}
	entries = json_array();
	for (int i = 0; i < PQntuples(res); i++) {
		row = db_row_json(res, i);
		json_array_append_new(entries, json_pack("{s:s,s:s,s:s,s:O,s:O,s:s,s:s}",
			"title", arena_printf(r->c.arena, "Post by %s", db_str(res, i, 3)),
			"link", arena_printf(r->c.arena, "%s/t/%lld#p%s", base, (long long)id, db_str(res, i, 0)),
			"id", arena_printf(r->c.arena, "%s/p/%s", base, db_str(res, i, 0)),
			"published", json_object_get(row, "created_at"),
			"updated", json_object_get(row, "updated_at"),
			"author", db_str(res, i, 3),
			"content_html", db_str(res, i, 4)));
		json_decref(row);
	}
	enum herr e = feeds_render(r, feeds_title(r, json_string_value(json_object_get(t, "title"))),
				   arena_printf(r->c.arena, "/t/%lld", (long long)id), entries);

	json_decref(t);
	return e;
}

const struct route feeds_routes[] = {
	{ "GET", "/feed.atom", feeds_forum, .flags = ROUTE_CACHE },
	{ "GET", "/c/{slug}/feed.atom", feeds_category, .flags = ROUTE_CACHE },
	{ "GET", "/t/{id}/feed.atom", feeds_thread, .flags = ROUTE_CACHE },
	{ "GET", "/tags/{name}/feed.atom", feeds_tag, .flags = ROUTE_CACHE },
};
const size_t feeds_routes_n = ROUTES_N(feeds_routes);
