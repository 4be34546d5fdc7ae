/* http/metrics.c — request counters by route and status and a latency histogram per
 * route, kept with relaxed atomics (a scrape may see a request half-counted; that is
 * fine for monitoring) and written in the Prometheus text format. */
#include "http/metrics.h"
#include "http/internal.h"

#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const int metrics_statuses[] = { 200, 201, 204, 303, 304, 400, 401, 403, 404, 405, 409,
					413, 414, 415, 423, 429, 431, 500, 503 };
#define METRICS_NSTATUS (int)(sizeof metrics_statuses / sizeof metrics_statuses[0] + 1) /* + other */
static const double metrics_bounds[] = { 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500 };
#define METRICS_NBUCKET (int)(sizeof metrics_bounds / sizeof metrics_bounds[0] + 1) /* + Inf */

struct metrics_route {
	atomic_ulong status[METRICS_NSTATUS];
	atomic_ulong bucket[METRICS_NBUCKET];
	atomic_ulong sum_us;
};

static struct metrics_route *metrics;   /* [nroutes + 1]: the last is "no route" */
static int metrics_nroutes;
static struct router *metrics_router;

void
metrics_init(int nroutes)
{
	if (metrics)
		return;
	metrics = calloc((size_t)nroutes + 1, sizeof *metrics);
	if (metrics == NULL)
		core_oom();
	metrics_nroutes = nroutes;
}

void
metrics_set_router(struct router *rt)
{
	metrics_router = rt;
}

void
metrics_record(int route_index, int status, double ms)
{
	struct metrics_route *m;
	int s, b;

	if (metrics == NULL)
		return;
	m = &metrics[route_index >= 0 && route_index < metrics_nroutes ? route_index : metrics_nroutes];
	for (s = 0; s < METRICS_NSTATUS - 1 && metrics_statuses[s] != status; s++)
		;
	for (b = 0; b < METRICS_NBUCKET - 1 && ms > metrics_bounds[b]; b++)
		;
	atomic_fetch_add_explicit(&m->status[s], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->bucket[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->sum_us, (unsigned long)(ms * 1000.0), memory_order_relaxed);
}

static void
metrics_route_label(int i, char *out, size_t size)
{
	const struct route *r = metrics_router && i < metrics_nroutes ? router_at(metrics_router, i) : NULL;

	if (r)
		snprintf(out, size, "method=\"%s\",route=\"%s\"", r->method, r->pattern);
	else
		snprintf(out, size, "method=\"\",route=\"(none)\"");
}

void
metrics_render(struct buf *out)
{
	char label[320];

	if (metrics == NULL)
		return;
	buf_puts(out, "# HELP corral_http_requests_total HTTP requests by route and status.\n"
		      "# TYPE corral_http_requests_total counter\n");
	for (int i = 0; i <= metrics_nroutes; i++) {
		metrics_route_label(i, label, sizeof label);
		for (int s = 0; s < METRICS_NSTATUS; s++) {
			unsigned long v = atomic_load_explicit(&metrics[i].status[s], memory_order_relaxed);

			if (v == 0)
				continue;
			if (s < METRICS_NSTATUS - 1)
				buf_printf(out, "corral_http_requests_total{%s,status=\"%d\"} %lu\n", label,
					   metrics_statuses[s], v);
			else
				buf_printf(out, "corral_http_requests_total{%s,status=\"other\"} %lu\n", label, v);
		}
	}
	buf_puts(out, "# HELP corral_http_request_duration_ms Time from request headers to response queued.\n"
		      "# TYPE corral_http_request_duration_ms histogram\n");
	for (int i = 0; i <= metrics_nroutes; i++) {
		unsigned long cum = 0;

		metrics_route_label(i, label, sizeof label);
		for (int b = 0; b < METRICS_NBUCKET; b++)
			cum += atomic_load_explicit(&metrics[i].bucket[b], memory_order_relaxed);
		if (cum == 0)
			continue;
		cum = 0;
		for (int b = 0; b < METRICS_NBUCKET; b++) {
			cum += atomic_load_explicit(&metrics[i].bucket[b], memory_order_relaxed);
			if (b < METRICS_NBUCKET - 1)
				buf_printf(out, "corral_http_request_duration_ms_bucket{%s,le=\"%g\"} %lu\n",
					   label, metrics_bounds[b], cum);
			else
				buf_printf(out, "corral_http_request_duration_ms_bucket{%s,le=\"+Inf\"} %lu\n",
					   label, cum);
		}
		buf_printf(out, "corral_http_request_duration_ms_sum{%s} %.3f\n", label,
			   (double)atomic_load_explicit(&metrics[i].sum_us, memory_order_relaxed) / 1000.0);
		buf_printf(out, "corral_http_request_duration_ms_count{%s} %lu\n", label, cum);
	}
}

bool
metrics_allowed(struct req *r)
{
	const char *tok = r->srv->cfg.metrics_token, *auth;
	unsigned char want[crypto_generichash_BYTES], got[crypto_generichash_BYTES];

	if (r->local)
		return true;
	auth = http_header(r, "Authorization");
	if (tok == NULL || auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0)
		return false;
	auth += 7;
	auth += strspn(auth, " ");
	/* Hashing first makes the comparison constant-time in the length too. */
	crypto_generichash(want, sizeof want, (const unsigned char *)tok, strlen(tok), NULL, 0);
	crypto_generichash(got, sizeof got, (const unsigned char *)auth, strlen(auth), NULL, 0);
	return sodium_memcmp(want, got, sizeof want) == 0;
}
