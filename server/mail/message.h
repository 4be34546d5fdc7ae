/* mail/message.h — one outgoing message as RFC 5322 text: multipart/alternative (text and
 * HTML, quoted-printable UTF-8), Date, Message-ID, From, To, Subject with RFC 2047
 * encoded-words for what is not ASCII, CRLF line ends. Header values are checked here, so
 * no name or title can add a header (a CR, LF or NUL in any of them is refused). */
#ifndef CORRAL_MAIL_MESSAGE_H
#define CORRAL_MAIL_MESSAGE_H

#include <stddef.h>
#include <time.h>

#include "core/buf.h"

/* A header of the caller's own (List-Unsubscribe…): printable ASCII name without ':',
 * ASCII value without CR, LF or NUL. The headers this file writes cannot be given. */
struct mail_header {
	const char *name;
	const char *value;
};

/* What a feature asks to send. Strings are UTF-8; only to and subject are required,
 * and text or html (both make multipart/alternative). */
struct mail_msg {
	const char *kind;             /* "test", "reset"…: [a-z][a-z0-9_]{0,31} */
	const char *to;               /* addr-spec: local@domain, ASCII */
	const char *to_name;          /* display name, or NULL */
	const char *subject;
	const char *text;             /* the plain-text body */
	const char *html;             /* the HTML body, or NULL */
	const char *link;             /* the one link of a reset or verification, or NULL:
	                               * logged when no SMTP server is configured */
	const struct mail_header *headers;
	size_t nheaders;
};

/* Who sends: the From mailbox and the host of Message-IDs. */
struct mail_sender {
	const char *addr;             /* addr-spec */
	const char *name;             /* display name, or NULL */
	const char *msgid_host;       /* right-hand side of Message-ID */
};

/* Is s an addr-spec Corral sends to: dot-atom local part (at most 64), '@', a domain of
 * letters, digits, '-' and dots (at most 253) or an address literal in brackets. */
int mail_addr_valid(const char *s);

/* Parse "addr" or "Display Name <addr>" (an --mail-from value) into name (NULL when none;
 * copied into namebuf) and addr (copied into addrbuf). 0, or -1 when it is neither. */
int mail_parse_mailbox(const char *s, char *namebuf, size_t namesize, char *addrbuf, size_t addrsize,
		       const char **ret_name);

/* Build m from sender, dated now, into out (appended). 0, or -1 with *ret_err a short
 * static reason (which field is refused and why); out then holds nothing new. */
int mail_build(const struct mail_msg *m, const struct mail_sender *sender, time_t now,
	       struct buf *out, const char **ret_err);

/* Appenders, exposed for the unit tests. */
/* s as quoted-printable (RFC 2045 §6.7): lines of at most 76, LF or CRLF in s become
 * CRLF, '=' and bytes outside printable ASCII encoded, a trailing space or tab before a
 * line end encoded, a leading '.' encoded (SMTP's end of data). */
void mail_qp(struct buf *out, const char *s);
/* A header "Name: value" with value as a phrase or unstructured text: as is when printable
 * ASCII that fits, else RFC 2047 B encoded-words of at most 75 bytes, each on its own
 * folded line, never splitting a UTF-8 character. Ends with CRLF. */
void mail_header_text(struct buf *out, const char *name, const char *value);

#endif
