/* forum/anonymous.h — posting as "a verified practitioner" (issue 21, schema/0034): who may
 * post without their name, an admin's logged look at who wrote such a post, and a
 * moderator's suspension of its author through the post, without the name. */
#ifndef CORRAL_FORUM_ANONYMOUS_H
#define CORRAL_FORUM_ANONYMOUS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "http/http.h"

/* Read "anonymous" (JSON boolean, or the form's checkbox) of a new thread or reply into
 * ret (false when absent). Only a verified practitioner (role verified, community kind
 * 'doer') may ask for it. 0, or -1 with 400 or 403 (reason "not_verified_practitioner")
 * recorded. */
int anonymous_input(struct req *r, bool *ret);
/* Whether v may post without their name: a verified practitioner. */
struct viewer;
bool anonymous_allowed(const struct viewer *v);

#endif
