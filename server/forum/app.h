/* forum/app.h — the application assembled: every domain's route table, and the hooks
 * the HTTP server calls around each handler (who is asking, page context). */
#ifndef CORRAL_FORUM_APP_H
#define CORRAL_FORUM_APP_H

#include <stdbool.h>

#include "http/http.h"

struct app_config {
	const char *base_url;        /* "http://127.0.0.1:8080": origin checks, cookies, feeds */
	int replica_window_s;        /* after a write, read from the primary this long */
};

/* The options setting app_config (forum/options.c). */
extern const struct opt_table app_opts;

/* Set up the application before the server starts. */
void app_init(const struct app_config *cfg);
const struct app_config *app_config(void);

/* A router holding every route of the application. Caller frees with router_free(). */
struct router *app_router(void);

/* Start the database listener with this application's subscribers: the page cache
 * (corral_cache), live events (corral_events), the site settings (corral_site). Call
 * after http_start (notices wake event streams) and stop before http_stop. 0 or -1 (logged). */
int app_listen_start(const char *url);
void app_listen_stop(void);

/* The hooks the HTTP server calls. */
extern const struct http_hooks app_hooks;

#endif
