/* Unit tests for core/arena: zero-size, exactly-a-chunk, oversized, alignment, defer order. */
#include <stdalign.h>
#include <stdint.h>
#include <string.h>

#include "core/arena.h"
#include "tap.h"

static int order[4], norder;

static void
record(void *arg)
{
	order[norder++] = (int)(intptr_t)arg;
}

int
main(void)
{
	struct arena *a = arena_new();
	char *p, *q, *big;
	size_t i;

	p = arena_alloc(a, 0);
	q = arena_alloc(a, 0);
	ok(p != NULL && q != NULL && p != q, "zero-size allocations are valid and distinct");

	p = arena_alloc(a, 1);
	ok(((uintptr_t)p % alignof(max_align_t)) == 0, "allocations are max-aligned");

	/* A request body of 1 MiB must not be squeezed into a normal chunk. */
	big = arena_alloc(a, 1 << 20);
	memset(big, 'x', 1 << 20);
	q = arena_alloc(a, 16);
	memset(q, 'y', 16);
	ok(big[0] == 'x' && big[(1 << 20) - 1] == 'x', "oversized allocation is whole");
	ok(q < big || q >= big + (1 << 20), "small allocation after oversized one does not overlap it");

	/* Exactly one chunk's worth, then many small ones crossing chunk borders. */
	p = arena_alloc(a, 8192);
	memset(p, 1, 8192);
	for (i = 0; i < 10000; i++) {
		q = arena_alloc(a, 24);
		memset(q, (int)(i & 0xff), 24);
	}
	ok(p[8191] == 1, "chunk-sized allocation survives later allocations");
	ok(arena_used(a) >= (1u << 20) + 8192 + 10000 * 24, "used bytes are counted");

	p = arena_calloc(a, 100, 8);
	for (i = 0; i < 800 && p[i] == 0; i++)
		;
	is_int(i, 800, "calloc zeroes");

	is_str(arena_strdup(a, "corral"), "corral", "strdup copies");
	is_str(arena_strndup(a, "corral", 3), "cor", "strndup stops at n");
	ok(arena_strdup(a, NULL) == NULL, "strdup(NULL) is NULL");
	is_str(arena_printf(a, "%s-%d", "IDEA", 42), "IDEA-42", "printf formats");
	p = arena_printf(a, "%0300d", 7);
	is_int(strlen(p), 300, "printf longer than its stack buffer");

	arena_defer(a, record, (void *)1);
	arena_defer(a, record, (void *)2);
	arena_defer(a, record, (void *)3);
	arena_free(a);
	is_int(norder, 3, "every deferred function ran");
	ok(order[0] == 3 && order[1] == 2 && order[2] == 1, "deferred functions run newest first");
	arena_free(NULL);
	ok(1, "arena_free(NULL) is a no-op");
	return done_testing();
}
