/* mail/inbound_text.c — the text of a reply: HTML mail read as text, and the new text cut
 * from what a mail client appends (the quoted mail, its attribution, the signature).
 * Pure functions of mail/inbound.h. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/utf8.h"
#include "mail/inbound.h"

/* --- HTML as text --- */

static bool
isalnum_ascii(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static void
inbound_utf8_put(struct buf *b, unsigned long cp)
{
	char u[4];

	buf_append(b, u, utf8_encode(cp, u));
}

/* The entity at p ('&'): its text into b; returns the bytes read (1: a lone '&'). */
static size_t
inbound_entity(struct buf *b, const char *p, size_t n)
{
	static const struct {
		const char *name;
		unsigned cp;
	} names[] = { { "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' }, { "apos", '\'' },
		      { "nbsp", ' ' }, { "copy", 0xa9 }, { "hellip", 0x2026 }, { "mdash", 0x2014 },
		      { "ndash", 0x2013 }, { "lsquo", 0x2018 }, { "rsquo", 0x2019 }, { "ldquo", 0x201c },
		      { "rdquo", 0x201d }, { "euro", 0x20ac } };
	size_t end = 1;

	while (end < n && end < 12 && p[end] != ';' && p[end] != '&' && p[end] != '<' && p[end] != ' ')
		end++;
	if (end >= n || p[end] != ';' || end < 2)
		goto literal;
	if (p[1] == '#') {
		char tmp[12], *stop;
		unsigned long cp;
		bool hex = p[2] == 'x' || p[2] == 'X';

		memcpy(tmp, p + 2 + hex, end - 2 - hex);
		tmp[end - 2 - hex] = '\0';
		if (tmp[0] == '\0')
			goto literal;
		cp = strtoul(tmp, &stop, hex ? 16 : 10);
		if (*stop != '\0')
			goto literal;
		inbound_utf8_put(b, cp == 0xa0 ? ' ' : cp);
		return end + 1;
	}
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strlen(names[i].name) == end - 1 && memcmp(p + 1, names[i].name, end - 1) == 0) {
			inbound_utf8_put(b, names[i].cp);
			return end + 1;
		}
	}
literal:
	buf_putc(b, '&');
	return 1;
}

/* Is tag (lower-case) a block that starts a line (1) or a paragraph (2)? 0 otherwise. */
static int
inbound_block(const char *tag)
{
	static const char *const para[] = { "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "pre", NULL };
	static const char *const line[] = { "br", "div", "li", "tr", "hr", "dd", "dt", NULL };

	for (size_t i = 0; para[i]; i++) {
		if (strcmp(tag, para[i]) == 0)
			return 2;
	}
	for (size_t i = 0; line[i]; i++) {
		if (strcmp(tag, line[i]) == 0)
			return 1;
	}
	return 0;
}

/* Where the element opened just before i ends: after its closing tag, nesting counted. */
static size_t
inbound_skip_element(const char *h, size_t n, size_t i, const char *tag)
{
	size_t tl = strlen(tag);
	int depth = 1;

	while (i < n) {
		const char *lt = memchr(h + i, '<', n - i);

		if (lt == NULL)
			return n;
		i = (size_t)(lt - h) + 1;
		if (i + tl < n && h[i] == '/' && strncasecmp(h + i + 1, tag, tl) == 0 && !isalnum_ascii(h[i + 1 + tl]))
			depth--;
		else if (i + tl <= n && strncasecmp(h + i, tag, tl) == 0 && (i + tl == n || !isalnum_ascii(h[i + tl])))
			depth++;
		if (depth == 0) {
			const char *gt = memchr(h + i, '>', n - i);

			return gt ? (size_t)(gt - h) + 1 : n;
		}
	}
	return n;
}

/* The output of the HTML reader: white space folded, breaks written only before text. */
struct inbound_out {
	struct buf b;
	int brk;          /* 0, 1 (new line), 2 (blank line) waiting */
	bool space;       /* a space waiting */
};

static void
inbound_out_text(struct inbound_out *o)
{
	if (o->b.len > 0 && o->brk)
		buf_puts(&o->b, o->brk == 2 ? "\n\n" : "\n");
	else if (o->b.len > 0 && o->space)
		buf_putc(&o->b, ' ');
	o->brk = 0;
	o->space = false;
}

/* The tag at h[i] == '<': breaks for blocks, elements skipped whole; returns where it ends. */
static size_t
inbound_tag(struct inbound_out *o, const char *h, size_t n, size_t i)
{
	static const char *const skipped[] = { "head", "style", "script", "blockquote", "title", NULL };
	const char *gt;
	char tag[16];
	size_t k = 0, j = i + 1;
	bool closing = j < n && h[j] == '/';
	int blk;

	if (n - i >= 4 && memcmp(h + i, "<!--", 4) == 0) {
		const char *end = i + 4 < n ? memmem(h + i + 4, n - i - 4, "-->", 3) : NULL;

		return end ? (size_t)(end - h) + 3 : n;
	}
	j += closing;
	while (j < n && k < sizeof tag - 1 && isalnum_ascii(h[j])) {
		tag[k++] = (char)(h[j] >= 'A' && h[j] <= 'Z' ? h[j] - 'A' + 'a' : h[j]);
		j++;
	}
	tag[k] = '\0';
	if ((gt = memchr(h + i, '>', n - i)) == NULL)
		return n;
	if (k == 0 && !(j < n && (h[j] == '!' || h[j] == '?'))) {
		/* "a < b" in text: not a tag */
		inbound_out_text(o);
		buf_putc(&o->b, '<');
		return i + 1;
	}
	for (size_t s = 0; !closing && skipped[s]; s++) {
		if (strcmp(tag, skipped[s]) == 0) {
			if (gt > h + i && gt[-1] == '/')
				return (size_t)(gt - h) + 1;
			if (o->brk < 2 && strcmp(tag, "blockquote") == 0)
				o->brk = 2;
			return inbound_skip_element(h, n, (size_t)(gt - h) + 1, tag);
		}
	}
	if ((blk = inbound_block(tag)) > o->brk)
		o->brk = blk;
	return (size_t)(gt - h) + 1;
}

char *
inbound_html_text(struct arena *a, const char *h, size_t n)
{
	struct inbound_out o = { BUF_INIT, 0, false };
	char *s;

	for (size_t i = 0; i < n;) {
		char c = h[i];

		if (c == '<') {
			i = inbound_tag(&o, h, n, i);
		} else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
			o.space = true;
			i++;
		} else if (c == '&') {
			inbound_out_text(&o);
			i += inbound_entity(&o.b, h + i, n - i);
		} else {
			inbound_out_text(&o);
			buf_putc(&o.b, c);
			i++;
		}
	}
	s = arena_strndup(a, o.b.data ? o.b.data : "", o.b.len);
	buf_free(&o.b);
	return s;
}

/* --- the new text of a reply --- */

struct inbound_lines {
	char **v;
	size_t n;
};

static bool
inbound_blank(const char *l)
{
	return l[strspn(l, " \t")] == '\0';
}

static bool
inbound_quoted(const char *l)
{
	return l[strspn(l, " \t")] == '>';
}

static bool
inbound_ends_with(const char *l, const char *suffix)
{
	size_t n = strlen(l), sl = strlen(suffix);

	while (n > 0 && (l[n - 1] == ' ' || l[n - 1] == '\t'))
		n--;
	return n >= sl && strncasecmp(l + n - sl, suffix, sl) == 0;
}

static bool
inbound_wrote(const char *l)
{
	return inbound_ends_with(l, "wrote:") || inbound_ends_with(l, "schrieb:") ||
	       inbound_ends_with(l, "\xc3\xa9" "crit :") || inbound_ends_with(l, "\xc3\xa9" "crit:");
}

/* Where the client's additions start at line i: 0 (not here), else how many lines the
 * attribution takes (an "On … wrote:" may wrap onto a second line); -1: everything from
 * here on (signature, separators). */
static int
inbound_cut_at(const struct inbound_lines *L, size_t i)
{
	const char *l = L->v[i], *t = l + strspn(l, " \t");
	size_t u;

	if (strcmp(l, "-- ") == 0 || strcmp(l, "--") == 0)
		return -1;
	if (strncmp(t, "-----", 5) == 0 && (strstr(t, "Original Message") || strstr(t, "Forwarded message")))
		return -1;
	if ((u = strspn(t, "_")) >= 10 && t[u] == '\0')
		return -1;
	if (strncmp(t, "From: ", 6) == 0) {
		for (size_t k = i + 1; k < L->n && k <= i + 4; k++) {
			if (strncmp(L->v[k], "Sent: ", 6) == 0 || strncmp(L->v[k], "Date: ", 6) == 0)
				return -1;
		}
	}
	if (strncmp(t, "On ", 3) == 0 || strncmp(t, "Le ", 3) == 0 || strncmp(t, "Am ", 3) == 0) {
		if (inbound_wrote(t))
			return 1;
		if (i + 1 < L->n && inbound_wrote(L->v[i + 1]))
			return 2;
		/* German puts the name after the verb: "Am … schrieb Name <a@b>:" */
		if (t[0] == 'A' && strstr(t, " schrieb ") && inbound_ends_with(t, ":"))
			return 1;
	}
	/* "Name <addr> wrote:" with the quote right after */
	if (inbound_wrote(t)) {
		size_t k = i + 1;

		while (k < L->n && inbound_blank(L->v[k]))
			k++;
		if (k < L->n && inbound_quoted(L->v[k]))
			return 1;
	}
	return 0;
}

static void
inbound_split_lines(struct arena *a, const char *text, struct inbound_lines *ret)
{
	size_t cap = 1, k = 0;
	char *s = arena_strdup(a, text), *p;

	for (p = s; *p; p++)
		cap += *p == '\n';
	ret->v = arena_alloc(a, cap * sizeof *ret->v);
	for (p = s;; k++) {
		char *nl = strchr(p, '\n');
		size_t n;

		ret->v[k] = p;
		if (nl)
			*nl = '\0';
		n = strlen(p);
		if (n > 0 && p[n - 1] == '\r')
			p[n - 1] = '\0';
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	ret->n = k + 1;
}

char *
inbound_trim(struct arena *a, const char *text)
{
	struct inbound_lines L;
	struct buf b = BUF_INIT;
	size_t i = 0, first = 0, last = 0, kept = 0;
	size_t *keep;
	bool have_text = false;
	char *s;

	inbound_split_lines(a, text, &L);
	keep = arena_alloc(a, L.n * sizeof *keep);
	while (i < L.n) {
		int cut = inbound_cut_at(&L, i);

		if (cut < 0 || (cut > 0 && have_text))
			break;
		if (cut > 0) {
			/* bottom posting: the attribution and its quote come before the new text */
			for (i += (size_t)cut; i < L.n && (inbound_quoted(L.v[i]) || inbound_blank(L.v[i])); i++)
				;
			continue;
		}
		if (!inbound_blank(L.v[i]) && !inbound_quoted(L.v[i]))
			have_text = true;
		keep[kept++] = i++;
	}
	/* the quote below the new text, and blank lines around it */
	while (kept > 0 && (inbound_blank(L.v[keep[kept - 1]]) || inbound_quoted(L.v[keep[kept - 1]])))
		kept--;
	while (first < kept && inbound_blank(L.v[keep[first]]))
		first++;
	for (last = first; last < kept; last++) {
		const char *l = L.v[keep[last]];
		size_t n = strlen(l);

		while (n > 0 && (l[n - 1] == ' ' || l[n - 1] == '\t'))
			n--;
		if (last > first)
			buf_putc(&b, '\n');
		buf_append(&b, l, n);
	}
	s = arena_strndup(a, b.data ? b.data : "", b.len);
	buf_free(&b);
	return s;
}
