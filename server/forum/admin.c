/* forum/admin.c — what administrators manage: the community roles people choose from,
 * categories (create, edit, reorder), the accounts (a searchable list, permission roles
 * through /admin as well as PATCH /api/v1/users) and, through forum/site_settings.c, the
 * site's name and texts. */
#include <string.h>

#include "auth/auth.h"
#include "core/utf8.h"
#include "forum/admin_mail.h"
#include "forum/modlog.h"
#include "forum/routes.h"
#include "forum/site_settings.h"
#include "forum/users.h"
#include "http/http.h"

#define ADMIN_USERS_PAGE 50

static const char *const admin_kinds[] = { "doer", "helper", NULL };

/* The categories in their order; for the page, which one has no neighbour above or below
 * (templates cannot count). */
static json_t *
admin_categories_json(struct req *r, PGresult *res)
{
	json_t *list = db_rows_json(res), *c;
	size_t i, n = json_array_size(list);

	if (r->html)
		json_array_foreach(list, i, c) {
			json_object_set_new(c, "is_first", json_boolean(i == 0));
			json_object_set_new(c, "is_last", json_boolean(i + 1 == n));
		}
	return list;
}

static enum herr
admin_page(struct req *r)
{
	PGresult *res;

	if (auth_require(r, ROLE_ADMIN) != 0)
		return r->c.err;
	if ((res = db_q0(&r->c, STMT_COMMUNITY_ROLES)) == NULL)
		return r->c.err;
	json_object_set_new(http_model(r), "community_roles", db_rows_json(res));
	if ((res = db_q0(&r->c, STMT_CATEGORIES)) == NULL)
		return r->c.err;
	json_object_set_new(r->model, "categories", admin_categories_json(r, res));
	if ((res = db_q0(&r->c, STMT_SITE_SETTINGS)) == NULL)
		return r->c.err;
	if (PQntuples(res) == 1)
		json_object_set_new(r->model, "site", db_row_json(res, 0));
	return admin_mail_summary(r);
}

static bool
admin_slug_valid(const char *s)
{
	size_t n = strlen(s);

	return n >= 2 && n <= 32 && s[0] >= 'a' && s[0] <= 'z' &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

/* A community role or a category written with its moderation-log entry. */
struct admin_write {
	struct req *r;
	bool create;
	const char *slug, *label, *kind;      /* community role */
	const char *name, *desc, *pos;        /* category */
	const char *new_slug;                 /* category renamed, or NULL */
	const char *direction;                /* category moved: "up" or "down" */
	const char *question_style;           /* category: "true"/"false", or NULL to keep */
	const char *requires_affiliation;     /* category (schema/0032): the same */
	bool moved;                           /* out: the move swapped two categories */
	PGresult *row;                        /* out: the row as written */
};

static enum herr
admin_role_create_tx(struct ctx *c, void *arg)
{
	struct admin_write *w = arg;

	w->row = db_qx(c, STMT_CROLE_CREATE,
		       DB_EXPECT({ "23505", HERR_CONFLICT, "slug", "There is already a role with that slug." }),
		       w->slug, w->label, w->kind);
	if (w->row == NULL ||
	    modlog_add(c, auth_viewer(w->r)->id, "create_community_role", "community_role", w->slug,
		       NULL, json_pack("{s:s,s:s}", "label", w->label, "kind", w->kind)) != 0)
		return c->err;
	return HERR_OK;
}

static enum herr
admin_role_create(struct req *r)
{
	const char *slug, *label, *kind;
	struct admin_write w;

	if (auth_require(r, ROLE_ADMIN) != 0 ||
	    in_string(r, "slug", 2, 32, IN_REQUIRED | IN_TRIM, &slug) < 0 ||
	    in_string(r, "label", 1, 64, IN_REQUIRED | IN_TRIM, &label) < 0 ||
	    in_enum(r, "kind", admin_kinds, IN_REQUIRED, &kind) < 0)
		return r->c.err;
	if (!admin_slug_valid(slug))
		return http_fail(r, HERR_INVALID, "slug",
				 "A slug starts with a letter and has 2 to 32 of a-z, 0-9, '_' or '-'.");
	w = (struct admin_write){ .r = r, .slug = slug, .label = label, .kind = kind };
	if (db_transaction(&r->c, admin_role_create_tx, &w) != HERR_OK)
		return r->c.err;
	json_object_set_new(http_model(r), "community_role", db_row_json(w.row, 0));
	r->status = 201;
	r->location = "/admin";
	return HERR_OK;
}

static enum herr
admin_role_update_tx(struct ctx *c, void *arg)
{
	struct admin_write *w = arg;

	if ((w->row = db_q(c, STMT_CROLE_UPDATE, w->slug, w->label, w->kind)) == NULL)
		return c->err;
	if (PQntuples(w->row) == 0)
		return http_fail(w->r, HERR_NOT_FOUND, NULL, "There is no such community role.");
	if (modlog_add(c, auth_viewer(w->r)->id, "update_community_role", "community_role", w->slug,
		       NULL, json_pack("{s:s?,s:s?}", "label", w->label, "kind", w->kind)) != 0)
		return c->err;
	return HERR_OK;
}

static enum herr
admin_role_update(struct req *r)
{
	const char *label = NULL, *kind = NULL, *slug = http_param(r, "slug");

	if (auth_require(r, ROLE_ADMIN) != 0 ||
	    in_string(r, "label", 1, 64, IN_TRIM, &label) < 0 ||
	    in_enum(r, "kind", admin_kinds, 0, &kind) < 0)
		return r->c.err;
	if (label == NULL && kind == NULL)
		return http_fail(r, HERR_INVALID, "label", "Give a new label or kind.");
	struct admin_write w = { .r = r, .slug = slug, .label = label, .kind = kind };

	if (db_transaction(&r->c, admin_role_update_tx, &w) != HERR_OK)
		return r->c.err;
	json_object_set_new(http_model(r), "community_role", db_row_json(w.row, 0));
	r->location = "/admin";
	return HERR_OK;
}

/* /admin's form: set the permission role of an account by name. */
static enum herr
admin_set_role(struct req *r)
{
	const char *username, *role;

	if (auth_require(r, ROLE_ADMIN) != 0 ||
	    in_string(r, "username", 1, 64, IN_REQUIRED | IN_TRIM, &username) < 0 ||
	    in_enum(r, "role", auth_role_names, IN_REQUIRED, &role) < 0)
		return r->c.err;
	if (users_set_role(&r->c, username, role, auth_viewer(r)->id) != 0)
		return r->c.err;
	r->location = "/admin";
	return HERR_OK;
}

/* GET /admin/users and /api/v1/admin/users?q=&page=: accounts by username, those whose
 * username or display name holds q, 50 a page. */
static enum herr
admin_users(struct req *r)
{
	const char *q;
	size_t qlen;
	int64_t page;
	PGresult *res;
	json_t *users, *u;
	size_t i;

	if (auth_require(r, ROLE_ADMIN) != 0 || http_query_int(r, "page", 1, 1000000, 1, &page) != 0)
		return r->c.err;
	if ((q = http_query(r, "q")) == NULL && r->c.err != HERR_OK)
		return r->c.err;
	qlen = q ? strlen(q) : 0;
	if (q)
		utf8_trim(&q, &qlen);
	if (qlen > 200)
		return http_fail(r, HERR_INVALID, "q", "A search is at most 200 bytes.");
	q = qlen ? arena_strndup(r->c.arena, q, qlen) : NULL;
	/* One row more than a page says whether there is a next one. */
	if ((res = db_q(&r->c, STMT_ADMIN_USERS, q, db_int(&r->c, ADMIN_USERS_PAGE + 1),
			db_int(&r->c, (page - 1) * ADMIN_USERS_PAGE))) == NULL)
		return r->c.err;
	users = db_rows_json(res);
	json_object_set_new(http_model(r), "next_page",
			    json_array_size(users) > ADMIN_USERS_PAGE ? json_integer(page + 1) : json_null());
	if (json_array_size(users) > ADMIN_USERS_PAGE)
		json_array_remove(users, ADMIN_USERS_PAGE);
	if (r->html)   /* each row's role form preselects the current role */
		json_array_foreach(users, i, u) {
			int role = auth_role_parse(json_string_value(json_object_get(u, "role")));
			json_t *roles = json_array();

			for (int k = ROLE_MEMBER; k <= ROLE_ADMIN; k++)
				json_array_append_new(roles, json_pack("{s:s,s:b}", "name",
					auth_role_name((enum auth_role)k), "selected", role == k));
			json_object_set_new(u, "roles", roles);
		}
	json_object_set_new(r->model, "users", users);
	json_object_set_new(r->model, "q", json_string(q ? q : ""));
	if (r->html) {   /* the pages' links carry the search */
		struct buf e = BUF_INIT;

		if (q)
			buf_url_escape(&e, q, strlen(q));
		json_object_set_new(r->model, "q_url", json_string(e.data ? e.data : ""));
		buf_free(&e);
	}
	json_object_set_new(r->model, "current_page", json_integer(page));   /* "page" is the page context */
	json_object_set_new(r->model, "prev_page", page > 1 ? json_integer(page - 1) : json_null());
	return HERR_OK;
}

/* POST /admin/users/{username}/role: the list's role form; back to the same search. */
static enum herr
admin_user_role(struct req *r)
{
	const char *role, *q = NULL;
	struct buf back = BUF_INIT;
	int64_t page = 1;

	if (auth_require(r, ROLE_ADMIN) != 0 ||
	    in_enum(r, "role", auth_role_names, IN_REQUIRED, &role) < 0 ||
	    in_string(r, "q", 0, 200, IN_BYTES, &q) < 0 ||
	    in_int(r, "page", 1, 1000000, 0, &page) < 0)
		return r->c.err;
	if (users_set_role(&r->c, http_param(r, "username"), role, auth_viewer(r)->id) != 0)
		return r->c.err;
	buf_puts(&back, "/admin/users?q=");
	if (q)
		buf_url_escape(&back, q, strlen(q));
	buf_printf(&back, "&page=%lld", (long long)page);
	r->location = arena_strdup(r->c.arena, back.data);   /* never NULL: puts came first */
	buf_free(&back);
	return HERR_OK;
}

static bool
admin_category_slug_valid(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 64 && ((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')) &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

static enum herr
admin_category_save_tx(struct ctx *c, void *arg)
{
	struct admin_write *w = arg;
	const struct db_expect *taken =
		DB_EXPECT({ "23505", HERR_CONFLICT, "slug", "There is already a category with that slug." });

	w->row = w->create ? db_qx(c, STMT_CATEGORY_CREATE, taken, w->slug, w->name, w->desc, w->pos)
			   : db_qx(c, STMT_CATEGORY_UPDATE, taken, w->slug, w->name, w->desc, w->pos, w->new_slug);
	if (w->row == NULL)
		return c->err;
	if (PQntuples(w->row) == 0)
		return http_fail(w->r, HERR_NOT_FOUND, NULL, "There is no such category.");
	/* Question-style (schema/0023): set on the row just written, which it returns whole. */
	if (w->question_style && (w->row = db_q(c, STMT_CATEGORY_QUESTION_STYLE,
						 db_str(w->row, 0, db_col(w->row, "slug")), w->question_style)) == NULL)
		return c->err;
	if (w->requires_affiliation &&
	    (w->row = db_q(c, STMT_CATEGORY_REQUIRES_AFFILIATION, db_str(w->row, 0, db_col(w->row, "slug")),
			   w->requires_affiliation)) == NULL)
		return c->err;
	if (modlog_add(c, auth_viewer(w->r)->id, w->create ? "create_category" : "update_category", "category",
		       w->slug, NULL, json_pack("{s:s*,s:s*,s:s*,s:s*,s:s*,s:s*}", "slug", w->new_slug, "name", w->name,
						"description", w->desc, "position", w->pos,
						"question_style", w->question_style,
						"requires_affiliation", w->requires_affiliation)) != 0)
		return c->err;
	return HERR_OK;
}

/* Create (POST) or change (PATCH: any of name, description, position, slug) a category. */
static enum herr
admin_category_save(struct req *r, bool create)
{
	const char *slug = http_param(r, "slug"), *new_slug = NULL, *name = NULL, *desc = NULL, *pos = NULL;
	struct admin_write w;
	int64_t position;
	bool question, affiliation;
	int rc, qrc, arc;

	if (auth_require(r, ROLE_ADMIN) != 0 ||
	    in_string(r, "slug", 1, 64, (create ? IN_REQUIRED : 0) | IN_TRIM, create ? &slug : &new_slug) < 0 ||
	    in_string(r, "name", 1, 100, (create ? IN_REQUIRED : 0) | IN_TRIM, &name) < 0 ||
	    in_string(r, "description", 0, 1000, IN_NULLABLE, &desc) < 0 ||
	    (rc = in_int(r, "position", -1000000, 1000000, IN_NULLABLE, &position)) < 0 ||
	    /* the forms always carry the box (an unchecked one is not sent); JSON may leave it out */
	    (qrc = in_bool(r, "question_style", IN_NULLABLE | (r->input_form ? IN_CHECKBOX : 0), &question)) < 0 ||
	    (arc = in_bool(r, "requires_affiliation", IN_NULLABLE | (r->input_form ? IN_CHECKBOX : 0), &affiliation)) < 0)
		return r->c.err;
	if (rc == 0)
		pos = db_int(&r->c, position);
	/* The edit form always sends the description: an empty one clears it. */
	if (desc == NULL && r->input_form && json_object_get(r->input, "description"))
		desc = "";
	if (new_slug && strcmp(new_slug, slug) == 0)
		new_slug = NULL;   /* the edit form sends the slug it shows */
	if (!create && name == NULL && desc == NULL && pos == NULL && new_slug == NULL && qrc != 0 && arc != 0)
		return http_fail(r, HERR_INVALID, "name", "Give a name, description, position or slug to change.");
	if ((create || new_slug) && !admin_category_slug_valid(create ? slug : new_slug))
		return http_fail(r, HERR_INVALID, "slug", "A slug is 1 to 64 of a-z, 0-9 and '-'.");
	w = (struct admin_write){ .r = r, .create = create, .slug = slug, .name = name, .desc = desc, .pos = pos,
				  .new_slug = new_slug, .question_style = qrc == 0 ? (question ? "true" : "false") : NULL,
				  .requires_affiliation = arc == 0 ? (affiliation ? "true" : "false") : NULL };
	if (db_transaction(&r->c, admin_category_save_tx, &w) != HERR_OK)
		return r->c.err;
	json_object_set_new(http_model(r), "category", db_row_json(w.row, 0));
	r->status = create ? 201 : 200;
	r->location = "/admin#categories";
	return HERR_OK;
}

static enum herr
admin_category_move_tx(struct ctx *c, void *arg)
{
	struct admin_write *w = arg;
	PGresult *res;

	w->moved = false;
	w->row = NULL;
	if (db_q0(c, STMT_CATEGORIES_LOCK) == NULL || (res = db_q(c, STMT_CATEGORY_BY_SLUG, w->slug)) == NULL)
		return c->err;
	if (PQntuples(res) == 0)
		return http_fail(w->r, HERR_NOT_FOUND, NULL, "There is no such category.");
	if ((res = db_q(c, STMT_CATEGORY_MOVE, w->slug, strcmp(w->direction, "up") == 0 ? "-1" : "1")) == NULL)
		return c->err;
	w->moved = PQntuples(res) > 0;
	if (w->moved && modlog_add(c, auth_viewer(w->r)->id, "move_category", "category", w->slug, NULL,
				   json_pack("{s:s}", "direction", w->direction)) != 0)
		return c->err;
	if ((w->row = db_q0(c, STMT_CATEGORIES)) == NULL)
		return c->err;
	return HERR_OK;
}

/* POST /admin/categories/{slug}/move and /api/v1/categories/{slug}/move {direction: up|down}:
 * swap with the neighbour; at either end nothing moves ("moved": false). */
static enum herr
admin_category_move(struct req *r)
{
	static const char *const dirs[] = { "up", "down", NULL };
	struct admin_write w = { .r = r, .slug = http_param(r, "slug") };

	if (auth_require(r, ROLE_ADMIN) != 0 || in_enum(r, "direction", dirs, IN_REQUIRED, &w.direction) < 0)
		return r->c.err;
	if (db_transaction(&r->c, admin_category_move_tx, &w) != HERR_OK)
		return r->c.err;
	json_object_set_new(http_model(r), "moved", json_boolean(w.moved));
	json_object_set_new(r->model, "categories", db_rows_json(w.row));
	r->location = "/admin#categories";
	return HERR_OK;
}

static enum herr admin_category_create(struct req *r) { return admin_category_save(r, true); }
static enum herr admin_category_update(struct req *r) { return admin_category_save(r, false); }

const struct route admin_routes[] = {
	{ "POST", "/admin/categories", admin_category_create, .view = "admin", .page = admin_page },
	{ "POST", "/admin/categories/{slug}", admin_category_update, .view = "admin", .page = admin_page },
	{ "POST", "/admin/categories/{slug}/move", admin_category_move, .view = "admin", .page = admin_page },
	{ "POST", "/api/v1/categories", admin_category_create },
	{ "PATCH", "/api/v1/categories/{slug}", admin_category_update },
	{ "POST", "/api/v1/categories/{slug}/move", admin_category_move },
	{ "GET", "/admin/users", admin_users, .view = "admin_users", .title = "Accounts" },
	{ "POST", "/admin/users/{username}/role", admin_user_role, .view = "admin_users", .page = admin_users },
	{ "GET", "/api/v1/admin/users", admin_users },
	{ "POST", "/admin/site", site_settings_save, .view = "admin", .page = admin_page },
	{ "GET", "/api/v1/site", site_settings_show },
	{ "PATCH", "/api/v1/site", site_settings_save },
	{ "GET", "/admin", admin_page, .view = "admin", .title = "Administration" },
	{ "POST", "/admin/community-roles", admin_role_create, .view = "admin", .page = admin_page },
	{ "POST", "/admin/community-roles/{slug}", admin_role_update, .view = "admin", .page = admin_page },
	{ "POST", "/admin/users/role", admin_set_role, .view = "admin", .page = admin_page },
	{ "POST", "/api/v1/community-roles", admin_role_create },
	{ "PATCH", "/api/v1/community-roles/{slug}", admin_role_update },
};
const size_t admin_routes_n = ROUTES_N(admin_routes);
