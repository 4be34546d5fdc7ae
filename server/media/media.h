/* media/media.h — what an uploaded file is, judged by its bytes alone (sniff.c: magic
 * numbers, never the name or the declared type), and images decoded and re-encoded
 * through libvips (image.c: header checked against a pixel limit before any decoding,
 * truncated or corrupt files refused, resized, metadata stripped).
 *
 * No HTTP and no database here: the forum's uploads (forum/uploads.c) call these. */
#ifndef CORRAL_MEDIA_MEDIA_H
#define CORRAL_MEDIA_MEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum media_type {
	MEDIA_UNKNOWN = 0,
	MEDIA_JPEG,
	MEDIA_PNG,
	MEDIA_GIF,
	MEDIA_WEBP,
	MEDIA_PDF,
	MEDIA_TEXT,      /* UTF-8 text, no NUL or other controls, not markup */
	MEDIA_DOCX,      /* Office Open XML: a ZIP with [Content_Types].xml and word/ */
	MEDIA_XLSX,      /*   ... xl/ */
	MEDIA_PPTX,      /*   ... ppt/ */
};

/* Why a file was refused, for the caller to word. */
enum media_refusal {
	MEDIA_OK = 0,
	MEDIA_NOT_ALLOWED,   /* no allowed kind by content */
	MEDIA_MARKUP,        /* looks like HTML/SVG/XML: a browser could run it */
	MEDIA_MISMATCH,      /* the name says image, the bytes do not */
};

/* What the bytes are. name (may be NULL) is only used to refuse a mismatch: a file named
 * like an image whose content is not one. */
enum media_type media_sniff(const unsigned char *data, size_t len, const char *name,
			    enum media_refusal *ret_refusal);

/* The coarse kind of a type, as options and the API name it: "image", "pdf", "text",
 * "office"; NULL for MEDIA_UNKNOWN. */
const char *media_kind(enum media_type t);
/* The extension and Content-Type a non-image file is served with. A text file named
 * *.csv keeps csv (text/csv); every other text is txt. */
const char *media_ext(enum media_type t, const char *name);
const char *media_content_type(enum media_type t, const char *name);
static inline bool
media_is_image(enum media_type t)
{
	return t >= MEDIA_JPEG && t <= MEDIA_WEBP;
}

/* --- images (image.c) --- */

/* An animated GIF's frames kept at most (beyond: its first frame only). */
#define MEDIA_GIF_MAX_FRAMES 300

struct media_limits {
	int max_edge;           /* the long edge after resizing, in pixels */
	int64_t max_pixels;     /* width * height refused beyond this, before decoding */
};

struct media_image {
	unsigned char *data;    /* the re-encoded file: free with media_image_free */
	size_t len;
	int width, height;
	const char *ext;        /* "jpg", "png" */
	const char *type;       /* "image/jpeg", "image/png" */
};

enum media_image_err {
	MEDIA_IMAGE_OK = 0,
	MEDIA_IMAGE_BOMB,       /* declared dimensions over the pixel limit */
	MEDIA_IMAGE_CORRUPT,    /* truncated, corrupt, or not the type sniffed */
	MEDIA_IMAGE_FAILED,     /* libvips failed otherwise (logged) */
};

/* Start libvips once, before any thread uses it: one worker thread per operation, no
 * operation cache kept between requests, untrusted loaders blocked. 0 or -1 (logged). */
int media_init(void);

/* Decode an image of type t (sniffed) and encode it again: autorotated, no larger than
 * max_edge on its long side, every metadata block dropped; PNG when it has an alpha
 * channel (transparency kept), JPEG otherwise. */
enum media_image_err media_image_reencode(const unsigned char *data, size_t len, enum media_type t,
					  const struct media_limits *lim, struct media_image *ret);
void media_image_free(struct media_image *img);

#endif
