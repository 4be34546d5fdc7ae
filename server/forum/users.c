/* forum/users.c — profiles, profile edits, permission and community roles of accounts,
 * suspension, and the account creation shared with the command line. */
#include "forum/users.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "core/log.h"
#include "forum/affiliation.h"
#include "forum/markup.h"
#include "forum/modlog.h"
#include "forum/policy.h"
#include "forum/routes.h"
#include "forum/trail.h"
#include "forum/user_lists.h"
#include "http/http.h"

#define USERS_BIO_MAX 5000

static const char users_taken[] = "That username is taken (names ignore case).";

bool
users_name_valid(const char *name)
{
	size_t n = strlen(name);

	return n >= 3 && n <= 32 &&
	       strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

int
users_create(struct ctx *c, const char *username, const char *password, size_t pwlen,
	     const char *community_role, const char *email, const char *role, int64_t *ret_id)
{
	char hash[AUTH_HASH_BYTES];
	PGresult *res;

	if (!users_name_valid(username)) {
		ctx_fail(c, HERR_INVALID, "username",
			 "A username is 3 to 32 letters, digits, '_' or '-'.");
		return -1;
	}
	if (auth_password_acceptable(c, "password", password, pwlen) != 0)
		return -1;
	if (auth_role_parse(role) < 0) {
		ctx_fail(c, HERR_INVALID, "role", "A role is member, moderator or admin.");
		return -1;
	}
	/* Cheap check first: a taken name should not cost an argon2id hash. */
	if ((res = db_q(c, STMT_USER_EXISTS, username)) == NULL)
		return -1;
	if (PQntuples(res) > 0)
		goto taken;
	if (auth_password_hash(c, password, pwlen, hash) != 0)
		return -1;
	/* The unique index settles a race the cheap check lost. */
	res = db_qx(c, STMT_USER_CREATE,
		    DB_EXPECT({ "23505", HERR_CONFLICT, "username", users_taken },
			      { "23503", HERR_INVALID, "community_role", "There is no such community role." }),
		    username, hash, community_role, email, role);
	sodium_memzero(hash, sizeof hash);
	if (res == NULL)
		return -1;
	*ret_id = db_i64(res, 0, 0);
	return 0;
taken:
	ctx_fail(c, HERR_CONFLICT, "username", users_taken);
	return -1;
}

json_t *
users_get(struct ctx *c, int64_t id, bool private)
{
	PGresult *res = db_q(c, STMT_USER_BY_ID, db_int(c, id));
	json_t *u;

	if (res == NULL)
		return NULL;
	if (PQntuples(res) == 0) {
		ctx_fail(c, HERR_NOT_FOUND, NULL, "There is no such user.");
		return NULL;
	}
	u = db_row_json(res, 0);
	if (!private) {
		json_object_del(u, "bio");
		json_object_del(u, "email");
		json_object_del(u, "email_verified_at");
		json_object_del(u, "suspension_reason");
		/* A suspension shows to the member and to moderators only: a mark anyone could
		 * watch would tie a suspension through an anonymous post (forum/anonymous.c),
		 * which the log does not name, to the member. */
		json_object_del(u, "suspended");
		json_object_del(u, "suspended_until");
	}
	return u;
}

int
users_keep_an_admin(struct ctx *c, int64_t user_id)
{
	PGresult *res = db_q0(c, STMT_ADMINS_LOCK);
	int others = 0;

	if (res == NULL)
		return -1;
	for (int i = 0; i < PQntuples(res); i++)
		if (db_i64(res, i, 0) != user_id)
			others++;
	if (others == 0 && PQntuples(res) > 0) {
		ctx_fail(c, HERR_CONFLICT, "role", "The forum needs at least one administrator.");
		return -1;
	}
	return 0;
}

struct users_role_change {
	const char *username, *role;
	int64_t actor_id;
};

static enum herr
users_set_role_tx(struct ctx *c, void *arg)
{
	const struct users_role_change *a = arg;
	const char *username = a->username, *role = a->role;
	int64_t actor_id = a->actor_id;
	PGresult *res;
	int64_t id;

	if ((res = db_q(c, STMT_USER_EXISTS, username)) == NULL)
		return c->err;
	if (PQntuples(res) == 0)
		return ctx_fail(c, HERR_NOT_FOUND, NULL, "There is no such user.");
	id = db_i64(res, 0, 0);
	if (auth_role_parse(role) != ROLE_ADMIN && users_keep_an_admin(c, id) != 0)
		return c->err;
	if (db_q(c, STMT_USER_UPDATE, db_int(c, id), NULL, NULL, NULL, NULL, NULL, role) == NULL ||
	    modlog_add(c, actor_id, "set_role", "user", db_int(c, id), NULL,
		       json_pack("{s:s}", "role", role)) != 0)
		return c->err;
	return HERR_OK;
}

int
users_set_role(struct ctx *c, const char *username, const char *role, int64_t actor_id)
{
	struct users_role_change a = { username, role, actor_id };

	if (auth_role_parse(role) < 0) {
		ctx_fail(c, HERR_INVALID, "role", "A role is member, moderator or admin.");
		return -1;
	}
	return db_transaction(c, users_set_role_tx, &a) == HERR_OK ? 0 : -1;
}

/* --- handlers --- */

static bool
users_is_self(struct req *r, json_t *user)
{
	struct viewer *v = auth_viewer(r);

	return v && v->id == json_integer_value(json_object_get(user, "id"));
}

static int64_t
users_id_by_name(struct req *r, const char *name)
{
	PGresult *res = db_q(&r->c, STMT_USER_EXISTS, name);

	if (res == NULL)
		return -1;
	if (PQntuples(res) == 0) {
		/* Posts of a deleted account name it "deleted member <id>" (schema/0021), a name no
		 * live account can have: it has no profile, but the page says why. */
		http_fail(r, HERR_NOT_FOUND, NULL, strncmp(name, "deleted member ", 15) == 0
			  ? "This account was deleted: its posts stay, its profile does not." : "There is no such user.");
		return -1;
	}
	return db_i64(res, 0, 0);
}

static enum herr
users_show(struct req *r)
{
	struct viewer *v = auth_viewer(r);
	int64_t id = users_id_by_name(r, http_param(r, "username"));
	json_t *u, *probe;
	bool private;

	if (id < 0)
		return r->c.err;
	probe = users_get(&r->c, id, true);
	if (probe == NULL)
		return r->c.err;
	private = users_is_self(r, probe) || policy_is_moderator(v);
	json_decref(probe);
	if ((u = users_get(&r->c, id, private)) == NULL)
		return r->c.err;
	json_object_set_new(http_model(r), "user", u);
	if (affiliation_profile(r, id, u) != 0 || trail_profile(r, id) != 0)
		return r->c.err;
	r->title = arena_strdup(r->c.arena, json_string_value(json_object_get(u, "username")));
	if (v) {
		json_object_set_new(r->model, "can_moderate", json_boolean(policy_is_moderator(v)));
		json_object_set_new(r->model, "can_admin", json_boolean(policy_is_admin(v)));
		json_object_set_new(r->model, "is_self", json_boolean(v->id == id));
	}
	if (policy_is_admin(v) && r->html) {
		int role = auth_role_parse(json_string_value(json_object_get(u, "role")));
		json_t *roles = json_array();

		for (int i = ROLE_MEMBER; i <= ROLE_ADMIN; i++)
			json_array_append_new(roles, json_pack("{s:s,s:b}", "name", auth_role_name((enum auth_role)i),
							       "selected", role == i));
		json_object_set_new(r->model, "roles", roles);
	}
	/* The API lists them on their own URLs (forum/user_lists.c). */
	if (r->html && user_lists_profile(r, id) != 0)
		return r->c.err;
	return HERR_OK;
}

/* Render a bio through the one Markdown pipeline; blank stays "". */
static const char *
users_bio_html(struct req *r, const char *bio)
{
	static const struct markup_spec spec = { .field = "bio", .noun = "bio", .max_bytes = USERS_BIO_MAX,
						 .blank_ok = true };
	struct markup m;

	return markup_render(&r->c, bio, &spec, &m) < 0 ? NULL : m.html;
}

struct users_patch {
	const char *display_name, *bio, *bio_html, *community_role, *verified, *role;
	bool has_role;
};

/* Read the fields this viewer may change; a field they may not change is 403. */
static int
users_patch_read(struct req *r, bool self, struct users_patch *p)
{
	struct viewer *v = auth_viewer(r);
	bool verified;
	int rc;

	if ((rc = in_string(r, "display_name", 0, 64, IN_TRIM | IN_NULLABLE, &p->display_name)) < 0 ||
	    (rc = in_string(r, "bio", 0, USERS_BIO_MAX, IN_BYTES | IN_NULLABLE, &p->bio)) < 0 ||
	    (rc = in_string(r, "community_role", 1, 32, 0, &p->community_role)) < 0 ||
	    (rc = in_bool(r, "role_verified", 0, &verified)) < 0 ||
	    (rc = in_enum(r, "role", auth_role_names, 0, &p->role)) < 0)
		return -1;
	if (r->input_form && json_object_get(r->input, "display_name") && !p->display_name)
		p->display_name = "";   /* a form sends "" to clear the field */
	if (r->input_form && json_object_get(r->input, "bio") && !p->bio)
		p->bio = "";
	if (json_object_get(r->input, "role_verified"))
		p->verified = verified ? "true" : "false";
	if (!self && (p->display_name || p->bio || p->community_role)) {
		http_fail(r, HERR_FORBIDDEN, NULL, "You can only edit your own profile.");
		return -1;
	}
	if (p->verified && !policy_is_moderator(v)) {
		http_fail(r, HERR_FORBIDDEN, "role_verified", "Only moderators verify community roles.");
		return -1;
	}
	if (p->role && !policy_is_admin(v)) {
		http_fail(r, HERR_FORBIDDEN, "role", "Only administrators change permission roles.");
		return -1;
	}
	if (p->bio && (p->bio_html = users_bio_html(r, p->bio)) == NULL)
		return -1;
	return 0;
}

struct users_patch_args {
	struct req *r;
	int64_t id;
	const struct users_patch *p;
};

static enum herr
users_patch_tx(struct ctx *c, void *arg)
{
	const struct users_patch_args *a = arg;
	struct req *r = a->r;
	struct viewer *v = auth_viewer(r);
	const struct users_patch *p = a->p;
	int64_t id = a->id;

	if (p->role && auth_role_parse(p->role) != ROLE_ADMIN && users_keep_an_admin(c, id) != 0)
		return c->err;
	if (db_qx(c, STMT_USER_UPDATE,
		  DB_EXPECT({ "23503", HERR_INVALID, "community_role", "There is no such community role." }),
		  db_int(c, id), p->display_name, p->bio, p->bio_html, p->community_role, p->verified,
		  p->role) == NULL)
		return c->err;
	if ((p->verified && modlog_add(c, v->id, strcmp(p->verified, "true") == 0 ? "verify_role" : "unverify_role",
				       "user", db_int(c, id), NULL, NULL) != 0) ||
	    (p->role && modlog_add(c, v->id, "set_role", "user", db_int(c, id), NULL,
				   json_pack("{s:s}", "role", p->role)) != 0))
		return c->err;
	return HERR_OK;
}

static enum herr
users_patch_id(struct req *r, int64_t id)
{
	struct viewer *v = auth_viewer(r);
	struct users_patch p = { 0 };
	json_t *u;

	if (users_patch_read(r, v->id == id, &p) != 0)
		return r->c.err;
	if (db_transaction(&r->c, users_patch_tx, &(struct users_patch_args){ r, id, &p }) != HERR_OK)
		return r->c.err;
	if ((u = users_get(&r->c, id, v->id == id || policy_is_moderator(v))) == NULL)
		return r->c.err;
	json_object_set_new(http_model(r), "user", u);
	r->location = arena_printf(r->c.arena, "/u/%s", json_string_value(json_object_get(u, "username")));
	return HERR_OK;
}

static enum herr
users_patch(struct req *r)
{
	int64_t id;

	if (auth_require(r, ROLE_MEMBER) != 0 || (id = users_id_by_name(r, http_param(r, "username"))) < 0)
		return r->c.err;
	return users_patch_id(r, id);
}

enum herr
users_settings_save(struct req *r)
{
	if (auth_require(r, ROLE_MEMBER) != 0)
		return r->c.err;
	/* users_patch_id leaves the browser on the profile: the saved result as others see it. */
	return users_patch_id(r, auth_viewer(r)->id);
}

int
users_suspension_allowed(struct ctx *c, int64_t actor, int actor_role, int64_t target, bool lift)
{
	json_t *u = users_get(c, target, false);
	int role;

	if (u == NULL)
		return -1;
	role = auth_role_parse(json_string_value(json_object_get(u, "role")));
	json_decref(u);
	/* Lifting can only help: admins lift anyone's, moderators members'. */
	if (lift ? (actor_role >= ROLE_ADMIN || role == ROLE_MEMBER)
		 : (target != actor && role != ROLE_ADMIN && (role == ROLE_MEMBER || actor_role >= ROLE_ADMIN)))
		return 0;
	ctx_fail(c, HERR_FORBIDDEN, NULL, lift ? "You cannot lift this suspension." : "You cannot suspend this account.");
	return -1;
}

static int
users_may_suspend(struct req *r, int64_t id, bool lift)
{
	struct viewer *v = auth_viewer(r);

	return users_suspension_allowed(&r->c, v->id, v->role, id, lift);
}

static const char users_until_msg[] = "until must be a time in the future (RFC 3339).";

struct users_suspension {
	int64_t actor, id;
	const char *until, *reason;   /* suspending; both NULL when lifting */
	bool suspend;
	const char *logged_until;     /* RFC 3339 for the log; NULL: until lifted */
};

static enum herr
users_suspend_tx(struct ctx *c, void *arg)
{
	const struct users_suspension *a = arg;
	const char *post;
	PGresult *res;

	if (a->suspend) {
		if (db_q(c, STMT_USER_SUSPEND, db_int(c, a->id), a->until, a->reason, NULL) == NULL ||
		    modlog_add(c, a->actor, "suspend", "user", db_int(c, a->id), a->reason,
			       json_pack("{s:s?}", "until", a->logged_until)) != 0)
			return c->err;
		return HERR_OK;
	}
	if ((res = db_q(c, STMT_USER_UNSUSPEND, db_int(c, a->id))) == NULL)
		return c->err;
	/* Made through an anonymous post: the lifting names the post too, not the member. */
	post = PQntuples(res) && !PQgetisnull(res, 0, 0) ? db_str(res, 0, 0) : NULL;
	if (modlog_add(c, a->actor, post ? "lift_suspension_author" : "lift_suspension", post ? "post" : "user",
		       post ? post : db_int(c, a->id), NULL, NULL) != 0)
		return c->err;
	return HERR_OK;
}

int
users_suspension_end(struct req *r, bool required, const char **ret_end, const char **ret_until)
{
	static const struct { const char *name, *interval; } presets[] = {
		{ "day", "1 day" }, { "week", "7 days" }, { "month", "1 month" }, { "permanent", NULL },
	};
	const char *until = NULL, *duration = NULL, *interval = NULL;
	PGresult *res;
	size_t i = 0;

	if (in_string(r, "duration", 1, 20, IN_TRIM | IN_NULLABLE, &duration) < 0 ||
	    in_string(r, "until", 10, 40, IN_TRIM | IN_NULLABLE, &until) < 0)
		return -1;
	if (duration) {
		while (i < (sizeof presets / sizeof presets[0]) && strcmp(presets[i].name, duration) != 0)
			i++;
		if (i == (sizeof presets / sizeof presets[0])) {
			http_fail(r, HERR_INVALID, "duration", "duration must be day, week, month or permanent.");
			return -1;
		}
		if (until) {
			http_fail(r, HERR_INVALID, "until", "Give until or duration, not both.");
			return -1;
		}
		interval = presets[i].interval;
	} else if (until == NULL && required) {
		http_fail(r, HERR_INVALID, "until", "Say how long: duration (day, week, month or permanent) or until.");
		return -1;
	}
	res = db_qx(&r->c, STMT_SUSPENSION_END, DB_EXPECT({ "22", HERR_INVALID, "until", users_until_msg }),
		    until, interval);
	if (res == NULL)
		return -1;
	if (!db_bool(res, 0, 1) || !db_bool(res, 0, 2)) {
		http_fail(r, HERR_INVALID, "until", !db_bool(res, 0, 2)
			  ? "until must be before the year 10000; leave it out for a suspension until lifted."
			  : users_until_msg);
		return -1;
	}
	*ret_end = db_str(res, 0, 0);
	*ret_until = PQgetisnull(res, 0, 3) ? NULL : db_str(res, 0, 3);
	return 0;
}

static enum herr
users_suspend(struct req *r)
{
	const char *end, *until, *reason;
	int64_t id;

	if (auth_require(r, ROLE_MODERATOR) != 0)
		return r->c.err;
	if ((id = users_id_by_name(r, http_param(r, "username"))) < 0 || users_may_suspend(r, id, false) != 0)
		return r->c.err;
	if (users_suspension_end(r, false, &end, &until) != 0 ||
	    in_string(r, "reason", 1, 500, IN_REQUIRED | IN_TRIM, &reason) < 0)
		return r->c.err;
	if (db_transaction(&r->c, users_suspend_tx,
			   &(struct users_suspension){ auth_viewer(r)->id, id, end, reason, true, until }) != HERR_OK)
		return r->c.err;
	json_object_set_new(http_model(r), "user", users_get(&r->c, id, true));
	r->location = arena_printf(r->c.arena, "/u/%s", http_param(r, "username"));
	return HERR_OK;
}

static enum herr
users_unsuspend(struct req *r)
{
	int64_t id;

	if (auth_require(r, ROLE_MODERATOR) != 0)
		return r->c.err;
	if ((id = users_id_by_name(r, http_param(r, "username"))) < 0 || users_may_suspend(r, id, true) != 0)
		return r->c.err;
	if (db_transaction(&r->c, users_suspend_tx,
			   &(struct users_suspension){ auth_viewer(r)->id, id, NULL, NULL, false }) != HERR_OK)
		return r->c.err;
	r->location = arena_printf(r->c.arena, "/u/%s", http_param(r, "username"));
	return HERR_OK;
}

const struct route users_routes[] = {
	{ "GET", "/u/{username}", users_show, .view = "user" },
	{ "POST", "/u/{username}", users_patch, .view = "user", .page = users_show },
	{ "POST", "/u/{username}/suspension", users_suspend, .view = "user", .page = users_show },
	{ "POST", "/u/{username}/unsuspend", users_unsuspend, .view = "user", .page = users_show },
	{ "GET", "/api/v1/users/{username}", users_show },
	{ "PATCH", "/api/v1/users/{username}", users_patch },
	{ "POST", "/api/v1/users/{username}/suspension", users_suspend },
	{ "DELETE", "/api/v1/users/{username}/suspension", users_unsuspend },
};
const size_t users_routes_n = ROUTES_N(users_routes);
