/* Unit tests for core/buf: growth, NUL termination, printf, integers, HTML and URL escaping. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "tap.h"

int
main(void)
{
	struct buf b = BUF_INIT;
	char *s;
	size_t n, i;

	buf_puts(&b, "");
	ok(b.data != NULL && b.data[0] == '\0' && b.len == 0, "empty append still terminates");
	for (i = 0; i < 10000; i++)
		buf_putc(&b, 'a');
	ok(b.len == 10000 && b.data[10000] == '\0', "growth keeps data[len] == NUL");
	buf_reset(&b);
	buf_printf(&b, "%d %s", 42, "x");
	is_str(b.data, "42 x", "printf");
	buf_reset(&b);
	buf_printf(&b, "%0500d", 1);
	is_int(b.len, 500, "printf longer than the spare capacity");

	{
		static const long long nums[] = { 0, 7, 9, 10, 42, 99, 100, 101, 999, 1000, 123456789, -1, -10,
						  -100, LLONG_MAX, LLONG_MIN };
		char want[32], got[24];
		int same = 1;

		for (i = 0; i < sizeof nums / sizeof nums[0]; i++) {
			snprintf(want, sizeof want, "%lld", nums[i]);
			n = buf_i64_text(got, nums[i]);
			same &= n == strlen(want) && strcmp(got, want) == 0;
			buf_reset(&b);
			buf_puts(&b, "x");
			buf_put_i64(&b, nums[i]);
			same &= b.len == strlen(want) + 1 && strcmp(b.data + 1, want) == 0;
		}
		ok(same, "integers in decimal as printf writes them, from LLONG_MIN to LLONG_MAX");
		buf_free(&b);
		buf_put_i64(&b, -5);
		is_str(b.data, "-5", "an integer into an empty buf");
	}

	buf_reset(&b);
	buf_html_escape(&b, "<a href=\"x\">Tom & Jerry's</a>", 30);
	is_str(b.data, "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;", "html escape");
	buf_reset(&b);
	buf_html_escape(&b, "plain text", 10);
	is_str(b.data, "plain text", "html escape leaves safe runs alone");
	buf_reset(&b);
	buf_html_escape(&b, "a\0<b", 4);
	ok(b.len == 7 && memcmp(b.data, "a\0&lt;b", 7) == 0, "html escape is length-based");

	buf_reset(&b);
	buf_url_escape(&b, "a b/c?d=é~", strlen("a b/c?d=é~"));
	is_str(b.data, "a%20b%2Fc%3Fd%3D%C3%A9~", "url escape");

	s = buf_detach(&b, &n);
	ok(b.data == NULL && b.len == 0 && n == strlen(s), "detach hands over the bytes");
	free(s);
	s = buf_detach(&b, &n);
	ok(s != NULL && n == 0 && s[0] == '\0', "detach of an empty buf is an empty string");
	free(s);
	buf_free(&b);
	return done_testing();
}
