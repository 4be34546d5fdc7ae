/* tests/fuzz/fuzz_form.c — libFuzzer target for urlencoded form decoding: a decoded form
 * is an object of strings (or arrays of strings for repeated fields), every one valid
 * UTF-8 without NUL, and never more fields than the body has separators. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "http/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *f = parse_form((const char *)data, size), *v, *x;
	const char *k;
	size_t i, values = 0, amps = 0;

	if (f == NULL)
		return 0;
	for (i = 0; i < size; i++)
		amps += data[i] == '&';
	json_object_foreach(f, k, v) {
		if (*k == '\0' || !utf8_valid(k, strlen(k)))
			abort();
		if (json_is_string(v)) {
			values++;
			if (!utf8_valid(json_string_value(v), json_string_length(v)))
				abort();
		} else if (json_is_array(v) && json_array_size(v) >= 2) {
			json_array_foreach(v, i, x) {
				values++;
				if (!json_is_string(x) || !utf8_valid(json_string_value(x), json_string_length(x)))
					abort();
			}
		} else {
			abort();
		}
	}
	if (values > amps + 1)
		abort();
	json_decref(f);
	return 0;
}
