/* forum/modlog.c — the moderation log: appending an entry (in the caller's transaction)
 * and the log pages (/mod/log, /api/v1/mod/log), newest first. */
#include "forum/modlog.h"

#include "auth/auth.h"
#include "db/db.h"
#include "forum/routes.h"
#include "http/http.h"
#include "render/jsontext.h"

#define MODLOG_PAGE 50

int
modlog_add(struct ctx *c, int64_t actor_id, const char *action, const char *target_type,
	   const char *target_id, const char *reason, json_t *details)
{
	const char *d = details ? jsontext_arena(c->arena, details, JSON_COMPACT) : NULL;
	PGresult *res;

	json_decref(details);   /* callers hand over a new reference (json_pack) */
	res = db_q(c, STMT_MODLOG_ADD, actor_id ? db_int(c, actor_id) : NULL, action, target_type,
		   target_id, reason, d);
	return res ? 0 : -1;
}

/* One page of entries, and the pages before and after it; signed-in members only. */
static enum herr
modlog_page(struct req *r)
{
	int64_t page;
	PGresult *res;
	json_t *entries;

	if (auth_require(r, ROLE_MEMBER) != 0 || http_query_int(r, "page", 1, 1000000, 1, &page) != 0)
		return r->c.err;
	/* One row more than a page says whether there is a next one. */
	if ((res = db_q(&r->c, STMT_MODLOG_PAGE, db_int(&r->c, MODLOG_PAGE + 1),
			db_int(&r->c, (page - 1) * MODLOG_PAGE))) == NULL)
		return r->c.err;
	entries = db_rows_json(res);
	json_object_set_new(http_model(r), "next_page",
			    json_array_size(entries) > MODLOG_PAGE ? json_integer(page + 1) : json_null());
	if (json_array_size(entries) > MODLOG_PAGE)
		json_array_remove(entries, MODLOG_PAGE);
	json_object_set_new(r->model, "entries", entries);
	if (page > 1)
		json_object_set_new(r->model, "prev_page", json_integer(page - 1));
	return HERR_OK;
}

const struct route modlog_routes[] = {
	{ "GET", "/mod/log", modlog_page, .view = "modlog", .title = "Moderation log" },
	{ "GET", "/api/v1/mod/log", modlog_page },
};
const size_t modlog_routes_n = ROUTES_N(modlog_routes);
