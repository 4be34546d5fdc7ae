/* auth/session.c — session cookies and API tokens: made from 256 random bits, stored
 * only as a BLAKE2b hash (with the browser and address a person recognises a session
 * by), resolved into the request's viewer once per request; and the CSRF and Origin
 * checks of every unsafe request. */
#include "auth/auth.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth/device.h"
#include "auth/viewer_cache.h"
#include "core/log.h"
#include "db/db.h"
#include "http/cache.h"

#define AUTH_TOKEN_BYTES 32
#define AUTH_ANON_CSRF_COOKIE "corral_csrf"

static struct auth_config auth_cfg;

int
auth_init(const struct auth_config *cfg)
{
	auth_cfg = *cfg;
	return auth_password_init(cfg->hash_concurrency, cfg->hash_memory_mib);
}

const struct auth_config *
auth_config(void)
{
	return &auth_cfg;
}

static const char *
auth_cookie_name(void)
{
	/* __Host- binds the cookie to this exact origin over https (no Domain, Path=/). */
	return auth_cfg.secure_cookies ? "__Host-corral_session" : "corral_session";
}

static const char *
auth_hash_hex(struct ctx *c, const unsigned char *data, size_t len)
{
	unsigned char h[32];
	char *out = arena_alloc(c->arena, 2 + 2 * sizeof h + 1);

	crypto_generichash(h, sizeof h, data, len, NULL, 0);
	out[0] = '\\';
	out[1] = 'x';
	sodium_bin2hex(out + 2, 2 * sizeof h + 1, h, sizeof h);
	return out;
}

void
auth_token_new(struct ctx *c, const char *prefix, const char **ret_token, const char **ret_hash)
{
	unsigned char raw[AUTH_TOKEN_BYTES];
	size_t plen = prefix ? strlen(prefix) : 0;
	size_t b64 = sodium_base64_ENCODED_LEN(sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *tok = arena_alloc(c->arena, plen + b64);

	randombytes_buf(raw, sizeof raw);
	memcpy(tok, prefix ? prefix : "", plen);
	sodium_bin2base64(tok + plen, b64, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	*ret_token = tok;
	if (ret_hash)
		*ret_hash = auth_hash_hex(c, (const unsigned char *)tok, strlen(tok));
}

const char *
auth_token_hash(struct ctx *c, const char *token)
{
	size_t n = strlen(token);

	/* Refuse anything that cannot be one of ours before touching the database. */
	if (n < 43 || n > 64 || strspn(token, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != n)
		return NULL;
	return auth_hash_hex(c, (const unsigned char *)token, n);
}

static void
auth_set_cookie(struct req *r, const char *name, const char *value, int max_age)
{
	http_add_header(r, "Set-Cookie",
			arena_printf(r->c.arena, "%s=%s; Path=/; HttpOnly; SameSite=Lax%s; Max-Age=%d",
				     name, value, auth_cfg.secure_cookies ? "; Secure" : "", max_age));
}

/* Fill a viewer from a SESSION_VIEWER / TOKEN_VIEWER row. */
static struct viewer *
auth_viewer_from(struct ctx *c, PGresult *res)
{
	struct viewer *v = arena_calloc(c->arena, 1, sizeof *v);

	v->id = db_i64(res, 0, 0);
	v->username = db_str(res, 0, 1);
	v->display_name = db_str(res, 0, 2);
	v->role_name = db_str(res, 0, 3);
	v->role = (enum auth_role)auth_role_parse(v->role_name);
	v->community_role = db_str(res, 0, 4);
	v->community_label = db_str(res, 0, 5);
	v->community_kind = db_str(res, 0, 6);
	v->role_verified = db_bool(res, 0, 7);
	v->suspended = db_bool(res, 0, 8);
	v->approved_posts = (int)db_i64(res, 0, 9);
	v->unread = (int)db_i64(res, 0, 10);
	v->csrf = db_str(res, 0, 11);
	v->email_verified = db_bool(res, 0, db_col(res, "email_verified"));
	return v;
}

int
auth_viewer_load(struct req *r, int64_t uid)
{
	PGresult *res = db_q(&r->c, STMT_USER_VIEWER, db_int(&r->c, uid));

	if (res == NULL)
		return -1;
	if (PQntuples(res) == 0)
		return 0;
	r->viewer = auth_viewer_from(&r->c, res);
	return 1;
}

static const char *
auth_session_hash(struct req *r)
{
	const char *tok = http_cookie(r, auth_cookie_name());

	return tok ? auth_token_hash(&r->c, tok) : NULL;
}

const char *
auth_session_current(struct req *r)
{
	struct viewer *v = auth_viewer(r);

	return v && !v->via_token ? auth_session_hash(r) : NULL;
}

/* The client's address as a session keeps it (the column holds 64 bytes). */
static const char *
auth_client_ip(struct req *r)
{
	const char *ip = r->client_ip ? r->client_ip : "";

	return strlen(ip) <= 64 ? ip : "";
}

/* Whether this request may take its session from this instance's copy
 * (auth/viewer_cache.h): a browser's GET of a route that asks for it, while the copy is
 * kept current, and not from a browser that wrote a moment ago (corral_w: its write may
 * have gone through another instance, whose notices this one may not have yet). */
static bool
auth_may_keep(struct req *r)
{
	return r->route && (r->route->flags & ROUTE_KEPT_VIEWER) && r->html && auth_reader_keep() &&
	       cache_serving() && (strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0) &&
	       http_cookie(r, "corral_w") == NULL;
}

/* Bearer token or session cookie → viewer. A bad or expired credential simply leaves
 * the request anonymous (a stale cookie must not lock anyone out of reading). */
static enum herr
auth_resolve(struct req *r)
{
	const char *authz = http_header(r, "Authorization"), *hash;
	PGresult *res;
	bool token = false, keep = false;
	unsigned long notices = 0;

	if (authz && strncasecmp(authz, "Bearer ", 7) == 0) {
		hash = auth_token_hash(&r->c, authz + 7);
		if (hash == NULL)
			return http_fail(r, HERR_UNAUTHENTICATED, NULL, "The API token is not valid.");
		res = db_q(&r->c, STMT_TOKEN_VIEWER, hash);
		token = true;
	} else if ((hash = auth_session_hash(r)) != NULL) {
		if ((keep = auth_may_keep(r))) {
			if ((r->viewer = auth_viewer_cache_get(r, hash)) != NULL)
				return HERR_OK;
			notices = cache_notices();
		}
		res = db_q(&r->c, STMT_SESSION_VIEWER, hash, db_int(&r->c, auth_cfg.session_idle_s));
	} else {
		return HERR_OK;
	}
	if (res == NULL)
		return r->c.err;
	if (PQntuples(res) == 0)
		return token ? http_fail(r, HERR_UNAUTHENTICATED, NULL, "The API token is not valid.")
			     : HERR_OK;
	r->viewer = auth_viewer_from(&r->c, res);
	auth_viewer(r)->via_token = token;
	/* Sliding idle expiry and "last seen", written at most every minute per session (five
	 * per token): a signed-in GET does not write. */
	if (db_bool(res, 0, 12) &&
	    (token ? db_q(&r->c, STMT_TOKEN_TOUCH, hash)
		   : db_q(&r->c, STMT_SESSION_TOUCH, hash, auth_client_ip(r))) == NULL)
		return r->c.err;
	if (keep)
		auth_viewer_cache_put(r, hash, auth_viewer(r), notices);
	return HERR_OK;
}

static bool
auth_same_origin(struct req *r, const char *origin)
{
	const char *host = http_header(r, "Host");

	if (strcmp(origin, auth_cfg.origin) == 0)
		return true;
	/* The browser writes Host itself, so Origin == scheme://Host is same-origin even when
	 * the forum is reached under another name than --base-url (localhost vs 127.0.0.1). */
	if (host) {
		const char *scheme = auth_cfg.secure_cookies ? "https://" : "http://";
		size_t sl = strlen(scheme);

		return strncmp(origin, scheme, sl) == 0 && strcmp(origin + sl, host) == 0;
	}
	return false;
}

static bool
auth_unsafe(const char *method)
{
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 && strcmp(method, "OPTIONS") != 0;
}

static const char *
auth_sent_csrf(struct req *r)
{
	return http_header_or_field(r, "X-CSRF-Token", "csrf", false, NULL);
}

static bool
auth_token_equal(const char *a, const char *b)
{
	size_t n = strlen(b);

	return a && strlen(a) == n && sodium_memcmp(a, b, n) == 0;
}

enum herr
auth_prepare(struct req *r)
{
	const char *origin, *expected = NULL;
	struct viewer *v;

	if (auth_resolve(r) != HERR_OK)
		return r->c.err;
	if (!auth_unsafe(r->method) || (r->route && (r->route->flags & ROUTE_NO_CSRF)))
		return HERR_OK;
	v = auth_viewer(r);
	if (v && v->via_token)
		return HERR_OK;   /* a bearer token cannot be sent by another site's page */
	/* Cookie-authenticated (or an HTML form): the request must come from our pages. */
	if (v || r->html) {
		origin = http_header(r, "Origin");
		if (origin && strcmp(origin, "null") != 0 && !auth_same_origin(r, origin))
			return http_fail(r, HERR_CSRF, NULL, "The request came from another site.");
		if (origin && strcmp(origin, "null") == 0)
			return http_fail(r, HERR_CSRF, NULL, "The request came from another site.");
		expected = v ? v->csrf : http_cookie(r, AUTH_ANON_CSRF_COOKIE);
		if (expected == NULL || !auth_token_equal(auth_sent_csrf(r), expected))
			/* field "csrf": only the token was wrong and the Origin says the form is one of
			 * our pages (browsers send it with every form POST), so the form may be shown
			 * again with what was typed and a fresh token. Without an Origin nobody can
			 * tell: another site's text must never come back ready to send. */
			return http_fail(r, HERR_CSRF, origin ? "csrf" : NULL,
					 "The form has expired or did not come from this site. Check what you typed "
					 "and send it again.");
	}
	return HERR_OK;
}

const char *
auth_form_csrf(struct req *r)
{
	const char *tok;

	if (auth_viewer(r) && auth_viewer(r)->csrf)
		return auth_viewer(r)->csrf;
	tok = http_cookie(r, AUTH_ANON_CSRF_COOKIE);
	if (tok && auth_token_hash(&r->c, tok))
		return tok;
	auth_token_new(&r->c, NULL, &tok, NULL);
	auth_set_cookie(r, AUTH_ANON_CSRF_COOKIE, tok, 86400);
	return tok;
}

const char *
auth_session_start(struct req *r, int64_t user_id)
{
	const char *tok, *hash, *csrf, *old;
	char ua[AUTH_DEVICE_UA_MAX + 1];

	auth_token_new(&r->c, NULL, &tok, &hash);
	auth_token_new(&r->c, NULL, &csrf, NULL);
	/* A new token at every sign-in: a session fixed before sign-in is worthless. */
	if ((old = auth_session_hash(r)) != NULL && db_q(&r->c, STMT_SESSION_DELETE, old) == NULL)
		return NULL;
	auth_device_clean(http_header(r, "User-Agent"), ua, sizeof ua);
	if (db_q(&r->c, STMT_SESSION_CREATE, hash, db_int(&r->c, user_id), csrf,
		 db_int(&r->c, auth_cfg.session_max_s), ua, auth_client_ip(r)) == NULL)
		return NULL;
	auth_set_cookie(r, auth_cookie_name(), tok, auth_cfg.session_max_s);
	return csrf;
}

int
auth_session_end(struct req *r)
{
	const char *hash = auth_session_hash(r);

	if (hash && db_q(&r->c, STMT_SESSION_DELETE, hash) == NULL)
		return -1;
	auth_set_cookie(r, auth_cookie_name(), "", 0);
	return 0;
}

int
auth_require(struct req *r, enum auth_role at_least)
{
	struct viewer *v = auth_viewer(r);

	if (v == NULL) {
		http_fail(r, HERR_UNAUTHENTICATED, NULL, NULL);
		return -1;
	}
	if (v->role < at_least) {
		http_fail(r, HERR_FORBIDDEN, NULL,
			  at_least == ROLE_ADMIN ? "Only administrators can do that."
						 : "Only moderators can do that.");
		return -1;
	}
	return 0;
}

int
auth_require_active(struct req *r)
{
	if (auth_require(r, ROLE_MEMBER) != 0)
		return -1;
	if (auth_viewer(r)->suspended) {
		http_fail(r, HERR_FORBIDDEN, NULL, "Your account is suspended.");
		return -1;
	}
	return 0;
}

const char *const auth_role_names[] = { "member", "moderator", "admin", NULL };

int
auth_role_parse(const char *name)
{
	for (int i = 0; name && auth_role_names[i]; i++)
		if (strcmp(name, auth_role_names[i]) == 0)
			return i;
	return -1;
}

const char *
auth_role_name(enum auth_role role)
{
	return role <= ROLE_ADMIN ? auth_role_names[role] : "member";
}
