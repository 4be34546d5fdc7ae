/* http/internal.h — shared between the files of http/ only. */
#ifndef CORRAL_HTTP_INTERNAL_H
#define CORRAL_HTTP_INTERNAL_H

#include <microhttpd.h>
#include <stdatomic.h>

#include "http/http.h"

struct http_server {
	struct MHD_Daemon *daemon;
	struct router *routes;
	struct http_config cfg;
	atomic_int in_flight;
	int port;
	int quiesced_fd;              /* the listening socket once quiesced, closed at stop; -1 */
};

/* Turn the request's outcome (error or model) into a queued MHD response. */
enum MHD_Result http_respond(struct req *r);
/* Queue an error response for a request that never reached a handler. */
enum MHD_Result http_respond_error(struct req *r, enum herr err, const char *msg);

/* Set r->client_ip and r->local from the TCP peer and, when the peer is a trusted
 * proxy, the forwarding header it wrote (http/request.c). */
void http_client_resolve(struct req *r);

/* Answer a /static/ request from the embedded files. */
enum MHD_Result http_respond_static(struct req *r);

/* Static files from web/static (http/static.c). */
struct static_file {
	const char *path;           /* "corral.css" */
	const unsigned char *data;
	size_t len;
	const char *content_type;
	char etag[24];
};
int static_init(void);
const struct static_file *static_find(const char *path);
/* The version string of all static files together, for cache-busting URLs. */
const char *static_version(void);

/* Metrics (http/metrics.c). */
void metrics_init(int nroutes);
void metrics_record(int route_index, int status, double ms);

#endif
