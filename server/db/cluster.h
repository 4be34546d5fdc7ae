/* db/cluster.h — the embedded PostgreSQL: a private cluster in DATA_DIR/pg, created on
 * first use with initdb, started with pg_ctl on a Unix socket inside it (no TCP port),
 * stopped (fast mode) when its owner exits.
 *
 * PostgreSQL refuses to run as root, so when Corral runs as root the cluster belongs to,
 * and runs as, the `postgres` system user; DATA_DIR must then be reachable by that user.
 * The HTTP tests make their throwaway clusters with this same code (`corral cluster`). */
#ifndef CORRAL_DB_CLUSTER_H
#define CORRAL_DB_CLUSTER_H

#include <stdbool.h>
#include <sys/types.h>

struct cluster {
	char dir[4096];       /* absolute DATA_DIR/pg */
	char bindir[4096];    /* where initdb and pg_ctl live */
	char url[4608];       /* libpq URL to the corral database */
	bool as_other_user;   /* running as root: PostgreSQL runs as postgres */
	uid_t uid;
	gid_t gid;
	bool started;         /* this process started it, so it stops it */
};

/* Locate the PostgreSQL binaries, create data_dir and data_dir/pg (initdb on first use)
 * and fill *ret. Returns 0, or -1 after logging a clear reason (no binaries, a folder the
 * postgres user cannot reach, initdb failure). */
int cluster_open(const char *data_dir, struct cluster *ret);

/* Start the cluster unless it already runs (then ret->started stays false: a running
 * server on the same data dir owns it), and create the corral database if missing.
 * Returns 0 or -1. */
int cluster_start(struct cluster *c);

/* Is a postmaster running on this data dir? */
bool cluster_running(const struct cluster *c);

/* Stop it (pg_ctl stop -m fast) when this process started it or when force is set. */
int cluster_stop(struct cluster *c, bool force);

/* The folder of PostgreSQL's programs (pg_dump, pg_restore…): PATH or the newest
 * /usr/lib/postgresql/N/bin. 0 or -1 (logged). */
int cluster_bindir(char *out, size_t size);

/* Run PostgreSQL's program `tool` (pg_dump, pg_restore…) from that folder as the current
 * user with argv, stdout kept, and wait: its exit status, or -1. */
int cluster_tool(const char *tool, char *const argv[]);

#endif
