/* forum/account_mail.h — accounts by mail: everything that mails an account holder a
 * single-use link (auth/onetime.h) and what following it does.
 *
 * forum/account_mail.c: confirming an address (at registration, again from settings, a
 * new address from settings — the old one is told), the hold on posting until an address
 * is confirmed (--require-verified-email), the settings page's address section.
 * forum/password_reset.c: forgot password (the same answer and about the same time
 * whether the account exists), reset through the link (ends every session), and the
 * operator's `corral user set-password` / `corral user reset-link`. */
#ifndef CORRAL_FORUM_ACCOUNT_MAIL_H
#define CORRAL_FORUM_ACCOUNT_MAIL_H

#include <stddef.h>
#include <stdint.h>

#include "auth/onetime.h"
#include "core/ctx.h"

struct req;

/* How long each link works. */
#define ACCTMAIL_VERIFY_TTL_S (48 * 3600)
#define ACCTMAIL_CHANGE_TTL_S (24 * 3600)
#define ACCTMAIL_RESET_TTL_S 3600

/* --- account_mail.c --- */

/* Mail user_id (username) a link confirming email, on c's connection: call it inside the
 * transaction that gave the account that address (registration), so the mail exists
 * exactly when the account does. HERR_OK, or the error recorded. */
enum herr acctmail_send_verify(struct ctx *c, int64_t user_id, const char *username, const char *email);

/* A mail of the accounts-by-mail kind: a greeting, the paragraphs of text (parted by a
 * blank line; a single line break stays one), and when link is not NULL that link as a
 * button, followed by a line saying how long it works (valid_for, e.g. "1 hour"). Queued
 * with mail_enqueue (the link is logged when no SMTP server is set up). HERR_OK, or the
 * error recorded. */
enum herr acctmail_send(struct ctx *c, const char *kind, const char *to, const char *username,
			const char *subject, const char *text, const char *link, const char *valid_for);

/* The link to path on this forum carrying token: base URL + path + "?token=" + token (arena). */
const char *acctmail_link(struct ctx *c, const char *base_url, const char *path, const char *token);

/* Is s an address Corral can mail (ASCII addr-spec, no CR/LF)? */
bool acctmail_address_ok(const char *s);

/* Record the 403 of a write held until the account's address is confirmed: code
 * "forbidden", reason "email_unverified", and the next step (Settings) for the page. */
enum herr acctmail_fail_unverified(struct req *r);

/* Record the 400 of a link that did not work: field "token", reason "token_invalid",
 * "token_used" or "token_expired", and next_href/next_label as the next step. */
enum herr acctmail_fail_token(struct req *r, enum onetime_fault f, const char *next_href, const char *next_label);
/* The start of every mailed link's page (GET ?token=…, or its form shown again after an
 * error): the token into *ret_token (NULL when there is none), the page kept out of every
 * cache (the address bar holds the token), and true when it is the "done" page shown
 * after the action, with nothing more to look up. */
bool acctmail_link_page(struct req *r, const char **ret_token);

/* Add the settings page's address section to r->model as "email_settings" ({email,
 * email_verified_at, pending_email, can_resend, required, sent}). HERR_OK or recorded. */
enum herr acctmail_settings_model(struct req *r);

/* --- password_reset.c --- */

/* `corral user set-password NAME`: set the password (rules as at registration) and end
 * every session of the account. 0 with *ret_sessions, or -1 (recorded). */
int pwreset_set_password(struct ctx *c, const char *username, const char *pw, size_t len, int *ret_sessions);

/* `corral user reset-link NAME`: a reset link for the account on base_url (arena), valid
 * ACCTMAIL_RESET_TTL_S; earlier reset links of the account stop working. 0, or -1 (recorded). */
int pwreset_link(struct ctx *c, const char *username, const char *base_url, const char **ret_link);

#endif
