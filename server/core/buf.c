/* core/buf.c — the string builder and the escapers that write into it. */
#include "core/buf.h"

#include "core/arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void
buf_append(struct buf *b, const void *p, size_t n)
{
	/* Room already there is the common case (a page's thousands of small runs): no call. */
	if (b->cap - b->len <= n)
		buf_grow(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
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

size_t
buf_i64_text(char out[24], long long v)
{
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	char d[24], *p = d + sizeof d;
	size_t n;

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
	n = (size_t)(d + sizeof d - p);
	for (size_t i = 0; i < n; i++)
		out[i] = p[i];
	out[n] = '\0';
	return n;
}

void
buf_put_i64(struct buf *b, long long v)
{
	if (b->cap - b->len <= 24)
		buf_grow(b, 24);
	b->len += buf_i64_text(b->data + b->len, v);
}

void
buf_html_escape(struct buf *b, const char *s, size_t n)
{
	size_t i = 0, start;
	unsigned char c;

	buf_grow(b, n);
	while (i < n) {
		start = i;
		while (i < n && html_class[(unsigned char)s[i]] == 0)
			i++;
		if (i > start)
			buf_append(b, s + start, i - start);
		if (i == n)
			break;
		c = html_class[(unsigned char)s[i++]];
		buf_append(b, html_repl[c], html_repl_len[c]);
	}
	if (b->data == NULL)
		buf_append(b, "", 0);
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
