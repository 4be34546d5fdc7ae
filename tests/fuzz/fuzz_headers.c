/* tests/fuzz/fuzz_headers.c — libFuzzer target for the header parsers: the Cookie header
 * (the first input line is the cookie name looked up, the rest the header) and media
 * types. A found cookie value is a substring of the header, never longer than it. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	char *copy = arena_strndup(a, (const char *)data, size), *nl, *header, *v;

	/* arena_strndup stops at nothing: strings end at the first NUL like real headers. */
	nl = strchr(copy, '\n');
	if (nl) {
		*nl = '\0';
		header = nl + 1;
	} else {
		header = copy;
	}
	v = parse_cookie(a, header, copy);
	if (v != NULL && (strlen(v) > strlen(header) || strstr(header, v) == NULL))
		abort();
	(void)parse_media_type_is(header, "application/json");
	(void)parse_media_type_is(header, copy);
	arena_free(a);
	return 0;
}
