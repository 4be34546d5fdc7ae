/* forum/thread_paging.c — see thread_paging.h. Posts stay keyset-paged on their path
 * (?after=, what "next" links to); ?page=N jumps by finding the path that ends page N-1
 * with an OFFSET over the thread's part of the path index, in the same statement that
 * counts the pages. Counting and that OFFSET read every post of the thread the viewer
 * sees, which costs little for a few thousand posts; a second cursor (?before=) would
 * avoid it but could not give "page N of M" or a "last" link. */
#include "forum/thread_paging.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "core/arena.h"
#include "core/jsonset.h"
#include "db/db.h"
#include "forum/page_posts.h"
#include "forum/policy.h"
#include "forum/posts.h"
#include "forum/threads.h"

/* page: the page asked for, 0 for none (a first page or a cursor). */
static struct db_call
thread_paging_stats_call(struct req *r, int64_t thread, const char *after, int64_t page, int size)
{
	struct viewer *v = auth_viewer(r);

	return DB_CALL_MAKE(&r->c, STMT_POSTS_PAGE_STATS, db_int(&r->c, thread), after ? after : "",
			    db_int(&r->c, page > 1 ? (page - 1) * size - 1 : -1), db_int(&r->c, v ? v->id : 0),
			    policy_is_moderator(v) ? "true" : "false");
}

int
thread_paging_size(const struct req *r)
{
	return r->html ? THREAD_HTML_PAGE_SIZE : forum_config()->page_size;
}

struct db_call
thread_paging_window_call(struct req *r, int64_t thread, const char *after)
{
	return thread_paging_stats_call(r, thread, after, 0, thread_paging_size(r));
}

int
thread_paging_window(struct req *r, int64_t thread, const char *after, struct thread_window *w)
{
	const char *asked = http_query(r, "page");
	int64_t page = 0, total, before;
	PGresult *res;

	memset(w, 0, sizeof *w);
	w->size = thread_paging_size(r);
	if (asked && http_query_int(r, "page", 1, 1000000, 1, &page) != 0)
		return -1;
	if (page && after) {
		http_fail(r, HERR_INVALID, "page", "Ask for a page or for the posts after a cursor, not both.");
		return -1;
	}
	res = db_exec_call(&r->c, thread_paging_stats_call(r, thread, after, page, w->size));
	if (res == NULL)
		return -1;
	total = db_i64(res, 0, db_col(res, "total"));
	before = db_i64(res, 0, db_col(res, "before"));
	w->count = total > 0 ? (total + w->size - 1) / w->size : 1;
	if (page > w->count) {
		http_fail(r, HERR_NOT_FOUND, "page", "This thread has no such page.");
		return -1;
	}
	if (page > 1) {
		w->after = arena_strdup(r->c.arena, db_str(res, 0, db_col(res, "jump_path")));
		w->current = page;
	} else {
		w->after = after ? after : "";
		/* A cursor from the API (200 a page) need not end an HTML page: the page it
		 * falls in is near enough for "page N of M". */
		w->current = page == 1 ? 1 : before / w->size + 1;
		if (w->current > w->count)
			w->current = w->count;
	}
	if (db_str(res, 0, db_col(res, "newest_id")) != NULL) {
		w->newest_id = db_i64(res, 0, db_col(res, "newest_id"));
		w->newest_page = db_i64(res, 0, db_col(res, "newest_before")) / w->size + 1;
	}
	w->read_upto = db_i64(res, 0, db_col(res, "read_upto"));
	if (db_str(res, 0, db_col(res, "unread_id")) != NULL) {
		w->unread_id = db_i64(res, 0, db_col(res, "unread_id"));
		w->unread_page = db_i64(res, 0, db_col(res, "unread_before")) / w->size + 1;
	}
	return 0;
}

static json_t *
thread_paging_url(struct req *r, int64_t thread, int64_t page)
{
	if (page <= 1)
		return json_string(arena_printf(r->c.arena, r->html ? "/t/%lld" : "/api/v1/threads/%lld",
						(long long)thread));
	return json_string(arena_printf(r->c.arena, r->html ? "/t/%lld?page=%lld" : "/api/v1/threads/%lld?page=%lld",
					(long long)thread, (long long)page));
}

void
thread_paging_model(struct req *r, int64_t thread, const struct thread_window *w, const char *next)
{
	json_t *pages = json_object(), *newest = json_null();

	JSON_SET(pages, "current", json_integer(w->current));
	JSON_SET(pages, "count", json_integer(w->count));
	JSON_SET(pages, "size", json_integer(w->size));
	JSON_SET(pages, "first", thread_paging_url(r, thread, 1));
	JSON_SET(pages, "prev", w->current > 1 ? thread_paging_url(r, thread, w->current - 1) : json_null());
	JSON_SET(pages, "next", next ? json_string(arena_printf(r->c.arena,
		r->html ? "/t/%lld?after=%s" : "/api/v1/threads/%lld?after=%s", (long long)thread, next)) : json_null());
	JSON_SET(pages, "last", thread_paging_url(r, thread, w->count));
	if (w->newest_id) {
		json_t *url = thread_paging_url(r, thread, w->newest_page);

		newest = json_pack("{s:I,s:I,s:s++}", "id", (json_int_t)w->newest_id, "page", (json_int_t)w->newest_page,
				   "url", json_string_value(url), "#p",
				   arena_printf(r->c.arena, "%lld", (long long)w->newest_id));
		json_decref(url);
	}
	JSON_SET(pages, "newest", newest);
	if (r->html) {
		JSON_SET(pages, "is_paged", json_boolean(w->count > 1));
		JSON_SET(pages, "on_first", json_boolean(w->current <= 1));
		JSON_SET(pages, "on_last", json_boolean(next == NULL));
	}
	JSON_SET(r->model, "pages", pages);
}

static int
thread_paging_parents(struct req *r, const char *ids, json_t *far)
{
	struct viewer *v = auth_viewer(r);
	PGresult *res = db_q(&r->c, STMT_POSTS_PARENTS, ids, NULL, NULL, db_int(&r->c, v ? v->id : 0),
			     policy_is_moderator(v) ? "true" : "false");

	if (res == NULL)
		return -1;
	for (int i = 0; i < PQntuples(res); i++) {
		const char *name = db_str(res, i, 1);

		json_object_set_new(far, db_str(res, i, 0), name ? json_string(name) : json_null());
	}
	return 0;
}

/* prefix and the id's text as one JSON string: json_pack and printf cost more than the
 * object they make, three times per post (callgrind). */
static json_t *
thread_paging_post_url(const char *prefix, const char *key)
{
	char url[32];
	size_t n = strlen(prefix), k = strlen(key);

	memcpy(url, prefix, n);
	memcpy(url + n, key, k + 1);
	return json_stringn(url, n + k);
}

/* {"id", "author" (taken; NULL: null), "url" (taken)[, "phone_only" (taken)]}, members in
 * that order as json_pack made them. */
static json_t *
thread_paging_reply_to(json_int_t parent, json_t *author, json_t *url, json_t *phone_only)
{
	json_t *o = json_object();

	JSON_SET(o, "id", json_integer(parent));
	JSON_SET(o, "author", author ? author : json_null());
	JSON_SET(o, "url", url);
	if (phone_only)
		JSON_SET(o, "phone_only", phone_only);
	return o;
}

/* The posts of a page by id, for "in reply to": an open-addressing table in the request's
 * arena (a jansson object keyed by the ids' text cost a set and several gets a post). */
struct thread_seen {
	json_int_t id;          /* 0: empty (no post has id 0) */
	json_t *post;           /* the post's object, whose author is read when a reply names it */
};
struct thread_seen_set {
	struct thread_seen *v;
	size_t mask;
};

static struct thread_seen *
thread_seen_slot(const struct thread_seen_set *h, json_int_t id)
{
	size_t i = ((uint64_t)id * UINT64_C(0x9E3779B97F4A7C15)) >> 40;

	for (i &= h->mask; h->v[i].id != 0 && h->v[i].id != id; i = (i + 1) & h->mask)
		;
	return &h->v[i];
}

/* Post id when it is on the page, else NULL. */
static json_t *
thread_seen_post(const struct thread_seen_set *h, json_int_t id)
{
	const struct thread_seen *e = thread_seen_slot(h, id);

	return e->id == id ? e->post : NULL;
}

/* The names shown for a page's authors, by their (shared) objects' addresses: a page
 * names a dozen authors in some forty replies, three look-ups each. */
struct thread_names {
	struct {
		json_t *author;
		json_t *name;    /* borrowed from the author object, or json_null() */
	} v[32];
};

/* The author shown for a post: its username, or null for a deleted one; an anonymous
 * post's author is "A verified practitioner" (schema/0034), never the name. Through the
 * table; a new reference. */
static json_t *
thread_names_of(struct thread_names *t, json_t *post)
{
	json_t *author = json_object_get(post, "author");
	size_t h = ((uintptr_t)author >> 4) % (sizeof t->v / sizeof t->v[0]);

	if (author == NULL || t->v[h].author != author) {
		json_t *name = json_object_get(author, json_is_true(json_object_get(author, "anonymous"))
							   ? "display_name" : "username");

		t->v[h].author = author;
		t->v[h].name = name ? name : json_null();
	}
	/* A copy: the author is kept across requests and threads (core/kept.h), and a
	 * reference to its member from this page's model would never be given back. */
	return json_is_string(t->v[h].name) ? json_stringn_nocheck(json_string_value(t->v[h].name),
								    json_string_length(t->v[h].name))
					    : json_null();
}

int
thread_paging_replies(struct req *r, const struct page_posts *pp)
{
	json_t *far = json_object(), *author, *parent_post;
	struct buf ids = BUF_INIT;
	struct thread_seen_set here = { .mask = 15 };
	struct thread_names names = { 0 };
	json_int_t prev = 0;
	char key[24];
	int rc = 0;

	while (here.mask + 1 < 2 * pp->n)
		here.mask = 2 * here.mask + 1;
	here.v = arena_calloc(r->c.arena, here.mask + 1, sizeof *here.v);
	/* Pass 1: which parents are on this page (earlier: tree order) and which are not. */
	for (size_t i = 0; i < pp->n; i++) {
		const struct page_post *p = &pp->v[i];

		if (p->parent && p->parent != prev && thread_seen_post(&here, p->parent) == NULL) {
			buf_putc(&ids, ids.len ? ',' : '{');
			buf_put_i64(&ids, p->parent);
		}
		if (p->id != 0)
			*thread_seen_slot(&here, p->id) = (struct thread_seen){ .id = p->id, .post = p->obj };
		prev = p->id;
	}
	if (ids.len) {
		buf_puts(&ids, "}");
		rc = thread_paging_parents(r, ids.data, far);
	}
	/* Pass 2: the line itself. A parent the viewer cannot see keeps only its id. */
	prev = 0;
	for (size_t i = 0; i < pp->n; i++) {
		const struct page_post *p = &pp->v[i];
		json_int_t parent = p->parent, depth = p->depth;

		/* Drawn flat, a reply right after its parent would pass for its sibling. */
		if (r->html && parent && parent == prev && depth > THREAD_INDENT_PHONE) {
			buf_i64_text(key, parent);
			parent_post = thread_seen_post(&here, parent);
			JSON_SET(p->obj, "in_reply_to", thread_paging_reply_to(parent,
				parent_post ? thread_names_of(&names, parent_post) : NULL,
				thread_paging_post_url("#p", key), json_boolean(depth <= THREAD_INDENT_WIDE)));
		}

		if (rc == 0 && parent && parent != prev) {
			buf_i64_text(key, parent);
			parent_post = thread_seen_post(&here, parent);
			author = parent_post ? thread_names_of(&names, parent_post) : json_incref(json_object_get(far, key));
			JSON_SET(p->obj, "in_reply_to", thread_paging_reply_to(parent, author,
				author == NULL ? json_null()
					       : thread_paging_post_url(parent_post && r->html ? "#p" : "/p/", key),
				NULL));
		}
		prev = p->id;
	}
	buf_free(&ids);
	json_decref(far);
	return rc;
}

/* "N replies" of a folded subtree, as json_pack made it. */
static json_t *
thread_paging_subtree(json_int_t depth, size_t replies)
{
	json_t *o = json_object(), *d = json_integer(depth);
	char text[32];
	size_t k = buf_i64_text(text, (long long)replies);

	memcpy(text + k, replies == 1 ? " reply" : " replies", replies == 1 ? 7 : 9);
	JSON_SET(o, "depth", json_incref(d));   /* one integer for both: nothing changes it */
	JSON_SET(o, "indent", d);
	JSON_SET(o, "text", json_stringn_nocheck(text, k + (replies == 1 ? 6 : 8)));
	return o;
}

void
thread_paging_subtrees(const struct page_posts *pp, json_int_t indent_max)
{
	size_t n = pp->n, open[THREAD_HTML_PAGE_SIZE + 1], nopen = 0;
	const struct page_post *v = pp->v;
	/* Each entry of closes is an empty object (one closing of tags): one for all of them. */
	json_t *none = json_object();

	for (size_t i = 0; i < n; i++) {
		json_int_t d = v[i].depth;
		json_t *closes;
		size_t j = i + 1;

		/* Subtrees opened by this post's ancestors' siblings end before it. */
		if (i > 0 && nopen > 0 && v[open[nopen - 1]].depth >= d) {
			closes = json_array();
			while (nopen > 0 && v[open[nopen - 1]].depth >= d) {
				json_array_append(closes, none);
				nopen--;
			}
			JSON_SET(v[i - 1].obj, "closes", closes);
		}
		while (j < n && v[j].depth > d)
			j++;
		/* The opening post's replies are the thread itself: not folded away. */
		if (j == i + 1 || d < 1 || d >= indent_max - 1 || nopen == sizeof open / sizeof open[0])
			continue;
		JSON_SET(v[i].obj, "subtree", thread_paging_subtree(d + 1, j - i - 1));
		open[nopen++] = i;
	}
	if (nopen > 0) {
		json_t *closes = json_array();

		while (nopen-- > 0)
			json_array_append(closes, none);
		JSON_SET(v[n - 1].obj, "closes", closes);
	}
	json_decref(none);
}

enum herr
thread_paging_permalink(struct req *r)
{
	struct viewer *v = auth_viewer(r);
	enum policy_state state;
	int64_t id, thread, before;
	PGresult *res;
	json_t *t;

	if (http_param_id(r, "id", &id) != 0)
		return r->c.err;
	if ((res = db_q(&r->c, STMT_POST_GET, db_int(&r->c, id))) == NULL)
		return r->c.err;
	if (PQntuples(res) == 0)
		return http_fail(r, HERR_NOT_FOUND, NULL, "There is no such post.");
	state = policy_state_parse(db_str(res, 0, db_col(res, "state")));
	/* A deleted post keeps its place in the tree, shown as a placeholder. */
	if (state != STATE_DELETED && !policy_may_see(v, state, db_i64(res, 0, db_col(res, "author_id"))))
		return http_fail(r, HERR_NOT_FOUND, NULL, "There is no such post.");
	thread = db_i64(res, 0, db_col(res, "thread_id"));
	if ((t = threads_load(r, thread)) == NULL)
		return r->c.err;
	json_decref(t);
	res = db_q(&r->c, STMT_POSTS_PAGE_STATS, db_int(&r->c, thread), db_str(res, 0, db_col(res, "path")),
		   "-1", db_int(&r->c, v ? v->id : 0), policy_is_moderator(v) ? "true" : "false");
	if (res == NULL)
		return r->c.err;
	/* The posts up to and including this one: it is the before-th, 1-based. */
	before = db_i64(res, 0, db_col(res, "before"));
	r->status = 302;
	if (before > THREAD_HTML_PAGE_SIZE)
		r->location = arena_printf(r->c.arena, "/t/%lld?page=%lld#p%lld", (long long)thread,
					   (long long)((before - 1) / THREAD_HTML_PAGE_SIZE + 1), (long long)id);
	else
		r->location = arena_printf(r->c.arena, "/t/%lld#p%lld", (long long)thread, (long long)id);
	return HERR_OK;
}
