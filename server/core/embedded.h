/* core/embedded.h — files built into the binary by tools/embed.py: the schema
 * migrations, the HTML templates and the static assets. */
#ifndef CORRAL_CORE_EMBEDDED_H
#define CORRAL_CORE_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
	const char *path;            /* relative to the source root, e.g. "schema/0001_init.sql" */
	const unsigned char *data;   /* NUL-terminated for convenience */
	size_t len;
};

/* Sorted by path; ends with an entry whose path is NULL. */
extern const struct embedded_file embedded_files[];

#endif
