/* forum/anonymous.c — posting as "a verified practitioner" (issue 21, schema/0034). The post
 * keeps its real author_id, so rate limits, the pending queue, voices and suspensions work
 * as for any post; only what readers are shown changes (FORUM_POST_AUTHOR_JSON and its
 * kin in db/sql). Here: who may ask for it, the admins' logged reveal, and the moderators'
 * suspension of the author through the post. */
#include "forum/anonymous.h"

#include <string.h>

#include "auth/auth.h"
#include "db/db.h"
#include "forum/modlog.h"
#include "forum/post_forms.h"
#include "forum/routes.h"
#include "forum/users.h"

bool
anonymous_allowed(const struct viewer *v)
{
	return v && v->role_verified && v->community_kind && strcmp(v->community_kind, "doer") == 0;
}

int
anonymous_input(struct req *r, bool *ret)
{
	struct viewer *v = auth_viewer(r);

	*ret = false;
	if (in_bool(r, "anonymous", IN_CHECKBOX, ret) < 0)
		return -1;
	if (!*ret || anonymous_allowed(v))
		return 0;
	r->c.extra = json_pack("{s:s}", "reason", "not_verified_practitioner");
	http_defer_json(r, r->c.extra);
	http_fail(r, HERR_FORBIDDEN, "anonymous",
		  "Only a member whose practitioner role is verified may post without their name.");
	return -1;
}

struct anonymous_reveal {
	int64_t post, admin;
	const char *reason;
	json_t *found;                  /* {post_id, thread_id, author} */
};

/* The look and its log entry commit together: no answer without the entry. */
static enum herr
anonymous_reveal_tx(struct ctx *c, void *arg)
{
	struct anonymous_reveal *a = arg;
	PGresult *res = db_q(c, STMT_ANON_REVEAL, db_int(c, a->post));

	if (res == NULL)
		return c->err;
	if (PQntuples(res) == 0)
		return ctx_fail(c, HERR_NOT_FOUND, NULL, "There is no anonymous post with this id.");
	/* The name stays out of the log (members read it): the entry says who looked, and why. */
	if (modlog_add(c, a->admin, "reveal_author", "post", db_int(c, a->post), a->reason, NULL) != 0)
		return c->err;
	a->found = db_row_json(res, 0);
	return HERR_OK;
}

/* POST /api/v1/posts/{id}/reveal {reason}: who wrote an anonymous post. Admins only. */
static enum herr
anonymous_reveal(struct req *r)
{
	struct anonymous_reveal a = { 0 };

	if (auth_require(r, ROLE_ADMIN) != 0 || http_param_id(r, "id", &a.post) != 0 ||
	    in_string(r, "reason", 1, 500, IN_REQUIRED | IN_TRIM, &a.reason) < 0)
		return r->c.err;
	a.admin = auth_viewer(r)->id;
	if (db_transaction(&r->c, anonymous_reveal_tx, &a) != HERR_OK) {
		json_decref(a.found);
		return r->c.err;
	}
	r->model = json_pack("{s:o}", "revealed", a.found);
	return HERR_OK;
}

struct anonymous_suspension {
	int64_t post, actor, author;
	const char *end, *until, *reason;
};

static enum herr
anonymous_suspend_tx(struct ctx *c, void *arg)
{
	const struct anonymous_suspension *a = arg;

	/* Logged against the post, not the member: the log must not name them; the member's
	 * row keeps the post, so that lifting it is logged against the post too. */
	if (db_q(c, STMT_USER_SUSPEND, db_int(c, a->author), a->end, a->reason, db_int(c, a->post)) == NULL ||
	    modlog_add(c, a->actor, "suspend_author", "post", db_int(c, a->post), a->reason,
		       json_pack("{s:s?}", "until", a->until)) != 0)
		return c->err;
	return HERR_OK;
}

/* POST /api/v1/posts/{id}/suspend-author {reason, duration|until}: suspend whoever wrote
 * the post without learning who (made for anonymous posts; works on any). Moderators. */
static enum herr
anonymous_suspend(struct req *r)
{
	struct anonymous_suspension a = { 0 };
	struct viewer *v;
	PGresult *res;

	if (auth_require(r, ROLE_MODERATOR) != 0 || http_param_id(r, "id", &a.post) != 0)
		return r->c.err;
	v = auth_viewer(r);
	if ((res = db_q(&r->c, STMT_ANON_POST_AUTHOR, db_int(&r->c, a.post))) == NULL)
		return r->c.err;
	if (PQntuples(res) == 0)
		return http_fail(r, HERR_NOT_FOUND, NULL, "There is no such post.");
	a.author = db_i64(res, 0, 0);
	a.actor = v->id;
	r->location = arena_printf(r->c.arena, "/t/%lld#p%lld", (long long)db_i64(res, 0, 1), (long long)a.post);
	if (users_suspension_allowed(&r->c, v->id, v->role, a.author, false) != 0 ||
	    users_suspension_end(r, false, &a.end, &a.until) != 0 ||
	    in_string(r, "reason", 1, 500, IN_REQUIRED | IN_TRIM, &a.reason) < 0)
		return r->c.err;
	if (db_transaction(&r->c, anonymous_suspend_tx, &a) != HERR_OK)
		return r->c.err;
	r->model = json_pack("{s:{s:I},s:b,s:s?}", "post", "id", (json_int_t)a.post, "author_suspended", 1,
			     "until", a.until);
	return HERR_OK;
}

const struct route anonymous_routes[] = {
	{ "POST", "/api/v1/posts/{id}/reveal", anonymous_reveal },
	{ "POST", "/api/v1/posts/{id}/suspend-author", anonymous_suspend },
	{ "POST", "/p/{id}/reveal", anonymous_reveal, .view = "post_reveal", .title = "Who wrote this post",
	  .page = post_forms_reveal_page },
	{ "POST", "/p/{id}/suspend-author", anonymous_suspend, .view = "post_suspend", .page = post_forms_suspend_page },
};
const size_t anonymous_routes_n = ROUTES_N(anonymous_routes);
