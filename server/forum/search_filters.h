/* forum/search_filters.h — the filters a search's text may carry (author:pat
 * category:incidents after:2026-01-01 before:2026-03-01 status:planned
 * tag:cmdb): taken out of q and
 * checked here, so that the words left go to the full-text query and each filter to SQL as
 * a parameter of its own. Pure code (unit-tested in tests/unit/test_search_filters.c). */
#ifndef CORRAL_FORUM_SEARCH_FILTERS_H
#define CORRAL_FORUM_SEARCH_FILTERS_H

#include "core/arena.h"

enum search_filter {
	SEARCH_F_AUTHOR,      /* a username, without a leading @ */
	SEARCH_F_CATEGORY,    /* a category slug, lower case */
	SEARCH_F_AFTER,       /* YYYY-MM-DD, a real date: created on that day (UTC) or later */
	SEARCH_F_BEFORE,      /* YYYY-MM-DD: created before that day (UTC) */
	SEARCH_F_STATUS,      /* an idea status (ideas_statuses), lower case, '-' read as '_' */
	SEARCH_F_TAG,         /* a tag's name (schema/0027), lower case */
	SEARCH_F_N
};

struct search_filters {
	const char *words;                /* q without its filters, single-spaced; "" if none */
	const char *value[SEARCH_F_N];    /* each filter's checked value, NULL when absent */
};

/* The name a filter is written with, before its colon ("author"). */
const char *search_filter_name(enum search_filter f);

/* Splits q into words and filters. A token name:value is a filter when name is one of the
 * filters' names (in any case) and the token does not start inside a "quoted phrase"; every
 * other token, an unknown word: included, stays a word. On success fills *ret (strings in a)
 * and returns 0. On a value its filter refuses, a filter given twice or after: not earlier
 * than before:, returns -1 with *ret_msg a message for the searcher (in a or static) and
 * *ret untouched. */
int search_filters_parse(struct arena *a, const char *q, struct search_filters *ret,
			 const char **ret_msg);

#endif
