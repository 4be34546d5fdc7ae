/* forum/security.c — a member's own sessions and password (issue 17): the list of where
 * they are signed in (this device marked), ending one session or all the others, and
 * changing the password, which ends every other session. API tokens stay in accounts.c. */
#include "forum/security.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "auth/device.h"
#include "core/log.h"
#include "db/db.h"
#include "forum/routes.h"
#include "http/http.h"

/* The sessions of the viewer as a JSON array, each with a readable device name; NULL on
 * error (recorded). */
static json_t *
security_sessions_json(struct req *r)
{
	const struct auth_config *cfg = auth_config();
	PGresult *res;
	json_t *list, *s;
	size_t i;
	char device[80];

	res = db_q(&r->c, STMT_SESSION_LIST, db_int(&r->c, auth_viewer(r)->id), auth_session_current(r),
		   db_int(&r->c, cfg->session_idle_s));
	if (res == NULL)
		return NULL;
	list = db_rows_json(res);
	json_array_foreach(list, i, s)
		json_object_set_new(s, "device", json_string(auth_device_name(
			json_string_value(json_object_get(s, "user_agent")), device, sizeof device)));
	return list;
}

int
security_settings_model(struct req *r)
{
	const char *done = http_query(r, "done");
	json_t *list;

	if (r->c.err != HERR_OK || (list = security_sessions_json(r)) == NULL)
		return -1;
	json_object_set_new(http_model(r), "sessions", list);
	json_object_set_new(r->model, "other_sessions", json_boolean(json_array_size(list) > 1));
	/* After a form's 303: say what happened, once, where the form was. */
	if (done && strcmp(done, "password") == 0)
		json_object_set_new(r->model, "password_changed", json_true());
	else if (done && strcmp(done, "sessions") == 0)
		json_object_set_new(r->model, "sessions_ended", json_true());
	return 0;
}

static enum herr
security_sessions(struct req *r)
{
	json_t *list;

	if (auth_require(r, ROLE_MEMBER) != 0 || (list = security_sessions_json(r)) == NULL)
		return r->c.err;
	json_object_set_new(http_model(r), "sessions", list);
	return HERR_OK;
}

static enum herr
security_session_revoke(struct req *r)
{
	const char *mine;
	PGresult *res;
	int64_t id;

	if (auth_require(r, ROLE_MEMBER) != 0 || http_param_id(r, "id", &id) != 0)
		return r->c.err;
	mine = auth_session_current(r);
	res = db_q(&r->c, STMT_SESSION_REVOKE, db_int(&r->c, id), db_int(&r->c, auth_viewer(r)->id), mine);
	if (res == NULL)
		return r->c.err;
	/* Another member's session is as absent as one that never was: no 403 to tell. */
	if (PQntuples(res) == 0)
		return http_fail(r, HERR_NOT_FOUND, NULL, "You have no such session.");
	log_info("rid=%s user %lld ended session %lld", r->c.rid, (long long)auth_viewer(r)->id, (long long)id);
	r->location = "/settings?done=sessions";
	if (db_bool(res, 0, 0)) {
		/* This very session: signing out, so the cookie goes too and settings are gone. */
		if (auth_session_end(r) != 0)
			return r->c.err;
		r->location = "/";
	}
	return HERR_OK;
}

/* Every session of the viewer but the one asking; *ret_n how many ended. */
static int
security_end_others(struct req *r, long long *ret_n)
{
	PGresult *res = db_q(&r->c, STMT_SESSION_REVOKE_OTHERS, db_int(&r->c, auth_viewer(r)->id),
			     auth_session_current(r));

	if (res == NULL)
		return -1;
	*ret_n = strtoll(PQcmdTuples(res), NULL, 10);
	return 0;
}

static enum herr
security_sessions_revoke_others(struct req *r)
{
	long long n;

	if (auth_require(r, ROLE_MEMBER) != 0 || security_end_others(r, &n) != 0)
		return r->c.err;
	log_info("rid=%s user %lld ended %lld other sessions", r->c.rid, (long long)auth_viewer(r)->id, n);
	json_object_set_new(http_model(r), "ended_sessions", json_integer(n));
	r->location = "/settings?done=sessions";
	return HERR_OK;
}

/* The rate-limit keys of signing in as the viewer and from this address: wrong current
 * passwords count where wrong sign-ins do, so neither door gives more guesses. */
static void
security_signin_keys(struct req *r, const char **ret_acct, const char **ret_ip)
{
	char *acct = arena_printf(r->c.arena, "signin:acct:%s", auth_viewer(r)->username);

	for (char *p = acct; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	*ret_acct = acct;
	*ret_ip = arena_printf(r->c.arena, "signin:ip:%s", r->client_ip);
}

struct security_pw_tx {
	int64_t user_id;
	const char *hash, *keep;   /* the new hash; the session that stays (NULL: none) */
	long long ended;           /* out */
};

static enum herr
security_password_tx(struct ctx *c, void *arg)
{
	struct security_pw_tx *w = arg;
	PGresult *res;

	w->ended = 0;
	if (db_q(c, STMT_USER_SET_HASH, db_int(c, w->user_id), w->hash) == NULL ||
	    (res = db_q(c, STMT_SESSION_REVOKE_OTHERS, db_int(c, w->user_id), w->keep)) == NULL)
		return c->err;
	w->ended = strtoll(PQcmdTuples(res), NULL, 10);
	return HERR_OK;
}

/* Is current the viewer's password? 1 yes, 0 no (counted against the sign-in limits),
 * -1 on error (recorded, 429 when over the limits). */
static int
security_password_check(struct req *r, const char *current)
{
	const struct auth_config *cfg = auth_config();
	const char *acct_key, *ip_key;
	PGresult *res;
	int ok;

	security_signin_keys(r, &acct_key, &ip_key);
	if (auth_rate_check(r, acct_key, cfg->signin_fail_account, cfg->signin_window_s) != 0 ||
	    auth_rate_check(r, ip_key, cfg->signin_fail_ip, cfg->signin_window_s) != 0)
		return -1;
	if ((res = db_q(&r->c, STMT_USER_PASSWORD_HASH, db_int(&r->c, auth_viewer(r)->id))) == NULL)
		return -1;
	if ((ok = auth_password_verify(&r->c, PQntuples(res) ? db_str(res, 0, 0) : NULL, current,
				       strlen(current))) < 0)
		return -1;
	if (!ok) {
		auth_rate_count(r, acct_key, cfg->signin_window_s);
		auth_rate_count(r, ip_key, cfg->signin_window_s);
		return 0;
	}
	auth_rate_clear(r, acct_key);
	return 1;
}

static enum herr
security_password_change(struct req *r)
{
	const char *current, *fresh, *confirm = NULL;
	char hash[AUTH_HASH_BYTES];
	struct security_pw_tx w = { 0 };
	enum herr err;
	int ok;

	if (auth_require(r, ROLE_MEMBER) != 0 ||
	    in_string(r, "current_password", 1, AUTH_PASSWORD_MAX, IN_REQUIRED | IN_BYTES, &current) < 0 ||
	    in_string(r, "new_password", 0, 4 * AUTH_PASSWORD_MAX, IN_REQUIRED | IN_BYTES, &fresh) < 0 ||
	    in_string(r, "new_password_confirm", 0, 4 * AUTH_PASSWORD_MAX, IN_BYTES, &confirm) < 0)
		return r->c.err;
	/* The new password's own faults first: they cost no hash and tell nothing of the
	 * current one. */
	if (auth_password_acceptable(&r->c, "new_password", fresh, strlen(fresh)) != 0)
		return r->c.err;
	if (confirm && strcmp(confirm, fresh) != 0)
		return http_fail(r, HERR_INVALID, "new_password_confirm", "The two new passwords differ.");
	if ((ok = security_password_check(r, current)) < 0)
		return r->c.err;
	if (!ok)
		return http_fail(r, HERR_FORBIDDEN, "current_password", "That is not your current password.");
	if (strcmp(current, fresh) == 0)
		return http_fail(r, HERR_INVALID, "new_password", "The new password is the one you have now.");
	if (auth_password_hash(&r->c, fresh, strlen(fresh), hash) != 0)
		return r->c.err;
	w.user_id = auth_viewer(r)->id;
	w.hash = hash;
	w.keep = auth_session_current(r);
	err = db_transaction(&r->c, security_password_tx, &w);
	sodium_memzero(hash, sizeof hash);
	if (err != HERR_OK)
		return r->c.err;
	log_info("rid=%s user %lld changed their password; %lld other sessions ended", r->c.rid,
		 (long long)w.user_id, w.ended);
	json_object_set_new(http_model(r), "ended_sessions", json_integer(w.ended));
	r->location = "/settings?done=password";
	return HERR_OK;
}

/* Failed settings forms are shown again on the settings page, built by accounts.c. */
const struct route security_routes[] = {
	{ "POST", "/settings/password", security_password_change, .view = "settings", .title = "Settings",
	  .page = acct_settings },
	{ "POST", "/settings/sessions/{id}/delete", security_session_revoke, .view = "settings",
	  .title = "Settings", .page = acct_settings },
	{ "POST", "/settings/sessions/others/delete", security_sessions_revoke_others, .view = "settings",
	  .title = "Settings", .page = acct_settings },
	{ "GET", "/api/v1/me/sessions", security_sessions },
	{ "DELETE", "/api/v1/me/sessions", security_sessions_revoke_others },
	{ "DELETE", "/api/v1/me/sessions/{id}", security_session_revoke },
	{ "POST", "/api/v1/me/password", security_password_change },
};
const size_t security_routes_n = ROUTES_N(security_routes);
