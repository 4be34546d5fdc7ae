/* forum/maintenance.c — periodic clean-up in a thread of its own (with its own database
 * connection, like every thread). Several instances may run it at once: the deletes are
 * idempotent. */
#include "forum/maintenance.h"

#include "core/log.h"
#include "core/worker.h"
#include "db/db.h"
#include "forum/uploads.h"

static int maint_interval_s, maint_idle_s;

static long
maint_round(void *arg)
{
	struct ctx c = { .arena = arena_new(), .rid = "maintenance" };

	(void)arg;
	/* Failures are logged by db_exec and c.err is never read: each statement runs whatever
	 * the one before did, and the next round tries again. */
	db_q(&c, STMT_SESSION_EXPIRE, db_int(&c, maint_idle_s));
	db_q0(&c, STMT_RATE_EXPIRE);
	db_q0(&c, STMT_IDEM_EXPIRE);
	db_q0(&c, STMT_ONETIME_EXPIRE);
	db_q0(&c, STMT_SURVEYS_ANNOUNCE);   /* scheduled surveys that opened since */
	uploads_expire(&c);
	arena_free(c.arena);
	return maint_interval_s * 1000L;
}

static void
maint_done(void *arg)
{
	(void)arg;
	db_disconnect();
}

static struct worker maint_worker = WORKER_INIT("maintenance", maint_round, maint_done, NULL);

int
maint_start(int interval_s, int session_idle_s)
{
	maint_interval_s = interval_s;
	maint_idle_s = session_idle_s;
	return worker_start(&maint_worker);
}

void
maint_stop(void)
{
	worker_stop(&maint_worker);
}
