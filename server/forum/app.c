/* forum/app.c — assembles the routes of every domain and the per-request hooks. */
#include "forum/app.h"

#include <string.h>

#include "auth/auth.h"
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
		{ accounts_routes, &accounts_routes_n },
		{ users_routes, &users_routes_n },
		{ admin_routes, &admin_routes_n },
		{ threads_routes, &threads_routes_n },
		{ posts_routes, &posts_routes_n },
		{ notifications_routes, &notifications_routes_n },
		{ voices_routes, &voices_routes_n },
		{ feeds_routes, &feeds_routes_n },
		{ ideas_routes, &ideas_routes_n },
		{ search_routes, &search_routes_n },
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

/* The signed-in account as templates see it in page.viewer. */
static json_t *
app_viewer_json(const struct viewer *v)
{
	return json_pack("{s:I,s:s,s:s,s:s,s:{s:s,s:s,s:s},s:b,s:b,s:b,s:b,s:i}",
			 "id", (json_int_t)v->id, "username", v->username,
			 "display_name", v->display_name ? v->display_name : "",
			 "role", v->role_name,
			 "community_role", "slug", v->community_role, "label", v->community_label,
			 "kind", v->community_kind,
			 "role_verified", v->role_verified, "suspended", v->suspended,
			 "is_moderator", v->role >= ROLE_MODERATOR, "is_admin", v->role >= ROLE_ADMIN,
			 "unread", v->unread);
}

static json_t *
app_page(struct req *r)
{
	json_t *page = json_object();
	struct viewer *v = auth_viewer(r);

	json_object_set_new(page, "site_name", json_string(app_cfg.site_name));
	json_object_set_new(page, "path", json_string(r->url));
	if (v)
		json_object_set_new(page, "viewer", app_viewer_json(v));
	/* Anonymous pages get a CSRF cookie only when they hold a form an anonymous visitor
	 * submits, so every other anonymous page stays cacheable. */
	if (v || (r->route && (r->route->flags & ROUTE_FORM)))
		json_object_set_new(page, "csrf", json_string(auth_form_csrf(r)));
	return page;
}

const struct http_hooks app_hooks = {
	.prepare = auth_prepare,
	.page = app_page,
};
