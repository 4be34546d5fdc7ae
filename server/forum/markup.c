/* forum/markup.c — forum text to HTML through the one Markdown pipeline, @mentions
 * looked up in the accounts, refusals worded for the field. */
#include "forum/markup.h"

#include <string.h>

#include "core/buf.h"
#include "db/db.h"
#include "render/markdown.h"

struct markup_mentions {
	struct ctx *c;
	struct buf ids;
	int n;
	bool failed;
};

/* Link a mention only when the account exists; remember whom to notify. */
static bool
markup_mention_ok(void *cls, const char *name)
{
	struct markup_mentions *m = cls;
	PGresult *res;

	if (m->failed)
		return false;
	if ((res = db_q(m->c, STMT_MENTION_LOOKUP, name)) == NULL) {
		m->failed = true;
		return false;
	}
	if (PQntuples(res) == 0)
		return false;
	buf_printf(&m->ids, "%s%s", m->n++ ? "," : "", db_str(res, 0, 0));
	return true;
}

/* The refusal of status st as a 400 on the spec's field. */
static int
markup_refuse(struct ctx *c, const struct markup_spec *spec, enum md_status st, const char *why)
{
	const char *msg = st == MD_EMPTY ? arena_printf(c->arena, "The %s is empty.", spec->noun)
			  : st == MD_TOO_LARGE && spec->too_large ? spec->too_large
			  : why ? why : arena_printf(c->arena, "The %s cannot be rendered.", spec->noun);

	ctx_fail(c, HERR_INVALID, spec->field, msg);
	return -1;
}

/* The idea numbers of out as an SQL array literal, or NULL when there are none. */
static const char *
markup_idea_refs(struct ctx *c, const struct md_out *out)
{
	struct buf refs = BUF_INIT;
	const char *s;

	if (out->n_ideas == 0)
		return NULL;
	for (size_t i = 0; i < out->n_ideas; i++)
		buf_printf(&refs, "%s%lld", i ? "," : "", (long long)out->ideas[i]);
	s = arena_printf(c->arena, "{%s}", refs.data);
	buf_free(&refs);
	return s;
}

int
markup_render(struct ctx *c, const char *src, const struct markup_spec *spec, struct markup *ret)
{
	struct markup_mentions m = { .c = c };
	struct md_opts opts = { .max_bytes = spec->max_bytes, .mention_ok = spec->mentions ? markup_mention_ok : NULL,
				.cls = &m };
	const char *why = NULL;
	struct md_out out;
	enum md_status st = md_render(src, strlen(src), &opts, &out, &why);
	int rc = -1;

	memset(ret, 0, sizeof *ret);
	ret->version = md_version();
	if (m.failed)
		goto out;   /* the lookup's error is recorded */
	if (st == MD_EMPTY && spec->blank_ok) {
		ret->html = "";
		rc = 1;
		goto out;
	}
	if (st != MD_OK) {
		rc = markup_refuse(c, spec, st, why);
		goto out;
	}
	ret->html = arena_strndup(c->arena, out.html, out.html_len);
	ret->mentions = m.n;
	if (m.n)
		ret->mention_ids = arena_printf(c->arena, "{%s}", m.ids.data);
	ret->idea_refs = markup_idea_refs(c, &out);
	ret->links = out.n_links;
	rc = 0;
out:
	if (st == MD_OK)
		md_out_free(&out);
	buf_free(&m.ids);
	return rc;
}
