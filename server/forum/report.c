/* forum/report.c — the public monthly report (/report/YYYY-MM, /api/v1/report/YYYY-MM):
 * the ideas whose status changed in the month with the practitioners' share of their
 * votes, the surveys open in the month with who answered beside the community's own role
 * mix, and the month's new threads and posts by role. One statement (db/sql/heard.def:
 * REPORT_MONTH); shares are worked out here. Anonymous pages come from the page cache
 * until a post ("lists") or a status change, vote, survey or member ("report") says
 * otherwise. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "auth/auth.h"
#include "db/db.h"
#include "forum/ideas_status.h"
#include "forum/routes.h"

static const char *const report_months[] = {
	"January", "February", "March", "April", "May", "June", "July", "August", "September",
	"October", "November", "December",
};

/* This month in UTC. */
static void
report_now(int *ret_y, int *ret_m)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	*ret_y = tm.tm_year + 1900;
	*ret_m = tm.tm_mon + 1;
}

/* "YYYY-MM": a month from 2000-01 on. 0, or -1 with 400 recorded; 404 for a month that
 * has not begun (nothing to report, and no page to keep). */
static int
report_month_arg(struct req *r, const char *s, int *ret_y, int *ret_m)
{
	int y, m, ny, nm;

	if (s == NULL || strlen(s) != 7 || strspn(s, "0123456789") != 4 || s[4] != '-' ||
	    strspn(s + 5, "0123456789") != 2) {
		http_fail(r, HERR_INVALID, "month", "A month is written YYYY-MM, such as 2026-03.");
		return -1;
	}
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	if (m < 1 || m > 12 || y < 2000) {
		http_fail(r, HERR_INVALID, "month", "A month is written YYYY-MM, from 2000-01 on, with MM 01 to 12.");
		return -1;
	}
	report_now(&ny, &nm);
	if (y * 12 + m > ny * 12 + nm) {
		http_fail(r, HERR_NOT_FOUND, "month", "That month has not begun yet: there is nothing to report.");
		return -1;
	}
	*ret_y = y;
	*ret_m = m;
	return 0;
}

/* part of whole as a fraction rounded to three places (key: null when whole is 0) and as
 * pages say it (key_pct: "42 %", or "–"). */
static void
report_share(json_t *o, const char *key, int64_t part, int64_t whole)
{
	char name[64], text[32];

	snprintf(name, sizeof name, "%s_pct", key);
	if (whole > 0)
		snprintf(text, sizeof text, "%lld %%", (long long)((part * 100 + whole / 2) / whole));
	else
		snprintf(text, sizeof text, "–");
	json_object_set_new(o, key, whole > 0 ? json_real((double)((part * 1000 + whole / 2) / whole) / 1000.0)
					       : json_null());
	json_object_set_new(o, name, json_string(text));
}

/* The ideas that moved: each change with the doer share of the idea's votes, and the
 * distinct ideas' votes summed. */
static json_t *
report_ideas(json_t *moved)
{
	json_t *e, *seen = json_object(), *summary;
	int64_t votes = 0, doers = 0;
	size_t i;

	json_array_foreach(moved, i, e) {
		int64_t v = json_integer_value(json_object_get(e, "votes"));
		int64_t d = json_integer_value(json_object_get(e, "doer_votes"));
		const char *ref = json_string_value(json_object_get(e, "ref"));

		report_share(e, "doer_share", d, v);
		json_object_set_new(e, "from_label",
				    json_string(ideas_status_label(json_string_value(json_object_get(e, "from")))));
		json_object_set_new(e, "to_label",
				    json_string(ideas_status_label(json_string_value(json_object_get(e, "to")))));
		if (ref && json_object_get(seen, ref) == NULL) {
			json_object_set_new(seen, ref, json_true());
			votes += v;
			doers += d;
		}
	}
	summary = json_pack("{s:I,s:I,s:I,s:I}", "changes", (json_int_t)json_array_size(moved),
			    "ideas", (json_int_t)json_object_size(seen), "votes", (json_int_t)votes,
			    "doer_votes", (json_int_t)doers);
	report_share(summary, "doer_share", doers, votes);
	json_decref(seen);
	return summary;
}

static bool
report_is_doer(const json_t *role)
{
	const char *kind = json_string_value(json_object_get(role, "kind"));

	return kind && strcmp(kind, "doer") == 0;
}

/* Each closed survey's respondents by role laid out over every role, beside the share of
 * the community each role is; open surveys give their count only (their answers are not
 * public yet). */
static void
report_surveys(json_t *surveys, const json_t *roles, int64_t members)
{
	json_t *s, *role;
	size_t i, k;

	json_array_foreach(surveys, i, s) {
		json_t *counts = json_object_get(s, "by_role"), *list;
		int64_t total = json_integer_value(json_object_get(s, "respondents")), doers = 0;

		json_object_set_new(s, "status", json_string(json_is_true(json_object_get(s, "closed")) ? "closed" : "open"));
		if (!json_is_object(counts))
			continue;
		list = json_array();
		json_array_foreach(roles, k, role) {
			const char *slug = json_string_value(json_object_get(role, "slug"));
			int64_t n = json_integer_value(json_object_get(counts, slug));
			json_t *e = json_pack("{s:s,s:O,s:O,s:I}", "slug", slug, "label", json_object_get(role, "label"),
					      "kind", json_object_get(role, "kind"), "respondents", (json_int_t)n);

			if (report_is_doer(role))
				doers += n;
			report_share(e, "share", n, total);
			report_share(e, "community_share", json_integer_value(json_object_get(role, "members")), members);
			json_array_append_new(list, e);
		}
		report_share(s, "doer_share", doers, total);
		json_object_set_new(s, "by_role", list);
	}
}

/* Members by role (the community's mix) and the month's threads and posts by role. */
static void
report_roles(json_t *model, json_t *roles, int64_t *ret_members)
{
	int64_t members = 0, threads = 0, posts = 0, dm = 0, dt = 0, dp = 0;
	json_t *role, *community, *activity;
	size_t i;

	json_array_foreach(roles, i, role) {
		int64_t m = json_integer_value(json_object_get(role, "members"));
		int64_t t = json_integer_value(json_object_get(role, "threads"));
		int64_t p = json_integer_value(json_object_get(role, "posts"));

		members += m;
		threads += t;
		posts += p;
		if (report_is_doer(role)) {
			dm += m;
			dt += t;
			dp += p;
		}
	}
	json_array_foreach(roles, i, role) {
		report_share(role, "member_share", json_integer_value(json_object_get(role, "members")), members);
		report_share(role, "post_share", json_integer_value(json_object_get(role, "posts")), posts);
	}
	community = json_pack("{s:I}", "members", (json_int_t)members);
	report_share(community, "doer_share", dm, members);
	activity = json_pack("{s:I,s:I}", "threads", (json_int_t)threads, "posts", (json_int_t)posts);
	report_share(activity, "doer_share_threads", dt, threads);
	report_share(activity, "doer_share_posts", dp, posts);
	json_object_set_new(model, "community", community);
	json_object_set_new(model, "activity", activity);
	json_object_set(model, "roles", roles);
	*ret_members = members;
}

static enum herr
report_build(struct req *r, int y, int m)
{
	int ny, nm;
	json_t *row, *model;
	PGresult *res;
	int64_t members;

	http_cache_tag(r, "lists");
	http_cache_tag(r, "report");
	if ((res = db_q(&r->c, STMT_REPORT_MONTH, arena_printf(r->c.arena, "%04d-%02d-01", y, m))) == NULL)
		return r->c.err;
	row = db_row_json(res, 0);
	model = http_model(r);
	report_now(&ny, &nm);
	json_object_set_new(model, "month", json_string(arena_printf(r->c.arena, "%04d-%02d", y, m)));
	json_object_set_new(model, "month_label", json_string(arena_printf(r->c.arena, "%s %d", report_months[m - 1], y)));
	json_object_set_new(model, "current", json_boolean(y == ny && m == nm));
	json_object_set_new(model, "prev", y * 12 + m > 2000 * 12 + 1
			    ? json_string(arena_printf(r->c.arena, "%04d-%02d", m == 1 ? y - 1 : y, m == 1 ? 12 : m - 1))
			    : json_null());
	json_object_set_new(model, "next", y * 12 + m < ny * 12 + nm
			    ? json_string(arena_printf(r->c.arena, "%04d-%02d", m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1))
			    : json_null());
	report_roles(model, json_object_get(row, "roles"), &members);
	json_object_set(model, "ideas_moved", json_object_get(row, "moved"));
	json_object_set_new(model, "ideas_summary", report_ideas(json_object_get(row, "moved")));
	report_surveys(json_object_get(row, "surveys"), json_object_get(row, "roles"), members);
	json_object_set(model, "surveys", json_object_get(row, "surveys"));
	json_decref(row);
	if (r->html)
		r->title = arena_printf(r->c.arena, "Report for %s %d", report_months[m - 1], y);
	return HERR_OK;
}

/* GET /report/{month}, /api/v1/report/{month}. */
static enum herr
report_month(struct req *r)
{
	int y, m;

	if (report_month_arg(r, http_param(r, "month"), &y, &m) != 0)
		return r->c.err;
	return report_build(r, y, m);
}

/* GET /report: this month's page, at its own address (so it can be linked and cached);
 * GET /api/v1/report: this month's report. */
static enum herr
report_current(struct req *r)
{
	int y, m;

	report_now(&y, &m);
	if (r->html) {
		r->status = 302;
		r->location = arena_printf(r->c.arena, "/report/%04d-%02d", y, m);
		return HERR_OK;
	}
	return report_build(r, y, m);
}

const struct route report_routes[] = {
	{ "GET", "/report", report_current, .view = "report" },
	{ "GET", "/report/{month}", report_month, .view = "report", .flags = ROUTE_CACHE },
	{ "GET", "/api/v1/report", report_current },
	{ "GET", "/api/v1/report/{month}", report_month, .flags = ROUTE_CACHE },
};
const size_t report_routes_n = ROUTES_N(report_routes);
