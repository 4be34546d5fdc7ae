/* mail/inbound.c — one incoming message into its Message-ID, recipients and new text:
 * headers (unfolded, RFC 2047), the MIME tree (the first text/plain part, else the first
 * text/html), quoted-printable and base64, the charsets members' clients send, HTML as
 * text, and the trimming of quotes and signatures. Pure: bytes in, arena strings out. */
#include "mail/inbound.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/utf8.h"

/* Deeper MIME nesting than any mail client writes is refused, not followed. */
#define INBOUND_MAX_DEPTH 8

struct part {
	const char *hdr;
	size_t hlen;
	const char *body;
	size_t blen;
};

/* Split an entity at its first empty line; false when the head is not a header block. */
static bool
inbound_split(const char *p, size_t len, struct part *ret)
{
	size_t i = 0, colon;

	/* The first line must be "Name: value": anything else is not a message. */
	for (colon = 0; colon < len && p[colon] > ' ' && p[colon] < 127 && p[colon] != ':'; colon++)
		;
	if (len > 0 && (p[0] == '\n' || (p[0] == '\r' && len > 1 && p[1] == '\n'))) {
		ret->hdr = p, ret->hlen = 0;   /* a MIME part may have no headers at all */
		i = p[0] == '\n' ? 1 : 2;
		ret->body = p + i, ret->blen = len - i;
		return true;
	}
	if (colon == 0 || colon >= len || p[colon] != ':')
		return false;
	for (i = 0; i < len; i++) {
		if (p[i] != '\n')
			continue;
		if (i + 1 < len && p[i + 1] == '\n') {
			ret->hdr = p, ret->hlen = i + 1, ret->body = p + i + 2, ret->blen = len - i - 2;
			return true;
		}
		if (i + 2 < len && p[i + 1] == '\r' && p[i + 2] == '\n') {
			ret->hdr = p, ret->hlen = i + 1, ret->body = p + i + 3, ret->blen = len - i - 3;
			return true;
		}
	}
	ret->hdr = p, ret->hlen = len, ret->body = p + len, ret->blen = 0;
	return true;
}

/* Every value of header `name` in the block, unfolded and trimmed, joined by sep; NULL when none. */
static char *
inbound_header(struct arena *a, const struct part *e, const char *name, const char *sep)
{
	size_t nl = strlen(name), i = 0;
	struct buf b = BUF_INIT;
	bool any = false;
	char *s;

	while (i < e->hlen) {
		size_t eol = i;

		while (eol < e->hlen && e->hdr[eol] != '\n')
			eol++;
		if (eol - i > nl && e->hdr[i + nl] == ':' && strncasecmp(e->hdr + i, name, nl) == 0) {
			if (any)
				buf_puts(&b, sep);
			any = true;
			buf_append(&b, e->hdr + i + nl + 1, eol - i - nl - 1);
			/* continuation lines start with white space */
			while (eol + 1 < e->hlen && (e->hdr[eol + 1] == ' ' || e->hdr[eol + 1] == '\t')) {
				size_t from = eol + 1;

				for (eol = from; eol < e->hlen && e->hdr[eol] != '\n'; eol++)
					;
				buf_append(&b, e->hdr + from, eol - from);
			}
		}
		i = eol + 1;
	}
	if (!any)
		return NULL;
	for (size_t k = 0; k < b.len; k++) {
		if (b.data[k] == '\r' || b.data[k] == '\t')
			b.data[k] = ' ';
	}
	{
		const char *v = b.data;
		size_t n = b.len;

		utf8_trim(&v, &n);
		s = arena_strndup(a, v, n);
	}
	buf_free(&b);
	return s;
}

/* A parameter of a structured header value ("charset", "boundary"), lower-cased when
 * fold; NULL when absent. */
static char *
inbound_param(struct arena *a, const char *v, const char *name, bool fold)
{
	size_t nl = strlen(name);

	for (const char *p = v ? strchr(v, ';') : NULL; p; p = strchr(p, ';')) {
		const char *q, *end;
		char *s;

		for (p++; *p == ' ' || *p == '\t'; p++)
			;
		if (strncasecmp(p, name, nl) != 0)
			continue;
		for (q = p + nl; *q == ' '; q++)
			;
		if (*q != '=')
			continue;
		for (q++; *q == ' '; q++)
			;
		if (*q == '"') {
			end = strchr(++q, '"');
			if (end == NULL)
				end = q + strlen(q);
		} else {
			for (end = q; *end && *end != ';' && *end != ' ' && *end != '\t'; end++)
				;
		}
		s = arena_strndup(a, q, (size_t)(end - q));
		for (char *c = s; fold && *c; c++)
			*c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
		return s;
	}
	return NULL;
}

/* "text/plain" of a Content-Type value, lower-cased; "text/plain" when absent. */
static char *
inbound_mime_type(struct arena *a, const char *v)
{
	size_t n = 0;
	char *s;

	if (v == NULL || *v == '\0' || *v == ';')
		return arena_strdup(a, "text/plain");
	while (v[n] && v[n] != ';' && v[n] != ' ')
		n++;
	s = arena_strndup(a, v, n);
	for (char *c = s; *c; c++)
		*c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
	return s;
}

static int
inbound_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Quoted-printable (q: the RFC 2047 "Q" form, where '_' is a space) into out. */
static void
inbound_qp(struct buf *out, const char *p, size_t n, bool q)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '=' && i + 2 < n && inbound_hex(p[i + 1]) >= 0 && inbound_hex(p[i + 2]) >= 0) {
			buf_putc(out, (char)(inbound_hex(p[i + 1]) * 16 + inbound_hex(p[i + 2])));
			i += 2;
		} else if (p[i] == '=' && !q && i + 1 < n && (p[i + 1] == '\n' || p[i + 1] == '\r')) {
			i += p[i + 1] == '\r' && i + 2 < n && p[i + 2] == '\n' ? 2 : 1;   /* soft break */
		} else if (p[i] == '=' && !q && i + 1 == n) {
			/* a soft break at the very end */
		} else {
			buf_putc(out, q && p[i] == '_' ? ' ' : p[i]);
		}
	}
}

/* Base64, skipping what is not of its alphabet (line breaks), stopping at padding. */
static void
inbound_b64(struct buf *out, const char *p, size_t n)
{
	uint32_t acc = 0;
	int bits = 0;

	for (size_t i = 0; i < n && p[i] != '='; i++) {
		int v;
		char c = p[i];

		if (c >= 'A' && c <= 'Z')
			v = c - 'A';
		else if (c >= 'a' && c <= 'z')
			v = c - 'a' + 26;
		else if (c >= '0' && c <= '9')
			v = c - '0' + 52;
		else if (c == '+' || c == '-')
			v = 62;
		else if (c == '/' || c == '_')
			v = 63;
		else
			continue;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_putc(out, (char)((acc >> bits) & 0xff));
		}
	}
}

static void
inbound_put_cp(struct buf *b, uint32_t cp)
{
	char u[4];

	buf_append(b, u, utf8_encode(cp, u));
}

/* Windows-1252's 0x80–0x9F (0: not assigned). */
static const uint16_t inbound_cp1252[32] = {
	0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
	0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
};

char *
inbound_to_utf8(struct arena *a, const char *charset, const char *text, size_t len)
{
	static const char *const utf8[] = { "utf-8", "utf8", "us-ascii", "ascii", NULL };
	static const char *const latin1[] = { "iso-8859-1", "iso_8859-1", "latin1", "l1", "iso8859-1", NULL };
	static const char *const cp1252[] = { "windows-1252", "cp1252", "x-cp1252", NULL };
	struct buf b = BUF_INIT;
	char *s;
	size_t i;

	if (charset == NULL || *charset == '\0')
		charset = "us-ascii";
	for (i = 0; utf8[i] && strcasecmp(charset, utf8[i]) != 0; i++)
		;
	if (utf8[i])   /* mislabelled US-ASCII is usually UTF-8: accept what is valid */
		return utf8_valid(text, len) ? arena_strndup(a, text, len) : NULL;
	for (i = 0; latin1[i] && strcasecmp(charset, latin1[i]) != 0; i++)
		;
	if (latin1[i] == NULL) {
		for (i = 0; cp1252[i] && strcasecmp(charset, cp1252[i]) != 0; i++)
			;
		if (cp1252[i] == NULL)
			return NULL;
	}
	/* Clients label Windows-1252 as ISO-8859-1, and ISO-8859-1's C1 controls never mean
	 * anything in mail: both are read as Windows-1252. */
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == 0 || (c >= 0x80 && c < 0xa0 && inbound_cp1252[c - 0x80] == 0)) {
			buf_free(&b);
			return NULL;
		}
		inbound_put_cp(&b, c >= 0x80 && c < 0xa0 ? inbound_cp1252[c - 0x80] : c);
	}
	s = arena_strndup(a, b.data ? b.data : "", b.len);
	buf_free(&b);
	return s;
}

char *
inbound_header_decode(struct arena *a, const char *v)
{
	struct buf b = BUF_INIT;
	size_t pending_ws = 0;
	const char *p = v, *ws = NULL;
	bool prev_word = false;
	char *s;

	while (*p) {
		const char *cs, *enc, *txt, *end;

		if (p[0] == '=' && p[1] == '?' && (cs = p + 2, enc = strchr(cs, '?')) && enc[1] && enc[2] == '?' &&
		    (txt = enc + 3, end = strstr(txt, "?=")) && (enc[1] == 'B' || enc[1] == 'b' || enc[1] == 'Q' ||
								   enc[1] == 'q')) {
			struct buf raw = BUF_INIT;
			char *charset = arena_strndup(a, cs, (size_t)(enc - cs)), *star = strchr(charset, '*'), *u;

			if (star)
				*star = '\0';   /* RFC 2231 language */
			if (enc[1] == 'B' || enc[1] == 'b')
				inbound_b64(&raw, txt, (size_t)(end - txt));
			else
				inbound_qp(&raw, txt, (size_t)(end - txt), true);
			u = inbound_to_utf8(a, charset, raw.data ? raw.data : "", raw.len);
			buf_free(&raw);
			if (u) {
				/* white space between two encoded-words is not part of the text */
				if (!prev_word && pending_ws)
					buf_append(&b, ws, pending_ws);
				buf_puts(&b, u);
				pending_ws = 0;
				prev_word = true;
				p = end + 2;
				continue;
			}
		}
		if (*p == ' ' || *p == '\t') {
			if (pending_ws == 0)
				ws = p;
			pending_ws++;
			p++;
			continue;
		}
		if (pending_ws)
			buf_append(&b, ws, pending_ws);
		pending_ws = 0;
		prev_word = false;
		buf_putc(&b, *p++);
	}
	if (pending_ws)
		buf_append(&b, ws, pending_ws);
	s = arena_strndup(a, b.data ? b.data : "", b.len);
	buf_free(&b);
	return s;
}

/* The best text of a MIME tree so far: the first text/plain, else the first text/html. */
struct inbound_pick {
	struct part plain, html;
	bool have_plain, have_html;
	const char *plain_ct, *html_ct, *plain_cte, *html_cte;
	bool too_deep;
};

/* The parts of a multipart body between "--boundary" lines, each walked. */
static void inbound_walk(struct arena *a, const struct part *e, int depth, struct inbound_pick *pk);

static void
inbound_multipart(struct arena *a, const struct part *e, const char *boundary, int depth, struct inbound_pick *pk)
{
	size_t bl = strlen(boundary), i = 0, start = 0;
	bool in = false;

	while (i <= e->blen) {
		size_t eol = i;

		while (eol < e->blen && e->body[eol] != '\n')
			eol++;
		if (eol - i >= bl + 2 && e->body[i] == '-' && e->body[i + 1] == '-' &&
		    memcmp(e->body + i + 2, boundary, bl) == 0) {
			bool last = eol - i >= bl + 4 && e->body[i + bl + 2] == '-' && e->body[i + bl + 3] == '-';

			if (in && i > start) {
				struct part sub;
				/* the line break before the boundary belongs to the boundary */
				size_t end = i - 1;

				if (end > start && e->body[end - 1] == '\r')
					end--;
				if (inbound_split(e->body + start, end - start, &sub))
					inbound_walk(a, &sub, depth + 1, pk);
			}
			if (last)
				return;
			in = true;
			start = eol + 1;
		}
		i = eol + 1;
	}
}

static void
inbound_walk(struct arena *a, const struct part *e, int depth, struct inbound_pick *pk)
{
	const char *ct = inbound_header(a, e, "Content-Type", " "), *type = inbound_mime_type(a, ct);
	const char *disp = inbound_header(a, e, "Content-Disposition", " ");

	if (depth > INBOUND_MAX_DEPTH) {
		pk->too_deep = true;
		return;
	}
	if (strncmp(type, "multipart/", 10) == 0) {
		const char *boundary = inbound_param(a, ct, "boundary", false);

		if (boundary && *boundary && strlen(boundary) <= 200)
			inbound_multipart(a, e, boundary, depth, pk);
		return;
	}
	if (disp && strncasecmp(disp, "attachment", 10) == 0)
		return;
	if (strcmp(type, "text/plain") == 0 && !pk->have_plain) {
		pk->plain = *e, pk->have_plain = true, pk->plain_ct = ct;
		pk->plain_cte = inbound_header(a, e, "Content-Transfer-Encoding", " ");
	} else if (strcmp(type, "text/html") == 0 && !pk->have_html) {
		pk->html = *e, pk->have_html = true, pk->html_ct = ct;
		pk->html_cte = inbound_header(a, e, "Content-Transfer-Encoding", " ");
	}
}

/* A part's body decoded (transfer encoding, then charset) into UTF-8; NULL with *ret_why. */
static char *
inbound_body(struct arena *a, const struct part *e, const char *ct, const char *cte, const char **ret_why)
{
	const char *charset = inbound_param(a, ct, "charset", true);
	struct buf raw = BUF_INIT;
	char *s;

	if (cte && strncasecmp(cte, "quoted-printable", 16) == 0)
		inbound_qp(&raw, e->body, e->blen, false);
	else if (cte && strncasecmp(cte, "base64", 6) == 0)
		inbound_b64(&raw, e->body, e->blen);
	else
		buf_append(&raw, e->body, e->blen);
	s = inbound_to_utf8(a, charset, raw.data ? raw.data : "", raw.len);
	buf_free(&raw);
	if (s == NULL)
		*ret_why = arena_printf(a, "The text of the message is not valid %s. Send it as UTF-8, ISO-8859-1 "
					"or Windows-1252.", charset && strlen(charset) <= 40 ? charset : "in its charset");
	return s;
}

/* The addr-spec of a From value ("Name <a@b>" or "a@b (comment)"), lower case; NULL when
 * there is none. */
static char *
inbound_from(struct arena *a, const char *v)
{
	const char *lt = v ? strrchr(v, '<') : NULL, *start = lt ? lt + 1 : v;
	size_t n = 0;
	char *s;

	if (v == NULL)
		return NULL;
	while (*start == ' ')
		start++;
	while (start[n] && start[n] != '>' && start[n] != ' ' && start[n] != '(' && start[n] != ',')
		n++;
	if (n == 0 || memchr(start, '@', n) == NULL)
		return NULL;
	s = arena_strndup(a, start, n);
	for (char *c = s; *c; c++)
		*c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
	return s;
}

int
inbound_parse(struct arena *a, const char *data, size_t len, struct inbound_msg *ret, const char **ret_why)
{
	struct inbound_pick pk = { 0 };
	struct part top;
	struct buf rcpt = BUF_INIT;
	static const char *const rcpt_headers[] = { "To", "Cc", "Delivered-To", "X-Original-To", NULL };
	const char *subject, *nl;
	char *text;

	/* An mbox "From " line (pipe(8) with flag F) is not a header. */
	if (len > 5 && memcmp(data, "From ", 5) == 0 && (nl = memchr(data, '\n', len)) != NULL) {
		len -= (size_t)(nl + 1 - data);
		data = nl + 1;
	}
	memset(ret, 0, sizeof *ret);
	if (len == 0 || len > INBOUND_MAX_BYTES || memchr(data, '\0', len) != NULL || !inbound_split(data, len, &top)) {
		*ret_why = len > INBOUND_MAX_BYTES ? "The message is larger than 10 MiB."
						   : "This is not a mail message.";
		return -1;
	}
	/* The headers first: a caller can still tell who sent a message whose text it cannot read. */
	for (size_t i = 0; rcpt_headers[i]; i++) {
		const char *v = inbound_header(a, &top, rcpt_headers[i], "\n");

		if (v)
			buf_printf(&rcpt, "%s\n", v);
	}
	subject = inbound_header(a, &top, "Subject", " ");
	ret->message_id = inbound_header(a, &top, "Message-ID", " ");
	ret->from = inbound_from(a, inbound_header(a, &top, "From", " "));
	ret->subject = subject ? inbound_header_decode(a, subject) : NULL;
	ret->recipients = arena_strndup(a, rcpt.data ? rcpt.data : "", rcpt.len);
	ret->text = NULL;
	buf_free(&rcpt);
	inbound_walk(a, &top, 0, &pk);
	if (pk.too_deep) {
		*ret_why = "The message nests its MIME parts too deeply.";
		return -1;
	}
	if (pk.have_plain) {
		text = inbound_body(a, &pk.plain, pk.plain_ct, pk.plain_cte, ret_why);
	} else if (pk.have_html) {
		text = inbound_body(a, &pk.html, pk.html_ct, pk.html_cte, ret_why);
		if (text)
			text = inbound_html_text(a, text, strlen(text));
	} else {
		*ret_why = "The message has no text (text/plain or text/html) to post.";
		return -1;
	}
	if (text == NULL)
		return -1;
	ret->text = text;
	return 0;
}

char *
inbound_find_token(struct arena *a, const char *s, const char *prefix)
{
	size_t pl = strlen(prefix);

	for (const char *p = s; p && *p; p++) {
		size_t n = 0;
		char before = p == s ? ' ' : p[-1];

		if (strncasecmp(p, prefix, pl) != 0 || p[pl] != '+')
			continue;
		if ((before >= 'A' && before <= 'Z') || (before >= 'a' && before <= 'z') || (before >= '0' && before <= '9') ||
		    before == '.' || before == '_' || before == '-' || before == '+')
			continue;
		for (const char *t = p + pl + 1; (*t >= 'A' && *t <= 'Z') || (*t >= 'a' && *t <= 'z') ||
						  (*t >= '0' && *t <= '9') || *t == '.' || *t == '_' || *t == '-'; t++)
			n++;
		if (n > 0 && n <= 64 && p[pl + 1 + n] == '@')
			return arena_strndup(a, p + pl + 1, n);
	}
	return NULL;
}
