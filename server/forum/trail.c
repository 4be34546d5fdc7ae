/* forum/trail.c — the trail from a member's posts to ideas on their profile ("you were
 * heard"), and the practitioners among an idea's source posts. The posts are those the
 * viewer may see on the profile anyway (db/sql/heard.def: TRAIL_POSTS), so the trail
 * never shows the text of a hidden or deleted post to someone who may not read it. */
#include "forum/trail.h"

#include <string.h>

#include "auth/auth.h"
#include "db/db.h"
#include "forum/ideas_status.h"
#include "forum/policy.h"

#define TRAIL_MAX 50

/* What the queue's latest word on a nomination means, in the words of a profile. */
static const char *
trail_nomination_label(const char *n)
{
	if (n == NULL)
		return NULL;
	if (strcmp(n, "waiting") == 0)
		return "waiting for the moderators";
	if (strcmp(n, "declined") == 0)
		return "not taken up";
	return "taken up";
}

int
trail_profile(struct req *r, int64_t id)
{
	struct viewer *v = auth_viewer(r);
	json_t *posts, *p, *ideas, *idea, *seen;
	PGresult *res;
	size_t i, k, nominated = 0;

	res = db_q(&r->c, STMT_TRAIL_POSTS, db_int(&r->c, id), db_int(&r->c, v ? v->id : 0),
		   policy_is_moderator(v) ? "true" : "false", db_int(&r->c, TRAIL_MAX));
	if (res == NULL)
		return -1;
	posts = db_rows_json(res);
	seen = json_object();   /* distinct ideas: one post may carry several, one idea many posts */
	json_array_foreach(posts, i, p) {
		if (json_integer_value(json_object_get(p, "nominations")) > 0)
			nominated++;
		ideas = json_object_get(p, "ideas");
		json_object_set_new(p, "has_ideas", json_boolean(json_array_size(ideas) > 0));
		json_array_foreach(ideas, k, idea) {
			json_object_set_new(seen, json_string_value(json_object_get(idea, "ref")), json_true());
			if (r->html)
				json_object_set_new(idea, "status_label", json_string(ideas_status_label(
					json_string_value(json_object_get(idea, "status")))));
		}
		if (r->html) {
			const char *label = trail_nomination_label(json_string_value(json_object_get(p, "nomination")));

			if (label)
				json_object_set_new(p, "nomination_label", json_string(label));
		}
	}
	json_object_set_new(http_model(r), "trail", json_pack("{s:o,s:I,s:I}", "posts", posts,
							      "nominated", (json_int_t)nominated,
							      "ideas", (json_int_t)json_object_size(seen)));
	json_decref(seen);
	return 0;
}

void
trail_idea_sources(json_t *idea)
{
	json_t *sources = json_object_get(idea, "sources"), *s, *authors = json_object();
	size_t i, doer_posts = 0;

	json_array_foreach(sources, i, s) {
		json_t *role = json_object_get(s, "community_role");
		const char *kind = json_string_value(json_object_get(role, "kind"));
		bool doer = kind && strcmp(kind, "doer") == 0;
		const char *who = json_string_value(json_object_get(json_object_get(s, "author"), "username"));

		json_object_set_new(s, "from_practitioner", json_boolean(doer));
		if (doer) {
			doer_posts++;
			if (who)
				json_object_set_new(authors, who, json_true());
		}
	}
	json_object_set_new(idea, "source_summary",
			    json_pack("{s:I,s:I,s:I}", "posts", (json_int_t)json_array_size(sources),
				      "practitioner_posts", (json_int_t)doer_posts,
				      "practitioners", (json_int_t)json_object_size(authors)));
	json_decref(authors);
}
