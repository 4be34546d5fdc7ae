/* core/kept.h — values made from a text, kept per thread across requests, keyed by the
 * whole text.
 *
 * A thread list's rows carry JSON texts that repeat from request to request (the authors of
 * the threads on the home page, their categories, their voices): parsing or deriving them
 * again for every signed-in home page was a fifth of its instructions (issue 20,
 * docs/performance.md "Signed-in home page: instructions"). A table remembers the value made
 * from each text; a hit is a hash and a comparison of the text. The key is the text itself,
 * so a kept value is never stale: a changed author is another text.
 *
 * Kept values are shared and must never be changed by whoever receives them. They are made
 * with no arena in scope (core/arena.h), so they outlive the request that made them; a
 * request holds them by a reference its arena gives back. Each thread
 * has its own table (no locks), direct-mapped with KEPT_SLOTS slots (a colliding text takes
 * the slot), freed when the thread ends.
 */
#ifndef CORRAL_CORE_KEPT_H
#define CORRAL_CORE_KEPT_H

#include <jansson.h>
#include <pthread.h>
#include <stddef.h>

#define KEPT_SLOTS 256

/* One kind of kept value: static, initialised with KEPT_INIT(make). make builds the value
 * of a text (a new reference, never NULL) from the text or from arg, the caller's: then
 * the text must say everything make reads (a row's cells, each with its length). */
struct kept {
	json_t *(*make)(const char *s, size_t len, void *arg);
	int ready;           /* key made */
	pthread_key_t key;
};
#define KEPT_INIT(fn) { .make = (fn) }

/* The value of s[0..len) for this thread, never NULL; arg is passed to make. With an arena
 * in scope (a request: core/arena.h) the reference is the arena's, given back when it is
 * freed — put the value into the request's model, never decref it, and never release
 * that model value by value (json_decref of the model, json_array_remove of a row holding
 * it): the arena gives the references back, and would give them back a second time. With
 * no arena in scope (inside a make, a test) it is a new reference for the caller. A text longer than KEPT_TEXT_MAX, or a table that could not be allocated, is made
 * each time and not kept. */
#define KEPT_TEXT_MAX 4096
json_t *kept_get(struct kept *k, const char *s, size_t len, void *arg);

#endif
