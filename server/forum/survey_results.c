/* forum/survey_results.c — what a survey found, by community role and by kind (doers vs
 * helpers): counts and shares per option, mean and distribution per scale question, free
 * text by role, who answered beside the community's own role mix; the same numbers as
 * JSON, as a page with server-drawn charts and data tables, and as CSV.
 *
 * Everything is counted by the role snapshot stored with each response. PostgreSQL does
 * the counting; this file only lays the counts out and divides. What people answered is
 * shown per role only for roles with enough respondents (survey_groups.c): the others
 * are counted together as "other roles", and the doer/helper split is left out when it
 * would single out a small group. Who answered (respondents per role) is always shown. */
#include <math.h>
#include <string.h>

#include "auth/auth.h"
#include "db/db.h"
#include "forum/surveys.h"
#include "forum/verification.h"
#include "render/chart.h"
#include "render/csv.h"

enum { SR_DOER, SR_HELPER };

/* A role index standing for all the merged roles together. */
enum { SR_ALL = -1, SR_OTHER = -2 };

#define SR_OTHER_LABEL "Other roles"

struct sr_roles {
	size_t n;
	const char **slug, **label, **kind;
};

/* Counts by role, by kind, in all. */
struct sr_counts {
	int64_t *role;
	int64_t kind[2];
	int64_t total;
};

struct sr_question {
	json_t *q;                  /* the survey's question (borrowed) */
	const char *kind;
	struct sr_counts answered;  /* respondents who answered it */
	struct sr_counts *opts;     /* per option, in order */
	size_t n_opts;
	struct sr_counts dist[5];   /* scale: per value 1..5 */
	json_t *texts;              /* text: the answers, by role */
};

struct sr_ctx {
	struct req *r;
	struct sr_roles roles;
	struct sr_counts respondents, community;
	struct sr_question *qs;
	size_t n_qs;
	struct survey_groups groups;
	int64_t min;
	bool verified;   /* ?verified=1: verified respondents only (forum/verification.c) */
};

static void
sr_counts_init(struct sr_ctx *x, struct sr_counts *c)
{
	memset(c, 0, sizeof *c);
	c->role = arena_calloc(x->r->c.arena, x->roles.n + 1, sizeof *c->role);
}

static void
sr_count(struct sr_ctx *x, struct sr_counts *c, const char *role, const char *kind, int64_t n)
{
	for (size_t i = 0; i < x->roles.n; i++)
		if (strcmp(x->roles.slug[i], role) == 0)
			c->role[i] += n;
	c->kind[strcmp(kind, "doer") == 0 ? SR_DOER : SR_HELPER] += n;
	c->total += n;
}

/* Shares are rounded to three decimals; 0 of 0 has no share (null). */
static double
sr_round(double v)
{
	return round(v * 1000.0) / 1000.0;
}

static json_t *
sr_share(int64_t n, int64_t of)
{
	return of > 0 ? json_real(sr_round((double)n / (double)of)) : json_null();
}

static json_t *
sr_role_entry(struct sr_ctx *x, size_t i)
{
	return json_pack("{s:s,s:s,s:s}", "slug", x->roles.slug[i], "label", x->roles.label[i],
			 "kind", x->roles.kind[i]);
}

/* What c counts for role i, for the merged roles together (SR_OTHER), for a kind (role
 * SR_ALL, kind ≥ 0) or in all. */
static int64_t
sr_pick(const struct sr_ctx *x, const struct sr_counts *c, int role, int kind)
{
	int64_t n = 0;

	if (role >= 0)
		return c->role[role];
	if (role == SR_OTHER) {
		for (size_t i = 0; i < x->roles.n; i++)
			if (x->groups.merged[i])
				n += c->role[i];
		return n;
	}
	return kind >= 0 ? c->kind[kind] : c->total;
}

/* The "other roles" entry: {slug: null, label, kind: null, roles: [merged slugs]}, with
 * fewer_than: min when even together they are too few to show. */
static json_t *
sr_other_entry(struct sr_ctx *x)
{
	json_t *roles = json_array(), *e;

	for (size_t i = 0; i < x->roles.n; i++)
		if (x->groups.merged[i])
			json_array_append_new(roles, json_string(x->roles.slug[i]));
	e = json_pack("{s:n,s:s,s:n,s:o}", "slug", "label", SR_OTHER_LABEL, "kind", "roles", roles);
	if (x->groups.other_small)
		json_object_set_new(e, "fewer_than", json_integer(x->min));
	return e;
}

/* [{slug, label, kind, count, share}] with each role's share of of->role[i] (or of the
 * single total when of is NULL). Grouped (answers, not people): the roles shown on their
 * own, then "other roles" (count and share null when it is too small). */
static json_t *
sr_by_role(struct sr_ctx *x, const struct sr_counts *c, const struct sr_counts *of, int64_t total,
	   bool grouped)
{
	json_t *a = json_array(), *e;

	for (size_t i = 0; i < x->roles.n; i++) {
		if (grouped && x->groups.merged[i])
			continue;
		e = sr_role_entry(x, i);
		json_object_set_new(e, "count", json_integer(c->role[i]));
		json_object_set_new(e, "share", sr_share(c->role[i], of ? of->role[i] : total));
		json_array_append_new(a, e);
	}
	if (grouped && x->groups.any_merged) {
		e = sr_other_entry(x);
		if (x->groups.other_small) {
			json_object_set_new(e, "count", json_null());
			json_object_set_new(e, "share", json_null());
		} else {
			json_object_set_new(e, "count", json_integer(sr_pick(x, c, SR_OTHER, -1)));
			json_object_set_new(e, "share", sr_share(sr_pick(x, c, SR_OTHER, -1),
								 of ? sr_pick(x, of, SR_OTHER, -1) : total));
		}
		json_array_append_new(a, e);
	}
	return a;
}

/* {doer, helper} of what c counts, or null when the kinds are not shown. */
static json_t *
sr_by_kind(const struct sr_ctx *x, const struct sr_counts *c)
{
	if (!x->groups.kinds_shown)
		return json_null();
	return json_pack("{s:I,s:I}", "doer", (json_int_t)c->kind[SR_DOER], "helper", (json_int_t)c->kind[SR_HELPER]);
}

/* {total, by_role, by_kind: {doer, helper}, share_by_kind: {doer, helper}}. */
static json_t *
sr_group(struct sr_ctx *x, const struct sr_counts *c)
{
	return json_pack("{s:I,s:o,s:{s:I,s:I},s:{s:o,s:o}}", "total", (json_int_t)c->total,
			 "by_role", sr_by_role(x, c, NULL, c->total, false),
			 "by_kind", "doer", (json_int_t)c->kind[SR_DOER], "helper", (json_int_t)c->kind[SR_HELPER],
			 "share_by_kind", "doer", sr_share(c->kind[SR_DOER], c->total),
			 "helper", sr_share(c->kind[SR_HELPER], c->total));
}

/* Which roles are shown on their own, from the respondents (loaded first). */
static void
sr_make_groups(struct sr_ctx *x)
{
	bool *doer = arena_calloc(x->r->c.arena, x->roles.n + 1, sizeof *doer);

	for (size_t i = 0; i < x->roles.n; i++)
		doer[i] = strcmp(x->roles.kind[i], "doer") == 0;
	x->groups.merged = arena_calloc(x->r->c.arena, x->roles.n + 1, sizeof(bool));
	x->min = survey_results_min_group();
	survey_groups_compute(x->roles.n, x->respondents.role, doer, x->min, &x->groups);
}

/* The role of a merged role's text answer is not shown: {role: null, role_label: "Other
 * roles", kind: null}. */
static void
sr_hide_role(struct sr_ctx *x, json_t *row)
{
	const char *role = json_string_value(json_object_get(row, "role"));

	for (size_t i = 0; role && i < x->roles.n; i++)
		if (x->groups.merged[i] && strcmp(x->roles.slug[i], role) == 0) {
			json_object_set_new(row, "role", json_null());
			json_object_set_new(row, "role_label", json_string(SR_OTHER_LABEL));
			json_object_set_new(row, "kind", json_null());
		}
}

/* --- loading the counts --- */

static int
sr_load_roles(struct sr_ctx *x)
{
	PGresult *res = db_q0(&x->r->c, STMT_COMMUNITY_ROLES);
	size_t n;

	if (res == NULL)
		return -1;
	n = (size_t)PQntuples(res);
	x->roles.n = n;
	x->roles.slug = arena_calloc(x->r->c.arena, n + 1, sizeof(char *));
	x->roles.label = arena_calloc(x->r->c.arena, n + 1, sizeof(char *));
	x->roles.kind = arena_calloc(x->r->c.arena, n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		x->roles.slug[i] = arena_strdup(x->r->c.arena, db_str(res, (int)i, 0));
		x->roles.label[i] = arena_strdup(x->r->c.arena, db_str(res, (int)i, 1));
		x->roles.kind[i] = arena_strdup(x->r->c.arena, db_str(res, (int)i, 2));
	}
	return 0;
}

static struct sr_question *
sr_find(struct sr_ctx *x, int64_t qid)
{
	for (size_t i = 0; i < x->n_qs; i++)
		if (json_integer_value(json_object_get(x->qs[i].q, "id")) == qid)
			return &x->qs[i];
	return NULL;
}

static void
sr_setup(struct sr_ctx *x, json_t *questions)
{
	json_t *q;
	size_t i;

	x->n_qs = json_array_size(questions);
	x->qs = arena_calloc(x->r->c.arena, x->n_qs + 1, sizeof *x->qs);
	sr_counts_init(x, &x->respondents);
	sr_counts_init(x, &x->community);
	json_array_foreach(questions, i, q) {
		struct sr_question *sq = &x->qs[i];

		sq->q = q;
		sq->kind = json_string_value(json_object_get(q, "kind"));
		sr_counts_init(x, &sq->answered);
		sq->n_opts = json_array_size(json_object_get(q, "options"));
		sq->opts = arena_calloc(x->r->c.arena, sq->n_opts + 1, sizeof *sq->opts);
		for (size_t j = 0; j < sq->n_opts; j++)
			sr_counts_init(x, &sq->opts[j]);
		for (size_t v = 0; v < 5; v++)
			sr_counts_init(x, &sq->dist[v]);
	}
}

/* Rows of (…, role, kind, count) from statement id, each added by add(). */
static int
sr_rows(struct sr_ctx *x, enum stmt_id id, const char *sid,
	void (*add)(struct sr_ctx *x, PGresult *res, int row))
{
	PGresult *res = sid ? db_q(&x->r->c, id, sid) : db_q0(&x->r->c, id);

	if (res == NULL)
		return -1;
	for (int row = 0; row < PQntuples(res); row++)
		add(x, res, row);
	return 0;
}

static void
sr_add_community(struct sr_ctx *x, PGresult *res, int row)
{
	sr_count(x, &x->community, db_str(res, row, 0), db_str(res, row, 1), db_i64(res, row, 2));
}

static void
sr_add_respondents(struct sr_ctx *x, PGresult *res, int row)
{
	sr_count(x, &x->respondents, db_str(res, row, 0), db_str(res, row, 1), db_i64(res, row, 2));
}

static void
sr_add_answered(struct sr_ctx *x, PGresult *res, int row)
{
	struct sr_question *q = sr_find(x, db_i64(res, row, 0));

	if (q)
		sr_count(x, &q->answered, db_str(res, row, 1), db_str(res, row, 2), db_i64(res, row, 3));
}

static void
sr_add_option(struct sr_ctx *x, PGresult *res, int row)
{
	int64_t oid = db_i64(res, row, 0);

	for (size_t i = 0; i < x->n_qs; i++) {
		json_t *opts = json_object_get(x->qs[i].q, "options"), *o;
		size_t j;

		json_array_foreach(opts, j, o)
			if (json_integer_value(json_object_get(o, "id")) == oid)
				sr_count(x, &x->qs[i].opts[j], db_str(res, row, 1), db_str(res, row, 2),
					 db_i64(res, row, 3));
	}
}

static void
sr_add_scale(struct sr_ctx *x, PGresult *res, int row)
{
	struct sr_question *q = sr_find(x, db_i64(res, row, 0));
	int64_t v = db_i64(res, row, 1);

	if (q && v >= 1 && v <= 5)
		sr_count(x, &q->dist[v - 1], db_str(res, row, 2), db_str(res, row, 3), db_i64(res, row, 4));
}

static int
sr_load_texts(struct sr_ctx *x, const char *sid)
{
	PGresult *res = db_q(&x->r->c, x->verified ? STMT_VERIFY_SURVEY_TEXTS : STMT_SURVEY_RESULT_TEXTS, sid);
	json_t *rows;
	json_t *row;
	size_t i;

	if (res == NULL)
		return -1;
	rows = db_rows_json(res);
	json_array_foreach(rows, i, row) {
		struct sr_question *q = sr_find(x, json_integer_value(json_object_get(row, "question_id")));

		json_object_del(row, "question_id");
		if (json_is_null(json_object_get(row, "username")))
			json_object_del(row, "username");
		sr_hide_role(x, row);
		if (q == NULL)
			continue;
		if (q->texts == NULL)
			q->texts = json_array();
		json_array_append(q->texts, row);
	}
	json_decref(rows);
	return 0;
}

/* --- laying out the results --- */

static json_t *
sr_option(struct sr_ctx *x, const struct sr_question *q, size_t j)
{
	json_t *o = json_array_get(json_object_get(q->q, "options"), j);
	const struct sr_counts *c = &q->opts[j];

	json_t *out = json_pack("{s:O,s:O,s:I,s:o,s:o,s:o}", "id", json_object_get(o, "id"),
				"label", json_object_get(o, "label"), "total", (json_int_t)c->total,
				"share", sr_share(c->total, q->answered.total),
				"by_role", sr_by_role(x, c, &q->answered, 0, true), "by_kind", sr_by_kind(x, c));

	json_object_set_new(out, "share_by_kind", !x->groups.kinds_shown ? json_null() :
			    json_pack("{s:o,s:o}", "doer", sr_share(c->kind[SR_DOER], q->answered.kind[SR_DOER]),
				      "helper", sr_share(c->kind[SR_HELPER], q->answered.kind[SR_HELPER])));
	return out;
}

/* Mean of the scale values counted by sr_pick(dist[v], role, kind) (null when nobody). */
static json_t *
sr_mean(const struct sr_ctx *x, const struct sr_question *q, int which_role, int which_kind)
{
	int64_t n = 0, sum = 0;

	for (int v = 0; v < 5; v++) {
		int64_t c = sr_pick(x, &q->dist[v], which_role, which_kind);

		n += c;
		sum += c * (v + 1);
	}
	return n ? json_real(sr_round((double)sum / (double)n)) : json_null();
}

static void
sr_scale(struct sr_ctx *x, const struct sr_question *q, json_t *out)
{
	json_t *dist = json_array(), *doer = json_array(), *helper = json_array(), *by_role = json_array();

	for (int v = 0; v < 5; v++) {
		json_array_append_new(dist, json_integer(q->dist[v].total));
		json_array_append_new(doer, json_integer(q->dist[v].kind[SR_DOER]));
		json_array_append_new(helper, json_integer(q->dist[v].kind[SR_HELPER]));
	}
	for (size_t i = 0; i < x->roles.n; i++) {
		json_t *e;

		if (x->groups.merged[i])
			continue;
		e = sr_role_entry(x, i);
		json_object_set_new(e, "count", json_integer(q->answered.role[i]));
		json_object_set_new(e, "mean", sr_mean(x, q, (int)i, -1));
		json_array_append_new(by_role, e);
	}
	if (x->groups.any_merged) {
		json_t *e = sr_other_entry(x);
		bool small = x->groups.other_small;

		json_object_set_new(e, "count", small ? json_null() : json_integer(sr_pick(x, &q->answered, SR_OTHER, -1)));
		json_object_set_new(e, "mean", small ? json_null() : sr_mean(x, q, SR_OTHER, -1));
		json_array_append_new(by_role, e);
	}
	json_object_set_new(out, "mean", sr_mean(x, q, SR_ALL, -1));
	json_object_set_new(out, "mean_by_role", by_role);
	json_object_set_new(out, "distribution", dist);
	if (x->groups.kinds_shown) {
		json_object_set_new(out, "mean_by_kind", json_pack("{s:o,s:o}", "doer", sr_mean(x, q, SR_ALL, SR_DOER),
								    "helper", sr_mean(x, q, SR_ALL, SR_HELPER)));
		json_object_set_new(out, "distribution_by_kind", json_pack("{s:o,s:o}", "doer", doer, "helper", helper));
	} else {
		json_decref(doer);
		json_decref(helper);
		json_object_set_new(out, "mean_by_kind", json_null());
		json_object_set_new(out, "distribution_by_kind", json_null());
	}
}

static json_t *
sr_question_json(struct sr_ctx *x, const struct sr_question *q)
{
	json_t *out = json_pack("{s:O,s:O,s:s,s:O,s:O}", "id", json_object_get(q->q, "id"),
				"position", json_object_get(q->q, "position"), "kind", q->kind,
				"prompt", json_object_get(q->q, "prompt"), "required", json_object_get(q->q, "required"));
	json_t *answered = json_pack("{s:I,s:o,s:o}", "total", (json_int_t)q->answered.total,
				     "by_role", sr_by_role(x, &q->answered, NULL, q->answered.total, true),
				     "by_kind", sr_by_kind(x, &q->answered));

	json_object_set_new(out, "answered", answered);
	if (strcmp(q->kind, "single") == 0 || strcmp(q->kind, "multi") == 0) {
		json_t *opts = json_array();

		for (size_t j = 0; j < q->n_opts; j++)
			json_array_append_new(opts, sr_option(x, q, j));
		json_object_set_new(out, "options", opts);
	} else if (strcmp(q->kind, "scale") == 0) {
		sr_scale(x, q, out);
	} else {
		json_object_set_new(out, "answers", q->texts ? json_incref(q->texts) : json_array());
	}
	return out;
}

/* Who answered, beside who is in the community: per role, and the doers' share of each. */
static json_t *
sr_representation(struct sr_ctx *x)
{
	const struct sr_counts *a = &x->respondents, *c = &x->community;
	json_t *roles = json_array();
	bool doers_under;

	for (size_t i = 0; i < x->roles.n; i++) {
		json_t *e = sr_role_entry(x, i);

		json_object_set_new(e, "respondents", json_integer(a->role[i]));
		json_object_set_new(e, "respondent_share", sr_share(a->role[i], a->total));
		json_object_set_new(e, "community", json_integer(c->role[i]));
		json_object_set_new(e, "community_share", sr_share(c->role[i], c->total));
		/* compared as a/A < c/C without rounding */
		json_object_set_new(e, "under_represented",
				    json_boolean(a->total > 0 && c->total > 0 && a->role[i] * c->total < c->role[i] * a->total));
		json_array_append_new(roles, e);
	}
	doers_under = a->total > 0 && c->total > 0 && a->kind[SR_DOER] * c->total < c->kind[SR_DOER] * a->total;
	return json_pack("{s:o,s:o,s:o,s:b}", "by_role", roles,
			 "doer_share_respondents", sr_share(a->kind[SR_DOER], a->total),
			 "doer_share_community", sr_share(c->kind[SR_DOER], c->total),
			 "doers_under_represented", doers_under);
}

/* --- the page: charts, percentages, text answers grouped by role --- */

static const struct chart_series sr_kinds[] = {
	{ "Doers", "doer", 0 },
	{ "Helpers", "helper", 0 },
};

static const char *
sr_note(struct sr_ctx *x, int64_t n, int64_t of)
{
	return arena_printf(x->r->c.arena, "%lld of %lld", (long long)n, (long long)of);
}

static double
sr_pct(int64_t n, int64_t of)
{
	return of > 0 ? 100.0 * (double)n / (double)of : 0.0;
}

static json_t *
sr_svg(struct buf *svg)
{
	json_t *s = json_string(svg->data ? svg->data : "");

	buf_free(svg);
	return s;
}

static void
sr_chart_question(struct sr_ctx *x, const struct sr_question *q, json_t *out)
{
	bool scale = strcmp(q->kind, "scale") == 0;
	size_t n = scale ? 5 : q->n_opts;
	struct chart_bar *bars = arena_calloc(x->r->c.arena, 2 * n + 1, sizeof *bars);
	const char *title = arena_printf(x->r->c.arena, "%s — doers and helpers, %% of each who answered",
					 json_string_value(json_object_get(q->q, "prompt")));
	struct buf svg = BUF_INIT;

	for (size_t g = 0; g < n; g++) {
		const struct sr_counts *c = scale ? &q->dist[g] : &q->opts[g];
		const char *label = scale ? arena_printf(x->r->c.arena, "%zu", g + 1)
				    : json_string_value(json_object_get(json_array_get(json_object_get(q->q, "options"), g), "label"));

		for (int k = 0; k < 2; k++) {
			struct chart_bar *b = &bars[2 * g + (size_t)k];

			b->label = label;
			b->value = sr_pct(c->kind[k], q->answered.kind[k]);
			b->note = sr_note(x, c->kind[k], q->answered.kind[k]);
		}
	}
	chart_hbars_grouped(&svg, title, sr_kinds, 2, bars, n, 100, "%");
	json_object_set_new(out, "chart", sr_svg(&svg));
}

static void
sr_chart_representation(struct sr_ctx *x, json_t *model)
{
	static const struct chart_series series[] = {
		{ "Respondents", "respondents", 0 },
		{ "Whole community", "community", 1 },
	};
	struct chart_bar *bars = arena_calloc(x->r->c.arena, 2 * x->roles.n + 1, sizeof *bars);
	struct buf svg = BUF_INIT;

	for (size_t i = 0; i < x->roles.n; i++) {
		bars[2 * i].label = bars[2 * i + 1].label = x->roles.label[i];
		bars[2 * i].value = sr_pct(x->respondents.role[i], x->respondents.total);
		bars[2 * i].note = sr_note(x, x->respondents.role[i], x->respondents.total);
		bars[2 * i + 1].value = sr_pct(x->community.role[i], x->community.total);
		bars[2 * i + 1].note = sr_note(x, x->community.role[i], x->community.total);
	}
	chart_hbars_grouped(&svg, "Who answered, by community role, beside the community's own role mix (%)",
			    series, 2, bars, x->roles.n, 100, "%");
	json_object_set_new(model, "representation_chart", sr_svg(&svg));
}

/* Whole percentages as text beside every share ("share" → "percent", "share_by_kind" →
 * "percent_by_kind" …; "–" when there is no share), for the data tables. */
static json_t *
sr_percent_of(const json_t *share)
{
	const char *key;
	json_t *v, *o;

	if (json_is_real(share))
		return json_sprintf("%ld %%", lround(json_real_value(share) * 100.0));
	if (!json_is_object(share))
		return json_string("–");
	o = json_object();
	json_object_foreach((json_t *)share, key, v)
		json_object_set_new(o, key, sr_percent_of(v));
	return o;
}

static void
sr_percentages(struct req *r, json_t *v)
{
	const char *key, *at;
	json_t *child, *add;
	size_t i;

	if (json_is_array(v)) {
		json_array_foreach(v, i, child)
			sr_percentages(r, child);
		return;
	}
	if (!json_is_object(v))
		return;
	add = json_object();
	json_object_foreach(v, key, child) {
		if ((at = strstr(key, "share")) != NULL)
			json_object_set_new(add, arena_printf(r->c.arena, "%.*spercent%s", (int)(at - key), key,
							      at + 5), sr_percent_of(child));
		else
			sr_percentages(r, child);
	}
	json_object_update(v, add);
	json_decref(add);
}

/* Text answers as one list per role shown (display order, only those with answers), then
 * the merged roles' answers (role null) under "other roles". */
static json_t *
sr_texts_by_role(struct sr_ctx *x, const json_t *texts)
{
	json_t *groups = json_array(), *t;
	size_t i;

	for (size_t k = 0; k <= x->roles.n; k++) {
		json_t *g = NULL, *answers = NULL;

		if (k < x->roles.n && x->groups.merged[k])
			continue;
		json_array_foreach(texts, i, t) {
			const char *role = json_string_value(json_object_get(t, "role"));

			if (k < x->roles.n ? role == NULL || strcmp(role, x->roles.slug[k]) != 0 : role != NULL)
				continue;
			if (g == NULL) {
				g = k < x->roles.n ? sr_role_entry(x, k) : sr_other_entry(x);
				answers = json_array();
				json_object_set_new(g, "answers", answers);
				json_array_append_new(groups, g);
			}
			json_array_append(answers, (json_t *)t);
		}
		if (g)
			json_object_set_new(g, "count", json_integer((json_int_t)json_array_size(answers)));
	}
	return groups;
}

static void
sr_page(struct sr_ctx *x, json_t *model)
{
	json_t *questions = json_object_get(model, "questions"), *q;
	size_t i;

	sr_chart_representation(x, model);
	json_array_foreach(questions, i, q) {
		const struct sr_question *sq = &x->qs[i];

		json_object_set_new(q, "is_choice", json_boolean(sq->opts && sq->n_opts > 0));
		json_object_set_new(q, "is_scale", json_boolean(strcmp(sq->kind, "scale") == 0));
		json_object_set_new(q, "is_text", json_boolean(strcmp(sq->kind, "text") == 0));
		if (strcmp(sq->kind, "text") == 0) {
			json_object_set_new(q, "answers_by_role", sr_texts_by_role(x, json_object_get(q, "answers")));
			continue;
		}
		if (x->groups.kinds_shown)
			sr_chart_question(x, sq, q);
		if (strcmp(sq->kind, "scale") == 0) {
			json_t *rows = json_array();

			for (int v = 0; v < 5; v++)
				json_array_append_new(rows, json_pack("{s:i,s:I,s:I,s:I}", "value", v + 1,
					"total", (json_int_t)sq->dist[v].total,
					"doer", (json_int_t)sq->dist[v].kind[SR_DOER],
					"helper", (json_int_t)sq->dist[v].kind[SR_HELPER]));
			json_object_set_new(q, "distribution_rows", rows);
		}
	}
	sr_percentages(x->r, model);
	/* the columns of the option tables: as the grouped by_role lists */
	json_object_set_new(model, "roles", json_array());
	for (size_t k = 0; k < x->roles.n; k++)
		if (!x->groups.merged[k])
			json_array_append_new(json_object_get(model, "roles"), sr_role_entry(x, k));
	if (x->groups.any_merged)
		json_array_append_new(json_object_get(model, "roles"), sr_other_entry(x));
}

/* --- handlers --- */

/* The survey of the path, when the viewer may see its results; NULL with the error. */
static json_t *
sr_survey(struct req *r, int64_t *ret_id)
{
	json_t *s = surveys_from_path(r, ret_id);

	if (s && !surveys_results_visible(r, s)) {
		json_decref(s);
		http_fail(r, HERR_FORBIDDEN, NULL, "The results are shown when the survey closes.");
		return NULL;
	}
	return s;
}

enum herr
survey_results(struct req *r)
{
	struct sr_ctx x = { .r = r };
	const char *sid;
	json_t *s, *questions;
	int64_t id;

	if ((s = sr_survey(r, &id)) == NULL)
		return r->c.err;
	r->model = json_pack("{s:o}", "survey", s);
	sid = db_int(&r->c, id);
	questions = json_object_get(s, "questions");
	if (verification_only(r, &x.verified) != 0 || sr_load_roles(&x) != 0)
		return r->c.err;
	sr_setup(&x, questions);
	if (sr_rows(&x, x.verified ? STMT_VERIFY_SURVEY_COMMUNITY_MIX : STMT_SURVEY_COMMUNITY_MIX, NULL,
		    sr_add_community) != 0 ||
	    sr_rows(&x, x.verified ? STMT_VERIFY_SURVEY_RESPONDENTS : STMT_SURVEY_RESULT_RESPONDENTS, sid,
		    sr_add_respondents) != 0 ||
	    sr_rows(&x, x.verified ? STMT_VERIFY_SURVEY_ANSWERED : STMT_SURVEY_RESULT_ANSWERED, sid,
		    sr_add_answered) != 0 ||
	    sr_rows(&x, x.verified ? STMT_VERIFY_SURVEY_OPTIONS : STMT_SURVEY_RESULT_OPTIONS, sid, sr_add_option) != 0 ||
	    sr_rows(&x, x.verified ? STMT_VERIFY_SURVEY_SCALE : STMT_SURVEY_RESULT_SCALE, sid, sr_add_scale) != 0)
		goto out;
	sr_make_groups(&x);
	if (sr_load_texts(&x, sid) != 0)
		goto out;
	json_object_set_new(r->model, "min_group", json_integer(x.min));
	json_object_set_new(r->model, "kinds_shown", json_boolean(x.groups.kinds_shown));
	json_object_set_new(r->model, "respondents", sr_group(&x, &x.respondents));
	json_object_set_new(r->model, "community", sr_group(&x, &x.community));
	json_object_set_new(r->model, "representation", sr_representation(&x));
	json_object_set_new(r->model, "questions", json_array());
	for (size_t i = 0; i < x.n_qs; i++)
		json_array_append_new(json_object_get(r->model, "questions"), sr_question_json(&x, &x.qs[i]));
	if (r->html) {
		json_object_set_new(s, "is_closed", json_boolean(strcmp(json_string_value(json_object_get(s, "status")),
									 "closed") == 0));
		sr_page(&x, r->model);
		r->title = arena_printf(r->c.arena, "Results: %s", json_string_value(json_object_get(s, "title")));
	}
	json_object_del(s, "questions");
	json_object_del(s, "intro");
out:
	for (size_t i = 0; i < x.n_qs; i++)
		json_decref(x.qs[i].texts);
	return r->c.err;
}

/* Is this role one of the merged ones? */
static bool
sr_is_merged(const struct sr_ctx *x, const char *role)
{
	for (size_t i = 0; i < x->roles.n; i++)
		if (strcmp(x->roles.slug[i], role) == 0)
			return x->groups.merged[i];
	return false;
}

/* One row per answer; the username column only for public surveys; a merged role's rows
 * say "other roles" and no kind. */
enum herr
survey_results_csv(struct req *r)
{
	static const char *const head[] = { "response_id", "submitted_at", "community_role", "role_kind",
					    "username", "question_id", "question", "answer" };
	struct sr_ctx x = { .r = r };
	const char *sid;
	bool public;
	json_t *s;
	PGresult *res;
	int64_t id;

	if ((s = sr_survey(r, &id)) == NULL)
		return r->c.err;
	public = json_is_true(json_object_get(s, "public"));
	json_decref(s);
	sid = db_int(&r->c, id);
	if (sr_load_roles(&x) != 0)
		return r->c.err;
	sr_counts_init(&x, &x.respondents);
	if (sr_rows(&x, STMT_SURVEY_RESULT_RESPONDENTS, sid, sr_add_respondents) != 0)
		return r->c.err;
	sr_make_groups(&x);
	if ((res = db_q(&r->c, STMT_SURVEY_CSV, sid)) == NULL)
		return r->c.err;
	for (int col = 0; col < 8; col++)
		if (col != 4 || public)
			csv_field(&r->out, head[col], col == 0);
	csv_end_row(&r->out);
	for (int row = 0; row < PQntuples(res); row++) {
		bool hide = sr_is_merged(&x, db_str(res, row, 2));

		for (int col = 0; col < 8; col++) {
			const char *v = db_str(res, row, col);

			if (col == 4 && !public)
				continue;
			if (hide && (col == 2 || col == 3))
				v = col == 2 ? "other roles" : "";
			csv_field(&r->out, v, col == 0);
		}
		csv_end_row(&r->out);
	}
	r->content_type = "text/csv; charset=utf-8";
	http_add_header(r, "Content-Disposition",
			arena_printf(r->c.arena, "attachment; filename=\"survey-%lld-answers.csv\"", (long long)id));
	return HERR_OK;
}
