/* mail/reply_addr.h — the signed reply address of a notification mail,
 * reply+UID.POST.EXPIRY.MAC@DOMAIN: the member it was sent to, the post a reply answers,
 * when it stops working, and a keyed BLAKE2b MAC over them, all lower case (MTAs may fold
 * the case of a local part) and at most 64 bytes with the "reply+" (RFC 5321's limit on a
 * local part). Pure functions: the key is given. */
#ifndef CORRAL_MAIL_REPLY_ADDR_H
#define CORRAL_MAIL_REPLY_ADDR_H

#include <stdint.h>

#include <sodium.h>

/* The local part's prefix, before the '+' (Postfix's recipient_delimiter). */
#define REPLY_ADDR_PREFIX "reply"
/* The token after "reply+": at most 64 - 6 bytes (54 in fact), plus the NUL. */
#define REPLY_ADDR_TOKEN_MAX 58
#define REPLY_ADDR_KEYBYTES 32

struct reply_addr {
	int64_t uid, post, expires;   /* expires: Unix time */
};

enum reply_addr_check {
	REPLY_ADDR_OK,
	REPLY_ADDR_MALFORMED,         /* not a token of this shape */
	REPLY_ADDR_FORGED,            /* the MAC does not match */
	REPLY_ADDR_EXPIRED,           /* genuine, but too old (*ret is filled) */
};

/* The reply-address key derived from a server secret (domain-separated from the secret's
 * other use, the unsubscribe links' HMAC). */
void reply_addr_key(const unsigned char secret[crypto_auth_KEYBYTES], unsigned char ret[REPLY_ADDR_KEYBYTES]);

/* The token of a into out (NUL-terminated). 0, or -1 when an id is not positive. */
int reply_addr_make(const unsigned char key[REPLY_ADDR_KEYBYTES], const struct reply_addr *a,
		    char out[REPLY_ADDR_TOKEN_MAX + 1]);

/* Check a token (any case) at time now: REPLY_ADDR_OK with *ret filled, or why not.
 * *ret is filled for REPLY_ADDR_EXPIRED too (a genuine token), and untouched otherwise. */
enum reply_addr_check reply_addr_check(const unsigned char key[REPLY_ADDR_KEYBYTES], const char *token, int64_t now,
				       struct reply_addr *ret);

#endif
