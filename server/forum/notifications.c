/* forum/notifications.c — the viewer's notifications: replies, mentions, watched
 * threads, moderation notices; and marking them read. */
#include <stdio.h>

#include "auth/auth.h"
#include "db/db.h"
#include "forum/routes.h"
#include "http/http.h"

/* The page's notifications grouped by thread, groups in the order of their newest
 * notification: [{thread {id, title, url}, unread, items [...]}]. The items are the
 * same objects as in the flat list. A caller-owned new array. */
static json_t *
notif_groups(json_t *items)
{
	json_t *groups = json_array(), *by_thread = json_object(), *n, *g, *tid;
	size_t i;
	char key[24];

	json_array_foreach(items, i, n) {
		tid = json_object_get(n, "thread_id");
		snprintf(key, sizeof key, "%lld", (long long)json_integer_value(tid));
		if ((g = json_object_get(by_thread, key)) == NULL) {
			g = json_pack("{s:o,s:i,s:[]}", "thread",
				      json_is_integer(tid)
					      ? json_pack("{s:O,s:O?,s:s+}", "id", tid, "title",
							  json_object_get(n, "thread_title"), "url", "/t/", key)
					      : json_null(),
				      "unread", 0, "items");
			json_array_append_new(groups, g);
			json_object_set(by_thread, key, g);
		}
		json_array_append(json_object_get(g, "items"), n);
		if (!json_is_true(json_object_get(n, "read")))
			json_object_set_new(g, "unread", json_integer(json_integer_value(json_object_get(g, "unread")) + 1));
	}
	json_decref(by_thread);
	return groups;
}

static enum herr
notif_list(struct req *r)
{
	int64_t before;
	PGresult *res;
	json_t *items;
	struct viewer *v;

	if (auth_require(r, ROLE_MEMBER) != 0 || http_query_int(r, "before", 1, INT64_MAX, 0, &before) != 0)
		return r->c.err;
	v = auth_viewer(r);
	res = db_q(&r->c, STMT_NOTIFICATIONS, db_int(&r->c, v->id), db_int(&r->c, before), db_int(&r->c, 51),
		   v->role >= ROLE_MODERATOR ? "true" : "false");
	if (res == NULL)
		return r->c.err;
	items = db_rows_json(res);
	if (json_array_size(items) > 50) {
		json_array_remove(items, 50);
		json_object_set_new(http_model(r), "next_before",
				    json_integer(db_i64(res, 49, db_col(res, "id"))));
	}
	json_object_set_new(http_model(r), "groups", notif_groups(items));
	json_object_set_new(r->model, "notifications", items);
	json_object_set_new(r->model, "unread", json_integer(v->unread));
	return HERR_OK;
}

static enum herr
notif_read(struct req *r)
{
	int64_t *ids;
	size_t n;
	int rc;
	struct buf list = BUF_INIT;
	PGresult *res;

	if (auth_require(r, ROLE_MEMBER) != 0)
		return r->c.err;
	/* An empty list marks nothing; no list at all marks everything. */
	if (json_is_array(json_object_get(r->input, "ids")) && json_array_size(json_object_get(r->input, "ids")) == 0) {
		r->model = json_pack("{s:i}", "marked", 0);
		r->location = "/notifications";
		return HERR_OK;
	}
	if ((rc = in_int_list(r, "ids", 1000, 1, INT64_MAX, 0, &ids, &n)) < 0)
		return r->c.err;
	if (rc == 1) {
		res = db_q(&r->c, STMT_NOTIFICATIONS_READ_ALL, db_int(&r->c, auth_viewer(r)->id));
	} else {
		for (size_t i = 0; i < n; i++)
			buf_printf(&list, "%s%lld", i ? "," : "{", (long long)ids[i]);
		buf_putc(&list, '}');
		res = db_q(&r->c, STMT_NOTIFICATIONS_READ_IDS, db_int(&r->c, auth_viewer(r)->id), list.data);
		buf_free(&list);
	}
	if (res == NULL)
		return r->c.err;
	r->model = json_pack("{s:i}", "marked", atoi(PQcmdTuples(res)));
	r->location = "/notifications";
	return HERR_OK;
}

const struct route notifications_routes[] = {
	{ "GET", "/notifications", notif_list, .view = "notifications", .title = "Notifications" },
	{ "POST", "/notifications/read", notif_read, .view = "notifications", .page = notif_list },
	{ "GET", "/api/v1/notifications", notif_list },
	{ "POST", "/api/v1/notifications/read", notif_read },
};
const size_t notifications_routes_n = ROUTES_N(notifications_routes);
