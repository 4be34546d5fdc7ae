/* tests/fuzz/fuzz_jsonread.c — libFuzzer target for core/jsonread, against jansson: a
 * text it reads must be one json_loads(JSON_DECODE_ANY | JSON_ALLOW_NUL) reads too, as the
 * same value. (A text it leaves to json_loads is fine: the caller falls back.) */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/jsonread.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *got = jsonread((const char *)data, size);
	json_t *want;

	if (got == NULL)
		return 0;
	want = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	if (want == NULL || !json_equal(want, got))
		abort();
	json_decref(want);
	json_decref(got);
	return 0;
}
