/* Unit tests for forum/search_filters: filters out of a search's text, words left alone. */
#include <string.h>

#include "core/arena.h"
#include "forum/search_filters.h"
#include "tap.h"

static struct arena *a;

static int
parse(const char *q, struct search_filters *f, const char **msg)
{
	*msg = NULL;
	return search_filters_parse(a, q, f, msg);
}

static void
refused(const char *q, const char *want, const char *name)
{
	struct search_filters f = { .words = "untouched" };
	const char *msg = NULL;

	ok(parse(q, &f, &msg) == -1 && msg && strstr(msg, want) && strcmp(f.words, "untouched") == 0,
	   "%s (%s)", name, msg ? msg : "no message");
}

int
main(void)
{
	struct search_filters f;
	const char *msg;

	a = arena_new();
	ok(parse("author:pat category:Incidents after:2026-01-01 status:planned backlog", &f, &msg) == 0,
	   "the issue's example parses");
	is_str(f.words, "backlog", "only the word is left for the full-text query");
	is_str(f.value[SEARCH_F_AUTHOR], "pat", "author");
	is_str(f.value[SEARCH_F_CATEGORY], "incidents", "category, lower-cased");
	is_str(f.value[SEARCH_F_AFTER], "2026-01-01", "after");
	ok(f.value[SEARCH_F_BEFORE] == NULL, "an absent filter is NULL");
	is_str(f.value[SEARCH_F_STATUS], "planned", "status");

	ok(parse("  cab\t\"weekly author:pat meeting\"  -noise  todo: Author:@Pat_2 ", &f, &msg) == 0,
	   "phrases, unknown word: and a filter in any case");
	is_str(f.words, "cab \"weekly author:pat meeting\" -noise todo:", "words single-spaced, a phrase kept whole");
	is_str(f.value[SEARCH_F_AUTHOR], "Pat_2", "@ dropped from author, its case kept");
	ok(parse("status:Under-Review before:2024-02-29 x", &f, &msg) == 0 &&
	   strcmp(f.value[SEARCH_F_STATUS], "under_review") == 0 && strcmp(f.value[SEARCH_F_BEFORE], "2024-02-29") == 0,
	   "status written with - and capitals; 29 February of a leap year");
	ok(parse("author:pat", &f, &msg) == 0 && strcmp(f.words, "") == 0, "filters alone leave no words");
	ok(parse("", &f, &msg) == 0 && strcmp(f.words, "") == 0 && f.value[SEARCH_F_AUTHOR] == NULL, "empty text");

	refused("author:pa x", "author: takes a username", "too short a username");
	refused("author:pat;drop x", "author: takes a username", "a username with other characters");
	refused("author: x", "author: takes a username", "an empty value");
	refused("category:-x x", "category: takes", "a slug starting with -");
	refused("category:a_b x", "category: takes", "a slug with _");
	refused("after:2026-1-01 x", "after: takes a date", "a month of one digit");
	refused("after:2026-02-29 x", "after: takes a date", "29 February of a common year");
	refused("before:1900-02-29 x", "before: takes a date", "1900 was not a leap year");
	refused("before:2026-13-01 x", "before: takes a date", "month 13");
	refused("before:0000-01-01 x", "before: takes a date", "year 0");
	refused("before:yesterday x", "before: takes a date", "words are not dates");
	refused("status:shipped x", "status: takes an idea status", "an unknown status");
	refused("author:pat x author:sam", "author: is given twice", "a filter given twice");
	refused("after:2026-03-01 before:2026-03-01 x", "after: must be an earlier day", "an empty date range");
	refused("after:2026-03-02 before:2026-03-01 x", "after: must be an earlier day", "a reversed date range");
	ok(parse("tag:CMDB-2 backlog", &f, &msg) == 0 && strcmp(f.value[SEARCH_F_TAG], "cmdb-2") == 0 &&
	   strcmp(f.words, "backlog") == 0, "tag:, lower-cased, taken out of the words");
	ok(parse("tag:a x", &f, &msg) == 0 && strcmp(f.value[SEARCH_F_TAG], "a") == 0, "a one-letter tag");
	ok(parse("tag:abcdefghijklmnopqrstuvwxyz0123 x", &f, &msg) == 0, "a tag of 30 characters");
	refused("tag:abcdefghijklmnopqrstuvwxyz01234 x", "tag: takes a tag's name", "a tag of 31 characters");
	refused("tag:-cmdb x", "tag: takes a tag's name", "a tag starting with -");
	refused("tag:cm_db x", "tag: takes a tag's name", "a tag with _");
	refused("tag: x", "tag: takes a tag's name", "an empty tag");
	refused("tag:a tag:b x", "tag: is given twice", "tag: given twice");
	is_str(search_filter_name(SEARCH_F_TAG), "tag", "tag's name");
	is_str(search_filter_name(SEARCH_F_CATEGORY), "category", "names");
	arena_free(a);
	return done_testing();
}
