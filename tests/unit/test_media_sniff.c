/* Unit tests for media/sniff: a file's type by its bytes, never by its name. */
#include <string.h>

#include "media/media.h"
#include "tap.h"

#define B(s) (const unsigned char *)(s), sizeof(s) - 1

static enum media_type
sniff(const unsigned char *d, size_t n, const char *name, enum media_refusal want_why, const char *label)
{
	enum media_refusal why;
	enum media_type t = media_sniff(d, n, name, &why);

	is_int(why, want_why, "%s: refusal", label);
	return t;
}

int
main(void)
{
	is_int(sniff(B("\xff\xd8\xff\xe0rest"), "x.txt", MEDIA_OK, "jpeg"), MEDIA_JPEG, "JPEG by magic, whatever the name");
	is_int(sniff(B("\x89PNG\r\n\x1a\nrest"), NULL, MEDIA_OK, "png"), MEDIA_PNG, "PNG");
	is_int(sniff(B("GIF89a..."), "a.gif", MEDIA_OK, "gif"), MEDIA_GIF, "GIF89a");
	is_int(sniff(B("GIF87a..."), "a.gif", MEDIA_OK, "gif87"), MEDIA_GIF, "GIF87a");
	is_int(sniff(B("RIFF\0\0\0\0WEBPVP8 "), "a.webp", MEDIA_OK, "webp"), MEDIA_WEBP, "WebP");
	is_int(sniff(B("RIFF\0\0\0\0WAVEfmt "), "a.wav", MEDIA_NOT_ALLOWED, "wav"), MEDIA_UNKNOWN, "other RIFF refused");
	is_int(sniff(B("GIF89a<script>"), "a.gif", MEDIA_OK, "gif polyglot"), MEDIA_GIF,
	       "an image polyglot is an image (re-encoding neutralises it)");

	is_int(sniff(B("%PDF-1.7\n..."), "r.pdf", MEDIA_OK, "pdf"), MEDIA_PDF, "PDF");
	is_int(sniff(B("%PDF-1.7\n<HTML><body>"), "r.pdf", MEDIA_MARKUP, "pdf/html"), MEDIA_UNKNOWN, "PDF/HTML polyglot refused");
	is_int(sniff(B("PK\x03\x04....[Content_Types].xml....word/document.xml"), "a.docx", MEDIA_OK, "docx"),
	       MEDIA_DOCX, "docx");
	is_int(sniff(B("PK\x03\x04....[Content_Types].xml<?xml....xl/workbook.xml"), "a.xlsx", MEDIA_OK, "xlsx"),
	       MEDIA_XLSX, "xlsx (an uncompressed XML declaration is fine inside a ZIP)");
	is_int(sniff(B("PK\x03\x04....[Content_Types].xml....ppt/slides"), NULL, MEDIA_OK, "pptx"), MEDIA_PPTX, "pptx");
	is_int(sniff(B("PK\x03\x04....just/a/zip"), "a.zip", MEDIA_NOT_ALLOWED, "zip"), MEDIA_UNKNOWN, "plain ZIP refused");
	is_int(sniff(B("PK\x03\x04[Content_Types].xml word/ <script>"), "a.docx", MEDIA_MARKUP, "zip/html"), MEDIA_UNKNOWN,
	       "ZIP/HTML polyglot refused");

	is_int(sniff(B("name,count\nx,1\n"), "a.csv", MEDIA_OK, "csv"), MEDIA_TEXT, "CSV is text");
	is_str(media_ext(MEDIA_TEXT, "a.CSV"), "csv", "csv keeps its extension");
	is_str(media_ext(MEDIA_TEXT, "a.html"), "txt", "any other text is .txt");
	is_str(media_content_type(MEDIA_TEXT, "notes"), "text/plain; charset=utf-8", "text type");
	is_int(sniff(B("caf\xc3\xa9"), "a.txt", MEDIA_OK, "utf8"), MEDIA_TEXT, "UTF-8 text");
	is_int(sniff(B("caf\xe9"), "a.txt", MEDIA_NOT_ALLOWED, "latin1"), MEDIA_UNKNOWN, "invalid UTF-8 refused");
	is_int(sniff(B("a\0b"), "a.txt", MEDIA_NOT_ALLOWED, "nul"), MEDIA_UNKNOWN, "NUL refused");
	is_int(sniff(B(" \n<!DOCTYPE html>"), "a.txt", MEDIA_MARKUP, "html"), MEDIA_UNKNOWN, "HTML refused");
	is_int(sniff(B("<svg onload=alert(1)>"), "a.txt", MEDIA_MARKUP, "svg"), MEDIA_UNKNOWN, "SVG refused");
	is_int(sniff(B("<?xml version=\"1.0\"?>"), "a.xml", MEDIA_MARKUP, "xml"), MEDIA_UNKNOWN, "XML refused");
	is_int(sniff(B("a < b and c > d"), "a.txt", MEDIA_OK, "lt"), MEDIA_TEXT, "a lone < is text");

	is_int(sniff(B("<html>"), "cat.PNG", MEDIA_MISMATCH, "png html"), MEDIA_UNKNOWN, "a .png that is HTML");
	is_int(sniff(B("%PDF-1.4"), "cat.jpeg", MEDIA_MISMATCH, "jpeg pdf"), MEDIA_UNKNOWN, "a .jpeg that is a PDF");
	is_int(sniff(B("<svg/>"), "x.svg", MEDIA_MISMATCH, "svg name"), MEDIA_UNKNOWN, "SVG by name refused too");
	is_int(sniff(B(""), "e.txt", MEDIA_NOT_ALLOWED, "empty"), MEDIA_UNKNOWN, "empty refused");

	is_str(media_kind(MEDIA_WEBP), "image", "kind image");
	is_str(media_kind(MEDIA_XLSX), "office", "kind office");
	ok(media_kind(MEDIA_UNKNOWN) == NULL, "no kind for unknown");
	ok(media_is_image(MEDIA_GIF) && !media_is_image(MEDIA_PDF), "media_is_image");
	return done_testing();
}
