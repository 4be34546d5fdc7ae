/* Unit tests for render/diff: word-level changes as escaped HTML, and the size bound. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "render/diff.h"
#include "tap.h"

#define DEL(s) "<del><span class=\"vh\">[removed: </span>" s "<span class=\"vh\">]</span></del>"
#define INS(s) "<ins><span class=\"vh\">[added: </span>" s "<span class=\"vh\">]</span></ins>"

static struct diff_stats st;

static const char *
diff(const char *a, const char *b)
{
	static struct buf out = BUF_INIT;

	buf_reset(&out);
	diff_words_html(&out, a, b, DIFF_MAX_CELLS, &st);
	return out.data;
}

/* A text of n words w0 w1 …, with every step-th word replaced by x. */
static char *
words(size_t n, size_t step)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < n; i++)
		if (step && i % step == 0)
			buf_printf(&b, "%sx%zu", i ? " " : "", i);
		else
			buf_printf(&b, "%sw%zu", i ? " " : "", i);
	return buf_detach(&b, NULL);
}

int
main(void)
{
	is_str(diff("same text", "same text"), "same text", "equal texts: no markup");
	ok(st.inserted == 0 && st.deleted == 0 && !st.replaced, "equal texts: nothing counted");
	is_str(diff("", ""), "", "two empty texts");
	is_str(diff(NULL, NULL), "", "NULL is empty");
	is_str(diff(NULL, "new words"), INS("new words"), "all added");
	ok(st.inserted == 2 && st.deleted == 0, "two words added");
	is_str(diff("old words", ""), DEL("old words"), "all taken away");
	ok(st.deleted == 2, "two words taken away");
	is_str(diff("the quick fox", "the slow fox"), "the " DEL("quick") INS("slow") " fox",
	       "a changed word in the middle");
	is_str(diff("a b c", "a b c d"), "a b c" INS(" d"), "a word added at the end");
	is_str(diff("a b c", "z a b c"), INS("z ") "a b c", "a word added at the start");
	is_str(diff("one two three four", "one 2 3 four"), "one " DEL("two three") INS("2 3") " four",
	       "neighbouring changes join across the space between them");
	is_str(diff("a <b> & \"c\"", "a <i> & \"c\""), "a " DEL("&lt;b&gt;") INS("&lt;i&gt;") " &amp; &quot;c&quot;",
	       "everything is escaped, changed or not");
	is_str(diff("line one\nline two", "line one\nline 2"), "line one\nline " DEL("two") INS("2"),
	       "line breaks are kept");
	is_str(diff("café crème", "café brûlée"), "café " DEL("crème") INS("brûlée"),
	       "UTF-8 words stay whole");
	is_str(diff("a  b", "a b"), "a" DEL("  ") INS(" ") "b", "a change of spacing shows");
	ok(st.inserted == 0 && st.deleted == 0, "spaces are not counted as words");
	is_str(diff("x y z", "y z x"), DEL("x ") "y z" INS(" x"), "a moved word: taken away and added");

	/* The bound: a rewrite too large to compare word by word is shown as replaced. */
	{
		struct buf out = BUF_INIT;
		char *a = words(4000, 0), *b = words(4000, 2);
		clock_t t0 = clock();

		diff_words_html(&out, a, b, DIFF_MAX_CELLS, &st);
		ok(st.replaced, "4000 words with every other one changed: replaced");
		ok((double)(clock() - t0) / CLOCKS_PER_SEC < 1.0, "and fast");
		ok(strncmp(out.data, "<del>", 5) == 0 && strstr(out.data, "</del><ins>") != NULL,
		   "one deletion then one insertion");
		buf_reset(&out);
		diff_words_html(&out, a, b, (size_t)-1 / 2, &st);
		ok(!st.replaced && st.deleted == 2000 && st.inserted == 2000, "without the bound: word by word");
		buf_free(&out);
		free(a);
		free(b);
	}
	{
		struct buf out = BUF_INIT;
		char *a = words(12000, 0), *b = words(12000, 0);

		strstr(b, " w6000 ")[1] = 'x';
		strstr(b, " w6003 ")[1] = 'x';
		diff_words_html(&out, a, b, DIFF_MAX_CELLS, &st);
		ok(!st.replaced && st.deleted == 2 && st.inserted == 2,
		   "12 000 words with two changed: the common start and end are set aside");
		ok(strstr(out.data, " " DEL("w6000") INS("x6000") " w6001 w6002 " DEL("w6003") INS("x6003") " ") != NULL,
		   "and the two words are marked");
		buf_free(&out);
		free(a);
		free(b);
	}
	is_str(diff("a b", "c d"), DEL("a b") INS("c d"), "nothing in common");
	{
		struct buf out = BUF_INIT;

		diff_words_html(&out, "a b c", "a x c", 1, &st);
		ok(st.replaced, "a bound of one cell: replaced");
		is_str(out.data, "a " DEL("b") INS("x") " c", "the common start and end still show");
		buf_free(&out);
	}
	return done_testing();
}
