/* http/metrics.h — request metrics in the Prometheus text format. */
#ifndef CORRAL_HTTP_METRICS_H
#define CORRAL_HTTP_METRICS_H

#include "core/buf.h"
#include "http/router.h"

/* Name routes in the output by their method and pattern. */
void metrics_set_router(struct router *rt);
/* Append the request counters and latency histograms. */
void metrics_render(struct buf *out);

#endif
