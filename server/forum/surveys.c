/* forum/surveys.c — surveys as moderators make them and members find them: the list, one
 * survey with its questions (and the viewer's own answers), creating from scratch or from
 * the SPEC §6 template, editing under the wording-only rule, closing. Holds the route
 * table of every survey file (see surveys.h). */
#include "forum/surveys.h"

#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "db/db.h"
#include "forum/markup.h"
#include "forum/modlog.h"
#include "forum/policy.h"
#include "forum/routes.h"
#include "render/jsontext.h"

#define SURVEYS_PER_PAGE 30
#define SURVEYS_INTRO_MAX 50000

static bool
surveys_is_mod(struct req *r)
{
	struct viewer *v = auth_viewer(r);

	return policy_is_moderator(v);
}

static const char *
surveys_status(const json_t *s)
{
	const char *st = json_string_value(json_object_get(s, "status"));

	return st ? st : "";
}

/* Flags for templates, which cannot compare strings. */
static void
surveys_decorate(json_t *s)
{
	const char *st = surveys_status(s);

	json_object_set_new(s, "is_open", json_boolean(strcmp(st, "open") == 0));
	json_object_set_new(s, "is_closed", json_boolean(strcmp(st, "closed") == 0));
	json_object_set_new(s, "is_scheduled", json_boolean(strcmp(st, "scheduled") == 0));
}

json_t *
surveys_load(struct req *r, int64_t id)
{
	PGresult *res = db_q(&r->c, STMT_SURVEY_GET, db_int(&r->c, id));
	json_t *s;

	if (res == NULL)
		return NULL;
	if (PQntuples(res) == 0) {
		http_fail(r, HERR_NOT_FOUND, NULL, "There is no such survey.");
		return NULL;
	}
	s = db_row_json(res, 0);
	if ((res = db_q(&r->c, STMT_SURVEY_QUESTIONS, db_int(&r->c, id))) == NULL) {
		json_decref(s);
		return NULL;
	}
	json_object_set_new(s, "questions", db_rows_json(res));
	return s;
}

json_t *
surveys_from_path(struct req *r, int64_t *ret_id)
{
	int64_t id;
	json_t *s;

	if (http_param_id(r, "id", &id) != 0 || (s = surveys_load(r, id)) == NULL)
		return NULL;
	*ret_id = id;
	return s;
}

bool
surveys_results_visible(struct req *r, const json_t *survey)
{
	return surveys_is_mod(r) || strcmp(surveys_status(survey), "closed") == 0;
}

static void
surveys_json_free(void *p)
{
	json_decref(p);
}

/* A jansson value as a statement parameter (arena copy). */
static const char *
surveys_json_param(struct req *r, const json_t *v)
{
	const char *s = jsontext_arena(r->c.arena, v, JSON_COMPACT);

	if (s == NULL)
		core_oom();
	return s;
}

/* The moderation log entry of a survey change (modlog_add takes the details over). */
static int
surveys_log(struct req *r, const char *action, int64_t id, json_t *details)
{
	return modlog_add(&r->c, auth_viewer(r)->id, action, "survey", db_int(&r->c, id), NULL, details);
}

/* --- the list --- */

static enum herr
surveys_index(struct req *r)
{
	struct viewer *v = auth_viewer(r);
	int64_t page, thread;
	PGresult *res;
	json_t *list, *s;
	size_t i;

	if (http_query_int(r, "page", 1, 100000, 1, &page) != 0 ||
	    http_query_int(r, "thread_id", 1, INT64_MAX, 0, &thread) != 0)
		return r->c.err;
	res = db_q(&r->c, STMT_SURVEYS_LIST, db_int(&r->c, thread), db_int(&r->c, v ? v->id : 0),
		   db_int(&r->c, SURVEYS_PER_PAGE + 1), db_int(&r->c, (page - 1) * SURVEYS_PER_PAGE));
	if (res == NULL)
		return r->c.err;
	list = db_rows_json(res);
	json_array_foreach(list, i, s) {
		json_object_del(s, "intro");
		json_object_del(s, "intro_html");
		if (r->html)
			surveys_decorate(s);
	}
	r->model = json_pack("{s:o,s:o,s:b}", "surveys", list, "next_page", json_null(),
			     "can_create", surveys_is_mod(r));
	if (json_array_size(list) > SURVEYS_PER_PAGE) {
		json_array_remove(list, SURVEYS_PER_PAGE);
		json_object_set_new(r->model, "next_page", json_integer(page + 1));
	}
	if (page > 1)
		json_object_set_new(r->model, "prev_page", json_integer(page - 1));
	return HERR_OK;
}

/* --- one survey --- */

int
surveys_show_model(struct req *r, json_t *s, const json_t *form_answers)
{
	struct viewer *v = auth_viewer(r);
	json_t *mine = json_null();
	bool open = strcmp(surveys_status(s), "open") == 0;

	json_decref(r->model);
	r->model = json_pack("{s:o}", "survey", s);
	if (v && (mine = survey_my_response(r, json_integer_value(json_object_get(s, "id")))) == NULL)
		return -1;
	json_object_set_new(r->model, "my_response", mine);
	json_object_set_new(r->model, "can_answer", json_boolean(v && !v->suspended && open));
	json_object_set_new(r->model, "results_visible", json_boolean(surveys_results_visible(r, s)));
	json_object_set_new(r->model, "can_moderate", json_boolean(surveys_is_mod(r)));
	if (r->html) {
		surveys_decorate(s);
		survey_form_fill(r, s, form_answers ? form_answers : json_object_get(mine, "answers"));
		r->title = arena_strdup(r->c.arena, json_string_value(json_object_get(s, "title")));
	}
	return 0;
}

static enum herr
surveys_show(struct req *r)
{
	const char *saved = http_query(r, "saved");
	int64_t id;
	json_t *s;

	if ((s = surveys_from_path(r, &id)) == NULL || surveys_show_model(r, s, NULL) != 0)
		return r->c.err;
	if (saved && r->html)
		json_object_set_new(r->model, "saved", json_true());
	return HERR_OK;
}

static enum herr
surveys_template(struct req *r)
{
	r->model = survey_template();
	return HERR_OK;
}

/* --- creating and editing --- */

struct surveys_input {
	const char *title;
	const char *intro, *intro_html, *version;   /* NULL: unchanged */
	bool set_thread;
	int64_t thread_id;                          /* 0: none */
	const char *public;                         /* "true"/"false", NULL: unchanged */
	const char *opens_at;                       /* NULL: now (create) or unchanged */
	bool set_closes;
	const char *closes_at;                      /* NULL: never closes */
	json_t *questions;                          /* normalised, NULL: unchanged */
};

/* RFC 3339 in shape: 2026-11-28T18:22[:09[.123]][Z|+01:00] (no zone: UTC, as the form's
 * datetime-local sends it). PostgreSQL then checks the date is real. */
static bool
surveys_time_shape(const char *s)
{
	static const char head[] = "dddd-dd-ddTdd:dd";
	size_t i;

	for (i = 0; head[i]; i++) {
		char c = s[i];

		if (head[i] == 'd' ? !(c >= '0' && c <= '9')
		    : head[i] == 'T' ? !(c == 'T' || c == 't' || c == ' ') : c != head[i])
			return false;
	}
	s += i;
	if (s[0] == ':' && s[1] >= '0' && s[1] <= '9' && s[2] >= '0' && s[2] <= '9') {
		s += 3;
		if (*s == '.') {
			size_t n = strspn(s + 1, "0123456789");

			if (n < 1 || n > 9)
				return false;
			s += 1 + n;
		}
	}
	if (*s == 'Z' || *s == 'z')
		return s[1] == '\0';
	if (*s == '+' || *s == '-')
		return strspn(s + 1, "0123456789") == 2 &&
		       ((s[3] == ':' && strspn(s + 4, "0123456789") == 2 && s[6] == '\0') ||
			(strspn(s + 3, "0123456789") == 2 && s[5] == '\0'));
	return *s == '\0';
}

/* 0 with *ret set, 1 when absent (or JSON null), -1 with 400 recorded. */
static int
surveys_time(struct req *r, const char *field, const char **ret)
{
	const char *s, *msg;
	PGresult *res;
	int rc = in_string(r, field, 1, 40, IN_TRIM | IN_NULLABLE, &s);

	if (rc != 0)
		return rc;
	msg = arena_printf(r->c.arena, "%s must be a time like 2026-11-28T18:00:00Z (RFC 3339).", field);
	if (!surveys_time_shape(s))
		goto bad;
	/* A date that does not exist (February 30th) is PostgreSQL's data exception. */
	res = db_qx(&r->c, STMT_SURVEY_TIME_OK, DB_EXPECT({ "22", HERR_INVALID, field, msg }), s);
	if (res == NULL)
		return -1;
	if (!db_bool(res, 0, 0))
		goto bad;
	*ret = s;
	return 0;
bad:
	http_fail(r, HERR_INVALID, field, msg);
	return -1;
}

static int
surveys_read_intro(struct req *r, struct surveys_input *in, bool create)
{
	static const struct markup_spec spec = { .field = "intro", .noun = "intro", .max_bytes = SURVEYS_INTRO_MAX,
						 .blank_ok = true };
	struct markup m;
	int rc = in_string(r, "intro", 0, SURVEYS_INTRO_MAX, IN_BYTES | IN_NULLABLE, &in->intro);

	if (rc < 0)
		return -1;
	/* A form always sends the field, so an empty one clears the intro. */
	if (rc == 1 && (create || r->input_form))
		in->intro = "";
	if (in->intro == NULL)
		return 0;
	if ((rc = markup_render(&r->c, in->intro, &spec, &m)) < 0)
		return -1;
	in->version = m.version;
	in->intro_html = m.html;
	if (rc == 1)
		in->intro = "";   /* blank: no intro */
	return 0;
}

static int
surveys_read_thread(struct req *r, struct surveys_input *in)
{
	PGresult *res;
	int rc = in_int(r, "thread_id", 1, INT64_MAX, IN_NULLABLE, &in->thread_id);

	if (rc < 0)
		return -1;
	if (rc == 1) {
		/* JSON: null detaches, absent keeps; a form sends the whole survey. */
		in->set_thread = r->input_form || json_is_null(json_object_get(r->input, "thread_id"));
		in->thread_id = 0;
		return 0;
	}
	in->set_thread = true;
	if ((res = db_q(&r->c, STMT_SURVEY_THREAD_OK, db_int(&r->c, in->thread_id))) == NULL)
		return -1;
	if (PQntuples(res) == 0) {
		http_fail(r, HERR_INVALID, "thread_id", "There is no such thread.");
		return -1;
	}
	return 0;
}

static int
surveys_read(struct req *r, struct surveys_input *in, bool create)
{
	bool form = r->input_form, pub;
	int rc;

	memset(in, 0, sizeof *in);
	if (in_string(r, "title", 3, 200, (create || form ? IN_REQUIRED : 0) | IN_TRIM, &in->title) < 0 ||
	    surveys_read_intro(r, in, create) != 0 || surveys_read_thread(r, in) != 0)
		return -1;
	if ((rc = in_bool(r, "public", (form ? IN_CHECKBOX : 0) | IN_NULLABLE, &pub)) < 0)
		return -1;
	if (rc == 0)
		in->public = pub ? "true" : "false";
	if (surveys_time(r, "opens_at", &in->opens_at) < 0 || (rc = surveys_time(r, "closes_at", &in->closes_at)) < 0)
		return -1;
	in->set_closes = rc == 0 || form || json_is_null(json_object_get(r->input, "closes_at"));
	if (form) {
		const char *text;

		if (in_string(r, "questions", 1, 1024 * 1024, IN_REQUIRED | IN_BYTES, &text) < 0 ||
		    survey_questions_parse_text(r, text, &in->questions) != 0)
			return -1;
	} else if (json_object_get(r->input, "questions") || create) {
		json_t *q = json_object_get(r->input, "questions");

		if (q == NULL) {
			http_fail(r, HERR_INVALID, "questions", "questions is required.");
			return -1;
		}
		if (survey_questions_read(r, q, &in->questions) != 0)
			return -1;
	}
	arena_defer(r->c.arena, surveys_json_free, in->questions);
	return 0;
}

/* The CHECK (closes_at > opens_at) is the last word on the times. */
#define SURVEYS_TIMES_CHECK DB_EXPECT({ "23514", HERR_INVALID, "closes_at", "closes_at must be after opens_at." })

static enum herr
surveys_created(struct req *r, int64_t id, int status)
{
	json_t *s = surveys_load(r, id);

	if (s == NULL)
		return r->c.err;
	json_decref(r->model);
	r->model = json_pack("{s:o}", "survey", s);
	r->status = status;
	r->location = arena_printf(r->c.arena, "/surveys/%lld", (long long)id);
	return HERR_OK;
}

/* What the moderators' writes below share with their transactions. */
struct surveys_write {
	struct req *r;
	const struct surveys_input *in;
	int64_t id;              /* the survey (create: set by the transaction) */
	const json_t *current;   /* patch: its questions before the edit */
};

static enum herr
surveys_create_tx(struct ctx *c, void *arg)
{
	struct surveys_write *w = arg;
	struct req *r = w->r;
	const struct surveys_input *in = w->in;
	PGresult *res;

	w->id = 0;
	res = db_qx(c, STMT_SURVEY_CREATE, SURVEYS_TIMES_CHECK, in->title, in->intro, in->intro_html, in->version,
		    in->thread_id ? db_int(c, in->thread_id) : NULL, db_int(c, auth_viewer(r)->id),
		    in->public ? in->public : "false", in->opens_at, in->closes_at);
	if (res == NULL)
		return c->err;
	w->id = db_i64(res, 0, 0);
	/* An open survey is announced with its creation (a scheduled one later, by maintenance). */
	if (db_q(c, STMT_SURVEY_QUESTIONS_ADD, db_int(c, w->id), surveys_json_param(r, in->questions)) == NULL ||
	    surveys_log(r, "create_survey", w->id, json_pack("{s:s}", "title", in->title)) != 0 ||
	    db_q0(c, STMT_SURVEYS_ANNOUNCE) == NULL)
		return c->err;
	return HERR_OK;
}

static enum herr
surveys_create(struct req *r)
{
	struct surveys_input in;
	struct surveys_write w = { .r = r, .in = &in };

	if (auth_require(r, ROLE_MODERATOR) != 0 || surveys_read(r, &in, true) != 0)
		return r->c.err;
	if (db_transaction(&r->c, surveys_create_tx, &w) != HERR_OK)
		return r->c.err;
	return surveys_created(r, w.id, 201);
}

/* Questions inside the edit's transaction: replaced while nobody has answered, else
 * reworded or refused with 409. */
static int
surveys_update_questions(struct req *r, int64_t id, const json_t *current, json_t *wanted,
			 int64_t respondents)
{
	const char *sid = db_int(&r->c, id);
	json_t *prompts, *labels;
	int rc = 0;

	if (respondents == 0)
		return db_q(&r->c, STMT_SURVEY_QUESTIONS_CLEAR, sid) == NULL ||
		       db_q(&r->c, STMT_SURVEY_QUESTIONS_ADD, sid, surveys_json_param(r, wanted)) == NULL ? -1 : 0;
	if (survey_questions_reword(r, current, wanted, &prompts, &labels) != 0)
		return -1;
	if ((json_array_size(prompts) &&
	     db_q(&r->c, STMT_SURVEY_QUESTIONS_REWORD, sid, surveys_json_param(r, prompts)) == NULL) ||
	    (json_array_size(labels) &&
	     db_q(&r->c, STMT_SURVEY_OPTIONS_REWORD, sid, surveys_json_param(r, labels)) == NULL))
		rc = -1;
	json_decref(prompts);
	json_decref(labels);
	return rc;
}

static enum herr
surveys_patch_tx(struct ctx *c, void *arg)
{
	const struct surveys_write *w = arg;
	struct req *r = w->r;
	const struct surveys_input *in = w->in;
	int64_t id = w->id;
	PGresult *res;

	if ((res = db_q(c, STMT_SURVEY_LOCK_UPDATE, db_int(c, id))) == NULL)
		return c->err;
	if (in->questions &&
	    surveys_update_questions(r, id, w->current, in->questions,
				     db_i64(res, 0, db_col(res, "respondents"))) != 0)
		return c->err;
	if (db_qx(c, STMT_SURVEY_UPDATE, SURVEYS_TIMES_CHECK, db_int(c, id), in->title, in->intro, in->intro_html,
		  in->version, in->set_thread ? "true" : "false", in->thread_id ? db_int(c, in->thread_id) : NULL,
		  in->public, in->opens_at, in->set_closes ? "true" : "false", in->closes_at) == NULL ||
	    surveys_log(r, "update_survey", id, json_pack("{s:b}", "questions", in->questions != NULL)) != 0 ||
	    db_q0(c, STMT_SURVEYS_ANNOUNCE) == NULL)   /* opened now by the edit */
		return c->err;
	return HERR_OK;
}

static enum herr
surveys_patch(struct req *r)
{
	struct surveys_input in;
	int64_t id;
	json_t *s;

	if (http_param_id(r, "id", &id) != 0 || auth_require(r, ROLE_MODERATOR) != 0 ||
	    (s = surveys_load(r, id)) == NULL)
		return r->c.err;
	arena_defer(r->c.arena, surveys_json_free, s);
	if (surveys_read(r, &in, false) != 0 ||
	    db_transaction(&r->c, surveys_patch_tx,
			   &(struct surveys_write){ r, &in, id, json_object_get(s, "questions") }) != HERR_OK)
		return r->c.err;
	return surveys_created(r, id, 200);
}

static enum herr
surveys_close_tx(struct ctx *c, void *arg)
{
	const struct surveys_write *w = arg;
	struct req *r = w->r;
	int64_t id = w->id;

	if (surveys_lock_open(c, id, STMT_SURVEY_LOCK_UPDATE, "The survey is already closed.",
			      "The survey has not opened yet; change its times instead.") == NULL)
		return c->err;
	if (db_q(c, STMT_SURVEY_CLOSE, db_int(c, id)) == NULL ||
	    surveys_log(r, "close_survey", id, NULL) != 0)
		return c->err;
	return HERR_OK;
}

PGresult *
surveys_lock_open(struct ctx *c, int64_t id, enum stmt_id lock, const char *if_closed, const char *if_scheduled)
{
	PGresult *res = db_q(c, lock, db_int(c, id));
	const char *status;

	if (res == NULL)
		return NULL;
	if (PQntuples(res) == 0) {
		ctx_fail(c, HERR_NOT_FOUND, NULL, "There is no such survey.");
		return NULL;
	}
	status = db_str(res, 0, db_col(res, "status"));
	if (strcmp(status, "open") != 0) {
		ctx_fail(c, HERR_CONFLICT, NULL, strcmp(status, "closed") == 0 ? if_closed : if_scheduled);
		return NULL;
	}
	return res;
}

static enum herr
surveys_close(struct req *r)
{
	int64_t id;

	if (http_param_id(r, "id", &id) != 0 || auth_require(r, ROLE_MODERATOR) != 0 ||
	    db_transaction(&r->c, surveys_close_tx, &(struct surveys_write){ .r = r, .id = id }) != HERR_OK)
		return r->c.err;
	if (surveys_created(r, id, 200) != HERR_OK)
		return r->c.err;
	r->location = arena_printf(r->c.arena, "/surveys/%lld/results", (long long)id);
	return HERR_OK;
}

/* --- the moderators' forms --- */

/* "2026-11-28T18:22:09Z" → "2026-11-28T18:22:09", what <input type="datetime-local"> takes. */
static json_t *
surveys_local_time(const json_t *t)
{
	const char *s = json_string_value(t);

	return s && strlen(s) >= 19 ? json_stringn(s, 19) : json_string("");
}

static enum herr
surveys_new_page(struct req *r)
{
	const char *tmpl = http_query(r, "template");
	json_t *form;

	if (auth_require(r, ROLE_MODERATOR) != 0)
		return r->c.err;
	if (tmpl && *tmpl) {
		json_t *t = survey_template(), *qs;

		if (survey_questions_read(r, json_object_get(t, "questions"), &qs) != 0) {
			json_decref(t);
			return r->c.err;
		}
		form = json_pack("{s:O,s:O,s:s}", "title", json_object_get(t, "title"), "intro",
				 json_object_get(t, "intro"), "questions", survey_questions_to_text(r, qs));
		json_decref(qs);
		json_decref(t);
	} else {
		form = json_object();
	}
	r->model = json_pack("{s:o,s:b}", "form", form, "from_template", tmpl && *tmpl);
	return HERR_OK;
}

static enum herr
surveys_edit_page(struct req *r)
{
	json_t *s, *form;
	int64_t id;

	if (http_param_id(r, "id", &id) != 0 || auth_require(r, ROLE_MODERATOR) != 0 ||
	    (s = surveys_load(r, id)) == NULL)
		return r->c.err;
	form = json_pack("{s:O,s:O,s:O,s:o,s:o,s:O,s:s}", "title", json_object_get(s, "title"),
			 "intro", json_object_get(s, "intro"), "thread_id", json_object_get(s, "thread_id"),
			 "opens_at", surveys_local_time(json_object_get(s, "opens_at")),
			 "closes_at", surveys_local_time(json_object_get(s, "closes_at")),
			 "public", json_object_get(s, "public"),
			 "questions", survey_questions_to_text(r, json_object_get(s, "questions")));
	surveys_decorate(s);
	r->model = json_pack("{s:o,s:o,s:b,s:b}", "survey", s, "form", form, "editing", 1,
			     "answered", json_integer_value(json_object_get(s, "respondents")) > 0);
	r->title = "Edit survey";
	return HERR_OK;
}

const struct route surveys_routes[] = {
	{ "GET", "/surveys", surveys_index, .view = "surveys", .title = "Surveys" },
	{ "GET", "/surveys/new", surveys_new_page, .view = "survey_new", .title = "New survey" },
	{ "POST", "/surveys/new", surveys_create, .view = "survey_new", .title = "New survey",
	  .page = surveys_new_page },
	{ "GET", "/surveys/{id}", surveys_show, .view = "survey" },
	/* No .page: on a refused answer the handler rebuilds the page itself, with the answers
	 * as typed and the error beside its question. */
	{ "POST", "/surveys/{id}", survey_respond_form, .view = "survey", .title = "Survey" },
	{ "GET", "/surveys/{id}/edit", surveys_edit_page, .view = "survey_new", .title = "Edit survey" },
	{ "POST", "/surveys/{id}/edit", surveys_patch, .view = "survey_new", .title = "Edit survey",
	  .page = surveys_edit_page },
	{ "POST", "/surveys/{id}/close", surveys_close, .view = "survey", .page = surveys_show },
	{ "GET", "/surveys/{id}/results", survey_results, .view = "survey_results" },
	{ "GET", "/surveys/{id}/results.csv", survey_results_csv },
	{ "GET", "/api/v1/surveys", surveys_index },
	{ "POST", "/api/v1/surveys", surveys_create },
	{ "GET", "/api/v1/surveys/template", surveys_template },
	{ "GET", "/api/v1/surveys/{id}", surveys_show },
	{ "PATCH", "/api/v1/surveys/{id}", surveys_patch },
	{ "POST", "/api/v1/surveys/{id}/close", surveys_close },
	{ "PUT", "/api/v1/surveys/{id}/response", survey_respond },
	{ "GET", "/api/v1/surveys/{id}/results", survey_results },
	{ "GET", "/api/v1/surveys/{id}/results.csv", survey_results_csv },
};
const size_t surveys_routes_n = ROUTES_N(surveys_routes);
