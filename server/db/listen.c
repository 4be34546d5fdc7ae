/* db/listen.c — the LISTEN thread: one connection, the subscribers of each channel, the
 * reconnect loop, and the marks that read-your-writes waits for. */
#include "db/listen.h"

#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/log.h"
#include "db/db.h"

/* Marks travel on the cache's channel (the statement CACHE_SYNC names it), so instances
 * that predate this file ignore them as they always did. */
#define DB_LISTEN_SYNC_CHANNEL "corral_cache"
#define DB_LISTEN_SYNC_PREFIX "sync:"

struct db_listen_sub {
	char channel[64];
	db_listen_fn *fn;
	void *arg;
};

struct db_listen_watch {
	db_listen_state_fn *fn;
	void *arg;
};

static struct db_listen_sub db_listen_subs[DB_LISTEN_MAX];
static size_t db_listen_nsubs;
static struct db_listen_watch db_listen_watches[DB_LISTEN_MAX];
static size_t db_listen_nwatches;

static pthread_t db_listen_thread;
static atomic_bool db_listen_running, db_listen_stopping, db_listen_connected;
static char *db_listen_url;

/* Read-your-writes: marks are numbered per instance; the listener records the highest it
 * has seen and wakes the requests waiting for it. */
static atomic_uint db_listen_instance;   /* set when the listener starts, which may be
					  * after the HTTP threads serve their first writes */
static atomic_ullong db_listen_sync_next, db_listen_sync_seen;
static pthread_mutex_t db_listen_sync_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t db_listen_sync_cond = PTHREAD_COND_INITIALIZER;

static bool
db_listen_valid_channel(const char *channel)
{
	size_t n = strlen(channel);

	if (n == 0 || n > 63)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((channel[i] >= 'a' && channel[i] <= 'z') || (channel[i] >= '0' && channel[i] <= '9') ||
		      channel[i] == '_'))
			return false;
	return true;
}

int
db_listen_subscribe(const char *channel, db_listen_fn *fn, void *arg)
{
	struct db_listen_sub *s;

	if (atomic_load(&db_listen_running) || !db_listen_valid_channel(channel) ||
	    db_listen_nsubs == DB_LISTEN_MAX) {
		log_error("listen: cannot subscribe to '%s' (bad name, table full or already started)",
			  channel);
		return -1;
	}
	s = &db_listen_subs[db_listen_nsubs++];
	snprintf(s->channel, sizeof s->channel, "%s", channel);
	s->fn = fn;
	s->arg = arg;
	return 0;
}

int
db_listen_on_state(db_listen_state_fn *fn, void *arg)
{
	if (atomic_load(&db_listen_running) || db_listen_nwatches == DB_LISTEN_MAX) {
		log_error("listen: cannot watch the listener (table full or already started)");
		return -1;
	}
	db_listen_watches[db_listen_nwatches++] = (struct db_listen_watch){ fn, arg };
	return 0;
}

bool
db_listen_up(void)
{
	return atomic_load(&db_listen_connected);
}

static void
db_listen_set_state(bool up)
{
	atomic_store(&db_listen_connected, up);
	if (!up) {
		/* Waiters stop waiting for marks that will never come. */
		pthread_mutex_lock(&db_listen_sync_lock);
		pthread_cond_broadcast(&db_listen_sync_cond);
		pthread_mutex_unlock(&db_listen_sync_lock);
	}
	for (size_t i = 0; i < db_listen_nwatches; i++)
		db_listen_watches[i].fn(up, db_listen_watches[i].arg);
}

int
db_listen_sync(struct ctx *c, int timeout_ms)
{
	char mark[64];
	uint64_t seq = atomic_fetch_add(&db_listen_sync_next, 1) + 1;
	struct timespec until;
	int rc = 0;

	snprintf(mark, sizeof mark, DB_LISTEN_SYNC_PREFIX "%u:%llu", atomic_load(&db_listen_instance),
		 (unsigned long long)seq);
	if (db_q(c, STMT_CACHE_SYNC, mark) == NULL)
		return -1;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&db_listen_sync_lock);
	while (atomic_load(&db_listen_sync_seen) < seq && atomic_load(&db_listen_connected))
		if (pthread_cond_timedwait(&db_listen_sync_cond, &db_listen_sync_lock, &until) == ETIMEDOUT) {
			rc = -1;
			break;
		}
	pthread_mutex_unlock(&db_listen_sync_lock);
	return rc;
}

/* A mark of this instance: wake whoever waits for it. Marks of other instances are
 * nobody's business here. */
static void
db_listen_mark_seen(const char *payload)
{
	unsigned inst;
	unsigned long long seq;

	if (sscanf(payload, "%u:%llu", &inst, &seq) != 2 || inst != atomic_load(&db_listen_instance))
		return;
	pthread_mutex_lock(&db_listen_sync_lock);
	if (seq > atomic_load(&db_listen_sync_seen))
		atomic_store(&db_listen_sync_seen, seq);
	pthread_cond_broadcast(&db_listen_sync_cond);
	pthread_mutex_unlock(&db_listen_sync_lock);
}

static void
db_listen_dispatch(const char *channel, const char *payload)
{
	if (strcmp(channel, DB_LISTEN_SYNC_CHANNEL) == 0 &&
	    strncmp(payload, DB_LISTEN_SYNC_PREFIX, strlen(DB_LISTEN_SYNC_PREFIX)) == 0) {
		db_listen_mark_seen(payload + strlen(DB_LISTEN_SYNC_PREFIX));
		return;
	}
	for (size_t i = 0; i < db_listen_nsubs; i++)
		if (strcmp(db_listen_subs[i].channel, channel) == 0)
			db_listen_subs[i].fn(payload, db_listen_subs[i].arg);
}

/* "LISTEN a; LISTEN b; …": the marks' channel and every subscribed one, each once. */
static void
db_listen_command(struct buf *b)
{
	buf_puts(b, "LISTEN " DB_LISTEN_SYNC_CHANNEL);
	for (size_t i = 0; i < db_listen_nsubs; i++) {
		bool seen = strcmp(db_listen_subs[i].channel, DB_LISTEN_SYNC_CHANNEL) == 0;

		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(db_listen_subs[j].channel, db_listen_subs[i].channel) == 0;
		if (!seen)
			buf_printf(b, "; LISTEN %s", db_listen_subs[i].channel);
	}
}

static PGconn *
db_listen_connect(void)
{
	const char *keys[] = { "dbname", "application_name", "connect_timeout", NULL };
	const char *vals[] = { db_listen_url, "corral-listen", "3", NULL };
	PGconn *pg = PQconnectdbParams(keys, vals, 1);
	struct buf cmd = BUF_INIT;
	PGresult *res;

	if (PQstatus(pg) != CONNECTION_OK) {
		PQfinish(pg);
		return NULL;
	}
	db_listen_command(&cmd);
	res = PQexec(pg, cmd.data);
	buf_free(&cmd);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		PQclear(res);
		PQfinish(pg);
		return NULL;
	}
	PQclear(res);
	db_listen_set_state(true);
	return pg;
}

/* Wait up to 500 ms for notices and hand out what came. 0, or -1 when the connection is
 * gone. */
static int
db_listen_round(PGconn *pg)
{
	struct pollfd pfd = { .fd = PQsocket(pg), .events = POLLIN };
	PGnotify *n;

	if (poll(&pfd, 1, 500) < 0 && errno != EINTR)
		return -1;
	if (PQconsumeInput(pg) != 1)
		return -1;
	while ((n = PQnotifies(pg)) != NULL) {
		db_listen_dispatch(n->relname, n->extra);
		PQfreemem(n);
	}
	return PQstatus(pg) == CONNECTION_OK ? 0 : -1;
}

static void *
db_listen_main(void *arg)
{
	PGconn *pg = NULL;

	(void)arg;
	while (!atomic_load(&db_listen_stopping)) {
		if (pg == NULL && (pg = db_listen_connect()) == NULL) {
			struct timespec ts = { 0, 250 * 1000000L };

			nanosleep(&ts, NULL);
			continue;
		}
		if (db_listen_round(pg) == 0)
			continue;
		log_warn("listen: lost the connection for notices; reconnecting");
		db_listen_set_state(false);
		PQfinish(pg);
		pg = NULL;
	}
	if (pg)
		db_listen_set_state(false);
	PQfinish(pg);
	return NULL;
}

int
db_listen_start(const char *url)
{
	atomic_store(&db_listen_instance, randombytes_random());
	db_listen_url = strdup(url);
	if (db_listen_url == NULL)
		core_oom();
	atomic_store(&db_listen_stopping, false);
	atomic_store(&db_listen_running, true);
	if (pthread_create(&db_listen_thread, NULL, db_listen_main, NULL) != 0) {
		log_error("listen: cannot start the listener thread");
		atomic_store(&db_listen_running, false);
		free(db_listen_url);
		db_listen_url = NULL;
		return -1;
	}
	return 0;
}

void
db_listen_stop(void)
{
	if (!atomic_load(&db_listen_running))
		return;
	atomic_store(&db_listen_stopping, true);
	pthread_join(db_listen_thread, NULL);
	atomic_store(&db_listen_running, false);
	free(db_listen_url);
	db_listen_url = NULL;
}
