/* db/conn.c — the statement table and each thread's connections: the primary and the
 * replica, opened lazily with every statement prepared at connect, reconnected after a
 * loss with a back-off, and the counters behind db_stats(). */
#include "db/internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/worker.h"

const struct db_stmt_def db_stmts[STMT__COUNT] = {
#define STMT(id, fl, s) [STMT_##id] = { #id, fl, s },
#include "db/statements.def"
#undef STMT
};

int db_nparams[STMT__COUNT];
struct db_counters db_count;

static struct db_config db_cfg;
static pthread_key_t db_key;
static pthread_once_t db_once = PTHREAD_ONCE_INIT;
static __thread struct db_conn *db_tls;

static atomic_llong db_last_ok_ms;   /* when any thread last connected */

const char *
db_line(const char *msg, char *out, size_t size)
{
	size_t n = msg ? strcspn(msg, "\n") : 0;

	if (n >= size)
		n = size - 1;
	memcpy(out, msg ? msg : "", n);
	out[n] = '\0';
	return out;
}

/* Reconnecting costs a round of prepares; while the server is down, each thread tries at
 * most this often so a restart is noticed within it without a connection storm. */
#define DB_RETRY_MS 250
/* A replica that failed is left alone this long: reads go to the primary meanwhile. */
#define DB_REPLICA_RETRY_MS 2000

static void
db_conn_free(void *p)
{
	struct db_conn *dc = p;

	if (dc) {
		if (dc->pg)
			PQfinish(dc->pg);
		if (dc->replica)
			PQfinish(dc->replica);
		free(dc);
	}
}

static int
db_count_params(const char *sql)
{
	int max = 0;

	/* Highest $n; statements never contain '$' inside literals. */
	for (const char *p = sql; (p = strchr(p, '$')) != NULL; p++) {
		int v = atoi(p + 1);

		if (v > max)
			max = v;
	}
	return max;
}

static void
db_init_once(void)
{
	pthread_key_create(&db_key, db_conn_free);
	for (int i = 0; i < STMT__COUNT; i++)
		db_nparams[i] = db_count_params(db_stmts[i].sql);
}

void
db_configure(const struct db_config *cfg)
{
	pthread_once(&db_once, db_init_once);
	db_cfg = *cfg;
}

struct db_conn *
db_conn_get(void)
{
	if (db_tls == NULL) {
		pthread_once(&db_once, db_init_once);
		db_tls = calloc(1, sizeof *db_tls);
		if (db_tls == NULL)
			core_oom();
		pthread_setspecific(db_key, db_tls);
	}
	return db_tls;
}

struct db_conn *
db_conn_current(void)
{
	return db_tls;
}

/* All statements go out in one pipeline: a reconnect costs one round trip, not one per
 * statement. */
static int
db_prepare_all(PGconn *pg, bool ro_only)
{
	PGresult *res;
	int i, rc = 0, sent = 0;

	if (PQenterPipelineMode(pg) != 1)
		return -1;
	for (i = 0; i < STMT__COUNT; i++) {
		if (ro_only && !(db_stmts[i].flags & STMT_RO))
			continue;
		if (PQsendPrepare(pg, db_stmts[i].name, db_stmts[i].sql, 0, NULL) != 1)
			rc = -1;
		sent++;
	}
	if (PQpipelineSync(pg) != 1)
		rc = -1;
	for (i = 0; i < STMT__COUNT && rc == 0; i++) {
		if (ro_only && !(db_stmts[i].flags & STMT_RO))
			continue;
		res = PQgetResult(pg);
		if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) {
			log_error("db: preparing %s failed: %s", db_stmts[i].name,
				  res ? PQresultErrorMessage(res) : PQerrorMessage(pg));
			rc = -1;
		}
		PQclear(res);
		/* Each prepare's result is followed by a NULL separator. */
		res = PQgetResult(pg);
		PQclear(res);
	}
	/* Drain up to and including the sync point. */
	while ((res = PQgetResult(pg)) != NULL || PQpipelineStatus(pg) == PQ_PIPELINE_ON) {
		ExecStatusType st = res ? PQresultStatus(res) : PGRES_EMPTY_QUERY;

		PQclear(res);
		if (st == PGRES_PIPELINE_SYNC)
			break;
		if (res == NULL && PQstatus(pg) == CONNECTION_BAD)
			return -1;
	}
	if (PQexitPipelineMode(pg) != 1)
		return -1;
	return rc;
}

static long long
db_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A connection with Corral's session settings and every statement prepared (only the
 * read-only ones on a replica). NULL when it fails (logged). */
static PGconn *
db_connect(const char *url, const char *app, bool replica)
{
	char options[224];
	/* client_encoding UTF8 on a UTF8 database (migrate_run refuses any other): every text
	 * PostgreSQL sends is valid UTF-8, which db/rowjson.c relies on. */
	const char *keys[] = { "dbname", "options", "application_name", "connect_timeout", "client_encoding",
			       NULL };
	const char *vals[6];
	PGconn *pg;

	/* Plans: a request's statements are planned once per connection (generic plans).
	 * Left to choose, PostgreSQL re-planned the lists' statement on every call, 1.5 ms
	 * of planning for 0.8 ms of execution, because its generic estimate is far above the
	 * custom one; forced, the signed-in home page costs PostgreSQL 71 % less CPU and no
	 * benchmarked page more (docs/performance.md). And no JIT for them: a generic plan
	 * estimated above jit_above_cost was compiled again at every execution (40 ms for a
	 * 1 ms query). Background workers keep PostgreSQL's choices: the digest's one big
	 * set-based statement was a third slower on a generic plan. */
	snprintf(options, sizeof options,
		 "-c statement_timeout=%d -c TimeZone=UTC -c DateStyle=ISO -c idle_in_transaction_session_timeout=%d%s",
		 db_cfg.statement_timeout_ms, db_cfg.statement_timeout_ms * 4,
		 worker_in_thread() ? "" : " -c plan_cache_mode=force_generic_plan -c jit=off");
	vals[0] = url;
	vals[1] = options;
	vals[2] = app;
	vals[3] = replica ? "1" : "3";
	vals[4] = "UTF8";
	vals[5] = NULL;
	pg = PQconnectdbParams(keys, vals, 1);
	if (pg == NULL || PQstatus(pg) != CONNECTION_OK) {
		char msg[512];

		log_warn("db: cannot connect%s: %s", replica ? " to the replica" : "",
			 db_line(pg ? PQerrorMessage(pg) : "out of memory", msg, sizeof msg));
		goto fail;
	}
	if (db_prepare_all(pg, replica) != 0)
		goto fail;
	return pg;
fail:
	if (pg)
		PQfinish(pg);
	return NULL;
}

static int
db_open(struct db_conn *dc)
{
	dc->pg = db_connect(db_cfg.url, db_cfg.application_name ? db_cfg.application_name : "corral", false);
	if (dc->pg == NULL) {
		atomic_fetch_add(&db_count.connect_failures, 1);
		return -1;
	}
	atomic_fetch_add(&db_count.connects, 1);
	dc->in_tx = false;
	return 0;
}

PGconn *
db_replica(struct db_conn *dc)
{
	if (db_cfg.replica_url == NULL)
		return NULL;
	if (dc->replica && PQstatus(dc->replica) == CONNECTION_OK)
		return dc->replica;
	if (dc->replica) {
		PQfinish(dc->replica);
		dc->replica = NULL;
	}
	if (dc->replica_failed_ms && db_now_ms() - dc->replica_failed_ms < DB_REPLICA_RETRY_MS)
		return NULL;
	dc->replica = db_connect(db_cfg.replica_url, "corral-replica", true);
	if (dc->replica == NULL)
		dc->replica_failed_ms = db_now_ms();
	return dc->replica;
}

void
db_replica_drop(struct db_conn *dc)
{
	PQfinish(dc->replica);
	dc->replica = NULL;
	dc->replica_failed_ms = db_now_ms();
}

void
db_primary_drop(struct db_conn *dc)
{
	PQfinish(dc->pg);
	dc->pg = NULL;
	dc->in_tx = false;
}

bool
db_has_replica(void)
{
	return db_cfg.replica_url != NULL;
}

PGconn *
db_pg(struct ctx *c)
{
	struct db_conn *dc = db_conn_get();
	long long now;

	if (dc->pg && PQstatus(dc->pg) == CONNECTION_OK)
		return dc->pg;
	if (dc->pg) {
		PQfinish(dc->pg);
		dc->pg = NULL;
	}
	/* Back off after a failure, unless another thread has connected since: then the
	 * database is back and every thread should follow at once. */
	now = db_now_ms();
	if (now - dc->failed_ms < DB_RETRY_MS && atomic_load(&db_last_ok_ms) < dc->failed_ms)
		goto unavailable;
	if (db_open(dc) == 0) {
		atomic_store(&db_last_ok_ms, db_now_ms());
		return dc->pg;
	}
	dc->failed_ms = db_now_ms();
unavailable:
	if (c) {
		c->retry_after = 1;
		ctx_fail(c, HERR_UNAVAILABLE, NULL, "The database is not reachable right now; try again in a moment.");
	}
	return NULL;
}

int
db_connect_now(void)
{
	struct db_conn *dc = db_conn_get();

	if (dc->pg && PQstatus(dc->pg) == CONNECTION_OK)
		return 0;
	return db_open(dc);
}

void
db_disconnect(void)
{
	if (db_tls) {
		if (db_tls->pg)
			PQfinish(db_tls->pg);
		if (db_tls->replica)
			PQfinish(db_tls->replica);
		db_tls->pg = db_tls->replica = NULL;
	}
}

const char *
db_stmt_name(enum stmt_id id)
{
	return id >= 0 && id < STMT__COUNT ? db_stmts[id].name : "(transaction)";
}

const char *
db_stmt_sql(enum stmt_id id)
{
	return id >= 0 && id < STMT__COUNT ? db_stmts[id].sql : NULL;
}

int
db_stmt_nparams(enum stmt_id id)
{
	pthread_once(&db_once, db_init_once);
	return id >= 0 && id < STMT__COUNT ? db_nparams[id] : -1;
}

void
db_stats(struct db_stats *ret)
{
	ret->connects = atomic_load(&db_count.connects);
	ret->connect_failures = atomic_load(&db_count.connect_failures);
	ret->lost = atomic_load(&db_count.lost);
	ret->queries = atomic_load(&db_count.queries);
	ret->errors = atomic_load(&db_count.errors);
	ret->replica_queries = atomic_load(&db_count.replica_queries);
	ret->replica_fallbacks = atomic_load(&db_count.replica_fallbacks);
	ret->pipelines = atomic_load(&db_count.pipelines);
	ret->prefetched = atomic_load(&db_count.prefetched);
}
