/* forum/password_reset.c — credential recovery: "forgot password" mails a single-use link
 * valid one hour (answering the same, in about the same time, whether the account exists),
 * following it sets a new password and ends every session of the account (nobody is signed
 * in by it), and the operator's `corral user set-password` / `corral user reset-link`. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/auth.h"
#include "core/log.h"
#include "db/db.h"
#include "forum/account_mail.h"
#include "forum/app.h"
#include "forum/routes.h"
#include "http/http.h"

/* Every forgot-password answer takes at least this long, so the work done for an existing
 * account (a token, a queued mail) cannot be told apart from none by timing. */
#define PWRESET_FLOOR_MS 300

static const char pwreset_answer[] =
	"If an account matches, a link to choose a new password is on its way to its email address. "
	"It works for one hour.";

static void
pwreset_sleep_until(const struct timespec *t0, long floor_ms)
{
	struct timespec now, until = *t0;

	until.tv_sec += floor_ms / 1000;
	until.tv_nsec += (floor_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec < until.tv_sec || (now.tv_sec == until.tv_sec && now.tv_nsec < until.tv_nsec))
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) != 0)
			;
}

struct pwreset_mail {
	int64_t id;
	const char *username, *email;
};

static enum herr
pwreset_mail_tx(struct ctx *c, void *arg)
{
	const struct pwreset_mail *a = arg;
	const char *tok;

	if (onetime_issue(c, ONETIME_RESET_PASSWORD, a->id, NULL, ACCTMAIL_RESET_TTL_S, &tok) != 0)
		return c->err;
	return acctmail_send(c, "reset_password", a->email, a->username, "choose a new password",
			     "Someone (we hope you) asked to choose a new password for your account. Open this "
			     "link to do so; every place you are signed in will be signed out:",
			     acctmail_link(c, app_config()->base_url, "/password/reset", tok), "1 hour");
}

/* Is the account's allowance of reset mails spent? Counted here without an error: a 429
 * for a known account only would tell who has one. */
static bool
pwreset_account_spent(struct req *r, int64_t id)
{
	const struct auth_config *cfg = auth_config();
	struct ctx quiet = { .arena = r->c.arena, .rid = r->c.rid };
	const char *key = arena_printf(r->c.arena, "acctmail:reset_password:%lld", (long long)id);
	PGresult *res = db_q(&quiet, STMT_RATE_HIT, key, db_int(&quiet, cfg->account_mail_window_s));

	return res == NULL || PQntuples(res) != 1 || db_i64(res, 0, 0) > cfg->mail_per_account;
}

/* Find the account of login (a name, or an address when it holds '@') and mail it a link,
 * when it has an address we can mail and its allowance is not spent. Nothing of the outcome
 * reaches the client; the log says it. */
static enum herr
pwreset_mail_for(struct req *r, const char *login)
{
	PGresult *res = db_q(&r->c, strchr(login, '@') ? STMT_ACCT_BY_EMAIL : STMT_ACCT_BY_LOGIN, login);
	/* Past the lookup, which every request makes, a failure must not answer differently
	 * from an unknown account: it is logged, on a ctx of its own. */
	struct ctx quiet = { .arena = r->c.arena, .rid = r->c.rid };
	struct pwreset_mail a;

	if (res == NULL)
		return r->c.err;
	if (PQntuples(res) == 0) {
		log_info("rid=%s password reset asked for no account (from %s)", r->c.rid, r->client_ip);
		return HERR_OK;
	}
	a = (struct pwreset_mail){ db_i64(res, 0, 0), db_str(res, 0, 1), db_str(res, 0, 2) };
	if (!acctmail_address_ok(a.email)) {
		log_info("rid=%s password reset asked for account %lld, which has no address to mail", r->c.rid,
			 (long long)a.id);
		return HERR_OK;
	}
	if (pwreset_account_spent(r, a.id)) {
		log_warn("rid=%s password reset for account %lld refused: too many asked (from %s)", r->c.rid,
			 (long long)a.id, r->client_ip);
		return HERR_OK;
	}
	if (db_transaction(&quiet, pwreset_mail_tx, &a) != HERR_OK) {
		log_error("rid=%s password reset for account %lld: no link mailed (%s)", r->c.rid, (long long)a.id,
			  quiet.err_msg ? quiet.err_msg : herr_code(quiet.err));
		return HERR_OK;
	}
	log_info("rid=%s password reset link mailed for account %lld (asked from %s)", r->c.rid, (long long)a.id,
		 r->client_ip);
	return HERR_OK;
}

/* POST /password/forgot, /api/v1/password/forgot {login}: 202 and the same words whoever
 * is asked for. */
static enum herr
pwreset_forgot(struct req *r)
{
	const struct auth_config *cfg = auth_config();
	struct timespec t0;
	const char *login;
	enum herr rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (in_string(r, "login", 1, 254, IN_REQUIRED | IN_TRIM, &login) < 0 ||
	    auth_rate_hit(r, arena_printf(r->c.arena, "pwreset:ip:%s", r->client_ip), cfg->reset_per_ip,
			  cfg->account_mail_window_s) != 0)
		return r->c.err;
	rc = pwreset_mail_for(r, login);
	pwreset_sleep_until(&t0, PWRESET_FLOOR_MS);
	if (rc != HERR_OK)
		return rc;
	json_object_set_new(http_model(r), "message", json_string(pwreset_answer));
	r->status = 202;
	r->location = "/password/forgot?sent=1";
	return HERR_OK;
}

/* GET /password/forgot: the form, or what happens next after it was sent. */
static enum herr
pwreset_forgot_page(struct req *r)
{
	if (http_query(r, "sent"))
		json_object_set_new(http_model(r), "sent", json_string(pwreset_answer));
	else
		http_model(r);
	return HERR_OK;
}

struct pwreset_apply {
	const char *token, *hash;
	enum onetime_fault fault;     /* out */
	struct onetime t;             /* out */
	int64_t sessions;             /* out */
	const char *username, *email; /* out: who, and where to say it happened */
};

/* Set a new password hash for user_id and end every session and reset link of it. */
static int
pwreset_store(struct ctx *c, int64_t user_id, const char *hash, int64_t *ret_sessions)
{
	PGresult *res;

	if (db_q(c, STMT_USER_SET_HASH, db_int(c, user_id), hash) == NULL ||
	    (res = db_q(c, STMT_SESSION_REVOKE_OTHERS, db_int(c, user_id), NULL)) == NULL ||
	    onetime_void(c, user_id, ONETIME_BIT(ONETIME_RESET_PASSWORD)) != 0)
		return -1;
	*ret_sessions = strtoll(PQcmdTuples(res), NULL, 10);
	return 0;
}

static enum herr
pwreset_apply_tx(struct ctx *c, void *arg)
{
	struct pwreset_apply *a = arg;
	PGresult *res;

	a->sessions = 0;
	a->username = a->email = NULL;
	if ((a->fault = onetime_consume(c, ONETIME_BIT(ONETIME_RESET_PASSWORD), a->token, &a->t)) != ONETIME_OK)
		return c->err;
	if (pwreset_store(c, a->t.user_id, a->hash, &a->sessions) != 0 ||
	    (res = db_q(c, STMT_ACCT_EMAIL_STATE, db_int(c, a->t.user_id))) == NULL)
		return c->err;
	a->username = db_str(res, 0, 1);
	a->email = db_str(res, 0, 2);
	/* Told at the address the link went to: a reset nobody asked for is noticed. */
	if (acctmail_address_ok(a->email) &&
	    acctmail_send(c, "password_changed", a->email, a->username, "your password was changed",
			  "The password of your account was just changed through a reset link, and every "
			  "session was signed out. If this was not you, ask for a new reset link from the "
			  "sign-in page at once and tell the forum's administrators.", NULL, NULL) != HERR_OK)
		return c->err;
	return HERR_OK;
}

/* POST /password/reset, /api/v1/password/reset {token, password}: the new password, once
 * per link. Every session of the account ends, this browser's included: nobody is signed
 * in by a link, the new password signs in. */
static enum herr
pwreset_reset(struct req *r)
{
	struct pwreset_apply a = { 0 };
	const char *password;
	char hash[AUTH_HASH_BYTES];
	struct onetime t;
	enum onetime_fault f;
	enum herr rc;

	if (in_string(r, "token", 1, 128, IN_REQUIRED | IN_TRIM, &a.token) < 0 ||
	    in_string(r, "password", 0, 4096, IN_REQUIRED | IN_BYTES, &password) < 0)
		return r->c.err;
	/* A forged link costs no password hash; a weak password does not use the link up. */
	if ((f = onetime_peek(&r->c, ONETIME_BIT(ONETIME_RESET_PASSWORD), a.token, &t)) != ONETIME_OK || r->c.err)
		return r->c.err ? r->c.err : acctmail_fail_token(r, f, "/password/forgot", "Ask for a new link");
	if (auth_password_acceptable(&r->c, "password", password, strlen(password)) != 0 ||
	    auth_password_hash(&r->c, password, strlen(password), hash) != 0)
		return r->c.err;
	a.hash = hash;
	rc = db_transaction(&r->c, pwreset_apply_tx, &a);
	sodium_memzero(hash, sizeof hash);
	if (rc != HERR_OK)
		return r->c.err;
	if (a.fault != ONETIME_OK)
		return acctmail_fail_token(r, a.fault, "/password/forgot", "Ask for a new link");
	log_info("rid=%s account %lld (%s): password reset through a mailed link from %s; %lld session(s) ended",
		 r->c.rid, (long long)a.t.user_id, a.username, r->client_ip, (long long)a.sessions);
	/* This browser's session, when it was one of that account's, has ended with the others:
	 * forget its cookie too. Someone signed in to another account stays signed in. */
	if (auth_viewer(r) && auth_viewer(r)->id == a.t.user_id && !auth_viewer(r)->via_token &&
	    auth_session_end(r) != 0)
		return r->c.err;
	json_object_set_new(http_model(r), "username", json_string(a.username));
	json_object_set_new(r->model, "sessions_ended", json_integer(a.sessions));
	r->location = "/password/reset?done=1";
	return HERR_OK;
}

/* GET /password/reset?token=…: the form for the new password, or why the link is no good. */
static enum herr
pwreset_reset_page(struct req *r)
{
	const char *token;
	struct onetime t;
	enum onetime_fault f;

	if (acctmail_link_page(r, &token))
		return HERR_OK;
	if ((f = onetime_peek(&r->c, ONETIME_BIT(ONETIME_RESET_PASSWORD), token, &t)) != ONETIME_OK || r->c.err)
		return r->c.err ? r->c.err : acctmail_fail_token(r, f, "/password/forgot", "Ask for a new link");
	json_object_set_new(http_model(r), "reset", json_pack("{s:s,s:s}", "token", token, "username", t.username));
	return HERR_OK;
}

/* --- the operator's commands --- */

static int
pwreset_user_id(struct ctx *c, const char *username, int64_t *ret)
{
	PGresult *res = db_q(c, STMT_USER_EXISTS, username);

	if (res == NULL)
		return -1;
	if (PQntuples(res) == 0) {
		ctx_fail(c, HERR_NOT_FOUND, NULL, "There is no such user.");
		return -1;
	}
	*ret = db_i64(res, 0, 0);
	return 0;
}

struct pwreset_cli {
	int64_t id;
	const char *hash;
	int64_t sessions;             /* out */
};

static enum herr
pwreset_cli_tx(struct ctx *c, void *arg)
{
	struct pwreset_cli *a = arg;

	a->sessions = 0;
	return pwreset_store(c, a->id, a->hash, &a->sessions) == 0 ? HERR_OK : c->err;
}

int
pwreset_set_password(struct ctx *c, const char *username, const char *pw, size_t len, int *ret_sessions)
{
	char hash[AUTH_HASH_BYTES];
	struct pwreset_cli a = { 0 };
	enum herr rc;

	if (auth_password_acceptable(c, "password", pw, len) != 0 || pwreset_user_id(c, username, &a.id) != 0 ||
	    auth_password_hash(c, pw, len, hash) != 0)
		return -1;
	a.hash = hash;
	rc = db_transaction(c, pwreset_cli_tx, &a);
	sodium_memzero(hash, sizeof hash);
	if (rc != HERR_OK)
		return -1;
	log_info("account %lld (%s): password set from the command line; %lld session(s) ended", (long long)a.id,
		 username, (long long)a.sessions);
	*ret_sessions = (int)a.sessions;
	return 0;
}

int
pwreset_link(struct ctx *c, const char *username, const char *base_url, const char **ret_link)
{
	const char *tok;
	int64_t id;

	/* One statement after another outside a transaction is fine here: the void and the new
	 * token each stand alone, and a failure between them leaves no link working. */
	if (pwreset_user_id(c, username, &id) != 0 ||
	    onetime_issue(c, ONETIME_RESET_PASSWORD, id, NULL, ACCTMAIL_RESET_TTL_S, &tok) != 0)
		return -1;
	log_info("account %lld (%s): reset link made from the command line", (long long)id, username);
	*ret_link = acctmail_link(c, base_url, "/password/reset", tok);
	return 0;
}

const struct route password_reset_routes[] = {
	{ "GET", "/password/forgot", pwreset_forgot_page, .view = "password_forgot", .title = "Forgot your password?",
	  .flags = ROUTE_FORM },
	{ "POST", "/password/forgot", pwreset_forgot, .view = "password_forgot", .title = "Forgot your password?",
	  .flags = ROUTE_FORM, .page = pwreset_forgot_page },
	{ "GET", "/password/reset", pwreset_reset_page, .view = "password_reset", .title = "Choose a new password",
	  .flags = ROUTE_FORM },
	{ "POST", "/password/reset", pwreset_reset, .view = "password_reset", .title = "Choose a new password",
	  .flags = ROUTE_FORM, .page = pwreset_reset_page },
	/* What the body carries (an address, a mailed token) is all these act on; a cross-site
	 * page cannot send a JSON body, and a stale cookie must not ask for a CSRF token. */
	{ "POST", "/api/v1/password/forgot", pwreset_forgot, .flags = ROUTE_NO_CSRF },
	{ "POST", "/api/v1/password/reset", pwreset_reset, .flags = ROUTE_NO_CSRF },
};
const size_t password_reset_routes_n = ROUTES_N(password_reset_routes);
