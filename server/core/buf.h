/* core/buf.h — growable byte string on the heap; data[len] is always '\0'.
 *
 * A response body is built in a buf and handed to libmicrohttpd with buf_detach(), which
 * gives away the malloc'd bytes (MHD frees them with free()). Appends never fail: on
 * out-of-memory the process aborts (see core_oom in arena.h). */
#ifndef CORRAL_CORE_BUF_H
#define CORRAL_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data;   /* NULL until the first append; otherwise NUL-terminated */
	size_t len;
	size_t cap;
};

#define BUF_INIT { NULL, 0, 0 }

/* Make room for at least n more bytes. */
void buf_grow(struct buf *b, size_t n);
void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Append v in decimal (no printf: ids and counts are most of a page's numbers). */
void buf_put_i64(struct buf *b, long long v);
/* v in decimal into out, NUL-terminated (at most 20 digits and a sign); returns its length.
 * What snprintf("%lld") did for JSON keys and ids, at a tenth of the instructions. */
size_t buf_i64_text(char out[24], long long v);

/* v in lower-case hexadecimal into out, at least width digits (zeros in front; at most 16),
 * NUL-terminated; returns its length. What snprintf("%0*llx") did for request ids and
 * ETags, without printf's cost on every request. */
size_t buf_hex_text(char out[17], unsigned long long v, int width);

/* Append s[0..n) with & < > " ' escaped for HTML text and attribute values. */
void buf_html_escape(struct buf *b, const char *s, size_t n);

/* Append s percent-encoded for a URL path segment or query value (RFC 3986 unreserved kept). */
void buf_url_escape(struct buf *b, const char *s, size_t n);

/* Forget the contents, keep the memory. */
void buf_reset(struct buf *b);

/* The contents as a NUL-terminated string the caller frees with free() (never NULL);
 * the buf is left empty. */
char *buf_detach(struct buf *b, size_t *ret_len);

void buf_free(struct buf *b);

#endif
