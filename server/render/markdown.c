/* render/markdown.c — Markdown to stored HTML: a linear pre-scan that refuses what would
 * make cmark super-linear, cmark-gfm (GitHub-flavoured: tables, strikethrough, autolinks,
 * task lists) in its safe mode, then one pass over the AST for mentions, IDEA-n links,
 * the link policy and heading levels. */
#include "render/markdown.h"

#include "core/arena.h"
#include "core/buf.h"
#include "core/utf8.h"
#include "render/markdown_gfm.h"

#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Work budgets of the pre-scan, in steps of the walks cmark repeats (see md_guard).
 * 10^6 steps cost cmark-gfm 0.29 under 35 ms at worst (tests/unit/test_markdown.c measures
 * each family just under them; cmark 0.30 took 20 ms for twice as many); a long ordinary
 * post scores a few 10^4. */
#define MD_NEST_BUDGET 1000000
#define MD_BRACKET_BUDGET 2000000
/* Deepest AST accepted. Each node inserted by the pass walks up to the root (cmark checks
 * for cycles), so depth bounds the pass; no real post nests even 20 levels. */
#define MD_MAX_DEPTH 100
/* Distinct names offered to mention_ok: each may be a database lookup, and a post listing
 * thousands of unknown @names should not cost thousands of them. */
#define MD_MAX_LOOKUPS 50
#define MD_NAME_MIN 3
#define MD_NAME_MAX 32

#define MD_REL " rel=\"nofollow ugc noopener\""

static const char md_msg_large[] = "The post is too long.";
static const char md_msg_utf8[] = "The post is not valid UTF-8 text.";
static const char md_msg_empty[] = "The post is empty.";
static const char md_msg_nest[] = "The post nests quotes or lists too deeply.";
static const char md_msg_brackets[] = "The post has too many unmatched brackets.";
static const char md_msg_depth[] = "The post nests quotes, lists or emphasis too deeply.";

/* A cmark call that can only fail on arguments we got wrong. */
static void
md_must(int ok)
{
	if (!ok)
		abort();
}

/* True when valid UTF-8 s[0..n) has nothing visible: ASCII and Unicode white space plus
 * the zero-width characters people paste to get past "must not be empty" checks. */
static bool
md_blank(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	uint32_t cp;

	while (i < n) {
		if (s[i] < 0x80) {
			if (s[i] != ' ' && (s[i] < '\t' || s[i] > '\r'))
				return false;
			i++;
			continue;
		}
		if (s[i] < 0xE0) {
			cp = (uint32_t)(s[i] & 0x1F) << 6 | (s[i + 1] & 0x3F);
			i += 2;
		} else if (s[i] < 0xF0) {
			cp = (uint32_t)(s[i] & 0x0F) << 12 | (uint32_t)(s[i + 1] & 0x3F) << 6 |
			     (s[i + 2] & 0x3F);
			i += 3;
		} else {
			return false;   /* nothing above the BMP is white space */
		}
		if (cp != 0x85 && cp != 0xA0 && cp != 0x1680 &&
		    !(cp >= 0x2000 && cp <= 0x200D) && cp != 0x2028 && cp != 0x2029 &&
		    cp != 0x202F && cp != 0x205F && cp != 0x2060 && cp != 0x3000 &&
		    cp != 0xFEFF)
			return false;
	}
	return true;
}

/* Upper bound on the containers open on a line, from its leading run of indentation,
 * '>' and list markers: each marker may open one, and keeping a list item open takes at
 * least two columns of indentation (marker plus a space). Tabs count their widest, 4. */
static size_t
md_guard_prefix(const char *s, size_t n, bool *ret_blank)
{
	size_t i = 0, cols = 0, markers = 0, d;

	while (i < n) {
		char c = s[i];

		if (c == ' ' || c == '\t') {
			cols += c == ' ' ? 1 : 4;
			i++;
		} else if (c == '>') {
			markers++;
			i++;
		} else if ((c == '-' || c == '+' || c == '*') &&
			   (i + 1 == n || s[i + 1] == ' ' || s[i + 1] == '\t')) {
			markers++;
			i++;
		} else if (c >= '0' && c <= '9') {
			for (d = i; d < n && d - i < 9 && s[d] >= '0' && s[d] <= '9'; d++)
				;
			if (d == n || (s[d] != '.' && s[d] != ')') ||
			    (d + 1 < n && s[d + 1] != ' ' && s[d + 1] != '\t'))
				break;
			markers++;
			i = d + 1;
		} else {
			break;
		}
	}
	*ret_blank = i == n && markers == 0;
	return markers + cols / 2;
}

/* The pre-scan. cmark 0.30.2, and cmark-gfm 0.29.0.gfm.6 built on an older cmark, repeat
 * two walks whose length the input controls:
 *  - containers: every blank line walks all open list items, and every inline node cmark
 *    inserts (emphasis, link children) walks from its paragraph up to the root. Depth D
 *    with L cheap lines or inline nodes costs D*L: " -" x D then blank lines, or ">" x D
 *    then "a*" repeated (CVE-2023-24824 and the deep-nesting advisories).
 *    Cost = sum over lines of (depth bound + 1) * (1 + bytes that can make inline nodes),
 *    where the bound carries over blank lines (list items survive them) and over lines
 *    that may continue a paragraph lazily.
 *  - brackets: each link formed walks back over every image opener "![" still on the
 *    bracket stack (CVE-2023-22486, "![[]()" repeated). Cost = sum over ']' of the "!["
 *    seen since the last blank line. Counting every "![", escaped or in code or not, and
 *    every ']', only over-counts cmark, so the bound holds whatever the input.
 * A paragraph never spans a blank line, so resetting there keeps both bounds. Everything
 * else the cmark core does was measured linear up to MD_MAX_BYTES (tests/unit); what the
 * GitHub extensions add is md_guard_gfm's. */
static const char *
md_guard(const char *s, size_t n)
{
	uint64_t nest = 0, brackets = 0, images = 0, depth = 0, specials;
	size_t start = 0, end, i, prefix;
	bool blank, prev_blank = true;

	while (start < n) {
		for (end = start; end < n && s[end] != '\n' && s[end] != '\r'; end++)
			;
		prefix = md_guard_prefix(s + start, end - start, &blank);
		if (blank)
			images = 0;
		else if (prev_blank || prefix > depth)
			depth = prefix;
		specials = 0;
		for (i = start; i < end; i++) {
			switch (s[i]) {
			case '!':
				if (i + 1 < end && s[i + 1] == '[')
					images++;
				specials++;
				break;
			case ']':
				brackets += images;
				specials++;
				break;
			case '*': case '_': case '[': case '`': case '\\': case '&': case '<': case '~':
				specials++;
				break;
			default:
				break;
			}
		}
		nest += (depth + 1) * (specials + 1);
		if (nest > MD_NEST_BUDGET)
			return md_msg_nest;
		if (brackets > MD_BRACKET_BUDGET)
			return md_msg_brackets;
		prev_blank = blank;
		start = end + (end + 1 < n && s[end] == '\r' && s[end + 1] == '\n' ? 2 : 1);
	}
	return NULL;
}

/* Link targets: http, https, mailto (links only) or relative. The scheme is read the way
 * a browser reads it: leading C0 controls and spaces skipped, tabs and newlines inside
 * ignored, letters compared case-insensitively. Anything with a ':' before the first
 * '/', '?' or '#' has a scheme, and an unknown one (javascript:, data:, "java\tscript:")
 * is refused. */
static bool
md_url_allowed(const char *url, bool image)
{
	char scheme[8];
	size_t n = 0;
	const unsigned char *p = (const unsigned char *)(url != NULL ? url : "");

	while (*p != '\0' && *p <= 0x20)
		p++;
	for (; *p != '\0'; p++) {
		if (*p == '\t' || *p == '\n' || *p == '\r')
			continue;
		if (*p == '/' || *p == '?' || *p == '#')
			return true;
		if (*p == ':')
			break;
		if (n < sizeof(scheme) - 1)
			scheme[n] = (char)(*p >= 'A' && *p <= 'Z' ? *p + ('a' - 'A') : *p);
		n++;
	}
	if (*p == '\0')
		return true;
	if (n >= sizeof(scheme))
		return false;
	scheme[n] = '\0';
	return strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0 ||
	       (!image && strcmp(scheme, "mailto") == 0);
}

struct md_name {
	char name[MD_NAME_MAX + 1];   /* as first typed */
	bool ok;
};

/* State of the AST pass. */
struct md_pass {
	const struct md_opts *opts;
	struct md_name names[MD_MAX_LOOKUPS];   /* every name offered to mention_ok */
	size_t n_names, n_linked;
	int64_t *ideas;           /* every IDEA-n linked, repeats included, in order */
	size_t n_ideas, cap_ideas;
	cmark_node **work;        /* text nodes to link, links to drop, in document order */
	size_t n_work, cap_work;
	struct buf html;          /* scratch: the HTML that replaces one text node */
};

static void *
md_grow(void *v, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 16;

	if (need <= *cap)
		return v;
	while (n < need)
		n *= 2;
	if (n > SIZE_MAX / size || (v = realloc(v, n * size)) == NULL)
		core_oom();
	*cap = n;
	return v;
}

static bool
md_word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

static bool
md_name_char(char c)
{
	return md_word_char(c) || c == '-';
}

/* Whether @name[0..len) is linked. The first occurrence of a name decides for all its
 * spellings; once MD_MAX_MENTIONS names are linked or MD_MAX_LOOKUPS asked, new names
 * stay text without a lookup. */
static bool
md_mention_ok(struct md_pass *p, const char *name, size_t len)
{
	struct md_name *e;
	size_t i;

	for (i = 0; i < p->n_names; i++) {
		e = &p->names[i];
		if (strncasecmp(e->name, name, len) == 0 && e->name[len] == '\0')
			return e->ok;
	}
	if (p->n_linked >= MD_MAX_MENTIONS || p->n_names >= MD_MAX_LOOKUPS)
		return false;
	e = &p->names[p->n_names++];
	memcpy(e->name, name, len);
	e->name[len] = '\0';
	e->ok = p->opts->mention_ok == NULL || p->opts->mention_ok(p->opts->cls, e->name);
	p->n_linked += e->ok;
	return e->ok;
}

/* Length of a mention at s[i] ('@' + name), or 0. */
static size_t
md_match_mention(struct md_pass *p, const char *s, size_t n, size_t i)
{
	size_t j = i + 1;

	if (i > 0 && md_word_char(s[i - 1]))
		return 0;
	while (j < n && md_name_char(s[j]))
		j++;
	if (j - i - 1 < MD_NAME_MIN || j - i - 1 > MD_NAME_MAX ||
	    !md_mention_ok(p, s + i + 1, j - i - 1))
		return 0;
	return j - i;
}

/* Length of "IDEA-n" at s[i] (n positive, no leading zero, fits int64), or 0. */
static size_t
md_match_idea(const char *s, size_t n, size_t i, int64_t *ret_id)
{
	size_t j = i + 5;
	int64_t v = 0;

	if ((i > 0 && md_word_char(s[i - 1])) || n - i < 6 || memcmp(s + i, "IDEA-", 5) != 0 ||
	    s[j] < '1' || s[j] > '9')
		return 0;
	for (; j < n && s[j] >= '0' && s[j] <= '9'; j++) {
		if (v > (INT64_MAX - (s[j] - '0')) / 10)
			return 0;
		v = v * 10 + (s[j] - '0');
	}
	if (j < n && md_word_char(s[j]))
		return 0;
	*ret_id = v;
	return j - i;
}

/* Write the HTML of text s[0..n) with its mentions and IDEA-n references linked into
 * p->html. Returns false (p->html unspecified) when there is nothing to link. Names
 * are [A-Za-z0-9_-] and ids digits, so the links need no escaping. */
static bool
md_link_text(struct md_pass *p, const char *s, size_t n)
{
	size_t i = 0, last = 0, k;
	int64_t id;
	bool linked = false;

	buf_reset(&p->html);
	while (i < n) {
		if (s[i] == '@' && (k = md_match_mention(p, s, n, i)) > 0) {
			buf_html_escape(&p->html, s + last, i - last);
			buf_printf(&p->html, "<a class=\"mention\" href=\"/u/%.*s\">%.*s</a>",
				   (int)(k - 1), s + i + 1, (int)k, s + i);
		} else if (s[i] == 'I' && (k = md_match_idea(s, n, i, &id)) > 0) {
			buf_html_escape(&p->html, s + last, i - last);
			buf_printf(&p->html,
				   "<a class=\"idea-ref\" href=\"/ideas/%lld\">%.*s</a>",
				   (long long)id, (int)k, s + i);
			p->ideas = md_grow(p->ideas, &p->cap_ideas, p->n_ideas + 1,
					   sizeof(*p->ideas));
			p->ideas[p->n_ideas++] = id;
		} else {
			i++;
			continue;
		}
		i += k;
		last = i;
		linked = true;
	}
	if (linked)
		buf_html_escape(&p->html, s + last, n - last);
	return linked;
}

static cmark_syntax_extension *md_inline_ext;   /* see md_open_parent */

/* A table cell of cmark-gfm's table extension takes only the inline nodes its parser
 * makes, not the custom inline of a linked mention. While node is changed, its parent
 * (when an extension owns it) is given md_inline_ext, which takes any inline; the
 * parent's own extension, returned, is put back by md_close_parent before rendering. */
static cmark_syntax_extension *
md_open_parent(cmark_node *node)
{
	cmark_node *parent = cmark_node_parent(node);
	cmark_syntax_extension *ext = parent ? cmark_node_get_syntax_extension(parent) : NULL;

	if (ext != NULL)
		md_must(cmark_node_set_syntax_extension(parent, md_inline_ext));
	return ext;
}

static void
md_close_parent(cmark_node *parent, cmark_syntax_extension *ext)
{
	if (ext != NULL)
		md_must(cmark_node_set_syntax_extension(parent, ext));
}

/* Replace a text node by a custom inline that writes its linked HTML. One replace per
 * text node, not one insert per link, keeps the walks to the root few. */
static void
md_rewrite_text(struct md_pass *p, cmark_node *text)
{
	const char *s = cmark_node_get_literal(text);
	cmark_node *c, *parent = cmark_node_parent(text);
	cmark_syntax_extension *ext;

	if (s == NULL || !md_link_text(p, s, strlen(s)))
		return;
	c = cmark_node_new(CMARK_NODE_CUSTOM_INLINE);
	if (c == NULL)
		core_oom();
	md_must(cmark_node_set_on_enter(c, p->html.data));
	md_must(cmark_node_set_on_exit(c, ""));
	ext = md_open_parent(text);
	md_must(cmark_node_replace(text, c));
	md_close_parent(parent, ext);
	cmark_node_free(text);
}

/* Drop a link or image whose target is not allowed; its text stays in its place. */
static void
md_unwrap(cmark_node *link)
{
	cmark_node *child, *parent = cmark_node_parent(link);
	cmark_syntax_extension *ext = md_open_parent(link);

	while ((child = cmark_node_first_child(link)) != NULL)
		md_must(cmark_node_insert_before(link, child));
	md_close_parent(parent, ext);
	cmark_node_free(link);
}

/* The node types cmark_iter reports with ENTER only. */
static bool
md_leaf(cmark_node_type t)
{
	return t == CMARK_NODE_HTML_BLOCK || t == CMARK_NODE_THEMATIC_BREAK ||
	       t == CMARK_NODE_CODE_BLOCK || t == CMARK_NODE_TEXT ||
	       t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK ||
	       t == CMARK_NODE_CODE || t == CMARK_NODE_HTML_INLINE;
}

static bool
md_has_refs(const char *s)
{
	return s != NULL && (strchr(s, '@') != NULL || strstr(s, "IDEA-") != NULL);
}

static void
md_push_work(struct md_pass *p, cmark_node *node)
{
	p->work = md_grow(p->work, &p->cap_work, p->n_work + 1, sizeof(*p->work));
	p->work[p->n_work++] = node;
}

/* The one walk over the tree. Headings are demoted on the spot; nodes to replace or drop
 * are queued and changed afterwards, so the iterator never sees a tree that changed
 * under it. Returns false when the tree is deeper than MD_MAX_DEPTH. */
static bool
md_walk(struct md_pass *p, cmark_node *doc)
{
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;
	cmark_node *node;
	int depth = 0, in_link = 0, level;
	bool ok = true;

	if (it == NULL)
		core_oom();
	while (ok && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		node = cmark_iter_get_node(it);
		switch (cmark_node_get_type(node)) {
		case CMARK_NODE_TEXT:
			if (in_link == 0 && md_has_refs(cmark_node_get_literal(node)))
				md_push_work(p, node);
			continue;   /* a leaf: ENTER only */
		case CMARK_NODE_LINK:
		case CMARK_NODE_IMAGE:
			in_link += ev == CMARK_EVENT_ENTER ? 1 : -1;
			if (ev == CMARK_EVENT_ENTER &&
			    !md_url_allowed(cmark_node_get_url(node),
					    cmark_node_get_type(node) == CMARK_NODE_IMAGE))
				md_push_work(p, node);
			break;
		case CMARK_NODE_HEADING:
			level = cmark_node_get_heading_level(node) + 2;
			level = level > 6 ? 6 : level;
			if (ev == CMARK_EVENT_ENTER)
				md_must(cmark_node_set_heading_level(node, level));
			break;
		default:
			break;
		}
		if (md_leaf(cmark_node_get_type(node)))
			continue;
		if (ev == CMARK_EVENT_ENTER)
			ok = ++depth <= MD_MAX_DEPTH;
		else
			depth--;
	}
	cmark_iter_free(it);
	return ok;
}

struct md_seen {
	int64_t id;
	size_t at;
};

static int
md_seen_cmp(const void *a, const void *b)
{
	const struct md_seen *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

/* Keep the first occurrence of each id of v[0..n), in order; returns the new count.
 * Sorting (not hashing) so that no choice of ids can make it quadratic. */
static size_t
md_dedup(int64_t *v, size_t n)
{
	struct md_seen *s;
	size_t i, k = 0;

	if (n < 2)
		return n;
	if ((s = malloc(n * sizeof(*s))) == NULL)
		core_oom();
	for (i = 0; i < n; i++)
		s[i] = (struct md_seen){ v[i], i };
	qsort(s, n, sizeof(*s), md_seen_cmp);
	for (i = 1; i < n; i++)
		if (s[i].id == s[i - 1].id)
			v[s[i].at] = 0;   /* ids are positive: 0 marks a repeat */
	free(s);
	for (i = 0; i < n; i++)
		if (v[i] != 0)
			v[k++] = v[i];
	return k;
}

/* Author links get rel by a pass over cmark's HTML rather than by turning LINK nodes
 * into custom nodes: that would mean re-implementing cmark's href escaping
 * (houdini_escape_href) and moving every child of every link, each move a walk to the
 * root. The pass is exact: in safe mode cmark escapes every '<' of text, code and
 * attribute values and replaces raw HTML by a comment, so `<a href="` only ever starts a
 * LINK it rendered; our mention and IDEA links start `<a class=` and are left alone.
 * Returns the number of links it marked: the author's links, for the spam rule. */
static size_t
md_add_rel(struct buf *out, const char *html)
{
	static const char open[] = "<a href=\"";
	const char *p = html, *end = html + strlen(html), *q = html;
	size_t n = 0;

	buf_grow(out, (size_t)(end - html) + 256);
	while ((q = memchr(q, '<', (size_t)(end - q))) != NULL) {
		if ((size_t)(end - q) >= sizeof(open) - 1 &&
		    memcmp(q, open, sizeof(open) - 1) == 0) {
			buf_append(out, p, (size_t)(q - p));
			buf_puts(out, "<a" MD_REL " href=\"");
			p = q + sizeof(open) - 1;
			n++;
		}
		q++;
	}
	buf_append(out, p, (size_t)(end - p));
	return n;
}

/* Move the linked names and ideas of a finished pass into out. */
static void
md_fill_refs(struct md_pass *p, struct md_out *out)
{
	size_t i;

	if (p->n_linked > 0) {
		if ((out->mentions = calloc(p->n_linked, sizeof(*out->mentions))) == NULL)
			core_oom();
		for (i = 0; i < p->n_names; i++) {
			if (!p->names[i].ok)
				continue;
			out->mentions[out->n_mentions] = strdup(p->names[i].name);
			if (out->mentions[out->n_mentions++] == NULL)
				core_oom();
		}
	}
	if (p->n_ideas > 0) {
		out->n_ideas = md_dedup(p->ideas, p->n_ideas);
		out->ideas = p->ideas;
		p->ideas = NULL;
	}
}

/* The GitHub extensions every post gets. Raw HTML stays omitted (safe mode), so the
 * tagfilter extension has nothing to do; footnotes are not offered. */
static const char *const md_extensions[] = { "table", "strikethrough", "autolink", "tasklist" };
static pthread_once_t md_registered = PTHREAD_ONCE_INIT;

static int
md_any_inline(cmark_syntax_extension *ext, cmark_node *node, cmark_node_type child)
{
	(void)ext;
	(void)node;
	return ((unsigned)child & CMARK_NODE_TYPE_MASK) == CMARK_NODE_TYPE_INLINE;
}

/* cmark-gfm keeps its extensions in a process-wide registry filled without a lock. */
static void
md_register(void)
{
	cmark_gfm_core_extensions_ensure_registered();
	if ((md_inline_ext = cmark_syntax_extension_new("corral-inline")) == NULL)
		core_oom();
	cmark_syntax_extension_set_can_contain_func(md_inline_ext, md_any_inline);
}

/* A parser with the extensions attached; free with cmark_parser_free, which also owns the
 * list of extensions the HTML renderer needs (cmark_parser_get_syntax_extensions). */
static cmark_parser *
md_parser(void)
{
	cmark_parser *parser;

	md_must(pthread_once(&md_registered, md_register) == 0);
	if ((parser = cmark_parser_new(CMARK_OPT_VALIDATE_UTF8)) == NULL)
		core_oom();
	for (size_t i = 0; i < sizeof(md_extensions) / sizeof(md_extensions[0]); i++) {
		cmark_syntax_extension *ext = cmark_find_syntax_extension(md_extensions[i]);

		md_must(ext != NULL && cmark_parser_attach_syntax_extension(parser, ext));
	}
	return parser;
}

enum md_status
md_render(const char *src, size_t len, const struct md_opts *opts, struct md_out *out,
	  const char **ret_reason)
{
	static const struct md_opts defaults = { 0 };
	struct md_pass p = { 0 };
	struct buf html = BUF_INIT;
	cmark_mem *mem = cmark_get_default_mem_allocator();
	cmark_parser *parser = NULL;
	cmark_node *doc = NULL;
	char *raw = NULL;
	const char *reason = NULL;
	enum md_status st = MD_OK;
	size_t i;

	memset(out, 0, sizeof(*out));
	p.opts = opts != NULL ? opts : &defaults;
	if (len > (p.opts->max_bytes ? p.opts->max_bytes : MD_MAX_BYTES)) {
		st = MD_TOO_LARGE;
		reason = md_msg_large;
		goto fail;
	}
	if (!utf8_valid(src, len)) {
		st = MD_INVALID_UTF8;
		reason = md_msg_utf8;
		goto fail;
	}
	if (md_blank(src, len)) {
		st = MD_EMPTY;
		reason = md_msg_empty;
		goto fail;
	}
	if ((reason = md_guard(src, len)) != NULL || (reason = md_guard_gfm(src, len)) != NULL) {
		st = MD_TOO_COMPLEX;
		goto fail;
	}

	parser = md_parser();
	cmark_parser_feed(parser, src, len);
	if ((doc = cmark_parser_finish(parser)) == NULL)
		core_oom();
	/* cmark splits text at every '_' or '!' it tried as syntax; whole runs of text are
	 * needed to see "@some_name" and to check the character before an '@'. */
	cmark_consolidate_text_nodes(doc);
	if (!md_walk(&p, doc)) {
		st = MD_TOO_COMPLEX;
		reason = md_msg_depth;
		goto fail;
	}
	for (i = 0; i < p.n_work; i++) {
		if (cmark_node_get_type(p.work[i]) == CMARK_NODE_TEXT)
			md_rewrite_text(&p, p.work[i]);
		else
			md_unwrap(p.work[i]);
	}
	if ((raw = cmark_render_html(doc, CMARK_OPT_DEFAULT, cmark_parser_get_syntax_extensions(parser))) == NULL)
		core_oom();
	out->n_links = md_add_rel(&html, raw);
	out->html = buf_detach(&html, &out->html_len);
	md_fill_refs(&p, out);
	goto out;

fail:
	if (ret_reason != NULL)
		*ret_reason = reason;
out:
	if (raw != NULL)
		mem->free(raw);
	if (doc != NULL)
		cmark_node_free(doc);
	if (parser != NULL)
		cmark_parser_free(parser);
	free(p.work);
	free(p.ideas);
	buf_free(&p.html);
	buf_free(&html);
	return st;
}

void
md_out_free(struct md_out *out)
{
	size_t i;

	if (out == NULL)
		return;
	for (i = 0; i < out->n_mentions; i++)
		free(out->mentions[i]);
	free(out->mentions);
	free(out->ideas);
	free(out->html);
	memset(out, 0, sizeof(*out));
}

const char *
md_version(void)
{
	return cmark_version_string();
}
