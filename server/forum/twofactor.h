/* forum/twofactor.h — two-factor sign-in (issue 17): enrolling with a time-based code
 * (RFC 6238, auth/totp.h) and one-time recovery codes in settings (twofactor.c), the
 * second step of signing in and the --require-2fa-staff gate (twofactor_signin.c), and
 * telling the holder of a code used again (twofactor_notice.c). */
#ifndef CORRAL_FORUM_TWOFACTOR_H
#define CORRAL_FORUM_TWOFACTOR_H

#include <stdbool.h>
#include <stdint.h>

#include "http/http.h"

/* How long a right password waits for its code. */
#define TWOFACTOR_PENDING_S 300

/* After the right password for account id (forum/accounts.c). When the account has 2FA
 * on, no session is made: a pending sign-in is, and *ret_pending is set: an HTML form is
 * sent on to /login/2fa (303, the token in a cookie), the API answers 401 totp_required
 * with the token (recorded as the request's error, returned). Otherwise *ret_pending is
 * false and, when --require-2fa-staff sends this account to enrolment first, *ret_next
 * becomes the enrolment page. HERR_OK or the error recorded. */
enum herr twofactor_after_password(struct req *r, int64_t id, const char **ret_next, bool *ret_pending);

/* At start, after the migrations (main.c): refuse a database whose sealed two-factor
 * secrets this server's key (auth/seal.h) does not open, and seal those stored without a
 * key when it has one. 0, or -1 (logged): the server must not start. */
int twofactor_keys_start(void);

/* The request hook's gate (forum/app.c): with --require-2fa-staff, a moderator or admin
 * without 2FA gets 403 2fa_required on every route not flagged ROUTE_BEFORE_2FA. */
enum herr twofactor_gate(struct req *r);

/* Check a code for account uid, counted against the account's limit of wrong codes
 * (--signin-limit-account per --signin-window, 429 beyond): a 6-digit code of a later
 * step than the last one taken, or with recovery set also an unused recovery code, which
 * is used up. A code of a step already taken (a replay) is wrong, logged, and its holder
 * told (twofactor_reuse_notice) of the attempt `what` ("to sign in"…). 1 = right (and now
 * spent), 0 = wrong, -1 = error recorded (409 when the account has two-factor sign-in off). */
int twofactor_check(struct req *r, int64_t uid, const char *code, bool recovery, const char *what);

/* At most one notice per account in this long (forum/twofactor_notice.c). */
#define TWOFACTOR_NOTICE_WINDOW_S 3600

/* Tell the holder of account uid that a code of theirs was sent again `what` ("to sign
 * in"…) from this request's client address: a mail through the outbox (when the account
 * has an address) and a notice in the app (kind "security"), unless they were told in
 * the last TWOFACTOR_NOTICE_WINDOW_S (decided in the database, so across instances). A
 * failure is logged and leaves no error recorded: the refusal's answer never changes. */
void twofactor_reuse_notice(struct req *r, int64_t uid, const char *what);

/* The second step's page and form, and its API twin (twofactor_signin.c); listed in
 * twofactor_routes with the settings routes, so the feature has one table. */
enum herr twofactor_signin_page(struct req *r);
enum herr twofactor_signin(struct req *r);

extern const struct route twofactor_routes[];
extern const size_t twofactor_routes_n;

#endif
