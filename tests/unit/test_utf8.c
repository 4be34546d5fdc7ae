/* Unit tests for core/utf8: the malformed sequences of Unicode table 3-7. */
#include <string.h>

#include "core/utf8.h"
#include "tap.h"

#define V(s) utf8_valid(s, sizeof(s) - 1)

int
main(void)
{
	ok(V(""), "empty is valid");
	ok(V("plain ascii"), "ascii");
	ok(V("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x84"), "2, 3 and 4 byte sequences");
	ok(!V("a\0b"), "NUL refused");
	ok(!V("\xc0\xaf"), "overlong 2-byte refused");
	ok(!V("\xe0\x80\xaf"), "overlong 3-byte refused");
	ok(!V("\xf0\x80\x80\xaf"), "overlong 4-byte refused");
	ok(!V("\xed\xa0\x80"), "UTF-16 surrogate refused");
	ok(!V("\xf4\x90\x80\x80"), "above U+10FFFF refused");
	ok(!V("\xc3"), "truncated sequence refused");
	ok(!V("\xe2\x82"), "truncated 3-byte refused");
	ok(!V("\x80"), "lone continuation refused");
	ok(!V("\xff"), "0xFF refused");
	is_int(utf8_length("caf\xc3\xa9", 5), 4, "length counts code points");
	is_int(utf8_truncate("caf\xc3\xa9", 5, 4), 3, "truncate never splits a code point");
	is_int(utf8_truncate("abc", 3, 10), 3, "truncate beyond the end keeps all");
	{
		const char *s = " \t caf\xc3\xa9 au lait\r\n ";
		size_t n = strlen(s);

		utf8_trim(&s, &n);
		ok(n == 13 && strncmp(s, "caf\xc3\xa9 au lait", n) == 0, "trim drops leading and trailing white space only");
		s = " \n\t ";
		n = strlen(s);
		utf8_trim(&s, &n);
		is_int(n, 0, "trim of white space alone leaves nothing");
	}
	ok(!utf8_has_control("caf\xc3\xa9 \xe2\x80\x94 ok", 12), "no control in plain text");
	ok(utf8_has_control("a\nb", 3), "newline is a control");
	ok(utf8_has_control("a\tb", 3), "tab is a control");
	ok(utf8_has_control("a\x7f", 2), "DEL is a control");
	ok(utf8_has_control("a\xc2\x85", 3), "C1 NEL is a control");
	ok(!utf8_has_control("\xc2\xa0", 2), "no-break space is not");
	{
		char u[4];
		size_t n;

		n = utf8_encode(0x41, u);
		ok(n == 1 && u[0] == 'A', "utf8_encode: ASCII is one byte");
		n = utf8_encode(0xe9, u);
		ok(n == 2 && memcmp(u, "\xc3\xa9", 2) == 0, "utf8_encode: é is two bytes");
		n = utf8_encode(0x20ac, u);
		ok(n == 3 && memcmp(u, "\xe2\x82\xac", 3) == 0, "utf8_encode: € is three bytes");
		n = utf8_encode(0x1f600, u);
		ok(n == 4 && memcmp(u, "\xf0\x9f\x98\x80", 4) == 0 && utf8_valid(u, n), "utf8_encode: an emoji is four");
		ok(utf8_encode(0, u) == 3 && memcmp(u, "\xef\xbf\xbd", 3) == 0, "utf8_encode: NUL becomes U+FFFD");
		ok(utf8_encode(0xd800, u) == 3 && memcmp(u, "\xef\xbf\xbd", 3) == 0, "utf8_encode: a surrogate too");
		ok(utf8_encode(0x110000, u) == 3 && memcmp(u, "\xef\xbf\xbd", 3) == 0, "utf8_encode: past U+10FFFF too");
	}
	return done_testing();
}
