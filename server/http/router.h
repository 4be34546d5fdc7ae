/* http/router.h — the route table: patterns with {name} segments, compiled once,
 * matched per request with no allocation.
 *
 * A path matches the most specific pattern (a literal segment beats a {param} at the
 * first position where they differ), so /api/v1/threads/similar wins over
 * /api/v1/threads/{id}. When that pattern has no route for the method, the answer is
 * "method not allowed" with the methods it does have. HEAD is served by GET routes. */
#ifndef CORRAL_HTTP_ROUTER_H
#define CORRAL_HTTP_ROUTER_H

#include <stddef.h>

#include "core/ctx.h"

#define ROUTER_MAX_SEGMENTS 12
#define ROUTER_MAX_PARAMS 4

struct req;

struct route {
	const char *method;      /* GET, POST, PUT, PATCH, DELETE */
	const char *pattern;     /* "/t/{id}" */
	enum herr (*handler)(struct req *r);
	const char *view;        /* template for an HTML route (its page, or the form page
				    re-shown with errors for a POST); NULL for the JSON API */
	const char *title;       /* static page title for HTML views, or NULL */
	unsigned flags;          /* ROUTE_* */
	/* For an HTML form POST: the GET handler of the page the form sits on. When the POST
	 * fails with a 4xx, the page is rebuilt with it and shown again with the error and
	 * what was typed. */
	enum herr (*page)(struct req *r);
};

/* Route flags. */
/* Whether a route is an HTML page is not a flag: every path outside /api/ is (server.c). */
#define ROUTE_NO_CSRF    0x02u  /* an unsafe method that needs no CSRF token (registration
				   and sign-in: the token comes with the session they make) */
#define ROUTE_STREAM     0x04u  /* the handler queues its own response (SSE) */
#define ROUTE_CACHE      0x10u  /* anonymous GETs may be answered from the page cache */
#define ROUTE_FORM       0x08u  /* a page whose form anonymous visitors submit (sign in,
				   register): it hands out a CSRF token to them */
#define ROUTE_OWN_AUTH   0x20u  /* the handler checks a credential of its own (/metrics):
				   Authorization is not an API token, no viewer is looked up */
#define ROUTE_BEFORE_2FA 0x40u  /* open to staff who must still set up two-factor sign-in
				   (--require-2fa-staff): signing in and out, enrolling */
#define ROUTE_ANY_BODY   0x100u /* a body of another type is not refused (415) but ignored:
				   RFC 8058's one-click POST comes as multipart/form-data */
#define ROUTE_UPLOAD     0x200u /* takes multipart/form-data with files (r->files), up to
				   http_config.upload_max_body instead of max_body */
#define ROUTE_KEPT_VIEWER 0x400u /* a browser's signed-in GET may take its session from this
				   instance's copy (auth/viewer_cache.h): a page that needs no other
				   round trip (the thread page from its shared copy) */

struct router;

struct route_match {
	const struct route *route;
	int index;                              /* stable route number, for metrics */
	int nparams;
	const char *names[ROUTER_MAX_PARAMS];
	const char *values[ROUTER_MAX_PARAMS];  /* point into the path buffer given to match */
	char allow[64];                         /* for ROUTER_METHOD: "GET, POST" */
};

enum router_result { ROUTER_OK, ROUTER_NOT_FOUND, ROUTER_METHOD };

/* An empty table. Caller frees with router_free(). */
struct router *router_new(void);
void router_free(struct router *rt);

/* Add routes (pointers kept: the array must outlive the router). Returns 0, or -1 when a
 * pattern is malformed (logged): not starting with '/', empty segment, too many segments
 * or params, unbalanced braces. */
int router_add(struct router *rt, const struct route *routes, size_t n);

/* Number of routes added (route indexes are 0..count-1). */
int router_count(const struct router *rt);
const struct route *router_at(const struct router *rt, int index);

/* Match method and path. path is modified in place ('/' become NUL) so the parameter
 * values can point into it. */
enum router_result router_match(const struct router *rt, const char *method, char *path,
				struct route_match *ret);

#endif
