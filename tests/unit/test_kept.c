/* Unit tests for core/kept: a value is made once per text (for every thread), a hit is the same
 * value, a slot taken by another text leaves the old value to whoever holds it, and
 * values made while a request's arena is in scope outlive that arena. */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/kept.h"
#include "tap.h"

static int made;

static json_t *
make_string(const char *s, size_t len, void *arg)
{
	made++;
	return arg ? json_string(arg) : json_stringn(s, len);
}

static struct kept strings = KEPT_INIT(make_string);

/* Another worker asking for a text this one kept. */
static void *
other_thread(void *arg)
{
	return kept_get(&strings, arg, strlen(arg), NULL);
}

int
main(void)
{
	json_t *a, *b, *held[KEPT_SLOTS * 2];
	struct arena *ar;
	char text[64], *big;
	int before;

	json_set_alloc_funcs(arena_hook_malloc, arena_hook_free);

	a = kept_get(&strings, "alpha", 5, NULL);
	b = kept_get(&strings, "alpha", 5, NULL);
	ok(a == b && made == 1, "the same text: the same value, made once");
	is_str(json_string_value(a), "alpha", "the value is made from the text");
	json_decref(a);
	json_decref(b);
	b = kept_get(&strings, "alphabet", 5, NULL);
	ok(b != NULL && made == 1, "the key is the text's bytes [0, len), not the C string");
	json_decref(b);
	a = kept_get(&strings, "alpha!", 6, NULL);
	ok(made == 2 && strcmp(json_string_value(a), "alpha!") == 0, "another text: another value");
	json_decref(a);

	/* More texts than slots: some take the slots of others; what a caller holds stays. */
	for (int i = 0; i < KEPT_SLOTS * 2; i++) {
		snprintf(text, sizeof text, "text %d", i);
		held[i] = kept_get(&strings, text, strlen(text), NULL);
	}
	{
		int good = 1;

		for (int i = 0; i < KEPT_SLOTS * 2; i++) {
			snprintf(text, sizeof text, "text %d", i);
			good &= strcmp(json_string_value(held[i]), text) == 0;
			json_decref(held[i]);
		}
		ok(good, "values whose slots were taken stay whole for their holders");
	}

	/* A value made while a request's arena is in scope must not come from that arena. */
	ar = arena_new();
	arena_scope_set(ar);
	a = kept_get(&strings, "made in a request", 17, NULL);
	b = kept_get(&strings, "made in a request", 17, NULL);
	arena_scope_set(NULL);
	is_int(a->refcount, 3, "in a request the references handed out are the arena's");
	arena_free(ar);
	is_int(a->refcount, 1, "freeing the arena gives them back (a model is never released value by value)");
	before = made;
	a = kept_get(&strings, "made in a request", 17, NULL);
	ok(made == before && strcmp(json_string_value(a), "made in a request") == 0,
	   "a value made in a request's scope outlives its arena, and is found again");
	json_decref(a);

	a = kept_get(&strings, "by arg", 6, "made from arg");
	b = kept_get(&strings, "by arg", 6, "not asked: kept");
	is_str(json_string_value(b), "made from arg", "make's argument builds the value; a hit does not call make");
	json_decref(a);
	json_decref(b);

	/* One table for every thread: a worker finds what another made. */
	{
		pthread_t t;
		void *got = NULL;

		a = kept_get(&strings, "shared by threads", 17, NULL);
		before = made;
		pthread_create(&t, NULL, other_thread, "shared by threads");
		pthread_join(t, &got);
		ok(got == a && made == before, "another thread finds the value made here, not made again");
		json_decref(got);
		/* kept_ref: another reference on kept_get's terms, the arena's in a request */
		ar = arena_new();
		arena_scope_set(ar);
		b = kept_ref(a);
		arena_scope_set(NULL);
		is_int(a->refcount, 3, "kept_ref in a request: the table's, the caller's and the arena's");
		arena_free(ar);
		is_int(a->refcount, 2, "given back with the arena");
		json_decref(a);
	}

	big = malloc(5000);
	memset(big, 'x', 5000);
	before = made;
	a = kept_get(&strings, big, 5000, NULL);
	b = kept_get(&strings, big, 5000, NULL);
	ok(made == before + 2 && a != b, "a text past 4 KiB is made each time, never kept");
	json_decref(a);
	json_decref(b);
	free(big);
	return done_testing();
}
