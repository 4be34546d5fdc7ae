/* db/rowjson.c — reading a result: typed values of a cell, and rows as JSON objects whose
 * value types follow the column types (json/jsonb parsed, times in Corral's RFC 3339). */
#include "db/db.h"

#include "core/arena.h"
#include "core/jsonread.h"
#include "core/kept.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const char *
db_str(const PGresult *res, int row, int col)
{
	if (col < 0 || PQgetisnull(res, row, col))
		return NULL;
	return PQgetvalue(res, row, col);
}

/* An integer's text as PostgreSQL writes it ("-" and up to 18 digits) read in place, a
 * fifth of strtoll's instructions (a thread page reads some 300); anything else is
 * strtoll's, so the result is always what strtoll gives. */
static int64_t
db_text_i64(const char *s)
{
	const char *p = s + (*s == '-');
	uint64_t v = 0;
	size_t n = 0;

	while (p[n] >= '0' && p[n] <= '9' && n < 19)
		v = v * 10 + (uint64_t)(p[n++] - '0');
	if (n == 0 || n > 18 || p[n] != '\0')
		return strtoll(s, NULL, 10);
	return *s == '-' ? -(int64_t)v : (int64_t)v;
}

int64_t
db_i64(const PGresult *res, int row, int col)
{
	const char *s = db_str(res, row, col);

	return s ? db_text_i64(s) : 0;
}

bool
db_bool(const PGresult *res, int row, int col)
{
	const char *s = db_str(res, row, col);

	return s && s[0] == 't';
}

int
db_col(const PGresult *res, const char *name)
{
	return PQfnumber(res, name);
}

/* Type OIDs from pg_type.h (stable across PostgreSQL versions). */
enum { OID_BOOL = 16, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23, OID_OID = 26, OID_JSON = 114,
       OID_FLOAT4 = 700, OID_FLOAT8 = 701, OID_TIMESTAMPTZ = 1184, OID_NUMERIC = 1700,
       OID_JSONB = 3802 };

/* "2026-11-28 18:22:09.123456+00" (DateStyle ISO, TimeZone UTC) → "2026-11-28T18:22:09Z". */
static json_t *
db_time_json(const char *s)
{
	char out[32];

	if (strlen(s) < 19)
		return json_string(s);
	memcpy(out, s, 19);
	out[10] = 'T';
	/* Years past 9999 or BC never occur in Corral's data; keep them verbatim if they do. */
	if (s[19] != '.' && s[19] != '+' && s[19] != '\0')
		return json_string(s);
	out[19] = 'Z';
	out[20] = '\0';
	/* ASCII of a known length: json_string would measure it and check its UTF-8, for
	 * every time of every row */
	return json_stringn_nocheck(out, 20);
}

/* PostgreSQL writes a timestamptz inside json_build_object() as
 * "2026-11-28T18:22:09.123456+00:00" (session time zone UTC). Times in Corral's JSON are
 * "2026-11-28T18:22:09Z" everywhere, nested or not, so such strings are rewritten. */
static bool
db_pg_json_time(const char *s, char out[21])
{
	size_t n = strlen(s), i = 19;

	if (n < 25 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':')
		return false;
	for (size_t k = 0; k < 19; k++)
		if (k != 4 && k != 7 && k != 10 && k != 13 && k != 16 && (s[k] < '0' || s[k] > '9'))
			return false;
	if (s[i] == '.')
		for (i++; s[i] >= '0' && s[i] <= '9'; i++)
			;
	if (strcmp(s + i, "+00:00") != 0)
		return false;
	memcpy(out, s, 19);
	out[19] = 'Z';
	out[20] = '\0';
	return true;
}

static void
db_json_times(json_t *v, int depth)
{
	const char *key;
	json_t *x;
	size_t i;
	char t[21];

	if (depth > 32)
		return;
	if (json_is_object(v)) {
		json_object_foreach(v, key, x) {
			if (json_is_string(x) && db_pg_json_time(json_string_value(x), t))
				json_string_set(x, t);
			else
				db_json_times(x, depth + 1);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x) {
			if (json_is_string(x) && db_pg_json_time(json_string_value(x), t))
				json_string_set(x, t);
			else
				db_json_times(x, depth + 1);
		}
	}
}

/* Rows repeat their JSON: every post of a thread page carries its author's object, and a
 * 50-post page has a dozen authors. Within one result each distinct text of a JSON column
 * is parsed once and deep-copied for the rows that repeat it (json_loads was a quarter of
 * the CPU of an uncached thread page; a copy skips the lexer). Copies, not shared
 * references, unless the caller asks for them (db_rows_json_shared): handlers may change a
 * row's values. */
enum { DB_MEMO_MAX = 24 };
struct db_json_memo {
	bool shared;     /* a repeat is the same value, not a copy */
	int n, next;
	struct {
		const char *s;   /* points into the PGresult */
		int len;
		json_t *v;
	} e[DB_MEMO_MAX];
};

/* core/jsonread reads PostgreSQL's JSON several times faster than json_loads (43 % of a
 * signed-in home page's instructions went to json_loads); what it leaves, json_loads
 * reads as before. */
static json_t *
db_parse_json(const char *s, size_t len)
{
	json_t *v = jsonread(s, len);

	if (v == NULL)
		v = json_loads(s, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);

	if (v == NULL)
		return json_null();
	db_json_times(v, 0);
	return v;
}

/* A copy of v as json_deep_copy makes it (members in the same order), without its guard
 * against cycles: jansson 2.14 prints each object's address into a table of parents to
 * catch loops, ~8,000 instructions per author object of a thread page (callgrind), and
 * parsed JSON has none. true, false and null are jansson's singletons. */
static json_t *
db_json_copy(json_t *v)
{
	json_t *c, *x;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		c = json_object();
		for (void *it = json_object_iter(v); it != NULL; it = json_object_iter_next(v, it))
			json_object_setn_new_nocheck(c, json_object_iter_key(it), json_object_iter_key_len(it),
						     db_json_copy(json_object_iter_value(it)));
		return c;
	case JSON_ARRAY:
		c = json_array();
		json_array_foreach(v, i, x)
			json_array_append_new(c, db_json_copy(x));
		return c;
	case JSON_STRING:
		return json_stringn_nocheck(json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
		return json_integer(json_integer_value(v));
	case JSON_REAL:
		return json_real(json_real_value(v));
	case JSON_TRUE:
	case JSON_FALSE:
	case JSON_NULL:
		break;
	}
	return v;
}

/* JSON texts parsed once for the process (core/kept.h): a list's authors, categories and
 * tags (db_cell_json), a thread page's authors (db_rows_json_shared) repeat from page to
 * page. 4,096 slots: a forum's active authors, with room. */
static json_t *
db_kept_parse(const char *s, size_t len, void *arg)
{
	(void)arg;
	return db_parse_json(s, len);
}

static struct kept db_json_kept = KEPT_INIT_N(db_kept_parse, 4096);

static json_t *
db_kept_get(const char *s, size_t len)
{
	return kept_get(&db_json_kept, s, len, NULL);
}

static json_t *
db_memo_json(struct db_json_memo *m, const char *s, int len)
{
	json_t *v;
	int slot;

	for (int i = 0; i < m->n; i++)
		if (m->e[i].len == len && memcmp(m->e[i].s, s, (size_t)len) == 0)
			return m->shared ? kept_ref(m->e[i].v) : db_json_copy(m->e[i].v);
	/* Shared: kept across requests (core/kept.h), one more reference per row that has it,
	 * each the arena's — the rows of a model are never released value by value. */
	v = m->shared ? db_kept_get(s, (size_t)len) : db_parse_json(s, (size_t)len);
	/* Full: the oldest entry makes room (a long thread's authors come in runs). A shared
	 * value is only pointed at (the row it went into holds it, and other threads change its
	 * count: core/kept.c); a value to copy is the memo's own. */
	slot = m->n < DB_MEMO_MAX ? m->n++ : m->next++ % DB_MEMO_MAX;
	if (!m->shared)
		json_decref(m->e[slot].v);
	m->e[slot].s = s;
	m->e[slot].len = len;
	m->e[slot].v = m->shared ? v : json_incref(v);
	return v;
}

static void
db_memo_clear(struct db_json_memo *m)
{
	for (int i = 0; i < m->n && !m->shared; i++)
		json_decref(m->e[i].v);
	m->n = m->next = 0;
}

/* memo: per-column memos for JSON columns, or NULL to parse every value. */
static json_t *
db_value_json(const PGresult *res, int row, int col, struct db_json_memo *memo)
{
	const char *s;

	if (PQgetisnull(res, row, col))
		return json_null();
	s = PQgetvalue(res, row, col);
	switch (PQftype(res, col)) {
	case OID_BOOL:
		return json_boolean(s[0] == 't');
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
	case OID_OID:
		return json_integer(db_text_i64(s));
	case OID_FLOAT4:
	case OID_FLOAT8:
	case OID_NUMERIC:
		return json_real(strtod(s, NULL));
	case OID_JSON:
	case OID_JSONB:
		return memo ? db_memo_json(memo, s, PQgetlength(res, row, col))
			    : db_parse_json(s, (size_t)PQgetlength(res, row, col));
	case OID_TIMESTAMPTZ:
		return db_time_json(s);
	default:
		/* Unchecked: the connection's client_encoding is UTF8 (db_connect), so PostgreSQL
		 * has already validated and converted every text it sends. */
		return json_stringn_nocheck(s, (size_t)PQgetlength(res, row, col));
	}
}

/* A result's column names with their lengths, measured once for all its rows (jansson
 * otherwise measures the key of every cell again); len 0: the column is left out; when_set:
 * left out of a row where it is NULL or false. */
struct db_json_key {
	const char *name;
	size_t len;
	bool when_set;
	struct db_json_memo *memo;   /* a JSON column's (of a result of several rows), else NULL */
};
enum { DB_JSON_KEYS = 64 };

static json_t *
db_row_json_memo(const PGresult *res, int row, const struct db_json_key *keys)
{
	json_t *o = json_object();
	int n = PQnfields(res);

	for (int col = 0; col < n; col++) {
		const char *name = keys ? keys[col].name : PQfname(res, col);
		size_t len = keys ? keys[col].len : strlen(name);

		if (len == 0)
			continue;
		if (keys && keys[col].when_set &&
		    (PQgetisnull(res, row, col) || (PQftype(res, col) == OID_BOOL && PQgetvalue(res, row, col)[0] == 'f')))
			continue;
		json_object_setn_new_nocheck(o, name, len, db_value_json(res, row, col, keys ? keys[col].memo : NULL));
	}
	return o;
}

json_t *
db_row_json(const PGresult *res, int row)
{
	return db_row_json_memo(res, row, NULL);
}

static bool
db_named(const char *name, const char *const *names)
{
	for (; names && *names; names++)
		if (strcmp(name, *names) == 0)
			return true;
	return false;
}

static json_t *
db_rows_json_memo(const PGresult *res, bool shared, int max_rows, const char *const *omit,
		  const char *const *when_set)
{
	json_t *a = json_array();
	int n = PQntuples(res), cols = PQnfields(res), json_cols = 0;
	struct db_json_memo *memos = NULL;
	struct db_json_key keys_room[DB_JSON_KEYS], *keys = keys_room;

	if (max_rows >= 0 && n > max_rows)
		n = max_rows;

	for (int col = 0; col < cols; col++)
		if (PQftype(res, col) == OID_JSON || PQftype(res, col) == OID_JSONB)
			json_cols++;
	/* Memos for the JSON columns only (a thread page has one of twelve). Without memos
	 * (calloc failed) every value is parsed: slower, never wrong. */
	if (n > 1 && json_cols > 0)
		memos = calloc((size_t)json_cols, sizeof *memos);
	if (cols > DB_JSON_KEYS && (keys = calloc((size_t)cols, sizeof *keys)) == NULL)
		core_oom();
	json_cols = 0;
	for (int col = 0; col < cols; col++) {
		keys[col].name = PQfname(res, col);
		keys[col].len = db_named(keys[col].name, omit) ? 0 : strlen(keys[col].name);
		keys[col].when_set = db_named(keys[col].name, when_set);
		keys[col].memo = NULL;
		if (memos && (PQftype(res, col) == OID_JSON || PQftype(res, col) == OID_JSONB)) {
			keys[col].memo = &memos[json_cols++];
			keys[col].memo->shared = shared;
		}
	}
	for (int row = 0; row < n; row++)
		json_array_append_new(a, db_row_json_memo(res, row, keys));
	if (memos) {
		for (int i = 0; i < json_cols; i++)
			db_memo_clear(&memos[i]);
		free(memos);
	}
	if (keys != keys_room)
		free(keys);
	return a;
}

json_t *
db_rows_json(const PGresult *res)
{
	return db_rows_json_memo(res, false, -1, NULL, NULL);
}

json_t *
db_rows_json_shared(const PGresult *res, int max_rows, const char *const *omit, const char *const *when_set)
{
	return db_rows_json_memo(res, true, max_rows, omit, when_set);
}

json_t *
db_cell_json(const PGresult *res, int row, int col)
{
	if (!PQgetisnull(res, row, col) && (PQftype(res, col) == OID_JSON || PQftype(res, col) == OID_JSONB))
		return db_kept_get(PQgetvalue(res, row, col), (size_t)PQgetlength(res, row, col));
	return db_value_json(res, row, col, NULL);
}
