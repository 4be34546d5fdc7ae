/* forum/thread_list.c — a thread list's rows for its page, from the statement's cells
 * (forum/thread_list.h). */
#include "forum/thread_list.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/jsonset.h"
#include "core/jsonread.h"
#include "core/kept.h"
#include "db/db.h"
#include "forum/threads.h"
#include "forum/unread.h"

size_t
thread_list_fmt1(double x, char out[32])
{
	double y = x * 10.0, whole = floor(y), frac = y - whole;
	long long n;
	size_t len;

	/* x*10 is off x's exact tenfold by half a unit in the last place at most (~1e-13 up
	 * to 1,000, ~1e-9 up to 1e6): only where the tenfold's fraction is that close to one
	 * half could the rounding differ from printf's, which rounds x's exact value; printf
	 * decides those, and what is not a share's percentage. */
	if (!isfinite(x) || signbit(x) || x >= 1e6 || fabs(frac - 0.5) < 1e-6)
		return (size_t)snprintf(out, 32, "%.1f", x);
	n = (long long)whole + (frac > 0.5);
	len = buf_i64_text(out, n / 10);
	out[len++] = '.';
	out[len++] = (char)('0' + n % 10);
	out[len] = '\0';
	return len;
}

#define THREAD_LIST_SET(o, key, s, n) JSON_SET(o, key, json_stringn_nocheck(s, n))

void
thread_list_voices_bars(json_t *v, long long participants, long long doers)
{
	double share = participants ? (double)doers / (double)participants : 0.0;
	char s[160];
	size_t n;

	n = thread_list_fmt1(share * 100.0, s);
	THREAD_LIST_SET(v, "bar_doer", s, n);
	/* No voices is neither doers nor helpers: the bar stays neutral (bar_none). */
	n = thread_list_fmt1(participants ? 100.0 - share * 100.0 : 0.0, s);
	THREAD_LIST_SET(v, "bar_helper", s, n);
	if (participants)
		THREAD_LIST_SET(v, "bar_none", "0.0", 3);
	else
		THREAD_LIST_SET(v, "bar_none", "100.0", 5);
	if (participants == 0) {
		THREAD_LIST_SET(v, "summary", "no voices yet", 13);
		return;
	}
	/* "%lld voice%s · %lld practitioner%s, %ld %%" */
	n = buf_i64_text(s, participants);
	memcpy(s + n, " voice", 6);
	n += 6;
	if (participants != 1)
		s[n++] = 's';
	memcpy(s + n, " \xc2\xb7 ", 4);
	n += 4;
	n += buf_i64_text(s + n, doers);
	memcpy(s + n, " practitioner", 13);
	n += 13;
	if (doers != 1)
		s[n++] = 's';
	s[n++] = ',';
	s[n++] = ' ';
	n += buf_i64_text(s + n, lround(share * 100.0));
	memcpy(s + n, " %", 2);
	n += 2;
	THREAD_LIST_SET(v, "summary", s, n);
}

/* The members voices_mini.html reads (bar widths and summary; the API's doer_share and
 * doer_percent no view of a list reads). */
static json_t *
thread_list_voices(const char *text, size_t len, void *arg)
{
	json_t *parsed = jsonread(text, len), *v = json_object();

	(void)arg;
	if (parsed == NULL)
		parsed = json_loads(text, JSON_DECODE_ANY, NULL);
	thread_list_voices_bars(v, json_integer_value(json_object_get(parsed, "participants")),
				json_integer_value(json_object_get(parsed, "doers")));
	json_decref(parsed);
	return v;
}

/* A thread's voices change with its posts, and most rows of a page are the same from one
 * request to the next: made once per text (core/kept.h). */
static struct kept thread_list_voices_kept = KEPT_INIT(thread_list_voices);

static void
thread_list_flag(json_t *o, const char *key, bool on)
{
	/* Only what is true: to the template a missing name is false, and nothing around a
	 * list's row (the page's model) has a member of these names. */
	if (on)
		json_object_set_new_nocheck(o, key, json_true());
}

/* The cells a page's row is made of: what thread_list.html reads of the row itself, then
 * what its other members are made from. */
enum {
	TL_ID, TL_TITLE, TL_SLUG, TL_CATEGORY, TL_AUTHOR, TL_LAST_POST_AT, TL_TAGS,   /* as they are */
	TL_PINNED, TL_LOCKED, TL_SOLVED, TL_VOICES, TL_REPLIES, TL_UNREAD, TL_NEW,
	TL_N,
	TL_AS_IS = TL_TAGS + 1
};
static const char *const thread_list_names[TL_N] = {
	"id", "title", "slug", "category", "author", "last_post_at", "tags",
	"pinned", "locked", "solved", "voices", "reply_count", "unread_posts", "is_new",
};

struct thread_list_at {
	const PGresult *res;
	int row;
	int col[TL_N];
};

/* A row from its cells (kept: made from at's row, of which the key says every cell). */
static json_t *
thread_list_row(const char *key, size_t key_len, void *arg)
{
	const struct thread_list_at *at = arg;
	const PGresult *res = at->res;
	int row = at->row;
	json_t *t = json_object();
	long long replies = db_i64(res, row, at->col[TL_REPLIES]), unread = db_i64(res, row, at->col[TL_UNREAD]);
	bool is_new = db_bool(res, row, at->col[TL_NEW]);
	char s[64];
	size_t n;

	(void)key;
	(void)key_len;
	for (int i = 0; i < TL_AS_IS; i++)
		if (at->col[i] >= 0)
			json_object_set_new_nocheck(t, thread_list_names[i], db_cell_json(res, row, at->col[i]));
	thread_list_flag(t, "pinned", db_bool(res, row, at->col[TL_PINNED]));
	thread_list_flag(t, "locked", db_bool(res, row, at->col[TL_LOCKED]));
	/* Always: ?solved= puts a "solved" of its own on the page's model. */
	json_object_set_new_nocheck(t, "solved", json_boolean(db_bool(res, row, at->col[TL_SOLVED])));
	if (at->col[TL_VOICES] >= 0 && !PQgetisnull(res, row, at->col[TL_VOICES]))
		json_object_set_new_nocheck(t, "voices", kept_get(&thread_list_voices_kept,
			PQgetvalue(res, row, at->col[TL_VOICES]), (size_t)PQgetlength(res, row, at->col[TL_VOICES]), NULL));
	/* "%lld repl%s" */
	n = buf_i64_text(s, replies);
	memcpy(s + n, replies == 1 ? " reply" : " replies", replies == 1 ? 6 : 8);
	THREAD_LIST_SET(t, "replies_text", s, n + (replies == 1 ? 6 : 8));
	/* The badges (forum/unread.h): the statement's unread columns are NULL and false for
	 * an anonymous viewer, who gets none. */
	thread_list_flag(t, "is_new", is_new);
	if (unread > 0) {
		n = buf_i64_text(s, unread);
		memcpy(s + n, " new", 4);
		THREAD_LIST_SET(t, "unread_text", s, n + 4);
	}
	if (unread > 0 || is_new) {
		memcpy(s, "/t/", 3);
		n = 3 + buf_i64_text(s + 3, db_i64(res, row, at->col[TL_ID]));
		memcpy(s + n, "/unread", 7);
		THREAD_LIST_SET(t, "unread_url", s, n + 7);
	}
	return t;
}

/* A row's key: every cell thread_list_row reads, each as its type, its length (-1: NULL)
 * and its bytes, so that two rows with the same key are made the same. 0 when it does not
 * fit (the row is then made, not kept). */
static size_t
thread_list_key(const struct thread_list_at *at, char *key, size_t room)
{
	size_t n = 0;

	for (int i = 0; i < TL_N; i++) {
		int col = at->col[i];
		int32_t head[2] = { col >= 0 ? (int32_t)PQftype(at->res, col) : 0,
				    col < 0 || PQgetisnull(at->res, at->row, col) ? -1 : PQgetlength(at->res, at->row, col) };
		size_t len = head[1] > 0 ? (size_t)head[1] : 0;

		if (room - n < sizeof head + len)
			return 0;
		memcpy(key + n, head, sizeof head);
		n += sizeof head;
		memcpy(key + n, PQgetvalue(at->res, at->row, col >= 0 ? col : 0), len);
		n += len;
	}
	return n;
}

/* Rows of the lists a member reads again and again (the home page's first page, /unread)
 * are the same from one request to the next: made once per key (core/kept.h). */
static struct kept thread_list_rows_kept = KEPT_INIT(thread_list_row);

json_t *
thread_list_html_rows(const PGresult *res, int rows)
{
	struct thread_list_at at = { .res = res };
	json_t *a = json_array();
	char key[KEPT_TEXT_MAX];
	size_t n;

	for (int i = 0; i < TL_N; i++)
		at.col[i] = PQfnumber(res, thread_list_names[i]);
	if (rows > PQntuples(res))
		rows = PQntuples(res);
	for (at.row = 0; at.row < rows; at.row++) {
		n = thread_list_key(&at, key, sizeof key);
		json_array_append_new(a, n > 0 ? kept_get(&thread_list_rows_kept, key, n, &at)
					       : thread_list_row(NULL, 0, &at));
	}
	return a;
}

json_t *
thread_list_rows(struct req *r, const PGresult *res, int per_page)
{
	json_t *threads, *t;
	size_t i;

	if (r->html)
		return thread_list_html_rows(res, per_page);
	threads = db_rows_json(res);
	if (json_array_size(threads) > (size_t)per_page)
		json_array_remove(threads, (size_t)per_page);
	json_array_foreach(threads, i, t)
		threads_voices_decorate(json_object_get(t, "voices"), false);
	unread_list_decorate(r, threads);
	return threads;
}
