/* db/db.c — the per-thread connection, prepared statements, errors and row mapping. */
#include "db/db.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "db/migrate.h"

struct stmt_def {
	const char *name;
	unsigned flags;
	const char *sql;
};

static const struct stmt_def db_stmts[STMT__COUNT] = {
#define STMT(id, fl, s) [STMT_##id] = { #id, fl, s },
#include "db/statements.def"
#undef STMT
};

static int db_nparams[STMT__COUNT];

struct db_conn {
	PGconn *pg;
	bool in_tx;
	long long failed_ms;        /* when this thread last failed to connect */
	PGconn *replica;            /* read-only statements of eligible requests */
	long long replica_failed_ms;
};

static struct db_config db_cfg;
static pthread_key_t db_key;
static pthread_once_t db_once = PTHREAD_ONCE_INIT;
static __thread struct db_conn *db_tls;

static atomic_long db_n_connects, db_n_connect_failures, db_n_lost, db_n_queries, db_n_errors;
static atomic_llong db_last_ok_ms;   /* when any thread last connected */
static atomic_long db_n_replica_queries, db_n_replica_fallbacks;

/* The first line of a libpq message (they end in newlines and may hold a DETAIL). */
static const char *
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

static struct db_conn *
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

static long long db_now_ms(void);

/* A connection with Corral's session settings and every statement prepared (only the
 * read-only ones on a replica). NULL when it fails (logged). */
static PGconn *
db_connect(const char *url, const char *app, bool replica)
{
	char options[160];
	/* client_encoding UTF8 on a UTF8 database (migrate_run refuses any other): every text
	 * PostgreSQL sends is valid UTF-8, which db_value_json relies on. */
	const char *keys[] = { "dbname", "options", "application_name", "connect_timeout", "client_encoding",
			       NULL };
	const char *vals[6];
	PGconn *pg;

	snprintf(options, sizeof options,
		 "-c statement_timeout=%d -c TimeZone=UTC -c DateStyle=ISO -c idle_in_transaction_session_timeout=%d",
		 db_cfg.statement_timeout_ms, db_cfg.statement_timeout_ms * 4);
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
		atomic_fetch_add(&db_n_connect_failures, 1);
		return -1;
	}
	atomic_fetch_add(&db_n_connects, 1);
	dc->in_tx = false;
	return 0;
}

/* This thread's replica connection, or NULL: then reads go to the primary. */
static PGconn *
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

bool
db_has_replica(void)
{
	return db_cfg.replica_url != NULL;
}

static long long
db_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The connection of this thread, connecting if needed; NULL = database unavailable. */
static PGconn *
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

/* Map a failed result to the request error; logs what operators need. */
static void
db_fail(struct ctx *c, enum stmt_id id, PGconn *pg, PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	char msg[512];
	enum herr err;

	db_line(res ? PQresultErrorMessage(res) : PQerrorMessage(pg), msg, sizeof msg);

	atomic_fetch_add(&db_n_errors, 1);
	snprintf(c->sqlstate, sizeof c->sqlstate, "%s", state ? state : "");
	if (db_lost(pg, res)) {
		atomic_fetch_add(&db_n_lost, 1);
		log_warn("rid=%s db: connection lost during %s: %s", c->rid ? c->rid : "-",
			 db_stmt_name(id), msg);
		c->retry_after = 1;
		ctx_fail(c, HERR_UNAVAILABLE, NULL, "The database is not reachable right now; try again in a moment.");
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
	/* A read for a request that may see a replica's slightly older state: try the
	 * replica, and on any failure there (down, or a query cancelled by recovery) read
	 * from the primary instead. */
	dc = db_conn_get();
	if (c->read_replica && (db_stmts[id].flags & STMT_RO) && !dc->in_tx &&
	    (pg = db_replica(dc)) != NULL) {
		res = PQexecPrepared(pg, db_stmts[id].name, n, params, NULL, NULL, 0);
		st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
		if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
			atomic_fetch_add(&db_n_replica_queries, 1);
			arena_defer(c->arena, db_clear, res);
			return res;
		}
		atomic_fetch_add(&db_n_replica_fallbacks, 1);
		if (db_lost(pg, res)) {
			PQfinish(dc->replica);
			dc->replica = NULL;
			dc->replica_failed_ms = db_now_ms();
		}
		PQclear(res);
	}
	for (attempt = 0; attempt < 2; attempt++) {
		if ((pg = db_pg(c)) == NULL)
			return NULL;
		dc = db_tls;
		atomic_fetch_add(&db_n_queries, 1);
		res = PQexecPrepared(pg, db_stmts[id].name, n, params, NULL, NULL, 0);
		st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
		if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
			arena_defer(c->arena, db_clear, res);
			return res;
		}
		/* A read outside a transaction on a connection that died since the last
		 * request (PostgreSQL restarted) is safe to run once more on a new one. */
		if (attempt == 0 && !dc->in_tx && (db_stmts[id].flags & STMT_RO) && db_lost(pg, res)) {
			PQclear(res);
			PQfinish(dc->pg);
			dc->pg = NULL;
			continue;
		}
		db_fail(c, id, pg, res);
		if (db_lost(pg, res)) {
			PQfinish(dc->pg);
			dc->pg = NULL;
			dc->in_tx = false;
		}
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
			db_fail(c, STMT__COUNT, pg, res);
		rc = -1;
		if (db_lost(pg, res)) {
			PQfinish(db_tls->pg);
			db_tls->pg = NULL;
			db_tls->in_tx = false;
		}
	}
	PQclear(res);
	return rc;
}

int
db_begin(struct ctx *c)
{
	if (db_simple(c, "BEGIN") != 0)
		return -1;
	db_tls->in_tx = true;
	return 0;
}

int
db_commit(struct ctx *c)
{
	int rc = db_simple(c, "COMMIT");

	if (db_tls)
		db_tls->in_tx = false;
	return rc;
}

void
db_rollback(struct ctx *c)
{
	(void)c;
	if (db_tls && db_tls->pg && PQtransactionStatus(db_tls->pg) != PQTRANS_IDLE) {
		PGresult *res = PQexec(db_tls->pg, "ROLLBACK");

		PQclear(res);
	}
	if (db_tls)
		db_tls->in_tx = false;
}

bool
db_in_transaction(void)
{
	return db_tls && db_tls->pg && PQtransactionStatus(db_tls->pg) != PQTRANS_IDLE;
}

enum herr
db_transaction(struct ctx *c, enum herr (*fn)(struct ctx *c, void *arg), void *arg)
{
	enum herr err = HERR_INTERNAL;

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
db_str(const PGresult *res, int row, int col)
{
	if (col < 0 || PQgetisnull(res, row, col))
		return NULL;
	return PQgetvalue(res, row, col);
}

int64_t
db_i64(const PGresult *res, int row, int col)
{
	const char *s = db_str(res, row, col);

	return s ? strtoll(s, NULL, 10) : 0;
}

bool
db_bool(const PGresult *res, int row, int col)
{
	const char *s = db_str(res, row, col);

	return s && s[0] == 't';
}

int
db_col(const PGresult *res, const char *name)
{
	return PQfnumber(res, name);
}

/* Type OIDs from pg_type.h (stable across PostgreSQL versions). */
enum { OID_BOOL = 16, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23, OID_OID = 26, OID_JSON = 114,
       OID_FLOAT4 = 700, OID_FLOAT8 = 701, OID_TIMESTAMPTZ = 1184, OID_NUMERIC = 1700,
       OID_JSONB = 3802 };

/* "2026-11-28 18:22:09.123456+00" (DateStyle ISO, TimeZone UTC) → "2026-11-28T18:22:09Z". */
static json_t *
db_time_json(const char *s)
{
	char out[32];

	if (strlen(s) < 19)
		return json_string(s);
	memcpy(out, s, 19);
	out[10] = 'T';
	/* Years past 9999 or BC never occur in Corral's data; keep them verbatim if they do. */
	if (s[19] != '.' && s[19] != '+' && s[19] != '\0')
		return json_string(s);
	out[19] = 'Z';
	out[20] = '\0';
	return json_string(out);
}

/* PostgreSQL writes a timestamptz inside json_build_object() as
 * "2026-11-28T18:22:09.123456+00:00" (session time zone UTC). Times in Corral's JSON are
 * "2026-11-28T18:22:09Z" everywhere, nested or not, so such strings are rewritten. */
static bool
db_pg_json_time(const char *s, char out[21])
{
	size_t n = strlen(s), i = 19;

	if (n < 25 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':')
		return false;
	for (size_t k = 0; k < 19; k++)
		if (k != 4 && k != 7 && k != 10 && k != 13 && k != 16 && (s[k] < '0' || s[k] > '9'))
			return false;
	if (s[i] == '.')
		for (i++; s[i] >= '0' && s[i] <= '9'; i++)
			;
	if (strcmp(s + i, "+00:00") != 0)
		return false;
	memcpy(out, s, 19);
	out[19] = 'Z';
	out[20] = '\0';
	return true;
}

static void
db_json_times(json_t *v, int depth)
{
	const char *key;
	json_t *x;
	size_t i;
	char t[21];

	if (depth > 32)
		return;
	if (json_is_object(v)) {
		json_object_foreach(v, key, x) {
			if (json_is_string(x) && db_pg_json_time(json_string_value(x), t))
				json_string_set(x, t);
			else
				db_json_times(x, depth + 1);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x) {
			if (json_is_string(x) && db_pg_json_time(json_string_value(x), t))
				json_string_set(x, t);
			else
				db_json_times(x, depth + 1);
		}
	}
}

/* Rows repeat their JSON: every post of a thread page carries its author's object, and a
 * 50-post page has a dozen authors. Within one result each distinct text of a JSON column
 * is parsed once and deep-copied for the rows that repeat it (json_loads was a quarter of
 * the CPU of an uncached thread page; a copy skips the lexer). Copies, not shared
 * references: handlers may change a row's values. */
enum { DB_MEMO_MAX = 24 };
struct db_json_memo {
	int n, next;
	struct {
		const char *s;   /* points into the PGresult */
		int len;
		json_t *v;
	} e[DB_MEMO_MAX];
};

static json_t *
db_parse_json(const char *s)
{
	json_t *v = json_loads(s, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);

	if (v == NULL)
		return json_null();
	db_json_times(v, 0);
	return v;
}

static json_t *
db_memo_json(struct db_json_memo *m, const char *s, int len)
{
	json_t *v;
	int slot;

	for (int i = 0; i < m->n; i++)
		if (m->e[i].len == len && memcmp(m->e[i].s, s, (size_t)len) == 0)
			return json_deep_copy(m->e[i].v);
	v = db_parse_json(s);
	/* Full: the oldest entry makes room (a long thread's authors come in runs). */
	slot = m->n < DB_MEMO_MAX ? m->n++ : m->next++ % DB_MEMO_MAX;
	json_decref(m->e[slot].v);
	m->e[slot].s = s;
	m->e[slot].len = len;
	m->e[slot].v = json_incref(v);
	return v;
}

static void
db_memo_clear(struct db_json_memo *m)
{
	for (int i = 0; i < m->n; i++)
		json_decref(m->e[i].v);
	m->n = m->next = 0;
}

/* memo: per-column memos for JSON columns, or NULL to parse every value. */
static json_t *
db_value_json(const PGresult *res, int row, int col, struct db_json_memo *memo)
{
	const char *s;

	if (PQgetisnull(res, row, col))
		return json_null();
	s = PQgetvalue(res, row, col);
	switch (PQftype(res, col)) {
	case OID_BOOL:
		return json_boolean(s[0] == 't');
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
	case OID_OID:
		return json_integer(strtoll(s, NULL, 10));
	case OID_FLOAT4:
	case OID_FLOAT8:
	case OID_NUMERIC:
		return json_real(strtod(s, NULL));
	case OID_JSON:
	case OID_JSONB:
		return memo ? db_memo_json(memo, s, PQgetlength(res, row, col)) : db_parse_json(s);
	case OID_TIMESTAMPTZ:
		return db_time_json(s);
	default:
		/* Unchecked: the connection's client_encoding is UTF8 (db_connect), so PostgreSQL
		 * has already validated and converted every text it sends. */
		return json_stringn_nocheck(s, (size_t)PQgetlength(res, row, col));
	}
}

static json_t *
db_row_json_memo(const PGresult *res, int row, struct db_json_memo *memos)
{
	json_t *o = json_object();
	int n = PQnfields(res);

	for (int col = 0; col < n; col++)
		json_object_set_new_nocheck(o, PQfname(res, col),
					    db_value_json(res, row, col, memos ? &memos[col] : NULL));
	return o;
}

json_t *
db_row_json(const PGresult *res, int row)
{
	return db_row_json_memo(res, row, NULL);
}

json_t *
db_rows_json(const PGresult *res)
{
	json_t *a = json_array();
	int n = PQntuples(res), cols = PQnfields(res), json_cols = 0;
	struct db_json_memo *memos = NULL;

	for (int col = 0; col < cols; col++)
		if (PQftype(res, col) == OID_JSON || PQftype(res, col) == OID_JSONB)
			json_cols++;
	if (n > 1 && json_cols > 0)
		memos = calloc((size_t)cols, sizeof *memos);
	for (int row = 0; row < n; row++)
		json_array_append_new(a, db_row_json_memo(res, row, memos));
	if (memos) {
		for (int col = 0; col < cols; col++)
			db_memo_clear(&memos[col]);
		free(memos);
	}
	return a;
}

const char *
db_int(struct ctx *c, int64_t v)
{
	return arena_printf(c->arena, "%lld", (long long)v);
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
	ret->connects = atomic_load(&db_n_connects);
	ret->connect_failures = atomic_load(&db_n_connect_failures);
	ret->lost = atomic_load(&db_n_lost);
	ret->queries = atomic_load(&db_n_queries);
	ret->errors = atomic_load(&db_n_errors);
	ret->replica_queries = atomic_load(&db_n_replica_queries);
	ret->replica_fallbacks = atomic_load(&db_n_replica_fallbacks);
}
