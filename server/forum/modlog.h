/* forum/modlog.h — the moderation log: every moderator and admin action is appended in
 * the transaction that makes it, and members read the log at /mod/log. */
#ifndef CORRAL_FORUM_MODLOG_H
#define CORRAL_FORUM_MODLOG_H

#include <jansson.h>
#include <stdint.h>

#include "core/ctx.h"

/* Append to the moderation log. actor_id 0 = the command line. details may be NULL; the
 * reference is taken over (pass json_pack(...) directly). 0 or -1 (recorded). */
int modlog_add(struct ctx *c, int64_t actor_id, const char *action, const char *target_type,
	       const char *target_id, const char *reason, json_t *details);

#endif
