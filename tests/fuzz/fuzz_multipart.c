/* tests/fuzz/fuzz_multipart.c — libFuzzer target for the multipart/form-data decoder:
 * every part found lies inside the body, has a non-empty name, and no more parts come
 * back than the bound given. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "http/multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct multipart_part parts[8];
	struct arena *a = arena_new();
	const char *msg = NULL, *body = (const char *)data;
	int n = multipart_parse(a, body, size, "xyz", parts, 8, &msg);

	if (n > 8 || (n < 0 && msg == NULL))
		abort();
	for (int i = 0; i < n; i++)
		if (parts[i].name == NULL || parts[i].name[0] == '\0' || parts[i].data < body ||
		    parts[i].data + parts[i].len > body + size)
			abort();
	arena_free(a);
	return 0;
}
