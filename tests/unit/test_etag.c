/* Unit tests for http/cache's ETags: the hash of a page's bytes, the same whichever of
 * libxxhash's entry points computes it. Two instances behind one proxy (or an old and a new
 * binary during an upgrade) must give one page the same ETag, or a revalidation from a
 * reader's browser would miss for nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "http/cache.h"
#include "tap.h"

int
main(void)
{
	static const size_t lens[] = { 0, 1, 3, 16, 17, 128, 129, 239, 240, 241, 1000, 1024, 4096, 65536, 65543,
				       200003 };
	char *body = malloc(200003), got[20], want[24];
	unsigned long long x = 88172645463325252ULL;

	if (body == NULL)
		return 1;

	for (size_t i = 0; i < 200003; i++) {   /* xorshift: bytes of every value */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		body[i] = (char)x;
	}
	cache_etag_of("", 0, got);
	is_str(got, "\"2d06800538d394c2\"", "an empty body's ETag is XXH3-64 of nothing, quoted, 16 hex digits");
	for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		cache_etag_of(body + 1, lens[i], got);   /* an address not 16-aligned, too */
		snprintf(want, sizeof want, "\"%016llx\"", (unsigned long long)XXH3_64bits(body + 1, lens[i]));
		is_str(got, want, "%zu bytes: the ETag is the plain XXH3-64 of the body", lens[i]);
	}
	cache_etag_of(body, 200003, want);
	body[70000] ^= 1;
	cache_etag_of(body, 200003, got);
	ok(strcmp(got, want) != 0, "one bit changed deep in the body changes its ETag");
	snprintf(want, sizeof want, "\"%016llx\"", (unsigned long long)XXH3_64bits(body, 200003));
	is_str(got, want, "one bit changed deep in the body: its ETag follows");
	free(body);
	return done_testing();
}
