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

#endif
