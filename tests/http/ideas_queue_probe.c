/* tests/http/ideas_queue_probe.c — calls the two functions the ideas queue uses
 * (forum/ideas.h) the way a queue decision does, inside a transaction of its own
 * (db_transaction, as every write), so test_ideas.py can check them before the queue's
 * HTTP route exists.
 *
 *   ideas_queue_probe DATABASE_URL accept|attach ACTOR_ID POST_ID IDEA_JSON
 *
 * Prints the idea object (committed), or {"error": {code, field, message}} (rolled back);
 * exits 0 either way, 2 on bad usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "db/db.h"
#include "forum/ideas.h"

struct probe {
	bool accept;
	int64_t actor, post;
	json_t *idea, *out;
};

static enum herr
probe_tx(struct ctx *c, void *arg)
{
	struct probe *p = arg;

	json_decref(p->out);   /* a retried run starts again */
	p->out = NULL;
	return (p->accept ? ideas_accept_nomination(c, p->actor, p->post, p->idea, &p->out)
			  : ideas_attach_nomination(c, p->actor, p->post, p->idea, &p->out)) == 0 ? HERR_OK : c->err;
}

int
main(int argc, char **argv)
{
	struct ctx c = { .rid = "probe" };
	struct probe p;
	json_t *idea, *out;
	char *s;

	if (argc != 6 || (strcmp(argv[2], "accept") != 0 && strcmp(argv[2], "attach") != 0)) {
		fprintf(stderr, "usage: ideas_queue_probe URL accept|attach ACTOR_ID POST_ID IDEA_JSON\n");
		return 2;
	}
	if ((idea = json_loads(argv[5], JSON_DECODE_ANY, NULL)) == NULL) {
		fprintf(stderr, "ideas_queue_probe: IDEA_JSON is not JSON\n");
		return 2;
	}
	db_configure(&(struct db_config){ .url = argv[1], .statement_timeout_ms = 30000 });
	c.arena = arena_new();
	p = (struct probe){ strcmp(argv[2], "accept") == 0, atoll(argv[3]), atoll(argv[4]), idea, NULL };
	if (db_transaction(&c, probe_tx, &p) == HERR_OK) {
		out = p.out;
	} else {
		json_decref(p.out);
		out = json_pack("{s:{s:s,s:s?,s:s?}}", "error", "code", herr_code(c.err), "field", c.err_field,
				"message", c.err_msg);
	}
	s = json_dumps(out, JSON_COMPACT);
	puts(s ? s : "null");
	free(s);
	json_decref(out);
	json_decref(idea);
	db_disconnect();
	arena_free(c.arena);
	return 0;
}
