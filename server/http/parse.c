/* http/parse.c — form, cookie, media type and JSON body decoding. */
#include "http/parse.h"

#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/utf8.h"

static int
parse_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode s[0..n) into out; -1 on a malformed escape or invalid UTF-8/NUL. */
static int
parse_urldecode(struct buf *out, const char *s, size_t n)
{
	buf_reset(out);
	buf_grow(out, n);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+') {
			buf_putc(out, ' ');
		} else if (s[i] == '%') {
			int hi, lo;

			if (i + 2 >= n)
				return -1;
			hi = parse_hex(s[i + 1]);
			lo = parse_hex(s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			buf_putc(out, (char)(hi * 16 + lo));
			i += 2;
		} else {
			buf_putc(out, s[i]);
		}
	}
	if (out->data == NULL)
		buf_append(out, "", 0);
	return utf8_valid(out->data, out->len) ? 0 : -1;
}

static int
parse_form_add(json_t *obj, const char *name, const char *value, size_t vlen)
{
	json_t *v = json_stringn(value, vlen), *old;

	if (v == NULL)
		return -1;
	old = json_object_get(obj, name);
	if (old == NULL)
		return json_object_set_new(obj, name, v);
	if (json_is_array(old))
		return json_array_append_new(old, v);
	json_t *arr = json_array();

	json_array_append(arr, old);
	json_array_append_new(arr, v);
	return json_object_set_new(obj, name, arr);
}

json_t *
parse_form(const char *body, size_t len)
{
	json_t *obj = json_object();
	struct buf name = BUF_INIT, value = BUF_INIT;
	size_t i = 0;

	while (i < len) {
		size_t end = i, eq;

		while (end < len && body[end] != '&')
			end++;
		if (end > i) {
			for (eq = i; eq < end && body[eq] != '='; eq++)
				;
			if (parse_urldecode(&name, body + i, eq - i) != 0 || name.len == 0 ||
			    parse_urldecode(&value, eq < end ? body + eq + 1 : "", eq < end ? end - eq - 1 : 0) != 0 ||
			    parse_form_add(obj, name.data, value.data, value.len) != 0)
				goto fail;
		}
		i = end + 1;
	}
	buf_free(&name);
	buf_free(&value);
	return obj;
fail:
	buf_free(&name);
	buf_free(&value);
	json_decref(obj);
	return NULL;
}

char *
parse_cookie(struct arena *a, const char *header, const char *name)
{
	size_t nlen = strlen(name);
	const char *p = header;

	while (p && *p) {
		const char *end, *eq;

		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		end = strchr(p, ';');
		if (end == NULL)
			end = p + strlen(p);
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq && (size_t)(eq - p) == nlen && memcmp(p, name, nlen) == 0) {
			const char *v = eq + 1, *ve = end;

			while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
				ve--;
			if (ve - v >= 2 && v[0] == '"' && ve[-1] == '"') {
				v++;
				ve--;
			}
			return arena_strndup(a, v, (size_t)(ve - v));
		}
		p = end;
	}
	return NULL;
}

bool
parse_media_type_is(const char *content_type, const char *type)
{
	size_t n = strlen(type);

	if (content_type == NULL)
		return false;
	while (*content_type == ' ' || *content_type == '\t')
		content_type++;
	if (strncasecmp(content_type, type, n) != 0)
		return false;
	content_type += n;
	while (*content_type == ' ' || *content_type == '\t')
		content_type++;
	return *content_type == '\0' || *content_type == ';';
}

json_t *
parse_json_body(const char *body, size_t len, const char **ret_msg)
{
	json_error_t jerr;
	json_t *v;

	/* Checked first so the message is about UTF-8, not a parse position. */
	if (!utf8_valid(body, len)) {
		*ret_msg = "The body is not valid UTF-8 or contains a NUL byte.";
		return NULL;
	}
	v = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (v == NULL) {
		*ret_msg = "The body is not valid JSON.";
		return NULL;
	}
	if (!json_is_object(v)) {
		json_decref(v);
		*ret_msg = "The body must be a JSON object.";
		return NULL;
	}
	return v;
}
