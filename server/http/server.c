/* http/server.c — the libmicrohttpd daemon: one request's life from the first header to
 * the completion callback, and the checks made before any handler runs. */
#include "http/internal.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "http/multipart.h"
#include "http/parse.h"
#include "http/stream.h"

static atomic_ulong http_req_counter;

/* The body limit of the request's route: upload routes have their own, but only for a
 * request that carries a credential at all (the cacheable hook: no session cookie, no
 * token) — an anonymous one gets the ordinary limit, so nobody can make the server read
 * megabytes only to answer 401. */
static size_t
http_body_limit(struct req *r)
{
	const struct http_hooks *h = r->srv->cfg.hooks;

	if (r->route && (r->route->flags & ROUTE_UPLOAD) && r->srv->cfg.upload_max_body &&
	    !(h && h->cacheable && h->cacheable(r)))
		return r->srv->cfg.upload_max_body;
	return r->srv->cfg.max_body;
}
static unsigned http_instance;

/* A chunked body past the limit is read and thrown away up to this much more, so the
 * client still gets its 413; beyond it the connection is dropped. */
#define HTTP_DISCARD_EXTRA (1u << 20)

struct framing {
	int content_length;
	int transfer_encoding;
	bool chunked;
};

static enum MHD_Result
http_count_framing(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct framing *f = cls;

	(void)kind;
	if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
		f->content_length++;
	} else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
		f->transfer_encoding++;
		f->chunked = value && strcasecmp(value, "chunked") == 0;
	}
	return MHD_YES;
}

/* "%04x-%06lx" of the instance and the request's number, without printf (every request). */
static const char *
http_rid(struct arena *a, unsigned long n)
{
	char *rid = arena_alloc(a, 4 + 1 + 16 + 1);
	size_t k = buf_hex_text(rid, http_instance, 4);

	rid[k] = '-';
	buf_hex_text(rid + k + 1, n, 6);
	return rid;
}

static struct req *
http_req_new(struct http_server *srv, struct MHD_Connection *conn, const char *url,
	     const char *method)
{
	struct arena *a = arena_new();
	struct req *r = arena_calloc(a, 1, sizeof *r);

	clock_gettime(CLOCK_MONOTONIC, &r->t0);
	r->c.arena = a;
	r->c.rid = http_rid(a, atomic_fetch_add(&http_req_counter, 1) + 1);
	r->srv = srv;
	r->conn = conn;
	r->method = arena_strdup(a, method);
	r->url = arena_strdup(a, url);
	r->m.index = -1;
	http_client_resolve(r);
	atomic_fetch_add(&srv->in_flight, 1);
	return r;
}

/* Checks on the request line and headers alone; an error here is answered at once
 * (MHD then discards any body and closes the connection). */
static enum herr
http_early(struct req *r)
{
	struct framing f = { 0 };
	const char *cl;
	char *path;

	MHD_get_connection_values(r->conn, MHD_HEADER_KIND, http_count_framing, &f);
	/* Request smuggling: MHD 0.9.75 accepts two Content-Lengths, and Content-Length
	 * beside Transfer-Encoding; a proxy in front may read the body differently. */
	if (f.content_length > 1 || (f.content_length && f.transfer_encoding) ||
	    f.transfer_encoding > 1 || (f.transfer_encoding && !f.chunked)) {
		r->bad_framing = true;
		return http_fail(r, HERR_INVALID, NULL, "Ambiguous request framing.");
	}
	path = arena_strdup(r->c.arena, r->url);
	r->html = strncmp(r->url, "/api/", 5) != 0 && strcmp(r->url, "/api") != 0;
	switch (router_match(r->srv->routes, r->method, path, &r->m)) {
	case ROUTER_OK:
		r->route = r->m.route;
		break;
	case ROUTER_METHOD:
		http_add_header(r, MHD_HTTP_HEADER_ALLOW, r->m.allow);
		return http_fail(r, HERR_METHOD, NULL, NULL);
	case ROUTER_NOT_FOUND:
		return http_fail(r, HERR_NOT_FOUND, NULL, NULL);
	}
	cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl) {
		char *end;
		unsigned long long n = strtoull(cl, &end, 10);

		if (*end != '\0' || cl[0] == '-') {
			r->bad_framing = true;
			return http_fail(r, HERR_INVALID, NULL, "Malformed Content-Length.");
		}
		if (n > http_body_limit(r))
			return http_fail(r, HERR_TOO_LARGE, NULL, NULL);
	}
	return HERR_OK;
}

static bool
http_has_body(struct req *r)
{
	const char *cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_CONTENT_LENGTH);

	if (MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING))
		return true;
	return cl != NULL && strtoull(cl, NULL, 10) > 0;
}

static void
http_body_append(struct req *r, const char *data, size_t n)
{
	if (r->body_too_large)
		return;
	if (r->body.len + n > http_body_limit(r)) {
		r->body_too_large = true;
		buf_free(&r->body);
		return;
	}
	buf_append(&r->body, data, n);
}

/* Decode the body by content type into r->input. */
static enum herr
http_decode_input(struct req *r)
{
	const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_CONTENT_TYPE);
	const char *msg = NULL;

	if (r->route && (r->route->flags & ROUTE_UPLOAD) && parse_media_type_is(ct, "multipart/form-data"))
		return multipart_input(r, ct);
	if (r->body.len == 0) {
		r->input = json_object();
		return HERR_OK;
	}
	if (parse_media_type_is(ct, "application/json")) {
		r->input = parse_json_body(r->body.data, r->body.len, &msg);
		if (r->input == NULL)
			return http_fail(r, HERR_INVALID, NULL, msg);
		return HERR_OK;
	}
	if (r->html && parse_media_type_is(ct, "application/x-www-form-urlencoded")) {
		r->input = parse_form(r->body.data, r->body.len);
		r->input_form = true;
		if (r->input == NULL)
			return http_fail(r, HERR_INVALID, NULL,
					 "The form data is malformed or not valid UTF-8.");
		return HERR_OK;
	}
	if (r->route && (r->route->flags & ROUTE_ANY_BODY)) {
		r->input = json_object();
		return HERR_OK;
	}
	return http_fail(r, HERR_UNSUPPORTED, NULL,
			 r->html ? "Send application/x-www-form-urlencoded or application/json."
				 : "Send the body as application/json.");
}

static enum MHD_Result
http_key_part(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct buf *b = cls;

	(void)kind;
	buf_putc(b, b->len && strchr(b->data, '?') ? '&' : '?');
	buf_url_escape(b, key, strlen(key));
	if (value) {
		buf_putc(b, '=');
		buf_url_escape(b, value, strlen(value));
	}
	return MHD_YES;
}

const char *
http_request_key(struct req *r)
{
	struct buf key = BUF_INIT;
	const char *s;

	buf_puts(&key, r->url);
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, http_key_part, &key);
	s = arena_strdup(r->c.arena, key.data);
	buf_free(&key);
	return s;
}

/* An anonymous GET of a cacheable route: answer from the cache when a current copy
 * exists, else note the key and the generation now so the answer can be kept. */
static bool
http_cache_lookup(struct req *r)
{
	const struct http_hooks *hooks = r->srv->cfg.hooks;

	if (!cache_enabled() || !(r->route->flags & ROUTE_CACHE) ||
	    (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) ||
	    hooks == NULL || hooks->cacheable == NULL || !hooks->cacheable(r))
		return false;
	r->cache_key = http_request_key(r);
	r->cache_global = cache_global();
	r->cache_hit = cache_get(r->cache_key);
	return r->cache_hit != NULL;
}

/* Refused only because the CSRF token was missing or stale, the request coming from our
 * own pages (auth records the field "csrf" for that case and none for a foreign Origin):
 * such a form may be shown again with its input, whereas another site's post may not. */
static bool
http_csrf_token_only(const struct req *r)
{
	return r->c.err == HERR_CSRF && r->c.err_field && strcmp(r->c.err_field, "csrf") == 0;
}

/* A form POST failed: build the model of the page it came from, so the page is shown
 * again with the error beside the field and the input kept. */
static void
http_rebuild_page(struct req *r)
{
	const struct http_hooks *hooks = r->srv->cfg.hooks;
	struct ctx saved = r->c;

	http_clear_outcome(r);
	if (r->route->page(r) != HERR_OK) {
		r->model = NULL;   /* the arena takes it (http_clear_outcome) */
	} else {
		http_model(r);   /* a page without data still counts as rebuilt */
	}
	if (hooks && hooks->handler_end)
		hooks->handler_end(r);
	r->c.err = saved.err;
	r->c.err_field = saved.err_field;
	r->c.err_msg = saved.err_msg;
	r->c.extra = saved.extra;
	r->c.retry_after = saved.retry_after;
	r->location = NULL;
}

static void
http_dispatch(struct req *r)
{
	const struct http_hooks *hooks = r->srv->cfg.hooks;

	if (r->body_too_large) {
		http_fail(r, HERR_TOO_LARGE, NULL, NULL);
		return;
	}
	if (http_cache_lookup(r))
		return;
	if (http_decode_input(r) != HERR_OK)
		return;
	if (hooks && hooks->prepare && hooks->prepare(r) != HERR_OK) {
		if (http_csrf_token_only(r) && r->html && r->route->page)
			http_rebuild_page(r);
		return;
	}
	if (r->handled)
		return;
	if (r->route->handler(r) != HERR_OK && r->c.err == HERR_OK)
		ctx_fail(&r->c, HERR_INTERNAL, NULL, NULL);
	if (hooks && hooks->handler_end)
		hooks->handler_end(r);
	if (r->c.err == HERR_OK && hooks && hooks->after)
		hooks->after(r);
	if (r->c.err != HERR_OK && r->html && r->route->page && herr_status(r->c.err) < 500)
		http_rebuild_page(r);
}

static enum MHD_Result
http_access_in_scope(struct req *r, bool first, const char *url,
		     const char *upload_data, size_t *upload_data_size)
{
	if (first) {
		if (strncmp(url, "/static/", 8) == 0)
			return MHD_YES;
		/* An error found in the headers is answered at once when a body follows (MHD
		 * then drops the body and closes); without a body it waits for the final call,
		 * because a response queued before MHD has seen the end of the request closes
		 * the connection, and keep-alive matters for every 404 of a crawler too. */
		if (http_early(r) != HERR_OK && http_has_body(r))
			return http_respond(r);
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		if (r->body_too_large) {
			r->body_discarded += *upload_data_size;
			if (r->body_discarded > HTTP_DISCARD_EXTRA)
				return MHD_NO;
		} else {
			http_body_append(r, upload_data, *upload_data_size);
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (r->sent_status)
		return MHD_YES;
	if (strncmp(r->url, "/static/", 8) == 0)
		return http_respond_static(r);
	if (r->c.err == HERR_OK)
		http_dispatch(r);
	return http_respond(r);
}

/* An event stream outlives its request by hours: once its handler has started it, keep
 * only what the stream's end needs (the log line and the metrics) in a fresh arena, and
 * give back everything the handler built — the thread it loaded, the viewer, the decoded
 * input. 10,000 open streams then cost their connections, not 10,000 request arenas
 * (tests/bench/live: 14 KiB less a stream). */
static struct req *
http_req_settle(struct req *r)
{
	struct arena *a = arena_new_sized(sizeof(struct req) + 512);
	struct req *s = arena_calloc(a, 1, sizeof *s);

	/* the model and the input go with the old arena (and the kept values' references the
	 * arena holds with it: http_clear_outcome) */
	buf_free(&r->out);
	buf_free(&r->body);
	s->c.arena = a;
	s->c.rid = arena_strdup(a, r->c.rid);
	s->srv = r->srv;
	s->conn = r->conn;
	s->method = arena_strdup(a, r->method);
	s->url = arena_strdup(a, r->url);
	s->m.index = r->m.index;
	s->route = r->route;
	s->client_ip = r->client_ip ? arena_strdup(a, r->client_ip) : NULL;
	s->local = r->local;
	s->raw_response = true;
	s->streaming = true;
	s->settled = true;
	s->t0 = r->t0;
	s->sent_status = r->sent_status;
	arena_free(r->c.arena);
	return s;
}

/* Every call for a request runs with its arena in scope, so the JSON values it makes are
 * taken from the arena and freed with it (core/arena.h); the model and the input are
 * released in http_completed, before the arena. */
static enum MHD_Result
http_access(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
	    const char *version, const char *upload_data, size_t *upload_data_size,
	    void **con_cls)
{
	struct http_server *srv = cls;
	struct req *r = *con_cls;
	bool first = r == NULL;
	struct arena *prev;
	enum MHD_Result ret;

	(void)version;
	if (first) {
		r = http_req_new(srv, conn, url, method);
		*con_cls = r;
	}
	prev = arena_scope_set(r->c.arena);
	ret = http_access_in_scope(r, first, url, upload_data, upload_data_size);
	if (r->streaming && !r->settled)
		*con_cls = r = http_req_settle(r);
	arena_scope_set(prev);
	return ret;
}

static void
http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
	       enum MHD_RequestTerminationCode toe)
{
	struct http_server *srv = cls;
	struct req *r = *con_cls;
	struct timespec t1;
	double ms;

	(void)conn;
	if (r == NULL)
		return;
	*con_cls = NULL;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - r->t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - r->t0.tv_nsec) / 1e6;
	if (r->sent_status)
		metrics_record(r->m.index, r->sent_status, ms);
	if (srv->cfg.log_requests || toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
		log_info("rid=%s %s %s %s %d %.2fms%s", r->c.rid, r->client_ip, r->method, r->url,
			 r->sent_status, ms,
			 toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (connection ended early)");
	if (srv->cfg.hooks && srv->cfg.hooks->finish)
		srv->cfg.hooks->finish(r);
	cache_release(r->cache_hit);   /* looked up but never sent (connection gone) */
	/* The model and the input are not released value by value: jansson made them in
	 * this request's arena (nothing made during a request outlives it, and no value
	 * from outside is put into them), so arena_free below takes them all at once. The
	 * walk of json_decref over a thread page's model was 11 % of its instructions
	 * (tests/bench/instr). The ASan lane's leak check at exit would show a value of the
	 * heap left in a model. */
	buf_free(&r->out);
	buf_free(&r->body);
	if (!r->streaming)
		atomic_fetch_sub(&srv->in_flight, 1);
	arena_free(r->c.arena);
}

/* A listening address, written as its family's struct and given to MHD as a struct
 * sockaddr: members of one union rather than one object read through casts to the others. */
union http_addr {
	struct sockaddr sa;
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;
};

static int
http_parse_listen(const char *listen, union http_addr *ss, socklen_t *len)
{
	char host[256];
	const char *colon = strrchr(listen, ':');
	long port;
	char *end;

	if (colon == NULL || (size_t)(colon - listen) >= sizeof host)
		return -1;
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	port = strtol(colon + 1, &end, 10);
	if (*end != '\0' || port < 0 || port > 65535)
		return -1;
	memset(ss, 0, sizeof *ss);
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		struct sockaddr_in6 *s6 = &ss->in6;

		host[strlen(host) - 1] = '\0';
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) != 1)
			return -1;
		*len = sizeof *s6;
	} else {
		struct sockaddr_in *s4 = &ss->in4;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, host[0] ? host : "0.0.0.0", &s4->sin_addr) != 1)
			return -1;
		*len = sizeof *s4;
	}
	return 0;
}

static void
http_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof msg, fmt, ap);
	n = strlen(msg);
	while (n > 0 && msg[n - 1] == '\n')
		msg[--n] = '\0';
	log_debug("mhd: %s", msg);
}

int
http_start(const struct http_config *cfg, struct router *routes, struct http_server **ret)
{
	struct http_server *srv = calloc(1, sizeof *srv);
	union http_addr ss;
	socklen_t sslen;
	const union MHD_DaemonInfo *di;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
			 MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;

	if (srv == NULL)
		core_oom();
	srv->quiesced_fd = -1;
	if (http_parse_listen(cfg->listen, &ss, &sslen) != 0) {
		log_error("http: cannot parse listen address '%s' (want HOST:PORT)", cfg->listen);
		free(srv);
		return -1;
	}
	if (ss.sa.sa_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	srv->cfg = *cfg;
	srv->routes = routes;
	http_instance = (unsigned)getpid() & 0xffff;
	metrics_init(router_count(routes));
	if (static_init() != 0) {
		free(srv);
		return -1;
	}
	srv->daemon = MHD_start_daemon(flags, 0, NULL, NULL, http_access, srv,
		MHD_OPTION_SOCK_ADDR, &ss.sa,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->max_connections,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->per_ip_connections,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->timeout_s,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)cfg->max_header_kb * 2048,
		MHD_OPTION_NOTIFY_COMPLETED, http_completed, srv,
		MHD_OPTION_EXTERNAL_LOGGER, http_mhd_log, NULL,
		MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u,
		MHD_OPTION_END);
	if (srv->daemon == NULL) {
		log_error("http: cannot listen on %s (address in use or not available?)", cfg->listen);
		free(srv);
		return -1;
	}
	if (stream_keepalive_start() != 0) {
		MHD_stop_daemon(srv->daemon);
		free(srv);
		return -1;
	}
	di = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = di ? di->port : 0;
	*ret = srv;
	return 0;
}

void
http_quiesce(struct http_server *srv)
{
	MHD_socket s = MHD_quiesce_daemon(srv->daemon);

	/* MHD's workers take the socket out of their epoll sets after this returns: closing it
	 * now raced with them (TSan saw close against epoll_ctl), and a new descriptor given the
	 * same number could have been taken out instead. shutdown() refuses new connections at
	 * once, as the close did; the descriptor is closed once MHD has stopped. */
	if (s != MHD_INVALID_SOCKET) {
		shutdown(s, SHUT_RDWR);
		srv->quiesced_fd = s;
	}
	stream_close_all();
}

int
http_drain(struct http_server *srv, int deadline_ms)
{
	for (int waited = 0; waited < deadline_ms; waited += 10) {
		if (atomic_load(&srv->in_flight) == 0)
			return 0;
		usleep(10000);
	}
	return atomic_load(&srv->in_flight);
}

void
http_stop(struct http_server *srv)
{
	if (srv == NULL)
		return;
	/* MHD must not stop with suspended connections: end the streams and let them go,
	 * with nothing left to wake them. */
	stream_keepalive_stop();
	stream_close_all();
	for (int i = 0; i < 100 && stream_count() > 0; i++)
		usleep(10000);
	MHD_stop_daemon(srv->daemon);
	if (srv->quiesced_fd >= 0)
		close(srv->quiesced_fd);
	free(srv);
}

int
http_in_flight(const struct http_server *srv)
{
	return atomic_load(&((struct http_server *)srv)->in_flight);
}

int
http_port(const struct http_server *srv)
{
	return srv->port;
}
