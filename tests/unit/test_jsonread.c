/* Unit tests for core/jsonread: every text gives exactly the value json_loads(JSON_DECODE_ANY
 * | JSON_ALLOW_NUL) gives, or NULL where json_loads refuses it; the few valid texts it
 * leaves to json_loads are NULL here (the caller's fallback reads them). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonread.h"
#include "tap.h"

/* Same value as jansson's, kinds included (json_equal says 1 == 1.0 is false, as wanted). */
static void
same(const char *text, const char *what)
{
	json_t *want = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	json_t *got = jsonread(text, strlen(text));

	ok(want != NULL && got != NULL && json_equal(want, got), "%s", what);
	json_decref(want);
	json_decref(got);
}

static void
refused(const char *text, size_t n, const char *what)
{
	json_t *want = json_loadb(text, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	json_t *got = jsonread(text, n);

	ok(want == NULL && got == NULL, "%s", what);
	json_decref(want);
	json_decref(got);
}

static void
left(const char *text, const char *what)
{
	json_t *want = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	json_t *got = jsonread(text, strlen(text));

	ok(want != NULL && got == NULL, "%s", what);
	json_decref(want);
	json_decref(got);
}

static json_t *
jsonread_str(const char *s)
{
	return jsonread(s, strlen(s));
}

int
main(void)
{
	char deep[2 * (JSONREAD_MAX_DEPTH + 1) + 1];
	json_t *v;

	same("{}", "empty object");
	same("[]", "empty array");
	same(" \t\r\n[ 1 , 2 ]\n ", "white space around and inside");
	same("[[],{},[{}]]", "nesting");
	same("{\"id\":42,\"neg\":-7,\"big\":9223372036854775807,\"small\":-9223372036854775808,\"zero\":0,\"mz\":-0}",
	     "integers, the extremes and -0");
	same("[0.1,1.5,3.0,-0.25,1e300,1e-7,2.5E-05,123456789.125,1e+2,0.0,-0.0,1e-400]", "reals, underflow to 0");
	same("{\"t\":true,\"f\":false,\"n\":null,\"s\":\"\"}", "literals and the empty string");
	same("{\"html\":\"<p class=\\\"x\\\">a &amp; b</p>\\n<p>c\\/d</p>\",\"q\":\"\\\\ \\b\\f\\r\\t\"}", "escapes");
	same("{\"u\":\"caf\\u00e9 \\u2014 \\u4E2D \\ud83d\\ude00\",\"\\u00e9key\":1}", "\\u escapes, pairs, in keys");
	same("\"caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80\"", "UTF-8 as is, top-level string");
	same("\"a\\u0000b\"", "NUL inside a string (JSON_ALLOW_NUL)");
	same("{\"a\":1,\"a\":2}", "the last of duplicate keys");
	same("{\"author\":{\"id\":7,\"username\":\"ann\",\"community_role\":{\"slug\":\"practitioner\","
	     "\"label\":\"Practitioner\",\"kind\":\"doer\"},\"role_verified\":true,\"affiliation\":null}}",
	     "a post's author as PostgreSQL writes it");
	same("12", "a top-level number");
	same("null", "a top-level null");

	refused("", 0, "empty text");
	refused("   ", 3, "white space only");
	refused("[1,]", 4, "trailing comma");
	refused("{\"a\" 1}", 7, "missing colon");
	refused("{a:1}", 5, "unquoted key");
	refused("[01]", 4, "leading zero");
	refused("[1.]", 4, "no digit after the point");
	refused("[.5]", 4, "no digit before the point");
	refused("[1e]", 4, "no digit in the exponent");
	refused("[-]", 3, "a lone minus");
	refused("[+1]", 4, "a plus sign");
	refused("[1e999]", 7, "real overflow");
	refused("[99999999999999999999]", 22, "integer overflow");
	refused("[tru]", 5, "a cut literal");
	refused("[True]", 6, "a literal in capitals");
	refused("\"a\tb\"", 5, "a raw control character");
	refused("\"\\x\"", 4, "an unknown escape");
	refused("\"\\u12\"", 6, "a short \\u escape");
	refused("\"\\ud83d\"", 8, "a lone high surrogate");
	refused("\"\\ude00\"", 8, "a lone low surrogate");
	refused("\"\\ud83d\\u0041\"", 14, "a high surrogate before no low one");
	refused("\"\xc3\"", 3, "cut UTF-8");
	refused("\"\xc0\xaf\"", 4, "overlong UTF-8");
	refused("\"\xed\xa0\x80\"", 5, "an encoded surrogate");
	refused("\"abc", 4, "an unclosed string");
	refused("[1] [2]", 7, "two values");
	refused("[1]x", 4, "something after the value");
	refused("{\"a\":1", 6, "an unclosed object");
	refused("[1", 2, "an unclosed array");
	refused("[1]\0", 4, "a NUL after the value");
	refused("{\"a\\u0000\":1}", 13, "a NUL in a key");

	memset(deep, '[', JSONREAD_MAX_DEPTH + 1);
	memset(deep + JSONREAD_MAX_DEPTH + 1, ']', JSONREAD_MAX_DEPTH + 1);
	deep[sizeof deep - 1] = '\0';
	left(deep, "nesting past JSONREAD_MAX_DEPTH is left to json_loads");
	deep[0] = ' ';
	deep[sizeof deep - 2] = ' ';
	same(deep, "nesting at JSONREAD_MAX_DEPTH is read");
	left("[1234567890123456789012345678901234567890123456789012345678901234.5]", "a 66-byte number is left");

	v = jsonread_str("{\"k\":\"x\\ty\",\"l\":\"\\u00e9\\n\"}");
	ok(v && strcmp(json_string_value(json_object_get(v, "k")), "x\ty") == 0 &&
	   strcmp(json_string_value(json_object_get(v, "l")), "\xc3\xa9\n") == 0,
	   "two escaped strings in a row do not share their bytes");
	json_decref(v);
	v = jsonread_str("{\"\\u00e9\":{\"\\u00e8\":\"v\"}}");
	ok(v && json_object_get(json_object_get(v, "\xc3\xa9"), "\xc3\xa8") != NULL,
	   "an escaped key survives its value's escaped strings");
	json_decref(v);
	return done_testing();
}
