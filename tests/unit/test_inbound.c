/* Unit tests for mail/inbound and mail/reply_addr: MIME, transfer encodings, charsets,
 * HTML as text, the trimming of quotes and signatures, and signed reply addresses. */
#include <sodium.h>
#include <string.h>

#include "core/buf.h"
#include "mail/inbound.h"
#include "mail/reply_addr.h"
#include "tap.h"

static struct arena *A;

/* The text of a whole message, or "ERR: why". */
static const char *
body(const char *msg)
{
	struct inbound_msg m;
	const char *why = NULL;

	if (inbound_parse(A, msg, strlen(msg), &m, &why) != 0)
		return arena_printf(A, "ERR: %s", why);
	return m.text;
}

static void
test_mime(void)
{
	struct inbound_msg m;
	const char *why;

	is_str(body("From: a@b\r\nSubject: x\r\n\r\nHello there\r\n"), "Hello there\r\n", "plain body, CRLF");
	is_str(body("Content-Type: text/plain; charset=\"ISO-8859-1\"\n\ncaf\xe9\n"), "caf\xc3\xa9\n", "Latin-1 to UTF-8");
	is_str(body("Content-Type: text/plain; charset=windows-1252\n\n\x93quoted\x94 \x80\n"),
	       "\xe2\x80\x9cquoted\xe2\x80\x9d \xe2\x82\xac\n", "Windows-1252 quotes and euro");
	ok(strncmp(body("Content-Type: text/plain; charset=koi8-r\n\n\xc1\n"), "ERR: ", 5) == 0, "other charsets refused");
	ok(strncmp(body("Content-Type: text/plain; charset=utf-8\n\n\xc3\x28\n"), "ERR: ", 5) == 0, "bad UTF-8 refused");
	is_str(body("Content-Transfer-Encoding: quoted-printable\nContent-Type: text/plain; charset=utf-8\n\n"
		    "caf=C3=A9 and a long=\n line\n"),
	       "caf\xc3\xa9 and a long line\n", "quoted-printable with a soft break");
	is_str(body("Content-Transfer-Encoding: base64\n\nSGVsbG8g\nd29ybGQ=\n"), "Hello world", "base64 over lines");
	is_str(body("Content-Type: multipart/alternative; boundary=\"XX\"\n\npreamble\n--XX\n"
		    "Content-Type: text/html\n\n<p>html</p>\n--XX\nContent-Type: text/plain\n\nplain text\n--XX--\n"),
	       "plain text", "multipart/alternative prefers text/plain");
	is_str(body("Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: multipart/alternative; boundary=b\n\n"
		    "--b\nContent-Type: text/html; charset=utf-8\n\n<p>Only <b>HTML</b> &amp; more</p>\n--b--\n"
		    "--a\nContent-Type: text/plain\nContent-Disposition: attachment\n\nfile\n--a--\n"),
	       "Only HTML & more", "nested multipart, HTML only, attachment skipped");
	ok(strncmp(body("just some words\nno headers\n"), "ERR: ", 5) == 0, "garbage refused");
	ok(strncmp(body(""), "ERR: ", 5) == 0, "empty refused");
	ok(strncmp(body("Content-Type: image/png\n\nxxx"), "ERR: ", 5) == 0, "no text part refused");
	is_str(body("From someone@example Mon Jan 1\nSubject: s\n\nbody"), "body", "an mbox From line is skipped");
	{
		const char *msg = "Message-ID:  <abc@x>\nFrom: \"Alice, A.\" <Alice@Example.NET>\n"
				  "To: Bob <reply+1.2.3.abc@f.example>\nCc: other@x\n"
				  "Subject: =?UTF-8?Q?Re=3A_caf=C3=A9?= =?ISO-8859-1?B?4A==?=\n\nhi";

		ok(inbound_parse(A, msg, strlen(msg), &m, &why) == 0, "headers parse");
		is_str(m.message_id, "<abc@x>", "Message-ID trimmed");
		is_str(m.from, "alice@example.net", "From's address, lower case");
		is_str(m.subject, "Re: caf\xc3\xa9\xc3\xa0", "RFC 2047 words decoded, the space between them dropped");
		is_str(inbound_find_token(A, m.recipients, "reply"), "1.2.3.abc", "token found among recipients");
	}
	{
		/* a deep nesting of multiparts is refused, not followed */
		struct buf b = BUF_INIT;

		for (int i = 0; i < 12; i++)
			buf_printf(&b, "Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n", i, i);
		buf_puts(&b, "Content-Type: text/plain\n\nx\n");
		ok(strncmp(body(b.data), "ERR: ", 5) == 0, "too deep refused");
		buf_free(&b);
	}
}

static void
test_html(void)
{
	const char *h = "<html><head><style>p{}</style><title>t</title></head><body><p>First  para\n"
			"graph</p><p>Second&nbsp;one &lt;b&gt; &#233;&#x20AC;</p>line<br>break<div>a &amp; b</div>"
			"<div class=\"gmail_quote\">On Mon wrote:<blockquote>old <blockquote>older</blockquote> stuff"
			"</blockquote></div><!-- comment --> 1 < 2</body></html>";

	is_str(inbound_html_text(A, h, strlen(h)),
	       "First para graph\n\nSecond one <b> \xc3\xa9\xe2\x82\xac\n\nline\nbreak\na & b\nOn Mon wrote:\n\n1 < 2",
	       "HTML as text: blocks, entities, skipped elements");
	is_str(inbound_html_text(A, "&#0;&#xD800;&bogus;", 19), "\xef\xbf\xbd\xef\xbf\xbd&bogus;", "bad entities");
	is_str(inbound_html_text(A, "<p", 2), "", "an unfinished tag");
}

static void
test_trim(void)
{
	is_str(inbound_trim(A, "Thanks, that works.\r\n\r\nOn Mon, 1 Jan 2026, Corral <x@y> wrote:\r\n> old\r\n> text\r\n"),
	       "Thanks, that works.", "On … wrote: and the quote");
	is_str(inbound_trim(A, "Yes.\n\nOn Mon, 1 Jan 2026 at 10:00, Someone Long\n<x@y> wrote:\n\n> old\n"), "Yes.",
	       "attribution wrapped onto two lines");
	is_str(inbound_trim(A, "Agreed\n\n-- \nBob\nACME"), "Agreed", "signature");
	is_str(inbound_trim(A, "Gut.\n\nAm Mo., 1. Juni 2026 um 10:00 Uhr schrieb Forum <x@y>:\n> alt\n"), "Gut.",
	       "German attribution");
	is_str(inbound_trim(A, "Bien.\n\nLe lun. 1 juin 2026 \xc3\xa0 10:00, Forum <x@y> a \xc3\xa9" "crit :\n> vieux\n"),
	       "Bien.", "French attribution");
	is_str(inbound_trim(A, "Fine\n\n-----Original Message-----\nFrom: x\n"), "Fine", "Outlook separator");
	is_str(inbound_trim(A, "Fine\n\nFrom: Corral <x@y>\nSent: Monday\nTo: me\n"), "Fine", "Outlook header block");
	is_str(inbound_trim(A, "Ok\n________________________________\nFrom: x"), "Ok", "underscore separator");
	is_str(inbound_trim(A, "On Mon, Corral wrote:\n> question?\n\nMy answer.\n"), "My answer.", "bottom posting");
	is_str(inbound_trim(A, "> a point\n\nmy answer\n\n> another\n"), "> a point\n\nmy answer",
	       "a quote before the text stays, the quote after goes");
	is_str(inbound_trim(A, "   \n> only\n> quote\n\n-- \nsig"), "", "nothing new: empty");
	is_str(inbound_trim(A, "Line one  \nline two\n"), "Line one\nline two", "trailing spaces dropped");
	is_str(inbound_trim(A, ""), "", "empty stays empty");
}

static void
test_token(void)
{
	unsigned char secret[crypto_auth_KEYBYTES], key[REPLY_ADDR_KEYBYTES], other[REPLY_ADDR_KEYBYTES];
	struct reply_addr a = { 123456789, 987654321, 1900000000 }, got = { 0 };
	char tok[REPLY_ADDR_TOKEN_MAX + 1], bad[REPLY_ADDR_TOKEN_MAX + 1];

	memset(secret, 7, sizeof secret);
	reply_addr_key(secret, key);
	secret[0] = 8;
	reply_addr_key(secret, other);
	ok(reply_addr_make(key, &a, tok) == 0, "token made");
	ok(strlen("reply+") + strlen(tok) <= 64, "fits a local part (%zu)", strlen(tok));
	ok(strspn(tok, "abcdefghijklmnopqrstuvwxyz0123456789.") == strlen(tok), "lower case only");
	is_int(reply_addr_check(key, tok, 1800000000, &got), REPLY_ADDR_OK, "checks");
	ok(got.uid == a.uid && got.post == a.post && got.expires == a.expires, "fields back");
	for (size_t i = 0; tok[i]; i++)
		bad[i] = (char)(tok[i] >= 'a' && tok[i] <= 'z' ? tok[i] - 'a' + 'A' : tok[i]);
	bad[strlen(tok)] = '\0';
	is_int(reply_addr_check(key, bad, 1800000000, &got), REPLY_ADDR_OK, "upper-cased by an MTA: still good");
	is_int(reply_addr_check(key, tok, 1900000001, &got), REPLY_ADDR_EXPIRED, "expired");
	is_int(reply_addr_check(other, tok, 1800000000, &got), REPLY_ADDR_FORGED, "another key: forged");
	memcpy(bad, tok, sizeof bad);
	bad[0] = bad[0] == '1' ? '2' : '1';
	is_int(reply_addr_check(key, bad, 1800000000, &got), REPLY_ADDR_FORGED, "another member: forged");
	is_int(reply_addr_check(key, "1.2.3", 0, &got), REPLY_ADDR_MALFORMED, "no MAC");
	is_int(reply_addr_check(key, "0.2.3.aaaaaaaaaaaaaaaaaaaa", 0, &got), REPLY_ADDR_MALFORMED, "leading zero");
	is_int(reply_addr_check(key, "1.2.3.4.aaaaaaaaaaaaaaaaaaaa", 0, &got), REPLY_ADDR_MALFORMED, "extra part");
	is_int(reply_addr_check(key, "zzzzzzzzzzzzz.2.3.aaaaaaaaaaaaaaaaaaaa", 0, &got), REPLY_ADDR_MALFORMED, "id too long");
	a.uid = 0;
	ok(reply_addr_make(key, &a, tok) != 0, "no token for id 0");
	is_str(inbound_find_token(A, "x <REPLY+abc.def@h>", "reply"), "abc.def", "prefix in any case");
	ok(inbound_find_token(A, "noreply+abc@h", "reply") == NULL, "noreply+ is not reply+");
	ok(inbound_find_token(A, "reply+abc", "reply") == NULL, "no domain");
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	A = arena_new();
	test_mime();
	test_html();
	test_trim();
	test_token();
	arena_free(A);
	return done_testing();
}
