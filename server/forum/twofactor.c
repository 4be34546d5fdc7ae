/* forum/twofactor.c — two-factor sign-in in settings: start enrolling (a new secret shown
 * as base32 and an otpauth:// URI), confirm it with a first code (10 recovery codes shown
 * once), new recovery codes, turning it off; and the code check signing in shares. */
#include "forum/twofactor.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/auth.h"
#include "auth/seal.h"
#include "auth/totp.h"
#include "core/log.h"
#include "db/db.h"
#include "forum/site_settings.h"

/* Codes of the step before and after now's are taken too: clocks drift, people are slow. */
#define TWOFACTOR_WINDOW 1
/* What a sealed secret is bound to, with its account (auth/seal.h). */
#define TWOFACTOR_SEAL_KIND "totp"

struct twofactor_state {
	bool exists, enabled;
	unsigned char secret[TOTP_SECRET_BYTES];
	unsigned char recovery_key[TOTP_RECOVERY_KEY_BYTES];
	int64_t last_step;
	int64_t codes_left;
};

/* The secret of account uid from its column's hex: 20 bytes as they are (stored before
 * the server had a key, and sealed at its next start), or a box of auth/seal.h. 0 or -1. */
static int
twofactor_secret_open(int64_t uid, const char *hex, unsigned char secret[TOTP_SECRET_BYTES])
{
	unsigned char box[TOTP_SECRET_BYTES + SEAL_OVERHEAD];
	size_t len = 0;
	int rc = -1;

	if (sodium_hex2bin(box, sizeof box, hex, strlen(hex), NULL, &len, NULL) != 0)
		return -1;
	if (len == TOTP_SECRET_BYTES) {
		memcpy(secret, box, TOTP_SECRET_BYTES);
		rc = 0;
	} else if (len == sizeof box) {
		rc = seal_open(box, len, TWOFACTOR_SEAL_KIND, uid, secret);
	}
	sodium_memzero(box, sizeof box);
	return rc;
}

/* The column's hex of a new secret of account uid: sealed when the server has a key. */
static void
twofactor_secret_hex(int64_t uid, const unsigned char secret[TOTP_SECRET_BYTES],
		     char hex[2 * (TOTP_SECRET_BYTES + SEAL_OVERHEAD) + 1])
{
	unsigned char box[TOTP_SECRET_BYTES + SEAL_OVERHEAD];

	if (seal_box(secret, TOTP_SECRET_BYTES, TWOFACTOR_SEAL_KIND, uid, box) == 0)
		sodium_bin2hex(hex, 2 * sizeof box + 1, box, sizeof box);
	else
		sodium_bin2hex(hex, 2 * TOTP_SECRET_BYTES + 1, secret, TOTP_SECRET_BYTES);
	sodium_memzero(box, sizeof box);
}

/* The account's enrolment, if any. 0 or -1 (recorded). */
static int
twofactor_load(struct req *r, int64_t uid, struct twofactor_state *ret)
{
	PGresult *res = db_q(&r->c, STMT_TOTP_STATE, db_int(&r->c, uid));
	const char *hex, *keyhex;

	memset(ret, 0, sizeof *ret);
	if (res == NULL)
		return -1;
	if (PQntuples(res) == 0)
		return 0;
	hex = db_str(res, 0, 0);
	keyhex = db_str(res, 0, 4);
	if (hex == NULL || keyhex == NULL ||
	    twofactor_secret_open(uid, hex, ret->secret) != 0 ||
	    sodium_hex2bin(ret->recovery_key, sizeof ret->recovery_key, keyhex, strlen(keyhex), NULL, NULL, NULL) != 0) {
		/* Not a secret this server can read: sealed with another key (the operator's
		 * --secret-key-file is not the one the other instances use) — logged once at
		 * start as well. No code can be checked, which must not pass as a wrong one. */
		log_error("rid=%s 2fa: the two-factor secret of account %lld cannot be read with the key in '%s'",
			  r->c.rid, (long long)uid, seal_key_file());
		http_fail(r, HERR_UNAVAILABLE, NULL, "Two-factor codes cannot be checked right now.");
		return -1;
	}
	ret->exists = true;
	ret->enabled = db_bool(res, 0, 1);
	ret->last_step = db_i64(res, 0, 2);
	ret->codes_left = db_i64(res, 0, 3);
	return 0;
}

static const char *
twofactor_rate_key(struct req *r, int64_t uid)
{
	return arena_printf(r->c.arena, "2fa:acct:%lld", (long long)uid);
}

/* A recovery code typed: spent when it is one of the account's unused codes. 1, 0 or -1. */
static int
twofactor_use_recovery(struct req *r, int64_t uid, const unsigned char *key, const char *code)
{
	char canon[17], hash[65];
	PGresult *res;

	if (!totp_recovery_normalize(code, canon))
		return 0;
	totp_recovery_hash(canon, key, hash);
	if ((res = db_q(&r->c, STMT_TOTP_RECOVERY_USE, db_int(&r->c, uid), hash)) == NULL)
		return -1;
	return PQntuples(res) == 1;
}

int
twofactor_check(struct req *r, int64_t uid, const char *code, bool recovery, const char *what)
{
	const struct auth_config *cfg = auth_config();
	const char *key = twofactor_rate_key(r, uid);
	struct twofactor_state st;
	PGresult *res;
	int64_t step;
	int ok = 0;
	bool reused;

	if (auth_rate_check(r, key, cfg->signin_fail_account, cfg->signin_window_s) != 0 ||
	    twofactor_load(r, uid, &st) != 0)
		return -1;
	if (!st.enabled) {
		/* Nothing to guess: not counted. */
		http_fail(r, HERR_CONFLICT, NULL, "Two-factor sign-in is off.");
		return -1;
	}
	step = totp_match(st.secret, sizeof st.secret, time(NULL), TWOFACTOR_WINDOW, st.last_step, code);
	/* A right code of a step already taken is someone replaying it (a phished code), or a
	 * very quick second sign-in. */
	reused = step < 0 && totp_match(st.secret, sizeof st.secret, time(NULL), TWOFACTOR_WINDOW, -1, code) >= 0;
	sodium_memzero(st.secret, sizeof st.secret);
	if (step >= 0) {
		/* Conditional: of two requests with the same code, one takes it; the other sent a
		 * code used meanwhile, as a relaying phisher racing its victim does. */
		if ((res = db_q(&r->c, STMT_TOTP_USE_STEP, db_int(&r->c, uid), db_int(&r->c, step))) == NULL)
			return -1;
		ok = PQntuples(res) == 1;
		reused = !ok;
	} else if (recovery && (ok = twofactor_use_recovery(r, uid, st.recovery_key, code)) < 0) {
		return -1;
	}
	/* Operators and the holder both hear of it (ASVS 2.8.5); the answer stays a wrong code's. */
	if (reused) {
		log_warn("rid=%s twofactor: a code of a step already taken was sent for account %lld (replay?)", r->c.rid,
			 (long long)uid);
		twofactor_reuse_notice(r, uid, what);
	}
	if (ok)
		auth_rate_clear(r, key);
	else
		auth_rate_count(r, key, cfg->signin_window_s);
	return ok;
}

/* The model of the viewer's two-factor state; the secret only while enrolling. */
static json_t *
twofactor_json(struct req *r, const struct twofactor_state *st)
{
	json_t *o = json_pack("{s:b,s:b,s:I}", "enabled", st->enabled, "enrolling", st->exists && !st->enabled,
			      "recovery_codes_left", (json_int_t)(st->enabled ? st->codes_left : 0));
	struct site_settings site;
	char b32[TOTP_BASE32_LEN + 1];
	char *uri;

	if (st->exists && !st->enabled) {
		site_settings_get(&r->c, &site);
		totp_base32(st->secret, b32);
		uri = totp_uri(site.site_name, auth_viewer(r)->username, b32);
		json_object_set_new(o, "secret", json_string(b32));
		json_object_set_new(o, "otpauth_uri", json_string(uri));
		sodium_memzero(b32, sizeof b32);
		free(uri);
	}
	return o;
}

static enum herr
twofactor_show(struct req *r)
{
	struct twofactor_state st;

	if (auth_require(r, ROLE_MEMBER) != 0 || twofactor_load(r, auth_viewer(r)->id, &st) != 0)
		return r->c.err;
	json_object_set_new(http_model(r), "two_factor", twofactor_json(r, &st));
	sodium_memzero(st.secret, sizeof st.secret);
	return HERR_OK;
}

static enum herr
twofactor_setup(struct req *r)
{
	unsigned char secret[TOTP_SECRET_BYTES], key[TOTP_RECOVERY_KEY_BYTES];
	char hex[2 * (TOTP_SECRET_BYTES + SEAL_OVERHEAD) + 1], keyhex[2 * TOTP_RECOVERY_KEY_BYTES + 1];
	PGresult *res;

	if (auth_require(r, ROLE_MEMBER) != 0)
		return r->c.err;
	randombytes_buf(secret, sizeof secret);
	randombytes_buf(key, sizeof key);
	twofactor_secret_hex(auth_viewer(r)->id, secret, hex);
	sodium_bin2hex(keyhex, sizeof keyhex, key, sizeof key);
	sodium_memzero(secret, sizeof secret);
	res = db_q(&r->c, STMT_TOTP_SETUP, db_int(&r->c, auth_viewer(r)->id), hex, keyhex);
	sodium_memzero(hex, sizeof hex);
	if (res == NULL)
		return r->c.err;
	if (PQntuples(res) == 0)
		return http_fail(r, HERR_CONFLICT, NULL,
				 "Two-factor sign-in is already on. Turn it off first to use a new secret.");
	if (twofactor_show(r) != HERR_OK)
		return r->c.err;
	r->status = 201;
	r->location = r->html ? "/settings/2fa" : "/api/v1/me/2fa";
	return HERR_OK;
}

/* Ten new recovery codes into the model (shown this once), their hashes as the
 * comma-separated hex list the statements take. */
static const char *
twofactor_new_codes(struct req *r, const unsigned char *key)
{
	json_t *codes = json_array();
	struct buf hashes = BUF_INIT;
	char code[TOTP_RECOVERY_LEN + 1], canon[17], hash[65];
	const char *ret;

	for (int i = 0; i < TOTP_RECOVERY_CODES; i++) {
		totp_recovery_new(code);
		totp_recovery_normalize(code, canon);
		totp_recovery_hash(canon, key, hash);
		buf_printf(&hashes, "%s%s", i ? "," : "", hash);
		json_array_append_new(codes, json_string(code));
	}
	json_object_set_new(http_model(r), "recovery_codes", codes);
	ret = arena_strdup(r->c.arena, hashes.data);
	buf_free(&hashes);
	return ret;
}

static enum herr
twofactor_confirm(struct req *r)
{
	struct twofactor_state st;
	const char *code, *key, *hashes;
	PGresult *res;
	int64_t step, uid;

	if (auth_require(r, ROLE_MEMBER) != 0 || in_string(r, "code", 1, 64, IN_REQUIRED | IN_TRIM, &code) < 0)
		return r->c.err;
	uid = auth_viewer(r)->id;
	key = twofactor_rate_key(r, uid);
	if (auth_rate_check(r, key, auth_config()->signin_fail_account, auth_config()->signin_window_s) != 0 ||
	    twofactor_load(r, uid, &st) != 0)
		return r->c.err;
	if (!st.exists || st.enabled)
		return http_fail(r, HERR_CONFLICT, NULL,
				 st.enabled ? "Two-factor sign-in is already on."
					    : "Start setting up two-factor sign-in first.");
	step = totp_match(st.secret, sizeof st.secret, time(NULL), TWOFACTOR_WINDOW, st.last_step, code);
	sodium_memzero(st.secret, sizeof st.secret);
	if (step < 0) {
		auth_rate_count(r, key, auth_config()->signin_window_s);
		return http_fail(r, HERR_INVALID, "code",
				 "That code is not right. Check your app's clock and enter the code it shows now.");
	}
	hashes = twofactor_new_codes(r, st.recovery_key);
	if ((res = db_q(&r->c, STMT_TOTP_CONFIRM, db_int(&r->c, uid), db_int(&r->c, step), hashes)) == NULL)
		return r->c.err;
	if (db_i64(res, 0, 0) != 1)
		return http_fail(r, HERR_CONFLICT, NULL, "Two-factor sign-in changed meanwhile; look again.");
	auth_rate_clear(r, key);
	r->view = "twofactor_codes";
	st.enabled = true;
	st.codes_left = TOTP_RECOVERY_CODES;
	json_object_set_new(r->model, "two_factor", twofactor_json(r, &st));
	return HERR_OK;
}

static enum herr
twofactor_wrong_code(struct req *r)
{
	return http_fail(r, HERR_INVALID, "code", "That code is not right.");
}

static enum herr
twofactor_regenerate(struct req *r)
{
	struct twofactor_state st;
	const char *code, *hashes;
	PGresult *res;
	int ok;

	if (auth_require(r, ROLE_MEMBER) != 0 || in_string(r, "code", 1, 64, IN_REQUIRED | IN_TRIM, &code) < 0)
		return r->c.err;
	/* A session left open somewhere must not be enough to get codes that outlive it. */
	if ((ok = twofactor_check(r, auth_viewer(r)->id, code, false, "to get new recovery codes")) != 1)
		return ok < 0 ? r->c.err : twofactor_wrong_code(r);
	if (twofactor_load(r, auth_viewer(r)->id, &st) != 0)
		return r->c.err;
	sodium_memzero(st.secret, sizeof st.secret);
	hashes = twofactor_new_codes(r, st.recovery_key);
	if ((res = db_q(&r->c, STMT_TOTP_RECOVERY_REPLACE, db_int(&r->c, auth_viewer(r)->id), hashes)) == NULL)
		return r->c.err;
	if (db_i64(res, 0, 0) != 1)
		return http_fail(r, HERR_CONFLICT, NULL, "Two-factor sign-in is off.");
	r->view = "twofactor_codes";
	return HERR_OK;
}

static enum herr
twofactor_disable(struct req *r)
{
	struct viewer *v = auth_viewer(r);
	const char *password, *code;
	PGresult *res;
	int ok;

	if (auth_require(r, ROLE_MEMBER) != 0 ||
	    in_string(r, "password", 1, 1024, IN_REQUIRED | IN_BYTES, &password) < 0 ||
	    in_string(r, "code", 1, 64, IN_REQUIRED | IN_TRIM, &code) < 0)
		return r->c.err;
	if ((res = db_q(&r->c, STMT_USER_FOR_SIGNIN, v->username)) == NULL)
		return r->c.err;
	if ((ok = auth_password_verify(&r->c, PQntuples(res) ? db_str(res, 0, 1) : NULL, password,
				       strlen(password))) != 1)
		return ok < 0 ? r->c.err : http_fail(r, HERR_FORBIDDEN, "password", "That is not your password.");
	if ((ok = twofactor_check(r, v->id, code, true, "to turn off two-factor sign-in")) != 1)
		return ok < 0 ? r->c.err : twofactor_wrong_code(r);
	if (db_q(&r->c, STMT_TOTP_DISABLE, db_int(&r->c, v->id)) == NULL)
		return r->c.err;
	json_object_set_new(http_model(r), "two_factor",
			    json_pack("{s:b,s:b,s:i}", "enabled", 0, "enrolling", 0, "recovery_codes_left", 0));
	if (r->html)
		r->location = "/settings/2fa";
	return HERR_OK;
}

#define TF_SETTINGS(m, p, h, v) \
	{ m, p, h, .view = v, .title = "Two-factor sign-in", .flags = ROUTE_BEFORE_2FA, .page = twofactor_show }

const struct route twofactor_routes[] = {
	{ "GET", "/settings/2fa", twofactor_show, .view = "twofactor", .title = "Two-factor sign-in",
	  .flags = ROUTE_BEFORE_2FA },
	TF_SETTINGS("POST", "/settings/2fa/setup", twofactor_setup, "twofactor"),
	/* These show the new recovery codes (view twofactor_codes) or, refused, their form again. */
	TF_SETTINGS("POST", "/settings/2fa/confirm", twofactor_confirm, "twofactor"),
	TF_SETTINGS("POST", "/settings/2fa/recovery-codes", twofactor_regenerate, "twofactor"),
	TF_SETTINGS("POST", "/settings/2fa/disable", twofactor_disable, "twofactor"),
	{ "GET", "/login/2fa", twofactor_signin_page, .view = "login_2fa", .title = "Sign in: code",
	  .flags = ROUTE_FORM | ROUTE_BEFORE_2FA },
	{ "POST", "/login/2fa", twofactor_signin, .view = "login_2fa", .title = "Sign in: code",
	  .flags = ROUTE_FORM | ROUTE_BEFORE_2FA, .page = twofactor_signin_page },
	{ "GET", "/api/v1/me/2fa", twofactor_show, .flags = ROUTE_BEFORE_2FA },
	{ "POST", "/api/v1/me/2fa", twofactor_setup, .flags = ROUTE_BEFORE_2FA },
	{ "POST", "/api/v1/me/2fa/confirm", twofactor_confirm, .flags = ROUTE_BEFORE_2FA },
	{ "POST", "/api/v1/me/2fa/recovery-codes", twofactor_regenerate, .flags = ROUTE_BEFORE_2FA },
	{ "POST", "/api/v1/me/2fa/disable", twofactor_disable, .flags = ROUTE_BEFORE_2FA },
	/* As signing in: the pending token in the body is the credential (accounts.c). */
	{ "POST", "/api/v1/session/2fa", twofactor_signin, .flags = ROUTE_NO_CSRF | ROUTE_BEFORE_2FA },
};
const size_t twofactor_routes_n = sizeof twofactor_routes / sizeof twofactor_routes[0];

/* What a start needs of the key (--secret-key-file): a sealed secret in the database and
 * no key, or a key that does not open one, would make those accounts' codes uncheckable,
 * so the server does not start; with a key, the secrets stored without one are sealed. */
int
twofactor_keys_start(void)
{
	struct ctx c = { .arena = arena_new(), .rid = "start" };
	unsigned char secret[TOTP_SECRET_BYTES];
	char hex[2 * (TOTP_SECRET_BYTES + SEAL_OVERHEAD) + 1];
	int64_t after = 0, sealed = 0;
	PGresult *res;
	int rc = -1, n;

	if ((res = db_q0(&c, STMT_TOTP_SEALED_SAMPLE)) == NULL)
		goto out;
	if (PQntuples(res) == 1) {
		int64_t uid = db_i64(res, 0, 0);

		if (!seal_ready()) {
			log_error("two-factor sign-in: %lld accounts' secrets are sealed with a key, and this "
				  "server has none: give it the other instances' --secret-key-file",
				  (long long)db_i64(res, 0, 2));
			goto out;
		}
		if (twofactor_secret_open(uid, db_str(res, 0, 1), secret) != 0) {
			log_error("two-factor sign-in: the key in '%s' does not open the secrets in the database "
				  "(sealed with another key: every instance needs the same --secret-key-file)",
				  seal_key_file());
			goto out;
		}
	}
	if (!seal_ready()) {
		log_warn("two-factor secrets are kept unsealed in the database: give --secret-key-file "
			 "(docs/security.md)");
		rc = 0;
		goto out;
	}
	do {
		if ((res = db_q(&c, STMT_TOTP_PLAIN_BATCH, db_int(&c, after))) == NULL)
			goto out;
		n = PQntuples(res);
		for (int i = 0; i < n; i++) {
			const char *old = db_str(res, i, 1);

			after = db_i64(res, i, 0);
			if (twofactor_secret_open(after, old, secret) != 0)
				goto out;
			twofactor_secret_hex(after, secret, hex);
			if (db_q(&c, STMT_TOTP_SEAL, db_int(&c, after), old, hex) == NULL)
				goto out;
			sealed++;
		}
	} while (n > 0);
	if (sealed > 0)
		log_info("two-factor sign-in: sealed %lld secrets stored without a key with the key in '%s'",
			 (long long)sealed, seal_key_file());
	rc = 0;
out:
	sodium_memzero(secret, sizeof secret);
	sodium_memzero(hex, sizeof hex);
	if (rc != 0 && c.err != HERR_OK)
		log_error("two-factor sign-in: the secrets could not be checked at start (see above)");
	arena_free(c.arena);
	return rc;
}
