/* forum/unread.h — what is new to a member since they were here (issue 19): one read
 * marker per member and thread (schema/0024: the highest post id up to which every visible
 * post of others was shown to them), recorded by the thread page's own GET; the unread and
 * new badges of the thread lists (computed in the lists' query); /unread, /new-threads and
 * their API twins; "mark all read"; and /t/{id}/unread, which opens a thread at the first
 * post past the marker. */
#ifndef CORRAL_FORUM_UNREAD_H
#define CORRAL_FORUM_UNREAD_H

#include <jansson.h>
#include <stdint.h>

#include "forum/thread_paging.h"
#include "http/http.h"

/* The thread page's part: model.unread (the marker and the first unread post), is_unread
 * on the posts past the marker, and the marker moved past the visible posts shown — one
 * statement, skipped when the page shows nothing past the marker the window read, and for
 * the API unless ?mark_read=1. Anonymous viewers: nothing. 0, or -1 with the error set. */
int unread_thread_page(struct req *r, int64_t thread, const struct thread_window *w, const struct page_posts *pp);
/* The API list rows' unread columns (FORUM_UNREAD_COLS): unread_posts and is_new kept,
 * dropped for anonymous viewers, who get no badges. (A page's rows get unread_text, "3
 * new", and unread_url from forum/thread_list.c.) */
void unread_list_decorate(struct req *r, json_t *threads);

extern const struct route unread_routes[];
extern const size_t unread_routes_n;

#endif
