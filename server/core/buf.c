/* core/buf.c — the string builder and the escapers that write into it. */
#include "core/buf.h"

#include "core/arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

void
buf_grow(struct buf *b, size_t n)
{
	size_t want, cap;
	char *p;

	if (n > SIZE_MAX - b->len - 1)
		core_oom();
	want = b->len + n + 1;
	if (want <= b->cap)
		return;
	cap = b->cap ? b->cap : 256;
	while (cap < want)
		cap = cap > SIZE_MAX / 2 ? want : cap * 2;
	p = realloc(b->data, cap);
	if (p == NULL)
		core_oom();
	b->data = p;
	b->cap = cap;
}

/* p[0..n) to d: runs up to 32 bytes (most of a page's text between tags, its names and
 * times) with two overlapping moves each, inline, not memcpy's call. */
static inline void
buf_copy(char *d, const char *p, size_t n)
{
	uint64_t x, y;
	uint32_t u, v;

	if (n > 32) {
		memcpy(d, p, n);
	} else if (n > 16) {
		char h[16], t[16];

		memcpy(h, p, 16);
		memcpy(t, p + n - 16, 16);
		memcpy(d, h, 16);
		memcpy(d + n - 16, t, 16);
	} else if (n >= 8) {
		memcpy(&x, p, 8);
		memcpy(&y, p + n - 8, 8);
		memcpy(d, &x, 8);
		memcpy(d + n - 8, &y, 8);
	} else if (n >= 4) {
		memcpy(&u, p, 4);
		memcpy(&v, p + n - 4, 4);
		memcpy(d, &u, 4);
		memcpy(d + n - 4, &v, 4);
	} else if (n > 0) {
		d[0] = p[0];
		d[n / 2] = p[n / 2];
		d[n - 1] = p[n - 1];
	}
}

/* buf_append's body, inline for the escapers' runs. */
static inline void
buf_append_run(struct buf *b, const char *p, size_t n)
{
	/* Room already there is the common case (a page's thousands of small runs): no call. */
	if (b->cap - b->len <= n)
		buf_grow(b, n);
	buf_copy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_append(struct buf *b, const void *p, size_t n)
{
	buf_append_run(b, p, n);
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void
buf_putc(struct buf *b, char c)
{
	buf_grow(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

void
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	buf_grow(b, 64);
	va_copy(ap2, ap);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	if ((size_t)n >= b->cap - b->len) {
		buf_grow(b, (size_t)n);
		vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

/* Index into html_repl for each byte; 0 = copy as is. Runs of safe bytes are copied
 * with one memcpy (the cmark houdini approach). */
static const unsigned char html_class[256] = {
	['"'] = 1, ['&'] = 2, ['\''] = 3, ['<'] = 4, ['>'] = 5,
};
static const char *const html_repl[] = {
	"", "&quot;", "&amp;", "&#39;", "&lt;", "&gt;",
};
static const unsigned char html_repl_len[] = { 0, 6, 5, 5, 4, 4 };

/* Two digits per division: a page writes about a thousand ids and counts. */
static const char buf_digits2[] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* Decimal digits of u, by comparisons (a division per four digits). */
static inline size_t
buf_ndigits(unsigned long long u)
{
	size_t n = 1;

	for (;;) {
		if (u < 10)
			return n;
		if (u < 100)
			return n + 1;
		if (u < 1000)
			return n + 2;
		if (u < 10000)
			return n + 3;
		u /= 10000;
		n += 4;
	}
}

size_t
buf_i64_text(char out[24], long long v)
{
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	size_t n = (v < 0) + buf_ndigits(u);
	char *p = out + n;

	/* Written in place from the end, its length known first: no copy from a scratch. */
	*p = '\0';
	while (u >= 100) {
		p -= 2;
		memcpy(p, buf_digits2 + 2 * (u % 100), 2);
		u /= 100;
	}
	if (u >= 10) {
		p -= 2;
		memcpy(p, buf_digits2 + 2 * u, 2);
	} else {
		*--p = (char)('0' + u);
	}
	if (v < 0)
		*--p = '-';
	return n;
}

size_t
buf_hex_text(char out[17], unsigned long long v, int width)
{
	size_t n = 1;

	for (unsigned long long u = v >> 4; u; u >>= 4)
		n++;
	if (width > 16)
		width = 16;
	if (n < (size_t)(width > 0 ? width : 0))
		n = (size_t)width;
	out[n] = '\0';
	for (size_t i = n; i-- > 0; v >>= 4)
		out[i] = "0123456789abcdef"[v & 15];
	return n;
}

void
buf_put_i64(struct buf *b, long long v)
{
	if (b->cap - b->len <= 24)
		buf_grow(b, 24);
	b->len += buf_i64_text(b->data + b->len, v);
}

/* The length of s[0..n)'s first run of bytes that need no escape: 16 bytes at a time where
 * SSE2 is (every x86-64), the table for the rest. A page escapes ~900 values of ~20 bytes
 * (names, times, labels), and the byte loop was 3.5 instructions a byte (callgrind). */
static inline size_t
buf_html_safe_run(const char *s, size_t n)
{
	size_t i = 0;

#if defined(__SSE2__)
	const __m128i quot = _mm_set1_epi8('"'), amp = _mm_set1_epi8('&'), apos = _mm_set1_epi8('\''),
		      lt = _mm_set1_epi8('<'), gt = _mm_set1_epi8('>');

	for (; n - i >= 16; i += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		__m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quot), _mm_cmpeq_epi8(x, amp)),
					   _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, apos), _mm_cmpeq_epi8(x, lt)),
							_mm_cmpeq_epi8(x, gt)));
		unsigned bits = (unsigned)_mm_movemask_epi8(hit);

		if (bits != 0)
			return i + (size_t)__builtin_ctz(bits);
	}
#endif
	while (i < n && html_class[(unsigned char)s[i]] == 0)
		i++;
	return i;
}

void
buf_html_escape(struct buf *b, const char *s, size_t n)
{
	size_t i, run;
	unsigned char c;

	/* Most values hold nothing to escape: scanned first, they are one copy. */
	run = buf_html_safe_run(s, n);
	if (run == n) {
		buf_append_run(b, s, n);
		return;
	}
	buf_grow(b, n);
	for (i = 0;;) {
		if (run > 0)
			buf_append_run(b, s + i, run);
		i += run;
		if (i == n)
			break;
		c = html_class[(unsigned char)s[i++]];
		buf_append_run(b, html_repl[c], html_repl_len[c]);
		run = buf_html_safe_run(s + i, n - i);
	}
}

void
buf_url_escape(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;
	unsigned char c;

	buf_grow(b, n);
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~') {
			buf_putc(b, (char)c);
		} else {
			char enc[3] = { '%', hex[c >> 4], hex[c & 15] };
			buf_append(b, enc, 3);
		}
	}
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

char *
buf_detach(struct buf *b, size_t *ret_len)
{
	char *p;

	if (b->data == NULL)
		buf_append(b, "", 0);
	p = b->data;
	if (ret_len)
		*ret_len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
