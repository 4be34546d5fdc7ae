/* forum/thread_actions.h — moderators' thread actions (thread_actions.c): the pages that
 * lead to a merge or a split, and what the thread page says after one
 * (thread_action_pages.c). */
#ifndef CORRAL_FORUM_THREAD_ACTIONS_H
#define CORRAL_FORUM_THREAD_ACTIONS_H

#include <jansson.h>
#include <stdint.h>

#include "core/arena.h"
#include "http/http.h"

/* The title a split offers when none is given: the thread's title + " (split)", the
 * title shortened (never inside a character) so the whole stays within 200 characters.
 * Arena string. */
const char *thread_actions_split_title(struct arena *a, const char *title);

/* GET /t/{id}/merge (moderators): ?q= lists the threads this one may be merged into,
 * found by title words, number or link; ?into= asks to confirm merging into that one.
 * Also the page a failed POST /t/{id}/merge is shown again on (into from the form). */
enum herr thread_actions_merge_page(struct req *r);

/* GET /t/{id}/split?post_id= (moderators): the posts a split there moves, and the new
 * thread's title and category to confirm. Also the page of a failed POST /t/{id}/split. */
enum herr thread_actions_split_page(struct req *r);

/* For a moderator's thread page: after a merge (?merged=A) or a split (?split_from=A),
 * set "action_notice" {text, rename_url?} on the model saying what happened, read from
 * the moderation log (nothing when the log does not say so); rename_url: the opening
 * post's edit page (first_post), where a split thread is renamed. 0, or -1 with the
 * error recorded. */
int thread_actions_notice(struct req *r, int64_t thread, json_int_t first_post);

#endif
