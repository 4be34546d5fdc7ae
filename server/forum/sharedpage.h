/* forum/sharedpage.h — signed-in readers' thread pages from a shared copy (issue 20,
 * target 1).
 *
 * What a thread page shows a signed-in member is mostly what it shows every member of the
 * same kind: same permission role, same standing (suspended or not, address confirmed or
 * not). That part is rendered once per kind and kept
 * in the page cache (http/cache.c) under the thread's tags; what differs per viewer is left
 * as holes (render/template.h) and filled at serve time from the session and one small
 * statement (SHAREDPAGE_VIEWER): the viewer's name, community role, CSRF token and nonce,
 * which posts are theirs, their reactions, bookmarks, read marker and watch.
 *
 * The handler builds the shared copy itself, run with r->shared set: it asks this module
 * for a hole wherever a value depends on the viewer (sharedpage_own and friends), and the
 * viewer it sees (auth_viewer) is a stand-in of the kind with an id no account has. So the
 * page and its holes come from the one handler that also renders a full page, and a test
 * (tests/http/test_shared_pages.py) compares the two for many viewers.
 *
 * A viewer for whom the shared copy would be wrong gets a full render: one with posts only
 * they see on the page or in the thread (held or deleted posts of theirs), and every
 * viewer when the page is not kept (the handler failed, redirected, or the cache is off).
 */
#ifndef CORRAL_FORUM_SHAREDPAGE_H
#define CORRAL_FORUM_SHAREDPAGE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "http/http.h"

struct page_posts;

/* The id the stand-in viewer of a shared render has: no account's, no post's author. */
#define SHAREDPAGE_NOBODY INT64_C(-1)

/* Serve a thread page: from the shared copy of the viewer's kind when there is one (or
 * build it with build and keep it), else by build as a full render. */
enum herr sharedpage_thread(struct req *r, enum herr (*build)(struct req *r));

/* --- for the handler, during a shared render (r->shared set) --- */

/* own_value where post is the viewer's, other_value elsewhere: a plain boolean when they
 * agree, else a hole. */
json_t *sharedpage_own(struct req *r, int64_t post, bool own_value, bool other_value);
/* The same for "the viewer is account `who`" (a thread's author). */
json_t *sharedpage_is(struct req *r, int64_t who, bool own_value, bool other_value);
/* The viewer's reaction `kind` (an index of reactions_kinds) on post. */
json_t *sharedpage_reacted(struct req *r, int64_t post, int kind);
/* "new since you last read" on a visible post. */
json_t *sharedpage_unread(struct req *r, int64_t post);
/* The viewer's bookmark of post: an object with remind_at (+ _h) and reminded holes. */
json_t *sharedpage_bookmark(struct req *r, int64_t post);
/* Whether the viewer watches the thread. */
json_t *sharedpage_watching(struct req *r);
/* The page hook's viewer values: page.viewer (from the stand-in's standing) and the
 * CSRF token and nonce. */
json_t *sharedpage_viewer_json(struct req *r, json_t *standing);
json_t *sharedpage_csrf(struct req *r);
json_t *sharedpage_nonce(struct req *r);
/* The composer's {trusted, approvals_needed}. */
json_t *sharedpage_composer(struct req *r);
/* The page's thread and posts (after decorating): which posts the fill asks about. */
void sharedpage_posts(struct req *r, int64_t thread, const struct page_posts *pp);

#endif
