/* forum/twofactor_notice.c — telling an account's holder that one of their two-factor codes
 * was sent again after it was taken (ASVS 2.8.5): a mail through the outbox and a notice in
 * the app, at most one per account per TWOFACTOR_NOTICE_WINDOW_S, decided in the database. */
#include "forum/twofactor.h"

#include <time.h>

#include "core/log.h"
#include "db/db.h"
#include "forum/account_mail.h"
#include "forum/app.h"

struct tfnotice {
	int64_t uid;
	const char *what, *when, *from;
	bool told;   /* out: this request told the holder */
};

static enum herr
tfnotice_tx(struct ctx *c, void *arg)
{
	struct tfnotice *t = arg;
	const char *note, *text, *email;
	PGresult *res;

	t->told = false;
	/* Only what the holder needs to recognise the attempt: no code, no token. */
	note = arena_printf(c->arena,
			    "A two-factor code of yours that was already used was sent again %s from %s, and "
			    "refused. If it was not you, change your password and sign out your other sessions.",
			    t->what, t->from);
	if ((res = db_q(c, STMT_TOTP_REUSE_NOTICE, db_int(c, t->uid), db_int(c, TWOFACTOR_NOTICE_WINDOW_S),
			note)) == NULL)
		return c->err;
	if (PQntuples(res) == 0)
		return HERR_OK;   /* told within the window already (or two-factor sign-in is off now) */
	t->told = true;
	email = db_str(res, 0, 1);
	if (!acctmail_address_ok(email))
		return HERR_OK;   /* no address to mail: the notice in the app is all */
	text = arena_printf(
		c->arena,
		"A two-factor code of your account was sent again %s after it had already been used, and "
		"it was refused. Whoever sent it very likely knows your password and saw that code, for "
		"example on a fake sign-in page.\n\n"
		"When: %s\nFrom the address: %s\n\n"
		"If this was not you, change your password now and sign out your other sessions; both are "
		"in your settings: %s/settings\n\n"
		"If it was you (the same code entered twice within a minute or two), nothing is wrong and "
		"you can ignore this message. You get at most one such message an hour.",
		t->what, t->when, t->from, app_config()->base_url);
	return acctmail_send(c, "totp_reused", email, db_str(res, 0, 0), "a two-factor code was used again", text,
			     NULL, NULL);
}

void
twofactor_reuse_notice(struct req *r, int64_t uid, const char *what)
{
	struct tfnotice t = { .uid = uid, .what = what, .from = r->client_ip };
	char when[32];
	time_t now = time(NULL);
	struct tm tm;

	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&now, &tm));
	t.when = when;
	if (db_transaction(&r->c, tfnotice_tx, &t) != HERR_OK) {
		log_error("rid=%s twofactor: the holder of account %lld could not be told of a reused code", r->c.rid,
			  (long long)uid);
		/* The refusal goes on as it would have: whoever replayed the code gets the same
		 * answer whether the holder was told or not. */
		r->c.err = HERR_OK;
		r->c.err_field = r->c.err_msg = NULL;
		r->c.extra = NULL;
		r->c.retry_after = 0;
		return;
	}
	if (t.told)
		log_info("rid=%s twofactor: told the holder of account %lld of a reused code", r->c.rid,
			 (long long)uid);
}
