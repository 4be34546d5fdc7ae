/* render/jsontext.c — the JSON text of a value, into a buf or an arena.
 *
 * The compact form, the only one Corral sends or stores, is written here rather than by
 * json_dump_callback: jansson decodes every string code point by code point to decide
 * what to escape, which made it half of the CPU of an uncached 50-post thread as JSON
 * (47 KB, mostly post HTML). Strings in a model are valid UTF-8 already (jansson checks
 * what it is given; text from PostgreSQL is checked there), so only bytes need looking
 * at. The output is jansson's byte for byte (tests/unit/test_jsontext.c compares them):
 * keys in insertion order, escapes \" \\ \b \f \n \r \t and \u00XX (upper-case hex)
 * for the other control bytes, reals as "%.*g" with ".0" added to integral ones and the
 * exponent without '+' or leading zeros. Any other flag goes to jansson. */
#include "render/jsontext.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* A model nests a few levels; deeper means a cycle or a bug. */
#define JSONTEXT_MAX_DEPTH 64
#define JSONTEXT_OURS (JSON_COMPACT | JSON_REAL_PRECISION(31))

/* 0: byte as is; else its short escape letter, or 'u' for \u00XX. */
static const char jsontext_escape[256] = {
	['"'] = '"', ['\\'] = '\\', ['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't',
	[0x00] = 'u', [0x01] = 'u', [0x02] = 'u', [0x03] = 'u', [0x04] = 'u', [0x05] = 'u', [0x06] = 'u',
	[0x07] = 'u', [0x0b] = 'u', [0x0e] = 'u', [0x0f] = 'u', [0x10] = 'u', [0x11] = 'u', [0x12] = 'u',
	[0x13] = 'u', [0x14] = 'u', [0x15] = 'u', [0x16] = 'u', [0x17] = 'u', [0x18] = 'u', [0x19] = 'u',
	[0x1a] = 'u', [0x1b] = 'u', [0x1c] = 'u', [0x1d] = 'u', [0x1e] = 'u', [0x1f] = 'u',
};

static void
jsontext_string(struct buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i = 0, start;

	buf_grow(out, n + 2);
	buf_putc(out, '"');
	while (i < n) {
		start = i;
		while (i < n && jsontext_escape[(unsigned char)s[i]] == 0)
			i++;
		if (i > start)
			buf_append(out, s + start, i - start);
		if (i == n)
			break;
		if (jsontext_escape[(unsigned char)s[i]] == 'u') {
			char u[6] = { '\\', 'u', '0', '0', hex[(unsigned char)s[i] >> 4], hex[s[i] & 0xf] };

			buf_append(out, u, sizeof u);
		} else {
			char e[2] = { '\\', jsontext_escape[(unsigned char)s[i]] };

			buf_append(out, e, sizeof e);
		}
		i++;
	}
	buf_putc(out, '"');
}

/* As jansson's jsonp_dtostr. -1 for what JSON cannot hold. */
static int
jsontext_real(struct buf *out, double v, int precision)
{
	char b[64], *e, *from, *to;
	int n = snprintf(b, sizeof b, "%.*g", precision ? precision : 17, v);

	if (n < 0 || (size_t)n >= sizeof b - 3 || strpbrk(b, "ni") != NULL)   /* nan, inf */
		return -1;
	if (strchr(b, '.') == NULL && strchr(b, 'e') == NULL) {
		memcpy(b + n, ".0", 3);
		n += 2;
	}
	if ((e = strchr(b, 'e')) != NULL) {
		from = to = e + 1;
		if (*from == '+') {
			from++;
		} else if (*from == '-') {
			from++;
			to++;
		}
		while (*from == '0' && from[1] != '\0')
			from++;
		memmove(to, from, strlen(from) + 1);
		n = (int)strlen(b);
	}
	buf_append(out, b, (size_t)n);
	return 0;
}

static int
jsontext_value(const json_t *v, int precision, struct buf *out, int depth)
{
	const char *key;
	json_t *x;
	size_t i;

	if (depth > JSONTEXT_MAX_DEPTH)
		return -1;
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		bool first = true;

		buf_putc(out, '{');
		json_object_foreach((json_t *)v, key, x) {
			if (!first)
				buf_putc(out, ',');
			first = false;
			jsontext_string(out, key, strlen(key));
			buf_putc(out, ':');
			if (jsontext_value(x, precision, out, depth + 1) != 0)
				return -1;
		}
		buf_putc(out, '}');
		return 0;
	}
	case JSON_ARRAY:
		buf_putc(out, '[');
		json_array_foreach(v, i, x) {
			if (i > 0)
				buf_putc(out, ',');
			if (jsontext_value(x, precision, out, depth + 1) != 0)
				return -1;
		}
		buf_putc(out, ']');
		return 0;
	case JSON_STRING:
		jsontext_string(out, json_string_value(v), json_string_length(v));
		return 0;
	case JSON_INTEGER:
		buf_put_i64(out, (long long)json_integer_value(v));
		return 0;
	case JSON_REAL:
		return jsontext_real(out, json_real_value(v), precision);
	case JSON_TRUE:
		buf_append(out, "true", 4);
		return 0;
	case JSON_FALSE:
		buf_append(out, "false", 5);
		return 0;
	case JSON_NULL:
		buf_append(out, "null", 4);
		return 0;
	}
	return -1;
}

static int
jsontext_put(const char *p, size_t n, void *data)
{
	buf_append(data, p, n);
	return 0;
}

int
jsontext_buf(const json_t *v, size_t flags, struct buf *out)
{
	size_t len = out->len;

	if (v == NULL)
		return -1;
	if (!json_is_object(v) && !json_is_array(v) && !(flags & JSON_ENCODE_ANY))
		return -1;   /* as jansson */
	if (!(flags & JSON_COMPACT) || (flags & ~(size_t)JSONTEXT_OURS) != 0)
		return json_dump_callback(v, jsontext_put, out, flags);
	if (jsontext_value(v, (int)((flags >> 11) & 0x1F), out, 0) != 0) {
		out->len = len;   /* nothing half-written */
		if (out->data)
			out->data[len] = '\0';
		return -1;
	}
	return 0;
}

char *
jsontext_arena(struct arena *a, const json_t *v, size_t flags)
{
	struct buf b = BUF_INIT;
	char *s = NULL;

	if (jsontext_buf(v, flags, &b) == 0)
		s = arena_strndup(a, b.data ? b.data : "", b.len);
	buf_free(&b);
	return s;
}
