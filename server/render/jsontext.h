/* render/jsontext.h — the JSON text of a value: the API view of a model, and the JSON
 * that is stored (modlog details, survey answers, idempotent answers).
 *
 * jansson's json_dumps() returns memory from jansson's allocator, which in Corral is the
 * request's arena while a request is handled (core/arena.h) and so must never be given
 * to free(); these write into a buf or the arena instead, and copy nothing twice. */
#ifndef CORRAL_RENDER_JSONTEXT_H
#define CORRAL_RENDER_JSONTEXT_H

#include <jansson.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"

/* Append the text of v (json_dumps flags) to out. 0, or -1 when v cannot be encoded. */
int jsontext_buf(const json_t *v, size_t flags, struct buf *out);

/* The text of v in a, NUL-terminated; NULL when v cannot be encoded. */
char *jsontext_arena(struct arena *a, const json_t *v, size_t flags);

#endif
