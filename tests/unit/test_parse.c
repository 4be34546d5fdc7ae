/* Unit tests for http/parse: form bodies, cookies, media types, JSON bodies. */
#include <string.h>

#include "http/parse.h"
#include "tap.h"

static const char *
sval(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

int
main(void)
{
	struct arena *a = arena_new();
	const char *msg;
	json_t *f, *j;

	f = parse_form("a=1&b=hello+world&c=%C3%A9t%C3%A9&empty=&flag", strlen("a=1&b=hello+world&c=%C3%A9t%C3%A9&empty=&flag"));
	ok(f != NULL, "form decodes");
	is_str(sval(f, "a"), "1", "plain value");
	is_str(sval(f, "b"), "hello world", "+ is a space");
	is_str(sval(f, "c"), "été", "percent escapes decode to UTF-8");
	is_str(sval(f, "empty"), "", "empty value");
	is_str(sval(f, "flag"), "", "name without = is an empty value");
	json_decref(f);

	f = parse_form("o=1&o=2&o=3", 11);
	ok(json_is_array(json_object_get(f, "o")) && json_array_size(json_object_get(f, "o")) == 3,
	   "repeated field becomes an array");
	is_str(json_string_value(json_array_get(json_object_get(f, "o"), 2)), "3", "array keeps order");
	json_decref(f);

	f = parse_form("", 0);
	ok(f && json_object_size(f) == 0, "empty body is an empty object");
	json_decref(f);
	f = parse_form("&&a=1&&", 7);
	ok(f && json_object_size(f) == 1, "stray ampersands ignored");
	json_decref(f);

	ok(parse_form("a=%ZZ", 5) == NULL, "bad escape refused");
	ok(parse_form("a=%4", 4) == NULL, "truncated escape refused");
	ok(parse_form("a=%", 3) == NULL, "lone percent refused");
	ok(parse_form("a=%FF", 5) == NULL, "invalid UTF-8 refused");
	ok(parse_form("a=%00", 5) == NULL, "NUL refused");
	ok(parse_form("=x", 2) == NULL, "empty name refused");
	ok(parse_form("a=1\0b=2", 7) == NULL, "raw NUL refused");

	is_str(parse_cookie(a, "a=1; corral_session=abc; b=2", "corral_session"), "abc", "cookie found");
	is_str(parse_cookie(a, "corral_session=first; corral_session=second", "corral_session"), "first",
	       "first occurrence wins");
	is_str(parse_cookie(a, "x=\"quoted\"", "x"), "quoted", "quotes removed");
	ok(parse_cookie(a, "xcorral_session=evil", "corral_session") == NULL, "no suffix match");
	ok(parse_cookie(a, "corral_sessionx=evil", "corral_session") == NULL, "no prefix match");
	ok(parse_cookie(a, "", "x") == NULL, "empty header");
	ok(parse_cookie(a, ";;; ;", "x") == NULL, "only separators");
	is_str(parse_cookie(a, "x=", "x"), "", "empty value");
	is_str(parse_cookie(a, "  x = 1", "x") ? "found" : "absent", "absent", "spaces around = are not a match");

	ok(parse_media_type_is("application/json", "application/json"), "exact type");
	ok(parse_media_type_is("Application/JSON; charset=utf-8", "application/json"), "case and parameters");
	ok(!parse_media_type_is("application/jsonx", "application/json"), "longer type is another type");
	ok(!parse_media_type_is("text/plain", "application/json"), "other type");
	ok(!parse_media_type_is(NULL, "application/json"), "missing header");

	j = parse_json_body("{\"a\":1}", 7, &msg);
	ok(json_is_object(j), "object body");
	json_decref(j);
	ok(parse_json_body("[1]", 3, &msg) == NULL, "array body refused");
	ok(parse_json_body("{\"a\":1,\"a\":2}", 13, &msg) == NULL, "duplicate keys refused");
	ok(parse_json_body("{\"a\":\"\\u0000\"}", 14, &msg) == NULL, "escaped NUL refused");
	ok(parse_json_body("{\"a\":\"\xff\"}", 9, &msg) == NULL, "invalid UTF-8 refused");
	is_str(msg, "The body is not valid UTF-8 or contains a NUL byte.", "UTF-8 message");
	ok(parse_json_body("{\"a\":", 5, &msg) == NULL, "truncated refused");
	ok(parse_json_body("", 0, &msg) == NULL, "empty refused");
	ok(parse_json_body("{} x", 4, &msg) == NULL, "trailing garbage refused");
	arena_free(a);
	return done_testing();
}
