/* forum/twofactor_signin.c — the second step of signing in with two-factor sign-in on: a
 * pending sign-in after the right password (its token in a cookie or the API's answer,
 * TWOFACTOR_PENDING_S long, spent by the session it makes), the code that completes it;
 * and the --require-2fa-staff gate. */
#include "forum/twofactor.h"

#include <string.h>

#include "auth/auth.h"
#include "db/db.h"
#include "forum/users.h"

/* Only /login/2fa reads it; Strict, since only our own pages lead there. */
#define TWOFACTOR_COOKIE "corral_2fa"

static void
twofactor_cookie(struct req *r, const char *value, int max_age)
{
	http_add_header(r, "Set-Cookie",
			arena_printf(r->c.arena, "%s=%s; Path=/login; HttpOnly; SameSite=Strict%s; Max-Age=%d",
				     TWOFACTOR_COOKIE, value, auth_config()->secure_cookies ? "; Secure" : "", max_age));
}

/* A 4xx whose SPEC §7 code is not one of the table's: the code and details go in the
 * error's extra members, which the error body takes over (http/respond.c). */
static enum herr
twofactor_fail(struct req *r, enum herr err, json_t *extra, const char *field, const char *msg)
{
	http_defer_json(r, extra);
	r->c.extra = extra;
	return http_fail(r, err, field, msg);
}

enum herr
twofactor_after_password(struct req *r, int64_t id, const char **ret_next, bool *ret_pending)
{
	PGresult *res = db_q(&r->c, STMT_TOTP_ENABLED, db_int(&r->c, id));
	const char *tok, *hash;

	*ret_pending = false;
	if (res == NULL)
		return r->c.err;
	if (PQntuples(res) == 0 || !db_bool(res, 0, 0)) {
		if (PQntuples(res) == 1 && auth_config()->require_2fa_staff && db_bool(res, 0, 1))
			*ret_next = "/settings/2fa";
		return HERR_OK;
	}
	auth_token_new(&r->c, NULL, &tok, &hash);
	if (db_q(&r->c, STMT_TOTP_PENDING_CREATE, hash, db_int(&r->c, id), *ret_next,
		 db_int(&r->c, TWOFACTOR_PENDING_S)) == NULL)
		return r->c.err;
	*ret_pending = true;
	if (r->html) {
		twofactor_cookie(r, tok, TWOFACTOR_PENDING_S);
		r->location = "/login/2fa";
		return HERR_OK;
	}
	return twofactor_fail(r, HERR_UNAUTHENTICATED,
			      json_pack("{s:s,s:s,s:i}", "code", "totp_required", "pending_token", tok,
					"expires_in", TWOFACTOR_PENDING_S),
			      "code", "Enter the code of your authenticator app (or a recovery code).");
}

static enum herr
twofactor_expired(struct req *r)
{
	return http_fail(r, HERR_UNAUTHENTICATED, "pending_token",
			 "This sign-in has expired or is not valid. Sign in again with your password.");
}

enum herr
twofactor_signin_page(struct req *r)
{
	http_model(r);
	return HERR_OK;
}

enum herr
twofactor_signin(struct req *r)
{
	const char *tok = NULL, *code, *hash, *csrf, *next;
	PGresult *res;
	int64_t uid;
	json_t *u;
	int ok;

	/* The form's token is the cookie set with the redirect here; the API's, a field. */
	if (r->html)
		tok = http_cookie(r, TWOFACTOR_COOKIE);
	else if (in_string(r, "pending_token", 1, 128, IN_REQUIRED | IN_BYTES, &tok) < 0)
		return r->c.err;
	if (in_string(r, "code", 1, 64, IN_REQUIRED | IN_TRIM, &code) < 0)
		return r->c.err;
	if (tok == NULL || (hash = auth_token_hash(&r->c, tok)) == NULL)
		return twofactor_expired(r);
	if ((res = db_q(&r->c, STMT_TOTP_PENDING_GET, hash)) == NULL)
		return r->c.err;
	if (PQntuples(res) == 0)
		return twofactor_expired(r);
	uid = db_i64(res, 0, 0);
	if ((ok = twofactor_check(r, uid, code, true, "to sign in")) < 0)
		return r->c.err;
	if (!ok)
		return http_fail(r, HERR_UNAUTHENTICATED, "code", "That code is not right.");
	/* Single use: of two requests with one token, only the one that deletes it goes on. */
	if ((res = db_q(&r->c, STMT_TOTP_PENDING_TAKE, hash)) == NULL)
		return r->c.err;
	if (PQntuples(res) == 0)
		return twofactor_expired(r);
	next = db_str(res, 0, 1);
	if ((csrf = auth_session_start(r, uid)) == NULL || (u = users_get(&r->c, uid, true)) == NULL)
		return r->c.err;
	json_object_set_new(http_model(r), "user", u);
	json_object_set_new(r->model, "csrf_token", json_string(csrf));
	if (r->html) {
		twofactor_cookie(r, "", 0);
		r->location = next;
	}
	return HERR_OK;
}

enum herr
twofactor_gate(struct req *r)
{
	struct viewer *v = auth_viewer(r);
	PGresult *res;

	if (!auth_config()->require_2fa_staff || v == NULL || v->role < ROLE_MODERATOR || r->route == NULL ||
	    (r->route->flags & ROUTE_BEFORE_2FA))
		return HERR_OK;
	if ((res = db_q(&r->c, STMT_TOTP_ENABLED, db_int(&r->c, v->id))) == NULL)
		return r->c.err;
	if (PQntuples(res) == 1 && db_bool(res, 0, 0))
		return HERR_OK;
	return twofactor_fail(r, HERR_FORBIDDEN,
			      json_pack("{s:s,s:s}", "code", "2fa_required",
					"enrol", r->html ? "/settings/2fa" : "/api/v1/me/2fa"),
			      NULL, "Moderators and administrators must turn on two-factor sign-in first.");
}
