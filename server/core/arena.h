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

/* Abort with a message: the one out-of-memory policy of the whole program. */
_Noreturn void core_oom(void);

#endif
