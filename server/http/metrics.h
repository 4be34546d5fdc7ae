/* http/metrics.h — request metrics in the Prometheus text format. */
#ifndef CORRAL_HTTP_METRICS_H
#define CORRAL_HTTP_METRICS_H

#include <stdbool.h>

#include "core/buf.h"
#include "http/router.h"

/* Name routes in the output by their method and pattern. */
void metrics_set_router(struct router *rt);
struct req;
/* Whether this request may read the metrics: from this machine (r->local: the TCP peer is
 * loopback and forwards no one else), or with Authorization: Bearer and the token of
 * --metrics-token, compared in constant time. */
bool metrics_allowed(struct req *r);
/* Append the request counters and latency histograms. */
void metrics_render(struct buf *out);

#endif
