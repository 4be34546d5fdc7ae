/* forum/voices.c — the community's voices: doer share per category and per week, as
 * numbers (API) and as server-drawn charts (/voices). */
#include <math.h>
#include <string.h>

#include "db/db.h"
#include "forum/routes.h"
#include "forum/threads.h"
#include "forum/verification.h"
#include "http/http.h"
#include "render/chart.h"

static json_t *
voices_rows(PGresult *res)
{
	json_t *rows = db_rows_json(res), *row;
	size_t i;

	json_array_foreach(rows, i, row)
		threads_voices_decorate(row, false);
	return rows;
}

/* The charts: doer share in percent, with "doers of participants" at each bar. */
static void
voices_chart(struct req *r, json_t *rows, const char *label_key, bool vertical, const char *title)
{
	size_t n = json_array_size(rows), i;
	struct chart_bar *bars = arena_calloc(r->c.arena, n + 1, sizeof *bars);
	struct buf svg = BUF_INIT;
	json_t *row;

	json_array_foreach(rows, i, row) {
		bars[i].label = json_string_value(json_object_get(row, label_key));
		bars[i].value = json_real_value(json_object_get(row, "doer_share")) * 100.0;
		bars[i].note = arena_printf(r->c.arena, "%lld of %lld",
					    (long long)json_integer_value(json_object_get(row, "doers")),
					    (long long)json_integer_value(json_object_get(row, "participants")));
		bars[i].cls = "doer";
	}
	if (vertical)
		chart_vbars(&svg, title, bars, n, 100, "%");
	else
		chart_hbars(&svg, title, bars, n, 100, "%");
	json_object_set_new(r->model, vertical ? "week_chart" : "category_chart", json_string(svg.data ? svg.data : ""));
	buf_free(&svg);
}

static enum herr
voices_show(struct req *r)
{
	const char *cat = http_query(r, "category");
	int64_t cat_id = 0;
	PGresult *res;
	json_t *by_cat, *by_week;
	bool verified;

	if (r->c.err != HERR_OK || verification_only(r, &verified) != 0)
		return r->c.err;
	if (cat && *cat && (cat_id = threads_category_id(r, cat)) < 0)
		return r->c.err;
	if ((res = db_q(&r->c, verified ? STMT_VERIFY_VOICES_BY_CATEGORY : STMT_VOICES_BY_CATEGORY,
			db_int(&r->c, cat_id))) == NULL)
		return r->c.err;
	by_cat = voices_rows(res);
	if ((res = db_q(&r->c, verified ? STMT_VERIFY_VOICES_BY_WEEK : STMT_VOICES_BY_WEEK, db_int(&r->c, cat_id))) == NULL) {
		json_decref(by_cat);
		return r->c.err;
	}
	by_week = voices_rows(res);
	r->model = json_pack("{s:o,s:o,s:s?,s:b}", "by_category", by_cat, "by_week", by_week,
			     "category", cat && *cat ? cat : NULL, "verified_only", verified);
	if (r->html) {
		voices_chart(r, by_cat, "name", false, "Doer share of participants by category");
		voices_chart(r, by_week, "week", true, "Doer share of participants by week");
	}
	return HERR_OK;
}

const struct route voices_routes[] = {
	{ "GET", "/voices", voices_show, .view = "voices", .title = "Voices" },
	{ "GET", "/api/v1/voices", voices_show },
};
const size_t voices_routes_n = ROUTES_N(voices_routes);
