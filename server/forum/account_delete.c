/* forum/account_delete.c — deleting an account: by its owner (settings, with the password
 * and a confirmation page, or DELETE /api/v1/me) and by an administrator (with a reason).
 * Both erase the account in one transaction with its moderation-log entry; what goes and
 * what stays is schema/0021's account_erase(). */
#include <string.h>
#include <strings.h>

#include "auth/auth.h"
#include "db/db.h"
#include "forum/modlog.h"
#include "forum/routes.h"
#include "forum/users.h"
#include "http/http.h"

struct acct_erase {
	int64_t actor, id;
	const char *action, *reason;
};

static enum herr
acct_erase_tx(struct ctx *c, void *arg)
{
	const struct acct_erase *a = arg;
	PGresult *res;

	/* Locks the admins first: two admins deleting each other at once cannot leave none. */
	if (users_keep_an_admin(c, a->id) != 0 || (res = db_q(c, STMT_ACCOUNT_ERASE, db_int(c, a->id))) == NULL)
		return c->err;
	if (!db_bool(res, 0, 0))
		return ctx_fail(c, HERR_NOT_FOUND, NULL, "There is no such user.");
	if (modlog_add(c, a->actor, a->action, "user", db_int(c, a->id), a->reason, NULL) != 0)
		return c->err;
	return HERR_OK;
}

/* GET /settings/delete: what deleting means, and the form that does it. */
static enum herr
acct_delete_page(struct req *r)
{
	if (auth_require(r, ROLE_MEMBER) != 0)
		return r->c.err;
	json_object_set_new(http_model(r), "username", json_string(auth_viewer(r)->username));
	return HERR_OK;
}

/* GET /account/deleted: where the browser lands afterwards. */
static enum herr
acct_deleted_page(struct req *r)
{
	json_object_set_new(http_model(r), "done", json_true());
	return HERR_OK;
}

/* The password again (a session left open must not be enough to erase an account),
 * counted against the same limits as signing in; on the page also the username typed, so
 * a slip of the finger deletes nothing. 0, or -1 with the error recorded. */
static int
acct_delete_check(struct req *r)
{
	const struct auth_config *cfg = auth_config();
	struct viewer *v = auth_viewer(r);
	const char *password, *confirm = NULL, *key, *ip_key;
	PGresult *res;
	int ok;

	if (in_string(r, "password", 1, 1024, IN_REQUIRED | IN_BYTES, &password) < 0 ||
	    in_string(r, "confirm", 1, 64, (r->html ? IN_REQUIRED : 0) | IN_TRIM, &confirm) < 0)
		return -1;
	if (confirm && strcasecmp(confirm, v->username) != 0) {
		http_fail(r, HERR_INVALID, "confirm", "Type your username exactly to confirm.");
		return -1;
	}
	key = arena_printf(r->c.arena, "signin:acct:%s", v->username);
	for (char *p = (char *)key; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	ip_key = arena_printf(r->c.arena, "signin:ip:%s", r->client_ip);
	if (auth_rate_check(r, key, cfg->signin_fail_account, cfg->signin_window_s) != 0 ||
	    auth_rate_check(r, ip_key, cfg->signin_fail_ip, cfg->signin_window_s) != 0)
		return -1;
	if ((res = db_q(&r->c, STMT_ACCOUNT_FOR_DELETE, db_int(&r->c, v->id))) == NULL)
		return -1;
	if (PQntuples(res) == 0) {
		http_fail(r, HERR_NOT_FOUND, NULL, "There is no such user.");
		return -1;
	}
	if ((ok = auth_password_verify(&r->c, db_str(res, 0, 1), password, strlen(password))) < 0)
		return -1;
	if (!ok) {
		auth_rate_count(r, key, cfg->signin_window_s);
		auth_rate_count(r, ip_key, cfg->signin_window_s);
		http_fail(r, HERR_FORBIDDEN, "password", "That is not your password; nothing was deleted.");
		return -1;
	}
	return 0;
}

/* POST /settings/delete and DELETE /api/v1/me. */
static enum herr
acct_delete_self(struct req *r)
{
	struct viewer *v;

	if (auth_require(r, ROLE_MEMBER) != 0 || acct_delete_check(r) != 0)
		return r->c.err;
	v = auth_viewer(r);
	if (db_transaction(&r->c, acct_erase_tx, &(struct acct_erase){ v->id, v->id, "delete_own_account", NULL }) !=
	    HERR_OK)
		return r->c.err;
	/* The sessions went with the account; this also clears the browser's cookie. */
	if (auth_session_end(r) != 0)
		return r->c.err;
	r->viewer = NULL;
	r->location = "/account/deleted";
	return HERR_OK;
}

/* The live account named in the path, never the admin's own. -1 with 404/403 recorded. */
static int64_t
acct_admin_target(struct req *r)
{
	PGresult *res;
	int64_t id;

	if ((res = db_q(&r->c, STMT_USER_EXISTS, http_param(r, "username"))) == NULL)
		return -1;
	if (PQntuples(res) == 0) {
		http_fail(r, HERR_NOT_FOUND, NULL, "There is no such user.");
		return -1;
	}
	id = db_i64(res, 0, 0);
	if (id == auth_viewer(r)->id) {
		http_fail(r, HERR_FORBIDDEN, NULL,
			  "Administrators delete their own account from their settings, with their password.");
		return -1;
	}
	return id;
}

/* GET /admin/users/{username}/delete: the confirmation page, asking for the reason. */
static enum herr
acct_admin_delete_page(struct req *r)
{
	int64_t id;
	json_t *u;

	if (auth_require(r, ROLE_ADMIN) != 0 || (id = acct_admin_target(r)) < 0)
		return r->c.err;
	if ((u = users_get(&r->c, id, false)) == NULL)
		return r->c.err;
	json_object_set_new(http_model(r), "user", u);
	return HERR_OK;
}

/* POST /admin/users/{username}/delete and DELETE /api/v1/admin/users/{username} {reason}. */
static enum herr
acct_admin_delete(struct req *r)
{
	const char *reason;
	int64_t id;

	if (auth_require(r, ROLE_ADMIN) != 0 ||
	    in_string(r, "reason", 1, 500, IN_REQUIRED | IN_TRIM, &reason) < 0 || (id = acct_admin_target(r)) < 0)
		return r->c.err;
	if (db_transaction(&r->c, acct_erase_tx,
			   &(struct acct_erase){ auth_viewer(r)->id, id, "delete_account", reason }) != HERR_OK)
		return r->c.err;
	r->location = "/admin/users";
	return HERR_OK;
}

const struct route account_delete_routes[] = {
	{ "GET", "/settings/delete", acct_delete_page, .view = "account_delete", .title = "Delete your account" },
	{ "POST", "/settings/delete", acct_delete_self, .view = "account_delete", .title = "Delete your account",
	  .page = acct_delete_page },
	{ "GET", "/account/deleted", acct_deleted_page, .view = "account_delete", .title = "Account deleted" },
	{ "DELETE", "/api/v1/me", acct_delete_self },
	{ "GET", "/admin/users/{username}/delete", acct_admin_delete_page, .view = "admin_user_delete",
	  .title = "Delete an account" },
	{ "POST", "/admin/users/{username}/delete", acct_admin_delete, .view = "admin_user_delete",
	  .title = "Delete an account", .page = acct_admin_delete_page },
	{ "DELETE", "/api/v1/admin/users/{username}", acct_admin_delete },
};
const size_t account_delete_routes_n = ROUTES_N(account_delete_routes);
