/* core/ctx.h — the unit of work every layer below http/ sees: an arena, an id for the
 * log, the one error slot of the request path (with its details: SQLSTATE, Retry-After,
 * an extra model), whether reads may go to the replica, and the error table.
 *
 * The function that detects an error records it here once (and logs what operators need);
 * callers only pass the code up; http/ turns it into a status and an error body. */
#ifndef CORRAL_CORE_CTX_H
#define CORRAL_CORE_CTX_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"

enum herr {
	HERR_OK = 0,
	HERR_INVALID,          /* 400 invalid_input */
	HERR_UNAUTHENTICATED,  /* 401 */
	HERR_FORBIDDEN,        /* 403 forbidden */
	HERR_CSRF,             /* 403 csrf */
	HERR_NOT_FOUND,        /* 404 */
	HERR_METHOD,           /* 405 */
	HERR_CONFLICT,         /* 409 */
	HERR_TOO_LARGE,        /* 413 */
	HERR_URI_TOO_LONG,     /* 414 */
	HERR_UNSUPPORTED,      /* 415 unsupported_media_type */
	HERR_LOCKED,           /* 423 */
	HERR_RATE_LIMITED,     /* 429 */
	HERR_HEADERS_TOO_LARGE,/* 431 */
	HERR_INTERNAL,         /* 500: a bug or a broken invariant, never bad input */
	HERR_UNAVAILABLE,      /* 503: database down or restarting */
	HERR__COUNT
};

struct ctx {
	struct arena *arena;
	const char *rid;          /* request id for log lines */
	enum herr err;
	const char *err_field;    /* arena or static string; NULL when not about one field */
	const char *err_msg;      /* short, user-facing */
	int retry_after;          /* seconds, for 429/503; 0 = default */
	char sqlstate[6];         /* of the last failed statement, "" until one fails */
	void *extra;              /* json_t * merged into the error body (409 …); whoever sets
				     it ties its release to the arena (http_defer_json) */
	bool read_replica;        /* read-only statements may run on the replica */
	/* The prepared statements this context ran (primary or replica) and their time:
	 * what one request cost the database, for the Server-Timing header (--server-timing).
	 * The process-wide counters of db_stats also count background work. */
	int statements;
	int round_trips;          /* waits for the database: fewer than statements when some
				     were sent together (db_prefetch) */
	double statements_ms;
	/* Results of db_prefetch the request has not asked for yet (db/prefetch.c); NULL
	 * when there are none. */
	struct db_ahead *ahead;
};

/* Record an error (first one wins) and return its code, for `return ctx_fail(...)`. */
enum herr ctx_fail(struct ctx *c, enum herr err, const char *field, const char *msg);

/* HTTP status and the SPEC §7 code string of an error. */
int herr_status(enum herr err);
const char *herr_code(enum herr err);
/* A default message for an error without one. */
const char *herr_default_message(enum herr err);

#endif
