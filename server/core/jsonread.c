/* core/jsonread.c — see jsonread.h. A recursive descent over the bytes: strings without
 * escapes become one json_stringn_nocheck of their span after one UTF-8 check, numbers are
 * read in place, and any doubt (a number too long, nesting too deep, a NUL in a key) is
 * answered NULL for json_loads to decide. */
#include "core/jsonread.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/utf8.h"

struct jr {
	const char *p, *end;
	int depth;
	struct buf tmp;   /* a string with escapes, decoded (reused) */
};

static json_t *jr_value(struct jr *r);

static void
jr_ws(struct jr *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\r' || *r->p == '\t'))
		r->p++;
}

static int
jr_hex4(const char *p, unsigned long *ret)
{
	unsigned long v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned long)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned long)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned long)(c - 'A' + 10);
		else
			return -1;
	}
	*ret = v;
	return 0;
}

/* One \uXXXX escape (or a surrogate pair of them) at r->p (after the backslash and 'u'),
 * appended as UTF-8. */
static int
jr_unicode(struct jr *r)
{
	unsigned long cp, lo;
	char out[4];
	size_t n;

	if (r->end - r->p < 4 || jr_hex4(r->p, &cp) != 0)
		return -1;
	r->p += 4;
	if (cp >= 0xDC00 && cp <= 0xDFFF)
		return -1;   /* a low surrogate alone */
	if (cp >= 0xD800 && cp <= 0xDBFF) {
		if (r->end - r->p < 6 || r->p[0] != '\\' || r->p[1] != 'u' || jr_hex4(r->p + 2, &lo) != 0 ||
		    lo < 0xDC00 || lo > 0xDFFF)
			return -1;
		r->p += 6;
		cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
	}
	if (cp == 0) {
		buf_append(&r->tmp, "", 1);   /* the NUL itself: JSON_ALLOW_NUL */
		return 0;
	}
	if ((n = utf8_encode(cp, out)) == 0)
		return -1;
	buf_append(&r->tmp, out, n);
	return 0;
}

/* The end of the run of plain string bytes at r->p: its closing quote, a backslash, or
 * r->end; NULL at a raw control character (refused inside a JSON string). */
static const char *
jr_span(const struct jr *r)
{
	const char *q;

	for (q = r->p; q < r->end && *q != '"' && *q != '\\'; q++)
		if ((unsigned char)*q < 0x20)
			return NULL;
	return q;
}

/* The string whose opening quote is at r->p - 1: its bytes in *ret_s and *ret_n, pointing into
 * the text when it holds no escape, into r->tmp otherwise. */
static int
jr_string(struct jr *r, const char **ret_s, size_t *ret_n)
{
	const char *start = r->p, *q;

	if ((q = jr_span(r)) == NULL)
		return -1;
	if (q < r->end && *q == '"') {   /* the common case: no escape at all */
		if (!utf8_valid(start, (size_t)(q - start)))
			return -1;
		r->p = q + 1;
		*ret_s = start;
		*ret_n = (size_t)(q - start);
		return 0;
	}
	r->tmp.len = 0;
	buf_append(&r->tmp, "", 0);
	while (r->p < r->end) {
		if ((q = jr_span(r)) == NULL || q == r->end)
			return -1;
		if (!utf8_valid(r->p, (size_t)(q - r->p)))
			return -1;
		buf_append(&r->tmp, r->p, (size_t)(q - r->p));
		r->p = q + 1;
		if (*q == '"') {
			*ret_s = r->tmp.data;
			*ret_n = r->tmp.len;
			return 0;
		}
		if (r->p == r->end)
			return -1;
		switch (*r->p++) {
		case '"': buf_append(&r->tmp, "\"", 1); break;
		case '\\': buf_append(&r->tmp, "\\", 1); break;
		case '/': buf_append(&r->tmp, "/", 1); break;
		case 'b': buf_append(&r->tmp, "\b", 1); break;
		case 'f': buf_append(&r->tmp, "\f", 1); break;
		case 'n': buf_append(&r->tmp, "\n", 1); break;
		case 'r': buf_append(&r->tmp, "\r", 1); break;
		case 't': buf_append(&r->tmp, "\t", 1); break;
		case 'u':
			if (jr_unicode(r) != 0)
				return -1;
			break;
		default:
			return -1;
		}
	}
	return -1;
}

/* A number at r->p: an integer when it has neither fraction nor exponent (as jansson). */
static json_t *
jr_number(struct jr *r)
{
	const char *s = r->p, *q = r->p;
	bool real = false;
	char copy[64];
	double d;

	if (q < r->end && *q == '-')
		q++;
	if (q == r->end || *q < '0' || *q > '9')
		return NULL;
	if (*q == '0') {
		q++;
		if (q < r->end && *q >= '0' && *q <= '9')
			return NULL;   /* a leading zero */
	} else {
		while (q < r->end && *q >= '0' && *q <= '9')
			q++;
	}
	if (q < r->end && *q == '.') {
		real = true;
		if (++q == r->end || *q < '0' || *q > '9')
			return NULL;
		while (q < r->end && *q >= '0' && *q <= '9')
			q++;
	}
	if (q < r->end && (*q == 'e' || *q == 'E')) {
		real = true;
		if (++q < r->end && (*q == '+' || *q == '-'))
			q++;
		if (q == r->end || *q < '0' || *q > '9')
			return NULL;
		while (q < r->end && *q >= '0' && *q <= '9')
			q++;
	}
	if ((size_t)(q - s) >= sizeof copy)
		return NULL;   /* json_loads decides */
	memcpy(copy, s, (size_t)(q - s));
	copy[q - s] = '\0';
	r->p = q;
	errno = 0;
	if (!real) {
		long long v = strtoll(copy, NULL, 10);

		return errno == ERANGE ? NULL : json_integer((json_int_t)v);
	}
	d = strtod(copy, NULL);
	if (errno == ERANGE && isinf(d))
		return NULL;   /* json_loads: "real number overflow" */
	return json_real(d);
}

static json_t *
jr_object(struct jr *r)
{
	json_t *o = json_object(), *v;
	const char *k;
	size_t kn;
	char kbuf[128];

	jr_ws(r);
	if (r->p < r->end && *r->p == '}') {
		r->p++;
		return o;
	}
	for (;;) {
		if (r->p == r->end || *r->p != '"')
			goto fail;
		r->p++;
		if (jr_string(r, &k, &kn) != 0 || memchr(k, '\0', kn) != NULL)
			goto fail;
		/* A key with escapes was decoded into r->tmp, which the value may reuse: it
		 * goes to this call's stack first (a longer one is json_loads's to read). */
		if (k == r->tmp.data) {
			if (kn > sizeof kbuf)
				goto fail;
			k = memcpy(kbuf, k, kn);
		}
		jr_ws(r);
		if (r->p == r->end || *r->p != ':')
			goto fail;
		r->p++;
		if ((v = jr_value(r)) == NULL)
			goto fail;
		json_object_setn_new_nocheck(o, k, kn, v);
		jr_ws(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			jr_ws(r);
			continue;
		}
		if (r->p < r->end && *r->p == '}') {
			r->p++;
			return o;
		}
		goto fail;
	}
fail:
	json_decref(o);
	return NULL;
}

static json_t *
jr_array(struct jr *r)
{
	json_t *a = json_array(), *v;

	jr_ws(r);
	if (r->p < r->end && *r->p == ']') {
		r->p++;
		return a;
	}
	for (;;) {
		if ((v = jr_value(r)) == NULL)
			goto fail;
		json_array_append_new(a, v);
		jr_ws(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end && *r->p == ']') {
			r->p++;
			return a;
		}
		goto fail;
	}
fail:
	json_decref(a);
	return NULL;
}

static bool
jr_word(struct jr *r, const char *w, size_t n)
{
	if ((size_t)(r->end - r->p) < n || memcmp(r->p, w, n) != 0)
		return false;
	r->p += n;
	return true;
}

static json_t *
jr_value(struct jr *r)
{
	json_t *v = NULL;
	const char *s;
	size_t n;

	jr_ws(r);
	if (r->p == r->end)
		return NULL;
	switch (*r->p) {
	case '{':
	case '[':
		if (++r->depth > JSONREAD_MAX_DEPTH)
			return NULL;
		v = *r->p++ == '{' ? jr_object(r) : jr_array(r);
		r->depth--;
		return v;
	case '"':
		r->p++;
		return jr_string(r, &s, &n) == 0 ? json_stringn_nocheck(s, n) : NULL;
	case 't':
		return jr_word(r, "true", 4) ? json_true() : NULL;
	case 'f':
		return jr_word(r, "false", 5) ? json_false() : NULL;
	case 'n':
		return jr_word(r, "null", 4) ? json_null() : NULL;
	default:
		return jr_number(r);
	}
}

json_t *
jsonread(const char *s, size_t n)
{
	struct jr r = { .p = s, .end = s + n, .tmp = BUF_INIT };
	json_t *v = jr_value(&r);

	jr_ws(&r);
	if (v != NULL && r.p != r.end) {
		json_decref(v);
		v = NULL;
	}
	buf_free(&r.tmp);
	return v;
}
