/* forum/surveys.h — what the survey files share: loading a survey as its model, the rules
 * of who may see results, the question list as typed (JSON or the form's text blocks),
 * and the handlers each file contributes to the route table in surveys.c.
 *
 * surveys.c          list, show, create, edit, close, the template; the routes
 * survey_questions.c reading and checking question lists, the text-block format, the
 *                    "wording only" rule once answers exist, the SPEC §6 template
 * survey_answers.c   answering and revising (API and form), the form's answer state
 * survey_results.c   results by community role and kind, charts, CSV export
 * survey_groups.c    which roles results may show on their own (--survey-min-group) */
#ifndef CORRAL_FORUM_SURVEYS_H
#define CORRAL_FORUM_SURVEYS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"
#include "http/http.h"

#define SURVEY_MAX_QUESTIONS 50
#define SURVEY_MAX_OPTIONS 20
#define SURVEY_MIN_OPTIONS 2
#define SURVEY_PROMPT_MAX 500
#define SURVEY_LABEL_MAX 200
#define SURVEY_TEXT_MAX 5000
#define SURVEY_MIN_GROUP_DEFAULT 5

/* --- surveys.c --- */

/* The survey as GET /api/v1/surveys/{id} shows it ({id, title, intro, intro_html, status,
 * public, opens_at, closes_at, thread, …, questions: [{id, position, kind, prompt,
 * required, options: [{id, label}]}]}); a new reference, or NULL with 404 recorded. */
json_t *surveys_load(struct req *r, int64_t id);

/* May the viewer see the results of this survey now? Moderators always; everyone once it
 * is closed. */
bool surveys_results_visible(struct req *r, const json_t *survey);

/* Set r->model to the survey page's model (taking s): {survey, my_response, can_answer,
 * results_visible, can_moderate}; for pages the answer form is filled from form_answers
 * (answers as typed, in the PUT shape) or else from the viewer's stored response.
 * 0 or -1 (recorded). */
int surveys_show_model(struct req *r, json_t *s, const json_t *form_answers);

/* Inside a transaction: take the row of survey id with lock (STMT_SURVEY_LOCK_SHARE to
 * answer, STMT_SURVEY_LOCK_UPDATE to change it) and require the survey open. The row, or
 * NULL with 404 (no such survey) or 409 (if_closed, if_scheduled: why) recorded. */
PGresult *surveys_lock_open(struct ctx *c, int64_t id, enum stmt_id lock, const char *if_closed,
			    const char *if_scheduled);

/* The survey of the path's {id}, for handlers that need it; NULL with the error recorded. */
json_t *surveys_from_path(struct req *r, int64_t *ret_id);

/* --- survey_questions.c --- */

/* Check a question list given as JSON (POST/PATCH "questions"): 1–50 objects
 * {kind, prompt, required?, options?} with 2–20 distinct option labels for single/multi
 * and none for text/scale. On success *ret is a new array of normalised questions
 * {id?, kind, prompt, required, options: [{id?, label}]}; otherwise -1 with 400 recorded
 * on the field ("questions[2].options[0]"). */
int survey_questions_read(struct req *r, json_t *in, json_t **ret);

/* The same from the new-survey form's text: blocks separated by blank lines, each
 * "kind: prompt" (kind text, single, multi or scale; "kind (required): prompt" for a
 * required one) followed by "- option" lines. Errors are on field "questions". */
int survey_questions_parse_text(struct req *r, const char *text, json_t **ret);

/* Questions written back in that text format (arena string). */
const char *survey_questions_to_text(struct req *r, const json_t *questions);

/* Once answers exist, only wording may change: wanted must have the same questions (by id
 * when given, else by position) with the same kinds, required flags and options (count,
 * ids, order). On success *ret_prompts = [{id, prompt}] and *ret_labels = [{id, label}]
 * (new references); otherwise -1 with 409 recorded. */
int survey_questions_reword(struct req *r, const json_t *current, const json_t *wanted,
			    json_t **ret_prompts, json_t **ret_labels);

/* The five questions of SPEC §6 as a body ready for POST /api/v1/surveys (new reference). */
json_t *survey_template(void);

/* --- survey_answers.c --- */

/* Mark up the survey's questions for the answer form (which type of control, which option
 * is checked, the text typed) from answers in the PUT shape (may be NULL). */
void survey_form_fill(struct req *r, json_t *survey, const json_t *answers);

/* The viewer's response to the survey ({id, revision, created_at, submitted_at,
 * community_role {slug, label, kind} as snapshotted, answers: [PUT shape]}), JSON null when
 * there is none; NULL on a database error (recorded). */
json_t *survey_my_response(struct req *r, int64_t survey_id);

enum herr survey_respond(struct req *r);        /* PUT /api/v1/surveys/{id}/response */
enum herr survey_respond_form(struct req *r);   /* POST /surveys/{id} */

/* --- survey_results.c --- */

enum herr survey_results(struct req *r);        /* GET …/results */
enum herr survey_results_csv(struct req *r);    /* GET …/results.csv */

/* --- survey_groups.c --- */

/* Survey settings given at start-up: results show a role's answers on their own only
 * when it has at least min_group respondents (serve --survey-min-group; values below 1
 * count as 1). */
struct survey_config {
	int min_group;
};
/* The options setting survey_config (forum/options.c). */
extern const struct opt_table survey_opts;
/* Set before threads start. */
void survey_results_configure(const struct survey_config *cfg);
int64_t survey_results_min_group(void);

/* How a survey's roles are laid out. merged (caller-provided, one per role) marks the
 * roles counted together as "other roles". */
struct survey_groups {
	bool *merged;
	bool any_merged;    /* some role is merged */
	bool other_small;   /* the merged roles have respondents, but fewer than min */
	bool kinds_shown;   /* the doer/helper split cannot single out a small group */
	int64_t other;      /* respondents of the merged roles */
};

/* From each role's respondents (n roles, doer[i] when role i is a doer role): a role with
 * 1..min-1 respondents is merged; while the merged roles hold 1..min-1 respondents, the
 * smallest role still shown joins them (else the total minus the roles shown would give
 * them away); the kinds are shown only if the merged roles hold 0 or ≥ min of each. */
void survey_groups_compute(size_t n, const int64_t *respondents, const bool *doer, int64_t min,
			   struct survey_groups *ret);

#endif
