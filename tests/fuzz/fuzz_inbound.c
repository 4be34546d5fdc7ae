/* tests/fuzz/fuzz_inbound.c — libFuzzer target for incoming mail (mail/inbound.h): a whole
 * message through inbound_parse, its text through inbound_trim, the input as HTML and as
 * a header value, and as a reply token. Whatever comes out is valid UTF-8 without NUL,
 * and the trimmed text is never longer than the text. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "mail/inbound.h"
#include "mail/reply_addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_utf8(const char *s)
{
	if (s && !utf8_valid(s, strlen(s)))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char key[REPLY_ADDR_KEYBYTES] = { 1 };
	struct arena *a = arena_new();
	struct inbound_msg m;
	const char *why = NULL, *copy = arena_strndup(a, (const char *)data, size);
	struct reply_addr addr;
	char *t;

	if (inbound_parse(a, (const char *)data, size, &m, &why) == 0) {
		fuzz_utf8(m.text);
		t = inbound_trim(a, m.text);
		fuzz_utf8(t);
		if (strlen(t) > strlen(m.text))
			abort();
	} else if (why == NULL) {
		abort();
	}
	t = inbound_html_text(a, copy, strlen(copy));
	if (utf8_valid(copy, strlen(copy)))
		fuzz_utf8(t);
	(void)inbound_header_decode(a, copy);
	if ((t = inbound_find_token(a, copy, "reply")) != NULL)
		(void)reply_addr_check(key, t, 0, &addr);
	arena_free(a);
	return 0;
}
