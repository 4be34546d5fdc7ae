/* forum/ideas_internal.h — what ideas.c (the corral's data and changes) gives
 * ideas_pages.c (the board, the idea page, the feed and the route table). */
#ifndef CORRAL_FORUM_IDEAS_INTERNAL_H
#define CORRAL_FORUM_IDEAS_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/ctx.h"
#include "http/http.h"

/* The idea as GET /api/v1/ideas/{n} shows it to viewer_id (0 = anonymous; mod: also the
 * sources others may not see). A new reference, or NULL (404 recorded when missing). */
json_t *ideas_load(struct ctx *c, int64_t number, int64_t viewer_id, bool mod);

/* Handlers. Each is both an API route and the target of a page's form. */
enum herr ideas_create(struct req *r);   /* moderator: {title, summary, source_post_ids?} */
enum herr ideas_edit(struct req *r);     /* moderator: {title?, summary?, status?, reason?} */
enum herr ideas_merge(struct req *r);    /* moderator: {into, reason?} */
enum herr ideas_vote(struct req *r);     /* active member */
enum herr ideas_unvote(struct req *r);
/* ideas_pages.c: the idea page (GET /ideas/{n}), also the page of the comment forms. */
enum herr ideas_show(struct req *r);

/* ideas_follow.c: following an idea without voting (member), and telling everyone who
 * cares about an idea (voters, followers, authors and nominators of its sources, the
 * member who proposed it, its commenters) what actor did, in words (message, with the
 * reason), inside the caller's transaction. ideas_notify: 0, or -1 with the error recorded. */
enum herr ideas_follow(struct req *r);
enum herr ideas_unfollow(struct req *r);
int ideas_notify(struct ctx *c, int64_t number, int64_t actor, const char *message);

#endif
