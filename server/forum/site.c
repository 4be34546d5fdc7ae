/* forum/site.c — the home page, category and tag pages and the lists every page needs
 * (categories, community roles). */
#include <string.h>

#include "auth/auth.h"
#include "db/db.h"
#include "forum/feeds.h"
#include "forum/routes.h"
#include "forum/tags.h"
#include "forum/threads.h"
#include "http/http.h"

static enum herr
site_categories(struct req *r)
{
	PGresult *res;

	http_cache_tag(r, "lists");
	res = db_q0(&r->c, STMT_CATEGORIES);

	if (res == NULL)
		return r->c.err;
	json_object_set_new(http_model(r), "categories", db_rows_json(res));
	return HERR_OK;
}

static enum herr
site_community_roles(struct req *r)
{
	PGresult *res = db_q0(&r->c, STMT_COMMUNITY_ROLES);

	if (res == NULL)
		return r->c.err;
	r->model = db_rows_json(res);
	return HERR_OK;
}

/* ?sort=latest|doer_share&page=N, shared by the home and category pages. */
static int
site_list_args(struct req *r, bool *ret_by_share, int64_t *ret_page)
{
	const char *sort = http_query(r, "sort");

	if (r->c.err != HERR_OK || http_query_int(r, "page", 1, 100000, 1, ret_page) != 0)
		return -1;
	if (sort && *sort && strcmp(sort, "latest") != 0 && strcmp(sort, "doer_share") != 0) {
		http_fail(r, HERR_INVALID, "sort", "sort is latest or doer_share.");
		return -1;
	}
	*ret_by_share = sort && strcmp(sort, "doer_share") == 0;
	json_object_set_new(http_model(r), *ret_by_share ? "sort_doer_share" : "sort_latest", json_true());
	return 0;
}

static enum herr
site_home(struct req *r)
{
	bool by_share;
	int64_t page, tag;
	int solved;

	if (site_list_args(r, &by_share, &page) != 0 || threads_solved_arg(r, &solved) != 0 ||
	    site_categories(r) != HERR_OK || tags_filter_arg(r, &tag) != 0 ||
	    threads_list(r, 0, by_share, solved, tag, page, r->model) != 0)
		return r->c.err;
	json_object_set_new(r->model, "signed_in", json_boolean(auth_viewer(r) != NULL));
	feeds_link(r, "/feed.atom", "latest discussions");
	return HERR_OK;
}

static enum herr
site_category(struct req *r)
{
	PGresult *res;

	http_cache_tag(r, "lists");
	res = db_q(&r->c, STMT_CATEGORY_BY_SLUG, http_param(r, "slug"));
	bool by_share;
	int64_t page, tag;
	int solved;

	if (res == NULL)
		return r->c.err;
	if (PQntuples(res) == 0)
		return http_fail(r, HERR_NOT_FOUND, NULL, "There is no such category.");
	json_object_set_new(http_model(r), "category", db_row_json(res, 0));
	r->title = arena_strdup(r->c.arena, db_str(res, 0, db_col(res, "name")));
	if (site_list_args(r, &by_share, &page) != 0 || threads_solved_arg(r, &solved) != 0 ||
	    tags_filter_arg(r, &tag) != 0 ||
	    threads_list(r, db_i64(res, 0, 0), by_share, solved, tag, page, r->model) != 0)
		return r->c.err;
	json_object_set_new(r->model, "signed_in", json_boolean(auth_viewer(r) != NULL));
	feeds_link(r, arena_printf(r->c.arena, "/c/%s/feed.atom", db_str(res, 0, db_col(res, "slug"))), r->title);
	return HERR_OK;
}

/* GET /tags/{name} and /api/v1/tags/{name}: the tag and its threads, listed as a
 * category's are (sort, solved, pages). */
static enum herr
site_tag(struct req *r)
{
	PGresult *res;
	json_t *tag;
	bool by_share;
	int64_t page;
	int solved;

	http_cache_tag(r, "lists");
	if ((res = db_q(&r->c, STMT_TAG_BY_NAME, http_param(r, "name"))) == NULL)
		return r->c.err;
	if (PQntuples(res) == 0)
		return http_fail(r, HERR_NOT_FOUND, NULL, "There is no such tag.");
	tag = db_row_json(res, 0);
	json_object_del(tag, "id");
	json_object_set_new(http_model(r), "tag", tag);
	r->title = arena_printf(r->c.arena, "Tag %s", db_str(res, 0, 1));
	if (site_list_args(r, &by_share, &page) != 0 || threads_solved_arg(r, &solved) != 0 ||
	    threads_list(r, 0, by_share, solved, db_i64(res, 0, 0), page, r->model) != 0)
		return r->c.err;
	json_object_set_new(r->model, "signed_in", json_boolean(auth_viewer(r) != NULL));
	feeds_link(r, arena_printf(r->c.arena, "/tags/%s/feed.atom", db_str(res, 0, 1)),
		   arena_printf(r->c.arena, "tag %s", db_str(res, 0, 1)));
	return HERR_OK;
}

const struct route site_routes[] = {
	{ "GET", "/", site_home, .view = "home", .title = "Discussions", .flags = ROUTE_CACHE },
	{ "GET", "/c/{slug}", site_category, .view = "category", .flags = ROUTE_CACHE },
	{ "GET", "/api/v1/categories", site_categories, .flags = ROUTE_CACHE },
	{ "GET", "/api/v1/categories/{slug}", site_category, .flags = ROUTE_CACHE },
	{ "GET", "/api/v1/community-roles", site_community_roles },
	{ "GET", "/tags/{name}", site_tag, .view = "tag", .flags = ROUTE_CACHE },
	{ "GET", "/api/v1/tags/{name}", site_tag, .flags = ROUTE_CACHE },
};
const size_t site_routes_n = ROUTES_N(site_routes);
