/* forum/post_forms.c — the pages behind the links under each post (issue 20, target 2): a
 * thread page of fifty posts carried a reply, flag and moderation form under every one,
 * most of its bytes; now each post links here, and a page shows the post above its form.
 * The forms post where they always did; their routes come back here when refused. */
#include "forum/post_forms.h"

#include <stdlib.h>

#include "auth/auth.h"
#include "db/db.h"
#include "forum/policy.h"
#include "forum/posts.h"
#include "forum/routes.h"
#include "forum/threads.h"

struct post_forms_target {
	int64_t id, author, thread;
	enum policy_state state, thread_state;
	bool anonymous;
};

/* Post id as its pages show it (model "post": its words, its author as readers see them,
 * its thread), when the viewer may see it. 0, or -1 with 404 (or the database's error). */
static int
post_forms_post(struct req *r, int64_t id, struct post_forms_target *ret)
{
	PGresult *res = db_q(&r->c, STMT_POST_GET, db_int(&r->c, id));
	json_t *p;

	if (res == NULL)
		return -1;
	if (PQntuples(res) == 0)
		goto missing;
	ret->id = id;
	ret->author = db_i64(res, 0, db_col(res, "author_id"));
	ret->thread = db_i64(res, 0, db_col(res, "thread_id"));
	ret->state = policy_state_parse(db_str(res, 0, db_col(res, "state")));
	ret->thread_state = policy_state_parse(db_str(res, 0, db_col(res, "thread_state")));
	ret->anonymous = db_bool(res, 0, db_col(res, "anonymous"));
	/* Moderators see deleted posts too; nobody else gets this far with one. */
	if (!policy_may_see_post(auth_viewer(r), ret->state, ret->thread_state, ret->author))
		goto missing;
	p = db_row_json(res, 0);
	/* The author's id stays out: an anonymous post must not give it away. */
	json_object_del(p, "author_id");
	json_object_del(p, "body");
	json_object_del(p, "path");
	json_object_del(p, "anonymous");
	json_object_set_new(http_model(r), "post", p);
	return 0;
missing:
	http_fail(r, HERR_NOT_FOUND, NULL, "There is no such post.");
	return -1;
}

/* The post of {id} for a page of the viewer's, who has passed the role check. */
static int
post_forms_target(struct req *r, struct post_forms_target *ret)
{
	int64_t id;

	if (http_param_id(r, "id", &id) != 0)
		return -1;
	return post_forms_post(r, id, ret);
}

/* ?to= of the reply page: a post of this thread the viewer may see. */
static int
post_forms_reply_to(struct req *r, int64_t thread, const char *to)
{
	struct post_forms_target p;
	char *end;
	long long id = strtoll(to, &end, 10);

	if (*to == '\0' || *end != '\0' || id < 1 || post_forms_post(r, (int64_t)id, &p) != 0 ||
	    p.thread != thread) {
		http_fail(r, HERR_NOT_FOUND, "to", "There is no such post in this thread.");
		return -1;
	}
	json_object_set_new(r->model, "reply_to", json_pack("{s:I}", "post_id", (json_int_t)id));
	return 0;
}

enum herr
post_forms_reply_page(struct req *r)
{
	const char *to = http_query(r, "to"), *why;
	int64_t thread;
	json_t *t;
	enum herr e;

	if (http_param_id(r, "id", &thread) != 0 || r->c.err != HERR_OK || posts_may_write(r) != 0)
		return r->c.err;
	if ((t = threads_load(r, thread)) == NULL)
		return r->c.err;
	json_object_set_new(http_model(r), "thread", t);
	if (json_is_integer(json_object_get(t, "merged_into")))
		return http_fail(r, HERR_CONFLICT, NULL, "This thread was merged into another one; reply there.");
	e = policy_reply(auth_viewer(r), policy_state_parse(json_string_value(json_object_get(t, "state"))),
			 json_is_true(json_object_get(t, "locked")), &why);
	if (e != HERR_OK)
		return http_fail(r, e, NULL, why);
	if (to && post_forms_reply_to(r, thread, to) != 0)
		return r->c.err;
	json_object_set_new(r->model, "composer", posts_composer(r));
	r->title = "Reply";
	return HERR_OK;
}

enum herr
post_forms_reply_back(struct req *r)
{
	if (http_query(r, "to") == NULL)
		return threads_page(r);
	r->view = "post_reply";
	return post_forms_reply_page(r);
}

enum herr
post_forms_flag_page(struct req *r)
{
	struct post_forms_target p;

	if (auth_require_active(r) != 0 || post_forms_target(r, &p) != 0)
		return r->c.err;
	/* What anybody may see, whatever the reporter's role (as the flag's POST). */
	if (!policy_may_see_post(NULL, p.state, p.thread_state, 0))
		return http_fail(r, HERR_NOT_FOUND, NULL, "There is no such post.");
	if (p.author == auth_viewer(r)->id)
		return http_fail(r, HERR_FORBIDDEN, NULL, "You cannot flag your own post.");
	return HERR_OK;
}

enum herr
post_forms_hide_page(struct req *r)
{
	struct post_forms_target p;

	if (auth_require(r, ROLE_MODERATOR) != 0 || post_forms_target(r, &p) != 0)
		return r->c.err;
	if (!policy_can_hide(auth_viewer(r), p.state))
		return http_fail(r, HERR_CONFLICT, NULL, "The post is hidden or deleted already.");
	return HERR_OK;
}

enum herr
post_forms_suspend_page(struct req *r)
{
	struct post_forms_target p;

	if (auth_require(r, ROLE_MODERATOR) != 0 || post_forms_target(r, &p) != 0)
		return r->c.err;
	return HERR_OK;
}

enum herr
post_forms_reveal_page(struct req *r)
{
	struct post_forms_target p;

	if (auth_require(r, ROLE_ADMIN) != 0 || post_forms_target(r, &p) != 0)
		return r->c.err;
	if (!p.anonymous)
		return http_fail(r, HERR_NOT_FOUND, NULL, "There is no anonymous post with this id.");
	return HERR_OK;
}

const struct route post_forms_routes[] = {
	{ "GET", "/t/{id}/reply", post_forms_reply_page, .view = "post_reply", .title = "Reply" },
	{ "GET", "/p/{id}/flag", post_forms_flag_page, .view = "post_flag", .title = "Flag a post" },
	{ "GET", "/p/{id}/hide", post_forms_hide_page, .view = "post_hide", .title = "Hide a post" },
	{ "GET", "/p/{id}/suspend-author", post_forms_suspend_page, .view = "post_suspend",
	  .title = "Suspend the author of a post" },
	{ "GET", "/p/{id}/reveal", post_forms_reveal_page, .view = "post_reveal", .title = "Who wrote this post" },
};
const size_t post_forms_routes_n = ROUTES_N(post_forms_routes);
