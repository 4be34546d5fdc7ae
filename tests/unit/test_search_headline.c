/* Unit tests for forum/search_headline: what no HTTP request can give it (the text comes
 * from PostgreSQL, always valid UTF-8): bytes that are not UTF-8, a query's quoting. */
#include <string.h>

#include "core/buf.h"
#include "core/utf8.h"
#include "forum/search_headline.h"
#include "tap.h"

/* The headline of text (n bytes) for tsquery q, as a string to free with buf_free. */
static struct buf
hl(const char *text, size_t n, const char *q)
{
	struct search_terms t;
	struct buf b = BUF_INIT;

	search_terms_parse(q, &t);
	search_headline(&b, text, n, &t);
	search_terms_free(&t);
	return b;
}

static void
is_hl(const char *text, const char *q, const char *want, const char *name)
{
	struct buf b = hl(text, strlen(text), q);

	is_str(b.data, want, "%s", name);
	buf_free(&b);
}

int
main(void)
{
	struct search_terms t;
	static const char bad[] = "caf\xC3 \xFF\xFE ok\xE2\x82 \xC0\xAF slash \xED\xA0\x80 sur escalated \xF4\x90\x80\x80 end \xE2";
	struct buf b;

	search_terms_parse("'root' <-> 'caus' & !'blame' & 'o''brien' & !( 'x' )", &t);
	ok(t.n == 4 && strcmp(t.lex[0], "root") == 0 && strcmp(t.lex[1], "caus") == 0 &&
	   strcmp(t.lex[2], "o'brien") == 0 && strcmp(t.lex[3], "x") == 0,
	   "lexemes unquoted, a directly negated one left out");
	search_terms_free(&t);
	search_terms_parse("", &t);
	ok(t.n == 0, "an empty query has no lexemes");
	search_terms_free(&t);

	b = hl(bad, sizeof bad - 1, "'escal'");
	ok(utf8_valid(b.data, b.len), "bytes that are not UTF-8 never reach the headline");
	ok(strstr(b.data, "<mark>escalated</mark>") != NULL, "and the words around them still match: %s", b.data);
	buf_free(&b);
	is_hl("a\x01<b>\x02 & \x7f\xC2\x85 root\tcause 1 < 2 > 0", "'root' & 'caus'",
	      "a &amp;  <mark>root</mark>\t<mark>cause</mark> 1 &lt; 2 &gt; 0", "controls dropped, HTML escaped, tab kept");
	is_hl("<p>root</p><p>cause</p> <img src=\"x\" onerror=\"root\"><!-- root --> x<b>root</b>.", "'root'",
	      "<mark>root</mark> cause  x <mark>root</mark>", "HTML tags left out, words either side kept apart");
	is_hl("one two three four five six seven eight nine ten eleven twelve thirteen fourteen", "'zzz'",
	      "one two three four five six seven eight nine ten eleven twelve", "no match: the first 12 words");
	is_hl("", "'x'", "", "empty text, empty headline");
	is_hl("Walked WALKING walks walker the", "'walk' & 'the'",
	      "<mark>Walked</mark> <mark>WALKING</mark> <mark>walks</mark> walker the",
	      "stemmed as Snowball English, stop words never matched");
	is_hl("KPI2 kpi2s 2026 2026s", "'kpi2' & '2026'", "<mark>KPI2</mark> kpi2s <mark>2026</mark> 2026s",
	      "words with digits are not stemmed");
	is_hl("ÉCOLE école", "'école'", "<mark>ÉCOLE</mark> <mark>école</mark>", "lower case beyond ASCII");
	return done_testing();
}
