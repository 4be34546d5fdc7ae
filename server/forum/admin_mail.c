/* forum/admin_mail.c — the outbox as administrators see it: counts and the failed
 * messages on /admin, the list by state at GET /api/v1/admin/mail. */
#include <string.h>

#include "auth/auth.h"
#include "db/db.h"
#include "forum/admin_mail.h"
#include "forum/routes.h"

enum herr
admin_mail_summary(struct req *r)
{
	PGresult *res;
	json_t *mail;

	if ((res = db_q0(&r->c, STMT_MAIL_COUNTS)) == NULL)
		return r->c.err;
	mail = db_row_json(res, 0);
	if ((res = db_q(&r->c, STMT_MAIL_LIST, "failed")) == NULL) {
		json_decref(mail);
		return r->c.err;
	}
	json_object_set_new(mail, "any_failed", json_boolean(PQntuples(res) > 0));
	json_object_set_new(mail, "failed_list", db_rows_json(res));
	json_object_set_new(http_model(r), "mail", mail);
	return HERR_OK;
}

static enum herr
admin_mail_list(struct req *r)
{
	static const char *const states[] = { "failed", "queued", NULL };
	const char *state = http_query(r, "state");
	PGresult *res;
	int i;

	if (auth_require(r, ROLE_ADMIN) != 0)
		return r->c.err;
	if (state == NULL)
		state = "failed";
	for (i = 0; states[i] && strcmp(states[i], state) != 0; i++)
		;
	if (states[i] == NULL)
		return http_fail(r, HERR_INVALID, "state", "The state is failed or queued.");
	if ((res = db_q(&r->c, STMT_MAIL_LIST, state)) == NULL)
		return r->c.err;
	json_object_set_new(http_model(r), "mail", db_rows_json(res));
	return HERR_OK;
}

const struct route admin_mail_routes[] = {
	{ "GET", "/api/v1/admin/mail", admin_mail_list },
};
const size_t admin_mail_routes_n = ROUTES_N(admin_mail_routes);
