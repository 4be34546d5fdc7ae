/* core/arena.c — chunked bump allocator with deferred cleanups. */
#include "core/arena.h"

#include <pthread.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Most requests fit in the first chunk; big ones (a 1 MiB body) get a chunk of their own
 * so one large allocation does not waste the rest of a normal chunk. */
#define ARENA_CHUNK 8192u
/* A request that builds a large model (a 200-post page) gets larger chunks as it goes, up
 * to this size, which stays below glibc's mmap threshold (128 KiB): an mmap'd chunk is
 * unmapped when freed and page-faulted in again by the next request. */
#define ARENA_CHUNK_MAX (64u * 1024u)
/* Chunks of the largest size a thread keeps for its next arenas: per thread at most this
 * many × 64 KiB (512 KiB), so a busy worker does not go back to malloc for every chunk. */
#define ARENA_SPARE 8
#define ARENA_ALIGN alignof(max_align_t)

struct chunk {
	struct chunk *next;
	size_t size;   /* usable bytes in data[] */
	size_t used;
	alignas(max_align_t) unsigned char data[];
};

struct defer {
	struct defer *next;
	void (*fn)(void *);
	void *arg;
};

struct arena {
	struct chunk *head;    /* chunk currently bumped from */
	size_t chunk_size;     /* usable bytes of the next normal chunk: grows to ARENA_CHUNK_MAX */
	struct chunk *big;     /* dedicated chunks for oversized allocations */
	struct defer *defers;
	size_t total;
};

_Noreturn void
core_oom(void)
{
	static const char msg[] = "corral: out of memory\n";
	ssize_t w = write(2, msg, sizeof msg - 1);
	(void)w;
	abort();
}

void *
core_realloc_array(void *p, size_t nmemb, size_t size)
{
	if (size != 0 && nmemb > SIZE_MAX / size)
		core_oom();
	p = realloc(p, nmemb * size + 1);   /* + 1: never realloc(p, 0) */
	if (p == NULL)
		core_oom();
	return p;
}

/* The spare chunks of this thread (all ARENA_CHUNK_MAX bytes), freed when it exits. */
struct arena_spare {
	int n;
	struct chunk *c[ARENA_SPARE];
};
static _Thread_local struct arena_spare *arena_spare;
static pthread_key_t arena_spare_key;
static pthread_once_t arena_spare_once = PTHREAD_ONCE_INIT;

static void
arena_spare_free(void *p)
{
	struct arena_spare *sp = p;

	for (int i = 0; i < sp->n; i++)
		free(sp->c[i]);
	free(sp);
}

static void
arena_spare_init(void)
{
	if (pthread_key_create(&arena_spare_key, arena_spare_free) != 0)
		core_oom();
}

static bool
arena_spare_put(struct chunk *c)
{
	if (arena_spare == NULL) {
		pthread_once(&arena_spare_once, arena_spare_init);
		if ((arena_spare = calloc(1, sizeof *arena_spare)) == NULL)
			return false;
		pthread_setspecific(arena_spare_key, arena_spare);
	}
	if (arena_spare->n == ARENA_SPARE)
		return false;
	arena_spare->c[arena_spare->n++] = c;
	return true;
}

static void
arena_chunk_release(struct chunk *c)
{
	if (c->size != ARENA_CHUNK_MAX - sizeof *c || !arena_spare_put(c))
		free(c);
}

static struct chunk *
arena_chunk_new(size_t size)
{
	struct chunk *c;

	if (size > SIZE_MAX - sizeof *c)
		core_oom();
	if (size == ARENA_CHUNK_MAX - sizeof *c && arena_spare && arena_spare->n > 0) {
		c = arena_spare->c[--arena_spare->n];
		c->next = NULL;
		c->used = 0;
		return c;
	}
	c = malloc(sizeof *c + size);
	if (c == NULL)
		core_oom();
	c->next = NULL;
	c->size = size;
	c->used = 0;
	return c;
}

struct arena *
arena_new_sized(size_t first)
{
	struct arena *a = calloc(1, sizeof *a);

	if (a == NULL)
		core_oom();
	if (first < 2 * sizeof(struct chunk))
		first = 2 * sizeof(struct chunk);
	if (first > ARENA_CHUNK_MAX)
		first = ARENA_CHUNK_MAX;
	a->chunk_size = first - sizeof(struct chunk);
	a->head = arena_chunk_new(a->chunk_size);
	return a;
}

struct arena *
arena_new(void)
{
	return arena_new_sized(ARENA_CHUNK);
}

void
arena_free(struct arena *a)
{
	struct chunk *c, *next;
	struct defer *d;

	if (a == NULL)
		return;
	/* Deferred functions may still read arena memory, so they run first. */
	while ((d = a->defers) != NULL) {
		a->defers = d->next;
		d->fn(d->arg);
	}
	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		arena_chunk_release(c);
	}
	for (c = a->big; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct chunk *c = a->head;
	size_t off, need;

	if (n == 0)
		n = 1;
	if (n > SIZE_MAX - ARENA_ALIGN)
		core_oom();
	need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	off = c->used;
	if (need <= c->size - off) {
		c->used = off + need;
		a->total += need;
		return c->data + off;
	}
	/* Oversized: a chunk of its own, kept on a separate list so the current chunk
	 * stays the one being filled. */
	if (need > a->chunk_size / 4) {
		c = arena_chunk_new(need);
		c->used = need;
		c->next = a->big;
		a->big = c;
		a->total += need;
		return c->data;
	}
	if (a->chunk_size < ARENA_CHUNK_MAX - sizeof(struct chunk))
		a->chunk_size = 2 * (a->chunk_size + sizeof(struct chunk)) - sizeof(struct chunk);
	if (a->chunk_size > ARENA_CHUNK_MAX - sizeof(struct chunk))
		a->chunk_size = ARENA_CHUNK_MAX - sizeof(struct chunk);
	c = arena_chunk_new(a->chunk_size);
	c->next = a->head;
	a->head = c;
	c->used = need;
	a->total += need;
	return c->data;
}

void *
arena_calloc(struct arena *a, size_t nmemb, size_t size)
{
	void *p;

	if (size != 0 && nmemb > SIZE_MAX / size)
		core_oom();
	p = arena_alloc(a, nmemb * size);
	memset(p, 0, nmemb * size);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p;

	if (s == NULL)
		return NULL;
	p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return s == NULL ? NULL : arena_strndup(a, s, strlen(s));
}

char *
arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list ap2;
	char small[256];
	char *p;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(small, sizeof small, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return arena_strdup(a, "");
	p = arena_alloc(a, (size_t)n + 1);
	if ((size_t)n < sizeof small)
		memcpy(p, small, (size_t)n + 1);
	else
		vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

void
arena_defer(struct arena *a, void (*fn)(void *), void *arg)
{
	struct defer *d = arena_alloc(a, sizeof *d);

	d->fn = fn;
	d->arg = arg;
	d->next = a->defers;
	a->defers = d;
}

size_t
arena_used(const struct arena *a)
{
	return a->total;
}

/* --- the arena in scope --- */

static _Thread_local struct arena *arena_scope;

/* The header before every hooked block: which allocator it came from. A whole max_align_t
 * so the block after it keeps malloc's alignment. */
enum { ARENA_FROM_HEAP = 0x68656170, ARENA_FROM_ARENA = 0x6172656e };
union arena_hook_head {
	unsigned from;
	max_align_t align;
};

struct arena *
arena_scope_set(struct arena *a)
{
	struct arena *prev = arena_scope;

	arena_scope = a;
	return prev;
}

struct arena *
arena_scope_get(void)
{
	return arena_scope;
}

void *
arena_hook_malloc(size_t n)
{
	union arena_hook_head *h;

	if (n > SIZE_MAX - sizeof *h)
		return NULL;
	if (arena_scope) {
		h = arena_alloc(arena_scope, sizeof *h + n);
		h->from = ARENA_FROM_ARENA;
	} else {
		if ((h = malloc(sizeof *h + n)) == NULL)
			return NULL;
		h->from = ARENA_FROM_HEAP;
	}
	return h + 1;
}

void
arena_hook_free(void *p)
{
	union arena_hook_head *h;

	if (p == NULL)
		return;
	h = (union arena_hook_head *)p - 1;
	if (h->from == ARENA_FROM_HEAP) {
		h->from = 0;   /* a second free of the block then aborts below instead of corrupting */
		free(h);
	} else if (h->from != ARENA_FROM_ARENA) {
		static const char msg[] = "corral: arena_hook_free of a block it did not allocate\n";
		ssize_t w = write(2, msg, sizeof msg - 1);

		(void)w;
		abort();
	}
}
