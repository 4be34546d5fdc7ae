/* forum/moderation.h — what other modules ask of moderation: putting a post in a queue,
 * the spam rules applied when a post is written, telling an author about a decision. */
#ifndef CORRAL_FORUM_MODERATION_H
#define CORRAL_FORUM_MODERATION_H

#include <stdbool.h>
#include <stdint.h>

#include "core/ctx.h"
#include "http/http.h"

/* Why a post waits: "new_account", "too_many_links" or "posting_too_fast"; NULL when it
 * may go live at once. Moderators never wait. html is the rendered body (its links are
 * counted); author_id/recent check the posting pace. NULL also when the check fails
 * (then c->err is set). */
const char *moderation_hold_reason(struct req *r, const char *html);

/* Does html hold more author links than the spam rule allows (never for moderators)?
 * Edits are checked with it too: a post approved once cannot gain links unseen. */
bool moderation_too_many_links(struct req *r, const char *html);

/* Open (or join) the queue item of kind for post_id; returns its id or -1. */
int64_t moderation_enqueue(struct ctx *c, const char *kind, int64_t post_id, const char *reason);

/* A 'moderation' notification to a user with a message. 0 or -1. */
int moderation_notify(struct ctx *c, int64_t user_id, int64_t actor_id, int64_t thread_id,
		      int64_t post_id, const char *message);

struct moderation_config {
	int spam_links;        /* more links than this in one post waits (trusted members too) */
	int spam_burst;        /* this many posts within spam_burst_s: the next ones wait */
	int spam_burst_s;
	int flag_limit;        /* flags and nominations per account per hour */
};
/* The options setting moderation_config (forum/options.c). */
extern const struct opt_table moderation_opts;
void moderation_configure(const struct moderation_config *cfg);

#endif
