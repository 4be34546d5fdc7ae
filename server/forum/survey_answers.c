/* forum/survey_answers.c — answering a survey and revising the answers: every answer
 * checked against the survey's questions before anything is written, then the response
 * (with the member's community role as it is now) and its answers replaced in one
 * transaction. The form page's answer state lives here too. */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "core/utf8.h"
#include "db/db.h"
#include "forum/surveys.h"
#include "render/jsontext.h"

/* Checking a list of answers against the questions. */
struct sa_check {
	struct req *r;
	const json_t *questions;
	json_t *rows;           /* [{question_id, option_id?, value?, text?}] to store */
	int64_t err_qid;        /* the question an error is about (0: none) */
};

static int
sa_fail(struct sa_check *k, const json_t *q, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
sa_fail(struct sa_check *k, const json_t *q, const char *field, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = arena_vprintf(k->r->c.arena, fmt, ap);
	va_end(ap);
	if (q) {
		k->err_qid = json_integer_value(json_object_get(q, "id"));
		msg = arena_printf(k->r->c.arena, "Question %lld: %s",
				   (long long)json_integer_value(json_object_get(q, "position")), msg);
	}
	http_fail(k->r, HERR_INVALID, field, msg);
	return -1;
}

static const char *
sa_kind(const json_t *q)
{
	return json_string_value(json_object_get(q, "kind"));
}

/* The answer field each kind takes. */
static const char *
sa_field_of(const char *kind)
{
	return strcmp(kind, "text") == 0 ? "text" : strcmp(kind, "scale") == 0 ? "value" : "option_ids";
}

static bool
sa_present(const json_t *item, const char *key)
{
	json_t *v = json_object_get(item, key);

	return v != NULL && !json_is_null(v);
}

/* 1 = answered, 0 = left empty, -1 = refused. */
static int
sa_text(struct sa_check *k, const json_t *q, const json_t *v, const char *field)
{
	const char *s;
	size_t len;

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return sa_fail(k, q, field, "the answer must be text.");
	s = json_string_value(v);
	len = json_string_length(v);
	utf8_trim(&s, &len);
	if (len == 0)
		return 0;
	if (utf8_length(s, len) > SURVEY_TEXT_MAX)
		return sa_fail(k, q, field, "an answer is at most %d characters.", SURVEY_TEXT_MAX);
	json_array_append_new(k->rows, json_pack("{s:O,s:s%}", "question_id", json_object_get(q, "id"),
						 "text", s, len));
	return 1;
}

static int
sa_value(struct sa_check *k, const json_t *q, const json_t *v, const char *field)
{
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 5)
		return sa_fail(k, q, field, "the answer is a whole number from 1 to 5.");
	json_array_append_new(k->rows, json_pack("{s:O,s:I}", "question_id", json_object_get(q, "id"),
						 "value", json_integer_value(v)));
	return 1;
}

static int
sa_options(struct sa_check *k, const json_t *q, const json_t *v, const char *field)
{
	const json_t *opts = json_object_get(q, "options");
	bool single = strcmp(sa_kind(q), "single") == 0;
	json_t *id;
	size_t i;

	if (v == NULL || json_is_null(v) || (json_is_array(v) && json_array_size(v) == 0))
		return 0;
	if (!json_is_array(v))
		return sa_fail(k, q, field, "option_ids must be a list of option ids.");
	if (single && json_array_size(v) > 1)
		return sa_fail(k, q, field, "choose one option only.");
	json_array_foreach(v, i, id) {
		bool known = false;
		json_t *o;
		size_t j;

		if (!json_is_integer(id))
			return sa_fail(k, q, field, "option_ids must be a list of option ids.");
		json_array_foreach(opts, j, o)
			known |= json_integer_value(json_object_get(o, "id")) == json_integer_value(id);
		if (!known)
			return sa_fail(k, q, field, "there is no option %lld in this question.",
				       (long long)json_integer_value(id));
		for (j = 0; j < i; j++)
			if (json_integer_value(json_array_get(v, j)) == json_integer_value(id))
				return sa_fail(k, q, field, "option %lld is chosen twice.",
					       (long long)json_integer_value(id));
		json_array_append_new(k->rows, json_pack("{s:O,s:O}", "question_id", json_object_get(q, "id"),
							 "option_id", id));
	}
	return 1;
}

static int
sa_item(struct sa_check *k, const json_t *item, size_t i, int *given, bool *filled)
{
	const char *base = arena_printf(k->r->c.arena, "answers[%zu]", i);
	json_t *qid = json_object_get(item, "question_id"), *q = NULL, *c;
	static const char *const keys[] = { "text", "option_ids", "value" };
	const char *kind, *field;
	size_t qi;
	int rc;

	if (!json_is_object(item))
		return sa_fail(k, NULL, base, "Each answer is an object {question_id, text | option_ids | value}.");
	field = arena_printf(k->r->c.arena, "%s.question_id", base);
	if (!json_is_integer(qid))
		return sa_fail(k, NULL, field, "question_id must be the id of a question.");
	json_array_foreach(k->questions, qi, c)
		if (json_integer_value(json_object_get(c, "id")) == json_integer_value(qid)) {
			q = c;
			break;
		}
	if (q == NULL)
		return sa_fail(k, NULL, field, "There is no question %lld in this survey.",
			       (long long)json_integer_value(qid));
	if (given[qi] >= 0)
		return sa_fail(k, q, field, "answered twice.");
	given[qi] = (int)i;
	kind = sa_kind(q);
	for (size_t j = 0; j < 3; j++)
		if (strcmp(keys[j], sa_field_of(kind)) != 0 && sa_present(item, keys[j]))
			return sa_fail(k, q, arena_printf(k->r->c.arena, "%s.%s", base, keys[j]),
				       "this question takes %s, not %s.", sa_field_of(kind), keys[j]);
	field = arena_printf(k->r->c.arena, "%s.%s", base, sa_field_of(kind));
	c = json_object_get(item, sa_field_of(kind));
	rc = strcmp(kind, "text") == 0 ? sa_text(k, q, c, field)
	     : strcmp(kind, "scale") == 0 ? sa_value(k, q, c, field) : sa_options(k, q, c, field);
	if (rc < 0)
		return -1;
	filled[qi] = rc == 1;
	return 0;
}

/* Check answers against questions; on success k->rows holds what to store. */
static int
sa_check(struct sa_check *k, const json_t *answers)
{
	size_t nq = json_array_size(k->questions), i;
	int *given = arena_alloc(k->r->c.arena, (nq + 1) * sizeof *given);
	bool *filled = arena_calloc(k->r->c.arena, nq + 1, sizeof *filled), any = false;
	const json_t *item, *q;

	for (i = 0; i < nq; i++)
		given[i] = -1;
	if (!json_is_array(answers))
		return sa_fail(k, NULL, "answers", "answers must be a list of {question_id, text | option_ids | value}.");
	if (json_array_size(answers) > nq)
		return sa_fail(k, NULL, "answers", "There are more answers than questions.");
	json_array_foreach(answers, i, item)
		if (sa_item(k, item, i, given, filled) != 0)
			return -1;
	json_array_foreach(k->questions, i, q) {
		any |= filled[i];
		if (filled[i] || !json_is_true(json_object_get(q, "required")))
			continue;
		return sa_fail(k, q, given[i] < 0 ? "answers"
				     : arena_printf(k->r->c.arena, "answers[%d].%s", given[i], sa_field_of(sa_kind(q))),
			       "an answer is required.");
	}
	if (!any)
		return sa_fail(k, NULL, "answers", "Answer at least one question.");
	return 0;
}

/* --- storing --- */

static void
sa_rows_free(void *p)
{
	json_decref(p);
}

struct sa_store {
	struct req *r;
	int64_t id;
	const char *sid;
	const json_t *answers;
	int64_t err_qid;        /* out: the question a refusal is about (0: none) */
};

static enum herr
sa_store_tx(struct ctx *c, void *arg)
{
	struct sa_store *s = arg;
	struct req *r = s->r;
	struct sa_check k = { .r = r, .rows = json_array() };
	const char *sid = s->sid, *rows;
	PGresult *res;
	json_t *questions;

	s->err_qid = 0;
	arena_defer(c->arena, sa_rows_free, k.rows);
	if (surveys_lock_open(c, s->id, STMT_SURVEY_LOCK_SHARE,
			      "The survey is closed: answers can no longer be given or changed.",
			      "The survey is not open yet.") == NULL)
		return c->err;
	if ((res = db_q(c, STMT_SURVEY_QUESTIONS, sid)) == NULL)
		return c->err;
	questions = db_rows_json(res);
	arena_defer(c->arena, sa_rows_free, questions);
	k.questions = questions;
	if (sa_check(&k, s->answers) != 0) {
		s->err_qid = k.err_qid;
		return c->err;
	}
	if ((rows = jsontext_arena(c->arena, k.rows, JSON_COMPACT)) == NULL)
		core_oom();
	if ((res = db_q(c, STMT_SURVEY_RESPONSE_UPSERT, sid, db_int(c, auth_viewer(r)->id))) == NULL)
		return c->err;
	if (db_q(c, STMT_SURVEY_ANSWERS_CLEAR, db_str(res, 0, 0)) == NULL ||
	    db_q(c, STMT_SURVEY_ANSWERS_ADD, db_str(res, 0, 0), sid, rows) == NULL)
		return c->err;
	return HERR_OK;
}

/* Check and store the viewer's answers to survey id in one transaction: the survey row
 * is held FOR SHARE so its questions cannot change meanwhile. */
static int
sa_store(struct req *r, int64_t id, const json_t *answers, int64_t *ret_err_qid)
{
	struct sa_store s = { .r = r, .id = id, .sid = db_int(&r->c, id), .answers = answers };

	if (db_transaction(&r->c, sa_store_tx, &s) == HERR_OK)
		return 0;
	if (s.err_qid)
		*ret_err_qid = s.err_qid;
	return -1;
}

json_t *
survey_my_response(struct req *r, int64_t survey_id)
{
	PGresult *res = db_q(&r->c, STMT_SURVEY_MY_RESPONSE, db_int(&r->c, survey_id),
			     db_int(&r->c, auth_viewer(r)->id));

	if (res == NULL)
		return NULL;
	return PQntuples(res) ? db_row_json(res, 0) : json_null();
}

enum herr
survey_respond(struct req *r)
{
	int64_t id, err_qid = 0;
	json_t *mine;

	if (http_param_id(r, "id", &id) != 0 || auth_require_active(r) != 0 ||
	    sa_store(r, id, json_object_get(r->input, "answers"), &err_qid) != 0)
		return r->c.err;
	if ((mine = survey_my_response(r, id)) == NULL)
		return r->c.err;
	r->model = json_pack("{s:o}", "response", mine);
	return HERR_OK;
}

/* --- the form --- */

/* A form value as a JSON integer when it is one, else as given (then refused). */
static json_t *
sa_form_int(json_t *v)
{
	const char *s = json_string_value(v);
	char *end;
	long long n;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
		return json_incref(v);
	n = strtoll(s, &end, 10);
	return *end == '\0' ? json_integer(n) : json_incref(v);
}

/* The form's fields q<id> as answers in the PUT shape. */
static json_t *
sa_from_form(struct req *r, const json_t *questions)
{
	json_t *answers = json_array(), *q;
	size_t i;

	json_array_foreach(questions, i, q) {
		const char *kind = sa_kind(q);
		json_int_t qid = json_integer_value(json_object_get(q, "id"));
		json_t *v = json_object_get(r->input, arena_printf(r->c.arena, "q%lld", (long long)qid));
		json_t *item = json_pack("{s:I}", "question_id", qid), *x;
		size_t j;

		json_array_append_new(answers, item);
		if (v == NULL || (json_is_string(v) && json_string_length(v) == 0))
			continue;
		if (strcmp(kind, "text") == 0) {
			json_object_set(item, "text", v);
		} else if (strcmp(kind, "scale") == 0) {
			json_object_set_new(item, "value", sa_form_int(v));
		} else {
			json_t *ids = json_array();

			if (json_is_array(v))
				json_array_foreach(v, j, x)
					json_array_append_new(ids, sa_form_int(x));
			else
				json_array_append_new(ids, sa_form_int(v));
			json_object_set_new(item, "option_ids", ids);
		}
	}
	return answers;
}

static const json_t *
sa_answer_for(const json_t *answers, json_int_t qid)
{
	const json_t *a;
	size_t i;

	json_array_foreach(answers, i, a)
		if (json_integer_value(json_object_get(a, "question_id")) == qid)
			return a;
	return NULL;
}

void
survey_form_fill(struct req *r, json_t *survey, const json_t *answers)
{
	json_t *q, *o;
	size_t i, j;

	(void)r;
	json_array_foreach(json_object_get(survey, "questions"), i, q) {
		const char *kind = sa_kind(q);
		json_int_t qid = json_integer_value(json_object_get(q, "id"));
		const json_t *a = sa_answer_for(answers, qid);
		json_t *ids = json_object_get(a, "option_ids"), *scale;

		json_object_set_new(q, "name", json_sprintf("q%lld", (long long)qid));
		json_object_set_new(q, "is_text", json_boolean(strcmp(kind, "text") == 0));
		json_object_set_new(q, "is_single", json_boolean(strcmp(kind, "single") == 0));
		json_object_set_new(q, "is_multi", json_boolean(strcmp(kind, "multi") == 0));
		json_object_set_new(q, "is_scale", json_boolean(strcmp(kind, "scale") == 0));
		if (json_is_string(json_object_get(a, "text")))
			json_object_set(q, "answer_text", json_object_get(a, "text"));
		json_array_foreach(json_object_get(q, "options"), j, o) {
			json_int_t oid = json_integer_value(json_object_get(o, "id"));
			bool checked = false;
			json_t *x;
			size_t k;

			json_array_foreach(ids, k, x)
				checked |= json_is_integer(x) && json_integer_value(x) == oid;
			json_object_set_new(o, "checked", json_boolean(checked));
		}
		if (strcmp(kind, "scale") != 0)
			continue;
		scale = json_array();
		for (int v = 1; v <= 5; v++)
			json_array_append_new(scale, json_pack("{s:i,s:b}", "value", v, "checked",
							       json_integer_value(json_object_get(a, "value")) == v));
		json_object_set_new(q, "scale", scale);
	}
}

enum herr
survey_respond_form(struct req *r)
{
	int64_t id, err_qid = 0;
	json_t *s, *answers, *q;
	size_t i;

	if (http_param_id(r, "id", &id) != 0 || auth_require_active(r) != 0 ||
	    (s = surveys_load(r, id)) == NULL)
		return r->c.err;
	answers = sa_from_form(r, json_object_get(s, "questions"));
	arena_defer(r->c.arena, sa_rows_free, answers);
	if (sa_store(r, id, answers, &err_qid) == 0) {
		json_decref(s);
		r->location = arena_printf(r->c.arena, "/surveys/%lld?saved=1", (long long)id);
		return HERR_OK;
	}
	/* Show the page again with what was typed and the error beside its question. */
	if (surveys_show_model(r, s, answers) != 0)
		return r->c.err;
	json_array_foreach(json_object_get(json_object_get(r->model, "survey"), "questions"), i, q)
		if (err_qid && json_integer_value(json_object_get(q, "id")) == err_qid) {
			json_object_set_new(q, "answer_error", json_string(r->c.err_msg ? r->c.err_msg : ""));
			r->c.err_field = arena_printf(r->c.arena, "q%lld", (long long)err_qid);
		}
	return r->c.err;
}
