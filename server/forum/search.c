/* forum/search.c — full-text search over thread titles, posts and ideas (/search,
 * /api/v1/search) and similar thread titles (/api/v1/threads/similar). Ranking, the
 * visibility rules and the filters are SQL (db/sql/ideas.def); here the input is checked
 * (filters: forum/search_filters.c) and the headlines made (forum/search_headline.c). */
#include "forum/search.h"

#include <string.h>

#include "core/utf8.h"
#include "db/db.h"
#include "forum/ideas_status.h"
#include "forum/routes.h"
#include "forum/search_filters.h"
#include "forum/search_headline.h"

#define SEARCH_PER_PAGE 20
#define SEARCH_MAX_PAGE 50
#define SEARCH_Q_MAX 200          /* characters */
#define SIMILAR_LIMIT 10
#define SIMILAR_THRESHOLD "0.4"   /* below this, titles share a word or two, not a topic */

/* What type= asks for, in the order of search_run's types[]. */
enum search_kind { SEARCH_ALL, SEARCH_THREADS, SEARCH_POSTS, SEARCH_IDEAS };

/* The snippet of a hit: its headline (forum/search_headline.c), safe HTML. */
static json_t *
search_snippet(const char *text, size_t len, const struct search_terms *terms)
{
	struct buf b = BUF_INIT;
	json_t *s;

	search_headline(&b, text, len, terms);
	s = json_stringn(b.data, b.len);
	buf_free(&b);
	return s;
}

/* A query parameter without surrounding whitespace (arena), NULL when absent; invalid
 * UTF-8 has been refused with 400 by http_query. */
static const char *
search_param(struct req *r, const char *name)
{
	const char *s = http_query(r, name);
	size_t len;

	if (s == NULL)
		return NULL;
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	len = strlen(s);
	while (len && strchr(" \t\r\n", s[len - 1]))
		len--;
	return arena_strndup(r->c.arena, s, len);
}

/* One row of the search as the API shows it: a thread {id}, a post {id, thread_id} or
 * an idea {number, ref, status}, each with title, url, snippet, rank and created_at. */
static json_t *
search_result(struct req *r, PGresult *res, int row, const struct search_terms *terms)
{
	json_t *o = db_row_json(res, row);
	const char *type = db_str(res, row, 0);
	int text = db_col(res, "hl_text");

	json_object_del(o, "hl_text");
	json_object_del(o, "hl_query");
	json_object_set_new(o, "snippet", search_snippet(PQgetvalue(res, row, text),
							 (size_t)PQgetlength(res, row, text), terms));
	if (strcmp(type, "idea") == 0) {
		json_object_set(o, "number", json_object_get(o, "id"));
		json_object_del(o, "id");
		json_object_del(o, "thread_id");
		json_object_set_new(o, "ref", json_sprintf("IDEA-%s", db_str(res, row, 1)));
		if (r->html)
			json_object_set_new(o, "status_label", json_string(ideas_status_label(db_str(res, row, 5))));
	} else {
		json_object_del(o, "status");
		if (strcmp(type, "thread") == 0)
			json_object_del(o, "thread_id");
	}
	if (r->html)
		json_object_set_new(o, arena_printf(r->c.arena, "is_%s", type), json_true());
	return o;
}

/* q's filters taken out and checked against the kind searched: 0 with *ret filled and the
 * model's "filters" set, or the error recorded (400 on q). */
static enum herr
search_filters(struct req *r, const char *q, enum search_kind kind, struct search_filters *ret)
{
	json_t *shown = json_object();
	const char *msg;

	json_object_set_new(r->model, "filters", shown);
	if (search_filters_parse(r->c.arena, q, ret, &msg) != 0)
		return http_fail(r, HERR_INVALID, "q", msg);
	if (*ret->words == '\0')
		return http_fail(r, HERR_INVALID, "q", "q needs a word to search for besides its filters.");
	if (ret->value[SEARCH_F_STATUS] && (kind == SEARCH_THREADS || kind == SEARCH_POSTS))
		return http_fail(r, HERR_INVALID, "q", "status: finds ideas; look in ideas or in everything.");
	if (ret->value[SEARCH_F_CATEGORY] && kind == SEARCH_IDEAS)
		return http_fail(r, HERR_INVALID, "q", "category: finds discussions and posts; ideas have no category.");
	if (ret->value[SEARCH_F_TAG] && kind == SEARCH_IDEAS)
		return http_fail(r, HERR_INVALID, "q", "tag: finds discussions and posts; ideas have no tags.");
	for (int f = 0; f < SEARCH_F_N; f++)
		if (ret->value[f])
			json_object_set_new(shown, search_filter_name((enum search_filter)f), json_string(ret->value[f]));
	return HERR_OK;
}

static enum herr
search_run(struct req *r)
{
	static const char *const types[] = { "all", "threads", "posts", "ideas", NULL };
	const char *q = search_param(r, "q"), *type = search_param(r, "type");
	struct search_filters f;
	struct search_terms terms = { 0 };
	json_t *results;
	PGresult *res;
	int64_t page;
	size_t i = 0;

	if (r->c.err != HERR_OK || http_query_int(r, "page", 1, SEARCH_MAX_PAGE, 1, &page) != 0)
		return r->c.err;
	if (type && *type)
		for (i = 0; types[i] && strcmp(type, types[i]) != 0; i++)
			;
	if (types[i] == NULL)
		return http_fail(r, HERR_INVALID, "type", "type is threads, posts or ideas (or absent for all).");
	json_object_set_new(http_model(r), "type", json_string(types[i]));
	if (r->html)
		json_object_set_new(r->model, arena_printf(r->c.arena, "type_%s", types[i]), json_true());
	if (q == NULL || *q == '\0') {
		if (r->html)   /* the page with an empty search form */
			return HERR_OK;
		return http_fail(r, HERR_INVALID, "q", "q is the text to search for.");
	}
	if (utf8_length(q, strlen(q)) > SEARCH_Q_MAX)
		return http_fail(r, HERR_INVALID, "q", "q is at most 200 characters.");
	json_object_set_new(r->model, "q", json_string(q));
	if (search_filters(r, q, (enum search_kind)i, &f) != HERR_OK)
		return r->c.err;
	res = db_q(&r->c, STMT_SEARCH, f.words, db_int(&r->c, SEARCH_PER_PAGE + 1),
		   db_int(&r->c, (page - 1) * SEARCH_PER_PAGE), types[i],
		   f.value[SEARCH_F_AUTHOR], f.value[SEARCH_F_CATEGORY], f.value[SEARCH_F_AFTER],
		   f.value[SEARCH_F_BEFORE], f.value[SEARCH_F_STATUS], f.value[SEARCH_F_TAG]);
	if (res == NULL)
		return r->c.err;
	results = json_array();
	if (PQntuples(res) > 0)   /* the same query on every row */
		search_terms_parse(PQgetvalue(res, 0, db_col(res, "hl_query")), &terms);
	for (int row = 0; row < PQntuples(res) && row < SEARCH_PER_PAGE; row++)
		json_array_append_new(results, search_result(r, res, row, &terms));
	search_terms_free(&terms);
	json_object_set_new(r->model, "results", results);
	json_object_set_new(r->model, "next_page", PQntuples(res) > SEARCH_PER_PAGE && page < SEARCH_MAX_PAGE
						   ? json_integer(page + 1) : json_null());
	if (r->html) {
		struct buf url = BUF_INIT;

		buf_url_escape(&url, q, strlen(q));
		json_object_set_new(r->model, "q_url", json_string(url.data ? url.data : ""));
		buf_free(&url);
		json_object_set_new(r->model, "has_results", json_boolean(json_array_size(results) > 0));
		if (page > 1)
			json_object_set_new(r->model, "prev_page", json_integer(page - 1));
	}
	r->title = arena_printf(r->c.arena, "Search: %s", q);
	return HERR_OK;
}

/* Why a thread is offered, for people: the words its title shares with the new one, or,
 * sharing none (a typo, another inflection the stemmer keeps apart), its spelling. */
static json_t *
search_similar_why(json_t *words)
{
	struct buf b = BUF_INIT;
	size_t i;
	json_t *w, *why;

	if (json_array_size(words) == 0)
		return json_string("Similar spelling");
	buf_puts(&b, json_array_size(words) == 1 ? "Shares the word " : "Shares the words ");
	json_array_foreach(words, i, w) {
		if (i > 0)
			buf_puts(&b, i + 1 == json_array_size(words) ? " and " : ", ");
		buf_puts(&b, json_string_value(w));
	}
	why = json_stringn(b.data, b.len);
	buf_free(&b);
	return why;
}

int
search_similar(struct req *r, const char *title, int limit, json_t **ret)
{
	PGresult *res = db_q(&r->c, STMT_THREADS_SIMILAR, title, db_int(&r->c, limit), SIMILAR_THRESHOLD);
	json_t *rows, *row;
	size_t i;

	if (res == NULL)
		return -1;
	rows = db_rows_json(res);
	json_array_foreach(rows, i, row)
		json_object_set_new(row, "why", search_similar_why(json_object_get(row, "words")));
	*ret = rows;
	return 0;
}

const char *
search_title_param(struct req *r)
{
	const char *title = search_param(r, "title");

	if (r->c.err != HERR_OK)
		return NULL;
	if (title == NULL || *title == '\0') {
		http_fail(r, HERR_INVALID, "title", "title is the title to compare with.");
		return NULL;
	}
	if (utf8_length(title, strlen(title)) > 200) {
		http_fail(r, HERR_INVALID, "title", "title is at most 200 characters.");
		return NULL;
	}
	return title;
}

static enum herr
search_similar_api(struct req *r)
{
	const char *title = search_title_param(r);
	json_t *similar;

	if (title == NULL)
		return r->c.err;
	if (search_similar(r, title, SIMILAR_LIMIT, &similar) != 0)
		return r->c.err;
	r->model = similar;
	return HERR_OK;
}

const struct route search_routes[] = {
	{ "GET", "/search", search_run, .view = "search", .title = "Search" },
	{ "GET", "/api/v1/search", search_run },
	{ "GET", "/api/v1/threads/similar", search_similar_api },
};
const size_t search_routes_n = ROUTES_N(search_routes);
