/* forum/affiliation.c — helpers' declared affiliations: the settings section, GET/PUT/DELETE
 * /api/v1/me/affiliation, the profile's affiliation, and the rule of categories that
 * require one before a helper posts (schema/0032). Only helpers declare one: the issue
 * is readers seeing who is selling, and a practitioner naming an employer would only make
 * them easier to single out. */
#include "forum/affiliation.h"

#include <string.h>

#include "auth/auth.h"
#include "core/utf8.h"
#include "db/db.h"
#include "forum/policy.h"
#include "forum/routes.h"

#define AFFILIATION_ORG_MAX 100
#define AFFILIATION_PRODUCTS_MAX 300

int
affiliation_may_post(struct req *r, int64_t category_id)
{
	struct viewer *v = auth_viewer(r);
	PGresult *res;

	/* Asked of the database only when the answer can depend on it. */
	if (policy_affiliation_ok(v, true, false))
		return 0;
	if ((res = db_q(&r->c, STMT_AFFILIATION_GATE, db_int(&r->c, category_id), db_int(&r->c, v->id))) == NULL)
		return -1;
	/* No row: no such category, which the write itself reports. */
	if (PQntuples(res) == 0 || policy_affiliation_ok(v, db_bool(res, 0, 0), db_bool(res, 0, 1)))
		return 0;
	r->c.extra = json_pack("{s:s,s:{s:s,s:s}}", "reason", "affiliation_required", "next",
			       "href", "/settings#affiliation", "label", "Declare your affiliation in Settings");
	http_defer_json(r, r->c.extra);
	http_fail(r, HERR_FORBIDDEN, NULL,
		  "This category asks consultants, vendors, analysts and trainers to declare their "
		  "affiliation before they post: add it in Settings.");
	return -1;
}

/* {organisation, products, declared_at} or null, and may_declare, of member id. */
static PGresult *
affiliation_row(struct ctx *c, int64_t id)
{
	PGresult *res = db_q(c, STMT_AFFILIATION_GET, db_int(c, id));

	if (res && PQntuples(res) == 0) {
		ctx_fail(c, HERR_NOT_FOUND, NULL, "There is no such user.");
		return NULL;
	}
	return res;
}

static json_t *
affiliation_json(PGresult *res, bool shown_only)
{
	if (db_str(res, 0, 0) == NULL || (shown_only && !db_bool(res, 0, db_col(res, "may_declare"))))
		return json_null();
	return json_pack("{s:s,s:s?,s:s?}", "organisation", db_str(res, 0, 0), "products", db_str(res, 0, 1),
			 "declared_at", db_str(res, 0, 2));
}

int
affiliation_profile(struct req *r, int64_t id, json_t *user)
{
	PGresult *res = affiliation_row(&r->c, id);
	json_t *a;

	if (res == NULL)
		return -1;
	a = affiliation_json(res, true);
	json_object_del(a, "declared_at");
	json_object_set_new(user, "affiliation", a);
	return 0;
}

/* The viewer's affiliation, whether they may declare one, under key (NULL: the model). */
static enum herr
affiliation_model(struct req *r, const char *key)
{
	PGresult *res = affiliation_row(&r->c, auth_viewer(r)->id);
	json_t *m;

	if (res == NULL)
		return r->c.err;
	m = json_pack("{s:o,s:b}", "affiliation", affiliation_json(res, false),
		      "may_declare", db_bool(res, 0, db_col(res, "may_declare")));
	if (key == NULL) {
		json_object_update(http_model(r), m);
		json_decref(m);
	} else {
		json_object_set_new(http_model(r), key, m);
	}
	return HERR_OK;
}

enum herr
affiliation_settings_model(struct req *r)
{
	return affiliation_model(r, "my_affiliation");
}

static enum herr
affiliation_get(struct req *r)
{
	if (auth_require(r, ROLE_MEMBER) != 0)
		return r->c.err;
	return affiliation_model(r, NULL);
}

/* One line of text: names and product lists have no use for control characters. */
static int
affiliation_check_line(struct req *r, const char *field, const char *s)
{
	if (s && utf8_has_control(s, strlen(s))) {
		http_fail(r, HERR_INVALID, field, arena_printf(r->c.arena, "%s is one line without control characters.", field));
		return -1;
	}
	return 0;
}

static enum herr
affiliation_store(struct req *r, const char *org, const char *products)
{
	struct viewer *v = auth_viewer(r);

	if (org && strcmp(v->community_kind, "helper") != 0) {
		r->c.extra = json_pack("{s:s}", "reason", "not_a_helper");
		http_defer_json(r, r->c.extra);
		return http_fail(r, HERR_FORBIDDEN, "organisation",
				 "Only consultants, vendors, analysts, trainers and other helpers declare an affiliation.");
	}
	if (db_qx(&r->c, STMT_AFFILIATION_SET,
		  DB_EXPECT({ "23514", HERR_INVALID, "organisation", "organisation must be 1 to 100 characters." }),
		  db_int(&r->c, v->id), org, products) == NULL)
		return r->c.err;
	r->location = "/settings#affiliation";
	return affiliation_model(r, NULL);
}

/* PUT /api/v1/me/affiliation {organisation, products?}; POST /settings/affiliation, where an
 * empty organisation clears it (the form's way to take it back). */
static enum herr
affiliation_put(struct req *r)
{
	const char *org = NULL, *products = NULL;
	int rc;

	if (auth_require(r, ROLE_MEMBER) != 0)
		return r->c.err;
	if ((rc = in_string(r, "organisation", r->input_form ? 0 : 1, AFFILIATION_ORG_MAX,
			    IN_TRIM | (r->input_form ? 0 : IN_REQUIRED), &org)) < 0 ||
	    in_string(r, "products", 0, AFFILIATION_PRODUCTS_MAX, IN_TRIM | IN_NULLABLE, &products) < 0 ||
	    affiliation_check_line(r, "organisation", org) != 0 || affiliation_check_line(r, "products", products) != 0)
		return r->c.err;
	if (org && *org == '\0')
		org = NULL;
	if (products && *products == '\0')
		products = NULL;
	if (org == NULL && products)
		return http_fail(r, HERR_INVALID, "organisation", "Name the organisation whose products you sell.");
	return affiliation_store(r, org, products);
}

static enum herr
affiliation_delete(struct req *r)
{
	if (auth_require(r, ROLE_MEMBER) != 0)
		return r->c.err;
	return affiliation_store(r, NULL, NULL);
}

const struct route affiliation_routes[] = {
	{ "GET", "/api/v1/me/affiliation", affiliation_get },
	{ "PUT", "/api/v1/me/affiliation", affiliation_put },
	{ "DELETE", "/api/v1/me/affiliation", affiliation_delete },
	{ "POST", "/settings/affiliation", affiliation_put, .view = "settings", .title = "Settings",
	  .page = acct_settings },
};
const size_t affiliation_routes_n = ROUTES_N(affiliation_routes);
