/* render/diff.c — see diff.h. The longest common subsequence of words, by the textbook
 * table, on what lies between the common start and end: an edit is usually local, so the
 * table stays small, and DIFF_MAX_CELLS bounds it when it is not. */
#include "render/diff.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"

struct diff_tok {
	const char *p;
	size_t n;
};

enum diff_op { DIFF_EQ, DIFF_DEL, DIFF_INS };

struct diff_step {
	enum diff_op op;
	const struct diff_tok *tok;
};

/* The runs being gathered between two unchanged words. */
struct diff_out {
	struct buf *out;
	struct buf del, ins;
	struct diff_stats stats;
};

static bool
diff_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Split s into alternating runs of spaces and of other bytes; the array is malloc'd (never
 * NULL, so no arithmetic is done on a null pointer when s is empty). */
static size_t
diff_tokens(const char *s, struct diff_tok **ret)
{
	size_t n = 0, len = s ? strlen(s) : 0;
	struct diff_tok *t;

	for (size_t i = 0; i < len; n++) {
		bool sp = diff_space(s[i]);

		while (i < len && diff_space(s[i]) == sp)
			i++;
	}
	if ((t = malloc((n ? n : 1) * sizeof *t)) == NULL)
		core_oom();
	n = 0;
	for (size_t i = 0; i < len; n++) {
		bool sp = diff_space(s[i]);

		t[n].p = s + i;
		while (i < len && diff_space(s[i]) == sp)
			i++;
		t[n].n = (size_t)(s + i - t[n].p);
	}
	*ret = t;
	return n;
}

static bool
diff_tok_eq(const struct diff_tok *a, const struct diff_tok *b)
{
	return a->n == b->n && memcmp(a->p, b->p, a->n) == 0;
}

static void
diff_flush(struct diff_out *d)
{
	if (d->del.len) {
		buf_puts(d->out, "<del><span class=\"vh\">[removed: </span>");
		buf_append(d->out, d->del.data, d->del.len);
		buf_puts(d->out, "<span class=\"vh\">]</span></del>");
		buf_reset(&d->del);
	}
	if (d->ins.len) {
		buf_puts(d->out, "<ins><span class=\"vh\">[added: </span>");
		buf_append(d->out, d->ins.data, d->ins.len);
		buf_puts(d->out, "<span class=\"vh\">]</span></ins>");
		buf_reset(&d->ins);
	}
}

static void
diff_emit(struct diff_out *d, const struct diff_step *s, const struct diff_step *next)
{
	const struct diff_tok *t = s->tok;

	switch (s->op) {
	case DIFF_EQ:
		/* A space between two changes joins them into one run, easier to read. */
		if ((d->del.len || d->ins.len) && diff_space(t->p[0]) && next && next->op != DIFF_EQ) {
			buf_html_escape(&d->del, t->p, t->n);
			buf_html_escape(&d->ins, t->p, t->n);
			return;
		}
		diff_flush(d);
		buf_html_escape(d->out, t->p, t->n);
		return;
	case DIFF_DEL:
		buf_html_escape(&d->del, t->p, t->n);
		d->stats.deleted += !diff_space(t->p[0]);
		return;
	case DIFF_INS:
		buf_html_escape(&d->ins, t->p, t->n);
		d->stats.inserted += !diff_space(t->p[0]);
		return;
	}
}

/* The steps from a[0..n) to b[0..m) into steps (room for n + m): by the LCS table when
 * it fits in max_cells, else every old word taken away and every new one added. */
static size_t
diff_middle(const struct diff_tok *a, size_t n, const struct diff_tok *b, size_t m, size_t max_cells,
	    struct diff_step *steps, bool *ret_replaced)
{
	size_t i = 0, j = 0, k = 0, w = m + 1;
	uint32_t *l;

	*ret_replaced = false;
	if (n > 0 && m > 0 && n + 1 > max_cells / w) {
		*ret_replaced = true;
		for (; i < n; i++)
			steps[k++] = (struct diff_step){ DIFF_DEL, &a[i] };
		for (; j < m; j++)
			steps[k++] = (struct diff_step){ DIFF_INS, &b[j] };
		return k;
	}
	if ((l = calloc((n + 1) * w, sizeof *l)) == NULL)
		core_oom();
	/* l[i][j]: the length of the longest common subsequence of a[i..] and b[j..]. */
	for (size_t x = n; x-- > 0;)
		for (size_t y = m; y-- > 0;)
			l[x * w + y] = diff_tok_eq(&a[x], &b[y]) ? l[(x + 1) * w + y + 1] + 1
				     : l[(x + 1) * w + y] >= l[x * w + y + 1] ? l[(x + 1) * w + y] : l[x * w + y + 1];
	while (i < n || j < m) {
		if (i < n && j < m && diff_tok_eq(&a[i], &b[j])) {
			steps[k++] = (struct diff_step){ DIFF_EQ, &b[j] };
			i++, j++;
		} else if (j == m || (i < n && l[(i + 1) * w + j] >= l[i * w + j + 1])) {
			steps[k++] = (struct diff_step){ DIFF_DEL, &a[i++] };
		} else {
			steps[k++] = (struct diff_step){ DIFF_INS, &b[j++] };
		}
	}
	free(l);
	return k;
}

void
diff_words_html(struct buf *out, const char *old_text, const char *new_text, size_t max_cells,
		struct diff_stats *ret)
{
	struct diff_out d = { .out = out, .del = BUF_INIT, .ins = BUF_INIT };
	struct diff_tok *a, *b;
	size_t n = diff_tokens(old_text, &a), m = diff_tokens(new_text, &b), pre = 0, suf = 0, k;
	struct diff_step *steps;

	while (pre < n && pre < m && diff_tok_eq(&a[pre], &b[pre]))
		pre++;
	while (suf < n - pre && suf < m - pre && diff_tok_eq(&a[n - 1 - suf], &b[m - 1 - suf]))
		suf++;
	if ((steps = malloc((n + m + 1) * sizeof *steps)) == NULL)
		core_oom();
	for (size_t i = 0; i < pre; i++)
		buf_html_escape(out, b[i].p, b[i].n);
	k = diff_middle(a + pre, n - pre - suf, b + pre, m - pre - suf, max_cells, steps, &d.stats.replaced);
	for (size_t i = 0; i < k; i++)
		diff_emit(&d, &steps[i], i + 1 < k ? &steps[i + 1] : NULL);
	diff_flush(&d);
	for (size_t i = m - suf; i < m; i++)
		buf_html_escape(out, b[i].p, b[i].n);
	if (out->data == NULL)
		buf_puts(out, "");
	if (ret)
		*ret = d.stats;
	buf_free(&d.del);
	buf_free(&d.ins);
	free(steps);
	free(a);
	free(b);
}
