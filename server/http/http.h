/* http/http.h — what a handler sees of HTTP: the request (input already decoded, path
 * parameters matched, viewer known), and the model it returns for a view to render.
 *
 * A handler never writes HTML or JSON: it fills r->model (a jansson object) and returns
 * HERR_OK, or records an error with ctx_fail()/http_fail() and returns its code. The same
 * handler serves an HTML route (rendered through the route's template) and a JSON route
 * (the model serialised), so both always agree. */
#ifndef CORRAL_HTTP_HTTP_H
#define CORRAL_HTTP_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "core/buf.h"
#include "core/ctx.h"
#include "core/opt.h"
#include "http/cache.h"
#include "http/router.h"

struct MHD_Connection;
struct clientaddr_trust;
struct http_server;
struct tmpl_set;

struct http_header {
	struct http_header *next;
	const char *name, *value;
};

/* A file part of a multipart/form-data body (ROUTE_UPLOAD routes). The bytes point into
 * the request body; names are arena copies. A file input left empty is not listed. */
struct http_file {
	struct http_file *next;
	const char *field, *filename, *type;
	const unsigned char *data;
	size_t len;
};

struct req {
	struct ctx c;                 /* arena, request id, error slot */
	struct http_server *srv;
	struct MHD_Connection *conn;
	const char *method;
	const char *url;              /* path as received (decoded by MHD), arena copy */
	struct route_match m;         /* route and path parameters */
	const struct route *route;    /* NULL when none matched */
	bool html;                    /* an HTML route: errors become pages, POSTs redirect */
	const char *client_ip;        /* the client: the TCP peer, or behind --trusted-proxy
				       * the address the proxies forwarded (http/clientaddr.h) */
	bool local;                   /* from this machine: the peer is loopback and forwards
				       * no one else (or a trusted proxy forwards a loopback client) */

	/* Input: the JSON body, or the form fields as strings, or {} — never NULL once the
	 * handler runs. */
	json_t *input;
	bool input_form;
	bool input_multipart;         /* a ROUTE_UPLOAD route got multipart/form-data */
	struct http_file *files;      /* its file parts, in order (arena), or NULL */
	struct buf body;
	bool body_too_large;
	size_t body_discarded;        /* bytes thrown away after the limit */
	bool bad_framing;

	/* Filled by the application's prepare hook (auth). */
	void *viewer;                 /* the signed-in account, or NULL */
	void *app;                    /* anything else the application keeps per request */
	void *shared;                 /* forum/sharedpage.c: the handler builds a page with holes
				       * for what differs per viewer (its holes), not this viewer's */

	/* Output, set by the handler. */
	int status;                   /* 0 → 200 (or 204 for a JSON route without a model) */
	json_t *model;                /* owned by the request; decref'd at the end */
	const char *view;             /* template overriding the route's view */
	const char *title;            /* page title */
	const char *feed_url;         /* an HTML page's Atom feed, offered in its <head> */
	const char *feed_title;       /*   (<link rel="alternate">) under this title */
	const char *location;         /* HTML POST: 303 target; JSON 201: Location header */
	const char *cache_control;    /* default: no-store for HTML with a viewer, else no-cache */
	const char *etag;             /* sent as ETag; a matching If-None-Match gets 304 */
	struct http_header *headers;  /* extra headers (Set-Cookie, Retry-After…) */
	bool raw_response;            /* ROUTE_STREAM handlers queued their own response */
	bool handled;                 /* the prepare hook answered (a replay): skip the handler */
	bool streaming;               /* an event stream: no longer counted in flight */
	bool settled;                 /* a stream's request, cut down to what its end needs */
	const char *content_type;     /* for non-HTML, non-JSON bodies (Atom, CSV, SVG) */
	const char *csp;              /* Content-Security-Policy overriding the default */
	struct buf out;               /* body for content_type responses */

	/* Response cache (http/cache.h): set when this anonymous GET may be stored. */
	const char *cache_key;
	struct cache_entry *cache_hit;
	uint32_t cache_global;
	size_t cache_nstamps;
	struct cache_stamp *cache_stamps;

	struct timespec t0;
	int sent_status;
};

/* Hooks the application gives the server. */
struct http_hooks {
	/* After the body is decoded, before the handler: find the viewer, check CSRF, rate
	 * limits. Returns HERR_OK or an error already recorded. */
	enum herr (*prepare)(struct req *r);
	/* Context for HTML templates below the model (viewer, csrf token…); a new reference. */
	json_t *(*page)(struct req *r);
	/* Right after the handler (or the rebuild of a failed form's page) returned, whatever
	 * its outcome: the application closes what a handler must not leave open (a
	 * transaction a bug left behind). */
	void (*handler_end)(struct req *r);
	/* After a handler succeeded, before the response goes out. */
	void (*after)(struct req *r);
	/* When a request ends (response sent or connection dropped): the last word, so it
	 * also closes whatever the request still holds. */
	void (*finish)(struct req *r);
	/* May this request be answered from the cache (nobody signed in)? Called before
	 * prepare, so it must not touch the database. */
	bool (*cacheable)(struct req *r);
};

struct http_config {
	const char *listen;           /* "127.0.0.1:8080", "[::1]:8080" */
	int threads;
	int max_connections;
	int per_ip_connections;
	int timeout_s;                /* inactivity timeout per connection */
	size_t max_body;              /* bytes; larger bodies get 413 */
	size_t upload_max_body;       /* the same for ROUTE_UPLOAD routes (0: max_body) */
	int max_header_kb;            /* request line + headers at most (KiB); MHD's pool per
				       * connection is twice this (it keeps half for the reply) */
	const struct http_hooks *hooks;
	const struct tmpl_set *templates;
	bool log_requests;
	bool server_timing;           /* --server-timing: statements per response, in a header */
	bool hsts;                    /* served over https: send Strict-Transport-Security */
	const char *trusted_proxy;    /* --trusted-proxy: CIDR list, or NULL */
	const char *proxy_header;     /* "x-forwarded-for" or "forwarded" */
	const char *metrics_token;    /* --metrics-token, or read from metrics_token_file */
	const char *metrics_token_file;
	/* Filled by http_config_check, freed by http_config_free. */
	struct clientaddr_trust *trust;
	char *metrics_token_owned;
};
/* The options setting http_config (http/options.c). */
extern const struct opt_table http_opts;
/* After parsing: read --trusted-proxy into cfg->trust and the metrics token file into
 * cfg->metrics_token. Returns 0, or -1 after one line on stderr (exit status 2). */
int http_config_check(struct http_config *cfg);
void http_config_free(struct http_config *cfg);

/* --- Server lifecycle (http/server.c) --- */

/* Start listening. routes is kept. Returns 0 or -1 (logged). */
int http_start(const struct http_config *cfg, struct router *routes, struct http_server **ret);
/* Stop accepting connections; in-flight requests continue. */
void http_quiesce(struct http_server *srv);
/* Wait until no request is in flight or deadline_ms passes; returns requests left. */
int http_drain(struct http_server *srv, int deadline_ms);
void http_stop(struct http_server *srv);
/* Requests being handled now. */
int http_in_flight(const struct http_server *srv);
/* The port actually bound (useful with port 0). */
int http_port(const struct http_server *srv);

/* --- Request helpers (http/request.c) --- */

/* A request header, or NULL. */
const char *http_header(struct req *r, const char *name);
/* A value a client sends as a header or, where no script can set headers, as a body
 * field (CSRF token, Idempotency-Key): the header when present, else the field when it is
 * a string (of a form body only when form_only), else NULL. *ret_field (may be NULL)
 * says whether the field gave it. */
const char *http_header_or_field(struct req *r, const char *header, const char *field, bool form_only,
				 bool *ret_field);
/* A cookie's value (arena copy), or NULL. */
const char *http_cookie(struct req *r, const char *name);
/* A query parameter (decoded), or NULL when absent. A value that is not valid UTF-8
 * records 400 and returns NULL. */
const char *http_query(struct req *r, const char *name);
/* Query parameter as an integer in [min,max]; absent → def. Malformed → 400, -1. */
int http_query_int(struct req *r, const char *name, int64_t min, int64_t max, int64_t def,
		   int64_t *ret);
/* Path parameter {name}. */
const char *http_param(struct req *r, const char *name);
/* Path parameter as a positive integer; otherwise records 404 and returns -1. */
int http_param_id(struct req *r, const char *name, int64_t *ret);

/* Add a response header (copied into the arena). */
void http_add_header(struct req *r, const char *name, const char *value);
/* Record an error with a field and message; returns the code. */
enum herr http_fail(struct req *r, enum herr err, const char *field, const char *msg);

/* --- Typed input (http/request.c): the JSON body or the form fields --- */

#define IN_REQUIRED 0x1u   /* absent → 400 */
#define IN_TRIM     0x2u   /* strip leading/trailing whitespace before checking */
#define IN_BYTES    0x4u   /* min/max count bytes instead of characters */
#define IN_NULLABLE 0x8u   /* JSON null counts as absent */
#define IN_CHECKBOX 0x10u  /* in_bool: an absent form field is false (unchecked box) */

/* Each returns 0 (present and valid, *ret set), 1 (absent and optional, *ret untouched)
 * or -1 (400 recorded with the field name). */
int in_string(struct req *r, const char *field, size_t min, size_t max, unsigned flags,
	      const char **ret);
int in_int(struct req *r, const char *field, int64_t min, int64_t max, unsigned flags,
	   int64_t *ret);
int in_bool(struct req *r, const char *field, unsigned flags, bool *ret);
/* One of allowed[] (NULL-terminated). */
int in_enum(struct req *r, const char *field, const char *const *allowed, unsigned flags,
	    const char **ret);
/* A list of integers: a JSON array, or repeated/comma-separated form fields. */
int in_int_list(struct req *r, const char *field, size_t max_items, int64_t min, int64_t max,
		unsigned flags, int64_t **ret, size_t *ret_n);

/* Render template view with r->model (and the page context) into out, for bodies that
 * are neither a page nor JSON (Atom feeds). 0 or -1 (logged). */
int http_render_into(struct req *r, const char *view, struct buf *out);
/* Render the route's view with r->model, recording its holes in segs (render/template.h):
 * the page of a handler run with r->shared set. 0 or -1 (logged). */
struct tmpl_segs;
int http_render_holes(struct req *r, struct buf *out, struct tmpl_segs *segs);

/* Forget what a handler made of the request (its model and its error), so another
 * handler can answer it: a failed form's page, a full render after a shared copy's. */
void http_clear_outcome(struct req *r);

/* The path and query arguments of the request, as the page cache keys it. */
const char *http_request_key(struct req *r);

/* Declare what the response depends on, before reading the database: the page is kept
 * for anonymous readers until one of its tags is invalidated ("t:42", "lists"). No-op
 * when the request is not cacheable. printf-style. */
void http_cache_tag(struct req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* --- Shared model helpers --- */

/* The model, created as an empty object on first use. */
json_t *http_model(struct req *r);
/* Give the request one reference of v: it is json_decref'd when the request ends. NULL is
 * fine. */
void http_defer_json(struct req *r, json_t *v);

#endif
