/* forum/thread_list.h — a thread list's rows as its page shows them (home, category, tag,
 * /unread, /new-threads), made from the list statement's result.
 *
 * The signed-in home page is never cached: every request made all 31 rows of the list into
 * jansson objects (16 members each, four of them JSON parsed), then walked them again to
 * add the voices bar (two printf of a double and a json_sprintf a row), "N replies" and
 * the unread badges — about 1.4 M of the page's 2.1 M instructions (issue 20,
 * docs/performance.md "Signed-in home page: instructions"). The page reads a third of
 * those members. This makes, for the HTML view only, the members thread_list.html and
 * voices_mini.html read, from the result's cells; the API's rows are made as before
 * (threads_list, unread_list), so its JSON is unchanged. A member reads the same first
 * page again and again: each row is kept (for the process) under a key of every cell it
 * is made of (core/kept.h), so a changed thread or unread count is another row.
 */
#ifndef CORRAL_FORUM_THREAD_LIST_H
#define CORRAL_FORUM_THREAD_LIST_H

#include <jansson.h>
#include <libpq-fe.h>

#include <stddef.h>

/* The first rows rows of a list statement's result (FORUM_UNREAD_COLS and
 * FORUM_THREAD_ROW's columns) as thread_list.html renders them: a new array of shared
 * rows that must never be changed nor removed from it (kept, core/kept.h: in a request
 * the arena holds their references, so the model must not be released value by value —
 * a page handler that fails after making them, rebuilt by http_rebuild_page, would be).
 * Badges only for a signed-in viewer (the statement gives none for viewer 0). */
json_t *thread_list_html_rows(const PGresult *res, int rows);

/* A list page's rows, for either view: the HTML view's from thread_list_html_rows, the
 * API's every column with the voices and unread fields (threads_voices_decorate,
 * unread_list_decorate); per_page rows at most (the statement reads one more, to know of
 * a next page). The home, category and tag lists and /unread, /new-threads. */
struct req;
json_t *thread_list_rows(struct req *r, const PGresult *res, int per_page);

/* A thread's voices as a page draws them, set on v: the bar's widths (bar_doer,
 * bar_helper, bar_none: "%.1f" percentages) and the summary ("3 voices · 1 practitioner,
 * 33 %"). A list's rows and the thread page (threads_voices_decorate) both. */
void thread_list_voices_bars(json_t *v, long long participants, long long doers);

/* "%.1f" of a double as printf writes it (correctly rounded), into out; its length. */
size_t thread_list_fmt1(double x, char out[32]);

#endif
