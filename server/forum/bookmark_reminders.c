/* forum/bookmark_reminders.c — the reminder worker (see bookmarks.h): a thread that turns
 * due bookmark reminders into notifications every --reminder-interval seconds. Several
 * instances may run it at once: one statement claims each reminder with FOR UPDATE SKIP
 * LOCKED and marks it done, so a reminder becomes one notification whichever instance
 * gets it; the notification mail worker then mails it through the member's preferences. */
#include "forum/bookmarks.h"

#include "core/log.h"
#include "core/worker.h"
#include "db/db.h"

/* Reminders claimed per statement: a backlog (after a stop) goes in short transactions. */
#define REMINDERS_BATCH 100
#define REMINDERS_RETRY_MS 5000

static const struct opt_def bookmark_reminders_defs[] = {
	OPT_INT("reminder-interval", "SECONDS", "60", 1, 3600, struct bookmark_reminders_config, interval_s,
		"look for due bookmark reminders this often (a reminder comes at most this late)"),
};
const struct opt_table bookmark_reminders_opts = { "Bookmarks", bookmark_reminders_defs,
						   OPT_COUNT(bookmark_reminders_defs) };

static struct bookmark_reminders_config br_cfg;

static long
br_round(void *arg)
{
	struct ctx c = { .arena = arena_new(), .rid = "reminders" };
	long ms = br_cfg.interval_s * 1000L;
	PGresult *res;

	(void)arg;
	for (;;) {
		if ((res = db_q(&c, STMT_BOOKMARK_REMINDERS_FIRE, db_int(&c, REMINDERS_BATCH))) == NULL) {
			ms = REMINDERS_RETRY_MS;   /* logged by db_exec; try again soon */
			break;
		}
		if (db_i64(res, 0, 0) > 0)
			log_debug("reminders: %lld due, %lld notified", (long long)db_i64(res, 0, 0),
				  (long long)db_i64(res, 0, 1));
		if (db_i64(res, 0, 0) < REMINDERS_BATCH)
			break;
	}
	arena_free(c.arena);
	return ms;
}

static void
br_done(void *arg)
{
	(void)arg;
	db_disconnect();
}

static struct worker br_worker = WORKER_INIT("reminders", br_round, br_done, NULL);

int
bookmark_reminders_start(const struct bookmark_reminders_config *cfg)
{
	br_cfg = *cfg;
	return worker_start(&br_worker);
}

void
bookmark_reminders_stop(void)
{
	worker_stop(&br_worker);
}
