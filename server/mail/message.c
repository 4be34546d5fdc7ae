/* mail/message.c — RFC 5322 messages from struct mail_msg: header values checked and
 * encoded (RFC 2047), bodies in quoted-printable (RFC 2045), multipart/alternative. */
#include "mail/message.h"

#include <ctype.h>
#include <sodium.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "core/utf8.h"

/* Raw bytes per encoded-word: 39 make 52 of base64, a word of 64 (RFC 2047 allows 75),
 * so even "Subject: " and the first word stay within 78 columns. */
#define MAIL_EW_BYTES 39
#define MAIL_QP_LINE 76

static bool
mail_atext(int c)
{
	return isalnum(c) || (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

static bool
mail_domain_valid(const char *d, size_t n)
{
	size_t label = 0;

	if (n == 0 || n > 253)
		return false;
	if (d[0] == '[')   /* an address literal: [192.0.2.1] or [IPv6:…] */
		return n >= 3 && d[n - 1] == ']' && strspn(d + 1, "0123456789abcdefABCDEF:.Pv") == n - 2;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)d[i];

		if (ch == '.') {
			if (label == 0 || d[i - 1] == '-')
				return false;
			label = 0;
		} else if (isalnum(ch) || (ch == '-' && label > 0)) {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return label > 0 && d[n - 1] != '-';
}

int
mail_addr_valid(const char *s)
{
	const char *at = s ? strrchr(s, '@') : NULL;
	size_t local;

	if (at == NULL || strlen(s) > 254)
		return 0;
	local = (size_t)(at - s);
	if (local == 0 || local > 64 || s[0] == '.' || s[local - 1] == '.')
		return 0;
	for (size_t i = 0; i < local; i++) {
		if (s[i] == '.' ? s[i + 1] == '.' : !mail_atext((unsigned char)s[i]))
			return 0;
	}
	return mail_domain_valid(at + 1, strlen(at + 1));
}

/* Printable ASCII and tab only: what a header value may hold before any encoding. */
static bool
mail_ascii_printable(const char *s)
{
	for (; *s; s++) {
		if ((*s < 0x20 && *s != '\t') || (unsigned char)*s > 0x7e)
			return false;
	}
	return true;
}

/* A header value of any kind: no CR, LF or other control character (the header
 * injection every name and title could otherwise carry), valid UTF-8. */
static bool
mail_value_safe(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n > max || !utf8_valid(s, n))
		return false;
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	}
	return true;
}

int
mail_parse_mailbox(const char *s, char *namebuf, size_t namesize, char *addrbuf, size_t addrsize,
		   const char **ret_name)
{
	const char *lt = strchr(s, '<');
	size_t n = strlen(s);

	if (!mail_value_safe(s, 512))
		return -1;
	if (lt == NULL) {
		if (n >= addrsize || !mail_addr_valid(s))
			return -1;
		memcpy(addrbuf, s, n + 1);
		*ret_name = NULL;
		return 0;
	}
	if (n == 0 || s[n - 1] != '>' || (size_t)(s + n - 1 - (lt + 1)) >= addrsize)
		return -1;
	memcpy(addrbuf, lt + 1, (size_t)(s + n - 1 - (lt + 1)));
	addrbuf[s + n - 1 - (lt + 1)] = '\0';
	if (!mail_addr_valid(addrbuf))
		return -1;
	/* The display name: what comes before '<', trimmed and unquoted. */
	while (s < lt && s[0] == ' ')
		s++;
	n = (size_t)(lt - s);
	while (n > 0 && s[n - 1] == ' ')
		n--;
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"')
		s++, n -= 2;
	if (n >= namesize)
		return -1;
	memcpy(namebuf, s, n);
	namebuf[n] = '\0';
	*ret_name = n > 0 ? namebuf : NULL;
	return 0;
}

/* Length of the longest prefix of s[0..n) of at most max bytes ending on a character
 * boundary (s is valid UTF-8). */
static size_t
mail_utf8_cut(const char *s, size_t n, size_t max)
{
	size_t k;

	if (n <= max)
		return n;
	k = max;
	while (k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80)
		k--;
	return k;
}

/* value as encoded-words, the first where the line is, the others on folded lines. */
static void
mail_encoded_words(struct buf *out, const char *s)
{
	size_t n = strlen(s);
	char b64[sodium_base64_ENCODED_LEN(MAIL_EW_BYTES, sodium_base64_VARIANT_ORIGINAL)];
	bool first = true;

	while (n > 0 || first) {
		size_t k = mail_utf8_cut(s, n, MAIL_EW_BYTES);

		sodium_bin2base64(b64, sizeof b64, (const unsigned char *)s, k, sodium_base64_VARIANT_ORIGINAL);
		buf_puts(out, first ? "=?UTF-8?B?" : "\r\n =?UTF-8?B?");
		buf_puts(out, b64);
		buf_puts(out, "?=");
		s += k;
		n -= k;
		first = false;
	}
}

/* Is value, as it is, safe and readable in a header: printable ASCII, no "=?" that a
 * reader would take for an encoded-word, and short enough to fold at its spaces. */
static bool
mail_text_plain(const char *value)
{
	size_t word = 0;

	if (!mail_ascii_printable(value) || strstr(value, "=?") != NULL || strchr(value, '\t'))
		return false;
	for (const char *p = value; *p; p++) {
		word = *p == ' ' ? 0 : word + 1;
		if (word > 70)
			return false;
	}
	return true;
}

void
mail_header_text(struct buf *out, const char *name, const char *value)
{
	size_t col;

	buf_puts(out, name);
	buf_puts(out, ": ");
	if (!mail_text_plain(value)) {
		mail_encoded_words(out, value);
		buf_puts(out, "\r\n");
		return;
	}
	/* Fold before a space when the next word would pass column 78. */
	col = strlen(name) + 2;
	while (*value) {
		size_t w = strcspn(value + 1, " ") + 1;

		if (col + w > 78 && value[0] == ' ') {
			buf_puts(out, "\r\n");
			col = 0;
		}
		buf_append(out, value, w);
		col += w;
		value += w;
	}
	buf_puts(out, "\r\n");
}

/* A display name as a phrase: a quoted-string when ASCII, else encoded-words. */
static void
mail_phrase(struct buf *out, const char *name)
{
	if (!mail_ascii_printable(name) || strstr(name, "=?") != NULL || strlen(name) > 60) {
		mail_encoded_words(out, name);
		return;
	}
	buf_putc(out, '"');
	for (; *name; name++) {
		if (*name == '"' || *name == '\\')
			buf_putc(out, '\\');
		buf_putc(out, *name);
	}
	buf_putc(out, '"');
}

static void
mail_mailbox(struct buf *out, const char *hname, const char *name, const char *addr)
{
	buf_puts(out, hname);
	buf_puts(out, ": ");
	if (name && *name) {
		mail_phrase(out, name);
		buf_puts(out, "\r\n <");
	} else {
		buf_putc(out, '<');
	}
	buf_puts(out, addr);
	buf_puts(out, ">\r\n");
}

void
mail_qp(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t col = 0;

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		bool at_end, enc;

		if (ch == '\r' && s[1] == '\n')
			continue;
		if (ch == '\n' || ch == '\r') {
			buf_puts(out, "\r\n");
			col = 0;
			continue;
		}
		at_end = s[1] == '\0' || s[1] == '\n' || (s[1] == '\r' && s[2] == '\n');
		enc = ch == '=' || (ch < 0x20 && ch != '\t') || ch > 0x7e ||
		      ((ch == ' ' || ch == '\t') && at_end);
		/* Room for this character and, unless the line ends here, a soft break's '='. */
		if (col + (enc ? 3 : 1) > MAIL_QP_LINE - (at_end ? 0 : 1)) {
			buf_puts(out, "=\r\n");
			col = 0;
		}
		if (col == 0 && ch == '.')
			enc = true;
		if (enc) {
			char e[3] = { '=', hex[ch >> 4], hex[ch & 15] };

			buf_append(out, e, 3);
			col += 3;
		} else {
			buf_putc(out, (char)ch);
			col++;
		}
	}
	if (col > 0)
		buf_puts(out, "\r\n");
}

static void
mail_date(struct buf *out, time_t now)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;

	gmtime_r(&now, &tm);
	buf_printf(out, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday], tm.tm_mday,
		   months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void
mail_random_hex(char *out, size_t bytes)
{
	unsigned char r[32];

	randombytes_buf(r, bytes);
	sodium_bin2hex(out, bytes * 2 + 1, r, bytes);
}

/* The headers the caller may not set: this file writes them. */
static bool
mail_header_reserved(const char *name)
{
	static const char *const reserved[] = { "from", "sender", "to", "cc", "bcc", "subject", "date",
						"message-id", "mime-version", "content-type",
						"content-transfer-encoding", NULL };

	for (int i = 0; reserved[i]; i++) {
		if (strcasecmp(name, reserved[i]) == 0)
			return true;
	}
	return false;
}

static const char *
mail_check(const struct mail_msg *m, const struct mail_sender *sender)
{
	const char *kind = m->kind ? m->kind : "";

	if (kind[0] < 'a' || kind[0] > 'z' || strlen(kind) > 32 ||
	    strspn(kind, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(kind))
		return "kind: not a mail kind";
	if (!mail_addr_valid(m->to))
		return "to: not an email address Corral can send to";
	if (m->to_name && !mail_value_safe(m->to_name, 200))
		return "to_name: control characters (CR, LF…) or too long";
	if (m->subject == NULL || !mail_value_safe(m->subject, 900))
		return "subject: missing, control characters (CR, LF…) or too long";
	if (!mail_addr_valid(sender->addr) || (sender->name && !mail_value_safe(sender->name, 200)))
		return "from: not a mailbox";
	if (!mail_domain_valid(sender->msgid_host, strlen(sender->msgid_host)))
		return "message-id host: not a domain";
	if (m->text == NULL && m->html == NULL)
		return "body: neither text nor HTML";
	if ((m->text && !utf8_valid(m->text, strlen(m->text))) || (m->html && !utf8_valid(m->html, strlen(m->html))))
		return "body: not UTF-8";
	for (size_t i = 0; i < m->nheaders; i++) {
		const char *hn = m->headers[i].name, *hv = m->headers[i].value;

		if (hn == NULL || hn[0] == '\0' || strlen(hn) > 64 || mail_header_reserved(hn) || hv == NULL ||
		    strlen(hv) > 900 || !mail_ascii_printable(hv))
			return "headers: a reserved name or a value that is not printable ASCII";
		for (const char *p = hn; *p; p++) {
			if (*p <= 0x20 || *p >= 0x7f || *p == ':')
				return "headers: not a header name";
		}
	}
	return NULL;
}

static void
mail_part(struct buf *out, const char *boundary, const char *type, const char *body)
{
	buf_printf(out, "--%s\r\nContent-Type: %s; charset=UTF-8\r\n"
		   "Content-Transfer-Encoding: quoted-printable\r\n\r\n", boundary, type);
	mail_qp(out, body);
}

int
mail_build(const struct mail_msg *m, const struct mail_sender *sender, time_t now,
	   struct buf *out, const char **ret_err)
{
	/* "=_" never occurs in quoted-printable text, so no body line can be the boundary. */
	char id[33], boundary[64];
	const char *err = mail_check(m, sender);
	bool multi = m->text && m->html;

	if (err) {
		*ret_err = err;
		return -1;
	}
	mail_date(out, now);
	mail_mailbox(out, "From", sender->name, sender->addr);
	mail_mailbox(out, "To", m->to_name, m->to);
	mail_header_text(out, "Subject", m->subject);
	mail_random_hex(id, 16);
	buf_printf(out, "Message-ID: <%s.%lld@%s>\r\n", id, (long long)now, sender->msgid_host);
	buf_puts(out, "MIME-Version: 1.0\r\nAuto-Submitted: auto-generated\r\n");
	for (size_t i = 0; i < m->nheaders; i++)
		buf_printf(out, "%s: %s\r\n", m->headers[i].name, m->headers[i].value);
	if (!multi) {
		buf_printf(out, "Content-Type: %s; charset=UTF-8\r\n"
			   "Content-Transfer-Encoding: quoted-printable\r\n\r\n", m->text ? "text/plain" : "text/html");
		mail_qp(out, m->text ? m->text : m->html);
		return 0;
	}
	mail_random_hex(id, 12);
	snprintf(boundary, sizeof boundary, "=_corral_%s", id);
	buf_printf(out, "Content-Type: multipart/alternative;\r\n boundary=\"%s\"\r\n\r\n", boundary);
	mail_part(out, boundary, "text/plain", m->text);
	mail_part(out, boundary, "text/html", m->html);
	buf_printf(out, "--%s--\r\n", boundary);
	return 0;
}
