/* forum/page_posts.c — a page's posts read once for their decorators (forum/page_posts.h). */
#include "forum/page_posts.h"

#include <stdint.h>
#include <stdlib.h>

#include "core/arena.h"
#include "core/buf.h"
#include "db/db.h"

/* pp->ids from pp->v. */
static void
page_posts_ids_make(struct req *r, struct page_posts *pp)
{
	struct buf ids = BUF_INIT;

	buf_putc(&ids, '{');
	for (size_t i = 0; i < pp->n; i++) {
		if (i)
			buf_putc(&ids, ',');
		buf_put_i64(&ids, pp->v[i].id);
	}
	buf_putc(&ids, '}');
	pp->ids = arena_strdup(r->c.arena, ids.data);
	buf_free(&ids);
}

static int64_t
page_posts_author_id(json_t *post)
{
	return json_integer_value(json_object_get(json_object_get(post, "author"), "id"));
}

void
page_posts_of_result(struct req *r, const PGresult *res, json_t *posts, struct page_posts *ret)
{
	int c_id = db_col(res, "id"), c_parent = db_col(res, "parent_id"), c_depth = db_col(res, "depth");
	int c_state = db_col(res, "state"), c_mine = db_col(res, "mine_anonymous"), c_body = db_col(res, "body_html");
	/* Authors are shared objects (db_rows_json_shared): each is asked once, remembered by
	 * its address (a page repeats a dozen of them). */
	struct {
		json_t *author;
		int64_t id;
	} seen[32] = { { 0 } };

	ret->n = json_array_size(posts);
	ret->after = NULL;
	ret->limit = 0;
	ret->v = arena_calloc(r->c.arena, ret->n + 1, sizeof *ret->v);
	for (size_t i = 0; i < ret->n; i++) {
		struct page_post *p = &ret->v[i];
		json_t *author;
		size_t h;

		p->obj = json_array_get(posts, i);
		p->id = db_i64(res, (int)i, c_id);
		p->parent = db_i64(res, (int)i, c_parent);   /* NULL: 0 */
		p->depth = (int32_t)db_i64(res, (int)i, c_depth);
		p->state = policy_state_parse(db_str(res, (int)i, c_state));
		p->mine_anonymous = db_bool(res, (int)i, c_mine);
		p->has_body = !PQgetisnull(res, (int)i, c_body);
		author = json_object_get(p->obj, "author");
		h = ((uintptr_t)author >> 4) % (sizeof seen / sizeof seen[0]);
		if (seen[h].author != author || author == NULL) {
			seen[h].author = author;
			seen[h].id = json_integer_value(json_object_get(author, "id"));
		}
		p->author = seen[h].id;
	}
	page_posts_ids_make(r, ret);
}

void
page_posts_of_json(struct req *r, json_t *posts, struct page_posts *ret)
{
	ret->n = json_array_size(posts);
	ret->after = NULL;
	ret->limit = 0;
	ret->v = arena_calloc(r->c.arena, ret->n + 1, sizeof *ret->v);
	for (size_t i = 0; i < ret->n; i++) {
		struct page_post *p = &ret->v[i];

		p->obj = json_array_get(posts, i);
		p->id = json_integer_value(json_object_get(p->obj, "id"));
		p->parent = json_integer_value(json_object_get(p->obj, "parent_id"));
		p->depth = (int32_t)json_integer_value(json_object_get(p->obj, "depth"));
		p->state = policy_state_parse(json_string_value(json_object_get(p->obj, "state")));
		p->mine_anonymous = json_is_true(json_object_get(p->obj, "mine_anonymous"));
		p->has_body = json_is_string(json_object_get(p->obj, "body_html"));
		p->author = page_posts_author_id(p->obj);
	}
	page_posts_ids_make(r, ret);
}
