/* forum/uploads.h — uploaded images and files ([api](docs/api.md#uploads),
 * [operations](docs/operations.md#uploads)): POST /api/v1/uploads, the file input of the
 * reply and new-thread forms (the Markdown link appended to the post), and
 * GET /uploads/{hash}.{ext}. What a file is comes from media/ (by content); the bytes are
 * kept in PostgreSQL (schema/0029), one copy per content. */
#ifndef CORRAL_FORUM_UPLOADS_H
#define CORRAL_FORUM_UPLOADS_H

#include <stddef.h>

#include "core/ctx.h"
#include "core/opt.h"
#include "http/router.h"

struct req;

struct upload_config {
	size_t max_bytes;          /* --upload-max-mb: one file */
	size_t daily_bytes;        /* --upload-daily-mb: per member per 24 hours */
	int daily_count;           /* --upload-daily-count */
	const char *kinds;         /* --upload-kinds: image,pdf,text,office */
	int max_edge;              /* --upload-image-max-px: long edge after resizing */
	int max_megapixels;        /* --upload-image-max-mp: refused above, before decoding */
	int draft_hours;           /* --upload-draft-hours: an upload no post links to is
				      deleted after this long */
};
extern const struct opt_table upload_opts;

/* Keep the settings and start libvips. 0; 2 after a line on stderr when --upload-kinds
 * names a kind there is not; 1 when libvips cannot start (logged). */
int uploads_configure(const struct upload_config *cfg);
/* The request body limit of the upload routes: a file, the form around it, framing. */
size_t uploads_body_limit(const struct upload_config *cfg);

/* In a reply or new-thread form handler, before the body is read: each file of the
 * "file" input is stored and its Markdown appended to the "body" field (a form posted
 * without JS). 0, or -1 with the error recorded (nothing stored for that file). */
int uploads_attach_form(struct req *r);

/* Maintenance: delete uploads no post links to after the draft window. */
void uploads_expire(struct ctx *c);

extern const struct route uploads_routes[];
extern const size_t uploads_routes_n;

#endif
