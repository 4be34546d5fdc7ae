/* db/prefetch.c — read-only statements a request is about to run, sent together in one
 * round trip (libpq's pipeline mode), their results kept in the request's ctx for
 * db_exec to take. A page's statements each waited for the last: the anonymous thread page
 * ran four, one after the other, each a send, a wait, a wake-up and a read on both sides
 * of the socket (docs/performance.md). */
#include "db/internal.h"

#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/log.h"

#define DB_AHEAD_MAX 8

/* One kept result: the statement and parameters it answers (copied into the arena). */
struct db_ahead_one {
	enum stmt_id id;
	int n;
	const char **params;
	PGresult *res;             /* NULL once taken */
};

struct db_ahead {
	int n;
	struct db_ahead_one one[DB_AHEAD_MAX];
};

static void
db_ahead_clear(void *res)
{
	PQclear(res);
}

/* Are these the parameters of call? NULL matches only NULL. */
static bool
db_ahead_same(const struct db_ahead_one *a, enum stmt_id id, int n, const char *const *params)
{
	if (a->res == NULL || a->id != id || a->n != n)
		return false;
	for (int i = 0; i < n; i++) {
		if ((a->params[i] == NULL) != (params[i] == NULL))
			return false;
		if (params[i] != NULL && strcmp(a->params[i], params[i]) != 0)
			return false;
	}
	return true;
}

PGresult *
db_ahead_take(struct ctx *c, enum stmt_id id, int n, const char *const *params)
{
	struct db_ahead *ah = c->ahead;

	/* A statement that may write makes everything kept stale: a read kept from before
	 * it would not see what the request itself wrote. */
	if (!(db_stmts[id].flags & STMT_RO)) {
		c->ahead = NULL;
		return NULL;
	}
	for (int i = 0; i < ah->n; i++) {
		if (db_ahead_same(&ah->one[i], id, n, params)) {
			PGresult *res = ah->one[i].res;

			ah->one[i].res = NULL;   /* taken once: asked again, it runs again */
			atomic_fetch_add(&db_count.prefetched, 1);
			return res;
		}
	}
	return NULL;
}

struct db_call
db_call_make(struct ctx *c, enum stmt_id id, int n, const char *const *params)
{
	const char **copy = arena_alloc(c->arena, sizeof(char *) * (size_t)(n > 0 ? n : 1));

	if (n > 0)
		memcpy(copy, params, sizeof(char *) * (size_t)n);
	return (struct db_call){ id, n, copy };
}

void
db_prefetch(struct ctx *c, int n, const struct db_call *calls)
{
	struct db_conn *dc = db_conn_get();
	struct db_ahead *ah;
	struct timespec t0;
	bool replica = c->read_replica, lost = false;
	PGconn *pg;
	PGresult *res;
	int sent = 0, i;

	c->ahead = NULL;
	if (n < 2 || n > DB_AHEAD_MAX || dc->in_tx || c->err != HERR_OK)
		return;
	for (i = 0; i < n; i++)
		if (calls[i].id < 0 || calls[i].id >= STMT__COUNT || calls[i].n != db_nparams[calls[i].id] ||
		    !(db_stmts[calls[i].id].flags & STMT_RO))
			return;
	/* On the connection db_exec would read from; nothing recorded in c when it is not
	 * there: the statements then run one by one and meet the failure themselves. */
	pg = replica ? db_replica(dc) : NULL;
	if (pg == NULL && (pg = db_pg(NULL)) == NULL)
		return;
	replica = pg != dc->pg;
	ah = arena_alloc(c->arena, sizeof *ah);
	ah->n = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (PQenterPipelineMode(pg) != 1)
		return;
	for (i = 0; i < n; i++, sent++)
		if (PQsendQueryPrepared(pg, db_stmts[calls[i].id].name, calls[i].n, calls[i].params, NULL,
					NULL, 0) != 1)
			break;
	/* One sync for all: read-only statements, so one implicit transaction changes nothing
	 * (each still takes its own snapshot); a failure aborts those after it, which are
	 * then not kept and run on their own. */
	if (PQpipelineSync(pg) != 1)
		sent = 0, lost = true;
	for (i = 0; i < sent; i++) {
		ExecStatusType st;
		PGresult *more;

		res = PQgetResult(pg);
		st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
		if (res != NULL)   /* each statement's results end with a NULL */
			while ((more = PQgetResult(pg)) != NULL)
				PQclear(more);
		if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
			if (res == NULL || PQstatus(pg) != CONNECTION_OK)
				lost = true;
			/* A statement that failed on the primary on a connection still up (a
			 * timeout, say) would only fail again, later: its failure is kept for
			 * db_exec to report, so the request is not held for a second timeout.
			 * Those aborted after it (no SQLSTATE), and any failure on a replica
			 * (db_exec then reads from the primary), run again on their own. */
			if (lost || replica || st != PGRES_FATAL_ERROR ||
			    PQresultErrorField(res, PG_DIAG_SQLSTATE) == NULL) {
				PQclear(res);
				continue;
			}
		}
		ah->one[ah->n] = (struct db_ahead_one){ .id = calls[i].id, .n = calls[i].n, .res = res,
							.params = arena_alloc(c->arena, sizeof(char *) * (size_t)calls[i].n) };
		for (int p = 0; p < calls[i].n; p++)
			ah->one[ah->n].params[p] = calls[i].params[p] ? arena_strdup(c->arena, calls[i].params[p]) : NULL;
		arena_defer(c->arena, db_ahead_clear, res);
		ah->n++;
	}
	/* Up to and including the sync: the connection leaves pipeline mode as it came. What
	 * is left is the sync's result, after a NULL when a statement was not sent; more is
	 * a broken connection. */
	for (int left = 4; !lost && PQpipelineStatus(pg) != PQ_PIPELINE_OFF; left--) {
		if (left == 0) {
			lost = true;
			break;
		}
		res = PQgetResult(pg);
		if (res == NULL && PQstatus(pg) != CONNECTION_OK)
			lost = true;
		else if (res != NULL && PQresultStatus(res) == PGRES_PIPELINE_SYNC && PQexitPipelineMode(pg) != 1)
			lost = true;
		PQclear(res);
	}
	c->round_trips++;
	c->statements_ms += db_ms_since(&t0);
	atomic_fetch_add(&db_count.pipelines, 1);
	/* Counted as db_exec counts: on the primary every statement sent, on the replica
	 * each one it answered, and each it did not as a fallback (run later on its own). */
	if (replica) {
		atomic_fetch_add(&db_count.replica_queries, ah->n);
		atomic_fetch_add(&db_count.replica_fallbacks, n - ah->n);
	} else {
		atomic_fetch_add(&db_count.queries, sent);
	}
	if (lost) {
		/* What did arrive is good; the connection is not: the next statement reconnects. */
		log_warn("rid=%s db: connection lost during a prefetch", c->rid ? c->rid : "-");
		atomic_fetch_add(&db_count.lost, 1);
		if (replica)
			db_replica_drop(dc);
		else
			db_primary_drop(dc);
	}
	c->ahead = ah;
}
