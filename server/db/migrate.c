/* db/migrate.c — applies the embedded schema/NNNN_*.sql files in order. */
#include "db/migrate.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/embedded.h"
#include "core/log.h"

/* pg_advisory_lock key shared by every Corral instance: "corral" in ASCII. */
#define MIGRATE_LOCK_KEY "99111114114097108"

static int
migrate_number(const char *path)
{
	const char *base;

	if (strncmp(path, "schema/", 7) != 0)
		return -1;
	base = path + 7;
	if (strlen(base) < 6 || base[4] != '_' || strchr(base, '/') != NULL)
		return -1;
	for (int i = 0; i < 4; i++)
		if (base[i] < '0' || base[i] > '9')
			return -1;
	return atoi(base);
}

int
migrate_latest(void)
{
	int max = 0;

	for (const struct embedded_file *f = embedded_files; f->path; f++) {
		int n = migrate_number(f->path);

		if (n > max)
			max = n;
	}
	return max;
}

static int
migrate_exec(PGconn *pg, const char *sql, const char *what)
{
	PGresult *res = PQexec(pg, sql);
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	int rc = 0;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		log_error("migrate: %s failed: %s", what, res ? PQresultErrorMessage(res) : PQerrorMessage(pg));
		rc = -1;
	}
	PQclear(res);
	return rc;
}

/* Is migration n built into this binary? */
static bool
migrate_known(int n)
{
	for (const struct embedded_file *f = embedded_files; f->path; f++)
		if (migrate_number(f->path) == n)
			return true;
	return false;
}

/* The versions applied, as a malloc'd array (sorted); -1 on error. */
static int
migrate_applied(PGconn *pg, int **ret)
{
	PGresult *res = PQexec(pg, "SELECT version FROM schema_migrations ORDER BY version");
	int n;

	if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
		log_error("migrate: cannot read schema_migrations: %s", PQerrorMessage(pg));
		PQclear(res);
		return -1;
	}
	n = PQntuples(res);
	*ret = calloc((size_t)n + 1, sizeof **ret);
	if (*ret == NULL)
		core_oom();
	for (int i = 0; i < n; i++)
		(*ret)[i] = atoi(PQgetvalue(res, i, 0));
	PQclear(res);
	return n;
}

static int
migrate_apply(PGconn *pg, const struct embedded_file *f, int n)
{
	const char *params[2];
	char num[16];
	PGresult *res;

	if (migrate_exec(pg, "BEGIN", "BEGIN") != 0)
		return -1;
	if (migrate_exec(pg, (const char *)f->data, f->path) != 0)
		goto fail;
	snprintf(num, sizeof num, "%d", n);
	params[0] = num;
	params[1] = f->path + 7;
	res = PQexecParams(pg, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", 2,
			   NULL, params, NULL, NULL, 0);
	if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) {
		log_error("migrate: recording %s failed: %s", f->path, PQerrorMessage(pg));
		PQclear(res);
		goto fail;
	}
	PQclear(res);
	if (migrate_exec(pg, "COMMIT", "COMMIT") != 0)
		return -1;
	log_info("migrate: applied %s", f->path);
	return 0;
fail:
	migrate_exec(pg, "ROLLBACK", "ROLLBACK");
	return -1;
}

/* Corral stores and serves UTF-8 and trusts PostgreSQL to have checked it; a database in
 * another encoding (SQL_ASCII checks nothing) is refused before anything is written. */
static int
migrate_check_encoding(PGconn *pg)
{
	const char *enc = PQparameterStatus(pg, "server_encoding");

	if (enc && strcmp(enc, "UTF8") == 0)
		return 0;
	log_error("migrate: the database's encoding is %s; Corral needs a UTF8 database "
		  "(createdb --encoding=UTF8 --template=template0 NAME)", enc ? enc : "unknown");
	return -1;
}

int
migrate_run(const char *url)
{
	PGconn *pg = PQconnectdb(url);
	int latest = migrate_latest(), applied = 0, rc = -1, n = 0, *done = NULL;

	if (PQstatus(pg) != CONNECTION_OK) {
		log_error("migrate: cannot connect: %s", PQerrorMessage(pg));
		goto out;
	}
	if (migrate_check_encoding(pg) != 0 ||
	    migrate_exec(pg, "SET client_min_messages = warning", "settings") != 0 ||
	    migrate_exec(pg, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")", "lock") != 0 ||
	    migrate_exec(pg, "CREATE TABLE IF NOT EXISTS schema_migrations ("
			     " version integer PRIMARY KEY,"
			     " name text NOT NULL,"
			     " applied_at timestamptz NOT NULL DEFAULT now())", "schema_migrations") != 0)
		goto out;
	if ((n = migrate_applied(pg, &done)) < 0)
		goto out;
	for (int i = 0; i < n; i++) {
		if (!migrate_known(done[i])) {
			log_error("migrate: the database schema is at version %d, newer than this corral "
				  "binary (which knows up to %d); run a newer corral", done[n - 1], latest);
			goto out;
		}
	}
	/* embedded_files is sorted by path, so migrations come in number order. Any that is
	 * missing is applied, not only those above the highest: branches that each added a
	 * migration merge in any order. */
	for (const struct embedded_file *f = embedded_files; f->path; f++) {
		int v = migrate_number(f->path);
		bool have = false;

		if (v < 0)
			continue;
		for (int i = 0; i < n && !have; i++)
			have = done[i] == v;
		if (have)
			continue;
		if (migrate_apply(pg, f, v) != 0)
			goto out;
		applied++;
	}
	rc = applied;
out:
	free(done);
	PQfinish(pg);   /* also releases the advisory lock */
	return rc;
}
