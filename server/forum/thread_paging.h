/* forum/thread_paging.h — the pages of a long thread: where a page stands (page N of M,
 * first/previous/next/last, the page holding the newest post), "in reply to" for replies
 * whose parent is not the post just before them, the collapsible subtrees of the HTML view,
 * and post permalinks (/p/{id}) that land on the page holding the post. */
#ifndef CORRAL_FORUM_THREAD_PAGING_H
#define CORRAL_FORUM_THREAD_PAGING_H

#include <jansson.h>
#include <stdint.h>

#include "db/db.h"
#include "http/http.h"

struct page_posts;

/* Posts per HTML page: 50 keeps a 300-reply thread's page light enough for a phone.
 * The API keeps forum_config's page_size (200). */
#define THREAD_HTML_PAGE_SIZE 50

struct thread_window {
	int size;                   /* posts per page in this view */
	const char *after;          /* the posts start after this path ('' = the start) */
	int64_t current, count;     /* page N of M */
	int64_t newest_id, newest_page;   /* 0 when the viewer sees no post */
	int64_t read_upto;          /* the viewer's read marker (forum/unread.h); 0: none */
	int64_t unread_id, unread_page;   /* the first unread post in tree order; 0: none */
};

/* Where the page asked for (?page=N or ?after=path, already checked) stands; one query.
 * Returns 0, or -1 with the request's error set (a page past the last: 404). */
int thread_paging_window(struct req *r, int64_t thread, const char *after, struct thread_window *w);
/* Posts a page of this view shows: 50 on an HTML page, the API's page size. */
int thread_paging_size(const struct req *r);
/* The statement thread_paging_window runs for a first page or a cursor (no ?page=), as it
 * will run it: for db_prefetch. */
struct db_call thread_paging_window_call(struct req *r, int64_t thread, const char *after);
/* model.pages from the window and the next page's cursor (NULL: the last page). */
void thread_paging_model(struct req *r, int64_t thread, const struct thread_window *w, const char *next);
/* The deepest level corral.css indents the reply tree to (li.post.depth-N): on a wide
 * screen and on a phone. A reply deeper than that is drawn flat below its parent. */
#define THREAD_INDENT_WIDE 6
#define THREAD_INDENT_PHONE 3

/* in_reply_to on every post whose parent is not the post before it; at most one query
 * (the parents on earlier pages). In the HTML view also on a reply right after its parent
 * that is drawn flat (deeper than THREAD_INDENT_PHONE), with phone_only while a wide
 * screen still indents it. Before the posts lose their parent_id. */
int thread_paging_replies(struct req *r, const struct page_posts *pp);
/* The HTML view's collapsible subtrees: a post at a depth below indent_max with replies
 * on the page gets subtree {depth, indent, text} (its replies follow in a <details>), and
 * the post ending subtrees gets closes: one entry per subtree it ends. Deeper posts stay
 * flat, as their indentation does. */
void thread_paging_subtrees(const struct page_posts *pp, json_int_t indent_max);
/* GET /p/{id}: a redirect to the thread page holding the post, at its anchor. */
enum herr thread_paging_permalink(struct req *r);

#endif
