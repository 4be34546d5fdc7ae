/* forum/moderation.c — the three queues (pending, flags, ideas) behind one mechanism,
 * flagging and nominating posts, decisions that exactly one moderator wins. Thread actions are in
 * thread_actions.c, the moderation log in modlog.c. */
#include "forum/moderation.h"

#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "db/db.h"
#include "forum/idea_proposals.h"
#include "forum/ideas.h"
#include "forum/modlog.h"
#include "forum/policy.h"
#include "forum/post_forms.h"
#include "forum/posts.h"
#include "forum/routes.h"
#include "forum/users.h"

static struct moderation_config mod_cfg = { .spam_links = 5, .spam_burst = 5, .spam_burst_s = 60,
					    .flag_limit = 20 };

void
moderation_configure(const struct moderation_config *cfg)
{
	mod_cfg = *cfg;
}

const struct moderation_config *
moderation_config(void)
{
	return &mod_cfg;
}

/* --- queueing posts --- */

int64_t
moderation_enqueue(struct ctx *c, const char *kind, int64_t post_id, const char *reason)
{
	PGresult *res = db_q(c, STMT_QUEUE_ADD, kind, db_int(c, post_id), reason);

	return res ? db_i64(res, 0, 0) : -1;
}

int
moderation_notify(struct ctx *c, int64_t user_id, int64_t actor_id, int64_t thread_id,
		  int64_t post_id, const char *message)
{
	return db_q(c, STMT_NOTIFY, db_int(c, user_id), "moderation", db_int(c, actor_id),
		    thread_id ? db_int(c, thread_id) : NULL, post_id ? db_int(c, post_id) : NULL,
		    message) ? 0 : -1;
}

/* --- flags and nominations --- */

/* A visible post in a visible thread, not one's own. Returns its row or NULL. */
static PGresult *
moderation_target(struct req *r, int64_t *ret_id)
{
	PGresult *post;

	if (http_param_id(r, "id", ret_id) != 0 || auth_require_active(r) != 0)
		return NULL;
	if ((post = db_q(&r->c, STMT_POST_GET, db_int(&r->c, *ret_id))) == NULL)
		return NULL;
	/* What anybody may see (the viewer NULL), whatever the reporter's role. */
	if (PQntuples(post) == 0 ||
	    !policy_may_see_post(NULL, policy_state_parse(db_str(post, 0, db_col(post, "state"))),
				 policy_state_parse(db_str(post, 0, db_col(post, "thread_state"))), 0)) {
		http_fail(r, HERR_NOT_FOUND, NULL, "There is no such post.");
		return NULL;
	}
	return post;
}

static int
moderation_flag_rate(struct req *r)
{
	if (policy_is_moderator(auth_viewer(r)))
		return 0;
	return auth_rate_hit(r, arena_printf(r->c.arena, "flag:user:%lld", (long long)auth_viewer(r)->id),
			     mod_cfg.flag_limit, 3600);
}

struct moderation_report {
	const char *kind;        /* "flags" / "ideas" */
	int64_t post, user;
	const char *reason, *note;
	int64_t item;
};

static enum herr
moderation_report_tx(struct ctx *c, void *arg)
{
	struct moderation_report *m = arg;
	const struct db_expect *twice = strcmp(m->kind, "flags") == 0
		? DB_EXPECT({ "23505", HERR_CONFLICT, NULL, "You already flagged this post; a moderator will look at it." })
		: DB_EXPECT({ "23505", HERR_CONFLICT, NULL, "You already nominated this post." });
	PGresult *res;

	if ((m->item = moderation_enqueue(c, m->kind, m->post, NULL)) < 0)
		return c->err;
	res = strcmp(m->kind, "flags") == 0
		? db_qx(c, STMT_FLAG_ADD, twice, db_int(c, m->item), db_int(c, m->post), db_int(c, m->user), m->reason, m->note)
		: db_qx(c, STMT_NOMINATION_ADD, twice, db_int(c, m->item), db_int(c, m->post), db_int(c, m->user), m->note);
	return res ? HERR_OK : c->err;
}

/* Store a flag or nomination of post, counted against the reporter's hourly allowance,
 * and answer 201 pointing at the post. */
static enum herr
moderation_report_store(struct req *r, struct moderation_report *m, PGresult *post)
{
	if (moderation_flag_rate(r) != 0 || db_transaction(&r->c, moderation_report_tx, m) != HERR_OK)
		return r->c.err;
	r->status = 201;
	r->location = arena_printf(r->c.arena, "/t/%s#p%lld", db_str(post, 0, db_col(post, "thread_id")),
				   (long long)m->post);
	return HERR_OK;
}

static enum herr
moderation_flag(struct req *r)
{
	static const char *const reasons[] = { "spam", "off_topic", "abusive", "duplicate", "other", NULL };
	struct moderation_report m = { .kind = "flags" };
	PGresult *post;

	if ((post = moderation_target(r, &m.post)) == NULL ||
	    in_enum(r, "reason", reasons, IN_REQUIRED, &m.reason) < 0 ||
	    in_string(r, "note", 1, 500, IN_TRIM | IN_NULLABLE, &m.note) < 0)
		return r->c.err;
	if (strcmp(m.reason, "other") == 0 && m.note == NULL)
		return http_fail(r, HERR_INVALID, "note", "Say what is wrong with the post.");
	m.user = auth_viewer(r)->id;
	if (db_i64(post, 0, db_col(post, "author_id")) == m.user)
		return http_fail(r, HERR_FORBIDDEN, NULL, "You cannot flag your own post.");
	if (moderation_report_store(r, &m, post) != HERR_OK)
		return r->c.err;
	r->model = json_pack("{s:{s:I,s:s,s:I}}", "flag", "post_id", (json_int_t)m.post, "reason", m.reason,
			     "item_id", (json_int_t)m.item);
	return HERR_OK;
}

static enum herr
moderation_nominate(struct req *r)
{
	struct moderation_report m = { .kind = "ideas" };
	PGresult *post;

	/* Suggesting an idea is writing: held like a post until the address is confirmed. */
	if (posts_may_write(r) != 0 || (post = moderation_target(r, &m.post)) == NULL ||
	    in_string(r, "note", 1, 500, IN_TRIM | IN_NULLABLE, &m.note) < 0)
		return r->c.err;
	m.user = auth_viewer(r)->id;
	if (moderation_report_store(r, &m, post) != HERR_OK)
		return r->c.err;
	r->model = json_pack("{s:{s:I,s:I}}", "nomination", "post_id", (json_int_t)m.post, "item_id",
			     (json_int_t)m.item);
	return HERR_OK;
}

/* --- the queues --- */

static enum herr
moderation_queue(struct req *r)
{
	static const char *const kinds[] = { "pending", "flags", "ideas" };
	const char *kind = http_query(r, "kind");
	PGresult *res;
	size_t i;

	if (auth_require(r, ROLE_MODERATOR) != 0 || r->c.err != HERR_OK)
		return r->c.err;
	if (kind == NULL || *kind == '\0')
		kind = "pending";
	for (i = 0; i < 3 && strcmp(kind, kinds[i]) != 0; i++)
		;
	if (i == 3)
		return http_fail(r, HERR_INVALID, "kind", "kind is pending, flags or ideas.");
	if ((res = db_q(&r->c, STMT_QUEUE_LIST, kinds[i])) == NULL)
		return r->c.err;
	json_object_set_new(http_model(r), "items", db_rows_json(res));
	json_object_set_new(r->model, "kind", json_string(kinds[i]));
	if (r->html)   /* templates cannot compare strings */
		json_object_set_new(r->model, arena_printf(r->c.arena, "is_%s", kinds[i]), json_true());
	if ((res = db_q0(&r->c, STMT_QUEUE_COUNTS)) == NULL)
		return r->c.err;
	json_object_set_new(r->model, "counts", db_row_json(res, 0));
	/* Proposed ideas wait in the ideas queue beside nominated posts. */
	if (idea_proposals_queue(r, kinds[i], json_object_get(r->model, "items"),
				 json_object_get(r->model, "counts")) != 0)
		return r->c.err;
	return HERR_OK;
}

struct moderation_decision {
	int64_t item, moderator, post, author, thread;
	int64_t seen_version;   /* the post's revision count the moderator saw; 0 = not said */
	int moderator_role;
	bool anonymous;   /* the post is (schema/0034): its author's suspension is logged against it */
	const char *action, *reason, *kind;
	const char *until, *until_shown;   /* suspend: the end for PostgreSQL, its RFC 3339 or NULL (until lifted) */
	json_t *idea_in, *idea_out;
};

/* The effect of each decision on the post, its thread and its author. */
static enum herr
moderation_effect(struct ctx *c, struct moderation_decision *d)
{
	const char *post = db_int(c, d->post);
	const char *why = d->reason ? d->reason : "no reason given";

	if (strcmp(d->action, "approve") == 0)
		return db_q(c, STMT_POST_SET_STATE, post, "visible") &&
		       db_q(c, STMT_THREAD_SET_STATE_OF_OP, post, "visible") &&
		       db_q(c, STMT_NOTIFY, db_int(c, d->author), "approved", db_int(c, d->moderator),
			    db_int(c, d->thread), post, NULL) ? HERR_OK : c->err;
	if (strcmp(d->action, "reject") == 0)
		return db_q(c, STMT_POST_SET_STATE, post, "hidden") &&
		       db_q(c, STMT_THREAD_SET_STATE_OF_OP, post, "hidden") &&
		       moderation_notify(c, d->author, d->moderator, d->thread, d->post,
					 arena_printf(c->arena, "Your post was not approved: %s", why)) == 0
			       ? HERR_OK : c->err;
	if (strcmp(d->action, "hide") == 0 || strcmp(d->action, "suspend") == 0) {
		if (db_q(c, STMT_POST_SET_STATE, post, "hidden") == NULL ||
		    moderation_notify(c, d->author, d->moderator, d->thread, d->post,
				      arena_printf(c->arena, "A moderator hid your post: %s", why)) != 0)
			return c->err;
		/* The same rule as POST /users/{name}/suspension: a flag on an admin's post
		 * cannot be a way round it. */
		if (strcmp(d->action, "suspend") == 0 &&
		    (users_suspension_allowed(c, d->moderator, d->moderator_role, d->author, false) != 0 ||
		     db_q(c, STMT_USER_SUSPEND, db_int(c, d->author), d->until, why,
			  d->anonymous ? post : NULL) == NULL ||
		     modlog_add(c, d->moderator, d->anonymous ? "suspend_author" : "suspend",
				d->anonymous ? "post" : "user", db_int(c, d->anonymous ? d->post : d->author),
				d->reason, json_pack("{s:s?}", "until", d->until_shown)) != 0))
			return c->err;
		return HERR_OK;
	}
	if (strcmp(d->action, "delete") == 0)
		return db_q(c, STMT_POST_DELETE, post, db_int(c, d->moderator)) ? HERR_OK : c->err;
	if (strcmp(d->action, "accept") == 0)
		return ideas_accept_nomination(c, d->moderator, d->post, d->idea_in, &d->idea_out) == 0 ? HERR_OK : c->err;
	if (strcmp(d->action, "attach") == 0)
		return ideas_attach_nomination(c, d->moderator, d->post, d->idea_in, &d->idea_out) == 0 ? HERR_OK : c->err;
	return HERR_OK;   /* dismiss, decline: only the item closes */
}

static enum herr
moderation_decide_tx(struct ctx *c, void *arg)
{
	struct moderation_decision *d = arg;
	PGresult *res, *post;

	/* db_transaction may run this again: an idea made by a rolled-back run is dropped. */
	json_decref(d->idea_out);
	d->idea_out = NULL;
	res = db_qx(c, STMT_QUEUE_DECIDE,
		    DB_EXPECT({ "23514", HERR_INVALID, "action", "That decision does not belong to this queue." }),
		    db_int(c, d->item), db_int(c, d->moderator), d->action, d->reason,
		    d->seen_version ? db_int(c, d->seen_version) : NULL);
	if (res == NULL)
		return c->err;
	if (PQntuples(res) == 0)
		return HERR_CONFLICT;   /* decided already or stale: the caller says which */
	d->kind = arena_strdup(c->arena, db_str(res, 0, 0));
	d->post = db_i64(res, 0, 1);
	if ((post = db_q(c, STMT_POST_GET, db_int(c, d->post))) == NULL)
		return c->err;
	d->author = db_i64(post, 0, db_col(post, "author_id"));
	d->thread = db_i64(post, 0, db_col(post, "thread_id"));
	d->anonymous = db_bool(post, 0, db_col(post, "anonymous"));
	if (moderation_effect(c, d) != HERR_OK)
		return c->err;
	if (db_q(c, strcmp(d->kind, "flags") == 0 ? STMT_FLAGS_CLOSE : STMT_NOMINATIONS_CLOSE,
		 db_int(c, d->item)) == NULL ||
	    modlog_add(c, d->moderator, d->action, "queue_item", db_int(c, d->item), d->reason,
		       json_pack("{s:s,s:I}", "queue", d->kind, "post_id", (json_int_t)d->post)) != 0)
		return c->err;
	return HERR_OK;
}

static int
moderation_decision_read(struct req *r, struct moderation_decision *d)
{
	static const char *const actions[] = { "approve", "reject", "dismiss", "hide", "delete", "suspend",
					       "accept", "attach", "decline", NULL };
	json_t *idea;

	if (in_enum(r, "action", actions, IN_REQUIRED, &d->action) < 0 ||
	    in_string(r, "reason", 1, 1000, IN_TRIM | IN_NULLABLE, &d->reason) < 0 ||
	    in_int(r, "seen_version", 1, INT32_MAX, IN_NULLABLE, &d->seen_version) < 0)
		return -1;
	/* The same presets and times as a profile's suspension; here one must be said. */
	if (strcmp(d->action, "suspend") == 0 && users_suspension_end(r, true, &d->until, &d->until_shown) != 0)
		return -1;
	if ((strcmp(d->action, "reject") == 0 || strcmp(d->action, "hide") == 0 ||
	     strcmp(d->action, "suspend") == 0) && d->reason == NULL) {
		http_fail(r, HERR_INVALID, "reason", "Give the author a reason.");
		return -1;
	}
	idea = json_object_get(r->input, "idea");
	if (r->input_form && (strcmp(d->action, "accept") == 0 || strcmp(d->action, "attach") == 0)) {
		/* Forms send idea[title], idea[summary], idea[number] as flat fields. */
		idea = json_object();
		json_object_set(idea, "title", json_object_get(r->input, "idea[title]"));
		json_object_set(idea, "summary", json_object_get(r->input, "idea[summary]"));
		json_object_set(idea, "number", json_object_get(r->input, "idea[number]"));
		http_defer_json(r, idea);
	}
	if ((strcmp(d->action, "accept") == 0 || strcmp(d->action, "attach") == 0) && !json_is_object(idea)) {
		http_fail(r, HERR_INVALID, "idea", "accept and attach need an idea object.");
		return -1;
	}
	d->idea_in = idea;
	return 0;
}

/* The decision was refused: someone decided first (say who, what and why), or the post
 * is not what the moderator saw. */
static enum herr
moderation_refused(struct req *r, const struct moderation_decision *d)
{
	enum policy_state state;
	const char *why;
	PGresult *res;

	if ((res = db_q(&r->c, STMT_QUEUE_ITEM_POST, db_int(&r->c, d->item))) == NULL)
		return r->c.err;
	if (!db_bool(res, 0, 0)) {
		state = policy_state_parse(db_str(res, 0, 1));
		if (state == STATE_DELETED)
			why = "The post was deleted (by its author or a moderator) after it was queued; there is "
			      "nothing left to decide.";
		else if (d->seen_version && db_i64(res, 0, 2) != d->seen_version)
			why = "The post was edited since you opened the queue; review it again.";
		else
			why = arena_printf(r->c.arena, "The post is %s now, no longer waiting for approval.",
					   policy_state_name(state));
		r->c.extra = json_pack("{s:{s:s,s:I}}", "post", "state", policy_state_name(state), "version",
				       (json_int_t)db_i64(res, 0, 2));
		http_defer_json(r, r->c.extra);
		return http_fail(r, HERR_CONFLICT, NULL, why);
	}
	if ((res = db_q(&r->c, STMT_QUEUE_ITEM, db_int(&r->c, d->item))) == NULL)
		return r->c.err;
	r->c.extra = json_pack("{s:o}", "decision", db_row_json(res, 0));
	http_defer_json(r, r->c.extra);
	return http_fail(r, HERR_CONFLICT, NULL,
			 arena_printf(r->c.arena, "Already decided: %s by %s.", db_str(res, 0, 3),
				      db_str(res, 0, 6) ? db_str(res, 0, 6) : "someone"));
}

static enum herr
moderation_decide(struct req *r)
{
	struct moderation_decision d = { 0 };
	PGresult *res;
	enum herr e;

	if (auth_require(r, ROLE_MODERATOR) != 0 || http_param_id(r, "item", &d.item) != 0)
		return r->c.err;
	if ((res = db_q(&r->c, STMT_QUEUE_ITEM, db_int(&r->c, d.item))) == NULL)
		return r->c.err;
	if (PQntuples(res) == 0)
		return http_fail(r, HERR_NOT_FOUND, NULL, "There is no such queue item.");
	if (db_str(res, 0, 2) == NULL)   /* no post: a proposed idea */
		return idea_proposals_decide(r, d.item);
	if (moderation_decision_read(r, &d) != 0)
		return r->c.err;
	d.moderator = auth_viewer(r)->id;
	d.moderator_role = auth_viewer(r)->role;
	e = db_transaction(&r->c, moderation_decide_tx, &d);
	if (e == HERR_CONFLICT && r->c.err == HERR_OK)
		return moderation_refused(r, &d);
	if (e != HERR_OK)
		return r->c.err != HERR_OK ? r->c.err : http_fail(r, e, NULL, NULL);
	if ((res = db_q(&r->c, STMT_QUEUE_ITEM, db_int(&r->c, d.item))) == NULL)
		return r->c.err;
	r->model = json_pack("{s:o}", "decision", db_row_json(res, 0));
	if (d.idea_out)
		json_object_set_new(r->model, "idea", d.idea_out);
	r->location = arena_printf(r->c.arena, "/mod?kind=%s", d.kind);
	return HERR_OK;
}

/* --- hiding a post from the post itself --- */

struct moderation_hide {
	int64_t post, moderator, thread;
	bool hide;
	const char *reason;
};

static enum herr
moderation_hide_tx(struct ctx *c, void *arg)
{
	struct moderation_hide *h = arg;
	PGresult *res;
	int64_t author;

	/* Conditional: a post deleted (or hidden by another moderator) meanwhile is left alone. */
	res = db_q(c, STMT_POST_SET_STATE_FROM, db_int(c, h->post), h->hide ? "hidden" : "visible",
		   h->hide ? "{visible,pending}" : "{hidden}");
	if (res == NULL)
		return c->err;
	if (PQntuples(res) == 0)
		return ctx_fail(c, HERR_CONFLICT, NULL,
				h->hide ? "The post is hidden or deleted already." : "The post is not hidden.");
	h->thread = db_i64(res, 0, 0);
	author = db_i64(res, 0, 1);
	if (modlog_add(c, h->moderator, h->hide ? "hide_post" : "unhide_post", "post", db_int(c, h->post),
		       h->reason, NULL) != 0)
		return c->err;
	if (h->hide && author != h->moderator &&
	    moderation_notify(c, author, h->moderator, h->thread, h->post,
			      arena_printf(c->arena, "A moderator hid your post: %s", h->reason)) != 0)
		return c->err;
	return HERR_OK;
}

/* POST /api/v1/posts/{id}/hide {reason} and /unhide {reason?}: moderators, from the post. */
static enum herr
moderation_hide_post(struct req *r, bool hide)
{
	struct moderation_hide h = { .hide = hide };
	PGresult *post;

	if (auth_require(r, ROLE_MODERATOR) != 0 || http_param_id(r, "id", &h.post) != 0 ||
	    in_string(r, "reason", 1, 1000, IN_TRIM | (hide ? IN_REQUIRED : IN_NULLABLE), &h.reason) < 0)
		return r->c.err;
	if ((post = db_q(&r->c, STMT_POST_GET, db_int(&r->c, h.post))) == NULL)
		return r->c.err;
	if (PQntuples(post) == 0)
		return http_fail(r, HERR_NOT_FOUND, NULL, "There is no such post.");
	h.moderator = auth_viewer(r)->id;
	if (db_transaction(&r->c, moderation_hide_tx, &h) != HERR_OK)
		return r->c.err;
	r->model = json_pack("{s:{s:I,s:I,s:s}}", "post", "id", (json_int_t)h.post, "thread_id",
			     (json_int_t)h.thread, "state", hide ? "hidden" : "visible");
	r->location = arena_printf(r->c.arena, "/t/%lld#p%lld", (long long)h.thread, (long long)h.post);
	return HERR_OK;
}

static enum herr
moderation_hide(struct req *r)
{
	return moderation_hide_post(r, true);
}

static enum herr
moderation_unhide(struct req *r)
{
	return moderation_hide_post(r, false);
}

const struct route moderation_routes[] = {
	{ "GET", "/mod", moderation_queue, .view = "mod", .title = "Moderation" },
	{ "POST", "/mod/queue/{item}/decision", moderation_decide, .view = "mod", .title = "Moderation",
	  .page = moderation_queue },
	{ "POST", "/p/{id}/flag", moderation_flag, .view = "post_flag", .page = post_forms_flag_page },
	{ "POST", "/p/{id}/nominate", moderation_nominate, .view = "error" },
	{ "POST", "/p/{id}/hide", moderation_hide, .view = "post_hide", .page = post_forms_hide_page },
	{ "POST", "/p/{id}/unhide", moderation_unhide, .view = "error" },
	{ "GET", "/api/v1/mod/queue", moderation_queue },
	{ "POST", "/api/v1/mod/queue/{item}/decision", moderation_decide },
	{ "POST", "/api/v1/posts/{id}/flags", moderation_flag },
	{ "POST", "/api/v1/posts/{id}/nominations", moderation_nominate },
	{ "POST", "/api/v1/posts/{id}/hide", moderation_hide },
	{ "POST", "/api/v1/posts/{id}/unhide", moderation_unhide },
};
const size_t moderation_routes_n = ROUTES_N(moderation_routes);
