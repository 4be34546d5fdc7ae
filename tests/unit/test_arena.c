/* Unit tests for core/arena: zero-size, exactly-a-chunk, oversized, alignment, defer order,
 * and the hooks jansson allocates through (the arena in scope). Under the ASan build a
 * wrong free or a block kept past its arena fails the run. */
#include <jansson.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "tap.h"

static int order[4], norder;

static void
record(void *arg)
{
	order[norder++] = (int)(intptr_t)arg;
}

/* A worker's request: a model built in scope, decref'd, then the arena freed. Large
 * enough to take 64 KiB chunks, which the thread keeps as spares (freed at its exit). */
static void *
hooks_worker(void *arg)
{
	int *ok_count = arg;

	for (int round = 0; round < 3; round++) {
		struct arena *a = arena_new(), *prev = arena_scope_set(a);
		json_t *posts = json_array();
		size_t before = arena_used(a);

		for (int i = 0; i < 2000; i++)
			json_array_append_new(posts, json_pack("{s:i, s:s}", "id", i, "body", "a reply of some length"));
		if (arena_used(a) > before + 2000 * 40 && json_array_size(posts) == 2000)
			(*ok_count)++;
		json_decref(posts);
		arena_scope_set(prev);
		arena_free(a);
	}
	return NULL;
}

static void
test_hooks(void)
{
	struct arena *a = arena_new(), *prev;
	json_t *heap_obj, *in_scope, *mixed;
	pthread_t th;
	int worker_ok = 0;
	size_t used;
	char *p;

	json_set_alloc_funcs(arena_hook_malloc, arena_hook_free);

	/* Outside a scope: malloc and free (a leak or a bad free shows under ASan). */
	p = arena_hook_malloc(100);
	memset(p, 'h', 100);
	ok(((uintptr_t)p % alignof(max_align_t)) == 0, "hooked heap block is aligned");
	arena_hook_free(p);
	arena_hook_free(NULL);
	heap_obj = json_pack("{s:s, s:[i,i]}", "name", "heap", "list", 1, 2);
	is_int(arena_used(a), 0, "no scope: nothing taken from the arena");

	/* In scope: from the arena, and free does nothing. */
	prev = arena_scope_set(a);
	ok(prev == NULL, "no arena was in scope before");
	p = arena_hook_malloc(100);
	ok(((uintptr_t)p % alignof(max_align_t)) == 0, "hooked arena block is aligned");
	used = arena_used(a);
	ok(used >= 100, "in scope: the block comes from the arena");
	arena_hook_free(p);
	is_int(arena_used(a), used, "freeing an arena block gives nothing back early");
	in_scope = json_pack("{s:s, s:{s:i}}", "title", "in scope", "author", "id", 7);
	ok(arena_used(a) > used, "jansson values made in scope come from the arena");
	/* A heap value changed and released inside a scope: its free must reach free(). */
	mixed = json_deep_copy(heap_obj);
	json_object_set_new(heap_obj, "added", json_string("in scope"));
	json_decref(heap_obj);
	is_str(json_string_value(json_object_get(in_scope, "title")), "in scope", "arena values read back");
	is_int(json_integer_value(json_array_get(json_object_get(mixed, "list"), 1)), 2,
	       "a copy made in scope of a heap value reads back");
	json_decref(in_scope);
	json_decref(mixed);
	ok(arena_scope_set(prev) == a, "the scope is put back");
	arena_free(a);

	/* Another thread, its own scope, spares freed when it ends. */
	if (pthread_create(&th, NULL, hooks_worker, &worker_ok) == 0) {
		pthread_join(th, NULL);
		is_int(worker_ok, 3, "a worker thread builds models in its arenas, round after round");
	} else {
		ok(0, "pthread_create");
	}
	json_set_alloc_funcs(malloc, free);
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
	lives_ok(arena_free(NULL), "arena_free(NULL) is a no-op");
	test_hooks();

	/* A small first chunk (a settled event stream's request) still serves any size. */
	a = arena_new_sized(64);
	p = arena_alloc(a, 40);
	memset(p, 'a', 40);
	q = arena_alloc(a, 5000);
	memset(q, 'b', 5000);
	big = arena_strdup(a, "settled");
	ok(p[39] == 'a' && q[4999] == 'b' && strcmp(big, "settled") == 0,
	   "an arena with a small first chunk grows past it");
	ok(arena_used(a) >= 5040, "and counts what it handed out");
	arena_free(a);
	return done_testing();
}
