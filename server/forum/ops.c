/* forum/ops.c — what operators and their tools poll: liveness, readiness, metrics. */
#include <stdio.h>

#include "db/db.h"
#include "forum/routes.h"
#include "http/cache.h"
#include "http/http.h"
#include "http/metrics.h"

static enum herr
ops_plain(struct req *r, int status, const char *text)
{
	r->status = status;
	r->content_type = "text/plain; charset=utf-8";
	r->cache_control = "no-store";
	buf_puts(&r->out, text);
	return HERR_OK;
}

static enum herr
ops_healthz(struct req *r)
{
	return ops_plain(r, 200, "ok\n");
}

static enum herr
ops_readyz(struct req *r)
{
	struct ctx probe = { .arena = r->c.arena, .rid = r->c.rid };

	/* Probe with a context of its own: "not ready" is this route's answer, not an error. */
	if (!db_ready(&probe)) {
		http_add_header(r, "Retry-After", "1");
		return ops_plain(r, 503, "not ready: database unreachable or schema not current\n");
	}
	return ops_plain(r, 200, "ready\n");
}

static enum herr
ops_metrics(struct req *r)
{
	struct db_stats st;
	struct cache_stats cs;

	/* Not found rather than forbidden: to the public the endpoint does not exist. */
	if (!metrics_allowed(r))
		return http_fail(r, HERR_NOT_FOUND, NULL, NULL);
	r->content_type = "text/plain; version=0.0.4; charset=utf-8";
	r->cache_control = "no-store";
	metrics_render(&r->out);
	db_stats(&st);
	buf_printf(&r->out,
		   "# HELP corral_db_connects_total Database connections opened.\n"
		   "# TYPE corral_db_connects_total counter\ncorral_db_connects_total %ld\n"
		   "# HELP corral_db_connect_failures_total Failed connection attempts.\n"
		   "# TYPE corral_db_connect_failures_total counter\ncorral_db_connect_failures_total %ld\n"
		   "# HELP corral_db_connections_lost_total Connections lost mid-request.\n"
		   "# TYPE corral_db_connections_lost_total counter\ncorral_db_connections_lost_total %ld\n"
		   "# HELP corral_db_queries_total Statements executed.\n"
		   "# TYPE corral_db_queries_total counter\ncorral_db_queries_total %ld\n"
		   "# HELP corral_db_errors_total Statements that failed.\n"
		   "# TYPE corral_db_errors_total counter\ncorral_db_errors_total %ld\n"
		   "# HELP corral_db_replica_queries_total Reads served by the replica.\n"
		   "# TYPE corral_db_replica_queries_total counter\ncorral_db_replica_queries_total %ld\n"
		   "# HELP corral_db_replica_fallbacks_total Replica reads that fell back to the primary.\n"
		   "# TYPE corral_db_replica_fallbacks_total counter\ncorral_db_replica_fallbacks_total %ld\n"
		   "# HELP corral_db_pipelines_total Groups of statements sent in one round trip (prefetches).\n"
		   "# TYPE corral_db_pipelines_total counter\ncorral_db_pipelines_total %ld\n"
		   "# HELP corral_db_prefetched_total Statements answered from a prefetch.\n"
		   "# TYPE corral_db_prefetched_total counter\ncorral_db_prefetched_total %ld\n",
		   st.connects, st.connect_failures, st.lost, st.queries, st.errors, st.replica_queries,
		   st.replica_fallbacks, st.pipelines, st.prefetched);
	cache_stats(&cs);
	buf_printf(&r->out,
		   "# HELP corral_cache_hits_total Anonymous pages answered from the cache.\n"
		   "# TYPE corral_cache_hits_total counter\ncorral_cache_hits_total %lu\n"
		   "# HELP corral_cache_misses_total Cacheable requests rendered anew.\n"
		   "# TYPE corral_cache_misses_total counter\ncorral_cache_misses_total %lu\n"
		   "# HELP corral_cache_invalidations_total Tags invalidated (or flushes).\n"
		   "# TYPE corral_cache_invalidations_total counter\ncorral_cache_invalidations_total %lu\n"
		   "# HELP corral_cache_evictions_total Entries evicted for space.\n"
		   "# TYPE corral_cache_evictions_total counter\ncorral_cache_evictions_total %lu\n"
		   "# HELP corral_cache_bytes Bytes held by the cache.\n"
		   "# TYPE corral_cache_bytes gauge\ncorral_cache_bytes %lu\n"
		   "# HELP corral_cache_entries Entries held by the cache.\n"
		   "# TYPE corral_cache_entries gauge\ncorral_cache_entries %lu\n",
		   cs.hits, cs.misses, cs.invalidations, cs.evictions, cs.bytes, cs.entries);
	return HERR_OK;
}

const struct route ops_routes[] = {
	{ "GET", "/healthz", ops_healthz },
	{ "GET", "/readyz", ops_readyz },
	{ "GET", "/metrics", ops_metrics, .flags = ROUTE_OWN_AUTH },
};
const size_t ops_routes_n = ROUTES_N(ops_routes);
