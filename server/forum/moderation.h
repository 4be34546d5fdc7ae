/* forum/moderation.h — what other modules ask of moderation: putting a post in a queue,
 * the settings of the spam rules (the rules are in policy.h), telling an author about a
 * decision. */
#ifndef CORRAL_FORUM_MODERATION_H
#define CORRAL_FORUM_MODERATION_H

#include <stdbool.h>
#include <stdint.h>

#include "core/ctx.h"
#include "http/http.h"

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
/* The settings given at start-up (the hold rules of posts.c read them). */
const struct moderation_config *moderation_config(void);

#endif
