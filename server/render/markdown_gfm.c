/* render/markdown_gfm.c — the part of the Markdown pre-scan for what cmark-gfm's GitHub
 * extensions add: Debian 12's 0.29.0.gfm.6 lacks the upstream fixes (gfm.7 to gfm.13,
 * GHSA-w4qg-3vf7-m9x5 and its relatives) for super-linear tables and autolinks. Counts
 * over the source that only over-count what the extensions do. */
#include "render/markdown_gfm.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Budgets of the GitHub extensions in cmark-gfm 0.29.0.gfm.6 (Debian 12), which has the
 * super-linear paths fixed upstream in gfm.7 to gfm.13 (see md_guard_gfm): bytes the
 * autolink scans, paragraph bytes the table header check re-reads, table cells made and
 * columns^2 per table row. Measured at their limits (tests/unit/test_markdown.c): 1 to
 * 26 ms; a whole 50 000-byte two-column table (accepted) 11 ms. */
#define MD_AUTOLINK_BUDGET 4000000
#define MD_TABLE_SCAN_BUDGET 400000
#define MD_TABLE_CELLS 20000
#define MD_TABLE_PRINT_BUDGET 4000000

static const char md_msg_links[] = "The post has too many web addresses run together.";
static const char md_msg_table[] = "The post has a table too large to show.";
static const char md_msg_dashes[] = "The post has too many lines of dashes and pipes in one paragraph.";

/* A blank line for cmark: spaces and tabs only (not the Unicode spaces md_blank counts). */
static bool
md_guard_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

/* cmark's isspace: what ends the runs the autolink extension scans. */
static bool
md_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* The autolink extension of gfm.6 scans from every "://", "www." and '@' to the end of
 * its run of non-space bytes before trimming the link (a*n^2 for "<http://s" or "a@"
 * repeated). Cost = sum over those of the bytes left in their run; the source's runs are
 * never shorter than those of the text nodes the extension sees. */
static uint64_t
md_guard_autolinks(const char *s, size_t n)
{
	uint64_t cost = 0;
	size_t i = 0, run_end;

	while (i < n) {
		while (i < n && md_space(s[i]))
			i++;
		for (run_end = i; run_end < n && !md_space(s[run_end]); run_end++)
			;
		for (; i < run_end; i++)
			if (s[i] == '@' || (s[i] == ':' && run_end - i >= 3 && s[i + 1] == '/' && s[i + 2] == '/') ||
			    (s[i] == 'w' && run_end - i >= 4 && memcmp(s + i, "www.", 4) == 0))
				cost += run_end - i;
	}
	return cost;
}

/* Could this line (after its indentation and '>' markers) be a table's delimiter row?
 * Only ' ', tab, '|', ':' and '-', every cell between pipes with a '-'. Returns its
 * cells (exactly the table's columns when it is one), or 0. */
static uint64_t
md_guard_delimiter_row(const char *s, size_t n)
{
	uint64_t cells = 0;
	bool dash = false;
	size_t i = 0;

	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '>'))
		i++;
	for (; i < n; i++) {
		if (s[i] == '|') {
			cells += dash;
			dash = false;
		} else if (s[i] == '-') {
			dash = true;
		} else if (s[i] != ' ' && s[i] != '\t' && s[i] != ':') {
			return 0;
		}
	}
	return cells + dash;
}

/* Does this line end the paragraph above it whatever the table extension makes of it:
 * a setext underline, a thematic break or a list item made of '-' and spaces, indented
 * less than 4 columns and outside quotes? */
static bool
md_guard_ends_paragraph(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && i < 4 && s[i] == ' ')
		i++;
	if (i == 4 || i == n || s[i] != '-')
		return false;
	for (; i < n; i++)
		if (s[i] != '-' && s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

/* The table extension of gfm.6: a possible delimiter row under a paragraph that does not
 * make a table re-reads the whole paragraph as a header row ("|-" and "t>|-" lines
 * alternating: n^2); every row of a table gets as many cells as the header has columns
 * (a wide header over many one-word lines: columns x rows of output); and a row costs
 * columns^2 (the HTML printer finds each cell's column from the row's start). Counted
 * per line, a paragraph and a table taken to run on to a blank line (or, for a
 * paragraph, to a line of dashes, which always ends it), which only over-counts. */
static const char *
md_guard_tables(const char *s, size_t n)
{
	uint64_t scan = 0, cells = 0, print = 0, cols = 0, c;
	size_t start = 0, end, para = 0;

	while (start < n) {
		for (end = start; end < n && s[end] != '\n' && s[end] != '\r'; end++)
			;
		if (md_guard_blank(s + start, end - start)) {
			para = 0;
			cols = 0;
		} else {
			if ((c = md_guard_delimiter_row(s + start, end - start)) > 0) {
				scan += para;
				cols = c > cols ? c : cols;
			}
			cells += cols;
			print += cols * cols;
			para = c > 0 && md_guard_ends_paragraph(s + start, end - start) ? 0 : para + end - start + 1;
		}
		if (scan > MD_TABLE_SCAN_BUDGET)
			return md_msg_dashes;
		if (cells > MD_TABLE_CELLS || print > MD_TABLE_PRINT_BUDGET)
			return md_msg_table;
		start = end + (end + 1 < n && s[end] == '\r' && s[end + 1] == '\n' ? 2 : 1);
	}
	return NULL;
}

const char *
md_guard_gfm(const char *s, size_t n)
{
	if (md_guard_autolinks(s, n) > MD_AUTOLINK_BUDGET)
		return md_msg_links;
	return md_guard_tables(s, n);
}

