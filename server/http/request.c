/* http/request.c — request accessors (headers, cookies, query, path parameters) and the
 * typed reading of input fields shared by JSON bodies and HTML forms. */
#include "http/internal.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/utf8.h"
#include "http/clientaddr.h"
#include "http/parse.h"

const char *
http_header(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

struct http_joined {
	const char *name;
	struct buf b;
	bool any;
};

static enum MHD_Result
http_join_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct http_joined *j = cls;

	(void)kind;
	if (strcasecmp(key, j->name) == 0) {
		if (j->any)
			buf_putc(&j->b, ',');
		buf_puts(&j->b, value ? value : "");
		j->any = true;
	}
	return MHD_YES;
}

/* Every field named name, joined by commas as RFC 9110 allows (a proxy may add its own
 * line rather than extend the client's), as an arena copy; NULL when there is none. */
static const char *
http_header_joined(struct req *r, const char *name)
{
	struct http_joined j = { .name = name, .b = BUF_INIT };
	const char *s;

	MHD_get_connection_values(r->conn, MHD_HEADER_KIND, http_join_header, &j);
	if (!j.any)
		return NULL;
	s = arena_strdup(r->c.arena, j.b.data ? j.b.data : "");
	buf_free(&j.b);
	return s;
}

void
http_client_resolve(struct req *r)
{
	const struct http_config *cfg = &r->srv->cfg;
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	bool forwarded = cfg->proxy_header && strcmp(cfg->proxy_header, "forwarded") == 0;
	const char *hdr = NULL;
	struct clientaddr peer, client;
	char buf[INET6_ADDRSTRLEN];

	r->client_ip = "unknown";
	r->local = false;
	if (ci == NULL || clientaddr_from_sockaddr(ci->client_addr, &peer) != 0)
		return;
	if (clientaddr_trusted(cfg->trust, &peer))
		hdr = http_header_joined(r, forwarded ? "Forwarded" : "X-Forwarded-For");
	if (clientaddr_resolve(cfg->trust, &peer, forwarded ? CLIENTADDR_FORWARDED : CLIENTADDR_XFF,
			       hdr, &client))
		r->local = clientaddr_loopback(&client);
	else   /* a loopback peer passing on someone's request (a proxy not trusted) is not local */
		r->local = clientaddr_loopback(&peer) && !http_header(r, "X-Forwarded-For") &&
			   !http_header(r, "Forwarded") && !http_header(r, "X-Real-IP");
	clientaddr_format(&client, buf, sizeof buf);
	r->client_ip = arena_strdup(r->c.arena, buf);
}

const char *
http_header_or_field(struct req *r, const char *header, const char *field, bool form_only,
		     bool *ret_field)
{
	const char *h = http_header(r, header);
	json_t *f;

	if (ret_field)
		*ret_field = h == NULL;
	if (h)
		return h;
	f = r->input && (r->input_form || !form_only) ? json_object_get(r->input, field) : NULL;
	return json_is_string(f) ? json_string_value(f) : NULL;
}

const char *
http_cookie(struct req *r, const char *name)
{
	const char *h = http_header(r, MHD_HTTP_HEADER_COOKIE);

	return h ? parse_cookie(r->c.arena, h, name) : NULL;
}

const char *
http_query(struct req *r, const char *name)
{
	const char *v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);

	if (v && !utf8_valid(v, strlen(v))) {
		http_fail(r, HERR_INVALID, name, "The query is not valid UTF-8.");
		return NULL;
	}
	return v;
}

static int
http_parse_i64(const char *s, int64_t *ret)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end != '\0')
		return -1;
	*ret = v;
	return 0;
}

int
http_query_int(struct req *r, const char *name, int64_t min, int64_t max, int64_t def,
	       int64_t *ret)
{
	const char *v = http_query(r, name);
	int64_t n;

	if (v == NULL) {
		if (r->c.err != HERR_OK)
			return -1;
		*ret = def;
		return 0;
	}
	if (*v == '\0') {
		*ret = def;
		return 0;
	}
	if (http_parse_i64(v, &n) != 0 || n < min || n > max) {
		http_fail(r, HERR_INVALID, name,
			  arena_printf(r->c.arena, "%s must be a number from %lld to %lld.", name,
				       (long long)min, (long long)max));
		return -1;
	}
	*ret = n;
	return 0;
}

const char *
http_param(struct req *r, const char *name)
{
	for (int i = 0; i < r->m.nparams; i++)
		if (strcmp(r->m.names[i], name) == 0)
			return r->m.values[i];
	return NULL;
}

int
http_param_id(struct req *r, const char *name, int64_t *ret)
{
	int64_t v;
	const char *s = http_param(r, name);

	if (s == NULL || s[0] < '1' || s[0] > '9' || http_parse_i64(s, &v) != 0 || v <= 0) {
		http_fail(r, HERR_NOT_FOUND, NULL, NULL);
		return -1;
	}
	*ret = v;
	return 0;
}

void
http_add_header(struct req *r, const char *name, const char *value)
{
	struct http_header *h = arena_alloc(r->c.arena, sizeof *h);

	h->name = arena_strdup(r->c.arena, name);
	h->value = arena_strdup(r->c.arena, value);
	h->next = r->headers;
	r->headers = h;
}

enum herr
http_fail(struct req *r, enum herr err, const char *field, const char *msg)
{
	return ctx_fail(&r->c, err, field, msg);
}

void
http_cache_tag(struct req *r, const char *fmt, ...)
{
	char tag[128];
	va_list ap;

	if (r->cache_key == NULL)
		return;
	if (r->cache_nstamps == CACHE_MAX_TAGS) {
		r->cache_key = NULL;   /* more dependencies than an entry records: do not keep it */
		return;
	}
	va_start(ap, fmt);
	vsnprintf(tag, sizeof tag, fmt, ap);
	va_end(ap);
	if (r->cache_stamps == NULL)
		r->cache_stamps = arena_calloc(r->c.arena, CACHE_MAX_TAGS, sizeof *r->cache_stamps);
	r->cache_stamps[r->cache_nstamps++] = cache_stamp(tag);
}

void
http_clear_outcome(struct req *r)
{
	/* Dropped, not released value by value: the model was made in the request's arena,
	 * which takes it at the end, and the kept values in it (core/kept.h) are held by the
	 * arena's references — a json_decref here would give those back twice. */
	r->model = NULL;
	r->c.err = HERR_OK;
	r->c.err_field = r->c.err_msg = NULL;
	r->c.extra = NULL;
}

json_t *
http_model(struct req *r)
{
	if (r->model == NULL)
		r->model = json_object();
	return r->model;
}

/* arena_defer takes void (*)(void *); calling json_decref through a cast to that type
 * would be undefined behaviour, so the cast lives nowhere and this wrapper does the call. */
static void
http_json_decref(void *v)
{
	json_decref(v);
}

void
http_defer_json(struct req *r, json_t *v)
{
	arena_defer(r->c.arena, http_json_decref, v);
}

/* --- typed input --- */

static json_t *
in_get(struct req *r, const char *field, unsigned flags)
{
	json_t *v = r->input ? json_object_get(r->input, field) : NULL;

	if (v && json_is_null(v) && (flags & IN_NULLABLE))
		return NULL;
	/* An empty form field is an absent one: forms always send every input. */
	if (v && r->input_form && json_is_string(v) && json_string_length(v) == 0)
		return NULL;
	return v;
}

static int
in_absent(struct req *r, const char *field, unsigned flags)
{
	if (flags & IN_REQUIRED) {
		http_fail(r, HERR_INVALID, field, arena_printf(r->c.arena, "%s is required.", field));
		return -1;
	}
	return 1;
}

static int
in_type(struct req *r, const char *field, const char *what)
{
	http_fail(r, HERR_INVALID, field, arena_printf(r->c.arena, "%s must be %s.", field, what));
	return -1;
}

int
in_string(struct req *r, const char *field, size_t min, size_t max, unsigned flags,
	  const char **ret)
{
	json_t *v = in_get(r, field, flags);
	const char *s;
	size_t len, n;

	if (v == NULL)
		return in_absent(r, field, flags);
	if (!json_is_string(v))
		return in_type(r, field, "a string");
	s = json_string_value(v);
	len = json_string_length(v);
	if (flags & IN_TRIM) {
		utf8_trim(&s, &len);
		if (len == 0 && r->input_form)
			return in_absent(r, field, flags);
	}
	/* JSON strings from jansson may hold U+0000 only with JSON_ALLOW_NUL, which is off;
	 * forms were checked by parse_form. Check anyway: it is cheap and local. */
	if (!utf8_valid(s, len))
		return in_type(r, field, "valid UTF-8 text without NUL");
	n = (flags & IN_BYTES) ? len : utf8_length(s, len);
	if (n < min || n > max) {
		http_fail(r, HERR_INVALID, field,
			  min == max ? arena_printf(r->c.arena, "%s must be %zu %s.", field, min,
						    (flags & IN_BYTES) ? "bytes" : "characters")
				     : arena_printf(r->c.arena, "%s must be %zu to %zu %s.", field, min,
						    max, (flags & IN_BYTES) ? "bytes" : "characters"));
		return -1;
	}
	*ret = arena_strndup(r->c.arena, s, len);
	return 0;
}

int
in_int(struct req *r, const char *field, int64_t min, int64_t max, unsigned flags, int64_t *ret)
{
	json_t *v = in_get(r, field, flags);
	int64_t n;

	if (v == NULL)
		return in_absent(r, field, flags);
	if (json_is_integer(v))
		n = json_integer_value(v);
	else if (r->input_form && json_is_string(v) && http_parse_i64(json_string_value(v), &n) == 0)
		;
	else
		return in_type(r, field, "an integer");
	if (n < min || n > max) {
		http_fail(r, HERR_INVALID, field,
			  arena_printf(r->c.arena, "%s must be from %lld to %lld.", field,
				       (long long)min, (long long)max));
		return -1;
	}
	*ret = n;
	return 0;
}

int
in_bool(struct req *r, const char *field, unsigned flags, bool *ret)
{
	json_t *v = in_get(r, field, flags);

	if (v == NULL) {
		/* An unchecked checkbox is not sent at all: for forms absence means false. */
		if (r->input_form && (flags & IN_CHECKBOX)) {
			*ret = false;
			return 0;
		}
		return in_absent(r, field, flags);
	}
	if (json_is_boolean(v)) {
		*ret = json_is_true(v);
		return 0;
	}
	if (r->input_form && json_is_string(v)) {
		const char *s = json_string_value(v);

		if (!strcmp(s, "on") || !strcmp(s, "1") || !strcmp(s, "true") || !strcmp(s, "yes")) {
			*ret = true;
			return 0;
		}
		if (!strcmp(s, "0") || !strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "off")) {
			*ret = false;
			return 0;
		}
	}
	return in_type(r, field, "true or false");
}

int
in_enum(struct req *r, const char *field, const char *const *allowed, unsigned flags,
	const char **ret)
{
	json_t *v = in_get(r, field, flags);
	struct buf list = BUF_INIT;
	const char *s;
	int rc;

	if (v == NULL)
		return in_absent(r, field, flags);
	if (!json_is_string(v))
		return in_type(r, field, "a string");
	s = json_string_value(v);
	for (size_t i = 0; allowed[i]; i++) {
		if (strcmp(s, allowed[i]) == 0) {
			*ret = allowed[i];
			return 0;
		}
	}
	for (size_t i = 0; allowed[i]; i++)
		buf_printf(&list, "%s%s", i ? ", " : "", allowed[i]);
	rc = in_type(r, field, arena_printf(r->c.arena, "one of: %s", list.data ? list.data : ""));
	buf_free(&list);
	return rc;
}

static int
in_list_add(struct req *r, const char *field, json_t *item, int64_t min, int64_t max,
	    int64_t *out, size_t *n)
{
	int64_t v;

	if (json_is_integer(item))
		v = json_integer_value(item);
	else if (r->input_form && json_is_string(item) && http_parse_i64(json_string_value(item), &v) == 0)
		;
	else
		return in_type(r, field, "a list of integers");
	if (v < min || v > max)
		return in_type(r, field, "a list of valid identifiers");
	out[(*n)++] = v;
	return 0;
}

int
in_int_list(struct req *r, const char *field, size_t max_items, int64_t min, int64_t max,
	    unsigned flags, int64_t **ret, size_t *ret_n)
{
	json_t *v = in_get(r, field, flags), *item;
	int64_t *out;
	size_t n = 0, i;

	if (v == NULL)
		return in_absent(r, field, flags);
	if (json_is_string(v) && r->input_form) {
		/* One form field: "1, 2, 3" or a single number. */
		char *copy = arena_strdup(r->c.arena, json_string_value(v)), *tok, *save = NULL;

		out = arena_calloc(r->c.arena, max_items + 1, sizeof *out);
		for (tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
			json_t *s;
			int rc;

			if (n == max_items)
				return in_type(r, field, arena_printf(r->c.arena, "at most %zu items", max_items));
			s = json_string(tok);
			rc = in_list_add(r, field, s, min, max, out, &n);
			json_decref(s);
			if (rc != 0)
				return -1;
		}
	} else if (json_is_array(v)) {
		if (json_array_size(v) > max_items)
			return in_type(r, field, arena_printf(r->c.arena, "at most %zu items", max_items));
		out = arena_calloc(r->c.arena, json_array_size(v) + 1, sizeof *out);
		json_array_foreach(v, i, item)
			if (in_list_add(r, field, item, min, max, out, &n) != 0)
				return -1;
	} else {
		return in_type(r, field, "a list of integers");
	}
	if (n == 0)
		return in_absent(r, field, flags);
	*ret = out;
	*ret_n = n;
	return 0;
}
