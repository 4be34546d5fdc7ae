/* media/sniff.c — see media.h: a file's type from its first bytes. Only types on this
 * list are ever stored; everything else is refused. A non-image file must not look like
 * markup in the bytes a browser sniffs (the first 1 KiB), so a PDF/HTML or ZIP/HTML
 * polyglot is refused even though it is served as an attachment. */
#include "media/media.h"

#include <string.h>
#include <strings.h>

#include "core/utf8.h"

#define SNIFF_WINDOW 1024

static bool
sniff_prefix(const unsigned char *d, size_t len, const char *magic, size_t n)
{
	return len >= n && memcmp(d, magic, n) == 0;
}

static bool
sniff_contains(const unsigned char *d, size_t len, const char *s)
{
	return memmem(d, len, s, strlen(s)) != NULL;
}

/* Case-insensitive search for the markup that makes a browser render or run a file. */
static bool
sniff_markup(const unsigned char *d, size_t len, bool xml_too)
{
	static const char *const tags[] = { "<!doctype", "<html", "<script", "<body", "<head",
					    "<iframe", "<svg", "<object", "<embed", "<?xml" };
	size_t n = len < SNIFF_WINDOW ? len : SNIFF_WINDOW;

	for (size_t i = 0; i < n; i++) {
		if (d[i] != '<')
			continue;
		for (size_t t = 0; t < sizeof tags / sizeof tags[0]; t++) {
			size_t tl = strlen(tags[t]);

			if (!xml_too && strcmp(tags[t], "<?xml") == 0)
				continue;
			if (n - i >= tl && strncasecmp((const char *)d + i, tags[t], tl) == 0)
				return true;
		}
	}
	return false;
}

/* Office Open XML: a ZIP whose first entries name [Content_Types].xml and the part folder
 * of one application. Only the names are looked at (they are stored uncompressed in the
 * local headers), never the contents. */
static enum media_type
sniff_office(const unsigned char *d, size_t len)
{
	if (!sniff_prefix(d, len, "PK\x03\x04", 4) || !sniff_contains(d, len, "[Content_Types].xml"))
		return MEDIA_UNKNOWN;
	if (sniff_contains(d, len, "word/"))
		return MEDIA_DOCX;
	if (sniff_contains(d, len, "xl/"))
		return MEDIA_XLSX;
	if (sniff_contains(d, len, "ppt/"))
		return MEDIA_PPTX;
	return MEDIA_UNKNOWN;
}

/* Text: valid UTF-8 without NUL or other C0 controls than tab, line ends and form feed
 * (a binary format's header is full of them). */
static bool
sniff_text(const unsigned char *d, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (d[i] < 0x20 && d[i] != '\t' && d[i] != '\n' && d[i] != '\r' && d[i] != '\f')
			return false;
	return len > 0 && utf8_valid((const char *)d, len);
}

static bool
sniff_name_ends(const char *name, const char *ext)
{
	size_t n = name ? strlen(name) : 0, e = strlen(ext);

	return n > e && strcasecmp(name + n - e, ext) == 0;
}

static bool
sniff_named_image(const char *name)
{
	static const char *const exts[] = { ".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".bmp", ".ico" };

	for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
		if (sniff_name_ends(name, exts[i]))
			return true;
	return false;
}

static enum media_type
sniff_image(const unsigned char *d, size_t len)
{
	if (sniff_prefix(d, len, "\xff\xd8\xff", 3))
		return MEDIA_JPEG;
	if (sniff_prefix(d, len, "\x89PNG\r\n\x1a\n", 8))
		return MEDIA_PNG;
	if (sniff_prefix(d, len, "GIF87a", 6) || sniff_prefix(d, len, "GIF89a", 6))
		return MEDIA_GIF;
	if (len >= 12 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0)
		return MEDIA_WEBP;
	return MEDIA_UNKNOWN;
}

enum media_type
media_sniff(const unsigned char *d, size_t len, const char *name, enum media_refusal *ret_refusal)
{
	enum media_type t = sniff_image(d, len);
	bool text;

	*ret_refusal = MEDIA_OK;
	/* An image is decoded and encoded again: whatever else its bytes hold is gone. */
	if (t != MEDIA_UNKNOWN)
		return t;
	if (sniff_prefix(d, len, "%PDF-", 5))
		t = MEDIA_PDF;
	else
		t = sniff_office(d, len);
	text = t == MEDIA_UNKNOWN && sniff_text(d, len);
	if (sniff_named_image(name)) {
		*ret_refusal = MEDIA_MISMATCH;
		return MEDIA_UNKNOWN;
	}
	if ((t != MEDIA_UNKNOWN || text) && sniff_markup(d, len, t != MEDIA_DOCX && t != MEDIA_XLSX && t != MEDIA_PPTX)) {
		*ret_refusal = MEDIA_MARKUP;
		return MEDIA_UNKNOWN;
	}
	if (text)
		return MEDIA_TEXT;
	if (t == MEDIA_UNKNOWN)
		*ret_refusal = MEDIA_NOT_ALLOWED;
	return t;
}

const char *
media_kind(enum media_type t)
{
	switch (t) {
	case MEDIA_JPEG: case MEDIA_PNG: case MEDIA_GIF: case MEDIA_WEBP:
		return "image";
	case MEDIA_PDF:
		return "pdf";
	case MEDIA_TEXT:
		return "text";
	case MEDIA_DOCX: case MEDIA_XLSX: case MEDIA_PPTX:
		return "office";
	case MEDIA_UNKNOWN:
		break;
	}
	return NULL;
}

const char *
media_ext(enum media_type t, const char *name)
{
	switch (t) {
	case MEDIA_JPEG: return "jpg";
	case MEDIA_PNG: return "png";
	case MEDIA_GIF: return "gif";
	case MEDIA_WEBP: return "webp";
	case MEDIA_PDF: return "pdf";
	case MEDIA_TEXT: return sniff_name_ends(name, ".csv") ? "csv" : "txt";
	case MEDIA_DOCX: return "docx";
	case MEDIA_XLSX: return "xlsx";
	case MEDIA_PPTX: return "pptx";
	case MEDIA_UNKNOWN: break;
	}
	return "bin";
}

const char *
media_content_type(enum media_type t, const char *name)
{
	switch (t) {
	case MEDIA_JPEG: return "image/jpeg";
	case MEDIA_PNG: return "image/png";
	case MEDIA_GIF: return "image/gif";
	case MEDIA_WEBP: return "image/webp";
	case MEDIA_PDF: return "application/pdf";
	case MEDIA_TEXT:
		return sniff_name_ends(name, ".csv") ? "text/csv; charset=utf-8" : "text/plain; charset=utf-8";
	case MEDIA_DOCX: return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
	case MEDIA_XLSX: return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
	case MEDIA_PPTX: return "application/vnd.openxmlformats-officedocument.presentationml.presentation";
	case MEDIA_UNKNOWN: break;
	}
	return "application/octet-stream";
}
