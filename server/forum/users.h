/* forum/users.h — accounts: creation (shared by registration and `corral user add`),
 * the public shape of a user, role changes and suspension rules. */
#ifndef CORRAL_FORUM_USERS_H
#define CORRAL_FORUM_USERS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/ctx.h"
#include "db/db.h"

/* 3–32 of [A-Za-z0-9_-]. */
bool users_name_valid(const char *name);

/* Create an account. Validates the name, the password (10–1024 bytes) and the community
 * role; role is "member", "moderator" or "admin". 0 with *ret_id, or -1 with the error
 * recorded (409 on a taken name, 400 with the field otherwise). */
int users_create(struct ctx *c, const char *username, const char *password, size_t pwlen,
		 const char *community_role, const char *email, const char *role, int64_t *ret_id);

/* Set the permission role of an account by name, refusing to demote the last admin.
 * actor_id 0 = the command line. 0 or -1 (recorded). */
int users_set_role(struct ctx *c, const char *username, const char *role, int64_t actor_id);

/* Lock every admin row (FOR UPDATE, in the caller's transaction) and make sure one admin
 * stays when user_id stops being one (demoted or deleted): 0, or -1 with 409 recorded. */
int users_keep_an_admin(struct ctx *c, int64_t user_id);

/* The user with this id as its public JSON ({id, username, display_name, role,
 * community_role {slug,label,kind}, role_verified, created_at, post_count, …}); with
 * private set (the member or a moderator looking) also bio source, email and the
 * suspension (suspended, suspended_until, suspension_reason). NULL on error (recorded)
 * or when missing (404 recorded). */
json_t *users_get(struct ctx *c, int64_t id, bool private);

/* Moderators suspend members, admins also moderators; nobody suspends an admin or
 * themselves. Lifting: admins lift anyone's suspension, moderators members'. 0, or -1
 * with 403 recorded. */
int users_suspension_allowed(struct ctx *c, int64_t actor, int actor_role, int64_t target, bool lift);

/* When a suspension asked for in r's input ends: duration (day, week, month or
 * permanent: the forms' presets), until (a future time, RFC 3339), or neither — until
 * lifted, unless required (then 400 on until). *ret_end is PostgreSQL's text of the end
 * ('infinity' for until lifted), *ret_until its RFC 3339 text or NULL for until lifted;
 * both arena strings. 0, or -1 with 400 recorded. Shared by the profile's suspension and
 * the flag queue's "hide and suspend", so both offer the same presets. */
struct req;
int users_suspension_end(struct req *r, bool required, const char **ret_end, const char **ret_until);

/* POST /settings: the signed-in account edits its own profile (as PATCH of itself). */
enum herr users_settings_save(struct req *r);

#endif
