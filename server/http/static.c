/* http/static.c — web/static served from memory (the files are embedded in the binary),
 * with a content type, a content-hash ETag and long caching for versioned URLs.
 *
 * Paths are looked up in the embedded table, never on disk, so "../" can reach nothing. */
#include "http/internal.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/embedded.h"
#include "core/log.h"

#define STATIC_PREFIX "web/static/"

static struct static_file *static_files;
static size_t static_count;
static char static_v[17];

static const struct {
	const char *ext, *type;
} static_types[] = {
	{ ".css", "text/css; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".ico", "image/x-icon" },
	{ ".woff2", "font/woff2" },
	{ ".txt", "text/plain; charset=utf-8" },
	{ ".json", "application/json" },
	{ ".webmanifest", "application/manifest+json" },
};

static const char *
static_type(const char *path)
{
	const char *dot = strrchr(path, '.');

	for (size_t i = 0; dot && i < sizeof static_types / sizeof static_types[0]; i++)
		if (strcmp(dot, static_types[i].ext) == 0)
			return static_types[i].type;
	return "application/octet-stream";
}

static void
static_hex(const unsigned char *h, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[h[i] >> 4];
		out[2 * i + 1] = hex[h[i] & 15];
	}
	out[2 * n] = '\0';
}

int
static_init(void)
{
	crypto_generichash_state all;
	unsigned char h[8];
	size_t n = 0;

	if (static_files)
		return 0;
	for (const struct embedded_file *f = embedded_files; f->path; f++)
		if (strncmp(f->path, STATIC_PREFIX, sizeof STATIC_PREFIX - 1) == 0)
			n++;
	static_files = calloc(n + 1, sizeof *static_files);
	if (static_files == NULL)
		core_oom();
	crypto_generichash_init(&all, NULL, 0, sizeof h);
	for (const struct embedded_file *f = embedded_files; f->path; f++) {
		struct static_file *s;
		char hex[17];

		if (strncmp(f->path, STATIC_PREFIX, sizeof STATIC_PREFIX - 1) != 0)
			continue;
		s = &static_files[static_count++];
		s->path = f->path + sizeof STATIC_PREFIX - 1;
		s->data = f->data;
		s->len = f->len;
		s->content_type = static_type(s->path);
		crypto_generichash(h, sizeof h, f->data, f->len, NULL, 0);
		static_hex(h, sizeof h, hex);
		snprintf(s->etag, sizeof s->etag, "\"%s\"", hex);
		crypto_generichash_update(&all, h, sizeof h);
	}
	crypto_generichash_final(&all, h, sizeof h);
	static_hex(h, sizeof h, static_v);
	return 0;
}

const struct static_file *
static_find(const char *path)
{
	for (size_t i = 0; i < static_count; i++)
		if (strcmp(static_files[i].path, path) == 0)
			return &static_files[i];
	return NULL;
}

const char *
static_version(void)
{
	return static_v;
}
