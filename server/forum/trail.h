/* forum/trail.h — the trail from a member's posts to ideas ("you were heard"): on each
 * profile, their posts that were nominated or became ideas with those ideas' status now;
 * on an idea, how many of its source posts came from practitioners. */
#ifndef CORRAL_FORUM_TRAIL_H
#define CORRAL_FORUM_TRAIL_H

#include <stdint.h>

#include "core/ctx.h"
#include "http/http.h"

/* Add the trail of member id to the profile model ("trail": {posts: [{post_id, url,
 * excerpt, thread, created_at, nominations, nominated_at, nomination, ideas: [{number, ref,
 * title, status, url, added_at}]}], nominated, ideas}), as the viewer may see the posts
 * (the profile lists' rule). 0 or -1 (error recorded). */
int trail_profile(struct req *r, int64_t id);

/* Count an idea's source posts by their authors' kind ("source_summary": {posts,
 * practitioner_posts, practitioners}) from the sources the viewer was given, and mark each
 * source "from_practitioner". */
void trail_idea_sources(json_t *idea);

#endif
