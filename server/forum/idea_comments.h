/* forum/idea_comments.h — comments on an idea as the idea page (ideas_pages.c) shows
 * them; the routes are idea_comments_routes (routes.h). */
#ifndef CORRAL_FORUM_IDEA_COMMENTS_H
#define CORRAL_FORUM_IDEA_COMMENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "http/http.h"

/* Add the comments of idea n as the viewer may see them (oldest first; hidden ones for
 * moderators) to the page's model: "comments" (each with is_hidden, can_edit, can_hide,
 * can_unhide), "has_comments" and "can_comment" (merged ideas take no new ones).
 * 0, or -1 with the error recorded. */
int idea_comments_page(struct req *r, int64_t n, bool merged);

#endif
