/* forum/ideas_pending.c — TEMPORARY until the idea corral branch merges (same session):
 * accept/attach answer 400 so the queue builds and its other decisions can be tested. */
#include "forum/ideas.h"

int
ideas_accept_nomination(struct ctx *c, int64_t actor_id, int64_t post_id, json_t *idea, json_t **ret_idea)
{
	(void)actor_id, (void)post_id, (void)idea, (void)ret_idea;
	ctx_fail(c, HERR_INVALID, "action", "The idea corral is not built yet.");
	return -1;
}

int
ideas_attach_nomination(struct ctx *c, int64_t actor_id, int64_t post_id, json_t *idea, json_t **ret_idea)
{
	(void)actor_id, (void)post_id, (void)idea, (void)ret_idea;
	ctx_fail(c, HERR_INVALID, "action", "The idea corral is not built yet.");
	return -1;
}
