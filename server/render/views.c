/* render/views.c — loads the embedded templates into one compiled set. */
#include "render/views.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/embedded.h"
#include "core/log.h"

#define VIEWS_PREFIX "web/templates/"

size_t
views_unindent(const char *src, size_t len, char *out)
{
	size_t i = 0, o = 0;
	bool pre = false, line_start = true;

	while (i < len) {
		if (!pre && len - i >= 4 && strncmp(src + i, "<pre", 4) == 0 &&
		    (len - i == 4 || src[i + 4] == '>' || src[i + 4] == ' '))
			pre = true;
		else if (pre && len - i >= 6 && strncmp(src + i, "</pre>", 6) == 0)
			pre = false;
		if (line_start && !pre && (src[i] == ' ' || src[i] == '\t')) {
			i++;
			continue;
		}
		line_start = src[i] == '\n';
		out[o++] = src[i++];
	}
	return o;
}

struct tmpl_set *
views_load(void)
{
	struct tmpl_set *set = tmpl_set_new();
	char *err = NULL;

	for (const struct embedded_file *f = embedded_files; f->path; f++) {
		char name[256];
		const char *base, *dot;

		if (strncmp(f->path, VIEWS_PREFIX, sizeof VIEWS_PREFIX - 1) != 0)
			continue;
		base = f->path + sizeof VIEWS_PREFIX - 1;
		dot = strrchr(base, '.');
		/* Pages are .html, feeds .xml; the name is the file name without it. */
		if (dot == NULL || (strcmp(dot, ".html") != 0 && strcmp(dot, ".xml") != 0) ||
		    (size_t)(dot - base) >= sizeof name)
			continue;
		memcpy(name, base, (size_t)(dot - base));
		name[dot - base] = '\0';
		char *src = malloc(f->len ? f->len : 1);
		int rc;

		if (src == NULL)
			goto fail;
		rc = tmpl_set_add(set, name, src, views_unindent((const char *)f->data, f->len, src), &err);
		free(src);
		if (rc != 0)
			goto fail;
	}
	if (tmpl_set_finalize(set, &err) != 0)
		goto fail;
	return set;
fail:
	log_error("views: %s", err ? err : "cannot compile templates");
	free(err);
	tmpl_set_free(set);
	return NULL;
}
