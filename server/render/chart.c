/* render/chart.c — SVG bar charts with escaped text and a text alternative. */
#include "render/chart.h"

#include <string.h>

static void
chart_text(struct buf *out, const char *s)
{
	buf_html_escape(out, s ? s : "", s ? strlen(s) : 0);
}

static void
chart_open(struct buf *out, const char *title, int w, int h)
{
	buf_printf(out, "<svg class=\"chart-svg\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", w, h);
	chart_text(out, title);
	buf_puts(out, "\"><title>");
	chart_text(out, title);
	buf_puts(out, "</title>");
}

void
chart_hbars(struct buf *out, const char *title, const struct chart_bar *bars, size_t n,
	    double max, const char *unit)
{
	/* A narrow viewBox: on a 360 px phone the text stays legible once scaled. */
	const int row = 26, left = 120, width = 400, bar_w = 210;
	int h = (int)n * row + 24;

	chart_open(out, title, width, h);
	for (int g = 0; g <= 4; g++) {
		int x = left + bar_w * g / 4;

		buf_printf(out, "<line class=\"gridline\" x1=\"%d\" y1=\"0\" x2=\"%d\" y2=\"%d\"/>", x, x, h - 20);
		buf_printf(out, "<text class=\"axis\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%g%s</text>", x,
			   h - 6, max * g / 4, unit ? unit : "");
	}
	for (size_t i = 0; i < n; i++) {
		double v = bars[i].value < 0 ? 0 : bars[i].value > max ? max : bars[i].value;
		double w = max > 0 ? v / max * bar_w : 0;
		int y = (int)i * row;

		buf_printf(out, "<text class=\"label\" x=\"%d\" y=\"%d\" text-anchor=\"end\">", left - 8, y + 18);
		chart_text(out, bars[i].label);
		buf_printf(out, "</text><rect class=\"bar%s%s\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\"/>",
			   bars[i].cls ? " " : "", bars[i].cls ? bars[i].cls : "", left, y + 4, w, row - 8);
		buf_printf(out, "<text class=\"label note\" x=\"%.1f\" y=\"%d\">", left + w + 6, y + 18);
		chart_text(out, bars[i].note);
		buf_puts(out, "</text>");
	}
	buf_puts(out, "</svg>");
}

void
chart_vbars(struct buf *out, const char *title, const struct chart_bar *bars, size_t n,
	    double max, const char *unit)
{
	/* Below the plot: a label of 10 characters (a date) turned 45° needs about 60 units. */
	const int top = 10, plot_h = 160, left = 40, h = top + plot_h + 72;
	int col = n > 0 && n <= 26 ? 400 / (int)n : 16;
	int width = left + col * (int)(n ? n : 1) + 10;

	chart_open(out, title, width, h);
	for (int g = 0; g <= 4; g++) {
		int y = top + plot_h - plot_h * g / 4;

		buf_printf(out, "<line class=\"gridline\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", left, y,
			   width - 10, y);
		buf_printf(out, "<text class=\"axis\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%g%s</text>", left - 4,
			   y + 4, max * g / 4, unit ? unit : "");
	}
	for (size_t i = 0; i < n; i++) {
		double v = bars[i].value < 0 ? 0 : bars[i].value > max ? max : bars[i].value;
		double bh = max > 0 ? v / max * plot_h : 0;
		int x = left + col * (int)i;

		buf_printf(out, "<rect class=\"bar%s%s\" x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\"><title>",
			   bars[i].cls ? " " : "", bars[i].cls ? bars[i].cls : "", x + 2,
			   top + plot_h - bh, col - 4, bh);
		chart_text(out, bars[i].label);
		buf_puts(out, ": ");
		chart_text(out, bars[i].note);
		buf_puts(out, "</title></rect>");
		if (n <= 13 || i % 2 == 0) {
			buf_printf(out, "<text class=\"label\" x=\"%d\" y=\"%d\" text-anchor=\"end\" "
					"transform=\"rotate(-45 %d %d)\">", x + col / 2, top + plot_h + 14,
				   x + col / 2, top + plot_h + 14);
			chart_text(out, bars[i].label);
			buf_puts(out, "</text>");
		}
	}
	buf_puts(out, "</svg>");
}

/* The opening of a grouped chart's bar: filled (class "bar") or outlined. */
static void
chart_series_rect(struct buf *out, const struct chart_series *s, double x, int y, double w, int h)
{
	buf_printf(out, "<rect class=\"%s%s%s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\"",
		   s->outline ? "bar-outline" : "bar", s->cls ? " " : "", s->cls ? s->cls : "", x, y, w, h);
	if (s->outline)
		buf_puts(out, " fill=\"none\" stroke=\"currentColor\" stroke-width=\"1.5\"");
}

void
chart_hbars_grouped(struct buf *out, const char *title, const struct chart_series *series,
		    size_t n_series, const struct chart_bar *bars, size_t n_groups, double max,
		    const char *unit)
{
	const int bar_h = 16, gap = 14, left = 200, width = 600, bar_w = 300, legend = 26;
	int group_h = (int)n_series * bar_h + gap;
	int h = legend + (int)n_groups * group_h + 24;

	chart_open(out, title, width, h);
	for (size_t s = 0; s < n_series; s++) {
		int x = left + (int)s * 140;

		chart_series_rect(out, &series[s], x, 4, 12, 12);
		buf_puts(out, "/>");
		buf_printf(out, "<text class=\"label\" x=\"%d\" y=\"15\">", x + 18);
		chart_text(out, series[s].name);
		buf_puts(out, "</text>");
	}
	for (int g = 0; g <= 4; g++) {
		int x = left + bar_w * g / 4;

		buf_printf(out, "<line class=\"gridline\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", x, legend, x,
			   h - 20);
		buf_printf(out, "<text class=\"axis\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%g%s</text>", x,
			   h - 6, max * g / 4, unit ? unit : "");
	}
	for (size_t g = 0; g < n_groups; g++) {
		int y0 = legend + (int)g * group_h;

		buf_printf(out, "<text class=\"label\" x=\"%d\" y=\"%d\" text-anchor=\"end\">", left - 8,
			   y0 + (int)n_series * bar_h / 2 + 4);
		chart_text(out, bars[g * n_series].label);
		buf_puts(out, "</text>");
		for (size_t s = 0; s < n_series; s++) {
			const struct chart_bar *b = &bars[g * n_series + s];
			double v = b->value < 0 ? 0 : b->value > max ? max : b->value;
			double w = max > 0 ? v / max * bar_w : 0;
			int y = y0 + (int)s * bar_h;

			chart_series_rect(out, &series[s], left, y + 1, w, bar_h - 2);
			buf_puts(out, "><title>");
			chart_text(out, series[s].name);
			buf_puts(out, " — ");
			chart_text(out, bars[g * n_series].label);
			buf_puts(out, ": ");
			chart_text(out, b->note);
			buf_puts(out, "</title></rect>");
			buf_printf(out, "<text class=\"label note\" x=\"%.1f\" y=\"%d\">", left + w + 6, y + bar_h - 4);
			chart_text(out, b->note);
			buf_puts(out, "</text>");
		}
	}
	buf_puts(out, "</svg>");
}
