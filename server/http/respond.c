/* http/respond.c — the one place where outcomes become responses: the model as JSON or
 * through its template, redirects after forms, and every error in the SPEC §7 shape. */
#include "http/internal.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/jsonset.h"
#include "core/log.h"
#include "render/jsontext.h"
#include "render/template.h"

/* No inline script or style anywhere: pages load /static/ files only. Images may come
 * from https sites because posts can embed them. */
static const char http_csp_html[] =
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
	"frame-ancestors 'none'";
static const char http_csp_api[] = "default-src 'none'; frame-ancestors 'none'";

static struct MHD_Response *
http_response_buf(struct buf *b)
{
	size_t len;
	char *data = buf_detach(b, &len);
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);

	if (resp == NULL)
		free(data);   /* still ours when the response could not be made */
	return resp;
}

/* What this request cost: its statements (counted in its ctx by db/exec.c, so the
 * server's background work never counts) and their time, and the time so far. Tests
 * read the count of one request from here; the process-wide counter of /metrics also
 * moves with the workers. */
static void
http_server_timing(struct req *r, struct MHD_Response *resp)
{
	struct timespec now;
	char v[128];
	double ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (double)(now.tv_sec - r->t0.tv_sec) * 1e3 + (double)(now.tv_nsec - r->t0.tv_nsec) / 1e6;
	snprintf(v, sizeof v, "db;dur=%.3f;desc=\"%d statements, %d round trips\", total;dur=%.3f",
		 r->c.statements_ms, r->c.statements, r->c.round_trips, ms);
	MHD_add_response_header(resp, "Server-Timing", v);
}

static enum MHD_Result
http_queue(struct req *r, int status, struct MHD_Response *resp, const char *content_type)
{
	enum MHD_Result ret;

	if (resp == NULL)
		return MHD_NO;
	if (content_type)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Content-Security-Policy",
				r->csp ? r->csp : r->html ? http_csp_html : http_csp_api);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
				r->cache_control ? r->cache_control
				: r->viewer ? "private, no-cache" : "no-cache");
	MHD_add_response_header(resp, "X-Request-Id", r->c.rid);
	if (r->srv->cfg.hsts)
		MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
	if (r->etag)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, r->etag);
	for (struct http_header *h = r->headers; h; h = h->next)
		MHD_add_response_header(resp, h->name, h->value);
	if (r->bad_framing || r->body_too_large)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	if (r->srv->cfg.server_timing)
		http_server_timing(r, resp);
	ret = MHD_queue_response(r->conn, (unsigned)status, resp);
	MHD_destroy_response(resp);
	r->sent_status = status;
	return ret;
}

static json_t *
http_error_json(struct req *r)
{
	json_t *e = json_object();

	JSON_SET(e, "code", json_string(herr_code(r->c.err)));
	JSON_SET(e, "message", json_string(r->c.err_msg ? r->c.err_msg
						: herr_default_message(r->c.err)));
	if (r->c.err_field) {
		json_t *on = json_object();

		JSON_SET(e, "field", json_string(r->c.err_field));
		/* For templates, which cannot compare strings: error.on.<field> is true. */
		if (r->html) {
			json_object_set_new(on, r->c.err_field, json_true());
			JSON_SET(e, "on", on);
		} else {
			json_decref(on);
		}
	}
	if (r->c.extra && json_is_object((json_t *)r->c.extra))
		json_object_update(e, (json_t *)r->c.extra);
	return e;
}

/* Render view with the page context below the model. 0 or -1 (logged). */
static int
http_render_segs(struct req *r, const char *view, json_t *model, struct buf *out, struct tmpl_segs *segs)
{
	const struct tmpl *t = r->srv->cfg.templates ? tmpl_get(r->srv->cfg.templates, view) : NULL;
	const struct http_hooks *hooks = r->srv->cfg.hooks;
	json_t *page, *stack[2];
	int rc;

	if (t == NULL) {
		log_error("rid=%s http: no template '%s'", r->c.rid, view);
		return -1;
	}
	page = hooks && hooks->page ? hooks->page(r) : json_object();
	/* Without a title the page is titled by the site's name alone (the page hook's). */
	if (r->title || (r->route && r->route->title))
		JSON_SET(page, "title", json_string(r->title ? r->title : r->route->title));
	JSON_SET(page, "static_v", json_string(static_version()));
	if (r->feed_url)
		JSON_SET(page, "feed", json_pack("{s:s,s:s}", "href", r->feed_url, "title",
						 r->feed_title ? r->feed_title : r->feed_url));
	stack[0] = json_pack("{s:o}", "page", page);
	stack[1] = model;
	rc = tmpl_render_holes(t, stack, model ? 2 : 1, out, segs);
	json_decref(stack[0]);
	if (rc != 0)
		log_error("rid=%s http: rendering '%s' failed", r->c.rid, view);
	return rc;
}

static int
http_render(struct req *r, const char *view, json_t *model, struct buf *out)
{
	return http_render_segs(r, view, model, out, NULL);
}

int
http_render_into(struct req *r, const char *view, struct buf *out)
{
	return http_render(r, view, r->model, out);
}

int
http_render_holes(struct req *r, struct buf *out, struct tmpl_segs *segs)
{
	const char *view = r->view ? r->view : r->route ? r->route->view : NULL;

	return view ? http_render_segs(r, view, r->model, out, segs) : -1;
}

/* Where a 401 page sends its reader: the sign-in form, coming back to the page asked
 * for (a GET; after another method there is no page to come back to). */
static json_t *
http_sign_in_link(const struct req *r)
{
	struct buf b = BUF_INIT;
	json_t *link;

	buf_puts(&b, "/login");
	if (strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0) {
		buf_puts(&b, "?next=");
		buf_url_escape(&b, r->url, strlen(r->url));
	}
	link = json_string(b.data);
	buf_free(&b);
	return link;
}

static enum MHD_Result
http_respond_html_error(struct req *r, int status)
{
	struct buf out = BUF_INIT;
	const char *form_view = r->view ? r->view : r->route ? r->route->view : NULL;
	bool form = form_view && strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0 &&
		    status < 500 &&
		    (r->c.err != HERR_CSRF || (r->c.err_field && strcmp(r->c.err_field, "csrf") == 0)) &&
		    (r->model != NULL || r->route == NULL || r->route->page == NULL);
	json_t *model = form && r->model ? json_incref(r->model) : json_object();

	JSON_SET(model, "error", http_error_json(r));
	if (form && r->input)
		json_object_set(model, "form", r->input);
	if (!form)
		json_object_set_new(json_object_get(model, "error"), "status", json_integer(status));
	if (!form && status == 401)
		json_object_set_new(json_object_get(model, "error"), "sign_in", http_sign_in_link(r));
	if (!form) {
		r->title = herr_default_message(r->c.err);
		form_view = "error";
	}
	if (http_render(r, form_view, model, &out) != 0) {
		buf_reset(&out);
		buf_printf(&out, "<!doctype html><title>Error</title><p>%d %s</p>", status,
			   herr_code(r->c.err));
	}
	json_decref(model);
	return http_queue(r, status, http_response_buf(&out), "text/html; charset=utf-8");
}

static enum MHD_Result
http_respond_err(struct req *r)
{
	int status = herr_status(r->c.err);
	struct buf out = BUF_INIT;
	json_t *body;
	int rc;

	if (r->c.err == HERR_RATE_LIMITED || r->c.err == HERR_UNAVAILABLE) {
		char ra[16];

		snprintf(ra, sizeof ra, "%d", r->c.retry_after > 0 ? r->c.retry_after : 1);
		http_add_header(r, MHD_HTTP_HEADER_RETRY_AFTER, ra);
	}
	if (r->html)
		return http_respond_html_error(r, status);
	body = json_pack("{s:o}", "error", http_error_json(r));
	rc = jsontext_buf(body, JSON_COMPACT, &out);
	json_decref(body);
	if (rc != 0) {
		buf_free(&out);
		return MHD_NO;
	}
	return http_queue(r, status, http_response_buf(&out), "application/json");
}

enum MHD_Result
http_respond_error(struct req *r, enum herr err, const char *msg)
{
	ctx_fail(&r->c, err, NULL, msg);
	return http_respond_err(r);
}

static enum MHD_Result
http_respond_redirect(struct req *r)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);

	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, r->location);
	return http_queue(r, r->status ? r->status : 303, resp, NULL);
}

static void
http_release_entry(void *cls)
{
	cache_release(cls);
}

/* Answer from a cached entry without copying its body; MHD drops the reference. */
static enum MHD_Result
http_respond_cached(struct req *r)
{
	struct cache_entry *e = r->cache_hit;
	struct MHD_Response *resp;
	const char *inm = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
	const char *body;
	size_t len;

	r->cache_hit = NULL;
	r->etag = arena_strdup(r->c.arena, cache_etag(e));
	http_add_header(r, "X-Cache", "hit");
	http_add_header(r, "Vary", "Cookie, Authorization");
	if (inm && strstr(inm, r->etag)) {
		cache_release(e);
		resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		return http_queue(r, 304, resp, NULL);
	}
	body = cache_body(e, &len);
	resp = MHD_create_response_from_buffer_with_free_callback_cls(len, (void *)body, http_release_entry, e);
	if (resp == NULL) {
		cache_release(e);
		return MHD_NO;
	}
	return http_queue(r, cache_status(e), resp, cache_type(e));
}

/* A 200 answer to a GET: its ETag (a matching If-None-Match gets 304), and a copy in the
 * cache when the request may be kept. Returns true when 304 was chosen. */
static bool
http_finish_get(struct req *r, struct buf *out, const char *type)
{
	const char *inm;
	char etag[20];

	if (r->etag == NULL) {
		cache_etag_of(out->data ? out->data : "", out->len, etag);
		r->etag = arena_strdup(r->c.arena, etag);
	}
	if (r->cache_key && r->cache_nstamps > 0)
		cache_put(r->cache_key, type, 200, out->data ? out->data : "", out->len, r->etag, r->cache_stamps,
			  r->cache_nstamps, r->cache_global);
	if (r->cache_key)
		http_add_header(r, "Vary", "Cookie, Authorization");
	inm = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
	return inm && strstr(inm, r->etag) != NULL;
}

enum MHD_Result
http_respond(struct req *r)
{
	struct buf out = BUF_INIT;
	bool get = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
	int status = r->status ? r->status : 200;

	if (r->raw_response)
		return MHD_YES;
	if (r->cache_hit)
		return http_respond_cached(r);
	if (r->c.err != HERR_OK)
		return http_respond_err(r);
	/* After a successful form POST: 303 See Other, whatever the API twin answers. */
	if (r->html && !get && r->location) {
		r->status = 303;
		return http_respond_redirect(r);
	}
	if (r->html && r->status >= 300 && r->status < 400 && r->location)
		return http_respond_redirect(r);
	if (r->content_type) {
		/* Moved, not copied: a large body (an account's export) is held once. */
		out = r->out;
		r->out = (struct buf)BUF_INIT;
		if (out.data == NULL)
			buf_puts(&out, "");
		if (get && status == 200 && http_finish_get(r, &out, r->content_type))
			goto not_modified;
		return http_queue(r, status, http_response_buf(&out), r->content_type);
	}
	if (r->html) {
		const char *view = r->view ? r->view : r->route ? r->route->view : NULL;

		if (view == NULL || http_render(r, view, r->model, &out) != 0) {
			buf_free(&out);
			return http_respond_error(r, HERR_INTERNAL, NULL);
		}
		if (get && status == 200 && http_finish_get(r, &out, "text/html; charset=utf-8"))
			goto not_modified;
		return http_queue(r, status, http_response_buf(&out), "text/html; charset=utf-8");
	}
	if (r->model == NULL && r->status == 0)
		status = 204;
	if (r->location)
		http_add_header(r, MHD_HTTP_HEADER_LOCATION, r->location);
	if (status != 204) {
		if (r->model == NULL) {
			buf_puts(&out, "{}");
		} else if (jsontext_buf(r->model, JSON_COMPACT | JSON_REAL_PRECISION(6), &out) != 0) {
			buf_free(&out);
			return http_respond_error(r, HERR_INTERNAL, NULL);
		}
		if (get && status == 200 && http_finish_get(r, &out, "application/json"))
			goto not_modified;
	}
	return http_queue(r, status, http_response_buf(&out), status == 204 ? NULL : "application/json");
not_modified:
	buf_free(&out);
	return http_queue(r, 304, MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT), NULL);
}

enum MHD_Result
http_respond_static(struct req *r)
{
	const struct static_file *f = static_find(r->url + sizeof "/static/" - 1);
	struct MHD_Response *resp;
	const char *inm;

	r->html = false;
	if (f == NULL)
		return http_respond_error(r, HERR_NOT_FOUND, NULL);
	if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
		http_add_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
		return http_respond_error(r, HERR_METHOD, NULL);
	}
	/* URLs made by the templates carry ?v=<hash of all static files>, so they can be
	 * cached for good; bare URLs are revalidated with the ETag. */
	r->cache_control = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "v")
				   ? "public, max-age=31536000, immutable"
				   : "public, max-age=300";
	r->etag = f->etag;
	inm = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
	if (inm && strstr(inm, f->etag)) {
		resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		return http_queue(r, 304, resp, NULL);
	}
	resp = MHD_create_response_from_buffer(f->len, (void *)f->data, MHD_RESPMEM_PERSISTENT);
	return http_queue(r, 200, resp, f->content_type);
}
