/* http/cache.c — the response cache: 16 shards, each a hash table with an LRU list and a
 * share of the byte budget; tag generations in one array. */
#include "http/cache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>
#if defined(__x86_64__)
#define XXH_DISPATCH_DISABLE_REPLACE
#include <xxh_x86dispatch.h>
#define CACHE_XXH3 XXH3_64bits_dispatch
#else
#define CACHE_XXH3 XXH3_64bits
#endif

#include "core/arena.h"
#include "core/buf.h"

#define CACHE_SHARDS 16
#define CACHE_BUCKETS 1024            /* per shard */
#define CACHE_SLOTS 65536             /* tag generation slots */

struct cache_entry {
	struct cache_entry *next;         /* hash chain */
	struct cache_entry *lru_prev, *lru_next;
	atomic_int refs;                  /* the table holds one while linked */
	uint64_t hash;
	char *key;
	char *body;
	size_t len, cost;
	void *aux;                        /* the caller's bytes kept with the body (or NULL) */
	size_t aux_len;
	const char *type;
	int status;
	char etag[20];
	uint32_t global;
	size_t nstamps;
	struct cache_stamp stamps[CACHE_MAX_TAGS];
};

struct cache_shard {
	pthread_mutex_t lock;
	struct cache_entry *buckets[CACHE_BUCKETS];
	struct cache_entry *lru_head, *lru_tail;  /* head = most recent */
	size_t bytes, budget, entries;
};

static struct cache_shard cache_shards[CACHE_SHARDS];
static atomic_uint cache_gens[CACHE_SLOTS];
static atomic_uint cache_global_gen;
/* Entries are served and stored only while invalidations arrive (cache_set_live):
 * without them a write on another instance would go unnoticed. */
static atomic_bool cache_live;
static size_t cache_budget;
/* Invalidations and flushes begun, counted before their generation moves (cache_notices). */
static atomic_ulong cache_n_notices;
static atomic_ulong cache_n_hits, cache_n_misses, cache_n_stores, cache_n_evictions, cache_n_inval;

static uint64_t
cache_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;   /* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

void
cache_init(size_t budget)
{
	cache_budget = budget;
	for (int i = 0; i < CACHE_SHARDS; i++) {
		pthread_mutex_init(&cache_shards[i].lock, NULL);
		cache_shards[i].budget = budget / CACHE_SHARDS;
	}
}

bool
cache_enabled(void)
{
	return cache_budget > 0;
}

bool
cache_serving(void)
{
	return cache_budget > 0 && atomic_load(&cache_live);
}

struct cache_stamp
cache_stamp(const char *tag)
{
	struct cache_stamp s;

	s.slot = (uint32_t)(cache_hash(tag) % CACHE_SLOTS);
	s.gen = atomic_load(&cache_gens[s.slot]);
	return s;
}

uint32_t
cache_global(void)
{
	return atomic_load(&cache_global_gen);
}

static bool
cache_valid(const struct cache_entry *e)
{
	if (e->global != atomic_load(&cache_global_gen))
		return false;
	for (size_t i = 0; i < e->nstamps; i++)
		if (atomic_load(&cache_gens[e->stamps[i].slot]) != e->stamps[i].gen)
			return false;
	return true;
}

void
cache_release(struct cache_entry *e)
{
	if (e && atomic_fetch_sub(&e->refs, 1) == 1) {
		free(e->key);
		free(e->body);
		free(e->aux);
		free(e);
	}
}

static void
cache_lru_unlink(struct cache_shard *s, struct cache_entry *e)
{
	if (e->lru_prev)
		e->lru_prev->lru_next = e->lru_next;
	else
		s->lru_head = e->lru_next;
	if (e->lru_next)
		e->lru_next->lru_prev = e->lru_prev;
	else
		s->lru_tail = e->lru_prev;
	e->lru_prev = e->lru_next = NULL;
}

static void
cache_lru_push(struct cache_shard *s, struct cache_entry *e)
{
	e->lru_prev = NULL;
	e->lru_next = s->lru_head;
	if (s->lru_head)
		s->lru_head->lru_prev = e;
	s->lru_head = e;
	if (s->lru_tail == NULL)
		s->lru_tail = e;
}

/* Take e out of the table (shard locked). */
static void
cache_remove(struct cache_shard *s, struct cache_entry *e)
{
	struct cache_entry **pp = &s->buckets[e->hash % CACHE_BUCKETS];

	while (*pp && *pp != e)
		pp = &(*pp)->next;
	if (*pp)
		*pp = e->next;
	cache_lru_unlink(s, e);
	s->bytes -= e->cost;
	s->entries--;
	cache_release(e);
}

static struct cache_entry *
cache_find(const char *key, bool count)
{
	uint64_t h = cache_hash(key);
	struct cache_shard *s = &cache_shards[h % CACHE_SHARDS];
	struct cache_entry *e;

	if (!cache_budget || !atomic_load(&cache_live))
		return NULL;
	pthread_mutex_lock(&s->lock);
	for (e = s->buckets[h % CACHE_BUCKETS]; e; e = e->next)
		if (e->hash == h && strcmp(e->key, key) == 0)
			break;
	if (e && !cache_valid(e)) {
		cache_remove(s, e);
		e = NULL;
	}
	if (e) {
		cache_lru_unlink(s, e);
		cache_lru_push(s, e);
		atomic_fetch_add(&e->refs, 1);
	}
	pthread_mutex_unlock(&s->lock);
	if (count)
		atomic_fetch_add_explicit(e ? &cache_n_hits : &cache_n_misses, 1, memory_order_relaxed);
	return e;
}

struct cache_entry *
cache_get(const char *key)
{
	return cache_find(key, true);
}

struct cache_entry *
cache_lookup(const char *key)
{
	return cache_find(key, false);
}

const char *
cache_body(const struct cache_entry *e, size_t *ret_len)
{
	*ret_len = e->len;
	return e->body;
}

const void *
cache_aux(const struct cache_entry *e, size_t *ret_len)
{
	*ret_len = e->aux_len;
	return e->aux;
}

const char *
cache_etag(const struct cache_entry *e)
{
	return e->etag;
}

const char *
cache_type(const struct cache_entry *e)
{
	return e->type;
}

int
cache_status(const struct cache_entry *e)
{
	return e->status;
}

/* XXH3 rather than BLAKE2b: an ETag tells versions of one URL apart and needs no
 * resistance to a forger, and over a 64 KB page XXH3 takes microseconds where BLAKE2b took
 * about 100 µs — a tenth of what an uncached thread page costs Corral (docs/performance.md).
 * Through libxxhash's dispatcher, which picks the widest vectors the processor has (AVX2
 * here) on x86-64 where the plain entry point is built for the baseline's SSE2: the same
 * hash. */
void
cache_etag_of(const char *body, size_t len, char out[20])
{
	out[0] = '"';
	buf_hex_text(out + 1, (unsigned long long)CACHE_XXH3(body, len), 16);
	out[17] = '"';
	out[18] = '\0';
}

void
cache_put(const char *key, const char *content_type, int status, const char *body, size_t len,
	  const char *etag, const struct cache_stamp *stamps, size_t nstamps, uint32_t global_gen)
{
	cache_put_aux(key, content_type, status, body, len, etag, stamps, nstamps, global_gen, NULL, 0);
}

void
cache_put_aux(const char *key, const char *content_type, int status, const char *body, size_t len,
	      const char *etag, const struct cache_stamp *stamps, size_t nstamps, uint32_t global_gen,
	      const void *aux, size_t aux_len)
{
	uint64_t h = cache_hash(key);
	struct cache_shard *s = &cache_shards[h % CACHE_SHARDS];
	struct cache_entry *e, *old;

	if (!cache_budget || !atomic_load(&cache_live) || nstamps > CACHE_MAX_TAGS || len + aux_len > s->budget / 4)
		return;
	e = calloc(1, sizeof *e);
	if (e == NULL || (e->key = strdup(key)) == NULL || (e->body = malloc(len + 1)) == NULL)
		core_oom();
	memcpy(e->body, body, len);
	e->body[len] = '\0';
	e->len = len;
	if (aux_len > 0) {
		if ((e->aux = malloc(aux_len)) == NULL)
			core_oom();
		memcpy(e->aux, aux, aux_len);
		e->aux_len = aux_len;
	}
	e->cost = len + aux_len + strlen(key) + sizeof *e;
	e->hash = h;
	e->type = content_type;
	e->status = status;
	e->global = global_gen;
	e->nstamps = nstamps;
	memcpy(e->stamps, stamps, nstamps * sizeof *stamps);
	snprintf(e->etag, sizeof e->etag, "%s", etag);
	atomic_init(&e->refs, 1);
	pthread_mutex_lock(&s->lock);
	for (old = s->buckets[h % CACHE_BUCKETS]; old; old = old->next)
		if (old->hash == h && strcmp(old->key, key) == 0)
			break;
	if (old)
		cache_remove(s, old);
	while (s->bytes + e->cost > s->budget && s->lru_tail) {
		cache_remove(s, s->lru_tail);
		atomic_fetch_add_explicit(&cache_n_evictions, 1, memory_order_relaxed);
	}
	e->next = s->buckets[h % CACHE_BUCKETS];
	s->buckets[h % CACHE_BUCKETS] = e;
	cache_lru_push(s, e);
	s->bytes += e->cost;
	s->entries++;
	pthread_mutex_unlock(&s->lock);
	atomic_fetch_add_explicit(&cache_n_stores, 1, memory_order_relaxed);
}

void
cache_put_beside(const struct cache_entry *e, const char *key, const char *content_type, const char *body, size_t len,
		 const void *aux, size_t aux_len)
{
	cache_put_aux(key, content_type, e->status, body, len, e->etag, e->stamps, e->nstamps, e->global, aux,
		      aux_len);
}

void
cache_invalidate(const char *tag)
{
	atomic_fetch_add(&cache_n_notices, 1);   /* first: see cache_notices() */
	atomic_fetch_add(&cache_gens[cache_hash(tag) % CACHE_SLOTS], 1);
	atomic_fetch_add_explicit(&cache_n_inval, 1, memory_order_relaxed);
}

void
cache_flush(void)
{
	atomic_fetch_add(&cache_n_notices, 1);
	atomic_fetch_add(&cache_global_gen, 1);
	atomic_fetch_add_explicit(&cache_n_inval, 1, memory_order_relaxed);
}

unsigned long
cache_notices(void)
{
	return atomic_load(&cache_n_notices);
}

void
cache_stats(struct cache_stats *ret)
{
	memset(ret, 0, sizeof *ret);
	ret->hits = atomic_load(&cache_n_hits);
	ret->misses = atomic_load(&cache_n_misses);
	ret->stores = atomic_load(&cache_n_stores);
	ret->evictions = atomic_load(&cache_n_evictions);
	ret->invalidations = atomic_load(&cache_n_inval);
	for (int i = 0; i < CACHE_SHARDS; i++) {
		pthread_mutex_lock(&cache_shards[i].lock);
		ret->bytes += cache_shards[i].bytes;
		ret->entries += cache_shards[i].entries;
		pthread_mutex_unlock(&cache_shards[i].lock);
	}
}

void
cache_notice(const char *payload)
{
	if (strcmp(payload, "all") == 0)
		cache_flush();
	else
		cache_invalidate(payload);
}

void
cache_set_live(bool live)
{
	/* Anything may have changed while nobody was listening: drop it all, before serving
	 * again and after serving stops. */
	if (!live)
		atomic_store(&cache_live, false);
	cache_flush();
	if (live)
		atomic_store(&cache_live, true);
}
