/* render/jsontext.c — the JSON text of a value, into a buf or an arena. */
#include "render/jsontext.h"

static int
jsontext_put(const char *p, size_t n, void *data)
{
	buf_append(data, p, n);
	return 0;
}

int
jsontext_buf(const json_t *v, size_t flags, struct buf *out)
{
	return json_dump_callback(v, jsontext_put, out, flags);
}

char *
jsontext_arena(struct arena *a, const json_t *v, size_t flags)
{
	struct buf b = BUF_INIT;
	char *s = NULL;

	if (jsontext_buf(v, flags, &b) == 0)
		s = arena_strndup(a, b.data ? b.data : "", b.len);
	buf_free(&b);
	return s;
}
