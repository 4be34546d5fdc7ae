/* Unit tests for render/humanize: which strings are times, how a time reads, and where in
 * a model the readable twins appear (nested, many in one object, long keys, depth cap). */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "render/humanize.h"
#include "tap.h"

static const char *
human(const char *s)
{
	static char out[32];

	return humanize_time(s, strlen(s), out) ? out : NULL;
}

static const char *
member(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void
test_times(void)
{
	is_str(human("2026-11-28T20:01:04Z"), "28 Nov 2026, 20:01 UTC", "a time reads day month year, hour:minute");
	is_str(human("2026-01-05T00:00:59Z"), "5 Jan 2026, 00:00 UTC", "a day below 10 has no leading zero");
	is_str(human("1999-12-31T23:59:59Z"), "31 Dec 1999, 23:59 UTC", "December");
	ok(human("2026-13-01T00:00:00Z") == NULL, "month 13 is not a time");
	ok(human("2026-00-01T00:00:00Z") == NULL, "month 0 is not a time");
	ok(human("2026-11-28T20:01:04") == NULL, "without Z it is not a time");
	ok(human("2026-11-28T20:01:04.5Z") == NULL, "fractions are not what db/ writes");
	ok(human("2026-11-28 20:01:04Z") == NULL, "a space instead of T is not a time");
	ok(human("2026-1a-28T20:01:04Z") == NULL, "a letter among the digits is not a time");
	ok(human("") == NULL, "the empty string is not a time");
	ok(human("hello, world, twenty") == NULL, "twenty characters of text are not a time");
}

static void
test_model(void)
{
	json_t *m = json_loads("{\"created_at\":\"2026-11-28T20:01:04Z\",\"title\":\"2026\",\"n\":3,"
			       "\"author\":{\"joined_at\":\"2025-02-03T04:05:06Z\"},"
			       "\"posts\":[{\"at\":\"2026-03-04T05:06:07Z\"},\"2026-03-04T05:06:07Z\"]}",
			       0, NULL);
	json_t *posts;

	humanize_model(m);
	is_str(member(m, "created_at_h"), "28 Nov 2026, 20:01 UTC", "a top-level time gets its twin");
	is_str(member(m, "created_at"), "2026-11-28T20:01:04Z", "the time itself stays");
	ok(json_object_get(m, "title_h") == NULL && json_object_get(m, "n_h") == NULL,
	   "other values get no twin");
	is_str(member(json_object_get(m, "author"), "joined_at_h"), "3 Feb 2025, 04:05 UTC",
	       "a nested object's time gets its twin");
	posts = json_object_get(m, "posts");
	is_str(member(json_array_get(posts, 0), "at_h"), "4 Mar 2026, 05:06 UTC", "objects in arrays too");
	is_int(json_array_size(posts), 2, "a bare time in an array has no key and is left alone");
	is_int(json_object_size(m), 6, "one twin added at the top, nothing else");
	json_decref(m);
}

static void
test_many_and_long(void)
{
	json_t *m = json_object();
	char key[160], want[170];
	int n = 0;

	/* More twins than the walk keeps on its stack, and a key too long for it. */
	for (int i = 0; i < 12; i++) {
		snprintf(key, sizeof key, "t%d", i);
		json_object_set_new(m, key, json_string("2026-11-28T20:01:04Z"));
	}
	memset(key, 'k', 120);
	key[120] = '\0';
	json_object_set_new(m, key, json_string("2026-11-28T20:01:04Z"));
	humanize_model(m);
	for (int i = 0; i < 12; i++) {
		snprintf(want, sizeof want, "t%d_h", i);
		if (member(m, want) && strcmp(member(m, want), "28 Nov 2026, 20:01 UTC") == 0)
			n++;
	}
	is_int(n, 12, "twelve times in one object all get their twins");
	snprintf(want, sizeof want, "%s_h", key);
	is_str(member(m, want), "28 Nov 2026, 20:01 UTC", "a 120-character key gets its twin");
	is_int(json_object_size(m), 26, "exactly one twin for each time");
	json_decref(m);
}

static void
test_depth(void)
{
	json_t *root = json_object(), *o = root, *deep;

	/* Objects nested past the walk's cap (16) are left as they are. */
	for (int i = 0; i < 20; i++) {
		json_t *next = json_object();

		json_object_set_new(o, "at", json_string("2026-11-28T20:01:04Z"));
		json_object_set_new(o, "in", next);
		o = next;
	}
	humanize_model(root);
	deep = root;
	for (int i = 0; i < 16; i++)
		deep = json_object_get(deep, "in");
	ok(json_object_get(root, "at_h") != NULL, "the top level is humanized");
	ok(json_object_get(deep, "at_h") != NULL, "level 16 is humanized");
	ok(json_object_get(json_object_get(deep, "in"), "at_h") == NULL, "level 17 is not");
	json_decref(root);
	lives_ok(humanize_model(NULL), "a NULL model is left alone");
	{
		json_t *s = json_string("2026-11-28T20:01:04Z");

		humanize_model(s);
		is_str(json_string_value(s), "2026-11-28T20:01:04Z", "a bare string model is left alone");
		json_decref(s);
	}
}

/* An object held in several places (a page's posts share one list of zero reactions) is
 * walked once, unless a later place is shallower: then as deep as from there. */
static void
test_shared(void)
{
	json_t *root = json_object(), *s = json_object(), *o = s, *w = root, *bottom = NULL;

	for (int i = 0; i < 10; i++) {
		json_t *next = json_object();

		json_object_set_new(o, "at", json_string("2026-11-28T20:01:04Z"));
		json_object_set_new(o, "in", next);
		bottom = o;
		o = next;
	}
	for (int i = 0; i < 9; i++) {   /* s first met at depth 10, where its bottom is cut */
		json_t *next = json_object();

		json_object_set_new(w, "wrap", next);
		w = next;
	}
	json_object_set(w, "s", s);
	json_object_set_new(root, "list", json_pack("[O,O]", s, s));
	json_object_set(root, "again", s);
	humanize_model(root);
	is_str(member(s, "at_h"), "28 Nov 2026, 20:01 UTC", "a shared object gets its twins");
	ok(member(bottom, "at_h") != NULL, "a shallower place walks it as deep as from there");
	is_int((int)json_object_size(s), 3, "walked again or not, each twin is set once");
	json_decref(s);
	json_decref(root);
}

int
main(void)
{
	test_times();
	test_model();
	test_many_and_long();
	test_depth();
	test_shared();
	return done_testing();
}
