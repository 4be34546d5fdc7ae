/* forum/survey_questions.c — question lists as moderators type them: checked from JSON
 * or from the form's text blocks into one normalised shape, written back as text for
 * editing, compared for "wording only" once answers exist; and the SPEC §6 template. */
#include <ctype.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>

#include "core/utf8.h"
#include "forum/surveys.h"

static const char *const sq_kinds[] = { "text", "single", "multi", "scale", NULL };

static bool
sq_is_choice(const char *kind)
{
	return strcmp(kind, "single") == 0 || strcmp(kind, "multi") == 0;
}

static int
sq_fail(struct req *r, enum herr err, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
sq_fail(struct req *r, enum herr err, const char *field, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = arena_vprintf(r->c.arena, fmt, ap);
	va_end(ap);
	http_fail(r, err, field, msg);
	return -1;
}

/* A trimmed copy of a JSON string of 1..max characters; what says what it is. */
static int
sq_text(struct req *r, const json_t *v, const char *field, size_t max, const char *what,
	const char **ret)
{
	const char *s;
	size_t len, n;

	if (!json_is_string(v))
		return sq_fail(r, HERR_INVALID, field, "%s must be text.", what);
	s = json_string_value(v);
	len = json_string_length(v);
	utf8_trim(&s, &len);
	if (!utf8_valid(s, len))
		return sq_fail(r, HERR_INVALID, field, "%s must be valid UTF-8 without NUL.", what);
	n = utf8_length(s, len);
	if (n < 1 || n > max)
		return sq_fail(r, HERR_INVALID, field, "%s must be 1 to %zu characters.", what, max);
	*ret = arena_strndup(r->c.arena, s, len);
	return 0;
}

/* An optional id inside a question list (kept for the wording-only comparison). */
static int
sq_id(struct req *r, const json_t *obj, const char *field, json_t *out)
{
	json_t *id = json_object_get(obj, "id");

	if (id == NULL || json_is_null(id))
		return 0;
	if (!json_is_integer(id) || json_integer_value(id) <= 0)
		return sq_fail(r, HERR_INVALID, field, "An id must be a positive integer.");
	json_object_set_new(out, "id", json_integer(json_integer_value(id)));
	return 0;
}

static int
sq_options(struct req *r, const json_t *in, size_t qi, const char *kind, json_t *out)
{
	const char *field = arena_printf(r->c.arena, "questions[%zu].options", qi);
	json_t *opts = json_array(), *o;
	size_t j, n;

	json_object_set_new(out, "options", opts);
	if (in == NULL || json_is_null(in))
		n = 0;
	else if (!json_is_array(in))
		return sq_fail(r, HERR_INVALID, field, "Question %zu: options must be a list.", qi + 1);
	else
		n = json_array_size(in);
	if (!sq_is_choice(kind)) {
		if (n > 0)
			return sq_fail(r, HERR_INVALID, field,
				       "Question %zu: a %s question has no options.", qi + 1,
				       strcmp(kind, "text") == 0 ? "free-text" : "1–5 scale");
		return 0;
	}
	if (n < SURVEY_MIN_OPTIONS || n > SURVEY_MAX_OPTIONS)
		return sq_fail(r, HERR_INVALID, field, "Question %zu: a choice question needs %d to %d options.",
			       qi + 1, SURVEY_MIN_OPTIONS, SURVEY_MAX_OPTIONS);
	json_array_foreach(in, j, o) {
		const char *ofield = arena_printf(r->c.arena, "%s[%zu]", field, j), *label;
		const char *what = arena_printf(r->c.arena, "Question %zu, option %zu", qi + 1, j + 1);
		json_t *norm = json_object();

		json_array_append_new(opts, norm);
		if (json_is_object(o)) {
			if (sq_id(r, o, arena_printf(r->c.arena, "%s.id", ofield), norm) != 0 ||
			    sq_text(r, json_object_get(o, "label"), arena_printf(r->c.arena, "%s.label", ofield),
				    SURVEY_LABEL_MAX, what, &label) != 0)
				return -1;
		} else if (sq_text(r, o, ofield, SURVEY_LABEL_MAX, what, &label) != 0) {
			return -1;
		}
		for (size_t k = 0; k < j; k++)
			if (strcmp(json_string_value(json_object_get(json_array_get(opts, k), "label")), label) == 0)
				return sq_fail(r, HERR_INVALID, ofield, "Question %zu: option “%s” is listed twice.",
					       qi + 1, label);
		json_object_set_new(norm, "label", json_string(label));
	}
	return 0;
}

static int
sq_question(struct req *r, const json_t *q, size_t i, json_t *out)
{
	const char *base = arena_printf(r->c.arena, "questions[%zu]", i);
	const char *kind = NULL, *prompt;
	json_t *v;

	if (!json_is_object(q))
		return sq_fail(r, HERR_INVALID, base, "Question %zu must be an object.", i + 1);
	if (sq_id(r, q, arena_printf(r->c.arena, "%s.id", base), out) != 0)
		return -1;
	v = json_object_get(q, "kind");
	for (size_t k = 0; json_is_string(v) && sq_kinds[k]; k++)
		if (strcmp(json_string_value(v), sq_kinds[k]) == 0)
			kind = sq_kinds[k];
	if (kind == NULL)
		return sq_fail(r, HERR_INVALID, arena_printf(r->c.arena, "%s.kind", base),
			       "Question %zu: kind is one of text, single, multi, scale.", i + 1);
	json_object_set_new(out, "kind", json_string(kind));
	if (sq_text(r, json_object_get(q, "prompt"), arena_printf(r->c.arena, "%s.prompt", base),
		    SURVEY_PROMPT_MAX, arena_printf(r->c.arena, "Question %zu: the prompt", i + 1), &prompt) != 0)
		return -1;
	json_object_set_new(out, "prompt", json_string(prompt));
	v = json_object_get(q, "required");
	if (v != NULL && !json_is_null(v) && !json_is_boolean(v))
		return sq_fail(r, HERR_INVALID, arena_printf(r->c.arena, "%s.required", base),
			       "Question %zu: required is true or false.", i + 1);
	json_object_set_new(out, "required", json_boolean(json_is_true(v)));
	return sq_options(r, json_object_get(q, "options"), i, kind, out);
}

int
survey_questions_read(struct req *r, json_t *in, json_t **ret)
{
	json_t *list, *q;
	size_t i;

	if (!json_is_array(in))
		return sq_fail(r, HERR_INVALID, "questions", "questions must be a list of questions.");
	if (json_array_size(in) < 1 || json_array_size(in) > SURVEY_MAX_QUESTIONS)
		return sq_fail(r, HERR_INVALID, "questions", "A survey has 1 to %d questions.", SURVEY_MAX_QUESTIONS);
	list = json_array();
	json_array_foreach(in, i, q) {
		json_t *out = json_object();

		json_array_append_new(list, out);
		if (sq_question(r, q, i, out) != 0) {
			json_decref(list);
			return -1;
		}
	}
	*ret = list;
	return 0;
}

/* --- the text-block format of the form --- */

static char *
sq_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* "single (required)" / "single*" / "Scale" → kind and required; false when unknown. */
static bool
sq_header(char *spec, const char **ret_kind, bool *ret_required)
{
	char *p = sq_trim(spec), *paren = strchr(p, '(');
	size_t n;

	*ret_required = false;
	if (paren) {
		char *inner = sq_trim(paren + 1);

		if (strcasecmp(inner, "required)") != 0)
			return false;
		*paren = '\0';
		*ret_required = true;
		p = sq_trim(p);
	}
	n = strlen(p);
	if (n && p[n - 1] == '*') {
		p[--n] = '\0';
		*ret_required = true;
		p = sq_trim(p);
	}
	for (size_t k = 0; sq_kinds[k]; k++)
		if (strcasecmp(p, sq_kinds[k]) == 0) {
			*ret_kind = sq_kinds[k];
			return true;
		}
	return false;
}

/* One block: a header line, prompt continuation lines, then "- option" lines. */
static int
sq_block(struct req *r, char **lines, size_t n, size_t number, json_t *list)
{
	char *colon = strchr(lines[0], ':');
	const char *kind;
	bool required;
	struct buf prompt = BUF_INIT;
	json_t *q, *opts = json_array();

	if (colon == NULL || (*colon = '\0', !sq_header(lines[0], &kind, &required))) {
		json_decref(opts);
		return sq_fail(r, HERR_INVALID, "questions",
			       "Question %zu: start it with “text:”, “single:”, “multi:” or “scale:” "
			       "(add “(required)” before the colon for a required one).", number);
	}
	buf_puts(&prompt, sq_trim(colon + 1));
	for (size_t i = 1; i < n; i++) {
		char *line = sq_trim(lines[i]);

		if (line[0] == '-')
			json_array_append_new(opts, json_string(sq_trim(line + 1)));
		else if (json_array_size(opts) == 0)
			buf_printf(&prompt, "%s%s", prompt.len ? " " : "", line);
		else {
			buf_free(&prompt);
			json_decref(opts);
			return sq_fail(r, HERR_INVALID, "questions",
				       "Question %zu: after the first option, every line is an option starting with “- ”.",
				       number);
		}
	}
	q = json_pack("{s:s,s:s,s:b,s:o}", "kind", kind, "prompt", prompt.data ? prompt.data : "",
		      "required", required, "options", opts);
	buf_free(&prompt);
	json_array_append_new(list, q);
	return 0;
}

int
survey_questions_parse_text(struct req *r, const char *text, json_t **ret)
{
	char *copy = arena_strdup(r->c.arena, text), *save = NULL, *line, **lines;
	size_t n = 1, start = 0, number = 0;
	json_t *raw = json_array();
	int rc;

	for (const char *p = text; (p = strchr(p, '\n')) != NULL; p++)
		n++;
	lines = arena_calloc(r->c.arena, n, sizeof *lines);
	n = 0;

	/* strtok_r would merge the blank lines that separate blocks: split by hand. */
	for (line = copy; line; line = save) {
		save = strchr(line, '\n');
		if (save)
			*save++ = '\0';
		lines[n++] = line;
	}
	for (size_t i = 0; i <= n; i++) {
		bool blank = i == n || sq_trim(lines[i])[0] == '\0';

		if (!blank)
			continue;
		if (i > start) {
			/* Past the limit the count alone decides: survey_questions_read refuses it. */
			if (++number <= SURVEY_MAX_QUESTIONS + 1 &&
			    sq_block(r, lines + start, i - start, number, raw) != 0) {
				json_decref(raw);
				return -1;
			}
		}
		start = i + 1;
	}
	rc = survey_questions_read(r, raw, ret);
	json_decref(raw);
	if (rc != 0)
		r->c.err_field = "questions";   /* the form has one field for all of them */
	return rc;
}

const char *
survey_questions_to_text(struct req *r, const json_t *questions)
{
	struct buf b = BUF_INIT;
	const char *out;
	json_t *q, *o;
	size_t i, j;

	json_array_foreach(questions, i, q) {
		buf_printf(&b, "%s%s%s: %s\n", i ? "\n" : "", json_string_value(json_object_get(q, "kind")),
			   json_is_true(json_object_get(q, "required")) ? " (required)" : "",
			   json_string_value(json_object_get(q, "prompt")));
		json_array_foreach(json_object_get(q, "options"), j, o)
			buf_printf(&b, "- %s\n", json_string_value(json_object_get(o, "label")));
	}
	out = arena_strdup(r->c.arena, b.data ? b.data : "");
	buf_free(&b);
	return out;
}

/* --- wording only, once answers exist --- */

static int
sq_conflict(struct req *r, const char *msg)
{
	http_fail(r, HERR_CONFLICT, "questions", msg);
	return -1;
}

static bool
sq_same_id(const json_t *wanted, const json_t *current)
{
	json_t *id = json_object_get(wanted, "id");

	return id == NULL || json_integer_value(id) == json_integer_value(json_object_get(current, "id"));
}

int
survey_questions_reword(struct req *r, const json_t *current, const json_t *wanted,
			json_t **ret_prompts, json_t **ret_labels)
{
	json_t *prompts, *labels, *w, *c;
	size_t i;

	if (json_array_size(current) != json_array_size(wanted))
		return sq_conflict(r, "People have answered: questions can no longer be added or removed, "
				      "only reworded.");
	prompts = json_array();
	labels = json_array();
	json_array_foreach(wanted, i, w) {
		json_t *wo = json_object_get(w, "options"), *co;
		const char *prompt = json_string_value(json_object_get(w, "prompt"));
		size_t j;

		c = json_array_get(current, i);
		co = json_object_get(c, "options");
		if (!sq_same_id(w, c) ||
		    strcmp(json_string_value(json_object_get(w, "kind")), json_string_value(json_object_get(c, "kind"))) ||
		    json_is_true(json_object_get(w, "required")) != json_is_true(json_object_get(c, "required")) ||
		    json_array_size(wo) != json_array_size(co))
			goto changed;
		for (j = 0; j < json_array_size(wo); j++) {
			json_t *a = json_array_get(wo, j), *b = json_array_get(co, j);
			const char *label = json_string_value(json_object_get(a, "label"));

			if (!sq_same_id(a, b))
				goto changed;
			if (strcmp(label, json_string_value(json_object_get(b, "label"))) != 0)
				json_array_append_new(labels, json_pack("{s:O,s:s}", "id", json_object_get(b, "id"),
									"label", label));
		}
		if (strcmp(prompt, json_string_value(json_object_get(c, "prompt"))) != 0)
			json_array_append_new(prompts, json_pack("{s:O,s:s}", "id", json_object_get(c, "id"),
								 "prompt", prompt));
	}
	*ret_prompts = prompts;
	*ret_labels = labels;
	return 0;
changed:
	json_decref(prompts);
	json_decref(labels);
	return sq_conflict(r, arena_printf(r->c.arena,
		"People have answered: question %zu can only be reworded — its kind, whether it is "
		"required, and its options (their number and order) stay as they are.", i + 1));
}

/* --- the SPEC §6 template --- */

json_t *
survey_template(void)
{
	return json_pack(
		"{s:s,s:s,s:b,s:["
		"{s:s,s:s,s:b,s:[s,s,s]},"
		"{s:s,s:s,s:b},"
		"{s:s,s:s,s:b,s:[s,s,s]},"
		"{s:s,s:s,s:b},"
		"{s:s,s:s,s:b,s:[s,s,s,s,s,s]}]}",
		"title", "Is there a community here?",
		"intro", "We want to hear what this community is — or could be — to the people in it, "
			 "practitioners above all.\n\nResults are shown by community role (practitioner, "
			 "consultant, vendor, …), never by name.",
		"public", 0,
		"questions",
		"kind", "single", "prompt", "Do you think there is such a thing as this community?",
		"required", 1, "options", "Yes", "No", "Not sure",
		"kind", "scale", "prompt", "Do you feel part of it? (1 = not at all, 5 = completely)",
		"required", 1,
		"kind", "single", "prompt", "Would you like to be part of it?", "required", 1,
		"options", "Yes", "Maybe", "No",
		"kind", "text", "prompt", "What would you expect to give to and receive from it?",
		"required", 0,
		"kind", "multi", "prompt", "How would you expect to communicate with it?", "required", 0,
		"options", "Discussions in this forum", "Meetups and conferences", "Chat",
		"Newsletter or email", "Surveys like this one", "Something else");
}
