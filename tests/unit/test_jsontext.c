/* Unit tests for render/jsontext: the compact writer must give jansson's text byte for
 * byte (the API and stored JSON did not change when it replaced json_dumps), leave
 * nothing half-written on failure, and hand other flags to jansson. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "render/jsontext.h"
#include "tap.h"

static void
same_as_jansson(const json_t *v, size_t flags, const char *what)
{
	struct buf b = BUF_INIT;
	char *want = json_dumps(v, flags);
	int rc = jsontext_buf(v, flags, &b);

	ok(want != NULL && rc == 0 && b.data && strcmp(b.data, want) == 0, "%s", what);
	if (want && b.data && strcmp(b.data, want) != 0)
		fprintf(stderr, "# want %s\n#  got %s\n", want, b.data);
	free(want);
	buf_free(&b);
}

int
main(void)
{
	static const char *docs[] = {
		"{}", "[]", "[[],{},[{}]]",
		"{\"id\":42,\"neg\":-7,\"big\":9223372036854775807,\"small\":-9223372036854775808,\"zero\":0}",
		"{\"t\":true,\"f\":false,\"n\":null,\"s\":\"\",\"a\":[1,\"two\",3.5,null]}",
		"{\"html\":\"<p class=\\\"x\\\">a &amp; b</p>\\n<p>c/d</p>\",\"q\":\"say \\\"hi\\\" \\\\ back\"}",
		"{\"ctl\":\"\\u0000\\u0001\\b\\t\\n\\u000b\\f\\r\\u000e\\u001f\\u007f end\"}",
		"{\"utf8\":\"caf\\u00e9 \\u2014 \\u4e2d\\u6587 \\ud83d\\ude00\",\"\\u00e9key\":1}",
		"{\"r\":[0.1,1.5,3.0,-0.25,1e300,1e-7,2.5e-05,123456789.125,0.30000000000000004,"
		"0.3333333333333333,100.0,1e21,-1e-300,6.02214076e23,0.0,-0.0]}",
		"{\"voices\":{\"participants\":15,\"doers\":1,\"doer_share\":0.0667,\"by_role\":"
		"[{\"slug\":\"practitioner\",\"label\":\"Practitioner\",\"kind\":\"doer\",\"count\":1}]}}",
	};
	struct buf b = BUF_INIT;
	json_t *v, *deep, *inner;
	char name[64];

	for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
		json_error_t err;

		v = json_loads(docs[i], JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
		if (v == NULL) {
			ok(0, "corpus %zu parses: %s", i, err.text);
			continue;
		}
		snprintf(name, sizeof name, "corpus %zu, compact", i);
		same_as_jansson(v, JSON_COMPACT, name);
		snprintf(name, sizeof name, "corpus %zu, compact, real precision 6", i);
		same_as_jansson(v, JSON_COMPACT | JSON_REAL_PRECISION(6), name);
		snprintf(name, sizeof name, "corpus %zu, real precision 3", i);
		same_as_jansson(v, JSON_COMPACT | JSON_REAL_PRECISION(3), name);
		json_decref(v);
	}

	/* Keys in insertion order, also after a deletion and a replacement. */
	v = json_object();
	json_object_set_new(v, "z", json_integer(1));
	json_object_set_new(v, "a", json_integer(2));
	json_object_set_new(v, "m", json_integer(3));
	json_object_del(v, "a");
	json_object_set_new(v, "z", json_string("replaced"));
	json_object_set_new(v, "b", json_real(0.5));
	same_as_jansson(v, JSON_COMPACT, "keys in insertion order after changes");
	/* Other flags are jansson's own. */
	same_as_jansson(v, JSON_INDENT(2), "indented output comes from jansson");
	same_as_jansson(v, JSON_COMPACT | JSON_SORT_KEYS, "sorted keys come from jansson");
	json_decref(v);

	/* A scalar at the top is refused without JSON_ENCODE_ANY, as jansson does. */
	v = json_integer(5);
	ok(jsontext_buf(v, JSON_COMPACT, &b) == -1 && b.len == 0, "a bare scalar is refused");
	same_as_jansson(v, JSON_COMPACT | JSON_ENCODE_ANY, "a bare scalar with JSON_ENCODE_ANY");
	json_decref(v);

	/* Too deep: -1 and the buf as it was. */
	buf_puts(&b, "kept");
	deep = inner = json_array();
	for (int i = 0; i < 100; i++) {
		json_t *next = json_array();

		json_array_append_new(inner, next);
		inner = next;
	}
	ok(jsontext_buf(deep, JSON_COMPACT, &b) == -1, "nesting past 64 levels fails");
	is_str(b.data, "kept", "and leaves the buf as it was");
	json_decref(deep);

	v = json_pack("{s:s}", "k", "v");
	{
		struct arena *a = arena_new();

		is_str(jsontext_arena(a, v, JSON_COMPACT), "{\"k\":\"v\"}", "arena copy");
		arena_free(a);
	}
	json_decref(v);
	buf_free(&b);
	return done_testing();
}
