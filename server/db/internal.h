/* db/internal.h — shared between the files of db/ only: the statement table, this
 * thread's connection (db/conn.c) and the counters behind db_stats(). */
#ifndef CORRAL_DB_INTERNAL_H
#define CORRAL_DB_INTERNAL_H

#include <stdatomic.h>
#include <stddef.h>
#include <time.h>

#include "db/db.h"

struct db_stmt_def {
	const char *name;
	unsigned flags;
	const char *sql;
};

/* Every statement of statements.def, and its number of parameters (highest $n). */
extern const struct db_stmt_def db_stmts[STMT__COUNT];
extern int db_nparams[STMT__COUNT];

struct db_conn {
	PGconn *pg;
	bool in_tx;
	long long failed_ms;        /* when this thread last failed to connect */
	PGconn *replica;            /* read-only statements of eligible requests */
	long long replica_failed_ms;
};

/* Process-wide counters, read by db_stats(). */
struct db_counters {
	atomic_long connects, connect_failures, lost, queries, errors, replica_queries, replica_fallbacks,
		pipelines, prefetched;
};
extern struct db_counters db_count;

/* This thread's connection state, created on first use. */
struct db_conn *db_conn_get(void);
/* This thread's connection state, or NULL if this thread never touched the database. */
struct db_conn *db_conn_current(void);

/* The primary connection of this thread, connecting if needed; NULL = unavailable (with
 * HERR_UNAVAILABLE recorded in c when c is not NULL). */
PGconn *db_pg(struct ctx *c);
/* This thread's replica connection, or NULL: then reads go to the primary. */
PGconn *db_replica(struct db_conn *dc);
/* The replica failed: drop it and leave it alone for a while. */
void db_replica_drop(struct db_conn *dc);
/* The primary failed beyond use: drop it (the next statement reconnects). */
void db_primary_drop(struct db_conn *dc);

/* The result db_prefetch kept in c for statement id with these parameters, taken (it is
 * the arena's), or NULL: none kept, or id may write, which forgets them all. */
PGresult *db_ahead_take(struct ctx *c, enum stmt_id id, int n, const char *const *params);

/* Milliseconds since t0 (CLOCK_MONOTONIC), for a request's statements_ms. */
double db_ms_since(const struct timespec *t0);

/* The first line of a libpq message, copied into out. */
const char *db_line(const char *msg, char *out, size_t size);

#endif
