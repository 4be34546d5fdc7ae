/* forum/reactions.h — reactions on posts (+1, thanks, insightful: once per member and
 * kind, never on one's own post) counted and shown split by community role, the replies
 * of a thread sorted by practitioners' agreement (reactions.c), and accepted answers in
 * question-style categories (answers.c). What a page of posts shows of both comes from
 * one statement (REACTIONS_PAGE), whatever the number of posts. */
#ifndef CORRAL_FORUM_REACTIONS_H
#define CORRAL_FORUM_REACTIONS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "db/db.h"
#include "forum/thread_paging.h"
#include "http/http.h"

/* ?sort=tree|agreement of a thread page (absent: tree). A cursor (?after=) is tree order's
 * alone: with agreement it is a 400. Sets model "sort" (and sort_tree/sort_agreement for
 * pages). 0, or -1 with 400 on field "sort". */
int reactions_sort_arg(struct req *r, bool has_cursor, bool *ret_agreement);
/* A page of thread posts, the opening post first, then the replies with the most +1s from
 * practitioners; the page is w->current of w->size posts (one more row when a next page
 * exists). NULL with the error recorded. */
PGresult *reactions_posts_by_agreement(struct req *r, int64_t thread, const struct thread_window *w);
/* model.pages of an agreement-sorted page (numbered pages carrying ?sort=agreement) and
 * model.next_page (the next page number, or null). */
void reactions_pages_model(struct req *r, int64_t thread, const struct thread_window *w, bool more);

/* Give each post of a page of thread `thread` its reactions (null for a post that is not
 * visible: its reactions are hidden with it), whether the viewer may react, and the
 * answer marks (is_answer, can_accept, can_unaccept); with thread_model, the thread gets
 * question_style, solved and answer (shown under its opening post: answer_box). One
 * query. 0, or -1 (recorded). */
int reactions_decorate(struct req *r, int64_t thread, const struct page_posts *pp, json_t *thread_model);
/* The one statement of reactions_decorate, as it will run it: for db_prefetch. By the
 * posts' window when pp has one (REACTIONS_WINDOW), else by their ids (REACTIONS_PAGE). */
struct db_call reactions_page_call(struct req *r, int64_t thread, const struct page_posts *pp);
/* The window's call before the posts are known (the thread page's first round trip): the
 * same call reactions_page_call makes for a page_posts of that after and limit. */
struct db_call reactions_window_call(struct req *r, int64_t thread, const char *after, int limit);
/* The i-th kind of reaction, in the order the page shows them ("" past the last). */
const char *reactions_kind_at(int i);

/* forum/answers.c: the answer part of reactions_decorate, from REACTIONS_PAGE's row. */
void answers_decorate(struct req *r, PGresult *res, const struct page_posts *pp, json_t *thread_model);
/* forum/asks.c: the thread's ask of the doers (ask, can_ask, can_close_ask), from the same row. */
void asks_decorate(struct req *r, PGresult *res, json_t *thread_model);

#endif
