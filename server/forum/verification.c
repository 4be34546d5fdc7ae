/* forum/verification.c — verified community roles: a member asks to have the role they hold
 * now verified (a note, optionally a work address confirmed by a mailed single-use link),
 * the moderators' verifications queue and its decisions (exactly one moderator wins), and
 * the "verified only" reading of voices and idea votes (reactions: forum/reactions.c). */
#include "forum/verification.h"

#include <string.h>
#include <strings.h>

#include "auth/auth.h"
#include "auth/onetime.h"
#include "core/log.h"
#include "db/db.h"
#include "forum/account_mail.h"
#include "forum/app.h"
#include "forum/moderation.h"
#include "forum/modlog.h"
#include "forum/routes.h"
#include "forum/threads.h"
#include "forum/users.h"

#define VERIFY_NOTE_MAX 2000

bool
verification_free_mail(const char *email)
{
	/* The providers most members would use; a domain missing here only loses the hint. */
	static const char *const domains[] = {
		"gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "yahoo.fr", "hotmail.com",
		"hotmail.co.uk", "outlook.com", "live.com", "msn.com", "aol.com", "icloud.com", "me.com",
		"mac.com", "gmx.de", "gmx.net", "gmx.com", "web.de", "proton.me", "protonmail.com",
		"pm.me", "mail.com", "mail.ru", "yandex.ru", "yandex.com", "qq.com", "163.com",
		"zoho.com", "tutanota.com", "fastmail.com", NULL };
	const char *at = email ? strrchr(email, '@') : NULL;

	if (at == NULL)
		return false;
	for (size_t i = 0; domains[i]; i++)
		if (strcasecmp(at + 1, domains[i]) == 0)
			return true;
	return false;
}

int
verification_only(struct req *r, bool *ret)
{
	int64_t on;

	if (http_query_int(r, "verified", 0, 1, 0, &on) != 0)
		return -1;
	*ret = on == 1;
	json_object_set_new(http_model(r), "verified_only", json_boolean(*ret));
	return 0;
}

int
verification_thread_voices(struct req *r, int64_t thread, json_t *thread_model)
{
	PGresult *res = db_q(&r->c, STMT_VERIFY_THREAD_VOICES, db_int(&r->c, thread));
	json_t *row;

	if (res == NULL)
		return -1;
	row = db_row_json(res, 0);
	json_object_set(thread_model, "voices", json_object_get(row, "voices"));
	json_decref(row);
	threads_voices_decorate(json_object_get(thread_model, "voices"), r->html);
	json_object_set_new(json_object_get(thread_model, "voices"), "verified_only", json_true());
	return 0;
}

int
verification_idea_votes(struct req *r, json_t *ideas)
{
	struct buf nums = BUF_INIT;
	PGresult *res;
	json_t *idea;
	size_t i;

	json_array_foreach(ideas, i, idea)
		buf_printf(&nums, "%s%lld", i ? "," : "{", (long long)json_integer_value(json_object_get(idea, "number")));
	buf_puts(&nums, nums.len ? "}" : "{}");
	res = db_q(&r->c, STMT_VERIFY_IDEA_VOTES, nums.data);
	buf_free(&nums);
	if (res == NULL)
		return -1;
	for (int row = 0; row < PQntuples(res); row++) {
		json_t *votes = db_row_json(res, row);

		json_array_foreach(ideas, i, idea)
			if (json_integer_value(json_object_get(idea, "number")) == db_i64(res, row, 0)) {
				json_object_set(idea, "votes", json_object_get(votes, "votes"));
				json_object_set_new(json_object_get(idea, "votes"), "verified_only", json_true());
			}
		json_decref(votes);
	}
	return 0;
}

/* --- the member's side --- */

/* The member's role, whether it is verified, and their newest request, into the model. */
static enum herr
verification_mine_model(struct req *r)
{
	struct viewer *v = auth_viewer(r);
	PGresult *res;
	json_t *u, *mine;
	const char *state;
	bool waiting;

	if ((u = users_get(&r->c, v->id, false)) == NULL)
		return r->c.err;
	if ((res = db_q(&r->c, STMT_VERIFY_MINE, db_int(&r->c, v->id))) == NULL) {
		json_decref(u);
		return r->c.err;
	}
	mine = PQntuples(res) ? db_row_json(res, 0) : json_null();
	state = json_string_value(json_object_get(mine, "state"));
	waiting = state && (strcmp(state, "open") == 0 || strcmp(state, "unconfirmed") == 0);
	json_object_set(http_model(r), "community_role", json_object_get(u, "community_role"));
	json_object_set(r->model, "role_verified", json_object_get(u, "role_verified"));
	json_object_set_new(r->model, "verification", mine);
	json_object_set_new(r->model, "can_request",
			    json_boolean(!waiting && !json_is_true(json_object_get(u, "role_verified"))));
	if (r->html && state) {
		json_object_set_new(mine, arena_printf(r->c.arena, "is_%s", state), json_true());
		json_object_set_new(r->model, "sent", json_boolean(http_query(r, "sent") != NULL));
	}
	json_decref(u);
	return HERR_OK;
}

/* GET /settings/verification and /api/v1/me/verification. */
static enum herr
verification_mine(struct req *r)
{
	if (auth_require(r, ROLE_MEMBER) != 0 || r->c.err != HERR_OK)
		return r->c.err;
	r->cache_control = "no-store";
	return verification_mine_model(r);
}

struct verification_request {
	int64_t user;
	const char *username, *role, *note, *email;
	bool free_mail;
};

static enum herr
verification_request_tx(struct ctx *c, void *arg)
{
	struct verification_request *q = arg;
	PGresult *res;
	const char *tok;

	res = db_qx(c, STMT_VERIFY_CREATE,
		    DB_EXPECT({ "23505", HERR_CONFLICT, NULL,
				"You already have a verification request waiting; a moderator will look at it." }),
		    db_int(c, q->user), q->role, q->note, q->email, q->free_mail ? "true" : "false");
	if (res == NULL)
		return c->err;
	if (PQntuples(res) == 0)   /* the role changed since the request was read */
		return ctx_fail(c, HERR_INVALID, "community_role", "Your community role changed; ask again.");
	if (q->email == NULL)
		return HERR_OK;
	if (onetime_issue(c, ONETIME_WORK_EMAIL, q->user, q->email, ACCTMAIL_VERIFY_TTL_S, &tok) != 0)
		return c->err;
	return acctmail_send(c, "verify_work_email", q->email, q->username, "confirm your work address",
			     "You asked to have your community role verified with this work address. Please "
			     "confirm it by opening this link; your request then goes to the moderators:",
			     acctmail_link(c, app_config()->base_url, "/verification/confirm", tok), "48 hours");
}

/* POST /settings/verification and /api/v1/me/verification {community_role, note, work_email?}:
 * a request for the role one holds now. Without an address it is queued at once; with one,
 * once the mailed link is followed. */
static enum herr
verification_request(struct req *r)
{
	struct viewer *v;
	struct verification_request q = { 0 };

	if (auth_require_active(r) != 0 ||
	    in_string(r, "community_role", 1, 32, IN_REQUIRED | IN_TRIM, &q.role) < 0 ||
	    in_string(r, "note", 1, VERIFY_NOTE_MAX, IN_REQUIRED | IN_TRIM, &q.note) < 0 ||
	    in_string(r, "work_email", 3, 254, IN_TRIM | IN_NULLABLE, &q.email) < 0)
		return r->c.err;
	v = auth_viewer(r);
	if (q.email && *q.email == '\0')
		q.email = NULL;   /* a form's empty field */
	if (strcmp(q.role, v->community_role) != 0)
		return http_fail(r, HERR_INVALID, "community_role",
				 arena_printf(r->c.arena, "Only the role you hold now (%s) can be verified; "
							  "change your role in settings first.", v->community_label));
	if (v->role_verified)
		return http_fail(r, HERR_CONFLICT, NULL, "Your community role is verified already.");
	if (q.email && !acctmail_address_ok(q.email))
		return http_fail(r, HERR_INVALID, "work_email", "That is not an email address.");
	/* Each address mailed counts against the account's allowance of account mail. */
	if (q.email && auth_rate_hit(r, arena_printf(r->c.arena, "acctmail:work_email:%lld", (long long)v->id),
				     auth_config()->mail_per_account, auth_config()->account_mail_window_s) != 0)
		return r->c.err;
	q.user = v->id;
	q.username = v->username;
	q.free_mail = verification_free_mail(q.email);
	if (db_transaction(&r->c, verification_request_tx, &q) != HERR_OK)
		return r->c.err;
	r->status = 201;
	r->location = q.email ? "/settings/verification?sent=1" : "/settings/verification";
	return verification_mine_model(r);
}

struct verification_confirm {
	const char *token;
	enum onetime_fault fault;   /* out */
	bool stale;                 /* out: no request waits for that address any more */
	struct onetime t;           /* out */
};

static enum herr
verification_confirm_tx(struct ctx *c, void *arg)
{
	struct verification_confirm *a = arg;
	PGresult *res;

	a->stale = false;
	if ((a->fault = onetime_consume(c, ONETIME_BIT(ONETIME_WORK_EMAIL), a->token, &a->t)) != ONETIME_OK)
		return c->err;
	if ((res = db_q(c, STMT_VERIFY_CONFIRM, db_int(c, a->t.user_id), a->t.email)) == NULL)
		return c->err;
	a->stale = PQntuples(res) == 0;
	return HERR_OK;
}

/* POST /verification/confirm and /api/v1/me/verification/confirm {token}. */
static enum herr
verification_confirm(struct req *r)
{
	struct verification_confirm a = { 0 };

	if (in_string(r, "token", 1, 128, IN_REQUIRED | IN_TRIM, &a.token) < 0)
		return r->c.err;
	if (db_transaction(&r->c, verification_confirm_tx, &a) != HERR_OK)
		return r->c.err;
	if (a.fault != ONETIME_OK)
		return acctmail_fail_token(r, a.fault, "/settings/verification", "See your request in Settings");
	if (a.stale)
		return acctmail_fail_token(r, ONETIME_UNKNOWN, "/settings/verification", "See your request in Settings");
	log_info("rid=%s account %lld confirmed the work address of its role verification", r->c.rid,
		 (long long)a.t.user_id);
	json_object_set_new(http_model(r), "confirmed", json_pack("{s:s}", "work_email", a.t.email));
	r->location = "/verification/confirm?done=1";
	return HERR_OK;
}

/* GET /verification/confirm?token=…: only a button (mail scanners open links too). */
static enum herr
verification_confirm_page(struct req *r)
{
	const char *token;
	struct onetime t;
	enum onetime_fault f;

	if (acctmail_link_page(r, &token))
		return HERR_OK;
	if ((f = onetime_peek(&r->c, ONETIME_BIT(ONETIME_WORK_EMAIL), token, &t)) != ONETIME_OK || r->c.err)
		return r->c.err ? r->c.err
				: acctmail_fail_token(r, f, "/settings/verification", "See your request in Settings");
	json_object_set_new(http_model(r), "confirm", json_pack("{s:s,s:s,s:s}", "token", token, "email", t.email,
								  "username", t.username));
	return HERR_OK;
}

/* --- the moderators' queue --- */

static enum herr
verification_queue(struct req *r)
{
	PGresult *res;

	if (auth_require(r, ROLE_MODERATOR) != 0 || r->c.err != HERR_OK)
		return r->c.err;
	if ((res = db_q0(&r->c, STMT_VERIFY_QUEUE)) == NULL)
		return r->c.err;
	json_object_set_new(http_model(r), "items", db_rows_json(res));
	r->cache_control = "no-store";
	return HERR_OK;
}

struct verification_decision {
	int64_t id, moderator, user;
	const char *action, *reason, *role;
};

static enum herr
verification_decide_tx(struct ctx *c, void *arg)
{
	struct verification_decision *d = arg;
	bool approve = strcmp(d->action, "approve") == 0;
	PGresult *res;

	res = db_q(c, STMT_VERIFY_DECIDE, db_int(c, d->id), db_int(c, d->moderator),
		   approve ? "approved" : "rejected", d->reason);
	if (res == NULL)
		return c->err;
	if (PQntuples(res) == 0)
		return HERR_CONFLICT;   /* decided already, or withdrawn: the caller says which */
	d->user = db_i64(res, 0, 0);
	d->role = arena_strdup(c->arena, db_str(res, 0, 1));
	if ((approve && db_q(c, STMT_VERIFY_MARK, db_int(c, d->user), d->role) == NULL) ||
	    moderation_notify(c, d->user, d->moderator, 0, 0,
			      approve ? "Your community role is verified: posts and votes now show the mark."
				      : arena_printf(c->arena, "Your community role was not verified: %s", d->reason)) != 0 ||
	    modlog_add(c, d->moderator, approve ? "verify_role" : "reject_verification", "user", db_int(c, d->user),
		       d->reason, json_pack("{s:I,s:s}", "request", (json_int_t)d->id, "community_role", d->role)) != 0)
		return c->err;
	return HERR_OK;
}

/* Someone decided first, or the member's role changed: say which. */
static enum herr
verification_refused(struct req *r, int64_t id)
{
	PGresult *res = db_q(&r->c, STMT_VERIFY_GET, db_int(&r->c, id));
	const char *state;

	if (res == NULL)
		return r->c.err;
	state = db_str(res, 0, 1);
	r->c.extra = json_pack("{s:o}", "decision", db_row_json(res, 0));
	http_defer_json(r, r->c.extra);
	if (strcmp(state, "withdrawn") == 0)
		return http_fail(r, HERR_CONFLICT, NULL, "The member changed their community role: the request was withdrawn.");
	return http_fail(r, HERR_CONFLICT, NULL,
			 arena_printf(r->c.arena, "Already decided: %s by %s.", state,
				      db_str(res, 0, 6) ? db_str(res, 0, 6) : "someone"));
}

/* POST /mod/verifications/{id}/decision and /api/v1/mod/verifications/{id}/decision
 * {action: approve|reject, reason}. */
static enum herr
verification_decide(struct req *r)
{
	static const char *const actions[] = { "approve", "reject", NULL };
	struct verification_decision d = { 0 };
	PGresult *res;
	enum herr e;

	if (auth_require(r, ROLE_MODERATOR) != 0 || http_param_id(r, "id", &d.id) != 0)
		return r->c.err;
	if ((res = db_q(&r->c, STMT_VERIFY_GET, db_int(&r->c, d.id))) == NULL)
		return r->c.err;
	if (PQntuples(res) == 0 || strcmp(db_str(res, 0, 1), "unconfirmed") == 0)
		return http_fail(r, HERR_NOT_FOUND, NULL, "There is no such verification request.");
	if (in_enum(r, "action", actions, IN_REQUIRED, &d.action) < 0 ||
	    in_string(r, "reason", 1, 1000, IN_TRIM | IN_NULLABLE, &d.reason) < 0)
		return r->c.err;
	if (strcmp(d.action, "reject") == 0 && d.reason == NULL)
		return http_fail(r, HERR_INVALID, "reason", "Give the member a reason.");
	d.moderator = auth_viewer(r)->id;
	e = db_transaction(&r->c, verification_decide_tx, &d);
	if (e == HERR_CONFLICT && r->c.err == HERR_OK)
		return verification_refused(r, d.id);
	if (e != HERR_OK)
		return r->c.err != HERR_OK ? r->c.err : http_fail(r, e, NULL, NULL);
	if ((res = db_q(&r->c, STMT_VERIFY_GET, db_int(&r->c, d.id))) == NULL)
		return r->c.err;
	r->model = json_pack("{s:o}", "decision", db_row_json(res, 0));
	r->location = "/mod/verifications";
	return HERR_OK;
}

const struct route verification_routes[] = {
	{ "GET", "/settings/verification", verification_mine, .view = "verification", .title = "Role verification" },
	{ "POST", "/settings/verification", verification_request, .view = "verification",
	  .title = "Role verification", .page = verification_mine },
	{ "GET", "/verification/confirm", verification_confirm_page, .view = "verification_confirm",
	  .title = "Confirm your work address" },
	{ "POST", "/verification/confirm", verification_confirm, .view = "verification_confirm",
	  .title = "Confirm your work address" },
	{ "GET", "/mod/verifications", verification_queue, .view = "mod_verifications", .title = "Verifications" },
	{ "POST", "/mod/verifications/{id}/decision", verification_decide, .view = "mod_verifications",
	  .title = "Verifications", .page = verification_queue },
	{ "GET", "/api/v1/me/verification", verification_mine },
	{ "POST", "/api/v1/me/verification", verification_request },
	{ "POST", "/api/v1/me/verification/confirm", verification_confirm },
	{ "GET", "/api/v1/mod/verifications", verification_queue },
	{ "POST", "/api/v1/mod/verifications/{id}/decision", verification_decide },
};
const size_t verification_routes_n = ROUTES_N(verification_routes);
