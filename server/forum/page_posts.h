/* forum/page_posts.h — what the decorators of a page of posts ask of each post, read once.
 *
 * A page's posts are jansson objects: the model both views render. The decorators that mark
 * them up for the viewer (flags, "in reply to", folded subtrees, unread, held reasons,
 * reactions, answers, bookmarks, the shared copy's holes) each asked every post for its
 * id, parent, depth, state and author: some 1,500 jansson look-ups of about 185
 * instructions each on a 50-post page, a tenth of an uncached page's work (issue 20,
 * target 2). They read this table instead, made once: from the statement's result on the
 * thread page, from the objects for the few callers that have only those.
 */
#ifndef CORRAL_FORUM_PAGE_POSTS_H
#define CORRAL_FORUM_PAGE_POSTS_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "forum/policy.h"
#include "http/http.h"

struct page_post {
	json_t *obj;                 /* the post's object in the model (borrowed) */
	int64_t id;
	int64_t parent;              /* 0: the opening post */
	int64_t author;              /* author.id as the model shows it: 0 where it names nobody */
	int32_t depth;
	enum policy_state state;
	bool mine_anonymous;         /* the viewer's own anonymous post (forum/anonymous.h) */
	bool has_body;               /* body_html is shown (not a deleted post's placeholder) */
};

struct page_posts {
	struct page_post *v;         /* in the request's arena */
	size_t n;
	const char *ids;             /* page_posts_ids */
	/* Set by a tree-order thread page: its posts are the first of the limit POSTS_PAGE
	 * selects after this path, as the viewer sees them, so a statement about them may
	 * select them again itself (REACTIONS_WINDOW) and run before they are known. NULL: by
	 * their ids only. */
	const char *after;
	int limit;
};

/* From the posts' rows (FORUM_POST_COLS): row i is posts[i]. posts may hold fewer
 * objects than res rows (the page's look-ahead row dropped). */
void page_posts_of_result(struct req *r, const PGresult *res, json_t *posts, struct page_posts *ret);
/* From the posts' objects alone (a single post, an empty list). */
void page_posts_of_json(struct req *r, json_t *posts, struct page_posts *ret);

/* The posts' ids as a PostgreSQL bigint[] literal ("{12,15}", "{}"), in the arena: the
 * parameter of the statements that read something of every post of the page. Made with the
 * table: a signed-in page's statements name them four times (made for db_prefetch, and
 * again as they run). */
static inline const char *
page_posts_ids(const struct page_posts *pp)
{
	return pp->ids;
}

/* The author id that viewer-relative checks (may edit, may flag, unread) use: author.id,
 * or for an anonymous post (whose author JSON has no id) the viewer's own id when the post
 * is theirs (mine_anonymous), else 0 (nobody). */
static inline int64_t
page_post_author(const struct page_post *p, int64_t viewer)
{
	return p->mine_anonymous ? viewer : p->author;
}

#endif
