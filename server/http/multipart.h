/* http/multipart.h — a strictly bounded multipart/form-data decoder (RFC 7578) for the
 * upload routes, kept free of MHD so it can be unit-tested and fuzzed.
 *
 * The body is already in memory (its size bounded by the route's limit): parts point
 * into it, nothing is copied but the names. Only what browsers send is accepted: a
 * Content-Disposition: form-data with a name per part, an optional Content-Type, CRLF line
 * ends; anything else is malformed. */
#ifndef CORRAL_HTTP_MULTIPART_H
#define CORRAL_HTTP_MULTIPART_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/ctx.h"

struct req;

#define MULTIPART_MAX_PARTS 32
#define MULTIPART_MAX_HEADERS 2048   /* bytes of one part's header block */

struct multipart_part {
	const char *name;        /* the form field (arena copy) */
	const char *filename;    /* a file input's file name (arena copy), or NULL */
	const char *type;        /* its declared Content-Type (arena copy), or NULL */
	const char *data;        /* into the body */
	size_t len;
};

/* The boundary parameter of a multipart/form-data Content-Type, copied into out (1..70
 * characters, RFC 2046). 0, or -1 when the type is not multipart/form-data or has no
 * usable boundary. */
int multipart_boundary(const char *content_type, char *out, size_t size);

/* Split body[0..len) into at most max parts. Returns the number of parts, or -1 with
 * *ret_msg set to a short static description. */
int multipart_parse(struct arena *a, const char *body, size_t len, const char *boundary,
		    struct multipart_part *parts, size_t max, const char **ret_msg);

/* The body of a ROUTE_UPLOAD request sent as multipart/form-data (content type ct): text
 * fields into r->input as a urlencoded form's would be (valid UTF-8, a repeated name an
 * array), file parts into r->files in order (an empty file input, filename "" and no
 * bytes, is left out). HERR_OK, or a 400 recorded. */
enum herr multipart_input(struct req *r, const char *ct);

#endif
