/* db/db.h — PostgreSQL access for the request path: one connection per thread, every
 * statement named and prepared on it from one table (db/statements.def), results tied
 * to the request's arena, failures mapped once to the request error.
 *
 * Implemented in three files: db/conn.c (configuration, the per-thread connection and
 * replica, prepare at connect, reconnect, statement table, counters), db/exec.c
 * (db_exec, transactions, SQLSTATE -> error) and db/rowjson.c (result values, rows as
 * JSON). Never includes MHD: handlers pass their struct ctx. */
#ifndef CORRAL_DB_DB_H
#define CORRAL_DB_DB_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/ctx.h"

/* Statement flags. */
#define STMT_RW 0u
#define STMT_RO 1u   /* read-only: may be retried once after a lost connection */

enum stmt_id {
#define STMT(id, flags, sql) STMT_##id,
#include "db/statements.def"
#undef STMT
	STMT__COUNT
};

struct db_config {
	const char *url;              /* libpq connection string or URL */
	const char *replica_url;      /* a streaming replica for reads, or NULL */
	int statement_timeout_ms;
	const char *application_name;
};

/* Remember how to connect. Call once before any thread uses the database. */
void db_configure(const struct db_config *cfg);

/* Connect this thread now and prepare every statement. Returns 0, or -1 with the
 * reason logged. `corral serve` calls it at start so a broken statement fails fast. */
int db_connect_now(void);

/* Close this thread's connection (also done automatically when a thread exits). */
void db_disconnect(void);

/* Execute prepared statement id with n text parameters. A read-only statement of a
 * request whose ctx has read_replica set runs on the replica when one is configured and
 * up (falling back to the primary).  (NULL = SQL NULL). Returns the
 * result (freed with the arena) or NULL with c->err set: HERR_UNAVAILABLE on a lost or
 * absent connection (also on statement timeout), HERR_CONFLICT on a unique violation,
 * HERR_INVALID on a data exception, HERR_INTERNAL otherwise. c->sqlstate says which. */
PGresult *db_exec(struct ctx *c, enum stmt_id id, int n, const char *const *params);

/* A failure the caller expects from a statement (a constraint doing its job): when the
 * statement fails with sqlstate — five characters, or two for a whole class such as "22"
 * — the error recorded is err with field and msg (strings that outlive the request's
 * use of c), and it is logged at debug level only, never as a failure. */
struct db_expect {
	const char *sqlstate;
	enum herr err;
	const char *field;
	const char *msg;
};
/* A list of expectations for db_exec_expect, terminated for you:
 *   DB_EXPECT({ "23505", HERR_CONFLICT, "slug", "That slug is taken." }, { "23503", ... }) */
#define DB_EXPECT(...) ((const struct db_expect[]){ __VA_ARGS__, { NULL, HERR_OK, NULL, NULL } })

/* db_exec, with expect (a DB_EXPECT list, or NULL for none) deciding what the failures it
 * names become; the first entry that matches wins. Other failures map as in db_exec. */
PGresult *db_exec_expect(struct ctx *c, enum stmt_id id, int n, const char *const *params,
			 const struct db_expect *expect);

#define DB_NARGS(...) ((int)(sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *)))
#define db_q(c, id, ...) db_exec((c), (id), DB_NARGS(__VA_ARGS__), (const char *const[]){ __VA_ARGS__ })
#define db_q0(c, id) db_exec((c), (id), 0, NULL)
/* db_q with expectations: db_qx(c, STMT_X, DB_EXPECT({ ... }), params...). */
#define db_qx(c, id, expect, ...) \
	db_exec_expect((c), (id), DB_NARGS(__VA_ARGS__), (const char *const[]){ __VA_ARGS__ }, (expect))

/* A statement a request is about to run, for db_prefetch; params as for db_exec. */
struct db_call {
	enum stmt_id id;
	int n;
	const char *const *params;
};
#define DB_CALL(id_, ...) \
	((struct db_call){ (id_), DB_NARGS(__VA_ARGS__), (const char *const[]){ __VA_ARGS__ } })

/* A call that outlives the caller's block: its parameter array (not the strings, which
 * must already live as long) copied into c's arena. For a function that makes the call
 * one place for both db_prefetch and db_exec_call. */
struct db_call db_call_make(struct ctx *c, enum stmt_id id, int n, const char *const *params);
#define DB_CALL_MAKE(c, id, ...) db_call_make((c), (id), DB_NARGS(__VA_ARGS__), (const char *const[]){ __VA_ARGS__ })
#define db_exec_call(c, call) db_exec((c), (call).id, (call).n, (call).params)

/* Send read-only statements the request is about to run in one round trip (pipeline mode),
 * keeping their results in c: a db_exec of one of them with the same parameters then takes
 * its result instead of asking the database. Only a saving, never a change of behaviour: a
 * statement that failed on the primary (a timeout, say) keeps its failure, which db_exec
 * reports as if it had run it then; one aborted after it, one that failed on a replica, or
 * one that lost the connection is not kept (run on its own later, it meets its failure
 * there, or the primary's answer); a result never asked for is dropped with the arena; each
 * is taken once; a statement that may write, or a transaction, forgets them all (the
 * request reads what it wrote); a new prefetch forgets the last one's. Does nothing for
 * fewer than 2 or more than 8 statements, inside a transaction, or if one of them may
 * write. */
void db_prefetch(struct ctx *c, int n, const struct db_call *calls);

/* The one way to write several statements atomically: run fn in a transaction on this
 * thread's connection. fn returns HERR_OK to commit, anything else (with c->err recorded)
 * to roll back. A serialization failure or deadlock (SQLSTATE 40001/40P01), in fn or at
 * commit, rolls back, forgets the error and runs fn again, up to 3 times in all; after
 * that the result is HERR_CONFLICT. So fn must be safe to run again: it starts by
 * resetting every output it writes into arg. Returns HERR_OK, or the error recorded in c
 * (what fn returned if it recorded none). */
enum herr db_transaction(struct ctx *c, enum herr (*fn)(struct ctx *c, void *arg), void *arg);

/* Is this thread's connection inside a transaction? */
bool db_in_transaction(void);

/* Called when a request ends: a transaction left open (a bug) is rolled back and logged. */
void db_request_end(void);

/* Is the database reachable and is the schema the one this binary knows? For /readyz. */
bool db_ready(struct ctx *c);

/* Values of a result. db_str returns NULL for SQL NULL; pointers live as long as res. */
const char *db_str(const PGresult *res, int row, int col);
int64_t db_i64(const PGresult *res, int row, int col);
bool db_bool(const PGresult *res, int row, int col);
/* Column by name, or -1. */
int db_col(const PGresult *res, const char *name);

/* A row as a JSON object keyed by column names. Types follow the column type: integers,
 * booleans, floats and numerics as JSON numbers, json/jsonb parsed into values,
 * timestamptz as RFC 3339 UTC ("2026-11-28T18:22:09Z"), NULL as null, the rest strings. */
json_t *db_row_json(const PGresult *res, int row);
/* All rows as an array of such objects. */
json_t *db_rows_json(const PGresult *res);
/* db_rows_json, but a JSON column's value that repeats in the result (a thread page's
 * authors) is one object referenced by every row that has it, not a copy each, and kept
 * for later requests by its text (core/kept.h): the caller must not change such values (the
 * rows' own members it may), and, in a request, must never release the rows value by
 * value (their references are the arena's). Only the first max_rows rows (-1: all) are
 * made: a page's look-ahead row is read from res, never removed from the array. The
 * columns named in omit (NULL-terminated; NULL: none) are left out: read from res, never
 * shown (a post's path). The columns named in when_set (likewise) are left out of a row
 * where they are NULL or false: for a template, to which a missing name is false, when no
 * frame below the rows has a member of that name. */
json_t *db_rows_json_shared(const PGresult *res, int max_rows, const char *const *omit,
			    const char *const *when_set);
/* One cell as db_row_json makes it. A JSON cell's value is shared, with other cells of
 * the same text and with later requests on this thread (kept by its text, core/kept.h):
 * the caller must never change it. For a view that reads a few of a wide result's columns
 * (a thread list's rows, forum/thread_list.h). */
json_t *db_cell_json(const PGresult *res, int row, int col);

/* Format an integer parameter in the arena. */
const char *db_int(struct ctx *c, int64_t v);

/* Statement introspection (tests, benchmarks). */
const char *db_stmt_name(enum stmt_id id);
const char *db_stmt_sql(enum stmt_id id);
int db_stmt_nparams(enum stmt_id id);

/* Connection counters for /metrics. */
struct db_stats {
	long connects, connect_failures, lost, queries, errors, replica_queries, replica_fallbacks,
		pipelines, prefetched;
};

/* Is a replica configured? (Requests may then set ctx.read_replica.) */
bool db_has_replica(void);
void db_stats(struct db_stats *ret);

#endif
