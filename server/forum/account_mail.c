/* forum/account_mail.c — confirming an account's email address: the link mailed at
 * registration or again from settings, a new address from settings (confirmed by its own
 * link; the old address is told), following such a link, and the hold on posting until an
 * address is confirmed (--require-verified-email). */
#include "forum/account_mail.h"

#include <string.h>
#include <strings.h>

#include "auth/auth.h"
#include "core/log.h"
#include "db/db.h"
#include "forum/app.h"
#include "forum/routes.h"
#include "forum/site_settings.h"
#include "forum/users.h"
#include "http/http.h"
#include "mail/mail.h"

bool
acctmail_address_ok(const char *s)
{
	return s && mail_addr_valid(s);
}

const char *
acctmail_link(struct ctx *c, const char *base_url, const char *path, const char *token)
{
	/* The token is base64url: nothing in it needs escaping in a query. */
	return arena_printf(c->arena, "%s%s?token=%s", base_url, path, token);
}

/* text as HTML paragraphs, as the plain text reads: a blank line parts two paragraphs, a
 * line break stays one. */
static void
acctmail_paragraphs(struct buf *h, const char *text)
{
	size_t n;

	buf_puts(h, "<p>");
	for (const char *p = text; *p; p += n) {
		n = strcspn(p, "\n");
		buf_html_escape(h, p, n);
		if (p[n] == '\0')
			break;
		buf_puts(h, strncmp(p + n, "\n\n", 2) == 0 ? "</p>\n<p>" : "<br>\n");
		n += strspn(p + n, "\n");
	}
	buf_puts(h, "</p>\n");
}

enum herr
acctmail_send(struct ctx *c, const char *kind, const char *to, const char *username, const char *subject,
	      const char *text, const char *link, const char *valid_for)
{
	struct buf t = BUF_INIT, h = BUF_INIT;
	struct site_settings site;
	enum herr rc;

	site_settings_get(c, &site);
	buf_printf(&t, "Hello %s,\n\n%s\n", username, text);
	buf_puts(&h, "<p>Hello ");
	buf_html_escape(&h, username, strlen(username));
	buf_puts(&h, ",</p>\n");
	acctmail_paragraphs(&h, text);
	if (link) {
		buf_printf(&t, "\n%s\n\nThe link works once, for %s. If you did not ask for it, ignore this "
			       "message: nothing changes.\n", link, valid_for);
		buf_puts(&h, "<p><a href=\"");
		buf_html_escape(&h, link, strlen(link));
		buf_puts(&h, "\">");
		buf_html_escape(&h, link, strlen(link));
		buf_printf(&h, "</a></p>\n<p>The link works once, for %s. If you did not ask for it, ignore this "
			       "message: nothing changes.</p>\n", valid_for);
	}
	buf_printf(&t, "\n-- \n%s\n", site.site_name);
	buf_puts(&h, "<p>— ");
	buf_html_escape(&h, site.site_name, strlen(site.site_name));
	buf_puts(&h, "</p>\n");
	rc = mail_enqueue(c, &(struct mail_msg){ .kind = kind, .to = to, .to_name = username,
						 .subject = arena_printf(c->arena, "%s: %s", site.site_name, subject),
						 .text = t.data, .html = h.data, .link = link }, NULL);
	buf_free(&t);
	buf_free(&h);
	return rc;
}

enum herr
acctmail_send_verify(struct ctx *c, int64_t user_id, const char *username, const char *email)
{
	const char *tok;

	if (onetime_issue(c, ONETIME_VERIFY_EMAIL, user_id, email, ACCTMAIL_VERIFY_TTL_S, &tok) != 0)
		return c->err;
	return acctmail_send(c, "verify_email", email, username, "confirm your email address",
			     "Please confirm that this is your address by opening this link:",
			     acctmail_link(c, app_config()->base_url, "/verify-email", tok), "48 hours");
}

/* The next step of an error page: a link (the template shows it under the message). */
static void
acctmail_fail_extra(struct req *r, const char *reason, const char *href, const char *label)
{
	r->c.extra = json_pack("{s:s,s:{s:s,s:s}}", "reason", reason, "next", "href", href, "label", label);
	http_defer_json(r, r->c.extra);
}

enum herr
acctmail_fail_unverified(struct req *r)
{
	acctmail_fail_extra(r, "email_unverified", "/settings#email", "Confirm your address in Settings");
	return http_fail(r, HERR_FORBIDDEN, NULL,
			 "Confirm your email address before you post: follow the link we mailed you, "
			 "or ask for a new one in Settings.");
}

enum herr
acctmail_fail_token(struct req *r, enum onetime_fault f, const char *next_href, const char *next_label)
{
	acctmail_fail_extra(r, onetime_fault_reason(f), next_href, next_label);
	return http_fail(r, HERR_INVALID, "token", onetime_fault_message(f));
}

/* --- following a link --- */

struct acctmail_confirm {
	const char *token;
	enum onetime_fault fault;     /* out */
	bool stale;                   /* out: the account's address changed since the mail */
	struct onetime t;             /* out */
	PGresult *row;                /* out: email, email_verified_at */
};

static enum herr
acctmail_confirm_tx(struct ctx *c, void *arg)
{
	struct acctmail_confirm *a = arg;
	const struct db_expect *taken =
		DB_EXPECT({ "23505", HERR_CONFLICT, "email", "Another account confirmed this address first." });

	a->fault = ONETIME_OK;
	a->stale = false;
	a->row = NULL;
	if ((a->fault = onetime_consume(c, ONETIME_ADDRESS, a->token, &a->t)) != ONETIME_OK)
		return c->err;   /* HERR_OK when the link is only bad: nothing was written */
	if (a->t.purpose == ONETIME_VERIFY_EMAIL)
		a->row = db_qx(c, STMT_ACCT_EMAIL_CONFIRM, taken, db_int(c, a->t.user_id), a->t.email);
	else
		a->row = db_qx(c, STMT_ACCT_EMAIL_REPLACE, taken, db_int(c, a->t.user_id), a->t.email);
	if (a->row == NULL)
		return c->err;
	if (PQntuples(a->row) == 0) {
		a->stale = true;
		return HERR_OK;
	}
	/* The address is settled: the other links of the account, resets mailed to the old
	 * address included, stop working. */
	if (a->t.purpose == ONETIME_CHANGE_EMAIL &&
	    onetime_void(c, a->t.user_id, ONETIME_ADDRESS | ONETIME_BIT(ONETIME_RESET_PASSWORD)) != 0)
		return c->err;
	return HERR_OK;
}

/* POST /verify-email and /api/v1/email/verify {token}: confirm the address of the link. */
static enum herr
acctmail_confirm(struct req *r)
{
	struct acctmail_confirm a = { 0 };
	json_t *row;

	if (in_string(r, "token", 1, 128, IN_REQUIRED | IN_TRIM, &a.token) < 0)
		return r->c.err;
	if (db_transaction(&r->c, acctmail_confirm_tx, &a) != HERR_OK)
		return r->c.err;
	if (a.fault != ONETIME_OK)
		return acctmail_fail_token(r, a.fault, "/settings#email", "Ask for a new link in Settings");
	if (a.stale)
		return acctmail_fail_token(r, ONETIME_UNKNOWN, "/settings#email", "See your address in Settings");
	log_info("rid=%s account %lld confirmed its address (%s)", r->c.rid, (long long)a.t.user_id,
		 onetime_purpose_name(a.t.purpose));
	row = db_row_json(a.row, 0);
	json_object_update(http_model(r), row);
	json_decref(row);
	json_object_set_new(r->model, "changed", json_boolean(a.t.purpose == ONETIME_CHANGE_EMAIL));
	r->location = "/verify-email?done=1";
	return HERR_OK;
}

bool
acctmail_link_page(struct req *r, const char **ret_token)
{
	json_t *form = r->input ? json_object_get(r->input, "token") : NULL;

	*ret_token = json_is_string(form) ? json_string_value(form) : http_query(r, "token");
	r->cache_control = "no-store";
	if (*ret_token == NULL && http_query(r, "done")) {
		json_object_set_new(http_model(r), "done", json_true());
		return true;
	}
	return false;
}

/* GET /verify-email?token=…: the page of the mailed link. Following a link only shows a
 * button: mail scanners open links too, and must not use them up (nor may a GET change
 * anything). */
static enum herr
acctmail_confirm_page(struct req *r)
{
	const char *token;
	struct onetime t;
	enum onetime_fault f;

	if (acctmail_link_page(r, &token))
		return HERR_OK;
	if ((f = onetime_peek(&r->c, ONETIME_ADDRESS, token, &t)) != ONETIME_OK || r->c.err)
		return r->c.err ? r->c.err : acctmail_fail_token(r, f, "/settings#email", "Ask for a new link in Settings");
	json_object_set_new(http_model(r), "confirm",
			    json_pack("{s:s,s:s,s:s,s:b}", "token", token, "email", t.email, "username", t.username,
				      "change", t.purpose == ONETIME_CHANGE_EMAIL));
	return HERR_OK;
}

/* --- from settings: send the link again, change the address --- */

struct acctmail_state {
	const char *username, *email, *verified_at, *pending;
};

static int
acctmail_state(struct req *r, struct acctmail_state *ret)
{
	PGresult *res = db_q(&r->c, STMT_ACCT_EMAIL_STATE, db_int(&r->c, auth_viewer(r)->id));

	if (res == NULL)
		return -1;
	if (PQntuples(res) == 0) {
		http_fail(r, HERR_NOT_FOUND, NULL, "There is no such user.");
		return -1;
	}
	ret->username = db_str(res, 0, 1);
	ret->email = db_str(res, 0, 2);
	ret->verified_at = db_str(res, 0, 3);
	ret->pending = db_str(res, 0, 4);
	return 0;
}

enum herr
acctmail_settings_model(struct req *r)
{
	struct acctmail_state s;
	const char *sent = http_query(r, "email");

	if (acctmail_state(r, &s) != 0)
		return r->c.err;
	json_object_set_new(http_model(r), "email_settings",
			    json_pack("{s:s?,s:s?,s:s?,s:b,s:b,s:b}", "email", s.email, "email_verified_at",
				      s.verified_at, "pending_email", s.pending, "can_resend",
				      s.email && !s.verified_at, "required", auth_config()->require_verified_email,
				      "sent", sent && strcmp(sent, "sent") == 0));
	return HERR_OK;
}

/* Count one mail of purpose for the viewer: 429 (recorded) once the account's allowance
 * for this window is spent. */
static int
acctmail_allowance(struct req *r, const char *purpose)
{
	const struct auth_config *cfg = auth_config();

	return auth_rate_hit(r, arena_printf(r->c.arena, "acctmail:%s:%lld", purpose, (long long)auth_viewer(r)->id),
			     cfg->mail_per_account, cfg->account_mail_window_s);
}

struct acctmail_resend {
	int64_t id;
	const char *username, *email;
};

static enum herr
acctmail_resend_tx(struct ctx *c, void *arg)
{
	const struct acctmail_resend *a = arg;

	return acctmail_send_verify(c, a->id, a->username, a->email);
}

/* POST /settings/email/verification, /api/v1/me/email/verification: the link again. */
static enum herr
acctmail_resend(struct req *r)
{
	struct acctmail_state s;
	struct acctmail_resend a;

	if (auth_require(r, ROLE_MEMBER) != 0 || acctmail_state(r, &s) != 0)
		return r->c.err;
	if (s.email == NULL)
		return http_fail(r, HERR_INVALID, "email", "Your account has no email address yet: add one first.");
	if (s.verified_at)
		return http_fail(r, HERR_CONFLICT, "email", "Your address is already confirmed.");
	if (acctmail_allowance(r, "verify_email") != 0)
		return r->c.err;
	a = (struct acctmail_resend){ auth_viewer(r)->id, s.username, s.email };
	if (db_transaction(&r->c, acctmail_resend_tx, &a) != HERR_OK)
		return r->c.err;
	json_object_set_new(http_model(r), "sent_to", json_string(s.email));
	r->status = 202;
	r->location = "/settings?email=sent#email";
	return HERR_OK;
}

/* "j***@example.org": enough for the holder to recognise, little for anyone else. */
static const char *
acctmail_masked(struct ctx *c, const char *addr)
{
	const char *at = strrchr(addr, '@');

	return at ? arena_printf(c->arena, "%.1s***%s", addr, at) : "a new address";
}

struct acctmail_change {
	int64_t id;
	const char *username, *old_email, *new_email;
};

static enum herr
acctmail_change_tx(struct ctx *c, void *arg)
{
	const struct acctmail_change *a = arg;
	const char *tok, *text;

	if (onetime_issue(c, ONETIME_CHANGE_EMAIL, a->id, a->new_email, ACCTMAIL_CHANGE_TTL_S, &tok) != 0 ||
	    acctmail_send(c, "change_email", a->new_email, a->username, "confirm your new email address",
			  "You asked to use this address for your account. Open this link to confirm it; "
			  "your address changes only then:",
			  acctmail_link(c, app_config()->base_url, "/verify-email", tok), "24 hours") != HERR_OK)
		return c->err;
	if (a->old_email == NULL)
		return HERR_OK;
	/* The old address learns of it with no link: if it was not the holder, they can reset
	 * the password before the change is confirmed. */
	text = arena_printf(c->arena,
			    "Someone signed in to your account asked to change its email address to %s. Nothing "
			    "changes until that address confirms it. If this was not you, reset your password "
			    "now (\"Forgot your password?\" on the sign-in page).",
			    acctmail_masked(c, a->new_email));
	return acctmail_send(c, "change_email_notice", a->old_email, a->username,
			     "a change of your email address was asked", text, NULL, NULL);
}

/* The current password of the viewer, checked like a sign-in (argon2id). 0, or -1 with
 * 403 on the field password, as the password form of settings answers (forum/security.c). */
static int
acctmail_check_password(struct req *r, const char *password)
{
	PGresult *res = db_q(&r->c, STMT_USER_PASSWORD_HASH, db_int(&r->c, auth_viewer(r)->id));
	int ok;

	if (res == NULL)
		return -1;
	if ((ok = auth_password_verify(&r->c, PQntuples(res) ? db_str(res, 0, 0) : NULL, password,
				       strlen(password))) < 0)
		return -1;
	if (!ok) {
		http_fail(r, HERR_FORBIDDEN, "password", "That is not your current password.");
		return -1;
	}
	return 0;
}

/* POST /settings/email, /api/v1/me/email {email, password}: mail a link to the new
 * address; the address changes when it is followed. */
static enum herr
acctmail_change(struct req *r)
{
	const struct auth_config *cfg = auth_config();
	struct acctmail_change a;
	struct acctmail_state s;
	const char *email, *password, *key;
	PGresult *res;

	if (auth_require(r, ROLE_MEMBER) != 0 ||
	    in_string(r, "email", 3, 254, IN_REQUIRED | IN_TRIM, &email) < 0 ||
	    in_string(r, "password", 1, 1024, IN_REQUIRED | IN_BYTES, &password) < 0)
		return r->c.err;
	if (!acctmail_address_ok(email))
		return http_fail(r, HERR_INVALID, "email", "That does not look like an email address.");
	key = arena_printf(r->c.arena, "acctmail:change_email:%lld", (long long)auth_viewer(r)->id);
	/* Wrong passwords count too: the form must not become a password oracle. */
	if (auth_rate_check(r, key, cfg->mail_per_account, cfg->account_mail_window_s) != 0 ||
	    acctmail_state(r, &s) != 0)
		return r->c.err;
	if (acctmail_check_password(r, password) != 0) {
		if (r->c.err == HERR_FORBIDDEN)
			auth_rate_count(r, key, cfg->account_mail_window_s);
		return r->c.err;
	}
	if (s.email && s.verified_at && strcasecmp(s.email, email) == 0)
		return http_fail(r, HERR_INVALID, "email", "That is already your address.");
	if ((res = db_q(&r->c, STMT_ACCT_EMAIL_TAKEN, email, db_int(&r->c, auth_viewer(r)->id))) == NULL)
		return r->c.err;
	if (PQntuples(res) > 0)
		return http_fail(r, HERR_CONFLICT, "email", "That address belongs to another account.");
	a = (struct acctmail_change){ auth_viewer(r)->id, s.username, s.email, email };
	if (auth_rate_hit(r, key, cfg->mail_per_account, cfg->account_mail_window_s) != 0 ||
	    db_transaction(&r->c, acctmail_change_tx, &a) != HERR_OK)
		return r->c.err;
	log_info("rid=%s account %lld asked to change its address; link mailed to the new one", r->c.rid,
		 (long long)a.id);
	json_object_set_new(http_model(r), "pending_email", json_string(email));
	r->status = 202;
	r->location = "/settings#email";
	return HERR_OK;
}

const struct route account_mail_routes[] = {
	{ "GET", "/verify-email", acctmail_confirm_page, .view = "verify_email", .title = "Confirm your address",
	  .flags = ROUTE_FORM },
	{ "POST", "/verify-email", acctmail_confirm, .view = "verify_email", .title = "Confirm your address",
	  .flags = ROUTE_FORM, .page = acctmail_confirm_page },
	{ "POST", "/settings/email", acctmail_change, .view = "settings", .title = "Settings",
	  .page = acct_settings },
	{ "POST", "/settings/email/verification", acctmail_resend, .view = "settings", .title = "Settings",
	  .page = acct_settings },
	/* The token in the body is the credential, like a password at sign-in. */
	{ "POST", "/api/v1/email/verify", acctmail_confirm, .flags = ROUTE_NO_CSRF },
	{ "POST", "/api/v1/me/email", acctmail_change },
	{ "POST", "/api/v1/me/email/verification", acctmail_resend },
};
const size_t account_mail_routes_n = ROUTES_N(account_mail_routes);
