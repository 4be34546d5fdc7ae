/* forum/account_export.c — GET /api/v1/me/export: everything the signed-in account holds
 * (profile, settings, notifications, posts with their revisions, idea votes, flags and
 * nominations, survey answers, proposed ideas and idea comments, bookmarks) as one JSON
 * download.
 *
 * PostgreSQL writes the JSON (db/sql/account.def) and the server only copies its text into
 * the response: one statement for everything but the posts, then the posts a page at a
 * time, each page's result freed before the next is read. So a large account costs the
 * size of its document once (the response body) plus one page, and no JSON tree. */
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "db/db.h"
#include "forum/routes.h"
#include "http/http.h"

#define EXPORT_PAGE 500

/* The posts of account id into out as a JSON array, newest first. 0, or -1 with the error
 * recorded in r. */
static int
export_posts(struct req *r, int64_t id, struct buf *out)
{
	char after_at[64] = "", after_id[24] = "";
	bool first = true;
	int n;

	buf_putc(out, '[');
	do {
		/* Each page in an arena of its own, freed at once: the posts never pile up. */
		struct ctx page = { .arena = arena_new(), .rid = r->c.rid, .read_replica = r->c.read_replica };
		PGresult *res = db_q(&page, STMT_EXPORT_POSTS, db_int(&page, id), after_at[0] ? after_at : NULL,
				     after_at[0] ? after_id : NULL, db_int(&page, EXPORT_PAGE));

		if (res == NULL) {
			ctx_fail(&r->c, page.err, NULL, page.err_msg ? arena_strdup(r->c.arena, page.err_msg) : NULL);
			r->c.retry_after = page.retry_after;
			arena_free(page.arena);
			return -1;
		}
		n = PQntuples(res);
		for (int i = 0; i < n; i++) {
			if (!first)
				buf_putc(out, ',');
			first = false;
			buf_puts(out, db_str(res, i, 2));
		}
		if (n > 0) {
			snprintf(after_id, sizeof after_id, "%s", db_str(res, n - 1, 0));
			snprintf(after_at, sizeof after_at, "%s", db_str(res, n - 1, 1));
		}
		arena_free(page.arena);
	} while (n == EXPORT_PAGE);
	buf_putc(out, ']');
	return 0;
}

static enum herr
export_me(struct req *r)
{
	static const char *const members[] = { "profile", "settings", "notifications", "idea_votes", "flags",
					       "role_verifications", "nominations", "survey_responses" };
	static const char *const more_members[] = { "idea_proposals", "idea_comments", "uploads" };
	struct viewer *v;
	PGresult *res;

	if (auth_require(r, ROLE_MEMBER) != 0)
		return r->c.err;
	v = auth_viewer(r);
	if ((res = db_q(&r->c, STMT_EXPORT_ACCOUNT, db_int(&r->c, v->id))) == NULL)
		return r->c.err;
	if (PQntuples(res) == 0)
		return http_fail(r, HERR_NOT_FOUND, NULL, "There is no such user.");
	buf_printf(&r->out, "{\"format\":\"corral-account-export\",\"version\":1,\"exported_at\":\"%s\"",
		   db_str(res, 0, 0));
	for (size_t i = 0; i < sizeof members / sizeof members[0]; i++) {
		buf_printf(&r->out, ",\"%s\":", members[i]);
		buf_puts(&r->out, db_str(res, 0, db_col(res, members[i])));
	}
	if ((res = db_q(&r->c, STMT_EXPORT_ACCOUNT_MORE, db_int(&r->c, v->id))) == NULL) {
		buf_reset(&r->out);
		return r->c.err;
	}
	for (size_t i = 0; i < sizeof more_members / sizeof more_members[0]; i++) {
		buf_printf(&r->out, ",\"%s\":", more_members[i]);
		buf_puts(&r->out, db_str(res, 0, db_col(res, more_members[i])));
	}
	if ((res = db_q(&r->c, STMT_EXPORT_BOOKMARKS, db_int(&r->c, v->id))) == NULL) {
		buf_reset(&r->out);
		return r->c.err;
	}
	buf_puts(&r->out, ",\"bookmarks\":");
	buf_puts(&r->out, db_str(res, 0, 0));
	buf_puts(&r->out, ",\"posts\":");
	if (export_posts(r, v->id, &r->out) != 0) {
		buf_reset(&r->out);
		return r->c.err;
	}
	buf_puts(&r->out, "}\n");
	r->content_type = "application/json";
	r->cache_control = "no-store";
	/* The username is [A-Za-z0-9_-] only: safe inside the quoted filename. */
	http_add_header(r, "Content-Disposition",
			arena_printf(r->c.arena, "attachment; filename=\"corral-%s-export.json\"", v->username));
	return HERR_OK;
}

const struct route account_export_routes[] = {
	{ "GET", "/api/v1/me/export", export_me },
};
const size_t account_export_routes_n = ROUTES_N(account_export_routes);
