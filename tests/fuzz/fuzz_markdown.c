/* tests/fuzz/fuzz_markdown.c — libFuzzer target for render/markdown: render the input,
 * check the contracts of markdown.h, and check the HTML itself: only the tags cmark's safe
 * mode and our links produce, every author link carrying rel, no h1/h2, and no href or
 * src with a scheme outside the allow-list. A timeout here is an input the pre-scan let
 * through although cmark-gfm is super-linear on it (its core or its extensions). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "render/markdown.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ALNUM "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

#define FUZZ_CHECK(cond)                  \
	do {                              \
		if (!(cond))              \
			abort();          \
	} while (0)

struct fuzz_lookups {
	char names[64][33];
	int n;
};

/* Accept names not starting with 'x', and check mention_ok's promises: a name of 3-32
 * [A-Za-z0-9_-], never offered twice (case-insensitively). */
static bool
fuzz_mention_ok(void *cls, const char *name)
{
	struct fuzz_lookups *l = cls;
	size_t n = strlen(name);
	int k;

	FUZZ_CHECK(n >= 3 && n <= 32);
	FUZZ_CHECK(strspn(name, FUZZ_ALNUM "_-") == n);
	for (k = 0; k < l->n; k++)
		FUZZ_CHECK(strcasecmp(l->names[k], name) != 0);
	FUZZ_CHECK(l->n < 64);
	memcpy(l->names[l->n++], name, n + 1);
	return name[0] != 'x';
}

/* A link target as written by cmark (percent-encoded, HTML-escaped) up to the closing
 * quote: false when a browser would read a scheme there that is not allowed. A scheme is
 * a letter then letters, digits, '+', '-' or '.'; anything else before the ':' (cmark
 * writes control characters as %XX) makes the target relative. */
static bool
fuzz_target_ok(const char *v, bool image)
{
	size_t n = strcspn(v, ":/?#\"");

	if (v[n] != ':' || n == 0 || strspn(v, FUZZ_ALNUM) == 0 ||
	    (v[0] >= '0' && v[0] <= '9') || strspn(v, FUZZ_ALNUM "+-.") != n)
		return true;
	if (n == 4 && strncasecmp(v, "http", 4) == 0)
		return true;
	if (n == 5 && strncasecmp(v, "https", 5) == 0)
		return true;
	return !image && n == 6 && strncasecmp(v, "mailto", 6) == 0;
}

static void
fuzz_check_a(const char *p)
{
	static const char author[] = "<a rel=\"nofollow ugc noopener\" href=\"";
	static const char mention[] = "<a class=\"mention\" href=\"/u/";
	static const char idea[] = "<a class=\"idea-ref\" href=\"/ideas/";

	if (strncmp(p, author, sizeof(author) - 1) == 0)
		FUZZ_CHECK(fuzz_target_ok(p + sizeof(author) - 1, false));
	else
		FUZZ_CHECK(strncmp(p, mention, sizeof(mention) - 1) == 0 ||
			   strncmp(p, idea, sizeof(idea) - 1) == 0);
}

/* Every '<' of the output starts a tag cmark's safe HTML writer or our pass emits. */
static void
fuzz_check_html(const char *h)
{
	static const char *const tags[] = {
		"p", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "h3", "h4",
		"h5", "h6", "hr", "br", "a", "img",
		/* the GitHub extensions: tables, strikethrough, task lists */
		"table", "thead", "tbody", "tr", "th", "td", "del", "input", NULL,
	};
	static const char box[] = "<input type=\"checkbox\" disabled=\"\" />";
	static const char checked[] = "<input type=\"checkbox\" checked=\"\" disabled=\"\" />";
	static const char omitted[] = "<!-- raw HTML omitted -->";
	const char *p = h, *name;
	size_t n;
	int i;

	while ((p = strchr(p, '<')) != NULL) {
		if (strncmp(p, omitted, sizeof(omitted) - 1) == 0) {
			p += sizeof(omitted) - 1;
			continue;
		}
		name = p + 1 + (p[1] == '/');
		n = strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789");
		FUZZ_CHECK(name[n] == '>' || name[n] == ' ');
		for (i = 0; tags[i] != NULL; i++)
			if (strlen(tags[i]) == n && strncmp(name, tags[i], n) == 0)
				break;
		FUZZ_CHECK(tags[i] != NULL);
		if (p[1] == 'a' && p[2] == ' ')
			fuzz_check_a(p);
		if (strncmp(p, "<img src=\"", 10) == 0)
			FUZZ_CHECK(fuzz_target_ok(p + 10, true));
		if (n == 5 && strncmp(name, "input", 5) == 0)
			FUZZ_CHECK(strncmp(p, box, sizeof(box) - 1) == 0 ||
				   strncmp(p, checked, sizeof(checked) - 1) == 0);
		if ((n == 2 && (strncmp(name, "th", 2) == 0 || strncmp(name, "td", 2) == 0)) && name[n] == ' ')
			FUZZ_CHECK(strncmp(name + 2, " align=\"left\">", 15) == 0 ||
				   strncmp(name + 2, " align=\"right\">", 16) == 0 ||
				   strncmp(name + 2, " align=\"center\">", 17) == 0);
		p++;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_lookups l = { .n = 0 };
	struct md_opts opts = { 0, fuzz_mention_ok, &l };
	struct md_out out;
	const char *reason = NULL;
	enum md_status st;
	size_t i, j;

	st = md_render((const char *)data, size, &opts, &out, &reason);
	if (st != MD_OK) {
		FUZZ_CHECK(reason != NULL && out.html == NULL && out.html_len == 0);
		FUZZ_CHECK(out.mentions == NULL && out.n_mentions == 0);
		FUZZ_CHECK(out.ideas == NULL && out.n_ideas == 0);
		return 0;
	}
	FUZZ_CHECK(out.html != NULL && strlen(out.html) == out.html_len);
	FUZZ_CHECK(out.n_mentions <= MD_MAX_MENTIONS);
	FUZZ_CHECK((out.n_mentions == 0) == (out.mentions == NULL));
	FUZZ_CHECK((out.n_ideas == 0) == (out.ideas == NULL));
	for (i = 0; i < out.n_mentions; i++) {
		FUZZ_CHECK(out.mentions[i][0] != 'x');
		for (j = 0; j < i; j++)
			FUZZ_CHECK(strcasecmp(out.mentions[i], out.mentions[j]) != 0);
	}
	for (i = 0; i < out.n_ideas; i++) {
		FUZZ_CHECK(out.ideas[i] > 0);
		for (j = 0; j < i; j++)
			FUZZ_CHECK(out.ideas[i] != out.ideas[j]);
	}
	fuzz_check_html(out.html);
	md_out_free(&out);
	return 0;
}
