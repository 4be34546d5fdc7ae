/* forum/ideas_pages.c — the idea board (/ideas, /api/v1/ideas), an idea's page
 * (/ideas/{n}, /api/v1/ideas/{n}), the Atom feed of ideas, and the routes of the corral. */
#include <string.h>

#include "auth/auth.h"
#include "db/db.h"
#include "forum/app.h"
#include "forum/feeds.h"
#include "forum/idea_comments.h"
#include "forum/idea_proposals.h"
#include "forum/ideas_internal.h"
#include "forum/ideas_status.h"
#include "forum/policy.h"
#include "forum/routes.h"
#include "forum/site_settings.h"
#include "forum/verification.h"
#include "http/http.h"

#define IDEAS_PER_PAGE 30

/* What pages add to an idea (or a board row) for templates, which cannot compare. */
static void
ideas_decorate(json_t *idea)
{
	json_t *h;
	size_t i;

	json_object_set_new(idea, "status_label",
			    json_string(ideas_status_label(json_string_value(json_object_get(idea, "status")))));
	json_object_set_new(idea, "has_sources", json_boolean(json_array_size(json_object_get(idea, "sources")) > 0));
	json_object_set_new(idea, "has_references",
			    json_boolean(json_array_size(json_object_get(idea, "references")) > 0));
	json_array_foreach(json_object_get(idea, "history"), i, h)
		json_object_set_new(h, "status_label",
				    json_string(ideas_status_label(json_string_value(json_object_get(h, "status")))));
}

/* The board's orders (?sort=), the first the default, with their statements. */
static const char *const ideas_sorts[] = { "votes", "new", "practitioners", NULL };
static const enum stmt_id ideas_sort_stmts[] = { STMT_IDEAS_BY_VOTES, STMT_IDEAS_NEWEST, STMT_IDEAS_BY_DOER_VOTES };

/* ?status= (one of the six, or absent/empty for all) and ?sort=votes|new|practitioners. */
static int
ideas_board_args(struct req *r, const char **ret_status, size_t *ret_sort, int64_t *ret_page)
{
	const char *status = http_query(r, "status"), *sort = http_query(r, "sort");
	size_t i;

	if (r->c.err != HERR_OK || http_query_int(r, "page", 1, 100000, 1, ret_page) != 0)
		return -1;
	*ret_status = NULL;
	if (status && *status) {
		for (i = 0; ideas_statuses[i] && strcmp(status, ideas_statuses[i]) != 0; i++)
			;
		if (ideas_statuses[i] == NULL) {
			http_fail(r, HERR_INVALID, "status",
				  "status is new, under_review, planned, in_progress, done or declined.");
			return -1;
		}
		*ret_status = ideas_statuses[i];
	}
	for (i = 0; sort && *sort && ideas_sorts[i] && strcmp(sort, ideas_sorts[i]) != 0; i++)
		;
	if (sort && *sort && ideas_sorts[i] == NULL) {
		http_fail(r, HERR_INVALID, "sort", "sort is votes, new or practitioners.");
		return -1;
	}
	*ret_sort = sort && *sort ? i : 0;
	return 0;
}

/* The filter links of the board page, the current one marked. */
static json_t *
ideas_status_tabs(const char *current)
{
	json_t *tabs = json_array();

	json_array_append_new(tabs, json_pack("{s:s,s:s,s:b}", "value", "", "label", "All",
					      "current", current == NULL));
	for (size_t i = 0; ideas_statuses[i]; i++)
		json_array_append_new(tabs, json_pack("{s:s,s:s,s:b}", "value", ideas_statuses[i],
						      "label", ideas_status_label(ideas_statuses[i]),
						      "current", current && strcmp(current, ideas_statuses[i]) == 0));
	return tabs;
}

static enum herr
ideas_board(struct req *r)
{
	struct viewer *v = auth_viewer(r);
	const char *status;
	json_t *ideas, *idea;
	PGresult *res;
	int64_t page;
	bool verified;
	size_t i, sort;

	if (ideas_board_args(r, &status, &sort, &page) != 0 || verification_only(r, &verified) != 0)
		return r->c.err;
	res = db_q(&r->c, ideas_sort_stmts[sort], status,
		   db_int(&r->c, v ? v->id : 0), db_int(&r->c, IDEAS_PER_PAGE + 1),
		   db_int(&r->c, (page - 1) * IDEAS_PER_PAGE));
	if (res == NULL)
		return r->c.err;
	ideas = db_rows_json(res);
	json_object_set_new(http_model(r), "next_page", json_null());
	if (json_array_size(ideas) > IDEAS_PER_PAGE) {
		json_array_remove(ideas, IDEAS_PER_PAGE);
		json_object_set_new(r->model, "next_page", json_integer(page + 1));
	}
	if (verified && verification_idea_votes(r, ideas) != 0) {
		json_decref(ideas);
		return r->c.err;
	}
	json_object_set_new(r->model, "status", status ? json_string(status) : json_null());
	json_object_set_new(r->model, "sort", json_string(ideas_sorts[sort]));
	if (r->html) {
		json_array_foreach(ideas, i, idea)
			ideas_decorate(idea);
		json_object_set_new(r->model, "status_tabs", ideas_status_tabs(status));
		json_object_set_new(r->model, "board", json_true());
		json_object_set_new(r->model, arena_printf(r->c.arena, "sort_%s", ideas_sorts[sort]), json_true());
		json_object_set_new(r->model, "status_qs", json_string(status ? status : ""));
		json_object_set_new(r->model, "can_vote", json_boolean(v && !v->suspended));
		json_object_set_new(r->model, "can_moderate", json_boolean(policy_is_moderator(v)));
		feeds_link(r, "/ideas/feed.atom", "ideas");
		if (page > 1)
			json_object_set_new(r->model, "prev_page", json_integer(page - 1));
	}
	json_object_set_new(r->model, "ideas", ideas);
	return HERR_OK;
}

/* The choices of the moderator's status form, the idea's own selected. */
static json_t *
ideas_status_options(const char *current)
{
	json_t *opts = json_array();

	for (size_t i = 0; ideas_statuses[i]; i++)
		json_array_append_new(opts, json_pack("{s:s,s:s,s:b}", "value", ideas_statuses[i],
						      "label", ideas_status_label(ideas_statuses[i]),
						      "selected", strcmp(current, ideas_statuses[i]) == 0));
	return opts;
}

enum herr
ideas_show(struct req *r)
{
	struct viewer *v = auth_viewer(r);
	bool mod = policy_is_moderator(v), merged, verified;
	json_t *idea;
	int64_t n;

	if (http_param_id(r, "n", &n) != 0 || verification_only(r, &verified) != 0 ||
	    (idea = ideas_load(&r->c, n, v ? v->id : 0, mod)) == NULL)
		return r->c.err;
	json_object_set_new(http_model(r), "idea", idea);
	if (verified) {
		json_t *one = json_pack("[O]", idea);
		int rc = verification_idea_votes(r, one);

		json_decref(one);
		if (rc != 0)
			return r->c.err;
	}
	merged = json_is_integer(json_object_get(idea, "merged_into"));
	/* A merged idea's page is its target's; the API still describes the idea itself. */
	if (merged && r->html && (strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0)) {
		r->status = 301;
		r->location = arena_printf(r->c.arena, "/ideas/%lld",
					   (long long)json_integer_value(json_object_get(idea, "merged_into")));
		return HERR_OK;
	}
	if (!r->html)
		return HERR_OK;
	ideas_decorate(idea);
	json_object_set_new(r->model, "can_vote", json_boolean(v && !v->suspended && !merged));
	json_object_set_new(r->model, "can_moderate", json_boolean(mod && !merged));
	json_object_set_new(r->model, "status_options",
			    ideas_status_options(json_string_value(json_object_get(idea, "status"))));
	if (idea_comments_page(r, n, merged) != 0)
		return r->c.err;
	r->title = arena_printf(r->c.arena, "%s: %s", json_string_value(json_object_get(idea, "ref")),
				json_string_value(json_object_get(idea, "title")));
	return HERR_OK;
}

/* Atom (RFC 4287) of the newest ideas, through the same template as the forum feeds. */
static enum herr
ideas_feed(struct req *r)
{
	const char *base = app_config()->base_url, *updated = "1970-01-01T00:00:00Z";
	PGresult *res = db_q0(&r->c, STMT_IDEAS_FEED);
	struct site_settings site;
	json_t *entries, *row;

	if (res == NULL)
		return r->c.err;
	entries = json_array();
	for (int i = 0; i < PQntuples(res); i++) {
		const char *link = arena_printf(r->c.arena, "%s/ideas/%s", base, db_str(res, i, 0));
		const char *up;

		row = db_row_json(res, i);
		up = json_string_value(json_object_get(row, "updated_at"));
		if (up && strcmp(up, updated) > 0)   /* RFC 3339 UTC strings sort as times */
			updated = arena_strdup(r->c.arena, up);
		json_array_append_new(entries, json_pack("{s:s,s:s,s:s,s:O,s:O,s:s,s:s}",
			"title", arena_printf(r->c.arena, "IDEA-%s: %s (%s)", db_str(res, i, 0), db_str(res, i, 1),
					      ideas_status_label(db_str(res, i, 2))),
			"link", link, "id", link,
			"published", json_object_get(row, "created_at"),
			"updated", json_object_get(row, "updated_at"),
			"author", db_str(res, i, 6),
			"content_html", db_str(res, i, 3)));
		json_decref(row);
	}
	site_settings_get(&r->c, &site);
	r->model = json_pack("{s:{s:s,s:s,s:s,s:s,s:s},s:o}", "feed",
			     "title", arena_printf(r->c.arena, "%s: ideas", site.site_name),
			     "id", arena_printf(r->c.arena, "%s/ideas", base),
			     "link", arena_printf(r->c.arena, "%s/ideas", base),
			     "self", arena_printf(r->c.arena, "%s%s", base, r->url),
			     "updated", updated, "entries", entries);
	r->content_type = "application/atom+xml; charset=utf-8";
	return http_render_into(r, "feed", &r->out) == 0 ? HERR_OK : http_fail(r, HERR_INTERNAL, NULL, NULL);
}

const struct route ideas_routes[] = {
	{ "GET", "/ideas", ideas_board, .view = "ideas", .title = "Ideas" },
	{ "POST", "/ideas", ideas_create, .view = "ideas", .title = "Ideas", .page = ideas_board },
	{ "GET", "/ideas/feed.atom", ideas_feed },
	{ "GET", "/ideas/{n}", ideas_show, .view = "idea" },
	{ "POST", "/ideas/{n}", ideas_edit, .view = "idea", .page = ideas_show },
	{ "POST", "/ideas/{n}/vote", ideas_vote, .view = "idea", .page = ideas_show },
	{ "POST", "/ideas/{n}/unvote", ideas_unvote, .view = "idea", .page = ideas_show },
	{ "POST", "/ideas/{n}/merge", ideas_merge, .view = "idea", .page = ideas_show },
	{ "POST", "/ideas/{n}/follow", ideas_follow, .view = "idea", .page = ideas_show },
	{ "POST", "/ideas/{n}/unfollow", ideas_unfollow, .view = "idea", .page = ideas_show },
	{ "GET", "/api/v1/ideas", ideas_board },
	{ "POST", "/api/v1/ideas", idea_proposals_post },
	{ "GET", "/api/v1/ideas/{n}", ideas_show },
	{ "PATCH", "/api/v1/ideas/{n}", ideas_edit },
	{ "POST", "/api/v1/ideas/{n}/votes", ideas_vote },
	{ "DELETE", "/api/v1/ideas/{n}/votes", ideas_unvote },
	{ "POST", "/api/v1/ideas/{n}/merge", ideas_merge },
	{ "POST", "/api/v1/ideas/{n}/follow", ideas_follow },
	{ "DELETE", "/api/v1/ideas/{n}/follow", ideas_unfollow },
};
const size_t ideas_routes_n = ROUTES_N(ideas_routes);
