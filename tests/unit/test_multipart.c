/* Unit tests for http/multipart: the boundary of a Content-Type and the parts of a body. */
#include <string.h>

#include "http/multipart.h"
#include "tap.h"

#define BODY(s) s, sizeof(s) - 1

static int
parse(struct arena *a, const char *body, size_t len, struct multipart_part *parts, const char **msg)
{
	return multipart_parse(a, body, len, "xyz", parts, MULTIPART_MAX_PARTS, msg);
}

int
main(void)
{
	struct arena *a = arena_new();
	struct multipart_part p[MULTIPART_MAX_PARTS];
	const char *msg = NULL;
	char b[80];
	int n;

	ok(multipart_boundary("multipart/form-data; boundary=----abc123", b, sizeof b) == 0, "boundary found");
	is_str(b, "----abc123", "boundary value");
	ok(multipart_boundary("multipart/form-data; charset=utf-8; boundary=\"q b\"", b, sizeof b) == 0,
	   "quoted boundary after another parameter");
	is_str(b, "q b", "quoted value unquoted");
	ok(multipart_boundary("multipart/form-data", b, sizeof b) != 0, "no boundary refused");
	ok(multipart_boundary("multipart/form-data; boundary=", b, sizeof b) != 0, "empty boundary refused");
	ok(multipart_boundary("multipart/form-data; boundary=\"open", b, sizeof b) != 0, "unclosed quote refused");
	ok(multipart_boundary("text/plain; boundary=x", b, sizeof b) != 0, "another type refused");
	ok(multipart_boundary("multipart/form-data; boundary="
			      "12345678901234567890123456789012345678901234567890123456789012345678901", b, sizeof b) != 0,
	   "a boundary over 70 characters refused");

	n = parse(a, BODY("--xyz\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\nhello\r\nworld\r\n"
			  "--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a \\\"b\\\".png\"\r\n"
			  "Content-Type: image/png\r\n\r\n\x89PNG\0\r\n--xy\r\n"
			  "--xyz--\r\n"), p, &msg);
	is_int(n, 2, "two parts");
	is_str(p[0].name, "body", "text field name");
	ok(p[0].filename == NULL && p[0].len == 12 && memcmp(p[0].data, "hello\r\nworld", 12) == 0,
	   "text field value keeps its inner CRLF");
	is_str(p[1].name, "file", "file field name");
	is_str(p[1].filename, "a \"b\".png", "file name with escaped quotes");
	is_str(p[1].type, "image/png", "declared type");
	ok(p[1].len == 11 && memcmp(p[1].data, "\x89PNG\0\r\n--xy", 11) == 0,
	   "binary data with NUL and a near-delimiter kept");

	n = parse(a, BODY("preamble\r\n--xyz\r\ncontent-disposition: form-data; name=a\r\n\r\n1\r\n--xyz--"), p, &msg);
	ok(n == 1 && strcmp(p[0].name, "a") == 0 && p[0].len == 1, "preamble skipped, token name, no epilogue");
	n = parse(a, BODY("--xyz\r\nContent-Disposition: form-data; name=\"f\"; filename=\"\"\r\n\r\n\r\n--xyz--"), p, &msg);
	ok(n == 1 && p[0].filename && p[0].filename[0] == '\0' && p[0].len == 0, "an empty file input");
	is_int(parse(a, BODY("--xyz--"), p, &msg), 0, "no parts");

	ok(parse(a, BODY(""), p, &msg) < 0, "empty body refused");
	ok(parse(a, BODY("no delimiter at all"), p, &msg) < 0, "no delimiter refused");
	ok(parse(a, BODY("--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated"), p, &msg) < 0,
	   "truncated part refused");
	is_str(msg, "The multipart body is malformed or truncated.", "truncation message");
	ok(parse(a, BODY("--xyz\r\nContent-Disposition: form-data; name=\"a\""), p, &msg) < 0, "headers without end refused");
	ok(parse(a, BODY("--xyz\r\nno colon\r\n\r\nx\r\n--xyz--"), p, &msg) < 0, "header without colon refused");
	ok(parse(a, BODY("--xyz\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--xyz--"), p, &msg) < 0,
	   "not form-data refused");
	ok(parse(a, BODY("--xyz\r\nContent-Type: text/plain\r\n\r\nx\r\n--xyz--"), p, &msg) < 0, "no disposition refused");
	ok(parse(a, BODY("--xyz\r\nContent-Disposition: form-data; name=\"\"\r\n\r\nx\r\n--xyz--"), p, &msg) < 0,
	   "empty name refused");
	ok(parse(a, BODY("--xyz\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n--xyz--"), p, &msg) < 0,
	   "unclosed quote refused");
	ok(parse(a, BODY("--xyzjunk\r\n"), p, &msg) < 0, "junk after the delimiter refused");
	{
		/* one part more than allowed */
		struct multipart_part two[1];

		ok(multipart_parse(a, BODY("--xyz\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n"
					   "--xyz\r\nContent-Disposition: form-data; name=b\r\n\r\n2\r\n--xyz--"),
				   "xyz", two, 1, &msg) < 0, "too many parts refused");
		is_str(msg, "Too many parts.", "too many parts message");
	}
	{
		/* a header block over the bound */
		static char big[MULTIPART_MAX_HEADERS + 200];
		size_t len;

		strcpy(big, "--xyz\r\nContent-Disposition: form-data; name=a\r\nX-Pad: ");
		len = strlen(big);
		memset(big + len, 'p', MULTIPART_MAX_HEADERS);
		len += MULTIPART_MAX_HEADERS;
		memcpy(big + len, "\r\n\r\nx\r\n--xyz--", 14);
		ok(parse(a, big, len + 14, p, &msg) < 0, "headers over the bound refused");
	}
	arena_free(a);
	return done_testing();
}
