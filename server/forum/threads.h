/* forum/threads.h — thread lists and loading, shared by the pages that show threads. */
#ifndef CORRAL_FORUM_THREADS_H
#define CORRAL_FORUM_THREADS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "http/http.h"

/* Page `page` (from 1) of visible threads, optionally of one category, latest activity
 * or lowest doer share first, solved 1/0 only those with/without an accepted answer (-1:
 * all), tag_id only those carrying that tag (0: any); sets "threads" and "next_page" on
 * model. 0 or -1. */
int threads_list(struct req *r, int64_t category_id, bool by_doer_share, int solved, int64_t tag_id, int64_t page,
		 json_t *model);
/* ?solved=1|0 (absent or empty: -1, any); the model gets "solved" (and for pages
 * solved_yes/solved_no). 0, or -1 with 400 on field "solved". */
int threads_solved_arg(struct req *r, int *ret);

/* The id of the category with this slug; -1 with a 400 on field "category" recorded when
 * there is none (or with the database error). */
int64_t threads_category_id(struct req *r, const char *slug);

/* The "category" input field: a category id, or a slug looked up as threads_category_id
 * does. 0 with *ret, or -1 with a 400 on field "category" (or the database error). */
int threads_category_input(struct req *r, int64_t *ret);

/* The thread as the viewer may see it (pending: author and moderators; hidden or
 * deleted: moderators), with its voices; NULL with 404 recorded. */
json_t *threads_load(struct req *r, int64_t id);

/* Add doer_percent (and for pages: the bar widths and a one-line summary) to a voices
 * object holding participants and doers. */
void threads_voices_decorate(json_t *voices, bool html);

/* "Cutting costs in ITSM!" → "cutting-costs-in-itsm" (ASCII letters and digits; may be
 * empty). Arena string. */
const char *threads_slug(struct ctx *c, const char *title);

/* A live-event notice (NOTIFY corral_events 't:<thread>:<post>', sent when a post
 * becomes visible) → a "post" event to the streams of that thread. Quick and thread-safe:
 * the database listener calls it. */
void threads_live_notice(const char *payload);

/* Something to do in the transaction that stores a reply, once its id is known (reply by
 * email records the use of its address there, so a reply is posted at most once). */
struct threads_reply_hook {
	enum herr (*fn)(struct ctx *c, int64_t post, void *arg);
	void *arg;
};

/* The reply handler (POST /api/v1/threads/{id}/posts): as r's viewer, input "body" and
 * "parent_id", every check of a web reply; hook (may be NULL) runs in its transaction.
 * Sets r->model ({post: {id, thread_id, parent_id, state}}) or records the error. */
enum herr threads_reply_with(struct req *r, const struct threads_reply_hook *hook);

/* The thread page handler (GET /t/{id}), for forms on it to re-show it after an error. */
enum herr threads_page(struct req *r);

#endif
