/* Unit tests for forum/thread_list: a list page's rows, made from the cells, say what the
 * rows made by db_rows_json and decorated (threads_voices_decorate, "N replies", the unread
 * badges) said to the template — byte for byte, for every voices count up to 300. Results
 * are built client-side with libpq, as in test_rowjson. */
#include <jansson.h>
#include <libpq-fe.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forum/thread_list.h"
#include "forum/threads.h"
#include "tap.h"

enum { T_BOOL = 16, T_INT8 = 20, T_INT4 = 23, T_TEXT = 25, T_JSON = 114, T_TIMESTAMPTZ = 1184 };

static const char *const names[] = { "last_read_post_id", "unread_posts", "is_new", "id", "title", "slug",
				     "category", "author", "created_at", "last_post_at", "reply_count",
				     "pinned", "locked", "voices", "solved", "tags" };
static const unsigned types[] = { T_INT8, T_INT4, T_BOOL, T_INT8, T_TEXT, T_TEXT, T_JSON, T_JSON,
				  T_TIMESTAMPTZ, T_TIMESTAMPTZ, T_INT4, T_BOOL, T_BOOL, T_JSON, T_BOOL, T_JSON };
enum { NCOLS = 16 };

static PGresult *
result(void)
{
	PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	PGresAttDesc att[NCOLS];

	memset(att, 0, sizeof att);
	for (int i = 0; i < NCOLS; i++) {
		att[i].name = (char *)names[i];
		att[i].typid = types[i];
		att[i].typlen = -1;
		att[i].atttypmod = -1;
	}
	if (res == NULL || !PQsetResultAttrs(res, NCOLS, att))
		abort();
	return res;
}

static void
row(PGresult *res, int r, const char *const cells[NCOLS])
{
	for (int c = 0; c < NCOLS; c++)
		if (!PQsetvalue(res, r, c, (char *)cells[c], cells[c] ? (int)strlen(cells[c]) : -1))
			abort();
}

static const char *
member(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Rows for participants p and every doers count 0..p: the four members voices_mini.html
 * reads, against threads_voices_decorate's. */
static int
voices_same(long long p)
{
	PGresult *res = result();
	json_t *rows;
	char voices[128];
	int same = 1;

	for (long long d = 0; d <= p; d++) {
		snprintf(voices, sizeof voices, "{\"participants\" : %lld, \"doers\" : %lld, \"doer_share\" : 0.5}", p, d);
		row(res, (int)d, (const char *const[NCOLS]){ NULL, NULL, "f", "1", "t", "t", "{}", "{}",
			"2026-12-07 10:00:00+00", "2026-12-07 10:00:00+00", "0", "f", "f", voices, "f", "[]" });
	}
	rows = thread_list_html_rows(res, (int)p + 1);
	for (long long d = 0; d <= p; d++) {
		json_t *got = json_object_get(json_array_get(rows, (size_t)d), "voices");
		json_t *want = json_pack("{s:I,s:I}", "participants", p, "doers", d);

		threads_voices_decorate(want, true);
		if (json_object_size(got) != 4 || strcmp(member(got, "bar_doer"), member(want, "bar_doer")) != 0 ||
		    strcmp(member(got, "bar_helper"), member(want, "bar_helper")) != 0 ||
		    strcmp(member(got, "bar_none"), member(want, "bar_none")) != 0 ||
		    strcmp(member(got, "summary"), member(want, "summary")) != 0) {
			printf("# p=%lld d=%lld: %s / %s\n", p, d, member(got, "summary"), member(want, "summary"));
			same = 0;
		}
		json_decref(want);
	}
	json_decref(rows);
	PQclear(res);
	return same;
}

int
main(void)
{
	static const double tenths[] = { 0.0, 0.05, 0.15, 0.25, 0.35, 0.45, 1.25, 2.675, 33.35, 66.65, 99.95,
					  100.0, 12.345, 1e-9, 49.99999999, 50.05, 1e20, -0.0, -1.25 };
	PGresult *res;
	json_t *rows, *t;
	char got[32], want[32];
	int same = 1;

	for (size_t i = 0; i < sizeof tenths / sizeof tenths[0]; i++) {
		thread_list_fmt1(tenths[i], got);
		snprintf(want, sizeof want, "%.1f", tenths[i]);
		same &= ok(strcmp(got, want) == 0, "%%.1f of %.17g: %s (printf: %s)", tenths[i], got, want);
	}
	same = 1;
	for (long long p = 0; p <= 300; p++)
		same &= voices_same(p);
	ok(same, "the voices bar and summary as threads_voices_decorate makes them, 0..300 voices");

	res = result();
	row(res, 0, (const char *const[NCOLS]){ "5", "3", "f", "42", "Title", "title", "{\"slug\": \"c\"}",
		"{\"username\": \"ann\"}", "2026-12-01 09:00:00.5+00", "2026-12-07 10:00:00.123+00", "1", "t", "f",
		"{\"participants\" : 0, \"doers\" : 0, \"doer_share\" : 0}", "f", "[{\"name\": \"cmdb\"}]" });
	row(res, 1, (const char *const[NCOLS]){ NULL, NULL, "t", "43", "T", "t", "{}", "{}",
		"2026-12-01 09:00:00+00", "2026-12-07 10:00:00+00", "2", "f", "t",
		"{\"participants\" : 1, \"doers\" : 1, \"doer_share\" : 1}", "t", "[]" });
	row(res, 2, (const char *const[NCOLS]){ NULL, NULL, "f", "44", "T", "t", "{}", "{}",
		"2026-12-01 09:00:00+00", "2026-12-07 10:00:00+00", "0", "f", "f",
		"{\"participants\" : 1, \"doers\" : 0, \"doer_share\" : 0}", "f", "[]" });
	rows = thread_list_html_rows(res, 2);
	is_int((long long)json_array_size(rows), 2, "rows past the page's are left out (the look-ahead row)");
	t = json_array_get(rows, 0);
	is_str(member(t, "replies_text"), "1 reply", "one reply");
	is_str(member(t, "unread_text"), "3 new", "unread posts: \"3 new\"");
	is_str(member(t, "unread_url"), "/t/42/unread", "and where they start");
	is_str(member(t, "last_post_at"), "2026-12-07T10:00:00Z", "times as db_rows_json writes them");
	is_str(member(json_object_get(t, "author"), "username"), "ann", "the author's object");
	is_str(member(json_array_get(json_object_get(t, "tags"), 0), "name"), "cmdb", "the tags");
	ok(json_is_true(json_object_get(t, "pinned")) && json_object_get(t, "locked") == NULL &&
	   json_object_get(t, "is_new") == NULL, "pinned, locked and is_new only when true");
	ok(json_is_false(json_object_get(t, "solved")), "solved always (the page's own solved must not show through)");
	ok(json_object_get(t, "unread_posts") == NULL && json_object_get(t, "reply_count") == NULL &&
	   json_object_get(t, "created_at") == NULL, "what no list template reads is left out");
	t = json_array_get(rows, 1);
	is_str(member(t, "replies_text"), "2 replies", "two replies");
	ok(json_is_true(json_object_get(t, "is_new")) && json_object_get(t, "unread_text") == NULL,
	   "a new thread: is_new, no count");
	is_str(member(t, "unread_url"), "/t/43/unread", "a new thread's link");
	ok(json_is_true(json_object_get(t, "locked")) && json_is_true(json_object_get(t, "solved")), "locked, solved");
	json_decref(rows);
	rows = thread_list_html_rows(res, 30);
	t = json_array_get(rows, 2);
	is_str(member(t, "replies_text"), "0 replies", "no replies");
	ok(json_object_get(t, "unread_url") == NULL && json_object_get(t, "unread_text") == NULL,
	   "nothing unread: no badge (and none for an anonymous viewer, whose columns are NULL and false)");
	json_decref(rows);
	PQclear(res);
	return done_testing();
}
