/* forum/idea_proposals.h — ideas proposed by members, as the rest of the forum calls
 * them: POST /api/v1/ideas (ideas_pages.c), and the ideas queue showing and deciding
 * proposals (moderation.c). */
#ifndef CORRAL_FORUM_IDEA_PROPOSALS_H
#define CORRAL_FORUM_IDEA_PROPOSALS_H

#include <jansson.h>
#include <stdint.h>

#include "http/http.h"

/* POST /api/v1/ideas: a moderator creates the idea at once (ideas_create, 201); a member
 * proposes it (202, waiting in the ideas queue). */
enum herr idea_proposals_post(struct req *r);

/* The queue page of kind: when kind is "ideas", the open proposals are appended to items
 * (each {id, kind, created_at, proposal}); counts.ideas counts them too. 0 or -1 (recorded). */
int idea_proposals_queue(struct req *r, const char *kind, json_t *items, json_t *counts);

/* POST /api/v1/mod/queue/{item}/decision for an item that is a proposal (the moderator
 * checked): accept {idea: {title?, summary?}} or decline {reason}. */
enum herr idea_proposals_decide(struct req *r, int64_t item);

#endif
