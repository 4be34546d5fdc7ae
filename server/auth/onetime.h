/* auth/onetime.h — single-use account tokens: the secret of a mailed link that confirms an
 * address (verify_email, change_email) or sets a new password (reset_password).
 *
 * A token is 256 random bits (43 base64url characters, auth_token_new); the database keeps
 * only its BLAKE2b hash (auth_token_hash), the purpose, the account, the address of the
 * link and an expiry (schema/0018_account_tokens.sql). Using one is a single conditional
 * UPDATE, so it works once, before it expires, for the purposes the caller names, and
 * whoever asks the database with a forged value learns nothing but "no such token". */
#ifndef CORRAL_AUTH_ONETIME_H
#define CORRAL_AUTH_ONETIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ctx.h"

/* ONETIME_WORK_EMAIL confirms the work address of a role verification (forum/verification.c). */
enum onetime_purpose { ONETIME_VERIFY_EMAIL, ONETIME_CHANGE_EMAIL, ONETIME_RESET_PASSWORD, ONETIME_WORK_EMAIL,
		       ONETIME__COUNT };
/* A set of purposes, for the functions that accept several. */
#define ONETIME_BIT(p) (1u << (p))
#define ONETIME_ADDRESS (ONETIME_BIT(ONETIME_VERIFY_EMAIL) | ONETIME_BIT(ONETIME_CHANGE_EMAIL))

/* Why a token was not accepted; ONETIME_OK when it was. */
enum onetime_fault { ONETIME_OK, ONETIME_MALFORMED, ONETIME_UNKNOWN, ONETIME_USED, ONETIME_EXPIRED };

struct onetime {
	int64_t id;
	int64_t user_id;
	enum onetime_purpose purpose;
	const char *email;            /* the address of the link (arena); NULL for a reset */
	const char *username;         /* onetime_peek only */
};

/* "verify_email", "change_email", "reset_password", "verify_work_email": the database's names. */
const char *onetime_purpose_name(enum onetime_purpose p);

/* The purposes of mask as a PostgreSQL text[] literal ("{verify_email,change_email}") in
 * out (size bytes). Pure; 0, or -1 when out is too small or mask names none. */
int onetime_purposes_literal(unsigned mask, char *out, size_t size);

/* What a failed use means to the person holding the link, from what the database knows
 * of it (found at all, already used, past its expiry). Pure. */
enum onetime_fault onetime_judge(bool found, bool used, bool expired);
/* Short machine names for the API ("token_invalid", "token_used", "token_expired") and
 * the sentence for people. */
const char *onetime_fault_reason(enum onetime_fault f);
const char *onetime_fault_message(enum onetime_fault f);

/* A new token of purpose p for user_id, mailed to email (NULL for a reset), valid ttl_s
 * seconds: stored (hash only) on c's connection — inside the caller's transaction when one
 * is open, so the link exists exactly when its mail does. Open tokens of the same purpose
 * for that account are retired first: only the newest link works. 0 with *ret_token (arena,
 * to be mailed and never stored), or -1 with the error recorded. */
int onetime_issue(struct ctx *c, enum onetime_purpose p, int64_t user_id, const char *email, int ttl_s,
		  const char **ret_token);

/* Use token for one of the purposes in mask. ONETIME_OK with *ret filled (username NULL);
 * another fault when it is malformed, unknown, used or expired (nothing recorded: the
 * caller words it for its page). A database failure also returns ONETIME_UNKNOWN, with
 * c->err set: callers look at c->err first. */
enum onetime_fault onetime_consume(struct ctx *c, unsigned mask, const char *token, struct onetime *ret);

/* Look at token without using it (the page a link opens): as onetime_consume, with
 * ret->username set. */
enum onetime_fault onetime_peek(struct ctx *c, unsigned mask, const char *token, struct onetime *ret);

/* Retire every open token of user_id for the purposes in mask. 0 or -1 (recorded). */
int onetime_void(struct ctx *c, int64_t user_id, unsigned mask);

#endif
