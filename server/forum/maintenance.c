/* forum/maintenance.c — periodic clean-up in a thread of its own (with its own database
 * connection, like every thread). Several instances may run it at once: the deletes are
 * idempotent. */
#include "forum/maintenance.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "core/log.h"
#include "db/db.h"

static pthread_t maint_thread;
static pthread_mutex_t maint_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t maint_wake = PTHREAD_COND_INITIALIZER;
static bool maint_stopping, maint_running;
static int maint_interval_s, maint_idle_s;

static void
maint_once(void)
{
	struct ctx c = { .arena = arena_new(), .rid = "maintenance" };

	/* Failures are logged by db_exec and c.err is never read: each statement runs whatever
	 * the one before did, and the next round tries again. */
	db_q(&c, STMT_SESSION_EXPIRE, db_int(&c, maint_idle_s));
	db_q0(&c, STMT_RATE_EXPIRE);
	db_q0(&c, STMT_IDEM_EXPIRE);
	arena_free(c.arena);
}

static void *
maint_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&maint_lock);
	while (!maint_stopping) {
		struct timespec until;

		pthread_mutex_unlock(&maint_lock);
		maint_once();
		pthread_mutex_lock(&maint_lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += maint_interval_s;
		while (!maint_stopping && pthread_cond_timedwait(&maint_wake, &maint_lock, &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&maint_lock);
	db_disconnect();
	return NULL;
}

int
maint_start(int interval_s, int session_idle_s)
{
	maint_interval_s = interval_s;
	maint_idle_s = session_idle_s;
	if (pthread_create(&maint_thread, NULL, maint_main, NULL) != 0) {
		log_error("maintenance: cannot start its thread");
		return -1;
	}
	maint_running = true;
	return 0;
}

void
maint_stop(void)
{
	if (!maint_running)
		return;
	pthread_mutex_lock(&maint_lock);
	maint_stopping = true;
	pthread_cond_signal(&maint_wake);
	pthread_mutex_unlock(&maint_lock);
	pthread_join(maint_thread, NULL);
	maint_running = false;
}
