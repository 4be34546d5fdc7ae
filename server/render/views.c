/* render/views.c — loads the embedded templates into one compiled set. */
#include "render/views.h"

#include <stdlib.h>
#include <string.h>

#include "core/embedded.h"
#include "core/log.h"

#define VIEWS_PREFIX "web/templates/"

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
		if (tmpl_set_add(set, name, (const char *)f->data, f->len, &err) != 0)
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
