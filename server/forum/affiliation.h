/* forum/affiliation.h — helpers' declared affiliations (schema/0032): the organisation a
 * consultant, vendor, analyst or trainer works for and what a vendor sells, shown beside
 * their role on posts and profiles; categories that require one before a helper posts. */
#ifndef CORRAL_FORUM_AFFILIATION_H
#define CORRAL_FORUM_AFFILIATION_H

#include <stdint.h>

#include "core/ctx.h"
#include "http/http.h"

/* May the viewer (signed in, allowed to write: the caller checked) start a thread or
 * reply in category category_id? Practitioners, moderators and admins always; a helper
 * when the category does not require an affiliation or they declared one. 0, or -1 with
 * 403 recorded (reason "affiliation_required" and a link to the settings section). */
int affiliation_may_post(struct req *r, int64_t category_id);

/* Add member id's affiliation to their profile model user ("affiliation": {organisation,
 * products} or null, shown while their role is a helper's). 0 or -1 (error recorded). */
int affiliation_profile(struct req *r, int64_t id, json_t *user);

/* Add the viewer's affiliation to the settings page's model ("my_affiliation"). */
enum herr affiliation_settings_model(struct req *r);

#endif
