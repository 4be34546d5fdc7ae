/* forum/site.c — the home page, category pages and the lists every page needs
 * (categories, community roles). */
#include <string.h>

#include "db/db.h"
#include "forum/routes.h"
#include "http/http.h"

static enum herr
site_categories(struct req *r)
{
	PGresult *res = db_q0(&r->c, STMT_CATEGORIES);

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

static enum herr
site_home(struct req *r)
{
	return site_categories(r);
}

static enum herr
site_category(struct req *r)
{
	PGresult *res = db_q(&r->c, STMT_CATEGORY_BY_SLUG, http_param(r, "slug"));

	if (res == NULL)
		return r->c.err;
	if (PQntuples(res) == 0)
		return http_fail(r, HERR_NOT_FOUND, NULL, "There is no such category.");
	json_object_set_new(http_model(r), "category", db_row_json(res, 0));
	r->title = arena_strdup(r->c.arena, db_str(res, 0, db_col(res, "name")));
	return HERR_OK;
}

const struct route site_routes[] = {
	{ "GET", "/", site_home, .view = "home", .title = "Corral" },
	{ "GET", "/c/{slug}", site_category, .view = "category" },
	{ "GET", "/api/v1/categories", site_categories },
	{ "GET", "/api/v1/categories/{slug}", site_category },
	{ "GET", "/api/v1/community-roles", site_community_roles },
};
const size_t site_routes_n = ROUTES_N(site_routes);
