/* forum/tags.c — tags: the list (/tags), moderators creating, changing and deleting them
 * (each logged), the tags a thread is started with, and changing a thread's tags. A tag's
 * page of threads is a list like a category's (forum/site.c), its feed is in feeds.c. */
#include "forum/tags.h"

#include <string.h>

#include "auth/auth.h"
#include "core/buf.h"
#include "db/db.h"
#include "forum/modlog.h"
#include "forum/policy.h"
#include "forum/routes.h"
#include "forum/threads.h"

#define TAGS_INPUT_MAX 50   /* items looked at in one "tags" field, duplicates included */

/* The rule of tags.name (schema/0027), after lower-casing in place. */
static bool
tags_name_valid(char *s)
{
	size_t n = strlen(s);

	for (char *p = s; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return n >= 1 && n <= 30 && s[0] != '-' && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

/* One name into the list of distinct names (lower-cased); 0, or -1 with the 400 recorded. */
static int
tags_add_name(struct req *r, const char *name, const char **names, size_t *n)
{
	char *v = arena_strdup(r->c.arena, name);

	if (!tags_name_valid(v)) {
		http_fail(r, HERR_INVALID, "tags", "A tag is named by 1 to 30 of a-z, 0-9 and '-', like cmdb.");
		return -1;
	}
	for (size_t i = 0; i < *n; i++)
		if (strcmp(names[i], v) == 0)
			return 0;   /* a duplicate is ignored */
	if (*n == TAGS_PER_THREAD) {
		http_fail(r, HERR_INVALID, "tags", "A discussion carries at most 5 tags.");
		return -1;
	}
	names[(*n)++] = v;
	return 0;
}

/* The names of the "tags" field, distinct, at most five. 0, or -1 with the 400 recorded. */
static int
tags_input_names(struct req *r, json_t *v, const char **names, size_t *n)
{
	json_t *item;
	size_t i;

	if (json_is_string(v) && r->input_form) {
		char *copy = arena_strdup(r->c.arena, json_string_value(v)), *tok, *save = NULL;

		for (tok = strtok_r(copy, ", \t\r\n", &save); tok; tok = strtok_r(NULL, ", \t\r\n", &save))
			if (tags_add_name(r, tok, names, n) != 0)
				return -1;
		return 0;
	}
	if (!json_is_array(v)) {
		http_fail(r, HERR_INVALID, "tags", "tags is a list of tag names.");
		return -1;
	}
	if (json_array_size(v) > TAGS_INPUT_MAX) {
		http_fail(r, HERR_INVALID, "tags", "A discussion carries at most 5 tags.");
		return -1;
	}
	json_array_foreach(v, i, item) {
		if (!json_is_string(item)) {
			http_fail(r, HERR_INVALID, "tags", "tags is a list of tag names.");
			return -1;
		}
		if (tags_add_name(r, json_string_value(item), names, n) != 0)
			return -1;
	}
	return 0;
}

int
tags_input(struct req *r, struct tags_chosen *ret)
{
	json_t *v = json_object_get(r->input, "tags");
	const char *names[TAGS_PER_THREAD];
	struct buf lit = BUF_INIT, ids = BUF_INIT;
	size_t n = 0;
	PGresult *res;
	int rc = -1;

	if (v == NULL || json_is_null(v)) {
		*ret = (struct tags_chosen){ .ids = "{}", .n = 0 };
		return 1;
	}
	if (tags_input_names(r, v, names, &n) != 0)
		return -1;
	/* names are checked to be a-z, 0-9 and '-': they need no quoting in an array literal */
	buf_putc(&lit, '{');
	for (size_t i = 0; i < n; i++)
		buf_printf(&lit, "%s%s", i ? "," : "", names[i]);
	buf_putc(&lit, '}');
	if ((res = db_q(&r->c, STMT_TAGS_RESOLVE, lit.data)) == NULL)
		goto out;
	for (size_t i = 0; i < n; i++) {
		int k = 0;

		while (k < PQntuples(res) && strcmp(names[i], db_str(res, k, 1)) != 0)
			k++;
		if (k == PQntuples(res)) {
			http_fail(r, HERR_INVALID, "tags", arena_printf(r->c.arena, "There is no tag named %s.", names[i]));
			goto out;
		}
	}
	buf_putc(&ids, '{');
	for (int i = 0; i < PQntuples(res); i++)
		buf_printf(&ids, "%s%s", i ? "," : "", db_str(res, i, 0));
	buf_putc(&ids, '}');
	*ret = (struct tags_chosen){ .ids = arena_strdup(r->c.arena, ids.data), .n = n };
	rc = 0;
out:
	buf_free(&lit);
	buf_free(&ids);
	return rc;
}

int
tags_store(struct ctx *c, int64_t thread, const struct tags_chosen *t)
{
	const char *id = db_int(c, thread);

	if (db_qx(c, STMT_THREAD_TAGS_DROP, NULL, id, t->ids) == NULL ||
	    db_qx(c, STMT_THREAD_TAGS_ADD,
		  DB_EXPECT({ "23514", HERR_INVALID, "tags", "A discussion carries at most 5 tags." }), id, t->ids) == NULL)
		return -1;
	return 0;
}

int
tags_filter_arg(struct req *r, int64_t *ret)
{
	const char *name = http_query(r, "tag");
	char *v;
	PGresult *res;

	*ret = 0;
	if (r->c.err != HERR_OK)
		return -1;
	if (name == NULL || *name == '\0')
		return 0;
	v = arena_strdup(r->c.arena, name);
	if (!tags_name_valid(v) || (res = db_q(&r->c, STMT_TAG_ID_BY_NAME, v)) == NULL || PQntuples(res) == 0) {
		if (r->c.err == HERR_OK)
			http_fail(r, HERR_INVALID, "tag", "There is no such tag.");
		return -1;
	}
	*ret = db_i64(res, 0, 0);
	json_object_set_new(http_model(r), "tag_filter", json_pack("{s:s}", "name", v));
	return 0;
}

/* Whether name is among chosen (see tags_choices). */
static bool
tags_is_chosen(json_t *chosen, const char *name)
{
	json_t *item;
	size_t i;

	if (json_is_string(chosen))
		return strcmp(json_string_value(chosen), name) == 0;
	json_array_foreach(chosen, i, item) {
		const char *s = json_is_object(item) ? json_string_value(json_object_get(item, "name"))
						     : json_string_value(item);

		if (s && strcmp(s, name) == 0)
			return true;
	}
	return false;
}

int
tags_choices(struct req *r, json_t *chosen)
{
	PGresult *res = db_q0(&r->c, STMT_TAGS_LIST);
	json_t *list;

	if (res == NULL)
		return -1;
	list = json_array();
	for (int i = 0; i < PQntuples(res); i++)
		json_array_append_new(list, json_pack("{s:s,s:s,s:b}", "name", db_str(res, i, 1), "description",
						      db_str(res, i, 2), "checked",
						      tags_is_chosen(chosen, db_str(res, i, 1))));
	json_object_set_new(http_model(r), "tag_choices", list);
	json_object_set_new(r->model, "has_tag_choices", json_boolean(PQntuples(res) > 0));
	return 0;
}

/* --- the list and writing tags --- */

/* GET /tags and /api/v1/tags: every tag with its number of visible threads. */
static enum herr
tags_index(struct req *r)
{
	PGresult *res;
	json_t *list, *t;
	size_t i;

	http_cache_tag(r, "lists");
	if ((res = db_q0(&r->c, STMT_TAGS_LIST)) == NULL)
		return r->c.err;
	list = db_rows_json(res);
	json_array_foreach(list, i, t)
		json_object_del(t, "id");
	json_object_set_new(http_model(r), "tags", list);
	json_object_set_new(r->model, "can_manage", json_boolean(policy_is_moderator(auth_viewer(r))));
	return HERR_OK;
}

struct tags_write {
	struct req *r;
	const char *name, *new_name, *desc;
	PGresult *row;   /* out */
};

static enum herr
tags_create_tx(struct ctx *c, void *arg)
{
	struct tags_write *w = arg;

	w->row = db_qx(c, STMT_TAG_CREATE,
		       DB_EXPECT({ "23505", HERR_CONFLICT, "name", "There is already a tag with that name." }),
		       w->name, w->desc);
	if (w->row == NULL ||
	    modlog_add(c, auth_viewer(w->r)->id, "create_tag", "tag", w->name, NULL,
		       json_pack("{s:s*}", "description", w->desc)) != 0)
		return c->err;
	return HERR_OK;
}

static enum herr
tags_update_tx(struct ctx *c, void *arg)
{
	struct tags_write *w = arg;

	w->row = db_qx(c, STMT_TAG_UPDATE,
		       DB_EXPECT({ "23505", HERR_CONFLICT, "name", "There is already a tag with that name." }),
		       w->name, w->new_name, w->desc);
	if (w->row == NULL)
		return c->err;
	if (PQntuples(w->row) == 0)
		return ctx_fail(c, HERR_NOT_FOUND, NULL, "There is no such tag.");
	if (modlog_add(c, auth_viewer(w->r)->id, "update_tag", "tag", db_str(w->row, 0, 1), NULL,
		       json_pack("{s:s,s:s*,s:s*}", "from", w->name, "name", w->new_name, "description", w->desc)) != 0)
		return c->err;
	return HERR_OK;
}

/* The name and description fields; the name lower-cased and checked. 0 or -1. */
static int
tags_fields(struct req *r, bool create, const char **ret_name, const char **ret_desc)
{
	const char *name = NULL, *desc = NULL;
	char *v;

	if (in_string(r, "name", 1, 30, (create ? IN_REQUIRED : 0) | IN_TRIM, &name) < 0 ||
	    in_string(r, "description", 0, 500, IN_NULLABLE | IN_TRIM, &desc) < 0)
		return -1;
	/* a form always sends its description: an empty one clears it */
	if (desc == NULL && json_is_string(json_object_get(r->input, "description")))
		desc = "";
	if (name) {
		v = arena_strdup(r->c.arena, name);
		if (!tags_name_valid(v)) {
			http_fail(r, HERR_INVALID, "name", "A tag's name is 1 to 30 of a-z, 0-9 and '-', like cmdb.");
			return -1;
		}
		name = v;
	}
	*ret_name = name;
	*ret_desc = desc;
	return 0;
}

/* POST /tags and /api/v1/tags {name, description}: moderators. */
static enum herr
tags_create(struct req *r)
{
	struct tags_write w = { .r = r };

	if (auth_require(r, ROLE_MODERATOR) != 0 || tags_fields(r, true, &w.name, &w.desc) != 0)
		return r->c.err;
	if (db_transaction(&r->c, tags_create_tx, &w) != HERR_OK)
		return r->c.err;
	json_object_set_new(http_model(r), "tag", db_row_json(w.row, 0));
	json_object_del(json_object_get(r->model, "tag"), "id");
	r->status = 201;
	r->location = "/tags";
	return HERR_OK;
}

/* POST /tags/{name} and PATCH /api/v1/tags/{name} {name?, description?}: moderators. */
static enum herr
tags_update(struct req *r)
{
	struct tags_write w = { .r = r, .name = http_param(r, "name") };

	if (auth_require(r, ROLE_MODERATOR) != 0 || tags_fields(r, false, &w.new_name, &w.desc) != 0)
		return r->c.err;
	if (w.new_name && strcmp(w.new_name, w.name) == 0)
		w.new_name = NULL;   /* the edit form sends the name it shows */
	if (w.new_name == NULL && w.desc == NULL)
		return http_fail(r, HERR_INVALID, "name", "Give a new name or description.");
	if (db_transaction(&r->c, tags_update_tx, &w) != HERR_OK)
		return r->c.err;
	json_object_set_new(http_model(r), "tag", db_row_json(w.row, 0));
	json_object_del(json_object_get(r->model, "tag"), "id");
	r->location = "/tags";
	return HERR_OK;
}

static enum herr
tags_delete_tx(struct ctx *c, void *arg)
{
	struct tags_write *w = arg;

	if ((w->row = db_q(c, STMT_TAG_DELETE, w->name)) == NULL)
		return c->err;
	if (PQntuples(w->row) == 0)
		return ctx_fail(c, HERR_NOT_FOUND, NULL, "There is no such tag.");
	if (modlog_add(c, auth_viewer(w->r)->id, "delete_tag", "tag", w->name, NULL,
		       json_pack("{s:I}", "threads", (json_int_t)db_i64(w->row, 0, 2))) != 0)
		return c->err;
	return HERR_OK;
}

/* POST /tags/{name}/delete and DELETE /api/v1/tags/{name}: moderators; its threads lose it. */
static enum herr
tags_delete(struct req *r)
{
	struct tags_write w = { .r = r, .name = http_param(r, "name") };

	if (auth_require(r, ROLE_MODERATOR) != 0)
		return r->c.err;
	if (db_transaction(&r->c, tags_delete_tx, &w) != HERR_OK)
		return r->c.err;
	r->model = json_pack("{s:s,s:b,s:I}", "name", w.name, "deleted", 1, "threads",
			     (json_int_t)db_i64(w.row, 0, 2));
	r->location = "/tags";
	return HERR_OK;
}

/* --- a thread's tags --- */

struct tags_retag {
	int64_t thread, actor;
	bool log;                  /* a moderator's change: logged */
	struct tags_chosen chosen;
	json_t *after;             /* out: the names now */
};

static enum herr
tags_retag_tx(struct ctx *c, void *arg)
{
	struct tags_retag *t = arg;
	PGresult *before, *after;

	json_decref(t->after);
	t->after = NULL;
	if ((before = db_q(c, STMT_THREAD_TAG_NAMES, db_int(c, t->thread))) == NULL ||
	    tags_store(c, t->thread, &t->chosen) != 0 ||
	    (after = db_q(c, STMT_THREAD_TAG_NAMES, db_int(c, t->thread))) == NULL)
		return c->err;
	t->after = json_loads(db_str(after, 0, 0), 0, NULL);
	if (t->log && strcmp(db_str(before, 0, 0), db_str(after, 0, 0)) != 0 &&
	    modlog_add(c, t->actor, "tag_thread", "thread", db_int(c, t->thread), NULL,
		       json_pack("{s:o,s:O}", "from", json_loads(db_str(before, 0, 0), 0, NULL), "to", t->after)) != 0)
		return c->err;
	return HERR_OK;
}

/* POST /t/{id}/tags and PUT /api/v1/threads/{id}/tags {tags: [names]}: the thread's tags
 * become these. Its author while they may change it, or a moderator (logged). */
static enum herr
tags_retag(struct req *r)
{
	struct tags_retag t = { 0 };
	struct viewer *v;
	const char *why = NULL;
	enum herr e;
	json_t *th;
	int rc;

	if (http_param_id(r, "id", &t.thread) != 0 || auth_require(r, ROLE_MEMBER) != 0)
		return r->c.err;
	v = auth_viewer(r);
	if ((th = threads_load(r, t.thread)) == NULL)
		return r->c.err;
	http_defer_json(r, th);
	if (json_is_integer(json_object_get(th, "merged_into")))
		return http_fail(r, HERR_CONFLICT, NULL, "This thread was merged into another one.");
	e = policy_change(v, policy_state_parse(json_string_value(json_object_get(th, "state"))),
			  json_integer_value(json_object_get(json_object_get(th, "author"), "id")),
			  json_is_true(json_object_get(th, "locked")), &why);
	if (e != HERR_OK)
		return http_fail(r, e, NULL, e == HERR_FORBIDDEN && !v->suspended
					     ? "You can only change the tags of your own discussions." : why);
	if ((rc = tags_input(r, &t.chosen)) < 0)
		return r->c.err;
	if (rc == 1 && !r->input_form)   /* a form with no box checked removes them all */
		return http_fail(r, HERR_INVALID, "tags", "tags is required: the list of tag names ([] for none).");
	t.actor = v->id;
	t.log = policy_is_moderator(v);
	e = db_transaction(&r->c, tags_retag_tx, &t);
	http_defer_json(r, t.after);
	if (e != HERR_OK)
		return r->c.err;
	r->model = json_pack("{s:I,s:O}", "thread_id", (json_int_t)t.thread, "tags", t.after ? t.after : json_array());
	r->location = arena_printf(r->c.arena, "/t/%lld", (long long)t.thread);
	return HERR_OK;
}

const struct route tags_routes[] = {
	{ "GET", "/tags", tags_index, .view = "tags", .title = "Tags", .flags = ROUTE_CACHE },
	{ "POST", "/tags", tags_create, .view = "tags", .title = "Tags", .page = tags_index },
	{ "POST", "/tags/{name}", tags_update, .view = "tags", .title = "Tags", .page = tags_index },
	{ "POST", "/tags/{name}/delete", tags_delete, .view = "tags", .title = "Tags", .page = tags_index },
	{ "GET", "/api/v1/tags", tags_index, .flags = ROUTE_CACHE },
	{ "POST", "/api/v1/tags", tags_create },
	{ "PATCH", "/api/v1/tags/{name}", tags_update },
	{ "DELETE", "/api/v1/tags/{name}", tags_delete },
	{ "POST", "/t/{id}/tags", tags_retag, .view = "thread", .page = threads_page },
	{ "PUT", "/api/v1/threads/{id}/tags", tags_retag },
};
const size_t tags_routes_n = ROUTES_N(tags_routes);
