/* core/worker.h — a background thread that does a round of work, then sleeps until the
 * round's chosen delay has passed, it is woken, or it is told to stop. The maintenance
 * thread, the live streams' keep-alive and the mail worker are each one of these. */
#ifndef CORRAL_CORE_WORKER_H
#define CORRAL_CORE_WORKER_H

#include <pthread.h>
#include <stdbool.h>

struct worker {
	const char *name;          /* for the log line when the thread cannot start */
	/* One round of work, on the worker's thread; returns the milliseconds to sleep
	 * before the next round (a wake or a stop cuts the sleep short). */
	long (*round)(void *arg);
	/* Called once on the worker's thread after the last round (e.g. to close its
	 * database connection), or NULL. */
	void (*done)(void *arg);
	void *arg;

	/* Owned by worker.c. */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool running, stopping, woken;
};

/* Initialise a static struct worker: the lock and condition exist before the thread, so
 * a wake may come at any time (a NOTIFY handled before the start, say). */
#define WORKER_INIT(name_, round_, done_, arg_)                                          \
	{ .name = (name_), .round = (round_), .done = (done_), .arg = (arg_),             \
	  .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER }

/* Start the thread of a worker made with WORKER_INIT; the first round runs at once.
 * Returns 0, or -1 (logged). */
int worker_start(struct worker *w);

/* Cut the current sleep short (a wake during a round ends the sleep after it). Safe from
 * any thread at any time, also before the start or after the stop. */
void worker_wake(struct worker *w);

/* Let the current round finish, then end the thread and wait for it. Idempotent. */
void worker_stop(struct worker *w);

/* Whether the calling thread is a worker's (db/conn.c plans batch statements differently
 * from requests'). */
bool worker_in_thread(void);

#endif
