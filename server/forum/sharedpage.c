/* forum/sharedpage.c — the shared copy of a signed-in thread page: built by the handler
 * with holes, kept in the page cache with the holes' meaning, filled per viewer. */
#include "forum/sharedpage.h"

#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "auth/viewer_cache.h"
#include "core/arena.h"
#include "db/db.h"
#include "db/listen.h"
#include "forum/anonymous.h"
#include "forum/page_posts.h"
#include "forum/policy.h"
#include "forum/posts.h"
#include "forum/reactions.h"
#include "render/humanize.h"
#include "render/template.h"

/* What a hole stands for. The first ones are the page's own (one hole each, however often
 * the page shows them); the others are about a post or an account. */
enum sp_kind {
	SP_CSRF, SP_NONCE, SP_VIEWER_ID, SP_USERNAME, SP_DISPLAY_NAME, SP_NOTIFICATIONS, SP_APPROVALS,
	SP_TRUSTED, SP_ROLE, SP_ROLE_SLUG, SP_ROLE_LABEL, SP_ROLE_KIND, SP_ROLE_VERIFIED, SP_ANONYMOUS_OK,
	SP_WATCHING,
	SP_OWN,                   /* post a is the viewer's: truth bit 0 if so, bit 1 if not */
	SP_IS,                    /* the viewer is account a: the same bits */
	SP_REACTED,               /* the viewer's reaction b (reactions_kind_at) on post a */
	SP_UNREAD,                /* visible post a is past the viewer's read marker, not theirs */
	SP_BOOKMARK, SP_REMIND_AT, SP_REMIND_AT_H, SP_REMINDED,   /* the viewer's bookmark of post a */
};

#define SP_PAGE_KINDS (SP_WATCHING + 1)

struct sp_hole {
	int64_t a;
	int32_t b;
	uint8_t kind, truth;
};

struct sp_post {
	int64_t id;
	int64_t author;     /* as the page names it; 0: not named (anonymous, deleted) */
	uint8_t visible;
};

/* What the cache keeps beside the page (cache_aux): this head, the holes, the posts, the
 * segments — each array 8-byte aligned, the sizes being multiples of 8 but the last. */
struct sp_head {
	uint32_t nholes, nposts, nsegs;
	int64_t thread;
	int64_t unread_max;   /* the highest post an SP_UNREAD hole asks about */
	int64_t is_account;   /* the account every SP_IS hole names; 0: none, -2: several */
};

/* r->shared while the handler builds a shared copy. */
struct sp_build {
	struct viewer standin;
	struct sp_hole *holes;
	size_t nholes, cap;
	int32_t page_hole[SP_PAGE_KINDS];
	int64_t thread;
	struct sp_post *posts;
	size_t nposts;
};

/* --- holes, during the build --- */

static json_t *
sp_hole(struct req *r, enum sp_kind kind, int64_t a, int32_t b, uint8_t truth)
{
	struct sp_build *sb = r->shared;
	size_t n;

	if (kind < SP_PAGE_KINDS && sb->page_hole[kind] >= 0)
		return json_pack("{s:i}", TMPL_HOLE_KEY, sb->page_hole[kind]);
	if (sb->nholes == sb->cap) {
		sb->cap = sb->cap ? sb->cap * 2 : 256;
		if ((sb->holes = realloc(sb->holes, sb->cap * sizeof *sb->holes)) == NULL)
			core_oom();
	}
	n = sb->nholes++;
	sb->holes[n] = (struct sp_hole){ .a = a, .b = b, .kind = (uint8_t)kind, .truth = truth };
	if (kind < SP_PAGE_KINDS)
		sb->page_hole[kind] = (int32_t)n;
	return json_pack("{s:I}", TMPL_HOLE_KEY, (json_int_t)n);
}

json_t *
sharedpage_own(struct req *r, int64_t post, bool own_value, bool other_value)
{
	if (own_value == other_value)
		return json_boolean(own_value);
	return sp_hole(r, SP_OWN, post, 0, (uint8_t)(own_value | other_value << 1));
}

json_t *
sharedpage_is(struct req *r, int64_t who, bool own_value, bool other_value)
{
	if (own_value == other_value)
		return json_boolean(own_value);
	return sp_hole(r, SP_IS, who, 0, (uint8_t)(own_value | other_value << 1));
}

json_t *
sharedpage_reacted(struct req *r, int64_t post, int kind)
{
	return sp_hole(r, SP_REACTED, post, kind, 0);
}

json_t *
sharedpage_unread(struct req *r, int64_t post)
{
	return sp_hole(r, SP_UNREAD, post, 0, 0);
}

json_t *
sharedpage_bookmark(struct req *r, int64_t post)
{
	json_t *b = sp_hole(r, SP_BOOKMARK, post, 0, 0);

	json_object_set_new(b, "remind_at", sp_hole(r, SP_REMIND_AT, post, 0, 0));
	json_object_set_new(b, "remind_at_h", sp_hole(r, SP_REMIND_AT_H, post, 0, 0));
	json_object_set_new(b, "reminded", sp_hole(r, SP_REMINDED, post, 0, 0));
	return b;
}

json_t *
sharedpage_watching(struct req *r)
{
	return sp_hole(r, SP_WATCHING, 0, 0, 0);
}

json_t *
sharedpage_viewer_json(struct req *r, json_t *standing)
{
	json_t *role;

	json_object_set_new(standing, "id", sp_hole(r, SP_VIEWER_ID, 0, 0, 0));
	json_object_set_new(standing, "username", sp_hole(r, SP_USERNAME, 0, 0, 0));
	json_object_set_new(standing, "display_name", sp_hole(r, SP_DISPLAY_NAME, 0, 0, 0));
	json_object_set_new(standing, "unread", sp_hole(r, SP_NOTIFICATIONS, 0, 0, 0));
	/* The community role too, so members of every role share one copy (the page's
	 * policies read none of it: tests/http/test_shared_pages.py compares them). */
	role = sp_hole(r, SP_ROLE, 0, 0, 0);
	json_object_set_new(role, "slug", sp_hole(r, SP_ROLE_SLUG, 0, 0, 0));
	json_object_set_new(role, "label", sp_hole(r, SP_ROLE_LABEL, 0, 0, 0));
	json_object_set_new(role, "kind", sp_hole(r, SP_ROLE_KIND, 0, 0, 0));
	json_object_set_new(standing, "community_role", role);
	json_object_set_new(standing, "role_verified", sp_hole(r, SP_ROLE_VERIFIED, 0, 0, 0));
	json_object_set_new(standing, "may_post_anonymously", sp_hole(r, SP_ANONYMOUS_OK, 0, 0, 0));
	return standing;
}

json_t *
sharedpage_csrf(struct req *r)
{
	return sp_hole(r, SP_CSRF, 0, 0, 0);
}

json_t *
sharedpage_nonce(struct req *r)
{
	return sp_hole(r, SP_NONCE, 0, 0, 0);
}

json_t *
sharedpage_composer(struct req *r)
{
	return json_pack("{s:o,s:o}", "trusted", sp_hole(r, SP_TRUSTED, 0, 0, 0), "approvals_needed",
			 sp_hole(r, SP_APPROVALS, 0, 0, 0));
}

void
sharedpage_posts(struct req *r, int64_t thread, const struct page_posts *pp)
{
	struct sp_build *sb = r->shared;

	sb->thread = thread;
	sb->nposts = pp->n;
	sb->posts = arena_calloc(r->c.arena, sb->nposts + 1, sizeof *sb->posts);
	for (size_t i = 0; i < pp->n; i++)
		sb->posts[i] = (struct sp_post){
			.id = pp->v[i].id,
			/* the stand-in owns no post, so this is author.id */
			.author = page_post_author(&pp->v[i], SHAREDPAGE_NOBODY),
			.visible = pp->v[i].state == STATE_VISIBLE,
		};
}

/* --- filling, per viewer --- */

/* The reader's state of a page (SHAREDPAGE_VIEWER's row) as kept: this head, then the
 * unnamed posts that are theirs (int64_t each), their reactions, their bookmarks — kept
 * packed, so a kept copy is used as it is, not parsed. */
struct sp_state {
	int64_t kept_at_ms;                  /* auth_reader_now_ms() when asked */
	int64_t read_upto;
	uint32_t nown, nreacted, nmarks;
	uint8_t pending, watching;
};

struct sp_reaction {
	int64_t post;
	char kind[24];
};

struct sp_mark {
	int64_t post;
	char remind_at[32];                  /* api_time, or "" for no reminder */
	uint8_t reminded;
};

struct sp_fill {
	struct req *r;
	const struct viewer *v;
	const struct sp_hole *holes;
	uint32_t nholes;
	const char *csrf, *nonce;
	int64_t *own;                        /* the viewer's posts on the page */
	size_t nown;
	const struct sp_reaction *reacted;
	const struct sp_mark *marks;         /* bookmarks */
	uint32_t nreacted, nmarks;
	int64_t read_upto;
	bool watching;
};

static bool
sp_own(const struct sp_fill *f, int64_t post)
{
	for (size_t i = 0; i < f->nown; i++)
		if (f->own[i] == post)
			return true;
	return false;
}

/* f->own: the posts the page names the viewer as author of, and the nunnamed of the
 * posts it names nobody for that the statement found theirs */
static void
sp_own_posts(struct sp_fill *f, const struct sp_post *posts, uint32_t n, const int64_t *unnamed,
	     uint32_t nunnamed)
{
	uint32_t i;

	f->own = arena_calloc(f->r->c.arena, n + 1, sizeof *f->own);
	for (i = 0; i < n; i++)
		if (posts[i].author == f->v->id)
			f->own[f->nown++] = posts[i].id;
	for (i = 0; i < nunnamed && f->nown < n; i++)
		f->own[f->nown++] = unnamed[i];
}

static const struct sp_mark *
sp_bookmark_of(const struct sp_fill *f, int64_t post)
{
	for (uint32_t i = 0; i < f->nmarks; i++)
		if (f->marks[i].post == post)
			return &f->marks[i];
	return NULL;
}

static bool
sp_reacted(const struct sp_fill *f, int64_t post, const char *kind)
{
	for (uint32_t i = 0; i < f->nreacted; i++)
		if (f->reacted[i].post == post && strcmp(f->reacted[i].kind, kind) == 0)
			return true;
	return false;
}

static void
sp_str(struct tmpl_value *ret, const char *s)
{
	ret->type = TMPL_V_STR;
	ret->s = s;
}

static void
sp_bool(struct tmpl_value *ret, bool b)
{
	ret->type = TMPL_V_BOOL;
	ret->b = b;
}

static void
sp_int(struct tmpl_value *ret, int64_t i)
{
	ret->type = TMPL_V_INT;
	ret->i = i;
}

/* A bookmark's part of a hole: as bookmarks_decorate and a template's {{remind_at_h}} would
 * have made it. */
static void
sp_bookmark_value(const struct sp_fill *f, const struct sp_hole *h, struct tmpl_value *ret)
{
	const struct sp_mark *b = sp_bookmark_of(f, h->a);
	char *human;

	if (h->kind == SP_BOOKMARK)
		sp_bool(ret, b != NULL);
	else if (h->kind == SP_REMINDED)
		sp_bool(ret, b != NULL && b->reminded);
	else if (b == NULL || b->remind_at[0] == '\0')
		return;   /* no reminder: nothing */
	else if (h->kind == SP_REMIND_AT)
		sp_str(ret, b->remind_at);
	else if ((human = arena_alloc(f->r->c.arena, 32)) != NULL &&
		 humanize_time(b->remind_at, strlen(b->remind_at), human))
		sp_str(ret, human);
}

static void
sp_value(void *arg, uint32_t n, struct tmpl_value *ret)
{
	const struct sp_fill *f = arg;
	const struct sp_hole *h;

	if (n >= f->nholes)
		return;
	h = &f->holes[n];
	switch ((enum sp_kind)h->kind) {
	/* tokens are base64url: nothing to escape, and the page holds them a hundred times */
	case SP_CSRF: sp_str(ret, f->csrf); ret->plain = true; break;
	case SP_NONCE: sp_str(ret, f->nonce); ret->plain = true; break;
	case SP_VIEWER_ID: sp_int(ret, f->v->id); break;
	case SP_USERNAME: sp_str(ret, f->v->username); break;
	case SP_DISPLAY_NAME: sp_str(ret, f->v->display_name ? f->v->display_name : ""); break;
	case SP_NOTIFICATIONS: sp_int(ret, f->v->unread); break;
	case SP_APPROVALS: sp_int(ret, posts_approvals_needed(f->v)); break;
	case SP_TRUSTED: sp_bool(ret, posts_trusted(f->v)); break;
	case SP_ROLE: sp_bool(ret, f->v->community_role != NULL); break;
	case SP_ROLE_SLUG: sp_str(ret, f->v->community_role); break;
	case SP_ROLE_LABEL: sp_str(ret, f->v->community_label); break;
	case SP_ROLE_KIND: sp_str(ret, f->v->community_kind); break;
	case SP_ROLE_VERIFIED: sp_bool(ret, f->v->role_verified); break;
	case SP_ANONYMOUS_OK: sp_bool(ret, anonymous_allowed(f->v)); break;
	case SP_WATCHING: sp_bool(ret, f->watching); break;
	case SP_OWN:
		sp_bool(ret, (h->truth >> (sp_own(f, h->a) ? 0 : 1)) & 1);
		break;
	case SP_IS: sp_bool(ret, (h->truth >> (f->v->id == h->a ? 0 : 1)) & 1); break;
	case SP_REACTED: sp_bool(ret, sp_reacted(f, h->a, reactions_kind_at(h->b))); break;
	case SP_UNREAD:
		sp_bool(ret, f->read_upto > 0 && h->a > f->read_upto && !sp_own(f, h->a));
		break;
	case SP_BOOKMARK:
	case SP_REMIND_AT:
	case SP_REMIND_AT_H:
	case SP_REMINDED:
		sp_bookmark_value(f, h, ret);
		break;
	}
}

enum sp_outcome { SP_SERVED, SP_FULL, SP_FAILED };

enum sp_which { SP_UNNAMED, SP_COUNTED };

/* Some of the page's posts as an array literal: those it names no author for, or the
 * visible ones not the viewer's (what the read marker moves past). */
static const char *
sp_ids(struct req *r, const struct sp_post *posts, uint32_t n, const struct sp_fill *f, enum sp_which which)
{
	struct buf b = BUF_INIT;
	const char *s;
	uint32_t i;

	buf_putc(&b, '{');
	for (i = 0; i < n; i++) {
		if (which == SP_UNNAMED ? posts[i].author != 0 : !posts[i].visible || sp_own(f, posts[i].id))
			continue;
		if (b.len > 1)
			buf_putc(&b, ',');
		buf_put_i64(&b, posts[i].id);
	}
	buf_putc(&b, '}');
	s = arena_strdup(r->c.arena, b.data);
	buf_free(&b);
	return s;
}

/* SHAREDPAGE_VIEWER's row packed as struct sp_state and its arrays (in r's arena). */
static const struct sp_state *
sp_state_pack(struct req *r, json_t *row, size_t *ret_len)
{
	json_t *own = json_object_get(row, "own"), *reacted = json_object_get(row, "reacted");
	json_t *marks = json_object_get(row, "bookmarks"), *x;
	struct sp_state st = {
		.kept_at_ms = auth_reader_now_ms(),
		.read_upto = json_integer_value(json_object_get(row, "read_upto")),
		.nown = (uint32_t)json_array_size(own), .nreacted = (uint32_t)json_array_size(reacted),
		.nmarks = (uint32_t)json_array_size(marks),
		.pending = json_is_true(json_object_get(row, "pending")),
		.watching = json_is_true(json_object_get(row, "watching")),
	};
	size_t len = sizeof st + st.nown * sizeof(int64_t) + st.nreacted * sizeof(struct sp_reaction) +
		     st.nmarks * sizeof(struct sp_mark);
	char *p = arena_calloc(r->c.arena, 1, len);
	int64_t *ids = (int64_t *)(p + sizeof st);
	struct sp_reaction *rx = (struct sp_reaction *)(ids + st.nown);
	struct sp_mark *mk = (struct sp_mark *)(rx + st.nreacted);
	size_t i;

	memcpy(p, &st, sizeof st);
	json_array_foreach(own, i, x)
		ids[i] = json_integer_value(x);
	json_array_foreach(reacted, i, x) {
		rx[i].post = json_integer_value(json_array_get(x, 0));
		snprintf(rx[i].kind, sizeof rx[i].kind, "%s", json_string_value(json_array_get(x, 1)));
	}
	json_array_foreach(marks, i, x) {
		mk[i].post = json_integer_value(json_array_get(x, 0));
		snprintf(mk[i].remind_at, sizeof mk[i].remind_at, "%s",
			 json_is_string(json_array_get(x, 1)) ? json_string_value(json_array_get(x, 1)) : "");
		mk[i].reminded = json_is_true(json_array_get(x, 2));
	}
	*ret_len = len;
	return (const struct sp_state *)p;
}

/* Whether p[0..len) is a whole packed state. */
static bool
sp_state_valid(const char *p, size_t len)
{
	struct sp_state st;

	if (len < sizeof st)
		return false;
	memcpy(&st, p, sizeof st);
	return len == sizeof st + st.nown * sizeof(int64_t) + st.nreacted * sizeof(struct sp_reaction) +
			      st.nmarks * sizeof(struct sp_mark);
}

/* The viewer's state of the page: as this instance keeps it, or asked and kept. Kept
 * under the reader, the thread and the copy (its ETag: the page's posts, so the
 * statement's arguments), stamped with the reader's tag 'r:<id>' (their posts, markers,
 * watches, reactions, bookmarks: schema/0040) and the thread's, taken before the statement
 * runs. In r's arena; NULL on a database error. */
static const struct sp_state *
sp_state(struct req *r, const struct sp_fill *f, const struct sp_head *head, const struct sp_post *posts,
	 const char *etag)
{
	const char *key = arena_printf(r->c.arena, "vstate\x1f%lld\x1f%lld\x1f%s", (long long)f->v->id,
				       (long long)head->thread, etag);
	struct cache_stamp stamps[2];
	uint32_t global;
	int64_t lo = INT64_MAX, hi = 0;
	const struct sp_state *st = NULL;
	struct cache_entry *e;
	const char *body;
	PGresult *res;
	size_t len;

	if (auth_reader_keep() && (e = cache_lookup(key)) != NULL) {
		body = cache_body(e, &len);
		if (sp_state_valid(body, len) && !auth_reader_kept_too_long(((const struct sp_state *)body)->kept_at_ms)) {
			char *copy = arena_alloc(r->c.arena, len);

			memcpy(copy, body, len);
			st = (const struct sp_state *)copy;
		}
		cache_release(e);
		if (st != NULL)
			return st;
	}
	/* Not kept: the stamps now, before the statement reads (a hit needs none). */
	stamps[0] = cache_stamp(arena_printf(r->c.arena, "r:%lld", (long long)f->v->id));
	stamps[1] = cache_stamp(arena_printf(r->c.arena, "t:%lld", (long long)head->thread));
	global = cache_global();
	for (uint32_t i = 0; i < head->nposts; i++) {
		lo = posts[i].id < lo ? posts[i].id : lo;
		hi = posts[i].id > hi ? posts[i].id : hi;
	}
	res = db_q(&r->c, STMT_SHAREDPAGE_VIEWER, db_int(&r->c, head->thread), db_int(&r->c, f->v->id),
		   sp_ids(r, posts, head->nposts, f, SP_UNNAMED), db_int(&r->c, hi ? lo : 0), db_int(&r->c, hi));
	if (res == NULL)
		return NULL;
	st = sp_state_pack(r, db_row_json(res, 0), &len);
	if (auth_reader_keep())
		cache_put(key, "application/octet-stream", 200, (const char *)st, len, "", stamps, 2, global);
	return st;
}

/* A reader with nothing of their own among the page's posts: none is theirs, none has
 * their reaction or bookmark, none is new to them, and they are not the account the page
 * asks about (the thread's author). Every hole about a post has the same value for all such
 * readers — most readers of most threads. */
static bool
sp_bystander(const struct sp_fill *f, const struct sp_head *head, const struct sp_hole *holes)
{
	if (f->nown || f->nreacted || f->nmarks || (f->read_upto > 0 && head->unread_max > f->read_upto))
		return false;
	if (head->is_account != -2)
		return head->is_account != f->v->id;
	for (uint32_t i = 0; i < head->nholes; i++)
		if (holes[i].kind == SP_IS && holes[i].a == f->v->id)
			return false;
	return true;
}

/* A bystander's value of a hole about a post (f is a fill for nobody); the page's own
 * holes (name, token, nonce, watch …) stay holes. */
static void
sp_bystander_value(void *arg, uint32_t n, struct tmpl_value *ret)
{
	const struct sp_fill *f = arg;

	if (n < f->nholes && f->holes[n].kind < SP_PAGE_KINDS)
		ret->type = TMPL_V_KEEP;
	else
		sp_value(arg, n, ret);
}

/* A bystander's page: from the copy with every hole about a post already filled, kept
 * beside the copy (as long as it, and under its ETag: the same bytes) or made now, so the
 * fill writes only the page's own few holes. 0, or -1 as tmpl_fill. */
static int
sp_fill_bystander(struct req *r, struct sp_fill *f, const struct cache_entry *e, const char *key, const char *body,
		  size_t len, const struct tmpl_seg *segs, size_t nsegs)
{
	const char *kept_key = arena_printf(r->c.arena, "%s\x1f" "bystander\x1f%s", key, cache_etag(e));
	struct cache_entry *kept = cache_lookup(kept_key);
	struct viewer nobody = { .id = SHAREDPAGE_NOBODY };
	struct sp_fill f0 = { .r = r, .v = &nobody, .holes = f->holes, .nholes = f->nholes };
	struct tmpl_segs some = { 0 };
	struct buf mid = BUF_INIT;
	const char *kbody;
	const void *kaux;
	size_t klen, kaux_len;
	int rc;

	if (kept != NULL) {
		kbody = cache_body(kept, &klen);
		kaux = cache_aux(kept, &kaux_len);
		rc = kaux_len % sizeof *segs != 0 ? -1
		     : tmpl_fill(kbody, klen, kaux, kaux_len / sizeof *segs, sp_value, f, &r->out);
		cache_release(kept);
		return rc;
	}
	rc = tmpl_fill_some(body, len, segs, nsegs, sp_bystander_value, &f0, &mid, &some);
	if (rc == 0) {
		cache_put_beside(e, kept_key, "text/html; charset=utf-8", mid.data, mid.len, some.v,
				 some.n * sizeof *some.v);
		rc = tmpl_fill(mid.data, mid.len, some.v, some.n, sp_value, f, &r->out);
	}
	free(some.v);
	buf_free(&mid);
	return rc;
}

/* The viewer's page from a shared copy and its aux, into r->out. e and key: the copy's
 * entry and key when it came from the cache (NULL when just built). */
static enum sp_outcome
sp_fill(struct req *r, const char *body, size_t len, const char *etag, const void *aux, size_t aux_len,
	const struct cache_entry *e, const char *key)
{
	const struct sp_head *head = aux;
	const struct sp_hole *holes;
	const struct sp_post *posts;
	const struct tmpl_seg *segs;
	struct sp_fill f = { .r = r, .v = auth_viewer(r) };
	int64_t shown_max = 0;
	const char *counted;
	const struct sp_state *st;
	char tag[20];
	uint32_t i;

	if (aux_len < sizeof *head ||
	    aux_len != sizeof *head + head->nholes * sizeof *holes + head->nposts * sizeof *posts +
			       head->nsegs * sizeof *segs)
		return SP_FULL;
	holes = (const struct sp_hole *)(head + 1);
	posts = (const struct sp_post *)(holes + head->nholes);
	segs = (const struct tmpl_seg *)(posts + head->nposts);
	if ((st = sp_state(r, &f, head, posts, etag)) == NULL)
		return SP_FAILED;
	sp_own_posts(&f, posts, head->nposts, (const int64_t *)(st + 1), st->nown);
	f.reacted = (const struct sp_reaction *)((const int64_t *)(st + 1) + st->nown);
	f.nreacted = st->nreacted;
	f.marks = (const struct sp_mark *)(f.reacted + st->nreacted);
	f.nmarks = st->nmarks;
	f.read_upto = st->read_upto;
	f.watching = st->watching;
	/* Posts only this viewer sees (their held posts, in the thread's count too), or their
	 * own deleted ones (which they may restore): the shared copy has them not. */
	if (st->pending)
		return SP_FULL;
	for (i = 0; i < head->nposts; i++)
		if (!posts[i].visible && sp_own(&f, posts[i].id))
			return SP_FULL;
	f.holes = holes;
	f.nholes = head->nholes;
	f.csrf = auth_form_csrf(r);
	auth_token_new(&r->c, NULL, &f.nonce, NULL);
	buf_free(&r->out);
	if ((e != NULL && sp_bystander(&f, head, holes)
		     ? sp_fill_bystander(r, &f, e, key, body, len, segs, head->nsegs)
		     : tmpl_fill(body, len, segs, head->nsegs, sp_value, &f, &r->out)) != 0) {
		ctx_fail(&r->c, HERR_INTERNAL, NULL, NULL);
		return SP_FAILED;
	}
	r->content_type = "text/html; charset=utf-8";
	/* The page's ETag without hashing its 200 KB again: the copy's and the nonce, which is
	 * new on every page, so two answers share an ETag only when they are the same bytes. */
	cache_etag_of(arena_printf(r->c.arena, "%s%s", etag, f.nonce), strlen(etag) + strlen(f.nonce), tag);
	r->etag = arena_strdup(r->c.arena, tag);
	/* What unread_thread_page writes after a full render: the marker past what was shown
	 * (the list for the statement made only when it moves). */
	for (i = 0; i < head->nposts; i++)
		if (posts[i].visible && posts[i].id > shown_max && !sp_own(&f, posts[i].id))
			shown_max = posts[i].id;
	if (shown_max <= f.read_upto)
		return SP_SERVED;
	counted = sp_ids(r, posts, head->nposts, &f, SP_COUNTED);
	if (db_q(&r->c, STMT_THREAD_READ_MARK, db_int(&r->c, f.v->id), db_int(&r->c, head->thread), counted,
		 db_int(&r->c, f.read_upto)) == NULL)
		return SP_FAILED;
	/* The kept state has the old marker: drop it here at once (the write's notice drops
	 * it on every instance, this one again, a moment later). */
	cache_invalidate(arena_printf(r->c.arena, "r:%lld", (long long)f.v->id));
	return SP_SERVED;
}

/* --- which copy, and building it --- */

/* A signed-in browser's GET of an HTML page while the cache is kept current. */
static bool
sp_eligible(struct req *r, const struct viewer *v)
{
	return v != NULL && !v->via_token && v->csrf != NULL && r->html && cache_serving() &&
	       (strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0);
}

/* The key of the viewer's kind: what of the viewer the page's policies read (role, a
 * suspension, a confirmed address) — the rest are holes. */
static const char *
sp_key(struct req *r, const struct viewer *v)
{
	return arena_printf(r->c.arena, "shared\x1f%s\x1f%d%d\x1f%s", v->role_name, v->suspended, v->email_verified,
			    http_request_key(r));
}

static void
sp_build_free(struct sp_build *sb)
{
	free(sb->holes);
}

/* Pack what the fill needs beside the page: head, holes, posts, segments. */
static void *
sp_pack(const struct sp_build *sb, const struct tmpl_segs *segs, size_t *ret_len)
{
	struct sp_head head = { .nholes = (uint32_t)sb->nholes, .nposts = (uint32_t)sb->nposts,
				.nsegs = (uint32_t)segs->n, .thread = sb->thread };
	size_t len = sizeof head + sb->nholes * sizeof *sb->holes + sb->nposts * sizeof *sb->posts +
		     segs->n * sizeof *segs->v;
	char *p = malloc(len), *at;

	/* What tells a bystander (sp_bystander) without a walk over the holes per page. */
	for (size_t i = 0; i < sb->nholes; i++) {
		const struct sp_hole *h = &sb->holes[i];

		if (h->kind == SP_UNREAD && h->a > head.unread_max)
			head.unread_max = h->a;
		else if (h->kind == SP_IS)
			head.is_account = head.is_account == 0 || head.is_account == h->a ? h->a : -2;
	}
	if (p == NULL)
		core_oom();
	memcpy(p, &head, sizeof head);
	at = p + sizeof head;
	memcpy(at, sb->holes, sb->nholes * sizeof *sb->holes);
	at += sb->nholes * sizeof *sb->holes;
	if (sb->nposts)
		memcpy(at, sb->posts, sb->nposts * sizeof *sb->posts);
	at += sb->nposts * sizeof *sb->posts;
	if (segs->n)
		memcpy(at, segs->v, segs->n * sizeof *segs->v);
	*ret_len = len;
	return p;
}

/* Run the handler as the stand-in of v's kind and keep its page with holes. On success
 * the page is filled for v; otherwise the request is as before, for a full render. */
static enum sp_outcome
sp_build(struct req *r, struct viewer *v, const char *key, enum herr (*build)(struct req *r))
{
	struct sp_build sb = { .standin = *v };
	struct tmpl_segs segs = { 0 };
	struct buf out = BUF_INIT;
	enum sp_outcome rc = SP_FULL;
	char etag[20];
	size_t aux_len = 0;
	void *aux = NULL;
	bool kept;

	memset(sb.page_hole, -1, sizeof sb.page_hole);
	sb.standin.id = SHAREDPAGE_NOBODY;
	sb.standin.username = sb.standin.display_name = "";
	sb.standin.unread = 0;
	sb.standin.approved_posts = 0;
	sb.standin.role_verified = false;
	r->shared = &sb;
	r->viewer = &sb.standin;
	r->cache_key = key;
	r->cache_global = cache_global();
	kept = build(r) == HERR_OK && r->c.err == HERR_OK && r->status == 0 && r->location == NULL &&
	       r->cache_key != NULL && r->cache_nstamps > 0 && sb.thread > 0 &&
	       http_render_holes(r, &out, &segs) == 0;
	r->viewer = v;
	r->shared = NULL;
	if (kept) {
		aux = sp_pack(&sb, &segs, &aux_len);
		cache_etag_of(out.data, out.len, etag);
		cache_put_aux(key, "text/html; charset=utf-8", 200, out.data, out.len, etag, r->cache_stamps,
			      r->cache_nstamps, r->cache_global, aux, aux_len);
		rc = sp_fill(r, out.data, out.len, etag, aux, aux_len, NULL, NULL);
	}
	r->cache_key = NULL;
	r->cache_nstamps = 0;
	free(aux);
	free(segs.v);
	buf_free(&out);
	sp_build_free(&sb);
	return rc;
}

/* Back to the request as the route found it, for a full render. */
static void
sp_reset(struct req *r)
{
	http_clear_outcome(r);
	r->status = 0;
	r->location = NULL;
	r->title = NULL;
	r->feed_url = r->feed_title = NULL;
	r->content_type = NULL;
	buf_free(&r->out);
}

enum herr
sharedpage_thread(struct req *r, enum herr (*build)(struct req *r))
{
	struct viewer *v = auth_viewer(r);
	struct cache_entry *e;
	enum sp_outcome rc;
	const char *key, *body;
	const void *aux;
	size_t len, aux_len;

	if (!sp_eligible(r, v))
		return build(r);
	/* Read-your-writes on every instance: a browser that wrote a moment ago, maybe through
	 * another instance, is served once this instance's listener has caught up with the
	 * database (notices come in commit order), so no copy its write made stale is used. */
	if (http_cookie(r, "corral_w") != NULL && db_listen_sync(&r->c, 2000) != 0)
		return build(r);
	key = sp_key(r, v);
	if ((e = cache_get(key)) != NULL) {
		body = cache_body(e, &len);
		aux = cache_aux(e, &aux_len);
		rc = sp_fill(r, body, len, cache_etag(e), aux, aux_len, e, key);
		cache_release(e);
		if (rc == SP_SERVED)
			http_add_header(r, "X-Cache", "shared");
	} else {
		rc = sp_build(r, v, key, build);
	}
	if (rc == SP_SERVED)
		return HERR_OK;
	if (rc == SP_FAILED)
		return r->c.err != HERR_OK ? r->c.err : ctx_fail(&r->c, HERR_INTERNAL, NULL, NULL);
	sp_reset(r);
	return build(r);
}
