/* core/arena.c — chunked bump allocator with deferred cleanups. */
#include "core/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Most requests fit in the first chunk; big ones (a 1 MiB body) get a chunk of their own
 * so one large allocation does not waste the rest of a normal chunk. */
#define ARENA_CHUNK 8192u
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

static struct chunk *
arena_chunk_new(size_t size)
{
	struct chunk *c;

	if (size > SIZE_MAX - sizeof *c)
		core_oom();
	c = malloc(sizeof *c + size);
	if (c == NULL)
		core_oom();
	c->next = NULL;
	c->size = size;
	c->used = 0;
	return c;
}

struct arena *
arena_new(void)
{
	struct arena *a = calloc(1, sizeof *a);

	if (a == NULL)
		core_oom();
	a->head = arena_chunk_new(ARENA_CHUNK - sizeof(struct chunk));
	return a;
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
		free(c);
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
	if (need > (ARENA_CHUNK - sizeof(struct chunk)) / 4) {
		c = arena_chunk_new(need);
		c->used = need;
		c->next = a->big;
		a->big = c;
		a->total += need;
		return c->data;
	}
	c = arena_chunk_new(ARENA_CHUNK - sizeof(struct chunk));
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
