/* forum/accounts.c — registration, signing in and out, the viewer's own account
 * (GET /me, settings) and API tokens. */
#include <string.h>

#include "auth/auth.h"
#include "forum/account_mail.h"
#include "forum/affiliation.h"
#include "forum/app.h"
#include "forum/mail_prefs.h"
#include "forum/routes.h"
#include "forum/security.h"
#include "forum/twofactor.h"
#include "forum/users.h"
#include "http/http.h"

/* A path on this site only: one leading slash, and no backslash or control character
 * anywhere, since browsers read "/\\evil" and "/<TAB>/evil" as "//evil", another site. */
static bool
acct_safe_next(const char *s)
{
	if (s == NULL || s[0] != '/' || s[1] == '/' || strlen(s) >= 512)
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '\\')
			return false;
	return true;
}

/* Where to go after signing in: a local path only, never another site. */
static const char *
acct_next(struct req *r)
{
	json_t *n = json_object_get(r->input, "next");
	const char *s = json_is_string(n) ? json_string_value(n) : NULL;

	return acct_safe_next(s) ? s : "/";
}

static const char *
acct_ip_key(struct req *r, const char *what)
{
	return arena_printf(r->c.arena, "%s:ip:%s", what, r->client_ip);
}

struct acct_new {
	const char *username, *password, *email, *crole;
	int64_t id;                   /* out */
};

/* The account and the mail confirming its address exist together or not at all. */
static enum herr
acct_register_tx(struct ctx *c, void *arg)
{
	struct acct_new *a = arg;

	a->id = 0;
	if (users_create(c, a->username, a->password, strlen(a->password), a->crole, a->email, "member", &a->id) != 0)
		return c->err;
	return a->email ? acctmail_send_verify(c, a->id, a->username, a->email) : HERR_OK;
}

static enum herr
acct_register(struct req *r)
{
	const struct auth_config *cfg = auth_config();
	struct acct_new a = { 0 };
	const char *username, *password, *email = NULL, *crole, *csrf;
	int64_t id;
	json_t *u;

	if (in_string(r, "username", 1, 64, IN_REQUIRED | IN_BYTES, &username) < 0 ||
	    in_string(r, "password", 0, 4096, IN_REQUIRED | IN_BYTES, &password) < 0 ||
	    in_string(r, "email", 3, 254, IN_TRIM | IN_NULLABLE, &email) < 0 ||
	    in_string(r, "community_role", 1, 64, IN_REQUIRED, &crole) < 0)
		return r->c.err;
	if (email && !acctmail_address_ok(email))
		return http_fail(r, HERR_INVALID, "email", "That does not look like an email address.");
	if (email == NULL && cfg->require_verified_email)
		return http_fail(r, HERR_INVALID, "email",
				 "An email address is needed: members confirm one before they post.");
	if (auth_rate_check(r, acct_ip_key(r, "register"), cfg->register_per_ip, cfg->register_window_s) != 0)
		return r->c.err;
	a = (struct acct_new){ username, password, email, crole, 0 };
	if (db_transaction(&r->c, acct_register_tx, &a) != HERR_OK)
		return r->c.err;
	id = a.id;
	/* This registration is done; the limit applies to the next. */
	auth_rate_count(r, acct_ip_key(r, "register"), cfg->register_window_s);
	if ((csrf = auth_session_start(r, id)) == NULL || (u = users_get(&r->c, id, true)) == NULL)
		return r->c.err;
	json_object_set_new(http_model(r), "user", u);
	json_object_set_new(r->model, "csrf_token", json_string(csrf));
	r->status = 201;
	r->location = r->html ? acct_next(r) : arena_printf(r->c.arena, "/api/v1/users/%s", username);
	return HERR_OK;
}

static enum herr
acct_sign_in(struct req *r)
{
	const struct auth_config *cfg = auth_config();
	const char *username, *password, *acct_key, *hash, *csrf, *next = acct_next(r);
	char newhash[AUTH_HASH_BYTES];
	PGresult *res;
	int64_t id = 0;
	bool pending;
	int ok;
	json_t *u;

	if (in_string(r, "username", 1, 64, IN_REQUIRED | IN_BYTES, &username) < 0 ||
	    in_string(r, "password", 1, 1024, IN_REQUIRED | IN_BYTES, &password) < 0)
		return r->c.err;
	acct_key = arena_printf(r->c.arena, "signin:acct:%s", username);
	for (char *p = (char *)acct_key; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	if (auth_rate_check(r, acct_key, cfg->signin_fail_account, cfg->signin_window_s) != 0 ||
	    auth_rate_check(r, acct_ip_key(r, "signin"), cfg->signin_fail_ip, cfg->signin_window_s) != 0)
		return r->c.err;
	if ((res = db_q(&r->c, STMT_USER_FOR_SIGNIN, username)) == NULL)
		return r->c.err;
	hash = PQntuples(res) ? db_str(res, 0, 1) : NULL;
	if (hash)
		id = db_i64(res, 0, 0);
	/* An unknown name is verified against a dummy hash: same answer, same time. */
	if ((ok = auth_password_verify(&r->c, hash, password, strlen(password))) < 0)
		return r->c.err;
	if (!ok) {
		auth_rate_count(r, acct_key, cfg->signin_window_s);
		auth_rate_count(r, acct_ip_key(r, "signin"), cfg->signin_window_s);
		return http_fail(r, HERR_UNAUTHENTICATED, "password", "Wrong username or password.");
	}
	if (auth_password_needs_rehash(hash) &&
	    auth_password_hash(&r->c, password, strlen(password), newhash) == 0)
		db_q(&r->c, STMT_USER_SET_HASH, db_int(&r->c, id), newhash);
	auth_rate_clear(r, acct_key);
	/* With two-factor sign-in on, the session waits for the code (forum/twofactor*.c). */
	if (twofactor_after_password(r, id, &next, &pending) != HERR_OK || pending)
		return r->c.err;
	if ((csrf = auth_session_start(r, id)) == NULL || (u = users_get(&r->c, id, true)) == NULL)
		return r->c.err;
	json_object_set_new(http_model(r), "user", u);
	json_object_set_new(r->model, "csrf_token", json_string(csrf));
	r->location = next;
	return HERR_OK;
}

static enum herr
acct_sign_out(struct req *r)
{
	if (auth_viewer(r) == NULL || auth_viewer(r)->via_token)
		return http_fail(r, HERR_UNAUTHENTICATED, NULL, "There is no session to end.");
	if (auth_session_end(r) != 0)
		return r->c.err;
	r->location = "/";
	return HERR_OK;
}

static enum herr
acct_me(struct req *r)
{
	struct viewer *v = auth_viewer(r);
	json_t *u;

	if (auth_require(r, ROLE_MEMBER) != 0)
		return r->c.err;
	if ((u = users_get(&r->c, v->id, true)) == NULL)
		return r->c.err;
	json_object_set_new(http_model(r), "user", u);
	json_object_set_new(r->model, "csrf_token", v->csrf ? json_string(v->csrf) : json_null());
	json_object_set_new(r->model, "unread_notifications", json_integer(v->unread));
	return HERR_OK;
}

/* The community roles to choose from, the one given marked current (checked). */
static json_t *
acct_roles(PGresult *res, const char *current)
{
	json_t *roles = db_rows_json(res), *role;
	size_t i;

	json_array_foreach(roles, i, role)
		json_object_set_new(role, "current", json_boolean(current &&
			strcmp(json_string_value(json_object_get(role, "slug")), current) == 0));
	return roles;
}

enum herr
acct_settings(struct req *r)
{
	PGresult *res;

	if (acct_me(r) != HERR_OK || acctmail_settings_model(r) != HERR_OK)
		return r->c.err;
	if ((res = db_q0(&r->c, STMT_COMMUNITY_ROLES)) == NULL)
		return r->c.err;
	json_object_set_new(r->model, "community_roles", acct_roles(res, auth_viewer(r)->community_role));
	if ((res = db_q(&r->c, STMT_TOKEN_LIST, db_int(&r->c, auth_viewer(r)->id))) == NULL)
		return r->c.err;
	json_object_set_new(r->model, "tokens", db_rows_json(res));
	if (security_settings_model(r) != 0 || asks_settings_model(r) != 0 || affiliation_settings_model(r) != HERR_OK)
		return r->c.err;
	return mail_prefs_settings_model(r);
}

/* The register page needs the community roles to choose from. */
static enum herr
acct_register_page(struct req *r)
{
	PGresult *res = db_q0(&r->c, STMT_COMMUNITY_ROLES);
	json_t *chosen = r->input ? json_object_get(r->input, "community_role") : NULL;

	if (res == NULL)
		return r->c.err;
	json_object_set_new(http_model(r), "community_roles",
			    acct_roles(res, json_is_string(chosen) ? json_string_value(chosen) : NULL));
	json_object_set_new(r->model, "email_required", json_boolean(auth_config()->require_verified_email));
	return HERR_OK;
}

static enum herr
acct_login_page(struct req *r)
{
	const char *next = http_query(r, "next");

	if (acct_safe_next(next))
		json_object_set_new(http_model(r), "next", json_string(next));
	return HERR_OK;
}

static enum herr
acct_token_create(struct req *r)
{
	const char *name, *tok, *hash;
	PGresult *res;
	json_t *t;

	if (auth_require(r, ROLE_MEMBER) != 0 ||
	    in_string(r, "name", 1, 64, IN_REQUIRED | IN_TRIM, &name) < 0)
		return r->c.err;
	auth_token_new(&r->c, NULL, &tok, &hash);
	res = db_q(&r->c, STMT_TOKEN_CREATE, db_int(&r->c, auth_viewer(r)->id), name, hash);
	if (res == NULL)
		return r->c.err;
	t = db_row_json(res, 0);
	/* The token itself is shown this once; only its hash is kept. */
	json_object_set_new(t, "token", json_string(tok));
	json_object_set_new(http_model(r), "token", json_string(tok));
	json_object_set_new(r->model, "api_token", t);
	r->status = 201;
	return HERR_OK;
}

static enum herr
acct_token_list(struct req *r)
{
	PGresult *res;

	if (auth_require(r, ROLE_MEMBER) != 0)
		return r->c.err;
	if ((res = db_q(&r->c, STMT_TOKEN_LIST, db_int(&r->c, auth_viewer(r)->id))) == NULL)
		return r->c.err;
	json_object_set_new(http_model(r), "tokens", db_rows_json(res));
	return HERR_OK;
}

static enum herr
acct_token_delete(struct req *r)
{
	PGresult *res;
	int64_t id;

	if (auth_require(r, ROLE_MEMBER) != 0 || http_param_id(r, "id", &id) != 0)
		return r->c.err;
	res = db_q(&r->c, STMT_TOKEN_DELETE, db_int(&r->c, id), db_int(&r->c, auth_viewer(r)->id));
	if (res == NULL)
		return r->c.err;
	if (strcmp(PQcmdTuples(res), "0") == 0)
		return http_fail(r, HERR_NOT_FOUND, NULL, "You have no such token.");
	r->location = "/settings";
	return HERR_OK;
}

const struct route accounts_routes[] = {
	{ "GET", "/register", acct_register_page, .view = "register", .title = "Create an account",
	  .flags = ROUTE_FORM },
	{ "POST", "/register", acct_register, .view = "register", .title = "Create an account",
	  .flags = ROUTE_FORM, .page = acct_register_page },
	{ "GET", "/login", acct_login_page, .view = "login", .title = "Sign in",
	  .flags = ROUTE_FORM | ROUTE_BEFORE_2FA },
	{ "POST", "/login", acct_sign_in, .view = "login", .title = "Sign in",
	  .flags = ROUTE_FORM | ROUTE_BEFORE_2FA, .page = acct_login_page },
	{ "POST", "/logout", acct_sign_out, .view = "error", .flags = ROUTE_BEFORE_2FA },
	{ "GET", "/settings", acct_settings, .view = "settings", .title = "Settings" },
	{ "POST", "/settings", users_settings_save, .view = "settings", .title = "Settings", .page = acct_settings },
	{ "POST", "/settings/tokens", acct_token_create, .view = "token", .title = "New API token",
	  .page = acct_settings },
	{ "POST", "/settings/tokens/{id}/delete", acct_token_delete, .view = "settings",
	  .page = acct_settings },
	/* The credentials in the body are the authentication here, and a cross-site page
	 * cannot send a JSON body (415 for anything else), so a stale cookie must not make
	 * signing in or registering ask for a CSRF token. */
	{ "POST", "/api/v1/users", acct_register, .flags = ROUTE_NO_CSRF },
	{ "POST", "/api/v1/session", acct_sign_in, .flags = ROUTE_NO_CSRF | ROUTE_BEFORE_2FA },
	{ "DELETE", "/api/v1/session", acct_sign_out, .flags = ROUTE_BEFORE_2FA },
	{ "GET", "/api/v1/me", acct_me },
	{ "POST", "/api/v1/tokens", acct_token_create },
	{ "GET", "/api/v1/tokens", acct_token_list },
	{ "DELETE", "/api/v1/tokens/{id}", acct_token_delete },
};
const size_t accounts_routes_n = ROUTES_N(accounts_routes);
