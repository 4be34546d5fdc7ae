/* forum/app.c — assembles the routes of every domain and the per-request hooks. */
#include "forum/app.h"

#include <string.h>

#include "core/log.h"
#include "forum/routes.h"

static struct app_config app_cfg;

void
app_init(const struct app_config *cfg)
{
	app_cfg = *cfg;
	if (app_cfg.site_name == NULL)
		app_cfg.site_name = "Corral";
}

const struct app_config *
app_config(void)
{
	return &app_cfg;
}

struct router *
app_router(void)
{
	static const struct {
		const struct route *routes;
		const size_t *n;
	} tables[] = {
		{ site_routes, &site_routes_n },
		{ ops_routes, &ops_routes_n },
	};
	struct router *rt = router_new();

	for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
		if (router_add(rt, tables[i].routes, *tables[i].n) != 0) {
			router_free(rt);
			return NULL;
		}
	}
	return rt;
}

static enum herr
app_prepare(struct req *r)
{
	(void)r;
	return HERR_OK;
}

static json_t *
app_page(struct req *r)
{
	json_t *page = json_object();

	json_object_set_new(page, "site_name", json_string(app_cfg.site_name));
	json_object_set_new(page, "path", json_string(r->url));
	return page;
}

const struct http_hooks app_hooks = {
	.prepare = app_prepare,
	.page = app_page,
};
