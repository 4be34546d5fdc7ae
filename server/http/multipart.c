/* http/multipart.c — see multipart.h. Every search is bounded by the body's length and
 * every loop advances, so the cost is linear in the body. */
#include "http/multipart.h"

#include <string.h>
#include <strings.h>

#include "core/utf8.h"
#include "http/http.h"
#include "http/parse.h"

int
multipart_boundary(const char *content_type, char *out, size_t size)
{
	const char *p, *start;
	size_t n;

	if (!parse_media_type_is(content_type, "multipart/form-data"))
		return -1;
	p = strchr(content_type, ';');
	while (p) {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, "boundary=", 9) == 0) {
			p += 9;
			if (*p == '"') {
				start = ++p;
				while (*p && *p != '"')
					p++;
				if (*p != '"')
					return -1;
			} else {
				start = p;
				while (*p && *p != ';' && *p != ' ' && *p != '\t')
					p++;
			}
			n = (size_t)(p - start);
			if (n == 0 || n > 70 || n >= size)
				return -1;
			memcpy(out, start, n);
			out[n] = '\0';
			return 0;
		}
		p = strchr(p, ';');
	}
	return -1;
}

/* The value of parameter `key` (name, filename) in a Content-Disposition value ending at
 * end: quoted (with \" escapes as browsers write them) or a token. NULL when absent. */
static const char *
multipart_param(struct arena *a, const char *v, const char *end, const char *key, bool *bad)
{
	size_t klen = strlen(key);

	while (v < end) {
		const char *semi = memchr(v, ';', (size_t)(end - v));

		if (semi == NULL)
			return NULL;
		v = semi + 1;
		while (v < end && (*v == ' ' || *v == '\t'))
			v++;
		if ((size_t)(end - v) > klen && strncasecmp(v, key, klen) == 0 && v[klen] == '=') {
			const char *s = v + klen + 1, *e;

			if (s < end && *s == '"') {
				char *outp, *o;

				s++;
				for (e = s; e < end && *e != '"'; e++)
					if (*e == '\\' && e + 1 < end)
						e++;
				if (e >= end) {
					*bad = true;
					return NULL;
				}
				o = outp = arena_alloc(a, (size_t)(e - s) + 1);
				for (const char *q = s; q < e; q++) {
					if (*q == '\\' && q + 1 < e)
						q++;
					*o++ = *q;
				}
				*o = '\0';
				return outp;
			}
			for (e = s; e < end && *e != ';' && *e != ' ' && *e != '\t'; e++)
				;
			return arena_strndup(a, s, (size_t)(e - s));
		}
	}
	return NULL;
}

/* One part's header block [h, end): Content-Disposition (required) and Content-Type. */
static int
multipart_headers(struct arena *a, const char *h, const char *end, struct multipart_part *p,
		  const char **ret_msg)
{
	bool disposition = false, bad = false;

	while (h < end) {
		const char *eol = h, *colon, *v;

		/* The block's last line ends at end (its CRLF begins the blank line). */
		while (eol + 1 < end && !(eol[0] == '\r' && eol[1] == '\n'))
			eol++;
		if (eol + 1 >= end)
			eol = end;
		colon = memchr(h, ':', (size_t)(eol - h));
		if (colon == NULL) {
			*ret_msg = "A part header has no colon.";
			return -1;
		}
		for (v = colon + 1; v < eol && (*v == ' ' || *v == '\t'); v++)
			;
		if ((size_t)(colon - h) == 19 && strncasecmp(h, "Content-Disposition", 19) == 0) {
			if ((size_t)(eol - v) < 9 || strncasecmp(v, "form-data", 9) != 0) {
				*ret_msg = "A part is not form-data.";
				return -1;
			}
			disposition = true;
			p->name = multipart_param(a, v, eol, "name", &bad);
			p->filename = multipart_param(a, v, eol, "filename", &bad);
		} else if ((size_t)(colon - h) == 12 && strncasecmp(h, "Content-Type", 12) == 0) {
			p->type = arena_strndup(a, v, (size_t)(eol - v));
		}
		h = eol + 2;
	}
	if (!disposition || bad || p->name == NULL || p->name[0] == '\0') {
		*ret_msg = "A part has no form-data name.";
		return -1;
	}
	return 0;
}

int
multipart_parse(struct arena *a, const char *body, size_t len, const char *boundary,
		struct multipart_part *parts, size_t max, const char **ret_msg)
{
	size_t blen = strlen(boundary), n = 0;
	char delim[80];
	const char *p, *end = body + len;

	/* Each part ends at CRLF "--" boundary; the first delimiter may open the body. */
	if (blen == 0 || blen > 70) {
		*ret_msg = "The multipart boundary is malformed.";
		return -1;
	}
	memcpy(delim, "\r\n--", 4);
	memcpy(delim + 4, boundary, blen);
	if (len >= blen + 2 && memcmp(body, delim + 2, blen + 2) == 0) {
		p = body + blen + 2;
	} else {
		const char *d = memmem(body, len, delim, blen + 4);

		if (d == NULL)
			goto malformed;
		p = d + blen + 4;
	}
	for (;;) {
		const char *hend, *next;
		struct multipart_part *part;

		/* After a delimiter: "--" closes the body, CRLF opens a part. */
		if (end - p >= 2 && p[0] == '-' && p[1] == '-')
			return (int)n;
		if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
			goto malformed;
		p += 2;
		hend = memmem(p, (size_t)(end - p), "\r\n\r\n", 4);
		if (hend == NULL || hend - p > MULTIPART_MAX_HEADERS) {
			*ret_msg = "A part's headers are missing or too long.";
			return -1;
		}
		if (n == max) {
			*ret_msg = "Too many parts.";
			return -1;
		}
		part = &parts[n];
		memset(part, 0, sizeof *part);
		if (multipart_headers(a, p, hend, part, ret_msg) != 0)
			return -1;
		p = hend + 4;
		next = memmem(p, (size_t)(end - p), delim, blen + 4);
		if (next == NULL)
			goto malformed;
		part->data = p;
		part->len = (size_t)(next - p);
		n++;
		p = next + blen + 4;
	}
malformed:
	*ret_msg = "The multipart body is malformed or truncated.";
	return -1;
}

/* --- into a request --- */

/* Add a text field to a form object as parse_form does (a repeated name: an array). */
static int
multipart_form_add(json_t *obj, const char *name, const char *value, size_t len)
{
	json_t *v = json_stringn(value, len), *old = json_object_get(obj, name), *arr;

	if (v == NULL)
		return -1;
	if (old == NULL)
		return json_object_set_new(obj, name, v);
	if (json_is_array(old))
		return json_array_append_new(old, v);
	arr = json_array();
	json_array_append(arr, old);
	json_array_append_new(arr, v);
	return json_object_set_new(obj, name, arr);
}

enum herr
multipart_input(struct req *r, const char *ct)
{
	struct multipart_part parts[MULTIPART_MAX_PARTS];
	struct http_file **tail = &r->files;
	const char *msg = NULL;
	char boundary[80];
	int n;

	r->input = json_object();
	r->input_form = r->input_multipart = true;
	if (r->body.len == 0)
		return http_fail(r, HERR_INVALID, NULL, "The multipart body is empty.");
	if (multipart_boundary(ct, boundary, sizeof boundary) != 0)
		return http_fail(r, HERR_INVALID, NULL, "The multipart boundary is missing or malformed.");
	n = multipart_parse(r->c.arena, r->body.data, r->body.len, boundary, parts, MULTIPART_MAX_PARTS, &msg);
	if (n < 0)
		return http_fail(r, HERR_INVALID, NULL, msg);
	for (int i = 0; i < n; i++) {
		struct multipart_part *p = &parts[i];
		struct http_file *f;

		if (!utf8_valid(p->name, strlen(p->name)) ||
		    (p->filename && !utf8_valid(p->filename, strlen(p->filename))))
			return http_fail(r, HERR_INVALID, NULL, "A field or file name is not valid UTF-8.");
		if (p->filename == NULL) {
			if (!utf8_valid(p->data, p->len) || multipart_form_add(r->input, p->name, p->data, p->len) != 0)
				return http_fail(r, HERR_INVALID, p->name, "The form data is not valid UTF-8.");
			continue;
		}
		if (p->filename[0] == '\0' && p->len == 0)
			continue;
		f = arena_calloc(r->c.arena, 1, sizeof *f);
		f->field = p->name;
		f->filename = p->filename;
		f->type = p->type;
		f->data = (const unsigned char *)p->data;
		f->len = p->len;
		*tail = f;
		tail = &f->next;
	}
	return HERR_OK;
}
