/* core/kept.h — values made from a text, kept across requests and threads, keyed by the
 * whole text.
 *
 * A thread list's rows carry JSON texts that repeat from request to request (the authors of
 * the threads on the home page, their categories, their voices), and so does a thread
 * page's posts (their authors): parsing or deriving them again for every page was a fifth
 * of a signed-in home page's instructions and 8 % of an uncached thread page's (issue 20,
 * docs/performance.md). A table remembers the value made from each text; a hit is a hash
 * and a comparison of the text. The key is the text itself, so a kept value is never
 * stale: a changed author is another text, on every instance.
 *
 * Kept values are shared and must never be changed by whoever receives them. They are made
 * with no arena in scope (core/arena.h), so they outlive the request that made them; a
 * request holds them by references its arena gives back when it is freed. One table per
 * kind for the whole process, four-way set-associative (a text finding its set full takes
 * the slot its hash picks), behind a mutex held for a look-up or an insert, never while a
 * value is made: a table per thread missed whenever another worker than the first served a
 * page (a thread page's authors were parsed again on most pages measured).
 */
#ifndef CORRAL_CORE_KEPT_H
#define CORRAL_CORE_KEPT_H

#include <jansson.h>
#include <pthread.h>
#include <stddef.h>

#define KEPT_SLOTS 256

/* One kind of kept value: static, initialised with KEPT_INIT(make) (KEPT_SLOTS slots) or
 * KEPT_INIT_N(make, slots) (a power of two). make builds the value of a text (a new
 * reference, never NULL) from the text or from arg, the caller's: then the text must say
 * everything make reads (a row's cells, each with its length). make may itself ask for kept
 * values (no lock is held while it runs). */
struct kept_slot;
struct kept {
	json_t *(*make)(const char *s, size_t len, void *arg);
	size_t nslots;
	pthread_mutex_t lock;
	struct kept_slot *slots;     /* made at first use */
};
#define KEPT_INIT_N(fn, n) { .make = (fn), .nslots = (n), .lock = PTHREAD_MUTEX_INITIALIZER }
#define KEPT_INIT(fn) KEPT_INIT_N(fn, KEPT_SLOTS)

/* The value of s[0..len), never NULL; arg is passed to make. With an arena
 * in scope (a request: core/arena.h) the reference is the arena's, given back when it is
 * freed — put the value into the request's model, never decref it, and never release
 * that model value by value (json_decref of the model, json_array_remove of a row holding
 * it): the arena gives the references back, and would give them back a second time. With
 * no arena in scope (inside a make, a test) it is a new reference for the caller. A text longer than KEPT_TEXT_MAX, or a table that could not be allocated, is made
 * each time and not kept. */
#define KEPT_TEXT_MAX 4096
json_t *kept_get(struct kept *k, const char *s, size_t len, void *arg);
/* Another reference to v, a value kept_get gave, on the same terms: the arena's in a
 * request (for a value put into the model more than once: a thread page's author). */
json_t *kept_ref(json_t *v);

#endif
