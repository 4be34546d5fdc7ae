/* forum/verification.h — verified community roles (issue 21): what other modules ask of
 * them. A member is verified when users.role_verified is true, which the database keeps
 * meaning "verified for the community role held now" (schema/0031: any change of role
 * drops it). struct viewer's role_verified is that flag for the one asking; in SQL,
 * VERIFY_AS(u, role) (db/sql/verification.def) or user_verified_as(id, role) tests a row
 * that stored the role it was made with. */
#ifndef CORRAL_FORUM_VERIFICATION_H
#define CORRAL_FORUM_VERIFICATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/http.h"

/* Is the address at a well-known free-mail provider (gmail.com, outlook.com…)? Such an
 * address says nothing of an employer: the moderator is told, the request is not refused.
 * Pure; false for NULL or an address without '@'. */
bool verification_free_mail(const char *email);

/* ?verified=1 on a page or an API read: count only verified members. *ret false when
 * absent or 0; -1 with 400 recorded when malformed. Sets the model's "verified_only" (the
 * pages' switch, partial verified_switch) either way. */
int verification_only(struct req *r, bool *ret);

/* Replace the thread's voices (thread_model's "voices") by those of verified members.
 * One statement. 0 or -1 (recorded). */
int verification_thread_voices(struct req *r, int64_t thread, json_t *thread_model);

/* Replace each idea's "votes" in ideas (an array of objects with "number") by the votes of
 * verified members. One statement. 0 or -1 (recorded). */
int verification_idea_votes(struct req *r, json_t *ideas);

#endif
