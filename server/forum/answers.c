/* forum/answers.c — accepted answers in question-style categories: the thread's author or
 * a moderator marks one visible reply as the answer (and unmarks or changes it), shown
 * under the opening post with the answerer's role; a moderator's marking is logged. */
#include <string.h>

#include "auth/auth.h"
#include "core/jsonset.h"
#include "db/db.h"
#include "forum/modlog.h"
#include "forum/page_posts.h"
#include "forum/policy.h"
#include "forum/reactions.h"
#include "forum/routes.h"
#include "forum/sharedpage.h"

void
answers_decorate(struct req *r, PGresult *res, const struct page_posts *pp, json_t *thread_model)
{
	struct viewer *v = auth_viewer(r);
	bool question = db_bool(res, 0, db_col(res, "question_style"));
	int64_t author = db_i64(res, 0, db_col(res, "author_id"));
	bool may = policy_can_accept(v, author, question);
	/* a shared copy (forum/sharedpage.h): also as the thread's author */
	bool may_own = r->shared && policy_can_accept(v, v->id, question);
	json_t *row = db_row_json(res, 0), *answer = json_object_get(row, "answer");
	json_int_t answer_id = json_is_object(answer) ? json_integer_value(json_object_get(answer, "post_id")) : 0;

	for (size_t i = 0; i < pp->n; i++) {
		json_t *p = pp->v[i].obj;
		json_int_t id = pp->v[i].id;
		bool reply = pp->v[i].depth > 0 || pp->v[i].parent != 0;
		bool visible = pp->v[i].state == STATE_VISIBLE;

		bool is = answer_id && id == answer_id;

		if (r->html && !r->shared) {
			/* A page's template reads a missing flag as false, and no frame below a post
			 * has these names: only the true ones are set (two jansson sets a post). */
			if (is)
				JSON_SET(p, "is_answer", json_true());
			if (may && reply && visible && !is)
				JSON_SET(p, "can_accept", json_true());
			if (may && is)
				JSON_SET(p, "can_unaccept", json_true());
		} else if (r->shared) {
			JSON_SET(p, "is_answer", json_boolean(is));
			JSON_SET(p, "can_accept", sharedpage_is(r, author, may_own && reply && visible && id != answer_id,
								  may && reply && visible && id != answer_id));
			JSON_SET(p, "can_unaccept", sharedpage_is(r, author, may_own && answer_id && id == answer_id,
								    may && answer_id && id == answer_id));
		} else {
			JSON_SET(p, "is_answer", json_boolean(is));
			JSON_SET(p, "can_accept", json_boolean(may && reply && visible && id != answer_id));
			JSON_SET(p, "can_unaccept", json_boolean(may && answer_id && id == answer_id));
		}
		/* The answer is shown under the question: on the opening post, when on this page. */
		if (r->html && answer_id && !reply)
			json_object_set(p, "answer_box", answer);
	}
	if (thread_model) {
		JSON_SET(thread_model, "question_style", json_boolean(question));
		JSON_SET(thread_model, "solved", json_boolean(answer_id != 0));
		json_object_set(thread_model, "answer", answer ? answer : json_null());
	}
	json_decref(row);
}

struct answers_write {
	struct req *r;
	int64_t thread, post;   /* post 0: unmark */
	bool logged;            /* out: a moderator's marking, logged */
};

/* The post must be a visible reply of this thread. */
static enum herr
answers_check_post(struct answers_write *w)
{
	PGresult *res = db_q(&w->r->c, STMT_POST_GET, db_int(&w->r->c, w->post));

	if (res == NULL)
		return w->r->c.err;
	if (PQntuples(res) == 0 || db_i64(res, 0, db_col(res, "thread_id")) != w->thread)
		return http_fail(w->r, HERR_INVALID, "post_id", "post_id is not a post of this thread.");
	if (db_str(res, 0, db_col(res, "parent_id")) == NULL)
		return http_fail(w->r, HERR_INVALID, "post_id", "The question cannot be its own answer: pick a reply.");
	if (policy_state_parse(db_str(res, 0, db_col(res, "state"))) != STATE_VISIBLE)
		return http_fail(w->r, HERR_INVALID, "post_id", "Only a visible reply can be the answer.");
	return HERR_OK;
}

static enum herr
answers_tx(struct ctx *c, void *arg)
{
	struct answers_write *w = arg;
	struct viewer *v = auth_viewer(w->r);
	const char *why, *before;
	PGresult *res;
	int64_t author;
	enum herr e;

	w->logged = false;
	if ((res = db_q(c, STMT_ANSWER_THREAD_LOCK, db_int(c, w->thread))) == NULL)
		return c->err;
	if (PQntuples(res) == 0)
		return http_fail(w->r, HERR_NOT_FOUND, NULL, "There is no such thread.");
	author = db_i64(res, 0, db_col(res, "author_id"));
	if (!policy_may_see(v, policy_state_parse(db_str(res, 0, db_col(res, "state"))), author))
		return http_fail(w->r, HERR_NOT_FOUND, NULL, "There is no such thread.");
	if ((e = policy_accept(v, author, db_bool(res, 0, db_col(res, "question_style")), &why)) != HERR_OK)
		return http_fail(w->r, e, NULL, why);
	before = db_str(res, 0, db_col(res, "answer_post_id"));
	if (w->post && (e = answers_check_post(w)) != HERR_OK)
		return e;
	if ((before == NULL && w->post == 0) || (before && w->post && strcmp(before, db_int(c, w->post)) == 0))
		return HERR_OK;   /* no change: nothing to write or log */
	if (db_q(c, STMT_ANSWER_SET, db_int(c, w->thread), w->post ? db_int(c, w->post) : NULL, db_int(c, v->id)) == NULL)
		return c->err;
	/* Marking is the author's own business; a moderator doing it for them is moderation. */
	if (v->id != author) {
		if (modlog_add(c, v->id, w->post ? "accept_answer" : "unaccept_answer", "thread", db_int(c, w->thread),
			       NULL, json_pack("{s:O}", "post_id", w->post ? json_integer(w->post) : json_null())) != 0)
			return c->err;
		w->logged = true;
	}
	return HERR_OK;
}

static enum herr
answers_set(struct req *r, bool on)
{
	struct answers_write w = { .r = r };
	struct page_posts pp;
	json_t *t, *none;

	if (http_param_id(r, "id", &w.thread) != 0 || auth_require(r, ROLE_MEMBER) != 0)
		return r->c.err;
	if (on && in_int(r, "post_id", 1, INT64_MAX, IN_REQUIRED, &w.post) < 0)
		return r->c.err;
	if (db_transaction(&r->c, answers_tx, &w) != HERR_OK)
		return r->c.err;
	t = json_pack("{s:I}", "id", (json_int_t)w.thread);
	none = json_array();
	page_posts_of_json(r, none, &pp);
	if (reactions_decorate(r, w.thread, &pp, t) != 0) {
		json_decref(none);
		json_decref(t);
		return r->c.err;
	}
	json_decref(none);
	r->model = json_pack("{s:o,s:b}", "thread", t, "logged", w.logged);
	r->location = arena_printf(r->c.arena, "/t/%lld", (long long)w.thread);
	return HERR_OK;
}

static enum herr answers_mark(struct req *r) { return answers_set(r, true); }
static enum herr answers_unmark(struct req *r) { return answers_set(r, false); }

const struct route answers_routes[] = {
	{ "POST", "/t/{id}/answer", answers_mark, .view = "error" },
	{ "POST", "/t/{id}/unanswer", answers_unmark, .view = "error" },
	{ "POST", "/api/v1/threads/{id}/answer", answers_mark },
	{ "DELETE", "/api/v1/threads/{id}/answer", answers_unmark },
};
const size_t answers_routes_n = ROUTES_N(answers_routes);
