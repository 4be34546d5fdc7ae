/* core/worker.c — the background thread of core/worker.h: round, sleep, repeat, with a
 * sleep that a wake or a stop cuts short. */
#include "core/worker.h"

#include <errno.h>
#include <time.h>

#include "core/log.h"

static _Thread_local bool worker_here;

bool
worker_in_thread(void)
{
	return worker_here;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;

	worker_here = true;

	pthread_mutex_lock(&w->lock);
	while (!w->stopping) {
		struct timespec until;
		long ms;

		pthread_mutex_unlock(&w->lock);
		ms = w->round(w->arg);
		pthread_mutex_lock(&w->lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += ms / 1000;
		until.tv_nsec += (ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (!w->woken && !w->stopping &&
		       pthread_cond_timedwait(&w->cond, &w->lock, &until) != ETIMEDOUT)
			;
		w->woken = false;
	}
	pthread_mutex_unlock(&w->lock);
	if (w->done)
		w->done(w->arg);
	return NULL;
}

int
worker_start(struct worker *w)
{
	w->stopping = w->woken = false;
	if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
		log_error("%s: cannot start its thread", w->name);
		return -1;
	}
	w->running = true;
	return 0;
}

void
worker_wake(struct worker *w)
{
	pthread_mutex_lock(&w->lock);
	w->woken = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

void
worker_stop(struct worker *w)
{
	if (!w->running)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	w->running = false;
}
