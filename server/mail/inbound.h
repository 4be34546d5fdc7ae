/* mail/inbound.h — reading one incoming RFC 5322 message (a reply by email) into what
 * Corral needs of it: its Message-ID, the addresses it was sent to and its text as UTF-8,
 * with the quoted mail and the signature trimmed. Pure functions over a byte buffer, no
 * database: unit-tested and fuzz-friendly. Everything returned is owned by the arena. */
#ifndef CORRAL_MAIL_INBOUND_H
#define CORRAL_MAIL_INBOUND_H

#include <stddef.h>

#include "core/arena.h"

/* The largest message `corral mail receive` reads. */
#define INBOUND_MAX_BYTES (10u * 1024 * 1024)

struct inbound_msg {
	const char *message_id;     /* the Message-ID header, trimmed, or NULL */
	const char *from;           /* the addr-spec of From, lower case, or NULL */
	const char *subject;        /* decoded (RFC 2047), or NULL */
	const char *recipients;     /* To, Cc, Delivered-To and X-Original-To values, one per line */
	const char *text;           /* the body as UTF-8: text/plain preferred, else HTML as text */
};

/* Parse a whole message. 0 with *ret filled, or -1 with *ret_why a sentence for the
 * sender; when only the text failed, the header fields of *ret are filled (recipients not
 * NULL) and text is NULL (no headers, no text part, a charset other than UTF-8, US-ASCII, ISO-8859-1 or
 * Windows-1252, text that is not valid in its charset, too deep a MIME nesting). */
int inbound_parse(struct arena *a, const char *data, size_t len, struct inbound_msg *ret, const char **ret_why);

/* The new text of a reply: cut at the signature ("-- "), an attribution line ("On …
 * wrote:"), a client's separator ("-----Original Message-----", a line of underscores,
 * an Outlook "From:/Sent:" block), then the quoted ('>') and blank lines at the end
 * dropped; a quote before the new text (bottom posting) is dropped with its attribution.
 * "\r\n" becomes "\n". The result is trimmed and may be empty. */
char *inbound_trim(struct arena *a, const char *text);

/* HTML as text: tags dropped (with the content of head, style, script and blockquote),
 * block elements and <br> as line breaks, paragraphs kept apart by a blank line, runs of
 * white space folded, entities decoded. */
char *inbound_html_text(struct arena *a, const char *html, size_t len);

/* An RFC 2047 header value decoded to UTF-8 (encoded-words in B or Q of the charsets
 * above; an undecodable word stays as it is). */
char *inbound_header_decode(struct arena *a, const char *value);

/* text (len bytes) in charset into UTF-8; NULL for a charset not handled or text not
 * valid in it. */
char *inbound_to_utf8(struct arena *a, const char *charset, const char *text, size_t len);

/* The first "PREFIX+TOKEN@" local part's TOKEN in s (case of the prefix ignored), or NULL.
 * TOKEN is made of [A-Za-z0-9._-] and at most 64 bytes. */
char *inbound_find_token(struct arena *a, const char *s, const char *prefix);

#endif
