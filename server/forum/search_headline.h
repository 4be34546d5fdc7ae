/* forum/search_headline.h — a search hit's headline (the "snippet" of /api/v1/search):
 * the part of the hit's text where the query's words meet, with those words in <mark>,
 * made here from the text and the query's lexemes instead of by PostgreSQL's ts_headline,
 * which parsed and stemmed every word of every hit's text inside the search statement
 * (about 0.13 ms per KB of PostgreSQL CPU, 4–6 ms per page of post hits at 2.5M posts). */
#ifndef CORRAL_FORUM_SEARCH_HEADLINE_H
#define CORRAL_FORUM_SEARCH_HEADLINE_H

#include <stddef.h>

#include "core/buf.h"

#define SEARCH_TERMS_MAX 64   /* a query is at most 200 characters: fewer lexemes than this */

/* The lexemes a headline marks: those of the query that are not negated. */
struct search_terms {
	int n;
	char *lex[SEARCH_TERMS_MAX];   /* NUL-terminated, malloc'd */
	size_t len[SEARCH_TERMS_MAX];
	unsigned char first[32];       /* the set of the lexemes' first bytes */
	struct hl_cache *cache;        /* words already looked up: a page's hits share most */
};

/* The lexemes of tsquery, the query as PostgreSQL prints it (tsquery::text, e.g.
 * `'root' <-> 'caus' & !'blame'`), into *ret; the negated ones ('blame') are left out.
 * Free with search_terms_free(). */
void search_terms_parse(const char *tsquery, struct search_terms *ret);
void search_terms_free(struct search_terms *t);

/* Append to out the headline of text[0..len) for t: HTML, everything escaped, <mark> the
 * only markup. At most 2 fragments of 30 words joined by " … ", each around the shortest
 * span holding the most distinct terms; with no match, the first 12 words. Words are
 * compared as PostgreSQL's 'english' configuration makes lexemes: lower case, stop words
 * dropped, the Snowball English stemmer for words of letters, words with digits as they are.
 * HTML tags in the text are left out, as ts_headline left them out (the rendered post
 * shows no raw HTML either); control characters and bytes that are not UTF-8 never reach
 * out. */
void search_headline(struct buf *out, const char *text, size_t len, const struct search_terms *t);

#endif
