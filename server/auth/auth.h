/* auth/auth.h — who is asking, and what they may do: the viewer of a request, the
 * permission checks every handler uses, passwords, session and API tokens, CSRF and
 * rate limits. */
#ifndef CORRAL_AUTH_AUTH_H
#define CORRAL_AUTH_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/http.h"

enum auth_role { ROLE_MEMBER = 0, ROLE_MODERATOR = 1, ROLE_ADMIN = 2 };

struct viewer {
	int64_t id;
	const char *username;
	const char *display_name;
	enum auth_role role;
	const char *role_name;          /* "member", "moderator", "admin" */
	const char *community_role;     /* slug */
	const char *community_label;
	const char *community_kind;     /* "doer" / "helper" */
	bool role_verified;
	bool suspended;
	int approved_posts;
	int unread;                     /* unread notifications */
	const char *csrf;               /* the session's CSRF token; NULL for API tokens */
	bool via_token;                 /* authenticated by Authorization: Bearer */
	bool email_verified;            /* the account's address is confirmed (schema/0018) */
};

struct auth_config {
	bool secure_cookies;            /* base URL is https: Secure + __Host- prefix */
	const char *origin;             /* "http://127.0.0.1:8080": the forum's own origin */
	int session_idle_s;             /* a session unused this long expires */
	int session_max_s;              /* absolute lifetime */
	int reader_keep_s;              /* a kept session or page state is used this long at most;
					 * 0: none is kept (auth/viewer_cache.h) */
	int hash_concurrency;           /* argon2id hashes in flight at most */
	int hash_memory_mib;            /* memory of one argon2id hash; 0: libsodium's interactive 64 */
	int signin_fail_account;        /* failed sign-ins per account per window */
	int signin_fail_ip;             /* failed sign-ins per address per window */
	int signin_window_s;
	int register_per_ip;            /* registrations per address per window */
	int register_window_s;
	bool require_2fa_staff;         /* moderators and admins must enrol in 2FA (forum/twofactor*.c) */
	const char *secret_key_file;    /* the key sealing 2FA secrets (auth/seal.h), or NULL */
	/* accounts by mail (forum/account_mail.c, forum/password_reset.c) */
	bool require_verified_email;    /* posting waits for a confirmed address */
	int reset_per_ip;               /* forgot-password requests per address per window */
	int mail_per_account;           /* mails about one account's credentials, per purpose */
	int account_mail_window_s;
};

/* The options setting auth_config (auth/options.c); secure_cookies and origin follow
 * from --base-url. */
extern const struct opt_table auth_opts;

/* Once at start-up, before threads. Returns 0 or -1. */
int auth_init(const struct auth_config *cfg);
const struct auth_config *auth_config(void);

/* The viewer of r, or NULL. */
static inline struct viewer *
auth_viewer(struct req *r)
{
	return (struct viewer *)r->viewer;
}

/* Make member uid the viewer of r, as a session would (for work done on a member's
 * behalf outside HTTP: reply by email). 1, 0 when there is no such live account (the
 * viewer untouched), -1 with the database error recorded. */
int auth_viewer_load(struct req *r, int64_t uid);

/* Permission checks: return 0, or -1 with 401 (nobody signed in) or 403 recorded. */
int auth_require(struct req *r, enum auth_role at_least);
/* Signed in and not suspended (posting, voting, flagging). */
int auth_require_active(struct req *r);

/* The role names in enum order, NULL-terminated (for in_enum): the database and API values. */
extern const char *const auth_role_names[];
/* Role name ↔ enum; -1 when unknown. */
int auth_role_parse(const char *name);
const char *auth_role_name(enum auth_role role);

/* The request hook: resolve the viewer from a Bearer token or the session cookie, then
 * for unsafe methods check Origin and the CSRF token. */
enum herr auth_prepare(struct req *r);

/* The CSRF token a form on this page must carry: the session's, or for anonymous
 * visitors a token in a cookie set now when missing (double-submit). */
const char *auth_form_csrf(struct req *r);

/* --- passwords (auth/password.c) --- */
#define AUTH_HASH_BYTES 128   /* >= crypto_pwhash_STRBYTES */
/* argon2id, 2 passes over memory_mib of auth_password_init. 0, or -1 (out of memory/too busy: 503 recorded). */
int auth_password_hash(struct ctx *c, const char *pw, size_t len, char out[AUTH_HASH_BYTES]);
/* 1 when pw matches hash, 0 when not, -1 on overload (503 recorded). hash NULL: verify
 * against a dummy so an unknown user costs the same time as a wrong password. */
int auth_password_verify(struct ctx *c, const char *hash, const char *pw, size_t len);
bool auth_password_needs_rehash(const char *hash);
/* The rule every new password meets, at registration and at a change (SPEC §8): 10–1024
 * bytes of UTF-8 without NUL. 0, or -1 with 400 recorded on field. */
#define AUTH_PASSWORD_MIN 10
#define AUTH_PASSWORD_MAX 1024
int auth_password_acceptable(struct ctx *c, const char *field, const char *pw, size_t len);
int auth_password_init(int concurrency, int memory_mib);

/* --- tokens (auth/session.c) --- */
/* A new random token (256 bits, base64url, arena) and its hash as a bytea literal
 * ("\\x…") for SQL parameters. */
void auth_token_new(struct ctx *c, const char *prefix, const char **ret_token, const char **ret_hash);
/* The bytea hash literal of a token, or NULL when it is malformed. */
const char *auth_token_hash(struct ctx *c, const char *token);

/* Start a session for user id: stores it, sets the cookie on r, and returns its CSRF
 * token; an old session cookie on the request is ended. NULL on failure (recorded). */
const char *auth_session_start(struct req *r, int64_t user_id);
/* End the request's session (if any) and clear the cookie. */
int auth_session_end(struct req *r);
/* The hash (bytea literal) of the session this request was signed in with, to tell "this
 * device" among a member's sessions; NULL when anonymous or signed in by API token. */
const char *auth_session_current(struct req *r);

/* --- rate limits (auth/ratelimit.c), counted in PostgreSQL so instances share them --- */
/* Is key at or over limit in its window? 0 = fine, -1 = 429 recorded (Retry-After set). */
int auth_rate_check(struct req *r, const char *key, int limit, int window_s);
/* Count one event against key (and check): -1 = 429 recorded when the count now exceeds. */
int auth_rate_hit(struct req *r, const char *key, int limit, int window_s);
/* Count one event against key without judging it: the limit applies to the next attempt
 * (auth_rate_check). Best effort: records no error, a failure is only logged. */
void auth_rate_count(struct req *r, const char *key, int window_s);
/* Forget key (after a successful sign-in). */
void auth_rate_clear(struct req *r, const char *key);

#endif
