/* auth/ratelimit.c — fixed-window counters in PostgreSQL, so every instance on the same
 * database sees the same counts. */
#include "auth/auth.h"

#include <stdio.h>

#include "db/db.h"

static int
auth_rate_over(struct req *r, PGresult *res, int limit)
{
	if (PQntuples(res) == 1 && db_i64(res, 0, 0) > limit) {
		r->c.retry_after = (int)db_i64(res, 0, 1);
		http_fail(r, HERR_RATE_LIMITED, NULL, "Too many attempts; try again later.");
		return -1;
	}
	return 0;
}

int
auth_rate_check(struct req *r, const char *key, int limit, int window_s)
{
	PGresult *res = db_q(&r->c, STMT_RATE_GET, key, db_int(&r->c, window_s));

	if (res == NULL)
		return -1;
	/* "At or over": the next attempt would be one too many. */
	return auth_rate_over(r, res, limit - 1);
}

int
auth_rate_hit(struct req *r, const char *key, int limit, int window_s)
{
	PGresult *res = db_q(&r->c, STMT_RATE_HIT, key, db_int(&r->c, window_s));

	if (res == NULL)
		return -1;
	return auth_rate_over(r, res, limit);
}

void
auth_rate_count(struct req *r, const char *key, int window_s)
{
	struct ctx quiet = { .arena = r->c.arena, .rid = r->c.rid };

	db_q(&quiet, STMT_RATE_HIT, key, db_int(&r->c, window_s));
}

void
auth_rate_clear(struct req *r, const char *key)
{
	struct ctx quiet = { .arena = r->c.arena, .rid = r->c.rid };

	/* Best effort: a failure here must not turn a good sign-in into an error. */
	db_q(&quiet, STMT_RATE_CLEAR, key);
}
