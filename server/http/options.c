/* http/options.c — the options of the HTTP server (struct http_config) and of the page
 * cache (struct cache_config). */
#include "http/cache.h"
#include "http/http.h"

static const struct opt_def http_defs[] = {
	OPT_STRING("listen", "ADDR:PORT", "127.0.0.1:8080", struct http_config, listen,
		   "address to listen on ([::1]:8080 for IPv6)"),
	OPT_INT("threads", "N", "8", 1, 256, struct http_config, threads,
		"HTTP worker threads, each with one DB connection"),
	OPT_INT("max-connections", "N", "1024", 1, 100000, struct http_config, max_connections,
		"open connections at most"),
	OPT_INT("per-ip-connections", "N", "256", 1, 100000, struct http_config, per_ip_connections,
		"open connections per client address at most"),
	OPT_INT("timeout", "SECONDS", "30", 1, 3600, struct http_config, timeout_s,
		"close connections idle this long"),
	OPT_FLAG_OFF("quiet", struct http_config, log_requests, "no log line per request"),
};

const struct opt_table http_opts = { "HTTP", http_defs, OPT_COUNT(http_defs) };

static const struct opt_def cache_defs[] = {
	OPT_MIB("cache-mb", "MB", "64", 0, 65536, struct cache_config, budget,
		"memory for rendered pages served to anonymous readers (0: no cache)"),
};

const struct opt_table cache_opts = { "HTTP", cache_defs, OPT_COUNT(cache_defs) };
