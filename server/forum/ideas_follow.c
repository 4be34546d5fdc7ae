/* forum/ideas_follow.c — closing the idea loop: members follow an idea without voting,
 * and a status change, merge or comment is told to everyone who cares about the idea (in the app;
 * by mail through the "idea_status" preference, forum/notify_mail.c). */
#include <string.h>

#include "auth/auth.h"
#include "db/db.h"
#include "forum/ideas_internal.h"

int
ideas_notify(struct ctx *c, int64_t number, int64_t actor, const char *message)
{
	return db_q(c, STMT_IDEA_NOTIFY, db_int(c, number), db_int(c, actor), message) ? 0 : -1;
}

static enum herr
ideas_follow_set(struct req *r, bool on)
{
	const char *num, *uid;
	PGresult *res;
	int64_t n;

	if (http_param_id(r, "n", &n) != 0 || auth_require(r, ROLE_MEMBER) != 0)
		return r->c.err;
	num = db_int(&r->c, n);
	uid = db_int(&r->c, auth_viewer(r)->id);
	if ((res = db_q(&r->c, STMT_IDEA_STATE, num)) == NULL)
		return r->c.err;
	if (PQntuples(res) == 0)
		return http_fail(r, HERR_NOT_FOUND, NULL, "There is no such idea.");
	if (on && db_str(res, 0, 1) != NULL)
		return http_fail(r, HERR_CONFLICT, NULL,
				 arena_printf(r->c.arena, "This idea was merged into IDEA-%s; follow that one.",
					      db_str(res, 0, 1)));
	if (db_q(&r->c, on ? STMT_IDEA_FOLLOW : STMT_IDEA_UNFOLLOW, num, uid) == NULL)
		return r->c.err;
	json_object_set_new(http_model(r), "following", json_boolean(on));
	json_object_set_new(r->model, "number", json_integer(n));
	r->location = arena_printf(r->c.arena, "/ideas/%lld", (long long)n);
	return HERR_OK;
}

enum herr
ideas_follow(struct req *r)
{
	return ideas_follow_set(r, true);
}

enum herr
ideas_unfollow(struct req *r)
{
	return ideas_follow_set(r, false);
}
