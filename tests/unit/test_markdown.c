/* Unit tests for render/markdown: cmark-gfm's safe mode and its GitHub extensions (tables,
 * strikethrough, autolinks, task lists), the link policy, mentions, IDEA-n links, heading
 * levels, input checks, and the pre-scan against super-linear inputs of cmark and of
 * cmark-gfm 0.29.0.gfm.6's extensions (each family built at MD_MAX_BYTES just under and
 * just over its limit, timed). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cmark-gfm.h>

#include "render/markdown.h"
#include "tap.h"

#define REL "rel=\"nofollow ugc noopener\" "

/* The CPU time any accepted input may take. Under AddressSanitizer every malloc of cmark
 * (one or more per node) goes through ASan's allocator and costs about ten times more,
 * linear inputs included, and ThreadSanitizer instruments every memory access, so the
 * sanitizer builds check the same shapes with more room. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define MAX_MS 400.0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define MAX_MS 400.0
#endif
#endif
#ifndef MAX_MS
#define MAX_MS 100.0
#endif

/* ---- helpers ---------------------------------------------------------------------- */

/* Render with default options; the HTML (malloc'd) or NULL when refused. */
static char *
render(const char *src)
{
	struct md_out out;
	char *html;

	if (md_render(src, strlen(src), NULL, &out, NULL) != MD_OK)
		return NULL;
	html = out.html;
	out.html = NULL;
	md_out_free(&out);
	return html;
}

/* src with newlines shown as \n, for a test name on one TAP line (static buffer). */
static const char *
shown(const char *src)
{
	static char s[160];
	size_t i = 0;

	for (; *src != '\0' && i + 3 < sizeof(s); src++) {
		if (*src == '\n') {
			s[i++] = '\\';
			s[i++] = 'n';
		} else {
			s[i++] = *src;
		}
	}
	s[i] = '\0';
	return s;
}

static void
check_html(const char *src, const char *want, const char *name)
{
	char *html = render(src);

	is_str(html, want, "%s", shown(name));
	free(html);
}

/* True when src renders and its HTML contains needle. */
static int
html_has(const char *src, const char *needle)
{
	char *html = render(src);
	int found = html != NULL && strstr(html, needle) != NULL;

	free(html);
	return found;
}

static int
out_is_zero(const struct md_out *o)
{
	return o->html == NULL && o->html_len == 0 && o->mentions == NULL && o->n_mentions == 0 &&
	       o->ideas == NULL && o->n_ideas == 0;
}

/* mention_ok that records its calls and refuses every name when all_no, else the names
 * in `no` (comma-separated). */
struct lookup {
	int calls;
	const char *no;
	bool all_no;
	char last[64];
};

static bool
lookup_ok(void *cls, const char *name)
{
	struct lookup *l = cls;
	const char *p = l->no;
	size_t n = strlen(name);

	l->calls++;
	snprintf(l->last, sizeof(l->last), "%s", name);
	if (l->all_no)
		return false;
	while (p != NULL && *p != '\0') {
		const char *e = strchr(p, ',');
		size_t k = e ? (size_t)(e - p) : strlen(p);

		if (k == n && strncasecmp(p, name, n) == 0)
			return false;
		p = e ? e + 1 : NULL;
	}
	return true;
}

static double
cpu_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Render src[0..n) and return the status; *ret_ms gets the best CPU time of `runs`. */
static enum md_status
timed(const char *src, size_t n, int runs, double *ret_ms)
{
	struct md_out out;
	enum md_status st = MD_OK;
	double best = 1e9, t;
	int i;

	for (i = 0; i < runs; i++) {
		t = cpu_ms();
		st = md_render(src, n, NULL, &out, NULL);
		t = cpu_ms() - t;
		md_out_free(&out);
		if (t < best)
			best = t;
	}
	*ret_ms = best;
	return st;
}

/* ---- plain rendering, raw HTML, headings ------------------------------------------ */

static void
test_plain(void)
{
	struct md_out out;
	enum md_status st;

	st = md_render("Hello *world*", 13, NULL, &out, NULL);
	is_int(st, MD_OK, "plain text renders");
	is_str(out.html, "<p>Hello <em>world</em></p>\n", "emphasis");
	is_int(out.html_len, strlen(out.html), "html_len is the length");
	ok(out.mentions == NULL && out.n_mentions == 0 && out.ideas == NULL && out.n_ideas == 0,
	   "no mentions or ideas");
	md_out_free(&out);
	ok(out_is_zero(&out), "md_out_free zeroes");
	lives_ok((md_out_free(&out), md_out_free(NULL)), "md_out_free twice and on NULL is harmless");

	check_html("a\n\n- b\n- c\n\n> q\n\n```c\nint *p = &x[1];\n```\n",
		   "<p>a</p>\n<ul>\n<li>b</li>\n<li>c</li>\n</ul>\n<blockquote>\n<p>q</p>\n"
		   "</blockquote>\n<pre><code class=\"language-c\">int *p = &amp;x[1];\n</code></pre>\n",
		   "blocks and code escaping");
	check_html("it's \"q\" & <b>", "<p>it's &quot;q&quot; &amp; <!-- raw HTML omitted -->"
		   "</p>\n", "text escaping; inline HTML dropped");
	is_str(md_version(), cmark_version_string(), "md_version is cmark's");
	ok(strlen(md_version()) > 0, "md_version is not empty");
}

static void
test_raw_html(void)
{
	char *h;

	h = render("<script>alert(1)</script>\n");
	ok(h != NULL && strstr(h, "<script") == NULL && strstr(h, "raw HTML omitted") != NULL,
	   "<script> block dropped");
	free(h);
	h = render("x <img src=x onerror=alert(1)> y");
	ok(h != NULL && strstr(h, "<img") == NULL && strstr(h, "onerror") == NULL,
	   "<img onerror> dropped");
	free(h);
	h = render("<a href=javascript:alert(1)>x</a>");
	ok(h != NULL && strstr(h, "<a") == NULL && strstr(h, "javascript") == NULL,
	   "<a href=javascript:> dropped");
	free(h);
	h = render("<div onclick=\"x()\">\n\n*a*\n\n</div>\n<style>p{}</style>\n");
	ok(h != NULL && strstr(h, "<div") == NULL && strstr(h, "<style") == NULL &&
	   strstr(h, "<em>a</em>") != NULL, "HTML blocks dropped, Markdown between kept");
	free(h);
	ok(!html_has("<!-- x --> <?php x ?> <![CDATA[x]]>", "<!-- x"), "comments and PIs dropped");
}

/* GitHub-flavoured Markdown (issue 16: tables showed as raw pipes). */
static void
test_gfm(void)
{
	char *h;

	check_html("| a | b |\n|:--|--:|\n| 1 | *2* |\n",
		   "<table>\n<thead>\n<tr>\n<th align=\"left\">a</th>\n<th align=\"right\">b</th>\n"
		   "</tr>\n</thead>\n<tbody>\n<tr>\n<td align=\"left\">1</td>\n"
		   "<td align=\"right\"><em>2</em></td>\n</tr>\n</tbody>\n</table>\n", "a table");
	check_html("~~gone~~ and ~gone~", "<p><del>gone</del> and <del>gone</del></p>\n", "strikethrough");
	check_html("see www.example.com and https://example.com/a?b=1.",
		   "<p>see <a " REL "href=\"http://www.example.com\">www.example.com</a> and <a " REL
		   "href=\"https://example.com/a?b=1\">https://example.com/a?b=1</a>.</p>\n", "autolinks");
	check_html("- [ ] open\n- [x] done\n",
		   "<ul>\n<li><input type=\"checkbox\" disabled=\"\" /> open</li>\n"
		   "<li><input type=\"checkbox\" checked=\"\" disabled=\"\" /> done</li>\n</ul>\n",
		   "task lists");
	check_html("| @bob | IDEA-3 |\n|-|-|\n",
		   "<table>\n<thead>\n<tr>\n<th><a class=\"mention\" href=\"/u/bob\">@bob</a></th>\n"
		   "<th><a class=\"idea-ref\" href=\"/ideas/3\">IDEA-3</a></th>\n</tr>\n</thead>\n</table>\n",
		   "mentions and ideas in a table");
	h = render("| <script>x</script> | [a](javascript:b) |\n|-|-|\n| <img src=x onerror=y> | c |\n");
	ok(h != NULL && strstr(h, "<script") == NULL && strstr(h, "<img") == NULL &&
	   strstr(h, "javascript") == NULL && strstr(h, "<td>a</td>") == NULL && strstr(h, "<th>a</th>") != NULL,
	   "raw HTML and unsafe links stay out of tables");
	free(h);
	ok(!html_has("javascript:alert(1) and www.javascript:x", "href=\"javascript"), "no javascript: autolink");
	ok(strstr(md_version(), "gfm") != NULL, "the stored version says gfm (%s)", md_version());
}

static void
test_headings(void)
{
	check_html("# a\n## b\n### c\n#### d\n##### e\n###### f\n",
		   "<h3>a</h3>\n<h4>b</h4>\n<h5>c</h5>\n<h6>d</h6>\n<h6>e</h6>\n<h6>f</h6>\n",
		   "ATX headings demoted by two, capped at h6");
	check_html("x\n===\n\ny\n---\n", "<h3>x</h3>\n<h4>y</h4>\n", "setext headings demoted");
}

/* ---- link policy -------------------------------------------------------------------- */

static void
test_links_dropped(void)
{
	static const struct {
		const char *src, *want;
	} cases[] = {
		{ "[x](javascript:alert(1))", "<p>x</p>\n" },
		{ "[x](JAVASCRIPT:alert(1))", "<p>x</p>\n" },
		{ "[x](JaVaScRiPt:alert(1))", "<p>x</p>\n" },
		{ "[x](vbscript:msgbox(1))", "<p>x</p>\n" },
		{ "[x](data:text/html;base64,PHNjcmlwdD4=)", "<p>x</p>\n" },
		{ "[x](file:///etc/passwd)", "<p>x</p>\n" },
		{ "[x](< javascript:alert(1)>)", "<p>x</p>\n" },
		{ "[x](java&#9;script:alert(1))", "<p>x</p>\n" },
		{ "[x](jav&#x0A;ascript:alert(1))", "<p>x</p>\n" },
		{ "[x](&#x20;&#1;javascript:alert(1))", "<p>x</p>\n" },
		{ "[x](javascript&#58;alert(1))", "<p>x</p>\n" },
		{ "[x](a:b)", "<p>x</p>\n" },
		{ "[*x* `y`](javascript:z)", "<p><em>x</em> <code>y</code></p>\n" },
		{ "<javascript:alert(1)>", "<p>javascript:alert(1)</p>\n" },
		{ "[x][r]\n\n[r]: javascript:alert(1)", "<p>x</p>\n" },
		{ "![alt](javascript:alert(1))", "<p>alt</p>\n" },
		{ "![alt](data:image/png;base64,AAAA)", "<p>alt</p>\n" },
		{ "![alt](VBSCRIPT:x)", "<p>alt</p>\n" },
		{ "![alt](mailto:a@example.com)", "<p>alt</p>\n" },
		{ "[![img](javascript:x)](http://ok.example/)",
		  "<p><a " REL "href=\"http://ok.example/\">img</a></p>\n" },
		{ "[x](javascript:y) and @bob", "<p>x and <a class=\"mention\" href=\"/u/bob\">@bob</a>"
		  "</p>\n" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_html(cases[i].src, cases[i].want, cases[i].src);
}

static void
test_links_kept(void)
{
	static const struct {
		const char *src, *want;
	} cases[] = {
		{ "[a](http://example.com/)", "<p><a " REL "href=\"http://example.com/\">a</a></p>\n" },
		{ "[a](HTTPS://example.com/x)", "<p><a " REL "href=\"HTTPS://example.com/x\">a</a></p>\n" },
		{ "[a](mailto:me@example.com)", "<p><a " REL "href=\"mailto:me@example.com\">a</a></p>\n" },
		{ "[a](/t/1)", "<p><a " REL "href=\"/t/1\">a</a></p>\n" },
		{ "[a](../x?y=1#z)", "<p><a " REL "href=\"../x?y=1#z\">a</a></p>\n" },
		{ "[a](?q=1)", "<p><a " REL "href=\"?q=1\">a</a></p>\n" },
		{ "[a](#frag)", "<p><a " REL "href=\"#frag\">a</a></p>\n" },
		{ "[a](foo/bar:baz)", "<p><a " REL "href=\"foo/bar:baz\">a</a></p>\n" },
		{ "[a](//example.com/x)", "<p><a " REL "href=\"//example.com/x\">a</a></p>\n" },
		{ "[a](javascript%3Aalert(1))", "<p><a " REL "href=\"javascript%3Aalert(1)\">a</a></p>\n" },
		{ "<https://example.com/?a=1&b=2>", "<p><a " REL "href=\"https://example.com/?a=1&amp;"
		  "b=2\">https://example.com/?a=1&amp;b=2</a></p>\n" },
		{ "<me@example.com>", "<p><a " REL "href=\"mailto:me@example.com\">me@example.com</a>"
		  "</p>\n" },
		{ "[a][r]\n\n[r]: https://example.com/", "<p><a " REL "href=\"https://example.com/\">a"
		  "</a></p>\n" },
		{ "[a](http://x/?q=\"1\"&r='2' \"t\\\"i&t<l>e\")",
		  "<p><a " REL "href=\"http://x/?q=%221%22&amp;r=&#x27;2&#x27;\" "
		  "title=\"t&quot;i&amp;t&lt;l&gt;e\">a</a></p>\n" },
		{ "![a \"b\" & c](http://x/i.png \"t&'\")",
		  "<p><img src=\"http://x/i.png\" alt=\"a &quot;b&quot; &amp; c\" title=\"t&amp;'\" />"
		  "</p>\n" },
		{ "![i](/img/a.png)", "<p><img src=\"/img/a.png\" alt=\"i\" /></p>\n" },
		{ "[a](<http://x/a b>)", "<p><a " REL "href=\"http://x/a%20b\">a</a></p>\n" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_html(cases[i].src, cases[i].want, cases[i].src);
	ok(!html_has("`<a href=\"x\">` and\n\n    <a href=\"y\">\n", "rel="),
	   "code that looks like a link gets no rel");
}

/* ---- mentions ------------------------------------------------------------------------ */

static void
test_mentions(void)
{
	struct lookup l = { 0, "nobody", false, "" };
	struct md_opts o = { 0, lookup_ok, &l };
	struct md_out out;
	const char *s;

	s = "Hi @alice and @Bob, @nobody; ask @bob or @BOB.";
	is_int(md_render(s, strlen(s), &o, &out, NULL), MD_OK, "mentions render");
	is_str(out.html, "<p>Hi <a class=\"mention\" href=\"/u/alice\">@alice</a> and "
	       "<a class=\"mention\" href=\"/u/Bob\">@Bob</a>, @nobody; ask "
	       "<a class=\"mention\" href=\"/u/bob\">@bob</a> or "
	       "<a class=\"mention\" href=\"/u/BOB\">@BOB</a>.</p>\n",
	       "accepted names linked, refused name left as text");
	is_int(out.n_mentions, 2, "two names linked");
	if (out.n_mentions == 2) {
		is_str(out.mentions[0], "alice", "mentions[0] as typed");
		is_str(out.mentions[1], "Bob", "mentions[1] as first typed");
	}
	is_int(l.calls, 3, "mention_ok once per distinct name, case-insensitively");
	md_out_free(&out);

	check_html("`@a1b` and\n\n```\n@c2d\n```\n\n    @e3f\n\n[@g4h](/x) ![@i5j](/i.png) "
		   "<https://x/@k6l>",
		   "<p><code>@a1b</code> and</p>\n<pre><code>@c2d\n</code></pre>\n"
		   "<pre><code>@e3f\n</code></pre>\n<p><a " REL "href=\"/x\">@g4h</a> "
		   "<img src=\"/i.png\" alt=\"@i5j\" /> <a " REL "href=\"https://x/@k6l\">"
		   "https://x/@k6l</a></p>\n",
		   "no mentions in code spans, code blocks, links, images, autolinks");
	check_html("email@example.com a_@bob 9@bob",
		   "<p><a " REL "href=\"mailto:email@example.com\">email@example.com</a> a_@bob 9@bob</p>\n",
		   "not after a word character");
	check_html("@ab @abc @x-y_z (@p-q) @@zzz", "<p>@ab <a class=\"mention\" href=\"/u/abc\">"
		   "@abc</a> <a class=\"mention\" href=\"/u/x-y_z\">@x-y_z</a> (<a class=\"mention\" "
		   "href=\"/u/p-q\">@p-q</a>) @<a class=\"mention\" href=\"/u/zzz\">@zzz</a></p>\n",
		   "3+ characters of [A-Za-z0-9_-]; punctuation before is fine");
	check_html("@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa @bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
		   "<p><a class=\"mention\" href=\"/u/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">"
		   "@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</a> @bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb</p>\n",
		   "32 characters linked, 33 not (and no prefix of it)");
	check_html("_@under_score_ **@x_y** a < @bob & c", "<p><em><a class=\"mention\" "
		   "href=\"/u/under_score\">@under_score</a></em> <strong><a class=\"mention\" "
		   "href=\"/u/x_y\">@x_y</a></strong> a &lt; <a class=\"mention\" href=\"/u/bob\">"
		   "@bob</a> &amp; c</p>\n", "names with '_' survive emphasis parsing; text escaped");
	check_html("# Thanks @carol", "<h3>Thanks <a class=\"mention\" href=\"/u/carol\">@carol</a>"
		   "</h3>\n", "mention in a heading");
	check_html("[hi @dave](javascript:x)", "<p>hi @dave</p>\n",
		   "the text of a dropped link keeps its @name as written");

	l = (struct lookup){ 0, NULL, false, "" };
	s = "`@abc` [@def](/x) ![@ghi](/i.png)\n\n    @jkl\n";
	is_int(md_render(s, strlen(s), &o, &out, NULL), MD_OK, "names in code and links render");
	is_int(l.calls, 0, "and are never looked up");
	md_out_free(&out);
}

static void
test_mention_limits(void)
{
	struct lookup l = { 0, NULL, false, "" };
	struct md_opts o = { 0, lookup_ok, &l };
	struct {
		char s[4096];
		size_t n;
	} b = { "", 0 };
	struct md_out out;
	int i, links = 0;
	const char *p;

	for (i = 0; i < 25; i++)
		b.n += (size_t)snprintf(b.s + b.n, sizeof(b.s) - b.n, "@user%02d ", i);
	b.n += (size_t)snprintf(b.s + b.n, sizeof(b.s) - b.n, "@USER03 @user24");
	is_int(md_render(b.s, b.n, &o, &out, NULL), MD_OK, "25 names render");
	is_int(out.n_mentions, MD_MAX_MENTIONS, "at most MD_MAX_MENTIONS names linked");
	is_int(l.calls, MD_MAX_MENTIONS, "no lookups once the limit is reached");
	for (p = out.html; (p = strstr(p, "class=\"mention\"")) != NULL; p++)
		links++;
	is_int(links, MD_MAX_MENTIONS + 1, "a linked name stays linked after the limit");
	ok(strstr(out.html, ">@user20<") == NULL && strstr(out.html, "@user24") != NULL,
	   "names past the limit stay text");
	is_str(out.mentions[0], "user00", "mentions in order of appearance");
	is_str(out.mentions[MD_MAX_MENTIONS - 1], "user19", "last linked name");
	md_out_free(&out);

	/* Refused names do not count against the link limit but do against lookups. */
	l = (struct lookup){ 0, NULL, true, "" };
	b.n = 0;
	for (i = 0; i < 80; i++)
		b.n += (size_t)snprintf(b.s + b.n, sizeof(b.s) - b.n, "@nope%02d ", i);
	is_int(md_render(b.s, b.n, &o, &out, NULL), MD_OK, "80 unknown names render");
	is_int(out.n_mentions, 0, "none linked");
	ok(l.calls > MD_MAX_MENTIONS && l.calls < 80, "lookups are capped (%d)", l.calls);
	md_out_free(&out);

	l = (struct lookup){ 0, NULL, false, "" };
	is_int(md_render("@same @SAME @Same", 17, &o, &out, NULL), MD_OK, "repeats render");
	is_int(l.calls, 1, "one lookup for one name");
	is_str(l.last, "same", "mention_ok gets the name as first typed, without '@'");
	md_out_free(&out);
}

/* ---- IDEA-n ------------------------------------------------------------------------- */

static void
test_ideas(void)
{
	struct md_out out;
	const char *s = "See IDEA-42, IDEA-7 and (IDEA-42). IDEA-9223372036854775807!";

	is_int(md_render(s, strlen(s), NULL, &out, NULL), MD_OK, "ideas render");
	is_str(out.html, "<p>See <a class=\"idea-ref\" href=\"/ideas/42\">IDEA-42</a>, "
	       "<a class=\"idea-ref\" href=\"/ideas/7\">IDEA-7</a> and (<a class=\"idea-ref\" "
	       "href=\"/ideas/42\">IDEA-42</a>). <a class=\"idea-ref\" "
	       "href=\"/ideas/9223372036854775807\">IDEA-9223372036854775807</a>!</p>\n",
	       "IDEA-n linked");
	is_int(out.n_ideas, 3, "distinct ideas listed");
	if (out.n_ideas == 3) {
		ok(out.ideas[0] == 42 && out.ideas[1] == 7 && out.ideas[2] == INT64_MAX,
		   "in order of appearance");
	}
	md_out_free(&out);

	s = "IDEA-0 IDEA- xIDEA-3 IDEA-3x IDEA_3 IDEA-01 idea-3 IDEA-9223372036854775808 3IDEA-4";
	is_int(md_render(s, strlen(s), NULL, &out, NULL), MD_OK, "non-ideas render");
	ok(strstr(out.html, "<a") == NULL && out.n_ideas == 0 && out.ideas == NULL,
	   "IDEA-0, IDEA-, xIDEA-3, trailing word chars, leading zero, overflow: not linked");
	md_out_free(&out);
	check_html("`IDEA-1` [IDEA-2](/x)\n\n    IDEA-3\n", "<p><code>IDEA-1</code> <a " REL
		   "href=\"/x\">IDEA-2</a></p>\n<pre><code>IDEA-3\n</code></pre>\n",
		   "not in code or links");
	check_html("@bob:IDEA-5", "<p><a class=\"mention\" href=\"/u/bob\">@bob</a>:<a "
		   "class=\"idea-ref\" href=\"/ideas/5\">IDEA-5</a></p>\n", "mention next to an idea");
}

/* ---- input checks ------------------------------------------------------------------- */

static void
expect_refused(const char *src, size_t n, const struct md_opts *o, enum md_status want,
	       const char *name)
{
	struct md_out out;
	const char *reason = NULL;

	memset(&out, 0xA5, sizeof(out));
	is_int(md_render(src, n, o, &out, &reason), want, "%s: status", name);
	ok(out_is_zero(&out), "%s: out zeroed", name);
	ok(reason != NULL && reason[0] >= 'A' && reason[0] <= 'Z', "%s: reason \"%s\"", name,
	   reason ? reason : "(null)");
}

static void
test_input_checks(void)
{
	static char big[MD_MAX_BYTES + 2];
	struct md_opts small = { 10, NULL, NULL };
	struct md_out out;

	expect_refused("a\xff", 2, NULL, MD_INVALID_UTF8, "byte 0xFF");
	expect_refused("\xc0\xaf", 2, NULL, MD_INVALID_UTF8, "overlong");
	expect_refused("\xed\xa0\x80", 3, NULL, MD_INVALID_UTF8, "surrogate");
	expect_refused("ab\xe2\x82", 4, NULL, MD_INVALID_UTF8, "truncated sequence");
	expect_refused("a\0b", 3, NULL, MD_INVALID_UTF8, "NUL byte");
	expect_refused("", 0, NULL, MD_EMPTY, "empty");
	expect_refused(NULL, 0, NULL, MD_EMPTY, "NULL and 0");
	expect_refused(" \n\t\r\n\f\v ", 8, NULL, MD_EMPTY, "ASCII white space");
	expect_refused("\xc2\xa0\xe3\x80\x80\xe2\x80\x8b\xef\xbb\xbf\n", 12, NULL, MD_EMPTY,
		       "NBSP, ideographic space, ZWSP, BOM");
	memset(big, 'a', sizeof(big));
	expect_refused(big, MD_MAX_BYTES + 1, NULL, MD_TOO_LARGE, "one byte over MD_MAX_BYTES");
	expect_refused("0123456789x", 11, &small, MD_TOO_LARGE, "over opts->max_bytes");
	is_int(md_render(big, MD_MAX_BYTES, NULL, &out, NULL), MD_OK, "exactly MD_MAX_BYTES");
	md_out_free(&out);
	is_int(md_render("0123456789", 10, &small, &out, NULL), MD_OK, "exactly opts->max_bytes");
	md_out_free(&out);
	is_int(md_render(". \xc2\xa0", 4, NULL, &out, NULL), MD_OK, "one visible character");
	md_out_free(&out);
	is_int(md_render("\xf0\x9f\x90\x84", 4, NULL, &out, NULL), MD_OK, "emoji only");
	md_out_free(&out);
	is_int(md_render("x", 1, NULL, &out, NULL), MD_OK, "ret_reason may be NULL");
	md_out_free(&out);
}

/* ---- super-linear inputs -------------------------------------------------------------- */

/* A family of inputs with a size parameter k: head repeated k times, mid once, body k
 * times when body_k, then fill repeated up to MD_MAX_BYTES. */
struct family {
	const char *name;
	const char *head, *mid, *body, *fill;
	bool body_k;
};

static const struct family families[] = {
	/* cmark walks every open list item on every blank line: depth x lines */
	{ "blank lines in a deep list", " -", "x", "", "\n", false },
	{ "lazy lines in a deep list", " -", "x\n", "", "a*\n", false },
	{ "blank lines in deep quoted lists", "> - ", "x\n", "", ">\n", false },
	/* each emphasis or link child cmark inserts walks to the root (CVE-2023-24824) */
	{ "emphasis in a deep quote", ">", " ", "", "a*", false },
	{ "links in a deep quote", ">", " ", "", "[a](b)", false },
	{ "underscores in a deep list", "* ", "x\n  ", "", "_*", false },
	/* each link walks back over every open "![" (CVE-2023-22486) */
	{ "image openers, then links", "![", "", "[]()", "a", true },
	{ "![[]() repeated", "![[]()", "", "", "a", false },
	{ "image openers, then links in a list", "- ![", "\n", "  [a](b)\n", "  a\n", true },
	/* deeper than MD_MAX_DEPTH: the pass would walk to the root per change */
	{ "nested quotes", "> ", "a @bob\n\n", "", "b\n\n", false },
	{ "nested lists", "- ", "a @bob\n\n", "", "b\n\n", false },
	{ "nested emphasis", "*a ", "@bob", " a*", "\n\nc", true },
	{ "nested images", "![", "a", "](b)", "\n\nc", true },
	/* cmark-gfm 0.29.0.gfm.6's extensions (md_guard_gfm) */
	{ "web addresses run together", "http://a", "", "", " a", false },
	{ "at signs run together", "a@", "", "", " a", false },
	{ "www run together", "www.a", "", "", " a", false },
	{ "delimiter rows under a growing paragraph", "|-\nt>|-\n", "", "", "\n", false },
	{ "lines, then delimiter rows", "aaaaaaaaa\n", "", "|-\n", "\n", true },
	{ "a wide table over one-word lines", "|a", "\n", "|-", "\nxxxxx", true },
	{ "a wide table, one row", "|a", "\n", "|-", "\n\n", true },
};

static void
put(char *b, size_t *n, const char *s)
{
	size_t l = strlen(s);

	memcpy(b + *n, s, l);
	*n += l;
}

/* Repeat s[0..l) from b + *n for as long as whole copies fit below MD_MAX_BYTES, by
 * doubling what is already written, so building a test input stays cheap under ASan. */
static void
put_fill(char *b, size_t *n, const char *s)
{
	size_t l = strlen(s), start = *n, have, room = (MD_MAX_BYTES - start) / l * l;

	if (room == 0)
		return;
	memcpy(b + start, s, l);
	for (have = l; have < room; have *= 2)
		memcpy(b + start + have, b + start, have * 2 <= room ? have : room - have);
	*n = start + room;
}

/* The largest k whose member of f fits in MD_MAX_BYTES. */
static size_t
family_max(const struct family *f)
{
	return (MD_MAX_BYTES - strlen(f->mid)) /
	       (strlen(f->head) + (f->body_k ? strlen(f->body) : 0));
}

/* Build member k of f into b (MD_MAX_BYTES + 1 bytes); its length. */
static size_t
family_build(const struct family *f, size_t k, char *b)
{
	size_t n = 0, i;

	for (i = 0; i < k; i++)
		put(b, &n, f->head);
	put(b, &n, f->mid);
	for (i = 0; f->body_k && i < k; i++)
		put(b, &n, f->body);
	put_fill(b, &n, f->fill);
	return n;
}

static bool
family_refused(const struct family *f, size_t k, char *b)
{
	struct md_out out;
	size_t n = family_build(f, k, b);
	enum md_status st = md_render(b, n, NULL, &out, NULL);

	md_out_free(&out);
	return st == MD_TOO_COMPLEX;
}

/* Find the largest k the pre-scan accepts (the refusal is monotone in k), then check
 * that it renders in time at full size and that k + 1 is refused. */
static void
test_family(const struct family *f, char *b)
{
	size_t lo = 1, hi = family_max(f), mid, n;
	double ms;

	if (!ok(!family_refused(f, lo, b) && family_refused(f, hi, b),
		"%s: k=1 accepted, k=%zu (full size) refused", f->name, hi))
		return;
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (family_refused(f, mid, b))
			hi = mid;
		else
			lo = mid;
	}
	n = family_build(f, lo, b);
	is_int(timed(b, n, 3, &ms), MD_OK, "%s: k=%zu just under the limit renders", f->name, lo);
	ok(ms < MAX_MS, "%s: k=%zu, %zu bytes in %.1f ms CPU", f->name, lo, n, ms);
	ok(family_refused(f, lo + 1, b), "%s: k=%zu just over the limit is refused", f->name,
	   lo + 1);
}

/* Inputs cmark 0.30.2 handles in linear time: the pre-scan must let them through (or
 * refuse them cheaply) and md_render must stay fast at full size. Many are the
 * pathological tests of cmark and of the 2023 advisories that 0.30.2 already survives. */
static void
test_linear_inputs(char *b)
{
	static const char *const patterns[] = {
		"a_ ", "_a ", "a]", "[a", "*a_ ", "c* ", "[ a_", "[ (](", "[a](<b", "[a](b", "[](",
		"`a``", "e`", "<!--", "<?x", "<http://s", "*t _t*_ ", "&#", "&a", "<a ", "<", "\\",
		"[f]\n", "- a\n", " 2.\n", " -\n", "a\n", ">a\n", "*_* _ ", "][&_", "<\n]",
		"[a]: u\n", "|-\nt>|-\n", "@abcd ", "@u_v ", "IDEA-1 ", "x IDEA-12345 @bob ",
		"[a](javascript:b) ", "[*a* _b_ `c`](data:x) ", "![a](http://x/y.png) ",
		"[a](http://x \"t\") ", "<https://x> ", "> a\n>\n", "1. a\n   - b\n",
		/* the GitHub extensions */
		"~a ", "~~a~ ", "a~~", "~~~", "~", "| a |\n", "|a|b|\n|-|-|\n", "|-|\n", "|\n", "-|\n",
		"- [ ] a\n", "- [x] ~~a~~\n", "www.a.b ", "a@b.c ", "http://a.b/c ", "http://a.b/(c) ",
		"a.b@c.d_e ", "www.", "https://", ":// ", "@ ",
	};
	double ms;
	size_t i, n, l;

	for (i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
		l = strlen(patterns[i]);
		for (n = 0; n + l <= MD_MAX_BYTES; n += l)
			memcpy(b + n, patterns[i], l);
		timed(b, n, 2, &ms);
		ok(ms < MAX_MS, "\"%s\" repeated to %zu bytes: %.1f ms", shown(patterns[i]), n, ms);
	}
}

/* A long post of the kind people write: prose with links, mentions and ideas, nested
 * lists, quotes, tables of code, images. It must never be refused. */
static void
test_long_post(char *b)
{
	static const char section[] =
		"## Notes on IDEA-12 from @alice_b\n\n"
		"Following up on [the thread](/t/42#p7) and **what @bob said**: the *cheap* fix "
		"is in `src/x.c` (see <https://example.com/a?b=1&c=2>), and IDEA-7 covers the rest.\n"
		"A second line with _emphasis_, a [ref link][doc] and an ![icon](/i/a.png).\n\n"
		"1. First\n   - nested *one*\n     - deeper [x](http://x/)\n       > quoted `code`\n"
		"2. Second\n\n"
		"> > A quote in a quote, with a list:\n> > - a\n> > - b\n\n"
		"```c\nstatic int f(int *a, size_t n) { return a[n - 1] & ~(1 << 3) > 0 ? *a : a[0]; }"
		"\n/* [not] a ![link](here) */\nfor (i = 0; i < n; i++) x[i][j] = y_z[i] * 2;\n```\n\n"
		"| col | col |\n|-----|-----|\n| `a|b` | [c](/d) |\n\n"
		"[doc]: https://example.com/doc \"Docs\"\n\n---\n\n";
	struct md_out out;
	size_t n = 0, i;
	double ms;
	enum md_status st;

	while (n + sizeof(section) - 1 <= MD_MAX_BYTES)
		put(b, &n, section);
	st = timed(b, n, 3, &ms);
	is_int(st, MD_OK, "a long ordinary post (%zu bytes) is accepted", n);
	ok(ms < MAX_MS, "and renders in %.1f ms", ms);
	md_render(b, n, NULL, &out, NULL);
	ok(out.n_mentions == 2 && out.n_ideas == 2, "its mentions and ideas are found");
	md_out_free(&out);

	n = 0;
	for (i = 0; n + 30 <= MD_MAX_BYTES; i++)
		put(b, &n, i % 300 == 299 ? "![photo](/img/photo-0001.jpg)\n\n" : "![photo](/i/p.jpg)\n");
	is_int(timed(b, n, 1, &ms), MD_OK, "paragraphs of 300 images each are accepted");
	n = 0;
	while (n + 200 <= MD_MAX_BYTES) {
		put(b, &n, "        if (a[i] && *p[j] == '_' && !b[k]) { x = y[z] * w_v; }  "
			   "/* <tag> & [x](y) */\n");
		put(b, &n, "                    return m[n][o] * p_q_r - s[t] & u[v] || !w[x];\n");
	}
	is_int(timed(b, n, 2, &ms), MD_OK, "a long indented code block full of syntax is accepted");
	ok(ms < MAX_MS, "and renders in %.1f ms", ms);
	n = 0;
	while (n + 420 <= MD_MAX_BYTES) {
		put(b, &n, "A section title\n---------------\nThe text of the section runs on with no blank line, "
			   "as some people write, and says what it has to say about the change board.\n");
		put(b, &n, "Another line of it, then one more with a | pipe and - dashes in it - like this.\n");
		put(b, &n, "And a table right under the text:\n| a | b |\n|---|---|\n| 1 | 2 |\n");
	}
	is_int(timed(b, n, 2, &ms), MD_OK, "setext sections and tables with no blank lines are accepted");
	ok(ms < MAX_MS, "and render in %.1f ms", ms);
	n = 0;
	put(b, &n, "| name | value |\n|------|-------|\n");
	while (n + 12 <= MD_MAX_BYTES)
		put(b, &n, "| k | 12 |\n");
	is_int(timed(b, n, 2, &ms), MD_OK, "a two-column table of %zu bytes is accepted", n);
	ok(ms < MAX_MS, "and renders in %.1f ms", ms);
}

static void
test_complexity(void)
{
	char *b = malloc(MD_MAX_BYTES + 1);
	const char *reason = NULL;
	struct md_out out;
	size_t i, n = 0;

	if (!ok(b != NULL, "buffer"))
		return;
	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		test_family(&families[i], b);
	test_linear_inputs(b);
	test_long_post(b);

	while (n + 2 <= MD_MAX_BYTES)
		put(b, &n, n < 2 * 20000 ? " -" : "\n");
	is_int(md_render(b, n, NULL, &out, &reason), MD_TOO_COMPLEX, "deep list: refused");
	is_str(reason, "The post nests quotes or lists too deeply.", "with a reason");
	n = 0;
	while (n + 6 <= MD_MAX_BYTES)
		put(b, &n, "![[]()");
	is_int(md_render(b, n, NULL, &out, &reason), MD_TOO_COMPLEX, "![[]() x 8333: refused");
	is_str(reason, "The post has too many unmatched brackets.", "with a reason");
	ok(out_is_zero(&out), "and out zeroed");
	n = 0;
	while (n < 2 * 150)
		put(b, &n, "> ");
	put(b, &n, "a");
	is_int(md_render(b, n, NULL, &out, &reason), MD_TOO_COMPLEX, "150 nested quotes: refused");
	is_str(reason, "The post nests quotes, lists or emphasis too deeply.", "with a reason");
	free(b);
}

/* The count of author links the spam rule uses: links the author wrote (autolinks too),
 * not mentions, IDEA links, images or dropped targets. */
static void
test_link_count(void)
{
	static const struct { const char *src; size_t links; } cases[] = {
		{ "no links at all", 0 },
		{ "[a](https://a.example) and <https://b.example>", 2 },
		{ "@alice and IDEA-3 are not author links", 0 },
		{ "![img](https://a.example/x.png)", 0 },
		{ "[bad](javascript:alert(1)) is dropped", 0 },
		{ "`<a href=\"x\">` in code", 0 },
		{ "<a href=\"https://raw.example\">raw</a>", 0 },
		{ "[x](/relative) [y](mailto:a@b.example) [z](http://c.example)", 3 },
	};
	struct md_out out;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (md_render(cases[i].src, strlen(cases[i].src), NULL, &out, NULL) != MD_OK) {
			ok(0, "renders: %s", cases[i].src);
			continue;
		}
		is_int((long long)out.n_links, (long long)cases[i].links, "author links in %s", cases[i].src);
		md_out_free(&out);
	}
}

int
main(void)
{
	test_plain();
	test_raw_html();
	test_headings();
	test_gfm();
	test_links_dropped();
	test_links_kept();
	test_mentions();
	test_mention_limits();
	test_ideas();
	test_input_checks();
	test_complexity();
	test_link_count();
	return done_testing();
}
