/* render/diff.h — what changed between two texts, word by word, as escaped HTML with
 * <del> and <ins> (the revisions page). Pure: no database, no request. */
#ifndef CORRAL_RENDER_DIFF_H
#define CORRAL_RENDER_DIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

/* Cells of the comparison table (words changed in the old text × in the new one, after
 * the common start and end are set aside) above which the texts are not compared word by
 * word: 1 Mi cells is 4 MiB and a few milliseconds; a 50 000-byte post rewritten from top
 * to bottom would otherwise take ~100 million. */
#define DIFF_MAX_CELLS ((size_t)1 << 20)

struct diff_stats {
	size_t inserted, deleted;   /* words (and spaces) added and taken away */
	bool replaced;              /* over max_cells: the changed middle shown as one deletion
				     * and one insertion */
};

/* Append to out the HTML of new_text compared with old_text (either may be NULL: empty):
 * unchanged text escaped, taken-away runs in <del>, added runs in <ins>, each opened and
 * closed by visually hidden words ("removed:", "added:", "end") so the change does not
 * rest on colour or strike-through alone. Words are runs of non-space bytes, spaces runs
 * of ASCII white space, so UTF-8 sequences are never cut. The longest common subsequence
 * of the words between the common prefix and suffix is found when that middle has at most
 * max_cells cells; otherwise the whole middle counts as replaced. *ret (may be NULL) gets
 * the counts. */
void diff_words_html(struct buf *out, const char *old_text, const char *new_text, size_t max_cells,
		     struct diff_stats *ret);

#endif
