/* forum/user_lists.h — a member's threads and posts, newest first and paged, as their
 * profile shows them (/u/{name}?threads_page=N&posts_page=N) and the API lists them
 * (/api/v1/users/{name}/threads, /api/v1/users/{name}/posts); only what the viewer may
 * see (forum/policy.c), the statements in db/sql/profiles.def. */
#ifndef CORRAL_FORUM_USER_LISTS_H
#define CORRAL_FORUM_USER_LISTS_H

#include <stdint.h>

#include "http/http.h"

/* Add model.threads and model.posts for the profile page of user_id ({items, page,
 * pages, total, prev, next}, the pages from ?threads_page= and ?posts_page=). 0, or -1
 * with the request's error set (400 for a malformed page, 404 past the last). */
int user_lists_profile(struct req *r, int64_t user_id);

#endif
