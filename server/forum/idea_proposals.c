/* forum/idea_proposals.c — members propose ideas directly (Fider-style): the proposal
 * waits in the ideas queue beside the nominations of posts, a moderator accepts it (it
 * becomes IDEA-n with the proposer as author, who follows it) or declines it with a
 * reason, and the proposer is told either way. Before proposing, the similar ideas that
 * exist already are shown (/ideas/new, "check for similar ideas", and the proposal page). */
#include "forum/idea_proposals.h"

#include <string.h>

#include "auth/auth.h"
#include "core/utf8.h"
#include "db/db.h"
#include "forum/ideas_internal.h"
#include "forum/markup.h"
#include "forum/modlog.h"
#include "forum/policy.h"
#include "forum/posts.h"
#include "forum/routes.h"
#include "forum/search.h"
#include "render/markdown.h"

#define IDEA_PROPOSALS_SIMILAR 5
#define IDEA_PROPOSALS_URL_MAX 500

/* Existing ideas like title, nearest first: a new reference, or NULL (recorded). */
static json_t *
idea_proposals_similar(struct ctx *c, const char *title)
{
	PGresult *res = db_q(c, STMT_IDEAS_SIMILAR, title, db_int(c, IDEA_PROPOSALS_SIMILAR));

	return res ? db_rows_json(res) : NULL;
}

/* GET /api/v1/ideas/similar?title= — anyone. */
static enum herr
idea_proposals_similar_api(struct req *r)
{
	const char *title = search_title_param(r);
	json_t *rows;

	if (title == NULL)
		return r->c.err;
	if ((rows = idea_proposals_similar(&r->c, title)) == NULL)
		return r->c.err;
	json_object_set_new(http_model(r), "ideas", rows);
	return HERR_OK;
}

/* The page's list of the member's own proposals ("mine", newest first, each with its
 * status as a flag for the template): 0 or -1 (recorded). */
static int
idea_proposals_mine(struct req *r)
{
	PGresult *res = db_q(&r->c, STMT_PROPOSALS_OF, db_int(&r->c, auth_viewer(r)->id));
	json_t *mine, *p;
	size_t i;

	if (res == NULL)
		return -1;
	mine = db_rows_json(res);
	json_array_foreach(mine, i, p)   /* templates cannot compare strings */
		json_object_set_new(p, arena_printf(r->c.arena, "is_%s", json_string_value(json_object_get(p, "status"))),
				    json_true());
	json_object_set_new(http_model(r), "has_mine", json_boolean(json_array_size(mine) > 0));
	json_object_set_new(r->model, "mine", mine);
	return 0;
}

/* A source link: http(s) or a path of this forum, without spaces or control characters.
 * 0, or -1 with 400 on source_url. */
static int
idea_proposals_check_url(struct req *r, const char *url)
{
	size_t n = strlen(url);

	if ((strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0 && url[0] != '/') ||
	    (url[0] == '/' && url[1] == '/') || utf8_has_control(url, n) || strpbrk(url, " <>\"") != NULL) {
		http_fail(r, HERR_INVALID, "source_url",
			  "The source link is an http:// or https:// address, or a path on this forum.");
		return -1;
	}
	return 0;
}

struct idea_proposal_new {
	int64_t user, id, item;
	const char *title, *summary, *html, *url;
};

static enum herr
idea_proposals_add_tx(struct ctx *c, void *arg)
{
	struct idea_proposal_new *p = arg;
	PGresult *res;

	res = db_q(c, STMT_PROPOSAL_ADD, db_int(c, p->user), p->title, p->summary, p->html, md_version(), p->url);
	if (res == NULL)
		return c->err;
	p->id = db_i64(res, 0, 0);
	if ((res = db_q(c, STMT_PROPOSAL_ENQUEUE, db_int(c, p->id))) == NULL)
		return c->err;
	p->item = db_i64(res, 0, 0);
	return HERR_OK;
}

/* The form's "check for similar ideas" step: what was typed, shown again with the ideas
 * like its title; nothing is stored. */
static enum herr
idea_proposals_check(struct req *r)
{
	const char *title = NULL;

	if (in_string(r, "title", 0, 200, IN_TRIM | IN_NULLABLE, &title) < 0 || idea_proposals_mine(r) != 0)
		return r->c.err;
	json_object_set(http_model(r), "form", r->input);
	json_object_set_new(r->model, "checked", json_true());
	if (title && *title) {
		json_t *rows = idea_proposals_similar(&r->c, title);

		if (rows == NULL)
			return r->c.err;
		json_object_set_new(r->model, "similar", rows);
		json_object_set_new(r->model, "has_similar", json_boolean(json_array_size(rows) > 0));
	}
	return HERR_OK;
}

/* POST /ideas/new (form) and POST /api/v1/ideas (members): {title, summary, source_url?}
 * → 202 {proposal: {id, item_id, status: "pending", …}, similar}. */
static enum herr
idea_proposals_propose(struct req *r)
{
	const struct markup_spec spec = { .field = "summary", .noun = "summary", .mentions = true,
					  .too_large = "A summary is at most 50 000 bytes." };
	struct idea_proposal_new p = { 0 };
	struct markup m;
	json_t *similar;

	/* Proposing is writing: refused while suspended, held until the address is confirmed. */
	if (posts_may_write(r) != 0)
		return r->c.err;
	if (r->input_form && json_object_get(r->input, "check") != NULL)
		return idea_proposals_check(r);
	if (in_string(r, "title", 3, 200, IN_REQUIRED | IN_TRIM, &p.title) < 0 ||
	    in_string(r, "summary", 1, MD_MAX_BYTES, IN_REQUIRED | IN_BYTES, &p.summary) < 0 ||
	    in_string(r, "source_url", 0, IDEA_PROPOSALS_URL_MAX, IN_TRIM | IN_NULLABLE, &p.url) < 0)
		return r->c.err;
	if (p.url && *p.url == '\0')
		p.url = NULL;
	if ((p.url && idea_proposals_check_url(r, p.url) != 0) || markup_render(&r->c, p.summary, &spec, &m) != 0)
		return r->c.err;
	p.html = m.html;
	p.user = auth_viewer(r)->id;
	/* The posting allowance, counted once the proposal is known to be valid. */
	if (posts_count_write(r) != 0 || db_transaction(&r->c, idea_proposals_add_tx, &p) != HERR_OK ||
	    (similar = idea_proposals_similar(&r->c, p.title)) == NULL)
		return r->c.err;
	r->model = json_pack("{s:{s:I,s:I,s:s,s:s,s:s,s:s?},s:o}", "proposal", "id", (json_int_t)p.id,
			     "item_id", (json_int_t)p.item, "status", "pending", "title", p.title,
			     "summary_html", p.html, "source_url", p.url, "similar", similar);
	r->status = 202;
	r->location = arena_printf(r->c.arena, "/ideas/proposals/%lld", (long long)p.id);
	return HERR_OK;
}

enum herr
idea_proposals_post(struct req *r)
{
	if (policy_is_moderator(auth_viewer(r)))
		return ideas_create(r);
	return idea_proposals_propose(r);
}

/* GET /ideas/new: the form, with the ideas like ?title= when given, and the member's
 * own proposals so far with their fate. */
static enum herr
idea_proposals_new_page(struct req *r)
{
	const char *title;

	if (auth_require(r, ROLE_MEMBER) != 0)
		return r->c.err;
	title = http_query(r, "title");
	if (r->c.err != HERR_OK)
		return r->c.err;
	if (idea_proposals_mine(r) != 0)
		return r->c.err;
	if (title && *title && utf8_length(title, strlen(title)) <= 200) {
		json_t *rows = idea_proposals_similar(&r->c, title);

		if (rows == NULL)
			return r->c.err;
		json_object_set_new(r->model, "similar", rows);
		json_object_set_new(r->model, "has_similar", json_boolean(json_array_size(rows) > 0));
		json_object_set_new(r->model, "checked", json_true());
		json_object_set_new(r->model, "form", json_pack("{s:s}", "title", title));
	}
	return HERR_OK;
}

/* GET /ideas/proposals/{id}: the proposer's (and moderators') view of a proposal and
 * its fate; anyone else gets 404, as for a proposal that does not exist. */
static enum herr
idea_proposals_show(struct req *r)
{
	struct viewer *v;
	json_t *p, *similar;
	PGresult *res;
	int64_t id;

	if (auth_require(r, ROLE_MEMBER) != 0 || http_param_id(r, "id", &id) != 0)
		return r->c.err;
	v = auth_viewer(r);
	if ((res = db_q(&r->c, STMT_PROPOSAL_GET, db_int(&r->c, id))) == NULL)
		return r->c.err;
	if (PQntuples(res) == 0 ||
	    (db_i64(res, 0, db_col(res, "user_id")) != v->id && !policy_is_moderator(v)))
		return http_fail(r, HERR_NOT_FOUND, NULL, "There is no such proposal.");
	p = db_row_json(res, 0);
	json_object_del(p, "user_id");
	if ((similar = idea_proposals_similar(&r->c, db_str(res, 0, db_col(res, "title")))) == NULL) {
		json_decref(p);
		return r->c.err;
	}
	/* An accepted proposal's own idea is no other idea like it. */
	for (size_t i = json_array_size(similar); i-- > 0;)
		if (json_equal(json_object_get(json_array_get(similar, i), "number"), json_object_get(p, "idea")))
			json_array_remove(similar, i);
	if (r->html)
		json_object_set_new(p, arena_printf(r->c.arena, "is_%s", db_str(res, 0, db_col(res, "status"))),
				    json_true());
	json_object_set_new(http_model(r), "proposal", p);
	json_object_set_new(r->model, "similar", similar);
	json_object_set_new(r->model, "has_similar", json_boolean(json_array_size(similar) > 0));
	return HERR_OK;
}

/* --- the ideas queue --- */

int
idea_proposals_queue(struct req *r, const char *kind, json_t *items, json_t *counts)
{
	PGresult *res = db_q0(&r->c, STMT_PROPOSALS_OPEN_COUNT);
	json_t *ideas = json_object_get(counts, "ideas"), *rows;

	if (res == NULL)
		return -1;
	if (json_is_integer(ideas))
		json_object_set_new(counts, "ideas", json_integer(json_integer_value(ideas) + db_i64(res, 0, 0)));
	if (strcmp(kind, "ideas") != 0)
		return 0;
	if ((res = db_q0(&r->c, STMT_PROPOSALS_QUEUE)) == NULL)
		return -1;
	rows = db_rows_json(res);
	json_array_extend(items, rows);
	json_decref(rows);
	return 0;
}

struct idea_proposal_decision {
	int64_t item, moderator, proposal, proposer, number;
	const char *action, *reason;
	const char *title, *summary;   /* the moderator's wording, or NULL: as proposed */
	const char *title_out;         /* the idea's title, for the message */
};

/* A member of the decision's idea object (JSON) or its flat form field: an empty or
 * absent one keeps the proposal's wording. 0 with *ret (NULL when kept), or -1 (400). */
static int
idea_proposals_override(struct req *r, const char *key, size_t min, size_t max, bool bytes, const char **ret)
{
	const char *field = arena_printf(r->c.arena, "idea.%s", key);
	json_t *idea = json_object_get(r->input, "idea"), *v;
	const char *s;
	size_t len;

	v = r->input_form ? json_object_get(r->input, arena_printf(r->c.arena, "idea[%s]", key))
			  : json_is_object(idea) ? json_object_get(idea, key) : NULL;
	*ret = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v)) {
		http_fail(r, HERR_INVALID, field, arena_printf(r->c.arena, "%s must be a string.", field));
		return -1;
	}
	s = json_string_value(v);
	len = json_string_length(v);
	if (!bytes)
		utf8_trim(&s, &len);
	if (len == 0 || (bytes && strspn(s, " \t\r\n") == len))
		return 0;
	if (!utf8_valid(s, len) ||
	    (bytes ? len : utf8_length(s, len)) < min || (bytes ? len : utf8_length(s, len)) > max) {
		http_fail(r, HERR_INVALID, field,
			  arena_printf(r->c.arena, "%s must be valid text of %zu to %zu %s.", field, min, max,
				       bytes ? "bytes" : "characters"));
		return -1;
	}
	*ret = arena_strndup(r->c.arena, s, len);
	return 0;
}

/* Accepting: the idea, written by the proposer, recorded as new by the moderator; the
 * proposer follows it. The source link goes under the summary, where readers see it. */
static enum herr
idea_proposals_accept(struct ctx *c, struct idea_proposal_decision *d, PGresult *p)
{
	const struct markup_spec spec = { .field = "idea.summary", .noun = "summary", .mentions = true,
					  .too_large = "A summary is at most 50 000 bytes." };
	const char *summary = d->summary ? d->summary : db_str(p, 0, 3);
	const char *url = db_str(p, 0, 6), *num;
	struct markup m;
	PGresult *res;

	d->title_out = d->title ? d->title : arena_strdup(c->arena, db_str(p, 0, 2));
	/* An autolink needs a scheme; a path on this forum is written as a link to itself. */
	if (url && (d->summary == NULL || strstr(d->summary, url) == NULL))
		summary = url[0] == '/' ? arena_printf(c->arena, "%s\n\nSource: [%s](<%s>)", summary, url, url)
					: arena_printf(c->arena, "%s\n\nSource: <%s>", summary, url);
	if (markup_render(c, summary, &spec, &m) != 0)
		return c->err;
	res = db_qx(c, STMT_IDEA_CREATE,
		    DB_EXPECT({ "23514", HERR_INVALID, "idea.summary", "A summary is at most 50 000 bytes." }),
		    d->title_out, summary, m.html, m.version, db_int(c, d->proposer));
	if (res == NULL)
		return c->err;
	d->number = db_i64(res, 0, 0);
	num = db_int(c, d->number);
	if (db_q(c, STMT_IDEA_HISTORY_ADD, num, "new", db_int(c, d->moderator), NULL) == NULL ||
	    db_q(c, STMT_PROPOSAL_SET_IDEA, db_int(c, d->proposal), num) == NULL ||
	    db_q(c, STMT_IDEA_FOLLOW, num, db_int(c, d->proposer)) == NULL ||
	    db_q(c, STMT_PROPOSAL_NOTIFY, db_int(c, d->proposer), db_int(c, d->moderator), num,
		 arena_printf(c->arena, "Your idea \u201c%s\u201d was accepted as IDEA-%s%s%s", d->title_out, num,
			      d->reason ? ": " : ".", d->reason ? d->reason : "")) == NULL)
		return c->err;
	return HERR_OK;
}

static enum herr
idea_proposals_decide_tx(struct ctx *c, void *arg)
{
	struct idea_proposal_decision *d = arg;
	PGresult *res, *p;

	d->number = 0;   /* db_transaction may run this again */
	res = db_q(c, STMT_PROPOSAL_DECIDE, db_int(c, d->item), db_int(c, d->moderator), d->action, d->reason);
	if (res == NULL)
		return c->err;
	if (PQntuples(res) == 0)
		return HERR_CONFLICT;   /* another moderator decided first */
	d->proposal = db_i64(res, 0, 0);
	if ((p = db_q(c, STMT_PROPOSAL_LOCK, db_int(c, d->proposal))) == NULL)
		return c->err;
	d->proposer = db_i64(p, 0, 1);
	if (strcmp(d->action, "accept") == 0) {
		if (idea_proposals_accept(c, d, p) != HERR_OK)
			return c->err;
	} else if (db_q(c, STMT_PROPOSAL_NOTIFY, db_int(c, d->proposer), db_int(c, d->moderator), NULL,
			arena_printf(c->arena, "Your idea \u201c%s\u201d was declined: %s", db_str(p, 0, 2),
				     d->reason)) == NULL) {
		return c->err;
	}
	/* Logged about what a reader of the log knows: the idea made, or the member declined. */
	if (modlog_add(c, d->moderator, d->number ? "accept_proposal" : "decline_proposal", d->number ? "idea" : "user",
		       d->number ? db_int(c, d->number) : db_int(c, d->proposer), d->reason,
		       json_pack("{s:s,s:I,s:I,s:s}", "queue", "ideas", "queue_item", (json_int_t)d->item, "proposal_id",
				 (json_int_t)d->proposal, "title", db_str(p, 0, 2))) != 0)
		return c->err;
	return HERR_OK;
}

enum herr
idea_proposals_decide(struct req *r, int64_t item)
{
	static const char *const actions[] = { "approve", "reject", "dismiss", "hide", "delete", "suspend",
					       "accept", "attach", "decline", NULL };
	struct idea_proposal_decision d = { .item = item };
	enum herr e;
	PGresult *res;
	json_t *idea;

	if (in_enum(r, "action", actions, IN_REQUIRED, &d.action) < 0 ||
	    in_string(r, "reason", 1, 1000, IN_TRIM | IN_NULLABLE, &d.reason) < 0)
		return r->c.err;
	if (strcmp(d.action, "accept") != 0 && strcmp(d.action, "decline") != 0)
		return http_fail(r, HERR_INVALID, "action", "A proposed idea is accepted or declined.");
	if (strcmp(d.action, "decline") == 0 && d.reason == NULL)
		return http_fail(r, HERR_INVALID, "reason", "Give the member a reason.");
	if (idea_proposals_override(r, "title", 3, 200, false, &d.title) != 0 ||
	    idea_proposals_override(r, "summary", 1, MD_MAX_BYTES, true, &d.summary) != 0)
		return r->c.err;
	d.moderator = auth_viewer(r)->id;
	e = db_transaction(&r->c, idea_proposals_decide_tx, &d);
	if (e != HERR_OK && !(e == HERR_CONFLICT && r->c.err == HERR_OK))
		return r->c.err != HERR_OK ? r->c.err : http_fail(r, e, NULL, NULL);
	if ((res = db_q(&r->c, STMT_QUEUE_ITEM, db_int(&r->c, item))) == NULL)
		return r->c.err;
	if (e == HERR_CONFLICT) {
		r->c.extra = json_pack("{s:o}", "decision", db_row_json(res, 0));
		http_defer_json(r, r->c.extra);
		return http_fail(r, HERR_CONFLICT, NULL,
				 arena_printf(r->c.arena, "Already decided: %s by %s.", db_str(res, 0, 3),
					      db_str(res, 0, 6) ? db_str(res, 0, 6) : "someone"));
	}
	r->model = json_pack("{s:o}", "decision", db_row_json(res, 0));
	if (d.number) {
		if ((idea = ideas_load(&r->c, d.number, d.moderator, true)) == NULL)
			return r->c.err;
		json_object_set_new(r->model, "idea", idea);
	}
	r->location = "/mod?kind=ideas";
	return HERR_OK;
}

const struct route idea_proposals_routes[] = {
	{ "GET", "/ideas/new", idea_proposals_new_page, .view = "idea_new", .title = "Propose an idea" },
	{ "POST", "/ideas/new", idea_proposals_propose, .view = "idea_new", .title = "Propose an idea",
	  .page = idea_proposals_new_page },
	{ "GET", "/ideas/proposals/{id}", idea_proposals_show, .view = "idea_proposal", .title = "Your proposed idea" },
	{ "GET", "/api/v1/ideas/similar", idea_proposals_similar_api },
	{ "GET", "/api/v1/ideas/proposals/{id}", idea_proposals_show },
};
const size_t idea_proposals_routes_n = ROUTES_N(idea_proposals_routes);
