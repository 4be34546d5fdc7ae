/* Unit tests for db/rowjson: results are built client-side with libpq
 * (PQmakeEmptyPGresult + PQsetResultAttrs + PQsetvalue), so every column type's JSON,
 * the time rewriting and the per-result memo of JSON columns run without a server. */
#include <jansson.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "tap.h"

enum { T_BOOL = 16, T_INT8 = 20, T_INT2 = 21, T_INT4 = 23, T_TEXT = 25, T_OID = 26, T_JSON = 114,
       T_FLOAT4 = 700, T_FLOAT8 = 701, T_TIMESTAMPTZ = 1184, T_NUMERIC = 1700, T_JSONB = 3802 };

/* A result with columns (name, type) and rows of text values (NULL = SQL NULL). */
static PGresult *
result(int ncols, const char *const *names, const unsigned *types, int nrows, const char *const *cells)
{
	PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	PGresAttDesc att[16];

	memset(att, 0, sizeof att);
	for (int i = 0; i < ncols; i++) {
		att[i].name = (char *)names[i];   /* libpq copies; the API is not const */
		att[i].typid = types[i];
		att[i].typlen = -1;
		att[i].atttypmod = -1;
	}
	if (res == NULL || !PQsetResultAttrs(res, ncols, att))
		return NULL;
	for (int r = 0; r < nrows; r++)
		for (int c = 0; c < ncols; c++) {
			const char *v = cells[r * ncols + c];

			if (!PQsetvalue(res, r, c, (char *)v, v ? (int)strlen(v) : -1))
				return NULL;
		}
	return res;
}

/* The JSON text of row 0 with one column of the given type and value. */
static char *
one(unsigned type, const char *value)
{
	const char *names[] = { "v" };
	unsigned types[] = { type };
	PGresult *res = result(1, names, types, 1, &value);
	json_t *row = res ? db_row_json(res, 0) : NULL;
	char *s = row ? json_dumps(json_object_get(row, "v"), JSON_ENCODE_ANY | JSON_COMPACT) : NULL;

	json_decref(row);
	PQclear(res);
	return s;
}

#define is_json(type, value, want, ...)                  \
	do {                                             \
		char *got_ = one((type), (value));       \
		is_str(got_, (want), __VA_ARGS__);       \
		free(got_);                              \
	} while (0)

static void
test_types(void)
{
	is_json(T_BOOL, "t", "true", "bool t is true");
	is_json(T_BOOL, "f", "false", "bool f is false");
	is_json(T_INT2, "-7", "-7", "int2 is a number");
	is_json(T_INT4, "42", "42", "int4 is a number");
	is_json(T_INT8, "9223372036854775807", "9223372036854775807", "int8 keeps all 64 bits");
	is_json(T_INT8, "-9223372036854775808", "-9223372036854775808", "the least int8 too");
	is_json(T_INT8, "123456789012345678", "123456789012345678", "18 digits, read in place");
	is_json(T_INT8, "-123456789012345678", "-123456789012345678", "and negative");
	is_json(T_INT4, "0", "0", "zero");
	is_json(T_OID, "4294967295", "4294967295", "oid is a number");
	is_json(T_FLOAT8, "0.5", "0.5", "float8 is a number");
	is_json(T_FLOAT4, "-2.25", "-2.25", "float4 is a number");
	is_json(T_NUMERIC, "0.125", "0.125", "numeric is a number");
	is_json(T_TEXT, "a \"quoted\" é", "\"a \\\"quoted\\\" é\"", "text is a string");
	is_json(T_TEXT, "", "\"\"", "the empty text is the empty string");
	is_json(T_TEXT, NULL, "null", "SQL NULL is null");
	is_json(T_INT8, NULL, "null", "a NULL number is null too");
	is_json(T_TIMESTAMPTZ, "2026-11-28 18:22:09.123456+00", "\"2026-11-28T18:22:09Z\"",
		"timestamptz loses its fraction and ends in Z");
	is_json(T_TIMESTAMPTZ, "2026-11-28 18:22:09+00", "\"2026-11-28T18:22:09Z\"",
		"timestamptz without a fraction");
	is_json(T_TIMESTAMPTZ, "12026-11-28 18:22:09+00", "\"12026-11-28 18:22:09+00\"",
		"a year past 9999 is kept verbatim");
	is_json(T_TIMESTAMPTZ, "infinity", "\"infinity\"", "infinity is kept verbatim");
	is_json(T_JSON, "{\"a\":[1,true,null]}", "{\"a\":[1,true,null]}", "json is parsed");
	is_json(T_JSONB, "3", "3", "jsonb scalars are parsed");
	is_json(T_JSONB, "{\"broken\":", "null", "json that does not parse is null");
	is_json(T_JSONB, "{\"at\":\"2026-11-28T18:22:09.5+00:00\",\"l\":[\"2026-11-28T18:22:09+00:00\"]}",
		"{\"at\":\"2026-11-28T18:22:09Z\",\"l\":[\"2026-11-28T18:22:09Z\"]}",
		"times inside json are rewritten to Z, in objects and arrays");
	is_json(T_JSONB, "{\"at\":\"2026-11-28T18:22:09+01:00\",\"s\":\"2026-11-28T18:2x:09+00:00\"}",
		"{\"at\":\"2026-11-28T18:22:09+01:00\",\"s\":\"2026-11-28T18:2x:09+00:00\"}",
		"other offsets and near-times are left alone");
}

static void
test_row_and_accessors(void)
{
	const char *names[] = { "id", "name", "ok", "gone" };
	unsigned types[] = { T_INT8, T_TEXT, T_BOOL, T_TEXT };
	const char *cells[] = { "7", "ann", "t", NULL };
	PGresult *res = result(4, names, types, 1, cells);
	json_t *row = db_row_json(res, 0);
	char *s = json_dumps(row, JSON_COMPACT | JSON_SORT_KEYS);

	is_str(s, "{\"gone\":null,\"id\":7,\"name\":\"ann\",\"ok\":true}", "a row is an object keyed by column");
	is_int(db_col(res, "name"), 1, "db_col finds a column by name");
	is_int(db_col(res, "nope"), -1, "db_col is -1 for no such column");
	is_str(db_str(res, 0, 1), "ann", "db_str");
	ok(db_str(res, 0, 3) == NULL, "db_str is NULL for SQL NULL");
	ok(db_str(res, 0, -1) == NULL, "db_str is NULL for column -1");
	is_int(db_i64(res, 0, 0), 7, "db_i64");
	is_int(db_i64(res, 0, 3), 0, "db_i64 is 0 for NULL");
	PQsetvalue(res, 0, 1, "12.5", 4);
	is_int(db_i64(res, 0, 1), 12, "db_i64 of text that is not a whole integer is strtoll's");
	PQsetvalue(res, 0, 1, " -8", 3);
	is_int(db_i64(res, 0, 1), -8, "leading blanks as strtoll");
	PQsetvalue(res, 0, 1, "-", 1);
	is_int(db_i64(res, 0, 1), 0, "a lone sign is 0");
	PQsetvalue(res, 0, 1, "99999999999999999999", 20);
	is_int(db_i64(res, 0, 1), INT64_MAX, "past int8: strtoll's clamp");
	ok(db_bool(res, 0, 2), "db_bool");
	ok(!db_bool(res, 0, 3), "db_bool is false for NULL");
	free(s);
	json_decref(row);
	PQclear(res);
}

static void
test_rows_memo(void)
{
	enum { N = 60 };
	const char *names[] = { "n", "author" };
	unsigned types[] = { T_INT4, T_JSONB };
	const char *cells[2 * N];
	char ids[N][8], authors[N][160], *d0, *d1;
	PGresult *res;
	json_t *rows, *a0, *a1;
	int right = 0;

	/* Authors repeat in runs (as on a thread page), with more distinct ones than the memo
	 * holds, so entries are reused and evicted. */
	for (int i = 0; i < N; i++) {
		snprintf(ids[i], sizeof ids[i], "%d", i);
		snprintf(authors[i], sizeof authors[i], "{\"id\":%d,\"at\":\"2026-11-28T18:22:09+00:00\","
			 "\"z\":[1.5,true,false,null,{\"k\":\"\u00e9\"}],\"a\":{\"b\":[]}}", i / 2 % 30);
		cells[2 * i] = ids[i];
		cells[2 * i + 1] = i == 5 ? NULL : authors[i];
	}
	res = result(2, names, types, N, cells);
	rows = db_rows_json(res);
	is_int(json_array_size(rows), N, "every row is in the array");
	for (int i = 0; i < N; i++) {
		json_t *row = json_array_get(rows, (size_t)i), *au = json_object_get(row, "author");

		if (json_integer_value(json_object_get(row, "n")) == i &&
		    (i == 5 ? json_is_null(au)
			    : json_integer_value(json_object_get(au, "id")) == i / 2 % 30 &&
				      strcmp(json_string_value(json_object_get(au, "at")), "2026-11-28T18:22:09Z") == 0))
			right++;
	}
	is_int(right, N, "each row has its own author, times rewritten, through reuse and eviction");
	a0 = json_object_get(json_array_get(rows, 0), "author");
	a1 = json_object_get(json_array_get(rows, 1), "author");
	ok(a0 != a1 && json_equal(a0, a1), "a repeated value is an equal copy, not a shared one");
	d0 = json_dumps(a0, JSON_COMPACT);
	d1 = json_dumps(a1, JSON_COMPACT);
	is_str(d1, d0, "a copy keeps its members' order, nested values and all");
	free(d0);
	free(d1);
	json_object_set_new(a0, "changed", json_true());
	json_object_set_new(json_array_get(json_object_get(a0, "z"), 4), "k", json_null());
	ok(json_object_get(a1, "changed") == NULL &&
	   json_is_string(json_object_get(json_array_get(json_object_get(a1, "z"), 4), "k")),
	   "changing one row leaves the others alone, nested values too");
	json_decref(rows);
	PQclear(res);

	res = result(2, names, types, 0, cells);
	rows = db_rows_json(res);
	ok(json_is_array(rows) && json_array_size(rows) == 0, "no rows is an empty array");
	json_decref(rows);
	PQclear(res);
}

/* db_rows_json_shared: a repeated JSON value is one object, and the omitted column is not
 * in any row (a thread page's path), with its key measured once for every row. */
static void
test_rows_shared(void)
{
	const char *names[] = { "id", "path", "author" };
	unsigned types[] = { T_INT4, T_TEXT, T_JSONB };
	const char *cells[] = { "1", "000001", "{\"id\":7}", "2", "000002", "{\"id\":7}", "3", "000003", "{\"id\":8}" };
	PGresult *res = result(3, names, types, 3, cells);
	const char *const omit[] = { "path", NULL };
	json_t *rows = db_rows_json_shared(res, -1, omit, NULL), *a0, *a1;
	int without = 0;

	for (size_t i = 0; i < 3; i++) {
		json_t *row = json_array_get(rows, i);

		if (json_object_get(row, "path") == NULL && json_object_size(row) == 2 &&
		    json_integer_value(json_object_get(row, "id")) == (json_int_t)i + 1)
			without++;
	}
	is_int(without, 3, "the omitted column is in no row, the others are");
	a0 = json_object_get(json_array_get(rows, 0), "author");
	a1 = json_object_get(json_array_get(rows, 1), "author");
	ok(a0 == a1, "a repeated value is one object");
	is_int(json_integer_value(json_object_get(json_object_get(json_array_get(rows, 2), "author"), "id")), 8,
	       "another value is its own");
	json_decref(rows);
	rows = db_rows_json_shared(res, -1, NULL, NULL);
	ok(json_is_string(json_object_get(json_array_get(rows, 0), "path")), "nothing omitted: every column");
	json_decref(rows);
	rows = db_rows_json_shared(res, 2, NULL, NULL);
	ok(json_array_size(rows) == 2 && json_integer_value(json_object_get(json_array_get(rows, 1), "id")) == 2,
	   "max_rows: the first rows only (a page's look-ahead row is never made)");
	json_decref(rows);
	PQclear(res);
}

/* Columns kept only when set: left out where NULL or false, kept where anything else (0 and
 * the empty string are set). */
static void
test_rows_when_set(void)
{
	const char *names[] = { "id", "edited_at", "can_restore", "n", "note" };
	unsigned types[] = { T_INT4, T_TIMESTAMPTZ, T_BOOL, T_INT4, T_TEXT };
	const char *cells[] = { "1", NULL, "f", "0", "",
				"2", "2026-11-28 18:22:09+00", "t", NULL, NULL };
	const char *const when_set[] = { "edited_at", "can_restore", "n", "note", NULL };
	PGresult *res = result(5, names, types, 2, cells);
	json_t *rows = db_rows_json_shared(res, -1, NULL, when_set);
	char *r0 = json_dumps(json_array_get(rows, 0), JSON_COMPACT);
	char *r1 = json_dumps(json_array_get(rows, 1), JSON_COMPACT);

	is_str(r0, "{\"id\":1,\"n\":0,\"note\":\"\"}", "NULL and false left out, 0 and \"\" kept");
	is_str(r1, "{\"id\":2,\"edited_at\":\"2026-11-28T18:22:09Z\",\"can_restore\":true}",
	       "set values kept, in column order");
	free(r0);
	free(r1);
	json_decref(rows);
	PQclear(res);
}

int
main(void)
{
	test_types();
	test_row_and_accessors();
	test_rows_memo();
	test_rows_shared();
	test_rows_when_set();
	return done_testing();
}
