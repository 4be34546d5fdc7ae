/* forum/reply_mail.h — reply by email: the signed Reply-To address of each notification
 * mail about a post (when --reply-address-domain is set), and `corral mail receive`, which
 * posts a reply that comes back to such an address as its member, through the web reply's
 * own code path (threads_reply_with), once. */
#ifndef CORRAL_FORUM_REPLY_MAIL_H
#define CORRAL_FORUM_REPLY_MAIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/ctx.h"
#include "core/opt.h"

struct reply_mail_config {
	const char *domain;   /* --reply-address-domain; NULL: no reply addresses */
	int days;             /* --reply-address-days: how long an address works */
};

extern const struct opt_table reply_mail_opts;

/* Settle the configuration (before threads). 0, or -1 after one line on stderr naming
 * the option at fault. */
int reply_mail_configure(const struct reply_mail_config *cfg);

/* The reply address of member uid for a reply to post, "reply+TOKEN@DOMAIN" (arena), into
 * *ret; *ret is NULL when reply addresses are off. 0, or -1 with the error recorded. */
int reply_mail_address(struct ctx *c, int64_t uid, int64_t post, const char **ret);

/* Exit statuses of `corral mail receive`, those of <sysexits.h> that Postfix's pipe(8)
 * understands: 0 delivered (or a duplicate of a delivered message), EX_DATAERR (65) the
 * message cannot be read or has no new text, EX_NOUSER (67) no valid reply address
 * (missing, forged, expired, used already, the member is gone), EX_NOPERM (77) the member
 * may not post there (suspended, locked thread…) or the From is not the member's address, EX_TEMPFAIL (75) try again later
 * (database unavailable, rate limit). */
#define REPLY_MAIL_OK 0
#define REPLY_MAIL_DATAERR 65
#define REPLY_MAIL_NOUSER 67
#define REPLY_MAIL_TEMPFAIL 75
#define REPLY_MAIL_NOPERM 77

/* A message from f (standard input), read to its end or to one byte past
 * INBOUND_MAX_BYTES (so the caller can tell it is too large); *ret_len its length. The
 * caller frees it with free(). NULL when it cannot be read (or memory ran out). */
char *reply_mail_read(FILE *f, size_t *ret_len);

/* Post the reply in message data (len bytes, at most INBOUND_MAX_BYTES) sent to recipient
 * (the envelope's, may be NULL: then To/Cc/Delivered-To are searched). Returns one of the
 * statuses above with *ret_msg a sentence for the sender (arena). A permanent refusal of
 * a genuine address also mails the member why, to a confirmed address. Nothing is posted
 * unless the status is 0. */
int reply_mail_receive(struct ctx *c, const char *data, size_t len, const char *recipient, const char **ret_msg);

#endif
