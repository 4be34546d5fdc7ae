/* http/cache.h — rendered responses kept in memory for anonymous readers.
 *
 * An entry is tagged ("t:42" for thread 42, "lists" for every list of threads) and a tag
 * is invalidated by bumping its generation: an entry is valid only while the generations
 * it was rendered under are current. The generations are read before the handler reads
 * the database, so a page rendered while a write commits is never kept as current.
 * Generations live in a fixed array indexed by a hash of the tag: two tags sharing a slot
 * only cost an extra miss, never a stale hit.
 *
 * Invalidations come from PostgreSQL (triggers NOTIFY corral_cache on commit), through
 * the application, which hands every notice to cache_notice; so every instance on one
 * database drops the same pages. This module knows nothing of where they come from.
 *
 * Signed-in readers' pages are kept here too, as the part every viewer of a kind sees
 * with holes for the rest (forum/sharedpage.c): their keys never equal an anonymous
 * page's, and only that module reads them. */
#ifndef CORRAL_HTTP_CACHE_H
#define CORRAL_HTTP_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/opt.h"

#define CACHE_MAX_TAGS 4

struct cache_entry;

/* What `corral serve` sets: --cache-mb (http/options.c). */
struct cache_config {
	size_t budget;                /* bytes; 0 disables the cache */
};
extern const struct opt_table cache_opts;

/* Budget in bytes (0 disables the cache). Call once before threads start. */
void cache_init(size_t budget);
bool cache_enabled(void);
/* Enabled and kept current (cache_set_live): entries are served and stored now. */
bool cache_serving(void);

/* A tag's current stamp, to pass to cache_put later. */
struct cache_stamp {
	uint32_t slot, gen;
};
struct cache_stamp cache_stamp(const char *tag);

/* A valid entry for key, with a reference the caller releases with cache_release(), or
 * NULL. */
struct cache_entry *cache_get(const char *key);
/* cache_get for what is not a page (forum/sharedpage.c's and auth/viewer_cache.c's entries
 * about one reader): not counted in the hits and misses, which are pages'. */
struct cache_entry *cache_lookup(const char *key);
void cache_release(struct cache_entry *e);
const char *cache_body(const struct cache_entry *e, size_t *ret_len);
const char *cache_etag(const struct cache_entry *e);
const char *cache_type(const struct cache_entry *e);
int cache_status(const struct cache_entry *e);

/* Keep a copy of body (whose cache_etag_of is etag) under key, valid while the stamps
 * (taken before rendering) and the global generation are current. content_type must be a
 * static string. */
void cache_put(const char *key, const char *content_type, int status, const char *body, size_t len,
	       const char *etag, const struct cache_stamp *stamps, size_t nstamps, uint32_t global_gen);

/* cache_put with aux[0..aux_len) kept beside the body (cache_aux), for a caller that
 * stores more than a response: forum/sharedpage.c keeps a page's holes there. */
void cache_put_aux(const char *key, const char *content_type, int status, const char *body, size_t len,
		   const char *etag, const struct cache_stamp *stamps, size_t nstamps, uint32_t global_gen,
		   const void *aux, size_t aux_len);
const void *cache_aux(const struct cache_entry *e, size_t *ret_len);
/* Keep body and aux under key for exactly as long as e (its stamps, generation, status
 * and ETag): what a caller derived from e's body. */
void cache_put_beside(const struct cache_entry *e, const char *key, const char *content_type, const char *body,
		      size_t len, const void *aux, size_t aux_len);

/* The global generation now (take it with the stamps). */
uint32_t cache_global(void);

/* Drop every entry of tag / everything. */
void cache_invalidate(const char *tag);
void cache_flush(void);

/* How many invalidations and flushes have begun. Each is counted before its generation
 * moves, so a caller that cannot take its stamps before reading the database (it learns
 * the tag from the answer) reads this before, takes the stamps after, and keeps the entry
 * only if it has not changed: a notice it might have missed changed it. */
unsigned long cache_notices(void);
/* ETag of a body: "\"" + 16 hex + "\"" (18 bytes + NUL), from XXH3-64 of the bytes. */
void cache_etag_of(const char *body, size_t len, char out[20]);

/* One invalidation notice: "all" drops everything, anything else is a tag. Thread-safe
 * and quick (it bumps a generation). */
void cache_notice(const char *payload);

/* Whether invalidations arrive now. Nothing is served or stored while they do not (a
 * write elsewhere would go unnoticed); every change of state drops everything, as
 * notices may have been missed. Off until first called with true. */
void cache_set_live(bool live);

struct cache_stats {
	unsigned long hits, misses, stores, evictions, invalidations, bytes, entries;
};
void cache_stats(struct cache_stats *ret);

#endif
