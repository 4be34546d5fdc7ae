/* core/arena.h — bump allocator owned by one unit of work (a request, a CLI command).
 *
 * Everything allocated from an arena is freed at once by arena_free(). Non-memory
 * resources (a PGresult, a json_t, a file) are tied to the arena with arena_defer():
 * their release functions run, newest first, when the arena is freed.
 *
 * Allocation never fails: on out-of-memory the process aborts (core_oom), because a
 * server that cannot allocate a few kilobytes cannot answer anything useful either.
 * Not thread-safe: an arena belongs to one thread at a time. */
#ifndef CORRAL_CORE_ARENA_H
#define CORRAL_CORE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena;

/* A new empty arena. Caller frees with arena_free(). */
struct arena *arena_new(void);

/* The same with a first chunk of about `first` bytes (clamped to what a chunk can be), for
 * arenas that live long and hold little: each one's first page is resident memory. */
struct arena *arena_new_sized(size_t first);

/* Release every allocation and run every deferred function (newest first). NULL is a no-op. */
void arena_free(struct arena *a);

/* n bytes aligned for any type; n == 0 returns a valid unique pointer. Contents undefined. */
void *arena_alloc(struct arena *a, size_t n);

/* nmemb * size bytes, zeroed; aborts on multiplication overflow. */
void *arena_calloc(struct arena *a, size_t nmemb, size_t size);

/* Copies of strings; the result is NUL-terminated and arena-owned. NULL in, NULL out. */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);

/* printf into the arena. */
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Run fn(arg) when the arena is freed. */
void arena_defer(struct arena *a, void (*fn)(void *), void *arg);

/* Bytes handed out so far (for tests and metrics). */
size_t arena_used(const struct arena *a);

/* --- the arena in scope, for libraries that allocate through hooks (jansson) ---
 *
 * While a thread has an arena in scope, arena_hook_malloc() takes memory from it and
 * arena_hook_free() of such memory does nothing: the arena frees it all at once. Outside
 * a scope they are malloc and free. Every block carries a small header saying which, so
 * a value made in one mode may be freed in the other. Used as jansson's allocator
 * (json_set_alloc_funcs at start-up) with the request's arena in scope while a request
 * is handled: a thread page builds thousands of small values, and malloc/free of them
 * were a third of its CPU. The rule that comes with it: a value allocated in a scope
 * must not outlive the arena (nothing made while handling a request is kept after it).
 */

/* Put a in scope on this thread (NULL: none); returns the one it replaces. */
struct arena *arena_scope_set(struct arena *a);
/* The arena in scope on this thread, or NULL. */
struct arena *arena_scope_get(void);

/* malloc/free with the rules above; arena_hook_malloc returns NULL only when malloc does. */
void *arena_hook_malloc(size_t n);
void arena_hook_free(void *p);

/* Abort with a message: the one out-of-memory policy of the whole program. */
_Noreturn void core_oom(void);
/* realloc(p, nmemb * size) under that policy: an overflowing size is out of memory too,
 * and it never asks realloc for 0 bytes (so never frees p). */
void *core_realloc_array(void *p, size_t nmemb, size_t size);

#endif
