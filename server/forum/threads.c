/* forum/threads.c — thread lists (home, category, API), the thread page with its reply
 * tree and voices, starting threads, replying, watching. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "core/jsonset.h"
#include "db/db.h"
#include "forum/affiliation.h"
#include "forum/anonymous.h"
#include "forum/bookmarks.h"
#include "forum/feeds.h"
#include "forum/moderation.h"
#include "forum/page_posts.h"
#include "forum/policy.h"
#include "forum/post_forms.h"
#include "forum/posts.h"
#include "forum/reactions.h"
#include "forum/routes.h"
#include "forum/search.h"
#include "forum/sharedpage.h"
#include "forum/tags.h"
#include "forum/thread_actions.h"
#include "forum/thread_list.h"
#include "forum/thread_paging.h"
#include "forum/threads.h"
#include "forum/unread.h"
#include "forum/uploads.h"
#include "forum/verification.h"
#include "http/http.h"
#include "http/stream.h"

#define THREADS_PER_PAGE 30
#define THREADS_MAX_DEPTH 300     /* paths stay well inside a btree entry */
#define THREADS_INDENT_MAX 8      /* deeper replies are drawn flat at this indent */

/* "Cutting costs in ITSM!" → "cutting-costs-in-itsm" (ASCII only; may be empty). */
const char *
threads_slug(struct ctx *c, const char *title)
{
	char *s = arena_alloc(c->arena, 61);
	size_t n = 0;
	bool dash = false;

	for (const unsigned char *p = (const unsigned char *)title; *p && n < 60; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')) {
			if (dash && n > 0)
				s[n++] = '-';
			if (n < 60)
				s[n++] = (char)*p;
			dash = false;
		} else if (*p >= 'A' && *p <= 'Z') {
			if (dash && n > 0)
				s[n++] = '-';
			if (n < 60)
				s[n++] = (char)(*p - 'A' + 'a');
			dash = false;
		} else {
			dash = true;
		}
	}
	s[n] = '\0';
	return s;
}

void
threads_voices_decorate(json_t *voices, bool html)
{
	json_int_t participants = json_integer_value(json_object_get(voices, "participants"));
	json_int_t doers = json_integer_value(json_object_get(voices, "doers"));
	double share = participants ? (double)doers / (double)participants : 0.0;

	JSON_SET(voices, "doer_share", json_real(round(share * 1000.0) / 1000.0));
	JSON_SET(voices, "doer_percent", json_integer((json_int_t)lround(share * 100.0)));
	if (html)
		thread_list_voices_bars(voices, participants, doers);
}

/* --- lists --- */

int
threads_solved_arg(struct req *r, int *ret)
{
	const char *v = http_query(r, "solved");

	*ret = -1;
	if (r->c.err != HERR_OK)
		return -1;
	if (v == NULL || *v == '\0')
		return 0;
	if (strcmp(v, "1") != 0 && strcmp(v, "0") != 0) {
		http_fail(r, HERR_INVALID, "solved", "solved is 1 (threads with an accepted answer) or 0.");
		return -1;
	}
	*ret = *v == '1';
	JSON_SET(http_model(r), "solved", json_integer(*ret));
	if (r->html)
		json_object_set_new(r->model, *ret ? "solved_yes" : "solved_no", json_true());
	return 0;
}

/* The list's rows: by a scan in the list's order, or for a rare tag or few solved threads
 * from those threads. */
static PGresult *
threads_list_rows(struct req *r, int64_t category_id, bool by_doer_share, int solved, int64_t tag_id,
		  int64_t page)
{
	const char *limit = db_int(&r->c, THREADS_PER_PAGE + 1);
	const char *offset = db_int(&r->c, (page - 1) * THREADS_PER_PAGE);
	const char *solved_q = db_int(&r->c, solved);
	const char *viewer = db_int(&r->c, auth_viewer(r) ? auth_viewer(r)->id : 0);
	const char *tag = db_int(&r->c, tag_id);
	const char *cat = db_int(&r->c, category_id);
	enum stmt_id id;
	PGresult *few = NULL;

	/* a rare tag (THREADS_TAG_FEW says which) is listed from its threads, where the scan
	 * below would read ~31 x threads / its threads before it filled a page; likewise
	 * ?solved=1 when few threads are solved, where the scan would read them all */
	if (tag_id != 0 && (few = db_q(&r->c, STMT_THREADS_TAG_FEW, tag)) == NULL)
		return NULL;
	if ((few == NULL || db_i64(few, 0, 0) > db_i64(few, 0, 1)) && solved == 1 &&
	    (few = db_q(&r->c, STMT_THREADS_SOLVED_FEW, tag, cat)) == NULL)
		return NULL;
	if (few != NULL && db_i64(few, 0, 0) <= db_i64(few, 0, 1))
		return db_q(&r->c, by_doer_share ? STMT_THREADS_TAGGED_DOER_SHARE : STMT_THREADS_TAGGED_LATEST,
			    limit, offset, solved_q, viewer, db_str(few, 0, 2), cat);
	id = by_doer_share ? (category_id ? STMT_THREADS_DOER_SHARE_IN : STMT_THREADS_DOER_SHARE)
			   : (category_id ? STMT_THREADS_LATEST_IN : STMT_THREADS_LATEST);
	return category_id ? db_q(&r->c, id, limit, offset, solved_q, viewer, cat, tag)
			   : db_q(&r->c, id, limit, offset, solved_q, viewer, tag);
}

int
threads_list(struct req *r, int64_t category_id, bool by_doer_share, int solved, int64_t tag_id, int64_t page,
	     json_t *model)
{
	PGresult *res = threads_list_rows(r, category_id, by_doer_share, solved, tag_id, page);

	if (res == NULL)
		return -1;
	JSON_SET(model, "next_page", PQntuples(res) > THREADS_PER_PAGE ? json_integer(page + 1)
							       : json_null());
	/* A page's rows hold what it shows, made from the cells (forum/thread_list.h). */
	JSON_SET(model, "threads", thread_list_rows(r, res, THREADS_PER_PAGE));
	if (page > 1)
		JSON_SET(model, "prev_page", json_integer(page - 1));
	return 0;
}

static int
threads_list_args(struct req *r, const char **ret_sort, int64_t *ret_page)
{
	static const char *const sorts[] = { "latest", "doer_share", NULL };
	const char *sort = http_query(r, "sort");

	if (r->c.err != HERR_OK || http_query_int(r, "page", 1, 100000, 1, ret_page) != 0)
		return -1;
	if (sort && *sort) {
		for (size_t i = 0; sorts[i]; i++)
			if (strcmp(sort, sorts[i]) == 0) {
				*ret_sort = sorts[i];
				return 0;
			}
		http_fail(r, HERR_INVALID, "sort", "sort is latest or doer_share.");
		return -1;
	}
	*ret_sort = "latest";
	return 0;
}

static enum herr
threads_index(struct req *r)
{
	const char *sort, *cat = http_query(r, "category");
	int64_t page, cat_id = 0, tag_id;
	int solved;

	if (threads_list_args(r, &sort, &page) != 0 || threads_solved_arg(r, &solved) != 0)
		return r->c.err;
	http_cache_tag(r, "lists");
	if (cat && *cat && (cat_id = threads_category_id(r, cat)) < 0)
		return r->c.err;
	if (tags_filter_arg(r, &tag_id) != 0 ||
	    threads_list(r, cat_id, strcmp(sort, "doer_share") == 0, solved, tag_id, page, http_model(r)) != 0)
		return r->c.err;
	JSON_SET(r->model, "sort", json_string(sort));
	return HERR_OK;
}

/* --- one thread --- */

static struct db_call
threads_get_call(struct req *r, int64_t id)
{
	return DB_CALL_MAKE(&r->c, STMT_THREAD_GET, db_int(&r->c, id));
}

json_t *
threads_load(struct req *r, int64_t id)
{
	PGresult *res = db_exec_call(&r->c, threads_get_call(r, id));
	json_t *t;

	if (res == NULL)
		return NULL;
	if (PQntuples(res) == 0)
		goto missing;
	/* A thread merged away stays reachable by everyone: it answers with where it went. */
	if (db_str(res, 0, db_col(res, "merged_into")) == NULL &&
	    !policy_may_see(auth_viewer(r), policy_state_parse(db_str(res, 0, db_col(res, "state"))),
			    db_i64(res, 0, db_col(res, "author_id"))))
		goto missing;
	t = db_row_json(res, 0);
	json_object_del(t, "author_id");
	threads_voices_decorate(json_object_get(t, "voices"), r->html);
	return t;
missing:
	http_fail(r, HERR_NOT_FOUND, NULL, "There is no such thread.");
	return NULL;
}

static enum policy_state
threads_state(json_t *thread)
{
	return policy_state_parse(json_string_value(json_object_get(thread, "state")));
}

/* A path cursor is whole six-character base-62 segments. */
static bool
threads_cursor_valid(const char *s)
{
	size_t n = strlen(s);

	return n % 6 == 0 && n <= 1806 &&
	       strspn(s, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") == n;
}

/* A post's columns a page shows only when set (NULL or false on most posts): three hash
 * inserts a post for nothing, and three members the template binds. Safe because to a
 * template a missing name is false and no frame below a post — the page, the thread — has
 * a member of these names (post_item.html reads edited_at and can_restore; mine_anonymous
 * is read from the result, forum/page_posts.c). The API keeps every column. */
static const char *const threads_post_when_set[] = { "edited_at", "can_restore", "mine_anonymous", NULL };
/* Columns read from the result, not shown: a post's path (its place in the tree, the
 * page's cursor), and on a page its state (the flags say it) and thread_id (the page's
 * thread.id says it). */
static const char *const threads_post_api_omit[] = { "path", NULL };
static const char *const threads_post_page_omit[] = { "path", "state", "thread_id", NULL };

/* A page of posts' rows as the model's post objects (authors shared: nothing below changes
 * an author's object). */
static json_t *
threads_post_rows(struct req *r, const PGresult *res, int max_rows)
{
	return r->html ? db_rows_json_shared(res, max_rows, threads_post_page_omit, threads_post_when_set)
		       : db_rows_json_shared(res, max_rows, threads_post_api_omit, NULL);
}

/* Set key (a literal) to true when on: to a template a missing name is false. */
#define THREADS_FLAG(post, key, on)                     \
	do {                                            \
		if (on)                                 \
			JSON_SET(post, key, json_true()); \
	} while (0)

/* Mark up posts for the viewer: what they may do, and how far to indent. */
static void
threads_posts_decorate(struct req *r, const struct page_posts *pp, bool locked, bool tree)
{
	struct viewer *v = auth_viewer(r);
	json_t *indents[THREADS_INDENT_MAX + 1] = { NULL };   /* one integer a level: nothing changes them */

	for (size_t i = 0; i < pp->n; i++) {
		const struct page_post *pi = &pp->v[i];
		json_t *p = pi->obj;
		/* 0 is nobody's id: a post without an author is nobody's own. */
		json_int_t author = page_post_author(pi, v ? v->id : 0);
		enum policy_state state = pi->state;
		json_int_t depth = pi->depth;

		if (r->shared) {
			/* A shared copy (forum/sharedpage.h): as its author, and as anyone else. */
			JSON_SET(p, "can_edit", sharedpage_own(r, pi->id, policy_can_edit(v, state, v->id, locked),
								policy_can_edit(v, state, author, locked)));
			JSON_SET(p, "can_flag", sharedpage_own(r, pi->id, policy_can_flag(v, state, v->id),
								policy_can_flag(v, state, author)));
		} else if (r->html) {
			THREADS_FLAG(p, "can_edit", policy_can_edit(v, state, author, locked));
			THREADS_FLAG(p, "can_flag", policy_can_flag(v, state, author));
		} else {
			JSON_SET(p, "can_edit", json_boolean(policy_can_edit(v, state, author, locked)));
			JSON_SET(p, "can_flag", json_boolean(policy_can_flag(v, state, author)));
		}
		if (r->html) {
			/* Another order than the tree's is drawn flat, "in reply to" saying where. */
			json_int_t indent = !tree ? 0 : depth < THREADS_INDENT_MAX ? depth : THREADS_INDENT_MAX;

			if (indents[indent] == NULL)
				indents[indent] = json_integer(indent);
			JSON_SET(p, "indent", json_incref(indents[indent]));
			/* Only what is true: to a template a missing name is false, and every key
			 * set is a hash insert, seven per post for nothing on most pages. */
			THREADS_FLAG(p, "is_deleted", state == STATE_DELETED);
			THREADS_FLAG(p, "is_pending", state == STATE_PENDING);
			THREADS_FLAG(p, "is_hidden", state == STATE_HIDDEN);
			THREADS_FLAG(p, "mod_hide", policy_can_hide(v, state));
			THREADS_FLAG(p, "mod_unhide", policy_can_unhide(v, state));
			THREADS_FLAG(p, "mod_delete", policy_is_moderator(v) && state != STATE_DELETED);
			THREADS_FLAG(p, "mod_split", policy_is_moderator(v) && pi->parent != 0);
		}
	}
	for (size_t i = 0; i <= THREADS_INDENT_MAX; i++)
		json_decref(indents[i]);
	if (r->html && tree)
		thread_paging_subtrees(pp, THREADS_INDENT_MAX);
}

/* can_tag (forum/tags.c): the author while they may change the thread, or a moderator;
 * with the tags to choose from when the page may offer the change. */
static int
threads_can_tag(struct req *r, json_t *t, bool locked)
{
	struct viewer *v = auth_viewer(r);
	json_int_t author = json_integer_value(json_object_get(json_object_get(t, "author"), "id"));
	bool open = !json_is_integer(json_object_get(t, "merged_into"));
	bool as_author = open && policy_can_edit(v, threads_state(t), v ? v->id : 0, locked);
	bool as_other = open && policy_can_edit(v, threads_state(t), author, locked);

	JSON_SET(r->model, "can_tag", r->shared ? sharedpage_is(r, author, as_author, as_other)
					   : json_boolean(as_other));
	if (r->html && (r->shared ? as_author || as_other : as_other))
		return tags_choices(r, json_object_get(t, "tags"));
	return 0;
}

/* A page of a thread's posts in tree order after the cursor, and one more to tell whether
 * a next page follows. */
static struct db_call
threads_posts_page_call(struct req *r, int64_t id, const struct thread_window *w)
{
	struct viewer *v = auth_viewer(r);

	return DB_CALL_MAKE(&r->c, STMT_POSTS_PAGE, db_int(&r->c, id), w->after, db_int(&r->c, w->size + 1),
			    db_int(&r->c, v ? v->id : 0), policy_is_moderator(v) ? "true" : "false");
}

/* Whether threads_viewer_prefetch sends the page's reactions with the viewer's own
 * statements (after the read marker's write, which would forget them if sent before). */
static bool
threads_viewer_prefetches(struct req *r)
{
	return auth_viewer(r) != NULL && !r->shared;
}

/* The page's first statements in one round trip (db_prefetch): the thread, its paging
 * counts, and for a first page or a cursor (the usual case: the posts' cursor is known
 * before the counts) its posts, and for a reader without statements of their own its
 * posts' reactions (selected by the same window). Each is taken below only if asked for
 * with the same parameters, so a page that goes another way (a hidden thread, ?page=N) is
 * only slower. */
static void
threads_page_prefetch(struct req *r, int64_t id, const char *after, bool by_agreement)
{
	struct db_call calls[4];
	int n = 0;

	if (http_query(r, "page") != NULL)
		return;
	calls[n++] = threads_get_call(r, id);
	calls[n++] = thread_paging_window_call(r, id, after);
	if (!by_agreement) {
		struct thread_window w = { .size = thread_paging_size(r), .after = after ? after : "" };

		calls[n++] = threads_posts_page_call(r, id, &w);
		if (!threads_viewer_prefetches(r))
			calls[n++] = reactions_window_call(r, id, w.after, w.size + 1);
	}
	db_prefetch(&r->c, n, calls);
}

static struct db_call
threads_watching_call(struct req *r, int64_t id)
{
	return DB_CALL_MAKE(&r->c, STMT_WATCHING, db_int(&r->c, id), db_int(&r->c, auth_viewer(r)->id));
}

/* A signed-in viewer's statements of the page once its posts are known, in one round trip:
 * the posts' reactions, the viewer's bookmarks among them, and whether they watch the
 * thread. After the read marker's write (forum/unread.c), which would forget them. */
static void
threads_viewer_prefetch(struct req *r, int64_t id, const struct page_posts *pp)
{
	struct db_call calls[3];
	int n = 0;

	if (!threads_viewer_prefetches(r))
		return;
	calls[n++] = reactions_page_call(r, id, pp);
	if (pp->n > 0)
		calls[n++] = bookmarks_posts_call(r, pp);
	calls[n++] = threads_watching_call(r, id);
	db_prefetch(&r->c, n, calls);
}

/* The thread page as the viewer (or, for a shared copy, its stand-in) sees it. */
static enum herr
threads_page_build(struct req *r)
{
	struct viewer *v = auth_viewer(r);
	const char *after = http_query(r, "after"), *next = NULL;
	bool mod = policy_is_moderator(v), locked, by_agreement, verified;
	struct thread_window w;
	struct page_posts pp;
	json_t *t, *posts;
	PGresult *res;
	int64_t id;

	if (http_param_id(r, "id", &id) != 0 || r->c.err != HERR_OK)
		return r->c.err;
	http_cache_tag(r, "t:%lld", (long long)id);
	if (after && !threads_cursor_valid(after))
		return http_fail(r, HERR_INVALID, "after", "after is a cursor from next_page.");
	if (reactions_sort_arg(r, after != NULL, &by_agreement) != 0)
		return r->c.err;
	/* ?verified=1 before the first statements: the reactions' call reads it. */
	if (verification_only(r, &verified) != 0)
		return r->c.err;
	threads_page_prefetch(r, id, after, by_agreement);
	if ((t = threads_load(r, id)) == NULL)
		return r->c.err;
	JSON_SET(http_model(r), "thread", t);
	if (verified && verification_thread_voices(r, id, t) != 0)
		return r->c.err;
	if (json_is_integer(json_object_get(t, "merged_into")) && r->html) {
		r->status = 301;
		r->location = arena_printf(r->c.arena, "/t/%lld",
					   (long long)json_integer_value(json_object_get(t, "merged_into")));
		return HERR_OK;
	}
	/* The feed has a thread's visible posts, for anyone: a held thread offers none. */
	if (policy_state_parse(json_string_value(json_object_get(t, "state"))) == STATE_VISIBLE)
		feeds_link(r, arena_printf(r->c.arena, "/t/%lld/feed.atom", (long long)id),
			   json_string_value(json_object_get(t, "title")));
	if (thread_paging_window(r, id, after, &w) != 0)
		return r->c.err;
	res = by_agreement ? reactions_posts_by_agreement(r, id, &w)
			   : db_exec_call(&r->c, threads_posts_page_call(r, id, &w));
	if (res == NULL)
		return r->c.err;
	/* Authors shared and kept (db_rows_json_shared): nothing below changes an author's
	 * object, and the rows are never released one by one — the look-ahead row is never
	 * made, and on an error the arena takes them. */
	posts = threads_post_rows(r, res, w.size);
	if (PQntuples(res) > w.size)
		next = db_str(res, w.size - 1, db_col(res, "path"));
	if (by_agreement) {
		reactions_pages_model(r, id, &w, next != NULL);
	} else {
		JSON_SET(r->model, "next_page", next ? json_string(next) : json_null());
		thread_paging_model(r, id, &w, next);
	}
	page_posts_of_result(r, res, posts, &pp);
	if (!by_agreement) {
		/* the posts are POSTS_PAGE's window: their reactions can be asked by it */
		pp.after = w.after;
		pp.limit = w.size + 1;
	}
	if (thread_paging_replies(r, &pp) != 0)
		return r->c.err;
	locked = json_is_true(json_object_get(t, "locked"));
	threads_posts_decorate(r, &pp, locked, !by_agreement);
	if (unread_thread_page(r, id, &w, &pp) != 0)
		return r->c.err;
	JSON_SET(r->model, "posts", posts);
	threads_viewer_prefetch(r, id, &pp);
	if (posts_held_reasons(r, &pp) != 0 || reactions_decorate(r, id, &pp, t) != 0 ||
	    bookmarks_decorate(r, &pp) != 0)
		return r->c.err;
	if (v)
		JSON_SET(r->model, "composer", posts_composer(r));
	JSON_SET(r->model, "can_reply", json_boolean(policy_can_reply(v, threads_state(t), locked)));
	JSON_SET(r->model, "can_moderate", json_boolean(mod));
	/* tags (forum/tags.c): the author while they may change the thread, or a moderator */
	if (threads_can_tag(r, t, locked) != 0)
		return r->c.err;
	if (mod && r->html &&
	    thread_actions_notice(r, id, json_integer_value(json_object_get(t, "first_post_id"))) != 0)
		return r->c.err;
	if (mod && r->html) {
		if ((res = db_q0(&r->c, STMT_CATEGORIES)) == NULL)
			return r->c.err;
		JSON_SET(r->model, "categories", db_rows_json(res));
	}
	if (r->shared) {
		JSON_SET(r->model, "watching", sharedpage_watching(r));
		sharedpage_posts(r, id, &pp);
	} else if (v) {
		if ((res = db_exec_call(&r->c, threads_watching_call(r, id))) == NULL)
			return r->c.err;
		JSON_SET(r->model, "watching", json_boolean(PQntuples(res) > 0));
	}
	r->title = arena_strdup(r->c.arena, json_string_value(json_object_get(t, "title")));
	return HERR_OK;
}

enum herr
threads_page(struct req *r)
{
	return sharedpage_thread(r, threads_page_build);
}

/* --- writing --- */

int
threads_category_input(struct req *r, int64_t *ret)
{
	json_t *v = json_object_get(r->input, "category");
	const char *slug;
	int64_t id;

	if (json_is_integer(v)) {
		*ret = json_integer_value(v);
		return 0;
	}
	if (in_string(r, "category", 1, 64, IN_REQUIRED | IN_TRIM, &slug) < 0 ||
	    (id = threads_category_id(r, slug)) < 0)
		return -1;
	*ret = id;
	return 0;
}

int64_t
threads_category_id(struct req *r, const char *slug)
{
	PGresult *res = db_q(&r->c, STMT_CATEGORY_ID, slug);

	if (res == NULL)
		return -1;
	if (PQntuples(res) == 0) {
		http_fail(r, HERR_INVALID, "category", "There is no such category.");
		return -1;
	}
	return db_i64(res, 0, 0);
}

/*
 * Store a new post (an opening post when parent is 0) with what every post has: its first
 * revision, its author watching the thread, its mentions and IDEA-n references, and its
 * place in the pending queue when hold says why it waits. Inside the caller's transaction.
 * Returns the post's id, or -1 with c->err set.
 */
static int64_t
threads_post_store(struct ctx *c, int64_t thread, int64_t parent, int64_t author, const char *state,
		   const struct post_body *body, const char *hold)
{
	PGresult *res;
	int64_t post;

	res = db_q(c, STMT_POST_CREATE, db_int(c, thread), parent ? db_int(c, parent) : NULL, db_int(c, author),
		   state, body->source, body->html, body->version, body->anonymous ? "true" : "false");
	if (res == NULL)
		return -1;
	post = db_i64(res, 0, 0);
	if (db_q(c, STMT_REVISION_ADD, db_int(c, post), db_int(c, author), body->source) == NULL ||
	    db_q(c, STMT_WATCH_ADD, db_int(c, thread), db_int(c, author)) == NULL ||
	    posts_store_refs(c, post, body, false) != 0 ||
	    (hold && moderation_enqueue(c, "pending", post, hold) < 0))
		return -1;
	return post;
}

struct threads_new {
	int64_t category, author, thread, post;
	const char *title, *slug, *state, *hold;
	struct post_body body;
	struct tags_chosen tags;
};

static enum herr
threads_create_tx(struct ctx *c, void *arg)
{
	struct threads_new *n = arg;
	PGresult *res;

	res = db_qx(c, STMT_THREAD_CREATE,
		    DB_EXPECT({ "23503", HERR_INVALID, "category", "There is no such category." }),
		    db_int(c, n->category), n->title, n->slug, db_int(c, n->author), n->state);
	if (res == NULL)
		return c->err;
	n->thread = db_i64(res, 0, 0);
	n->post = threads_post_store(c, n->thread, 0, n->author, n->state, &n->body, n->hold);
	if (n->post > 0 && n->tags.n > 0)
		tags_store(c, n->thread, &n->tags);
	return c->err;
}

static enum herr threads_preview(struct req *r);

static enum herr
threads_create(struct req *r)
{
	struct threads_new n = { 0 };
	enum policy_hold hold;
	json_t *t;

	if (r->html && json_object_get(r->input, "preview") != NULL)
		return threads_preview(r);
	if (posts_may_write(r) != 0 || threads_category_input(r, &n.category) != 0 ||
	    affiliation_may_post(r, n.category) != 0 ||
	    in_string(r, "title", 3, 200, IN_REQUIRED | IN_TRIM, &n.title) < 0 ||
	    uploads_attach_form(r) != 0 || posts_read_body(r, &n.body) != 0 || tags_input(r, &n.tags) < 0 ||
	    anonymous_input(r, &n.body.anonymous) != 0)
		return r->c.err;
	if (posts_count_write(r) != 0)
		return r->c.err;
	n.author = auth_viewer(r)->id;
	n.slug = threads_slug(&r->c, n.title);
	if (posts_hold(r, &n.body, &hold) != 0)
		return r->c.err;
	n.hold = policy_hold_name(hold);
	n.state = policy_state_name(policy_initial_state(hold));
	if (db_transaction(&r->c, threads_create_tx, &n) != HERR_OK)
		return r->c.err;
	if ((t = threads_load(r, n.thread)) == NULL)
		return r->c.err;
	JSON_SET(http_model(r), "thread", t);
	JSON_SET(r->model, "post", json_pack("{s:I,s:s}", "id", (json_int_t)n.post, "state", n.state));
	r->status = 201;
	r->location = arena_printf(r->c.arena, "/t/%lld/%s", (long long)n.thread, n.slug);
	return HERR_OK;
}

struct threads_reply {
	int64_t thread, parent, author, post;
	const char *state, *hold;
	struct post_body body;
	const struct threads_reply_hook *hook;
};

static enum herr
threads_reply_tx(struct ctx *c, void *arg)
{
	struct threads_reply *n = arg;

	n->post = threads_post_store(c, n->thread, n->parent, n->author, n->state, &n->body, n->hold);
	if (n->post > 0 && n->hook)
		return n->hook->fn(c, n->post, n->hook->arg);
	return c->err;
}

/* The parent must be a post of this thread that the viewer can reply to. */
static int
threads_check_parent(struct req *r, int64_t thread, int64_t parent)
{
	PGresult *res = db_q(&r->c, STMT_POST_GET, db_int(&r->c, parent));

	if (res == NULL)
		return -1;
	if (PQntuples(res) == 0 || db_i64(res, 0, db_col(res, "thread_id")) != thread) {
		http_fail(r, HERR_INVALID, "parent_id", "parent_id is not a post of this thread.");
		return -1;
	}
	if (!policy_may_see(auth_viewer(r), policy_state_parse(db_str(res, 0, db_col(res, "state"))),
			    db_i64(res, 0, db_col(res, "author_id")))) {
		http_fail(r, HERR_INVALID, "parent_id", "That post cannot be replied to.");
		return -1;
	}
	if (db_i64(res, 0, db_col(res, "depth")) >= THREADS_MAX_DEPTH) {
		http_fail(r, HERR_INVALID, "parent_id", "This reply chain is too deep; reply higher up.");
		return -1;
	}
	return 0;
}

static enum herr
threads_reply(struct req *r)
{
	return threads_reply_with(r, NULL);
}

enum herr
threads_reply_with(struct req *r, const struct threads_reply_hook *hook)
{
	struct threads_reply n = { .hook = hook };
	enum policy_hold hold;
	const char *why;
	struct viewer *v;
	json_t *t;
	enum herr e;
	int rc;

	if (http_param_id(r, "id", &n.thread) != 0 || posts_may_write(r) != 0)
		return r->c.err;
	v = auth_viewer(r);
	if ((t = threads_load(r, n.thread)) == NULL)
		return r->c.err;
	r->model = json_pack("{s:o}", "thread", t);
	if (json_is_integer(json_object_get(t, "merged_into"))) {
		r->c.extra = json_pack("{s:I}", "merged_into", json_integer_value(json_object_get(t, "merged_into")));
		http_defer_json(r, r->c.extra);
		return http_fail(r, HERR_CONFLICT, NULL, "This thread was merged into another one; reply there.");
	}
	if ((e = policy_reply(v, threads_state(t), json_is_true(json_object_get(t, "locked")), &why)) != HERR_OK)
		return http_fail(r, e, NULL, why);
	if (affiliation_may_post(r, json_integer_value(json_object_get(json_object_get(t, "category"), "id"))) != 0)
		return r->c.err;
	if ((rc = in_int(r, "parent_id", 1, INT64_MAX, IN_NULLABLE, &n.parent)) < 0)
		return r->c.err;
	if (rc == 1)
		n.parent = json_integer_value(json_object_get(t, "first_post_id"));
	if (threads_check_parent(r, n.thread, n.parent) != 0 || uploads_attach_form(r) != 0 ||
	    posts_read_body(r, &n.body) != 0 || anonymous_input(r, &n.body.anonymous) != 0 ||
	    posts_count_write(r) != 0)
		return r->c.err;
	n.author = v->id;
	if (posts_hold(r, &n.body, &hold) != 0)
		return r->c.err;
	n.hold = policy_hold_name(hold);
	n.state = policy_state_name(policy_initial_state(hold));
	if (db_transaction(&r->c, threads_reply_tx, &n) != HERR_OK)
		return r->c.err;
	json_decref(r->model);
	r->model = json_pack("{s:{s:I,s:I,s:I,s:s}}", "post", "id", (json_int_t)n.post, "thread_id",
			     (json_int_t)n.thread, "parent_id", (json_int_t)n.parent, "state", n.state);
	r->status = 201;
	r->location = arena_printf(r->c.arena, "/t/%lld#p%lld", (long long)n.thread, (long long)n.post);
	return HERR_OK;
}

/* GET /p/{id}/fragment: one post drawn as on its thread page, for the live view to
 * insert when an event says it appeared. */
static enum herr
threads_post_fragment(struct req *r)
{
	struct viewer *v = auth_viewer(r);
	bool mod = policy_is_moderator(v), locked;
	struct page_posts pp;
	PGresult *res;
	json_t *t, *posts;
	int64_t id;

	if (http_param_id(r, "id", &id) != 0)
		return r->c.err;
	res = db_q(&r->c, STMT_POST_ONE, db_int(&r->c, id), NULL, NULL, db_int(&r->c, v ? v->id : 0),
		   mod ? "true" : "false");
	if (res == NULL)
		return r->c.err;
	if (PQntuples(res) == 0)
		return http_fail(r, HERR_NOT_FOUND, NULL, "There is no such post.");
	if ((t = threads_load(r, db_i64(res, 0, db_col(res, "thread_id")))) == NULL)
		return r->c.err;
	locked = json_is_true(json_object_get(t, "locked"));
	posts = threads_post_rows(r, res, -1);
	page_posts_of_result(r, res, posts, &pp);
	threads_posts_decorate(r, &pp, locked, true);
	r->model = json_pack("{s:o,s:o,s:b}", "thread", t, "posts", posts, "can_reply",
			     policy_can_reply(v, threads_state(t), locked));
	if (posts_held_reasons(r, &pp) != 0 ||
	    reactions_decorate(r, json_integer_value(json_object_get(t, "id")), &pp, NULL) != 0 ||
	    bookmarks_decorate(r, &pp) != 0)
		return r->c.err;
	return HERR_OK;
}

void
threads_live_notice(const char *payload)
{
	long long thread, post;
	char topic[48], id[24], data[96];

	if (sscanf(payload, "t:%lld:%lld", &thread, &post) != 2)
		return;
	snprintf(topic, sizeof topic, "t:%lld", thread);
	snprintf(id, sizeof id, "%lld", post);
	snprintf(data, sizeof data, "{\"id\":%lld,\"thread_id\":%lld}", post, thread);
	stream_publish(topic, "post", id, data);
}

/* GET /t/{id}/events: new posts of the thread as Server-Sent Events. */
static enum herr
threads_events(struct req *r)
{
	json_t *t;
	int64_t id;

	const char *last = http_header(r, "Last-Event-ID");
	struct buf missed = BUF_INIT;
	long long since;
	int rc;

	if (http_param_id(r, "id", &id) != 0 || (t = threads_load(r, id)) == NULL)
		return r->c.err;
	json_decref(t);
	/* A reader that reconnects says which post it saw last: send what it missed. */
	if (last && sscanf(last, "%lld", &since) == 1 && since > 0) {
		/* Best effort, on a ctx of its own: without the backlog the stream still starts. */
		struct ctx quiet = { .arena = r->c.arena, .rid = r->c.rid, .read_replica = r->c.read_replica };
		PGresult *res = db_q(&quiet, STMT_POSTS_SINCE, db_int(&r->c, id), db_int(&r->c, since));

		for (int i = 0; res && i < PQntuples(res); i++)
			stream_format(&missed, "post", db_str(res, i, 0),
				      arena_printf(r->c.arena, "{\"id\":%s,\"thread_id\":%lld}", db_str(res, i, 0),
						   (long long)id));
	}
	rc = http_stream_start(r, arena_printf(r->c.arena, "t:%lld", (long long)id), missed.data);
	buf_free(&missed);
	return rc == 0 ? HERR_OK : r->c.err;
}

static enum herr
threads_watch(struct req *r, bool on)
{
	int64_t id;
	json_t *t;

	if (http_param_id(r, "id", &id) != 0 || auth_require(r, ROLE_MEMBER) != 0 ||
	    (t = threads_load(r, id)) == NULL)
		return r->c.err;
	json_decref(t);
	if (db_q(&r->c, on ? STMT_WATCH_ADD : STMT_WATCH_DEL, db_int(&r->c, id),
		 db_int(&r->c, auth_viewer(r)->id)) == NULL)
		return r->c.err;
	r->model = json_pack("{s:b}", "watching", on);
	r->location = arena_printf(r->c.arena, "/t/%lld", (long long)id);
	return HERR_OK;
}

static enum herr threads_watch_on(struct req *r) { return threads_watch(r, true); }
static enum herr threads_watch_off(struct req *r) { return threads_watch(r, false); }

/* The new-thread page: categories to choose from, the one asked for (?category=, or the
 * form's when it is shown again) selected. */
static enum herr
threads_new_page(struct req *r)
{
	PGresult *res;
	const char *cat = http_query(r, "category"), *chosen;
	json_t *cats, *c;
	size_t i;

	if (auth_require(r, ROLE_MEMBER) != 0)
		return r->c.err;
	if ((res = db_q0(&r->c, STMT_CATEGORIES)) == NULL)
		return r->c.err;
	cats = db_rows_json(res);
	chosen = json_string_value(json_object_get(r->input, "category"));
	if (chosen == NULL)
		chosen = cat;
	json_array_foreach(cats, i, c)
		JSON_SET(c, "is_selected", json_boolean(chosen &&
			strcmp(json_string_value(json_object_get(c, "slug")), chosen) == 0));
	JSON_SET(http_model(r), "categories", cats);
	JSON_SET(r->model, "composer", posts_composer(r));
	if (tags_choices(r, json_object_get(r->input, "tags")) != 0)
		return r->c.err;
	if (cat)
		JSON_SET(r->model, "selected", json_string(cat));
	return HERR_OK;
}

/* POST /new with the preview button: the post as it will look and the threads with
 * titles like this one, above the form again, so a duplicate is caught before it is
 * posted. Nothing is stored, and it does not count against the posting rate limit. */
static enum herr
threads_preview(struct req *r)
{
	struct post_body body;
	const char *title;
	json_t *similar;
	int64_t category;

	/* A file sent with the preview is stored now: its link is in the text shown again. */
	if (auth_require_active(r) != 0 || threads_category_input(r, &category) != 0 ||
	    in_string(r, "title", 3, 200, IN_REQUIRED | IN_TRIM, &title) < 0 ||
	    (r->files && posts_may_write(r) != 0) || uploads_attach_form(r) != 0 ||
	    posts_read_body(r, &body) != 0 || threads_new_page(r) != HERR_OK ||
	    search_similar(r, title, 5, &similar) != 0)
		return r->c.err;
	JSON_SET(r->model, "preview", json_pack("{s:s,s:b,s:o}", "body_html", body.html,
						"has_similar", json_array_size(similar) > 0,
						"similar", similar));
	json_object_set(r->model, "form", r->input);
	return HERR_OK;
}

const struct route threads_routes[] = {
	{ "GET", "/t/{id}", threads_page, .view = "thread", .flags = ROUTE_CACHE | ROUTE_KEPT_VIEWER },
	{ "GET", "/t/{id}/{slug}", threads_page, .view = "thread", .flags = ROUTE_CACHE | ROUTE_KEPT_VIEWER },
	{ "POST", "/t/{id}/reply", threads_reply, .view = "thread", .page = post_forms_reply_back,
	  .flags = ROUTE_UPLOAD },
	{ "POST", "/t/{id}/watch", threads_watch_on, .view = "thread", .page = threads_page },
	{ "POST", "/t/{id}/unwatch", threads_watch_off, .view = "thread", .page = threads_page },
	{ "GET", "/t/{id}/events", threads_events, .flags = ROUTE_STREAM },
	{ "GET", "/p/{id}/fragment", threads_post_fragment, .view = "post_fragment" },
	{ "GET", "/p/{id}", thread_paging_permalink, .view = "error" },
	{ "GET", "/new", threads_new_page, .view = "new", .title = "Start a discussion" },
	{ "POST", "/new", threads_create, .view = "new", .title = "Start a discussion", .page = threads_new_page,
	  .flags = ROUTE_UPLOAD },
	{ "GET", "/api/v1/threads", threads_index, .flags = ROUTE_CACHE },
	{ "POST", "/api/v1/threads", threads_create },
	{ "GET", "/api/v1/threads/{id}", threads_page, .flags = ROUTE_CACHE },
	{ "POST", "/api/v1/threads/{id}/posts", threads_reply },
	{ "POST", "/api/v1/threads/{id}/watch", threads_watch_on },
	{ "DELETE", "/api/v1/threads/{id}/watch", threads_watch_off },
};
const size_t threads_routes_n = ROUTES_N(threads_routes);
