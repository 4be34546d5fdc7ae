/* core/kept.c — values kept by their text, one table per kind (core/kept.h). */
#include "core/kept.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "core/arena.h"

struct kept_slot {
	uint64_t hash;
	char *text;          /* malloc'd copy of the key */
	size_t len;
	json_t *v;           /* one reference held by the table; NULL: empty */
};

/* A kept value's count is changed by every thread that holds it: atomically, read too.
 * jansson's json_incref/json_decref read the count plainly first (to skip its static
 * true, false and null), which ThreadSanitizer rightly reports beside another thread's
 * change; the same skip is made here with an atomic read. */
static json_t *
kept_incref(json_t *v)
{
	if (v != NULL && __atomic_load_n(&v->refcount, __ATOMIC_RELAXED) != (size_t)-1)
		__atomic_add_fetch(&v->refcount, 1, __ATOMIC_ACQUIRE);
	return v;
}

static void
kept_decref(json_t *v)
{
	if (v != NULL && __atomic_load_n(&v->refcount, __ATOMIC_RELAXED) != (size_t)-1 &&
	    __atomic_sub_fetch(&v->refcount, 1, __ATOMIC_ACQ_REL) == 0)
		json_delete(v);
}

static void
kept_release(void *v)
{
	kept_decref(v);
}

/* A model made in a request's arena is never released value by value (http/server.c:
 * arena_free takes it at once), so a kept value put into it would keep the reference the
 * model took for ever: the arena gives it back instead. */
static json_t *
kept_hand(json_t *v)
{
	struct arena *a = arena_scope_get();

	if (a != NULL)
		arena_defer(a, kept_release, v);
	return v;
}

/* Made outside the request's arena (core/arena.h): jansson allocates from it while a
 * request is handled, and all of that is freed when the request ends; and the kept values
 * make takes inside are then its own references, not the arena's. */
static json_t *
kept_make(struct kept *k, const char *s, size_t len, void *arg)
{
	struct arena *prev = arena_scope_set(NULL);
	json_t *v = k->make(s, len, arg);

	arena_scope_set(prev);
	return v;
}

static bool
kept_is(const struct kept_slot *e, uint64_t h, const char *s, size_t len)
{
	return e->v != NULL && e->hash == h && e->len == len && memcmp(e->text, s, len) == 0;
}

/* Where text s (hash h) is kept, or where it goes: one of the KEPT_WAYS slots of its set —
 * its own, an empty one, else the one its hash picks, whose text it takes. Four ways: a
 * table filled a fifth missed 15 % of a thread page's authors direct-mapped, each miss a
 * parse. The table is made at first use; NULL when it cannot be. Under k->lock. */
#define KEPT_WAYS 4
static struct kept_slot *
kept_slot(struct kept *k, uint64_t h, const char *s, size_t len)
{
	struct kept_slot *set, *empty = NULL;

	if (k->slots == NULL && (k->slots = calloc(k->nslots, sizeof *k->slots)) == NULL)
		return NULL;
	set = &k->slots[h & (k->nslots - 1) & ~(uint64_t)(KEPT_WAYS - 1)];
	for (int i = 0; i < KEPT_WAYS; i++) {
		if (kept_is(&set[i], h, s, len))
			return &set[i];
		if (set[i].v == NULL && empty == NULL)
			empty = &set[i];
	}
	return empty ? empty : &set[h >> 62];
}

json_t *
kept_get(struct kept *k, const char *s, size_t len, void *arg)
{
	struct kept_slot *e, old = { 0 };
	json_t *v = NULL, *made;
	uint64_t h;
	char *copy;

	if (len > KEPT_TEXT_MAX)
		return kept_hand(kept_make(k, s, len, arg));
	h = XXH3_64bits(s, len);
	pthread_mutex_lock(&k->lock);
	if ((e = kept_slot(k, h, s, len)) != NULL && kept_is(e, h, s, len))
		v = kept_incref(e->v);
	pthread_mutex_unlock(&k->lock);
	if (v != NULL)
		return kept_hand(v);
	made = kept_make(k, s, len, arg);
	if (e == NULL || (copy = malloc(len + 1)) == NULL)
		return kept_hand(made);
	memcpy(copy, s, len);
	copy[len] = '\0';
	pthread_mutex_lock(&k->lock);
	e = kept_slot(k, h, s, len);   /* again: another thread may have changed the set */
	if (kept_is(e, h, s, len)) {
		/* another thread kept the same text meanwhile: its value, this one dropped */
		v = kept_incref(e->v);
		old.text = copy;
		old.v = made;
	} else {
		old = *e;
		*e = (struct kept_slot){ .hash = h, .text = copy, .len = len, .v = made };
		v = kept_incref(made);
	}
	pthread_mutex_unlock(&k->lock);
	/* A value whose slot was taken lives on for whoever holds it, then goes. */
	free(old.text);
	kept_decref(old.v);
	return kept_hand(v);
}

json_t *
kept_ref(json_t *v)
{
	return kept_hand(kept_incref(v));
}
