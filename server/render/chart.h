/* render/chart.h — small bar charts drawn on the server as inline SVG (the pages work
 * without JavaScript, and the CSP forbids inline styles, so geometry goes in attributes
 * and colours in the stylesheet through classes). */
#ifndef CORRAL_RENDER_CHART_H
#define CORRAL_RENDER_CHART_H

#include <stddef.h>

#include "core/buf.h"

struct chart_bar {
	const char *label;     /* under or beside the bar (escaped here) */
	double value;          /* 0..max */
	const char *note;      /* shown at the end of the bar, e.g. "3 of 41" (escaped) */
	const char *cls;       /* extra class for the bar, e.g. "doer" */
};

/* Horizontal bars, one row each, scaled to max, with a text alternative in <title> and
 * aria-label built from title. Appends a complete <svg> element to out. */
void chart_hbars(struct buf *out, const char *title, const struct chart_bar *bars, size_t n,
		 double max, const char *unit);

/* Vertical bars (a time series), labels below. */
void chart_vbars(struct buf *out, const char *title, const struct chart_bar *bars, size_t n,
		 double max, const char *unit);

/* One series of a grouped chart, e.g. doers and helpers side by side. */
struct chart_series {
	const char *name;      /* for the legend and each bar's <title> (escaped) */
	const char *cls;       /* class of its bars, e.g. "doer" */
	int outline;           /* drawn as an outline in the text colour (class "bar-outline"
				  instead of "bar"), so a reference series such as "the whole
				  community" reads apart from filled ones without extra CSS */
};

/* Grouped horizontal bars: one group per label, one bar per series inside each group.
 * bars holds n_groups * n_series entries, group by group (bars[g * n_series + s]); each
 * bar's label is ignored (the group's label is bars[g * n_series].label), its note is
 * written at its end, and its <title> says "series name — group label: note". A legend
 * naming the series sits above the bars. Appends a complete <svg> element to out. */
void chart_hbars_grouped(struct buf *out, const char *title, const struct chart_series *series,
			 size_t n_series, const struct chart_bar *bars, size_t n_groups, double max,
			 const char *unit);

#endif
