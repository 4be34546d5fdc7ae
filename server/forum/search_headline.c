/* forum/search_headline.c — search hits' headlines made from the hit's text and the query's
 * lexemes (see the header). PostgreSQL still decides what matches and how it ranks; this
 * only shows where. Its words are what PostgreSQL's default parser calls words for prose:
 * runs of letters and digits (a hyphenated word's parts, as ts_headline marks them), in
 * the cluster's locale. Other tokens of that parser (e-mail addresses, URLs, version
 * numbers, a hyphenated word as a whole) are shown but not matched. */
#include "forum/search_headline.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>
#include <locale.h>

#include <libstemmer.h>

#include "core/arena.h"
#include "core/utf8.h"

#define HL_MAX_WORDS 30       /* ts_headline's MaxWords, as the search used it */
#define HL_MIN_WORDS 12       /* its MinWords: what is shown when nothing matches */
#define HL_DELIM " … "        /* its FragmentDelimiter */
#define HL_WORD_BYTES 128     /* longer words are shown but never stemmed nor matched */
#define HL_CACHE_SLOTS 1024   /* a power of 2 */
#define HL_CACHE_WORD 30      /* bytes: longer words are looked up every time */

/* Which term each word (as written) makes, for the words of a search's page: stemming
 * is most of a headline's cost, and the hits of a page repeat their words. */
struct hl_cache {
	struct {
		uint8_t len;   /* 0: empty */
		int8_t term;
		char w[HL_CACHE_WORD];
	} slot[HL_CACHE_SLOTS];
};

/* PostgreSQL 15's english.stop (tsearch_data), sorted: these make no lexeme. */
static const char *const hl_stop[] = {
	"a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are",
	"as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but",
	"by", "can", "did", "do", "does", "doing", "don", "down", "during", "each", "few", "for",
	"from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself",
	"him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself",
	"just", "me", "more", "most", "my", "myself", "no", "nor", "not", "now", "of", "off", "on",
	"once", "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own", "s",
	"same", "she", "should", "so", "some", "such", "t", "than", "that", "the", "their",
	"theirs", "them", "themselves", "then", "there", "these", "they", "this", "those",
	"through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what",
	"when", "where", "which", "while", "who", "whom", "why", "will", "with", "you", "your",
	"yours", "yourself", "yourselves",
};

/* One stemmer per thread (a stemmer keeps its last result), freed with the thread. */
static pthread_key_t hl_key;
static pthread_once_t hl_once = PTHREAD_ONCE_INIT;
/* The character classes and lower case of the embedded cluster's locale (initdb
 * --locale=C.UTF-8, db/cluster.c), which PostgreSQL's parser and lower() use; (locale_t)0
 * if the C library lacks it, and then only ASCII is lowered and the rest approximated. */
static locale_t hl_loc;

static void
hl_stemmer_free(void *s)
{
	sb_stemmer_delete(s);
}

static void
hl_key_make(void)
{
	if (pthread_key_create(&hl_key, hl_stemmer_free) != 0)
		core_oom();
	hl_loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

static struct sb_stemmer *
hl_stemmer(void)
{
	struct sb_stemmer *s;

	pthread_once(&hl_once, hl_key_make);
	s = pthread_getspecific(hl_key);
	if (s == NULL) {
		/* NULL only on out-of-memory: "english" in UTF-8 is always built in */
		if ((s = sb_stemmer_new("english", "UTF_8")) == NULL)
			core_oom();
		pthread_setspecific(hl_key, s);
	}
	return s;
}

void
search_terms_parse(const char *q, struct search_terms *ret)
{
	const char *p = q ? q : "";

	ret->n = 0;
	memset(ret->first, 0, sizeof ret->first);
	ret->cache = core_realloc_array(NULL, 1, sizeof *ret->cache);
	memset(ret->cache, 0, sizeof *ret->cache);
	while ((p = strchr(p, '\'')) != NULL) {
		/* negated when the operator just before the quote is ! */
		const char *b = p;
		bool neg;
		struct buf lex = BUF_INIT;

		while (b > q && b[-1] == ' ')
			b--;
		neg = b > q && b[-1] == '!';
		/* tsquery's output doubles a quote and escapes a backslash */
		for (p++; *p; p++) {
			if (*p == '\'' && p[1] == '\'')
				p++;
			else if (*p == '\'')
				break;
			else if (*p == '\\' && p[1])
				p++;
			buf_putc(&lex, *p);
		}
		if (*p == '\'')
			p++;
		if (!neg && lex.len > 0 && lex.len <= HL_WORD_BYTES && ret->n < SEARCH_TERMS_MAX) {
			ret->first[(unsigned char)lex.data[0] >> 3] |= (unsigned char)(1u << (lex.data[0] & 7));
			ret->lex[ret->n] = lex.data;
			ret->len[ret->n++] = lex.len;
		} else {
			buf_free(&lex);
		}
	}
}

void
search_terms_free(struct search_terms *t)
{
	for (int i = 0; i < t->n; i++)
		free(t->lex[i]);
	t->n = 0;
	free(t->cache);
	t->cache = NULL;
}

/* The length of the well-formed UTF-8 character at s[0..n) with its code point in *cp,
 * or 0 when the bytes there are not one (overlong, surrogate, past U+10FFFF, cut short). */
static size_t
hl_char(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len, i;
	uint32_t c = s[0];

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF)
		len = 2, c &= 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3, c &= 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4, c &= 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

/* Whether code point c is part of a word: ASCII letters and digits, and outside ASCII
 * what the locale calls alphanumeric, as PostgreSQL's parser asks (iswalpha and iswdigit). */
static bool
hl_word_char(uint32_t c)
{
	if (c < 0x80)
		return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
	if (hl_loc != (locale_t)0)
		return iswalnum_l((wint_t)c, hl_loc);
	if (c < 0xC0 || c == 0xD7 || c == 0xF7)
		return false;
	return !((c >= 0x2000 && c <= 0x2BFF) || (c >= 0x3000 && c <= 0x303F) ||
		 (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF0F) || c >= 0x1F000);
}

static int
hl_stop_cmp(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

/* Which of t's terms word w[0..n) (valid UTF-8, letters and digits) makes, or -1. */
static int
hl_term_find(const char *w, size_t n, const struct search_terms *t)
{
	char low[2 * HL_WORD_BYTES + 4];   /* lower case may take more bytes */
	const char *lex = low;
	size_t lexlen = 0, len;
	bool digit = false, ascii = true;
	uint32_t c;

	if (n > HL_WORD_BYTES)
		return -1;
	/* Stemming keeps a word's first character (Snowball English changes endings, and its
	 * exceptions - "dying" to "die" - too), so most words are told apart by it unstemmed:
	 * stemming every word cost 3/4 of a headline's time. */
	c = (unsigned char)w[0];
	if (c < 0x80) {
		c = c >= 'A' && c <= 'Z' ? c + 32 : c;
		if (!(t->first[c >> 3] & (1u << (c & 7))))
			return -1;
	}
	for (size_t i = 0; i < n; i += len) {
		len = hl_char((const unsigned char *)w + i, n - i, &c);
		digit |= c >= '0' && c <= '9';
		if (c < 0x80) {
			low[lexlen++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
			continue;
		}
		ascii = false;
		if (hl_loc != (locale_t)0)
			c = (uint32_t)towlower_l((wint_t)c, hl_loc);
		lexlen += utf8_encode(c, low + lexlen);
	}
	low[lexlen] = '\0';
	/* 'english' sends words with digits to the 'simple' dictionary: lower case alone */
	if (!digit) {
		struct sb_stemmer *s;

		if (ascii && bsearch(low, hl_stop, sizeof hl_stop / sizeof hl_stop[0], sizeof hl_stop[0], hl_stop_cmp))
			return -1;
		s = hl_stemmer();
		lex = (const char *)sb_stemmer_stem(s, (const sb_symbol *)low, (int)lexlen);
		if (lex == NULL)
			core_oom();
		lexlen = (size_t)sb_stemmer_length(s);
	}
	for (int i = 0; i < t->n; i++)
		if (t->len[i] == lexlen && memcmp(t->lex[i], lex, lexlen) == 0)
			return i;
	return -1;
}

/* hl_term_find, through t's cache. */
static int
hl_term(const char *w, size_t n, const struct search_terms *t)
{
	uint32_t h = 2166136261u;   /* FNV-1a */
	int term;

	if (n > HL_CACHE_WORD || t->cache == NULL)
		return hl_term_find(w, n, t);
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)w[i]) * 16777619u;
	h &= HL_CACHE_SLOTS - 1;
	if (t->cache->slot[h].len == n && memcmp(t->cache->slot[h].w, w, n) == 0)
		return t->cache->slot[h].term;
	term = hl_term_find(w, n, t);
	t->cache->slot[h].len = (uint8_t)n;
	t->cache->slot[h].term = (int8_t)term;
	memcpy(t->cache->slot[h].w, w, n);
	return term;
}

struct hl_word {
	size_t b, e;   /* bytes of the text */
	int term;      /* index in the terms, -1 */
};

/* A cover: words [s, e] holding `distinct` terms, the first and last of them matches. */
struct hl_cover {
	size_t s, e;
	int distinct;
};

/* Text s[0..n) escaped for HTML, without control characters (tab and newline kept) and
 * without bytes that are not UTF-8. */
static void
hl_escape(struct buf *out, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run = 0, len;
	uint32_t c;

	while (i < n) {
		len = hl_char(u + i, n - i, &c);
		if (len > 0 && !((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || (c >= 0x7F && c <= 0x9F))) {
			i += len;
			continue;
		}
		buf_html_escape(out, s + run, i - run);
		i += len ? len : 1;
		run = i;
	}
	buf_html_escape(out, s + run, i - run);
}

/* Fragment [s, e] of the words, its matches in <mark>. */
static void
hl_fragment(struct buf *out, const char *text, const struct hl_word *w, size_t s, size_t e)
{
	size_t at = w[s].b;

	for (size_t i = s; i <= e; i++) {
		hl_escape(out, text + at, w[i].b - at);
		if (w[i].term >= 0)
			buf_puts(out, "<mark>");
		hl_escape(out, text + w[i].b, w[i].e - w[i].b);
		if (w[i].term >= 0)
			buf_puts(out, "</mark>");
		at = w[i].e;
	}
}

/* Cover c widened to HL_MAX_WORDS words within [lo, hi], as much before it as after. */
static void
hl_widen(const struct hl_cover *c, size_t lo, size_t hi, size_t *s, size_t *e)
{
	size_t room = HL_MAX_WORDS - (c->e - c->s + 1), before = room / 2;

	*s = c->s - lo >= before ? c->s - before : lo;
	room -= c->s - *s;
	*e = hi - c->e >= room ? c->e + room : hi;
	room -= *e - c->e;
	*s = *s - lo >= room ? *s - room : lo;
}

/* The best cover that starts at or after match mi: the most distinct terms within
 * HL_MAX_WORDS words, then the shortest. */
static struct hl_cover
hl_cover_from(const struct hl_word *w, const size_t *m, size_t nm, size_t mi)
{
	struct hl_cover c = { m[mi], m[mi], 0 };
	uint64_t seen = 0;

	for (size_t j = mi; j < nm && m[j] - m[mi] < HL_MAX_WORDS; j++) {
		uint64_t bit = UINT64_C(1) << w[m[j]].term;

		if (!(seen & bit)) {
			seen |= bit;
			c.distinct++;
			c.e = m[j];
		}
	}
	return c;
}

static bool
hl_better(const struct hl_cover *a, const struct hl_cover *b)
{
	return a->distinct > b->distinct || (a->distinct == b->distinct && a->e - a->s < b->e - b->s);
}

/* The length of the HTML tag or comment at s[0..n) (`<b>`, `</p>`, `<img src=x>`, `<!-- -->`),
 * 0 if there is none: PostgreSQL's parser makes these tag tokens, which ts_headline left out
 * of its headlines, and the rendered post leaves raw HTML out too. "1 < 2" is no tag. */
static size_t
hl_tag(const char *s, size_t n)
{
	size_t i = 1;

	if (n < 3 || s[0] != '<')
		return 0;
	if (s[1] == '/')
		i = 2;
	if (!(i < n && (((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z') || (i == 1 && (s[1] == '!' || s[1] == '?')))))
		return 0;
	for (; i < n && i < 1024; i++) {
		if (s[i] == '>')
			return i + 1;
		if (s[i] == '<')
			return 0;
	}
	return 0;
}

/* Whether byte c may be part of a word (a letter, a digit, a byte of a character past ASCII). */
static bool
hl_wordish(char c)
{
	unsigned char u = (unsigned char)c;

	return (u >= '0' && u <= '9') || ((u | 0x20) >= 'a' && (u | 0x20) <= 'z') || u >= 0x80;
}

/* text[0..len) without HTML tags (a space in place of one that stood between two words)
 * into *ret, malloc'd. */
static void
hl_untag(const char *text, size_t len, struct buf *ret)
{
	size_t i = 0, run = 0, tag;

	buf_grow(ret, len);
	while (i < len) {
		const char *lt = memchr(text + i, '<', len - i);

		if (lt == NULL) {
			i = len;
			break;
		}
		i = (size_t)(lt - text);
		if ((tag = hl_tag(text + i, len - i)) == 0) {
			i++;
			continue;
		}
		buf_append(ret, text + run, i - run);
		i += tag;
		run = i;
		if (ret->len > 0 && hl_wordish(ret->data[ret->len - 1]) && i < len && hl_wordish(text[i]))
			buf_putc(ret, ' ');
	}
	buf_append(ret, text + run, i - run);
}

void
search_headline(struct buf *out, const char *html, size_t hlen, const struct search_terms *t)
{
	struct buf plain = BUF_INIT;
	const char *text;
	const unsigned char *u;
	size_t len;
	struct hl_word *w = NULL;
	size_t nw = 0, cap = 0, *m = NULL, nm = 0, i = 0, clen, fs[2], fe[2], nf = 0;
	struct hl_cover best = { 0, 0, 0 }, second = { 0, 0, 0 };
	uint32_t c;

	pthread_once(&hl_once, hl_key_make);
	buf_append(out, "", 0);
	hl_untag(html, hlen, &plain);
	text = plain.data;
	u = (const unsigned char *)text;
	len = plain.len;
	while (i < len) {
		size_t b = i;

		while (i < len) {
			if (u[i] < 0x80) {   /* most of the text: no decoding */
				if (!hl_word_char(u[i]))
					break;
				i++;
			} else if ((clen = hl_char(u + i, len - i, &c)) > 0 && hl_word_char(c)) {
				i += clen;
			} else {
				break;
			}
		}
		if (i == b) {   /* not a word character (or not UTF-8): skip it */
			clen = hl_char(u + i, len - i, &c);
			i += clen ? clen : 1;
			continue;
		}
		if (nw == cap) {
			cap = cap ? cap * 2 : 256;
			w = core_realloc_array(w, cap, sizeof *w);
		}
		w[nw].b = b;
		w[nw].e = i;
		w[nw].term = hl_term(text + b, i - b, t);
		nw++;
	}
	if (nw == 0)
		goto done;
	m = core_realloc_array(NULL, nw, sizeof *m);
	for (i = 0; i < nw; i++)
		if (w[i].term >= 0)
			m[nm++] = i;

	if (nm == 0) {   /* as ts_headline: the first words */
		hl_fragment(out, text, w, 0, (nw < HL_MIN_WORDS ? nw : HL_MIN_WORDS) - 1);
		goto done;
	}
	for (i = 0; i < nm; i++) {
		struct hl_cover cv = hl_cover_from(w, m, nm, i);

		if (i == 0 || hl_better(&cv, &best))
			best = cv;
	}
	hl_widen(&best, 0, nw - 1, &fs[0], &fe[0]);
	nf = 1;
	/* a second fragment: as good a cover entirely outside the first */
	for (i = 0; i < nm; i++) {
		struct hl_cover cv = hl_cover_from(w, m, nm, i);

		if (cv.distinct == best.distinct && (cv.e < fs[0] || cv.s > fe[0]) &&
		    (second.distinct == 0 || hl_better(&cv, &second)))
			second = cv;
	}
	if (second.distinct > 0) {
		if (second.e < fs[0])
			hl_widen(&second, 0, fs[0] - 1, &fs[1], &fe[1]);
		else
			hl_widen(&second, fe[0] + 1, nw - 1, &fs[1], &fe[1]);
		nf = 2;
		if (fs[1] < fs[0]) {   /* in the text's order */
			size_t ts = fs[0], te = fe[0];

			fs[0] = fs[1], fe[0] = fe[1], fs[1] = ts, fe[1] = te;
		}
	}
	for (i = 0; i < nf; i++) {
		if (i > 0)
			buf_puts(out, HL_DELIM);
		hl_fragment(out, text, w, fs[i], fe[i]);
	}
done:
	free(m);
	free(w);
	buf_free(&plain);
}
