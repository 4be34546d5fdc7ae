/* tests/fuzz/fuzz_json_body.c — libFuzzer target for the JSON request-body decoder: any
 * byte string is either refused with a message or gives an object whose strings are
 * valid UTF-8 without NUL (what every handler relies on). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "http/parse.h"

static void
fuzz_check(json_t *v, int depth)
{
	const char *k;
	json_t *x;
	size_t i;

	if (depth > 4096)
		abort();
	if (json_is_string(v) && !utf8_valid(json_string_value(v), json_string_length(v)))
		abort();
	if (json_is_object(v))
		json_object_foreach(v, k, x) {
			if (!utf8_valid(k, strlen(k)))
				abort();
			fuzz_check(x, depth + 1);
		}
	if (json_is_array(v))
		json_array_foreach(v, i, x)
			fuzz_check(x, depth + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *msg = NULL;
	json_t *v = parse_json_body((const char *)data, size, &msg);

	if (v == NULL) {
		if (msg == NULL || *msg == '\0')
			abort();
		return 0;
	}
	if (!json_is_object(v))
		abort();
	fuzz_check(v, 0);
	json_decref(v);
	return 0;
}
