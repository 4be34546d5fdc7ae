/* core/kept.c — values kept per thread by their text (core/kept.h). */
#include "core/kept.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "core/arena.h"

struct kept_slot {
	uint64_t hash;
	char *text;          /* malloc'd copy of the key */
	size_t len;
	json_t *v;           /* one reference held by the table */
};

static void
kept_free(void *p)
{
	struct kept_slot *t = p;

	for (size_t i = 0; i < KEPT_SLOTS; i++) {
		free(t[i].text);
		json_decref(t[i].v);
	}
	free(t);
}

/* Each kind's key is made the first time any thread uses it. */
static pthread_mutex_t kept_lock = PTHREAD_MUTEX_INITIALIZER;

static int
kept_key(struct kept *k)
{
	int rc = 0;

	if (__atomic_load_n(&k->ready, __ATOMIC_ACQUIRE))
		return 0;
	pthread_mutex_lock(&kept_lock);
	if (!k->ready && (rc = pthread_key_create(&k->key, kept_free)) == 0)
		__atomic_store_n(&k->ready, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&kept_lock);
	return rc;
}

static void
kept_release(void *v)
{
	json_decref(v);
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

json_t *
kept_get(struct kept *k, const char *s, size_t len, void *arg)
{
	struct kept_slot *t, *e;
	uint64_t h;
	char *copy;

	if (len > KEPT_TEXT_MAX || kept_key(k) != 0)
		return kept_hand(kept_make(k, s, len, arg));
	if ((t = pthread_getspecific(k->key)) == NULL) {
		if ((t = calloc(KEPT_SLOTS, sizeof *t)) == NULL || pthread_setspecific(k->key, t) != 0) {
			free(t);
			return kept_hand(kept_make(k, s, len, arg));
		}
	}
	h = XXH3_64bits(s, len);
	e = &t[h % KEPT_SLOTS];
	if (e->v != NULL && e->hash == h && e->len == len && memcmp(e->text, s, len) == 0)
		return kept_hand(json_incref(e->v));
	if ((copy = malloc(len + 1)) == NULL)
		return kept_hand(kept_make(k, s, len, arg));
	memcpy(copy, s, len);
	copy[len] = '\0';
	free(e->text);
	json_decref(e->v);
	e->hash = h;
	e->text = copy;
	e->len = len;
	e->v = kept_make(k, s, len, arg);
	return kept_hand(json_incref(e->v));
}
