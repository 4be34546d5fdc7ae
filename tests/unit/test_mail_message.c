/* Unit tests for mail/message: addresses, quoted-printable, encoded-words, and whole
 * messages — above all that no header value can carry a line break (header injection). */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "mail/message.h"
#include "tap.h"

static const struct mail_sender sender = { "forum@example.org", "Corral Forum", "example.org" };

static const char *
qp(const char *s)
{
	static struct buf b = BUF_INIT;

	buf_reset(&b);
	mail_qp(&b, s);
	return b.data ? b.data : "";
}

static const char *
htext(const char *s)
{
	static struct buf b = BUF_INIT;

	buf_reset(&b);
	mail_header_text(&b, "Subject", s);
	return b.data;
}

/* Every line ends in CRLF, none is longer than max, every byte is 7-bit. */
static int
lines_ok(const char *s, size_t max)
{
	size_t col = 0;

	for (; *s; s++) {
		if ((unsigned char)*s > 0x7e)
			return 0;
		if (*s == '\n')
			return 0;   /* every LF is taken with its CR below */
		if (*s == '\r') {
			if (s[1] != '\n')
				return 0;
			s++;
			col = 0;
			continue;
		}
		if (++col > max)
			return 0;
	}
	return col == 0;
}

/* The decoded text of the encoded-words in a Subject line built by mail_header_text. */
static const char *
decode_words(const char *h)
{
	static char out[1024];
	size_t len = 0;
	const char *p = h;

	while ((p = strstr(p, "=?UTF-8?B?")) != NULL) {
		const char *end = strstr(p + 10, "?=");
		size_t bin = 0;

		sodium_base642bin((unsigned char *)out + len, sizeof out - len - 1, p + 10, (size_t)(end - p - 10),
				  NULL, &bin, NULL, sodium_base64_VARIANT_ORIGINAL);
		len += bin;
		p = end + 2;
	}
	out[len] = '\0';
	return out;
}

static int
build(const struct mail_msg *m, struct buf *b, const char **err)
{
	buf_reset(b);
	*err = NULL;
	return mail_build(m, &sender, 1796558400, b, err);
}

static void
test_addresses(void)
{
	char name[64], addr[64];
	const char *n;

	ok(mail_addr_valid("ada@example.org"), "a plain address");
	ok(mail_addr_valid("a.b+tag@sub.example.org"), "dots and plus in the local part");
	ok(mail_addr_valid("x@[127.0.0.1]"), "an address literal");
	ok(mail_addr_valid("x@localhost"), "a one-label domain");
	ok(!mail_addr_valid("ada"), "no @");
	ok(!mail_addr_valid("@example.org"), "empty local part");
	ok(!mail_addr_valid("a..b@example.org"), "two dots in a row");
	ok(!mail_addr_valid("a b@example.org"), "a space");
	ok(!mail_addr_valid("a@b>\r\nRCPT TO:<c@d"), "SMTP smuggled into an address");
	ok(!mail_addr_valid("a@exa mple.org"), "a space in the domain");
	ok(!mail_addr_valid("a@-example.org"), "a label starting with -");
	ok(!mail_addr_valid("<a@example.org>"), "angle brackets");
	ok(!mail_addr_valid("zoë@example.org"), "non-ASCII (no SMTPUTF8)");
	ok(mail_parse_mailbox("Forum Team <team@example.org>", name, sizeof name, addr, sizeof addr, &n) == 0 &&
	   n && strcmp(n, "Forum Team") == 0 && strcmp(addr, "team@example.org") == 0, "Name <addr>");
	ok(mail_parse_mailbox("\"Team, A\" <team@example.org>", name, sizeof name, addr, sizeof addr, &n) == 0 &&
	   strcmp(n, "Team, A") == 0, "a quoted name is unquoted");
	ok(mail_parse_mailbox("team@example.org", name, sizeof name, addr, sizeof addr, &n) == 0 && n == NULL,
	   "a bare address");
	ok(mail_parse_mailbox("Team\r\nBcc: x@y <team@example.org>", name, sizeof name, addr, sizeof addr, &n) < 0,
	   "a line break in the name is refused");
	ok(mail_parse_mailbox("Team <team@example.org", name, sizeof name, addr, sizeof addr, &n) < 0,
	   "an unclosed bracket is refused");
}

static void
test_qp(void)
{
	char longline[300];

	is_str(qp("hello"), "hello\r\n", "plain text stays");
	is_str(qp("a\nb\r\nc"), "a\r\nb\r\nc\r\n", "LF and CRLF become CRLF");
	is_str(qp("1+1=2"), "1+1=3D2\r\n", "= is encoded");
	is_str(qp("café"), "caf=C3=A9\r\n", "UTF-8 bytes are encoded");
	is_str(qp("end \nnext\t"), "end=20\r\nnext=09\r\n", "whitespace before a line end is encoded");
	is_str(qp(".\n.hidden"), "=2E\r\n=2Ehidden\r\n", "a leading dot is encoded");
	memset(longline, 'x', sizeof longline - 1);
	longline[sizeof longline - 1] = '\0';
	ok(lines_ok(qp(longline), 76), "a long line is broken softly at 76");
	ok(strstr(qp(longline), "=\r\n") != NULL, "with soft breaks");
	memset(longline, 0, sizeof longline);
	for (int i = 0; i < 60; i++)
		strcat(longline, "é");
	ok(lines_ok(qp(longline), 76), "encoded bytes never straddle a soft break");
}

static void
test_header_text(void)
{
	char longline[400] = "";
	const char *h;

	is_str(htext("Welcome to Corral"), "Subject: Welcome to Corral\r\n", "ASCII stays as is");
	h = htext("Réinitialiser le mot de passe — Corral");
	ok(strncmp(h, "Subject: =?UTF-8?B?", 19) == 0, "non-ASCII becomes encoded-words");
	is_str(decode_words(h), "Réinitialiser le mot de passe — Corral", "which decode back");
	ok(lines_ok(h, 78), "each on a line of its own within 78 columns");
	for (int i = 0; i < 40; i++)
		strcat(longline, "日本");
	h = htext(longline);
	is_str(decode_words(h), longline, "a long CJK subject is split between characters only");
	ok(lines_ok(h, 78), "and folded");
	longline[0] = '\0';
	for (int i = 0; i < 20; i++)
		strcat(longline, "word word ");
	ok(lines_ok(htext(longline), 78), "a long ASCII subject is folded at spaces");
	h = htext("=?UTF-8?B?SGk=?=");
	ok(strcmp(decode_words(h), "=?UTF-8?B?SGk=?=") == 0, "text that looks encoded is encoded itself");
}

static void
test_injection(void)
{
	struct mail_header bcc = { "List-Id", "x\r\nBcc: victim@example.org" };
	struct mail_header reserved = { "Bcc", "victim@example.org" };
	struct mail_header fine = { "List-Id", "<news.example.org>" };
	struct mail_msg m = { .kind = "test", .to = "ada@example.org", .subject = "Hi", .text = "t", .html = "<p>h</p>" };
	struct buf b = BUF_INIT;
	const char *err;

	ok(build(&m, &b, &err) == 0, "a valid message is built");
	m.subject = "Hi\r\nBcc: victim@example.org";
	ok(build(&m, &b, &err) < 0 && strstr(err, "subject") && b.len == 0, "CRLF in the subject is refused");
	m.subject = "Hi\nBcc: victim@example.org";
	ok(build(&m, &b, &err) < 0, "a bare LF in the subject is refused");
	m.subject = "Hi\rBcc: victim@example.org";
	ok(build(&m, &b, &err) < 0, "a bare CR in the subject is refused");
	m.subject = "Hi";
	m.to_name = "Ada\r\nBcc: victim@example.org";
	ok(build(&m, &b, &err) < 0 && strstr(err, "to_name"), "CRLF in the recipient's name is refused");
	m.to_name = NULL;
	m.to = "ada@example.org\r\nBcc: victim@example.org";
	ok(build(&m, &b, &err) < 0 && strstr(err, "to"), "CRLF in the address is refused");
	m.to = "ada@example.org";
	m.headers = &bcc;
	m.nheaders = 1;
	ok(build(&m, &b, &err) < 0 && strstr(err, "headers"), "CRLF in an extra header is refused");
	m.headers = &reserved;
	ok(build(&m, &b, &err) < 0, "an extra header may not be one Corral writes (Bcc)");
	m.headers = &fine;
	ok(build(&m, &b, &err) == 0 && strstr(b.data, "\r\nList-Id: <news.example.org>\r\n"), "a fine extra header");
	m.kind = "Test; drop";
	ok(build(&m, &b, &err) < 0 && strstr(err, "kind"), "a bad kind is refused");
	m.kind = "test";
	m.subject = "Bad UTF-8 \xC3\x28";
	ok(build(&m, &b, &err) < 0, "invalid UTF-8 in the subject is refused");
	buf_free(&b);
}

static void
test_message(void)
{
	struct mail_msg m = {
		.kind = "test", .to = "zoe@example.net", .to_name = "Zoë \"Z\" Ångström",
		.subject = "Bienvenue, Zoë", .text = "Hello Zoë,\n\n. a dot line\nbye\n",
		.html = "<p>Hello <b>Zoë</b></p>",
	};
	struct buf b = BUF_INIT;
	const char *err, *body, *bd;
	char boundary[80];

	ok(build(&m, &b, &err) == 0, "a multipart message is built");
	ok(lines_ok(b.data, 998), "CRLF line ends, 7-bit, no line over 998");
	ok(strncmp(b.data, "Date: Sun, 06 Dec 2026 ", 23) == 0, "Date first, in RFC 5322 form");
	ok(strstr(b.data, "\r\nFrom: \"Corral Forum\"\r\n <forum@example.org>\r\n") != NULL, "From with its name");
	ok(strstr(b.data, "\r\nTo: =?UTF-8?B?") != NULL, "a non-ASCII name is an encoded-word");
	ok(strstr(b.data, "\r\nSubject: =?UTF-8?B?") != NULL, "so is a non-ASCII subject");
	ok(strstr(b.data, "@example.org>\r\n") != NULL && strstr(b.data, "\r\nMessage-ID: <") != NULL,
	   "a Message-ID at the site's host");
	ok(strstr(b.data, "\r\nMIME-Version: 1.0\r\n") != NULL, "MIME-Version");
	bd = strstr(b.data, "boundary=\"");
	ok(bd != NULL, "multipart/alternative with a boundary");
	if (bd == NULL)
		return;
	snprintf(boundary, sizeof boundary, "--%.*s", (int)strcspn(bd + 10, "\""), bd + 10);
	ok(strstr(b.data, "Content-Type: multipart/alternative;") != NULL, "of type multipart/alternative");
	body = strstr(b.data, "\r\n\r\n");
	ok(body && strstr(body, boundary) && strstr(body, "Content-Type: text/plain; charset=UTF-8") &&
	   strstr(body, "Content-Type: text/html; charset=UTF-8"), "a text part and an HTML part");
	ok(strstr(body, "Hello Zo=C3=AB,\r\n\r\n=2E a dot line\r\n") != NULL, "the text in quoted-printable");
	ok(b.len > strlen(boundary) + 4 && strncmp(b.data + b.len - strlen(boundary) - 4, boundary, strlen(boundary)) == 0 &&
	   strcmp(b.data + b.len - 4, "--\r\n") == 0, "the closing boundary ends the message");
	m.html = NULL;
	ok(build(&m, &b, &err) == 0 && strstr(b.data, "multipart") == NULL &&
	   strstr(b.data, "Content-Type: text/plain; charset=UTF-8\r\n"), "text only is a single part");
	buf_free(&b);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_addresses();
	test_qp();
	test_header_text();
	test_injection();
	test_message();
	return done_testing();
}
