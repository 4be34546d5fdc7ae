/* forum/mail_prefs.h — what a member chooses to get by mail, per kind (reply, mention,
 * watched thread, moderation, idea status, survey: immediately, in the digest, never), and
 * the signed one-click unsubscribe links (RFC 8058) that set one kind to never. */
#ifndef CORRAL_FORUM_MAIL_PREFS_H
#define CORRAL_FORUM_MAIL_PREFS_H

#include <stdint.h>

#include "core/ctx.h"
#include "http/http.h"

/* The kinds, in the order pages show them, NULL-terminated. */
extern const char *const mail_pref_kinds[];

/* "replies", "mentions"…: the kind in words (for "mail about %s"); kind itself when unknown. */
const char *mail_pref_label(const char *kind);

/* The one-click unsubscribe URL of member uid for kind, valid about a year:
 * BASE_URL/unsubscribe?token=UID.KIND.EXPIRY.MAC, the MAC an HMAC (crypto_auth) keyed with
 * the secret all instances share (server_secrets, schema/0022). Arena-owned, or NULL with
 * the database error recorded. */
const char *mail_unsub_url(struct ctx *c, int64_t uid, const char *kind);

/* The secret all instances share (server_secrets 'unsubscribe'), read once per process,
 * for other signed mail links to derive their own keys from (forum/reply_mail.c). 0, or -1
 * with the error recorded. */
int mail_prefs_secret(struct ctx *c, unsigned char ret[32]);

/* Add the mail preferences of the viewer to the settings page's model ("mail_prefs"). */
enum herr mail_prefs_settings_model(struct req *r);

#endif
