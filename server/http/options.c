/* http/options.c — the options of the HTTP server (struct http_config) and of the page
 * cache (struct cache_config), and the start-up checks of the values that need more than
 * the table's validation (trusted networks, the metrics token). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sodium.h>
#include <string.h>

#include "core/arena.h"
#include "http/cache.h"
#include "http/clientaddr.h"
#include "http/http.h"

static const char *const http_proxy_headers[] = { "x-forwarded-for", "forwarded", NULL };

static const struct opt_def http_defs[] = {
	OPT_STRING("listen", "ADDR:PORT", "127.0.0.1:8080", struct http_config, listen,
		   "address to listen on ([::1]:8080 for IPv6)"),
	OPT_INT("threads", "N", "8", 1, 256, struct http_config, threads,
		"HTTP worker threads, each with one DB connection"),
	OPT_INT("max-connections", "N", "1024", 1, 100000, struct http_config, max_connections,
		"open connections at most"),
	OPT_INT("per-ip-connections", "N", "256", 1, 100000, struct http_config, per_ip_connections,
		"open connections per client address at most"),
	OPT_INT("max-header-kb", "KB", "8", 4, 512, struct http_config, max_header_kb,
		"request line and headers at most (431 beyond); each open connection, an event "
		"stream too, keeps about twice this"),
	OPT_INT("timeout", "SECONDS", "30", 1, 3600, struct http_config, timeout_s,
		"close connections idle this long"),
	OPT_FLAG_OFF("quiet", struct http_config, log_requests, "no log line per request"),
	OPT_FLAG("server-timing", struct http_config, server_timing,
		 "tell each response's database statements and times (Server-Timing header); "
		 "for tests and profiling: it shows clients how the server spends its time"),
	OPT_LIST("trusted-proxy", "CIDR[,CIDR...]", NULL, struct http_config, trusted_proxy,
		 "reverse proxies whose forwarded client address is believed"),
	OPT_CHOICE("proxy-header", "HEADER", "x-forwarded-for", http_proxy_headers,
		   struct http_config, proxy_header,
		   "the header those proxies write (the other one is ignored)"),
	OPT_STRING("metrics-token", "TOKEN", NULL, struct http_config, metrics_token,
		   "/metrics also answers Authorization: Bearer TOKEN from anywhere (use the variable)"),
	OPT_STRING("metrics-token-file", "FILE", NULL, struct http_config, metrics_token_file,
		   "read the /metrics token from FILE instead"),
};

const struct opt_table http_opts = { "HTTP", http_defs, OPT_COUNT(http_defs) };

static const struct opt_def cache_defs[] = {
	OPT_MIB("cache-mb", "MB", "64", 0, 65536, struct cache_config, budget,
		"memory for rendered pages served to anonymous readers (0: no cache)"),
};

const struct opt_table cache_opts = { "HTTP", cache_defs, OPT_COUNT(cache_defs) };

/* The token in a file, without the line end an editor adds. NULL after saying why. */
static char *
http_read_token_file(const char *path)
{
	char buf[1024];
	size_t n;
	char *tok;
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		fprintf(stderr, "corral: --metrics-token-file: cannot read '%s': %s\n", path,
			strerror(errno));
		return NULL;
	}
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n > 0 && strchr(" \t\r\n", buf[n - 1]))
		buf[--n] = '\0';
	if ((tok = strdup(buf)) == NULL)
		core_oom();
	sodium_memzero(buf, sizeof buf);
	return tok;
}

/* Long enough not to be guessed, and sendable in a header as it is. */
static int
http_check_token(const char *tok)
{
	size_t n = strlen(tok);

	for (size_t i = 0; i < n; i++)
		if (tok[i] <= ' ' || tok[i] > '~')
			n = 0;
	if (n < 16 || n > 512) {
		fprintf(stderr, "corral: the metrics token must be 16 to 512 visible ASCII characters "
				"(try: openssl rand -hex 32)\n");
		return -1;
	}
	return 0;
}

int
http_config_check(struct http_config *cfg)
{
	const char *bad;
	size_t badlen;

	if (cfg->trusted_proxy) {
		cfg->trust = clientaddr_trust_parse(cfg->trusted_proxy, &bad, &badlen);
		if (cfg->trust == NULL) {
			fprintf(stderr, "corral: --trusted-proxy: '%.*s' is not an address or a network "
					"such as 10.0.0.0/8 or ::1/128 (host bits zero)\n", (int)badlen, bad);
			return -1;
		}
	}
	if (cfg->metrics_token && cfg->metrics_token_file) {
		fprintf(stderr, "corral: give --metrics-token or --metrics-token-file, not both\n");
		return -1;
	}
	if (cfg->metrics_token_file) {
		if ((cfg->metrics_token_owned = http_read_token_file(cfg->metrics_token_file)) == NULL)
			return -1;
		cfg->metrics_token = cfg->metrics_token_owned;
	}
	if (cfg->metrics_token && http_check_token(cfg->metrics_token) != 0)
		return -1;
	return 0;
}

void
http_config_free(struct http_config *cfg)
{
	free(cfg->trust);
	cfg->trust = NULL;
	if (cfg->metrics_token_owned)
		sodium_memzero(cfg->metrics_token_owned, strlen(cfg->metrics_token_owned));
	free(cfg->metrics_token_owned);
	cfg->metrics_token_owned = NULL;
}
