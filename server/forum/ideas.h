/* forum/ideas.h — the idea corral as other modules call it: the moderation queue turns
 * accepted nominations into ideas, or attaches them to an existing one. */
#ifndef CORRAL_FORUM_IDEAS_H
#define CORRAL_FORUM_IDEAS_H

#include <jansson.h>
#include <stdint.h>

#include "core/ctx.h"

/* Inside the caller's transaction. idea is the decision's "idea" input.
 * accept: idea = {title, summary} → a new idea with post_id as its first source;
 * attach: idea = {number} → post_id added as a source of that idea.
 * 0 with *ret_idea (a new reference: the idea object as GET /api/v1/ideas/{n} shows it),
 * or -1 with the error recorded (400 with field "idea.title"/"idea.summary"/"idea.number",
 * 404 for an unknown or merged-away number). */
int ideas_accept_nomination(struct ctx *c, int64_t actor_id, int64_t post_id, json_t *idea,
			    json_t **ret_idea);
int ideas_attach_nomination(struct ctx *c, int64_t actor_id, int64_t post_id, json_t *idea,
			    json_t **ret_idea);

#endif
