/* auth/onetime.c — single-use account tokens: issued with their mail, used once by one
 * conditional UPDATE, looked at without being used, retired when a newer one or a
 * changed credential makes them worthless. */
#include "auth/onetime.h"

#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "db/db.h"

static const char *const onetime_names[ONETIME__COUNT] = { "verify_email", "change_email", "reset_password",
								    "verify_work_email" };

const char *
onetime_purpose_name(enum onetime_purpose p)
{
	return (unsigned)p < ONETIME__COUNT ? onetime_names[p] : "reset_password";
}

int
onetime_purposes_literal(unsigned mask, char *out, size_t size)
{
	size_t len = 0;
	int n;

	if (size < 3)
		return -1;
	out[len++] = '{';
	for (int p = 0; p < ONETIME__COUNT; p++) {
		if (!(mask & ONETIME_BIT(p)))
			continue;
		n = snprintf(out + len, size - len, "%s%s", len > 1 ? "," : "", onetime_names[p]);
		if (n < 0 || (size_t)n >= size - len)
			return -1;
		len += (size_t)n;
	}
	if (len == 1 || len + 2 > size)
		return -1;
	out[len++] = '}';
	out[len] = '\0';
	return 0;
}

enum onetime_fault
onetime_judge(bool found, bool used, bool expired)
{
	if (!found)
		return ONETIME_UNKNOWN;
	/* A used link says so even once it has expired too: the holder then knows it worked. */
	if (used)
		return ONETIME_USED;
	return expired ? ONETIME_EXPIRED : ONETIME_OK;
}

const char *
onetime_fault_reason(enum onetime_fault f)
{
	switch (f) {
	case ONETIME_OK:
		return "ok";
	case ONETIME_USED:
		return "token_used";
	case ONETIME_EXPIRED:
		return "token_expired";
	case ONETIME_MALFORMED:
	case ONETIME_UNKNOWN:
		break;
	}
	return "token_invalid";
}

const char *
onetime_fault_message(enum onetime_fault f)
{
	switch (f) {
	case ONETIME_OK:
		return "The link is valid.";
	case ONETIME_USED:
		return "This link has already been used, or a newer one replaced it: each link works once.";
	case ONETIME_EXPIRED:
		return "This link has expired.";
	case ONETIME_MALFORMED:
	case ONETIME_UNKNOWN:
		break;
	}
	return "This link is not valid: it may be incomplete, or a newer one replaced it.";
}

/* The hash and the purposes of a lookup, or a fault before the database is asked. */
static enum onetime_fault
onetime_prepare(struct ctx *c, unsigned mask, const char *token, const char **ret_hash, char *purposes,
		size_t size)
{
	if (token == NULL || (*ret_hash = auth_token_hash(c, token)) == NULL)
		return ONETIME_MALFORMED;
	if (onetime_purposes_literal(mask, purposes, size) != 0)
		return ONETIME_MALFORMED;
	return ONETIME_OK;
}

static void
onetime_from_row(const PGresult *res, struct onetime *ret)
{
	const char *purpose = db_str(res, 0, db_col(res, "purpose"));

	memset(ret, 0, sizeof *ret);
	ret->id = db_i64(res, 0, db_col(res, "id"));
	ret->user_id = db_i64(res, 0, db_col(res, "user_id"));
	ret->email = db_str(res, 0, db_col(res, "email"));
	for (int p = 0; p < ONETIME__COUNT; p++)
		if (purpose && strcmp(purpose, onetime_names[p]) == 0)
			ret->purpose = (enum onetime_purpose)p;
}

int
onetime_issue(struct ctx *c, enum onetime_purpose p, int64_t user_id, const char *email, int ttl_s,
	      const char **ret_token)
{
	const char *tok, *hash;

	if (onetime_void(c, user_id, ONETIME_BIT(p)) != 0)
		return -1;
	auth_token_new(c, NULL, &tok, &hash);
	if (db_q(c, STMT_ONETIME_CREATE, onetime_purpose_name(p), db_int(c, user_id), hash,
		 p == ONETIME_RESET_PASSWORD ? NULL : email, db_int(c, ttl_s)) == NULL)
		return -1;
	*ret_token = tok;
	return 0;
}

enum onetime_fault
onetime_peek(struct ctx *c, unsigned mask, const char *token, struct onetime *ret)
{
	char purposes[64];
	const char *hash = NULL;
	enum onetime_fault f = onetime_prepare(c, mask, token, &hash, purposes, sizeof purposes);
	PGresult *res;

	if (f != ONETIME_OK)
		return f;
	if ((res = db_q(c, STMT_ONETIME_PEEK, hash, purposes)) == NULL)
		return ONETIME_UNKNOWN;
	if (PQntuples(res) == 0)
		return ONETIME_UNKNOWN;
	onetime_from_row(res, ret);
	ret->username = db_str(res, 0, db_col(res, "username"));
	return onetime_judge(true, db_bool(res, 0, db_col(res, "used")), db_bool(res, 0, db_col(res, "expired")));
}

enum onetime_fault
onetime_consume(struct ctx *c, unsigned mask, const char *token, struct onetime *ret)
{
	char purposes[64];
	const char *hash = NULL;
	enum onetime_fault f = onetime_prepare(c, mask, token, &hash, purposes, sizeof purposes);
	PGresult *res;
	struct onetime seen;

	if (f != ONETIME_OK)
		return f;
	if ((res = db_q(c, STMT_ONETIME_CONSUME, hash, purposes)) == NULL)
		return ONETIME_UNKNOWN;
	if (PQntuples(res) == 1) {
		onetime_from_row(res, ret);
		return ONETIME_OK;
	}
	/* Nothing used: say why, as far as the holder of a real link should know. */
	f = onetime_peek(c, mask, token, &seen);
	return f == ONETIME_OK ? ONETIME_USED : f;   /* used in between by someone else */
}

int
onetime_void(struct ctx *c, int64_t user_id, unsigned mask)
{
	char purposes[64];

	if (onetime_purposes_literal(mask, purposes, sizeof purposes) != 0)
		return 0;
	return db_q(c, STMT_ONETIME_VOID, db_int(c, user_id), purposes) == NULL ? -1 : 0;
}
