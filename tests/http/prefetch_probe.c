/* tests/http/prefetch_probe.c — db_prefetch's rules that no page shows today, checked
 * against a real database by test_prefetch.py: a statement that may write, and a
 * transaction, forget what was kept (the request reads its own writes); a statement that
 * failed keeps its failure (db_exec reports it without running it again).
 *
 *   prefetch_probe DATABASE_URL THREAD_ID OTHER_THREAD_ID POST_ID
 *
 * POST_ID is a visible post: it is set visible again (a write that changes nothing).
 * Prints one JSON object of the round trips counted after each step; exits 0, or 2 on bad
 * usage, 1 when a statement fails where none should. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "db/db.h"

/* Two threads fetched together, each statement with its own parameters. */
static void
probe_prefetch(struct ctx *c, const char *a, const char *b)
{
	struct db_call calls[2] = {
		DB_CALL_MAKE(c, STMT_THREAD_GET, a),
		DB_CALL_MAKE(c, STMT_THREAD_GET, b),
	};

	db_prefetch(c, 2, calls);
}

static enum herr
probe_tx(struct ctx *c, void *arg)
{
	return db_q(c, STMT_THREAD_GET, (const char *)arg) ? HERR_OK : c->err;
}

int
main(int argc, char **argv)
{
	struct ctx c = { .rid = "probe" };
	int taken, after_write, after_tx, before_failed, failed_rt;
	enum herr failed_err;
	json_t *out;
	char *s;
	int rc = 0;

	if (argc != 5) {
		fprintf(stderr, "usage: prefetch_probe URL THREAD_ID OTHER_THREAD_ID POST_ID\n");
		return 2;
	}
	db_configure(&(struct db_config){ .url = argv[1], .statement_timeout_ms = 30000 });
	c.arena = arena_new();

	/* Taken: the first thread's statement asks nothing more. */
	probe_prefetch(&c, argv[2], argv[3]);
	if (db_q(&c, STMT_THREAD_GET, argv[2]) == NULL)
		goto fail;
	taken = c.round_trips;
	/* A write in between: the second thread's kept result is stale, it is asked again. */
	if (db_q(&c, STMT_POST_SET_STATE, argv[4], "visible") == NULL ||
	    db_q(&c, STMT_THREAD_GET, argv[3]) == NULL)
		goto fail;
	after_write = c.round_trips;
	/* A transaction forgets them too: the statement it runs, and the one after it, ask. */
	probe_prefetch(&c, argv[2], argv[3]);
	if (db_transaction(&c, probe_tx, argv[2]) != HERR_OK || db_q(&c, STMT_THREAD_GET, argv[3]) == NULL)
		goto fail;
	after_tx = c.round_trips;
	/* A statement that failed (not a number: 22P02) is reported from what was kept. */
	probe_prefetch(&c, "not a number", argv[3]);
	before_failed = c.round_trips;
	if (db_q(&c, STMT_THREAD_GET, "not a number") != NULL) {
		fprintf(stderr, "prefetch_probe: a bad parameter was accepted\n");
		goto fail;
	}
	failed_err = c.err;
	failed_rt = c.round_trips - before_failed;

	out = json_pack("{s:i,s:i,s:i,s:i,s:s,s:s}", "taken", taken, "after_write", after_write,
			"after_tx", after_tx, "failed_round_trips", failed_rt,
			"failed_error", herr_code(failed_err), "sqlstate", c.sqlstate);
	s = json_dumps(out, JSON_COMPACT);
	puts(s ? s : "null");
	free(s);
	json_decref(out);
	goto done;
fail:
	fprintf(stderr, "prefetch_probe: %s (%s)\n", c.err_msg ? c.err_msg : herr_code(c.err), c.sqlstate);
	rc = 1;
done:
	db_disconnect();
	arena_free(c.arena);
	return rc;
}
