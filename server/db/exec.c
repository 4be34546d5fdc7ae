/* db/exec.c — running statements: db_exec on the replica or the primary, transactions
 * and the retrying runner, and the one mapping of a failed statement (SQLSTATE) to the
 * request error. */
#include "db/internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/log.h"
#include "db/migrate.h"

/* Did this failure lose the connection (closed, reset, or the server shutting down)?
 * libpq does not always mark the connection bad before the next use: a backend killed by
 * an immediate shutdown leaves a result without SQLSTATE on a connection still "OK". */
static bool
db_lost(PGconn *pg, const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	return PQstatus(pg) != CONNECTION_OK || state == NULL || strncmp(state, "08", 2) == 0 ||
	       strcmp(state, "57P01") == 0 || strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0;
}

/* The first expectation naming state (in full or by its class), or NULL. */
static const struct db_expect *
db_expected(const struct db_expect *expect, const char *state)
{
	for (; expect && expect->sqlstate; expect++)
		if (strncmp(state, expect->sqlstate, strlen(expect->sqlstate)) == 0)
			return expect;
	return NULL;
}

/* Map a failed result to the request error; logs what operators need. A failure the
 * caller expects becomes the error it named, logged at debug level only. */
static void
db_fail(struct ctx *c, enum stmt_id id, PGconn *pg, PGresult *res, const struct db_expect *expect)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const struct db_expect *e;
	char msg[512];
	enum herr err;

	db_line(res ? PQresultErrorMessage(res) : PQerrorMessage(pg), msg, sizeof msg);

	atomic_fetch_add(&db_count.errors, 1);
	snprintf(c->sqlstate, sizeof c->sqlstate, "%s", state ? state : "");
	if (db_lost(pg, res)) {
		atomic_fetch_add(&db_count.lost, 1);
		log_warn("rid=%s db: connection lost during %s: %s", c->rid ? c->rid : "-",
			 db_stmt_name(id), msg);
		c->retry_after = 1;
		ctx_fail(c, HERR_UNAVAILABLE, NULL, "The database is not reachable right now; try again in a moment.");
		return;
	}
	if ((e = db_expected(expect, state)) != NULL) {
		log_debug("rid=%s db: %s refused [%s], as expected: %s", c->rid ? c->rid : "-",
			  db_stmt_name(id), state, msg);
		ctx_fail(c, e->err, e->field, e->msg);
		return;
	}
	if (strcmp(state, "23505") == 0 || strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
		err = HERR_CONFLICT;
	else if (strcmp(state, "57014") == 0)
		err = HERR_UNAVAILABLE;
	else if (strncmp(state, "22", 2) == 0 || strcmp(state, "23514") == 0 ||
		 strcmp(state, "23503") == 0 || strcmp(state, "23502") == 0)
		err = HERR_INVALID;
	else
		err = HERR_INTERNAL;
	if (err == HERR_INTERNAL || err == HERR_UNAVAILABLE)
		log_error("rid=%s db: %s failed [%s]: %s", c->rid ? c->rid : "-", db_stmt_name(id),
			  state, msg);
	else
		log_debug("rid=%s db: %s refused [%s]: %s", c->rid ? c->rid : "-", db_stmt_name(id),
			  state, msg);
	if (err == HERR_UNAVAILABLE)
		c->retry_after = 1;
	ctx_fail(c, err, NULL, NULL);
}

static void
db_clear(void *res)
{
	PQclear(res);
}

PGresult *
db_exec(struct ctx *c, enum stmt_id id, int n, const char *const *params)
{
	return db_exec_expect(c, id, n, params, NULL);
}

double
db_ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* One prepared statement, counted and timed in c (the request's Server-Timing). */
static PGresult *
db_exec_timed(struct ctx *c, PGconn *pg, enum stmt_id id, int n, const char *const *params)
{
	struct timespec t0;
	PGresult *res;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	res = PQexecPrepared(pg, db_stmts[id].name, n, params, NULL, NULL, 0);
	c->statements++;
	c->round_trips++;
	c->statements_ms += db_ms_since(&t0);
	return res;
}

PGresult *
db_exec_expect(struct ctx *c, enum stmt_id id, int n, const char *const *params,
	       const struct db_expect *expect)
{
	struct db_conn *dc;
	PGconn *pg;
	PGresult *res;
	ExecStatusType st;
	int attempt;

	if (id < 0 || id >= STMT__COUNT || n != db_nparams[id]) {
		log_error("rid=%s db: %s called with %d parameters, needs %d", c->rid ? c->rid : "-",
			  db_stmt_name(id), n, id < STMT__COUNT ? db_nparams[id] : -1);
		ctx_fail(c, HERR_INTERNAL, NULL, NULL);
		return NULL;
	}
	if (c->ahead != NULL && (res = db_ahead_take(c, id, n, params)) != NULL) {
		c->statements++;
		st = PQresultStatus(res);
		if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
			return res;
		/* Its failure, kept by db_prefetch (the arena clears the result). */
		db_fail(c, id, db_conn_get()->pg, res, expect);
		return NULL;
	}
	/* A read for a request that may see a replica's slightly older state: try the
	 * replica, and on any failure there (down, or a query cancelled by recovery) read
	 * from the primary instead. */
	dc = db_conn_get();
	if (c->read_replica && (db_stmts[id].flags & STMT_RO) && !dc->in_tx &&
	    (pg = db_replica(dc)) != NULL) {
		res = db_exec_timed(c, pg, id, n, params);
		st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
		if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
			atomic_fetch_add(&db_count.replica_queries, 1);
			arena_defer(c->arena, db_clear, res);
			return res;
		}
		atomic_fetch_add(&db_count.replica_fallbacks, 1);
		if (db_lost(pg, res))
			db_replica_drop(dc);
		PQclear(res);
	}
	for (attempt = 0; attempt < 2; attempt++) {
		if ((pg = db_pg(c)) == NULL)
			return NULL;
		atomic_fetch_add(&db_count.queries, 1);
		res = db_exec_timed(c, pg, id, n, params);
		st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
		if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
			arena_defer(c->arena, db_clear, res);
			return res;
		}
		/* A read outside a transaction on a connection that died since the last
		 * request (PostgreSQL restarted) is safe to run once more on a new one. */
		if (attempt == 0 && !dc->in_tx && (db_stmts[id].flags & STMT_RO) && db_lost(pg, res)) {
			PQclear(res);
			db_primary_drop(dc);
			continue;
		}
		db_fail(c, id, pg, res, expect);
		if (db_lost(pg, res))
			db_primary_drop(dc);
		PQclear(res);
		return NULL;
	}
	return NULL;
}

static int
db_simple(struct ctx *c, const char *sql)
{
	PGconn *pg = db_pg(c);
	PGresult *res;
	int rc = 0;

	if (pg == NULL)
		return -1;
	res = PQexec(pg, sql);
	if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) {
		if (c)
			db_fail(c, STMT__COUNT, pg, res, NULL);
		rc = -1;
		if (db_lost(pg, res))
			db_primary_drop(db_conn_get());
	}
	PQclear(res);
	return rc;
}

/* Transactions are opened only by db_transaction, so every one retries the same way. */
static int
db_begin(struct ctx *c)
{
	if (db_simple(c, "BEGIN") != 0)
		return -1;
	db_conn_get()->in_tx = true;
	return 0;
}

static int
db_commit(struct ctx *c)
{
	int rc = db_simple(c, "COMMIT");
	struct db_conn *dc = db_conn_current();

	if (dc)
		dc->in_tx = false;
	return rc;
}

static void
db_rollback(struct ctx *c)
{
	struct db_conn *dc = db_conn_current();

	(void)c;
	if (dc && dc->pg && PQtransactionStatus(dc->pg) != PQTRANS_IDLE) {
		PGresult *res = PQexec(dc->pg, "ROLLBACK");

		PQclear(res);
	}
	if (dc)
		dc->in_tx = false;
}

bool
db_in_transaction(void)
{
	struct db_conn *dc = db_conn_current();

	return dc && dc->pg && PQtransactionStatus(dc->pg) != PQTRANS_IDLE;
}

enum herr
db_transaction(struct ctx *c, enum herr (*fn)(struct ctx *c, void *arg), void *arg)
{
	struct db_conn *dc = db_conn_current();
	enum herr err = HERR_INTERNAL;

	/* A BEGIN inside a transaction is only a warning to PostgreSQL, and the inner COMMIT
	 * would commit the outer work early: a bug, refused before it can do that. */
	if (dc && dc->in_tx) {
		log_error("rid=%s db: a transaction was started inside another", c->rid ? c->rid : "-");
		return ctx_fail(c, HERR_INTERNAL, NULL, NULL);
	}
	c->ahead = NULL;   /* reads kept from before it would not see its writes */
	for (int attempt = 0; attempt < 3; attempt++) {
		if (db_begin(c) != 0)
			return c->err;
		err = fn(c, arg);
		if (err == HERR_OK && db_commit(c) == 0)
			return HERR_OK;
		db_rollback(c);
		if (strcmp(c->sqlstate, "40001") != 0 && strcmp(c->sqlstate, "40P01") != 0)
			return c->err != HERR_OK ? c->err : err;
		/* Serialization failure or deadlock: forget the error and run it again. */
		c->err = HERR_OK;
		c->err_field = c->err_msg = NULL;
		c->sqlstate[0] = '\0';
	}
	return ctx_fail(c, HERR_CONFLICT, NULL, "The change collided with another one; try again.");
}

void
db_request_end(void)
{
	if (db_in_transaction()) {
		log_error("db: a request ended inside a transaction; rolled back");
		db_rollback(NULL);
	}
}

bool
db_ready(struct ctx *c)
{
	PGresult *res = db_q0(c, STMT_SCHEMA_VERSION);

	return res != NULL && PQntuples(res) == 1 && db_i64(res, 0, 0) == migrate_latest();
}

const char *
db_int(struct ctx *c, int64_t v)
{
	char tmp[24];
	size_t n = buf_i64_text(tmp, (long long)v);
	char *s = arena_alloc(c->arena, n + 1);

	/* Not arena_printf: a page formats a dozen parameters, and vsnprintf cost each about
	 * a thousand instructions (callgrind). */
	memcpy(s, tmp, n);
	s[n] = '\0';
	return s;
}
