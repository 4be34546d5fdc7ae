/* forum/search_filters.c — author:, category:, after:, before:, status: and tag: taken out of a
 * search's text and checked, before anything reaches SQL (where they are parameters). */
#include "forum/search_filters.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "forum/ideas_status.h"

static bool
search_filters_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool
search_filters_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static void
search_filters_lower(char *v)
{
	for (; *v; v++)
		if (*v >= 'A' && *v <= 'Z')
			*v = (char)(*v - 'A' + 'a');
}

/* The rule of users.username (schema 0002); "@pat" is read as "pat", as mentions write it. */
static bool
search_filters_author(char *v)
{
	size_t n;

	if (*v == '@')
		memmove(v, v + 1, strlen(v));
	n = strlen(v);
	if (n < 3 || n > 32)
		return false;
	for (; *v; v++)
		if (!search_filters_alnum(*v) && *v != '_' && *v != '-')
			return false;
	return true;
}

/* The rule of categories.slug (schema 0001). */
static bool
search_filters_category(char *v)
{
	size_t n = strlen(v);

	search_filters_lower(v);
	if (n < 1 || n > 64 || !search_filters_alnum(v[0]))
		return false;
	for (; *v; v++)
		if (!search_filters_alnum(*v) && *v != '-')
			return false;
	return true;
}

static int
search_filters_digits(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* YYYY-MM-DD naming a day that exists, so PostgreSQL's ::date never refuses it. */
static bool
search_filters_date(char *v)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d, last;

	if (strlen(v) != 10 || v[4] != '-' || v[7] != '-')
		return false;
	y = search_filters_digits(v, 4);
	m = search_filters_digits(v + 5, 2);
	d = search_filters_digits(v + 8, 2);
	if (y < 1 || m < 1 || m > 12 || d < 1)
		return false;
	last = days[m - 1] + (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
	return d <= last;
}

static bool
search_filters_status(char *v)
{
	search_filters_lower(v);
	for (char *p = v; *p; p++)
		if (*p == '-')
			*p = '_';
	for (size_t i = 0; ideas_statuses[i]; i++)
		if (strcmp(v, ideas_statuses[i]) == 0)
			return true;
	return false;
}

/* The rule of tags.name (schema 0027): 1 to 30 of a-z, 0-9 and '-', not starting with '-'. */
static bool
search_filters_tag(char *v)
{
	size_t n = strlen(v);

	search_filters_lower(v);
	if (n < 1 || n > 30 || !search_filters_alnum(v[0]))
		return false;
	for (; *v; v++)
		if (!search_filters_alnum(*v) && *v != '-')
			return false;
	return true;
}

static const struct {
	const char *name;
	bool (*check)(char *v);   /* normalises v in place; false when v is not valid */
	const char *msg;
} search_filters_table[SEARCH_F_N] = {
	[SEARCH_F_AUTHOR] = { "author", search_filters_author,
		"author: takes a username, like author:pat (3 to 32 letters, digits, _ or -)." },
	[SEARCH_F_CATEGORY] = { "category", search_filters_category,
		"category: takes a category's short name, as in its address /c/…, like category:incidents." },
	[SEARCH_F_AFTER] = { "after", search_filters_date,
		"after: takes a date as YYYY-MM-DD, like after:2026-01-31." },
	[SEARCH_F_BEFORE] = { "before", search_filters_date,
		"before: takes a date as YYYY-MM-DD, like before:2026-01-31." },
	[SEARCH_F_STATUS] = { "status", search_filters_status,
		"status: takes an idea status: new, under_review, planned, in_progress, done or declined." },
	[SEARCH_F_TAG] = { "tag", search_filters_tag,
		"tag: takes a tag's name, as in its address /tags/…, like tag:cmdb." },
};

const char *
search_filter_name(enum search_filter f)
{
	return (unsigned)f < SEARCH_F_N ? search_filters_table[f].name : "";
}

/* The filter a token names before its colon, or SEARCH_F_N when it is a word. */
static enum search_filter
search_filters_which(const char *tok, size_t len)
{
	for (int f = 0; f < SEARCH_F_N; f++) {
		size_t n = strlen(search_filters_table[f].name);

		if (len > n && tok[n] == ':' && strncasecmp(tok, search_filters_table[f].name, n) == 0)
			return (enum search_filter)f;
	}
	return SEARCH_F_N;
}

int
search_filters_parse(struct arena *a, const char *q, struct search_filters *ret,
		     const char **ret_msg)
{
	struct search_filters out = { 0 };
	char *words = arena_alloc(a, strlen(q) + 1);
	size_t wn = 0;
	bool quoted = false;

	for (const char *p = q; *p;) {
		const char *tok;
		enum search_filter f;
		size_t len, n;
		char *v;

		while (search_filters_space(*p))
			p++;
		if (*p == '\0')
			break;
		/* a token runs to white space outside quotes, so "a phrase" stays one word */
		for (tok = p; *p && (quoted || !search_filters_space(*p)); p++)
			if (*p == '"')
				quoted = !quoted;
		len = (size_t)(p - tok);
		f = search_filters_which(tok, len);
		if (f == SEARCH_F_N) {
			if (wn)
				words[wn++] = ' ';
			memcpy(words + wn, tok, len);
			wn += len;
			continue;
		}
		if (out.value[f]) {
			*ret_msg = arena_printf(a, "%s: is given twice; give it once.", search_filters_table[f].name);
			return -1;
		}
		n = strlen(search_filters_table[f].name) + 1;
		v = arena_strndup(a, tok + n, len - n);
		if (!search_filters_table[f].check(v)) {
			*ret_msg = search_filters_table[f].msg;
			return -1;
		}
		out.value[f] = v;
	}
	if (out.value[SEARCH_F_AFTER] && out.value[SEARCH_F_BEFORE] &&
	    strcmp(out.value[SEARCH_F_AFTER], out.value[SEARCH_F_BEFORE]) >= 0) {
		*ret_msg = "after: must be an earlier day than before:.";
		return -1;
	}
	words[wn] = '\0';
	out.words = words;
	*ret = out;
	return 0;
}
