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
	{
		static const struct {
			unsigned long long v;
			int width;
		} hex[] = { { 0, 0 }, { 0, 4 }, { 0xabc, 4 }, { 0x1234, 4 }, { 0x12345, 4 }, { 0xf, 6 },
			    { 0xffffffffffffffffULL, 16 }, { 0x8000000000000000ULL, 0 }, { 1, 20 } };

		for (i = 0; i < sizeof hex / sizeof hex[0]; i++) {
			char want[40], got[17];
			int width = hex[i].width > 16 ? 16 : hex[i].width;

			snprintf(want, sizeof want, "%0*llx", width, hex[i].v);
			n = buf_hex_text(got, hex[i].v, hex[i].width);
			ok(strcmp(got, want) == 0 && n == strlen(want), "hex %s (width %d) as printf writes it", want,
			   hex[i].width);
		}
	}
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
		/* The digits are counted before they are written: each side of every power of ten. */
		same = 1;
		for (long long p = 1; p <= LLONG_MAX / 10; p *= 10)
			for (long long d = -1; d <= 1; d++)
				for (int sign = -1; sign <= 1; sign += 2) {
					long long v = sign * (p * 10 + d);

					snprintf(want, sizeof want, "%lld", v);
					n = buf_i64_text(got, v);
					same &= n == strlen(want) && strcmp(got, want) == 0;
				}
		ok(same, "integers beside every power of ten, both signs");
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
	{
		/* Short runs are copied with overlapping moves: every length up to past the widest. */
		char src[80], want[200];
		int same = 1;

		for (i = 0; i < sizeof src; i++)
			src[i] = (char)('A' + i % 50);
		for (n = 0; n <= 70; n++) {
			buf_reset(&b);
			buf_puts(&b, "<");
			buf_append(&b, src + 3, n);
			buf_puts(&b, ">");
			same &= b.len == n + 2 && b.data[0] == '<' && memcmp(b.data + 1, src + 3, n) == 0 &&
				b.data[n + 1] == '>' && b.data[n + 2] == '\0';
		}
		ok(same, "appends of 0 to 70 bytes copy exactly those bytes");
		/* Escaping: a value with nothing to escape, and each special byte at each place
		 * (16 bytes are scanned at a time, the rest a byte at a time). */
		static const char special[] = "\"&'<>";
		static const char *const repl[] = { "&quot;", "&amp;", "&#39;", "&lt;", "&gt;" };

		same = 1;
		for (size_t k = 0; k < 5; k++)
			for (n = 1; n <= 40; n++)
				for (size_t at = 0; at <= n; at++) {
					size_t rl = strlen(repl[k]);

					memcpy(want, src, n);
					want[n] = '\0';
					if (at < n)
						want[at] = special[k];
					buf_reset(&b);
					buf_html_escape(&b, want, n);
					if (at < n) {
						memcpy(want + at, repl[k], rl);
						memcpy(want + at + rl, src + at + 1, n - at - 1);
						want[n + rl - 1] = '\0';
					}
					same &= strcmp(b.data, want) == 0 && b.len == strlen(want);
				}
		ok(same, "html escape of 1 to 40 bytes, with nothing or one special byte at each place");
	}

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
