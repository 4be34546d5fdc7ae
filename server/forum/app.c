/* forum/app.c — assembles the routes of every domain, the per-request hooks, and the
 * subscribers of the database listener (page cache, live events, site settings). */
#include "forum/app.h"

#include <string.h>

#include "auth/auth.h"
#include "core/jsonset.h"
#include "core/log.h"
#include "db/db.h"
#include "db/listen.h"
#include "forum/anonymous.h"
#include "forum/idempotency.h"
#include "forum/policy.h"
#include "forum/routes.h"
#include "forum/sharedpage.h"
#include "forum/site_settings.h"
#include "forum/threads.h"
#include "forum/twofactor.h"
#include "forum/unread.h"
#include "forum/uploads.h"

static struct app_config app_cfg;

void
app_init(const struct app_config *cfg)
{
	app_cfg = *cfg;
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
		{ account_delete_routes, &account_delete_routes_n },
		{ account_export_routes, &account_export_routes_n },
		{ user_lists_routes, &user_lists_routes_n },
		{ admin_routes, &admin_routes_n },
		{ admin_mail_routes, &admin_mail_routes_n },
		{ threads_routes, &threads_routes_n },
		{ posts_routes, &posts_routes_n },
		{ notifications_routes, &notifications_routes_n },
		{ voices_routes, &voices_routes_n },
		{ feeds_routes, &feeds_routes_n },
		{ moderation_routes, &moderation_routes_n },
		{ modlog_routes, &modlog_routes_n },
		{ thread_actions_routes, &thread_actions_routes_n },
		{ surveys_routes, &surveys_routes_n },
		{ ideas_routes, &ideas_routes_n },
		{ idea_proposals_routes, &idea_proposals_routes_n },
		{ idea_comments_routes, &idea_comments_routes_n },
		{ search_routes, &search_routes_n },
		{ security_routes, &security_routes_n },
		{ twofactor_routes, &twofactor_routes_n },
		{ mail_prefs_routes, &mail_prefs_routes_n },
		{ account_mail_routes, &account_mail_routes_n },
		{ password_reset_routes, &password_reset_routes_n },
		{ reactions_routes, &reactions_routes_n },
		{ answers_routes, &answers_routes_n },
		{ asks_routes, &asks_routes_n },
		{ verification_routes, &verification_routes_n },
		{ unread_routes, &unread_routes_n },
		{ bookmarks_routes, &bookmarks_routes_n },
		{ tags_routes, &tags_routes_n },
		{ affiliation_routes, &affiliation_routes_n },
		{ report_routes, &report_routes_n },
		{ uploads_routes, &uploads_routes_n },
		{ anonymous_routes, &anonymous_routes_n },
		{ post_forms_routes, &post_forms_routes_n },
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
	return json_pack("{s:I,s:s,s:s,s:s,s:{s:s,s:s,s:s},s:b,s:b,s:b,s:b,s:i,s:b}",
			 "id", (json_int_t)v->id, "username", v->username,
			 "display_name", v->display_name ? v->display_name : "",
			 "role", v->role_name,
			 "community_role", "slug", v->community_role, "label", v->community_label,
			 "kind", v->community_kind,
			 "role_verified", v->role_verified, "suspended", v->suspended,
			 "is_moderator", policy_is_moderator(v), "is_admin", policy_is_admin(v),
			 "unread", v->unread,
			 /* forum/anonymous.c: the composer's "without my name" box */
			 "may_post_anonymously", anonymous_allowed(v));
}

static json_t *
app_page(struct req *r)
{
	json_t *page = json_object();
	struct viewer *v = auth_viewer(r);
	struct site_settings site;

	/* This instance's copy: no query unless an administrator just changed it. */
	site_settings_get(&r->c, &site);
	JSON_SET(page, "site_name", json_string(site.site_name));
	JSON_SET(page, "tagline", json_string(site.tagline));
	JSON_SET(page, "description", json_string(site.description));
	JSON_SET(page, "path", json_string(r->url));
	if (r->shared) {
		/* A shared copy (forum/sharedpage.h): who is asking is filled in later. */
		JSON_SET(page, "viewer", sharedpage_viewer_json(r, app_viewer_json(v)));
		JSON_SET(page, "csrf", sharedpage_csrf(r));
		JSON_SET(page, "nonce", sharedpage_nonce(r));
		return page;
	}
	if (v)
		JSON_SET(page, "viewer", app_viewer_json(v));
	/* Anonymous pages get a CSRF cookie only when they hold a form an anonymous visitor
	 * submits, so every other anonymous page stays cacheable. */
	if (v || (r->route && (r->route->flags & ROUTE_FORM)))
		JSON_SET(page, "csrf", json_string(auth_form_csrf(r)));
	if (v) {
		/* A fresh nonce per page: its forms post it as their idempotency key. */
		const char *nonce;

		auth_token_new(&r->c, NULL, &nonce, NULL);
		JSON_SET(page, "nonce", json_string(nonce));
	}
	return page;
}

/* Per request: who is asking (auth), then the idempotency key of a creating POST. */
static enum herr
app_prepare(struct req *r)
{
	struct idem_state *st = arena_calloc(r->c.arena, 1, sizeof *st);

	r->app = st;
	/* The scraper's Bearer token is not an account's: reading it as one would answer 401. */
	if (r->route->flags & ROUTE_OWN_AUTH)
		return HERR_OK;
	/* Reads of a page may come from the replica, unless this browser wrote a moment ago
	 * (it must see its own write) or an API token is used (no cookie to tell). */
	if (db_has_replica() && (strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0) &&
	    http_header(r, "Authorization") == NULL && http_cookie(r, "corral_w") == NULL)
		r->c.read_replica = true;
	if (auth_prepare(r) != HERR_OK || twofactor_gate(r) != HERR_OK)
		return r->c.err;
	return idem_prepare(r, st);
}

static bool app_cacheable(struct req *r);

/* A write answered only once this instance's cache has dropped what it made stale. */
static void
app_after(struct req *r)
{
	struct ctx c = { .arena = r->c.arena, .rid = r->c.rid };

	if (strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0)
		return;
	/* The browser that wrote reads its write back: from the primary (replica reads), and
	 * on any instance only once that instance has seen the write's invalidations
	 * (forum/sharedpage.c) — a browser that was signed in when it wrote, that is. */
	if (db_has_replica() || (cache_enabled() && !app_cacheable(r)))
		http_add_header(r, "Set-Cookie", arena_printf(r->c.arena,
			"corral_w=1; Path=/; HttpOnly; SameSite=Lax; Max-Age=%d", app_cfg.replica_window_s));
	if (!cache_enabled())
		return;
	if (db_listen_sync(&c, 2000) != 0)
		cache_flush();   /* could not confirm: make sure nothing stale stays */
}

/* A handler that left a transaction open (a bug) must not leave it to the next request
 * of this thread. */
static void
app_handler_end(struct req *r)
{
	(void)r;
	db_request_end();
}

static void
app_finish(struct req *r)
{
	if (r->app)
		idem_finish(r, r->app);
	db_request_end();
}

/* Only requests that cannot be anyone's: no API token, no session cookie. */
static bool
app_cacheable(struct req *r)
{
	return http_header(r, "Authorization") == NULL && http_cookie(r, "corral_session") == NULL &&
	       http_cookie(r, "__Host-corral_session") == NULL;
}

const struct http_hooks app_hooks = {
	.cacheable = app_cacheable,
	.handler_end = app_handler_end,
	.after = app_after,
	.prepare = app_prepare,
	.finish = app_finish,
	.page = app_page,
};

/* --- the database listener's subscribers: thin adapters, so http/ knows no db/ --- */

static void
app_cache_notice(const char *payload, void *arg)
{
	(void)arg;
	cache_notice(payload);
}

static void
app_cache_state(bool up, void *arg)
{
	(void)arg;
	cache_set_live(up);
}

static void
app_live_notice(const char *payload, void *arg)
{
	(void)arg;
	threads_live_notice(payload);
}

int
app_listen_start(const char *url)
{
	static bool subscribed;

	if (!subscribed) {
		if (db_listen_subscribe("corral_cache", app_cache_notice, NULL) != 0 ||
		    db_listen_on_state(app_cache_state, NULL) != 0 ||
		    db_listen_subscribe("corral_events", app_live_notice, NULL) != 0 ||
		    db_listen_subscribe("corral_site", site_settings_notice, NULL) != 0 ||
		    db_listen_on_state(site_settings_listen_state, NULL) != 0)
			return -1;
		subscribed = true;
	}
	return db_listen_start(url);
}

void
app_listen_stop(void)
{
	db_listen_stop();
}
