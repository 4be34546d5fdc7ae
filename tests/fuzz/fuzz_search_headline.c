/* tests/fuzz/fuzz_search_headline.c — libFuzzer target for forum/search_headline: the
 * first line is a query as tsquery text, the rest the hit's text (any bytes). Whatever
 * they are, the headline is valid UTF-8 without NUL or control characters but tab and
 * newline, and its only markup is balanced <mark>…</mark>. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/utf8.h"
#include "forum/search_headline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nl = memchr(data, '\n', size);
	size_t qlen = nl ? (size_t)(nl - (const char *)data) : 0;
	char *q = strndup((const char *)data, qlen);
	struct search_terms t;
	struct buf b = BUF_INIT;
	int open = 0;

	search_terms_parse(q, &t);
	search_headline(&b, (const char *)data + (nl ? qlen + 1 : 0), size - (nl ? qlen + 1 : 0), &t);
	if (!utf8_valid(b.data, b.len))
		abort();
	for (size_t i = 0; i < b.len; i++) {
		unsigned char c = (unsigned char)b.data[i];

		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F || c == '>')
			abort();
		if (c != '<')
			continue;
		if (strncmp(b.data + i, "<mark>", 6) == 0 && !open)
			open = 1, i += 5;
		else if (strncmp(b.data + i, "</mark>", 7) == 0 && open)
			open = 0, i += 6;
		else
			abort();
	}
	if (open)
		abort();
	search_terms_free(&t);
	buf_free(&b);
	free(q);
	return 0;
}
