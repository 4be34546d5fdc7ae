/* forum/admin.c — what administrators manage: the community roles people choose from,
 * and permission roles (through /admin as well as PATCH /api/v1/users). */
#include <string.h>

#include "auth/auth.h"
#include "forum/admin_mail.h"
#include "forum/modlog.h"
#include "forum/routes.h"
#include "forum/users.h"
#include "http/http.h"

static const char *const admin_kinds[] = { "doer", "helper", NULL };

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
	json_object_set_new(r->model, "categories", db_rows_json(res));
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
			   : db_qx(c, STMT_CATEGORY_UPDATE, taken, w->slug, w->name, w->desc, w->pos);
	if (w->row == NULL)
		return c->err;
	if (PQntuples(w->row) == 0)
		return http_fail(w->r, HERR_NOT_FOUND, NULL, "There is no such category.");
	if (modlog_add(c, auth_viewer(w->r)->id, w->create ? "create_category" : "update_category", "category",
		       w->slug, NULL, NULL) != 0)
		return c->err;
	return HERR_OK;
}

static enum herr
admin_category_save(struct req *r, bool create)
{
	const char *slug = http_param(r, "slug"), *name = NULL, *desc = NULL, *pos = NULL;
	struct admin_write w;
	int64_t position;
	int rc;

	if (auth_require(r, ROLE_ADMIN) != 0 ||
	    (create && in_string(r, "slug", 1, 64, IN_REQUIRED | IN_TRIM, &slug) < 0) ||
	    in_string(r, "name", 1, 100, (create ? IN_REQUIRED : 0) | IN_TRIM, &name) < 0 ||
	    in_string(r, "description", 0, 1000, IN_NULLABLE, &desc) < 0 ||
	    (rc = in_int(r, "position", -1000000, 1000000, IN_NULLABLE, &position)) < 0)
		return r->c.err;
	if (rc == 0)
		pos = db_int(&r->c, position);
	if (!create && name == NULL && desc == NULL && pos == NULL)
		return http_fail(r, HERR_INVALID, "name", "Give a name, description or position to change.");
	if (create && !admin_category_slug_valid(slug))
		return http_fail(r, HERR_INVALID, "slug", "A slug is 1 to 64 of a-z, 0-9 and '-'.");
	w = (struct admin_write){ .r = r, .create = create, .slug = slug, .name = name, .desc = desc, .pos = pos };
	if (db_transaction(&r->c, admin_category_save_tx, &w) != HERR_OK)
		return r->c.err;
	json_object_set_new(http_model(r), "category", db_row_json(w.row, 0));
	r->status = create ? 201 : 200;
	r->location = "/admin";
	return HERR_OK;
}

static enum herr admin_category_create(struct req *r) { return admin_category_save(r, true); }
static enum herr admin_category_update(struct req *r) { return admin_category_save(r, false); }

const struct route admin_routes[] = {
	{ "POST", "/admin/categories", admin_category_create, .view = "admin", .page = admin_page },
	{ "POST", "/admin/categories/{slug}", admin_category_update, .view = "admin", .page = admin_page },
	{ "POST", "/api/v1/categories", admin_category_create },
	{ "PATCH", "/api/v1/categories/{slug}", admin_category_update },
	{ "GET", "/admin", admin_page, .view = "admin", .title = "Administration" },
	{ "POST", "/admin/community-roles", admin_role_create, .view = "admin", .page = admin_page },
	{ "POST", "/admin/community-roles/{slug}", admin_role_update, .view = "admin", .page = admin_page },
	{ "POST", "/admin/users/role", admin_set_role, .view = "admin", .page = admin_page },
	{ "POST", "/api/v1/community-roles", admin_role_create },
	{ "PATCH", "/api/v1/community-roles/{slug}", admin_role_update },
};
const size_t admin_routes_n = ROUTES_N(admin_routes);
