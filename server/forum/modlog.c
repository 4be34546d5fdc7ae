/* forum/modlog.c — the moderation log: appending an entry (in the caller's transaction)
 * and the log pages (/mod/log, /api/v1/mod/log), newest first, each entry in words with
 * links, filtered by moderator, action and kind of target. */
#include "forum/modlog.h"

#include <string.h>

#include "auth/auth.h"
#include "core/buf.h"
#include "db/db.h"
#include "forum/ideas_status.h"
#include "forum/routes.h"
#include "forum/users.h"
#include "http/http.h"
#include "render/jsontext.h"

#define MODLOG_PAGE 50

int
modlog_add(struct ctx *c, int64_t actor_id, const char *action, const char *target_type,
	   const char *target_id, const char *reason, json_t *details)
{
	const char *d = details ? jsontext_arena(c->arena, details, JSON_COMPACT) : NULL;
	PGresult *res;

	json_decref(details);   /* callers hand over a new reference (json_pack) */
	res = db_q(c, STMT_MODLOG_ADD, actor_id ? db_int(c, actor_id) : NULL, action, target_type,
		   target_id, reason, d);
	return res ? 0 : -1;
}

/* --- each entry in words --- */

/* What each action did, in words. type NULL: whatever the target. noun: how a post target
 * is called; label: the action in the page's filter (NULL: listed under another entry). */
static const struct modlog_verb {
	const char *action, *type, *verb, *noun, *label;
} modlog_verbs[] = {
	{ "approve", "queue_item", "approved", "a waiting post", "Approve a waiting post" },
	{ "reject", "queue_item", "rejected", "a waiting post", "Reject a waiting post" },
	{ "dismiss", "queue_item", "dismissed the flags on", "a post", "Dismiss flags" },
	{ "hide", "queue_item", "hid", "a flagged post", "Hide a flagged post" },
	{ "delete", "queue_item", "deleted", "a flagged post", "Delete a flagged post" },
	{ "suspend", "queue_item", "hid and suspended the author of", "a flagged post", NULL },
	{ "accept", "queue_item", "made an idea of", "a nominated post", "Accept a nomination as an idea" },
	{ "attach", "queue_item", "attached", "a nominated post", "Attach a nomination to an idea" },
	{ "decline", "queue_item", "declined the nomination of", "a post", "Decline a nomination" },
	{ "edit_post", NULL, "edited", "a post", "Edit a post" },
	{ "delete_post", NULL, "deleted", "a post", "Delete a post" },
	{ "restore_post", NULL, "restored", "a post", "Restore a post" },
	{ "hide_post", NULL, "hid", "a post", "Hide a post" },
	{ "unhide_post", NULL, "unhid", "a post", "Unhide a post" },
	{ "lock", NULL, "locked", NULL, "Lock a thread" },
	{ "unlock", NULL, "unlocked", NULL, "Unlock a thread" },
	{ "pin", NULL, "pinned", NULL, "Pin a thread" },
	{ "unpin", NULL, "unpinned", NULL, "Unpin a thread" },
	{ "move", NULL, "moved", NULL, "Move a thread" },
	{ "merge", NULL, "merged", NULL, "Merge threads" },
	{ "split", NULL, "split replies off", NULL, "Split a thread" },
	{ "rename_thread", NULL, "renamed", NULL, "Rename a thread" },
	{ "accept_answer", NULL, "marked the accepted answer of", NULL, "Mark a thread's answer" },
	{ "unaccept_answer", NULL, "unmarked the accepted answer of", NULL, "Unmark a thread's answer" },
	{ "suspend", NULL, "suspended", NULL, "Suspend a member" },
	{ "lift_suspension", NULL, "lifted the suspension of", NULL, "Lift a suspension" },
	{ "reveal_author", NULL, "looked up who wrote", "an anonymous post", "Reveal who wrote an anonymous post" },
	/* through the post, named or not: the log says "a post" so it names neither the author
	 * nor whether the post was anonymous */
	{ "suspend_author", NULL, "suspended the author of", "a post", "Suspend the author of a post" },
	{ "lift_suspension_author", NULL, "lifted the suspension of the author of", "a post",
	  "Lift the suspension of a post's author" },
	{ "verify_role", NULL, "verified the community role of", NULL, "Verify a community role" },
	{ "unverify_role", NULL, "took back the verified mark of", NULL, "Take back a verified mark" },
	{ "reject_verification", NULL, "declined to verify the community role of", NULL, "Decline a role verification" },
	{ "set_role", NULL, "set the role of", NULL, "Set a member's role" },
	{ "delete_account", NULL, "deleted the account of", NULL, "Delete an account" },
	{ "delete_own_account", NULL, "deleted their account", NULL, "Delete one's own account" },
	{ "create_idea", NULL, "created", NULL, "Create an idea" },
	{ "idea_status", NULL, "moved", NULL, "Change an idea's status" },
	{ "edit_idea", NULL, "edited", NULL, "Edit an idea" },
	{ "merge_idea", NULL, "merged", NULL, "Merge ideas" },
	{ "accept_proposal", NULL, "accepted the proposed idea", NULL, "Accept a proposed idea" },
	{ "decline_proposal", NULL, "declined a proposed idea of", NULL, "Decline a proposed idea" },
	{ "hide_idea_comment", NULL, "hid a comment on", NULL, "Hide an idea comment" },
	{ "unhide_idea_comment", NULL, "showed again a comment on", NULL, "Show an idea comment again" },
	{ "create_category", NULL, "created the category", NULL, "Create a category" },
	{ "update_category", NULL, "changed the category", NULL, "Change a category" },
	{ "move_category", NULL, "moved the category", NULL, "Move a category" },
	{ "update_site", NULL, "changed", NULL, "Change the site's name or texts" },
	{ "create_community_role", NULL, "added the community role", NULL, "Add a community role" },
	{ "update_community_role", NULL, "changed the community role", NULL, "Change a community role" },
	{ "create_survey", NULL, "created the survey", NULL, "Create a survey" },
	{ "update_survey", NULL, "edited the survey", NULL, "Edit a survey" },
	{ "close_survey", NULL, "closed the survey", NULL, "Close a survey" },
	{ "create_tag", NULL, "created the tag", NULL, "Create a tag" },
	{ "update_tag", NULL, "changed the tag", NULL, "Change a tag" },
	{ "delete_tag", NULL, "deleted the tag", NULL, "Delete a tag" },
	{ "tag_thread", NULL, "changed the tags of", NULL, "Change a thread's tags" },
};
#define MODLOG_VERBS (sizeof modlog_verbs / sizeof modlog_verbs[0])

/* The kinds of target a reader filters by ('post' includes queue decisions). */
static const char *const modlog_targets[] = { "user", "thread", "post", "idea", "category", "community_role",
					      "survey", "site", "tag", NULL };
static const char *const modlog_target_labels[] = { "a member", "a thread", "a post", "an idea", "a category",
						    "a community role", "a survey", "the site", "a tag" };

static const struct modlog_verb *
modlog_verb(const char *action, const char *type)
{
	for (size_t i = 0; i < MODLOG_VERBS; i++)
		if (strcmp(modlog_verbs[i].action, action) == 0 &&
		    (modlog_verbs[i].type == NULL || strcmp(modlog_verbs[i].type, type) == 0))
			return &modlog_verbs[i];
	return NULL;
}

/* A sentence being built: its parts (text, and a link when there is one) and its text. */
struct modlog_words {
	struct arena *arena;
	json_t *parts;
	struct buf text;
};

static void
modlog_say(struct modlog_words *w, const char *text, const char *href)
{
	if (text == NULL)
		return;
	json_array_append_new(w->parts, href ? json_pack("{s:s,s:s}", "text", text, "href", href)
					     : json_pack("{s:s}", "text", text));
	buf_puts(&w->text, text);
}

static const char *
modlog_about(json_t *about, const char *key)
{
	return json_string_value(json_object_get(about, key));
}

static json_int_t
modlog_about_id(json_t *about, const char *key)
{
	return json_integer_value(json_object_get(about, key));
}

/* The profile of a name, or NULL for a deleted member (schema/0021: "deleted member 17"
 * is no username, and no page). */
static const char *
modlog_profile(struct arena *a, const char *name)
{
	return name && users_name_valid(name) ? arena_printf(a, "/u/%s", name) : NULL;
}

static const char *
modlog_quoted(struct modlog_words *w, const char *s)
{
	return s ? arena_printf(w->arena, "“%s”", s) : NULL;
}

/* What the entry acted on: a post (with its author and thread), a thread, a member… */
static void
modlog_say_target(struct modlog_words *w, const char *type, const char *id, const struct modlog_verb *v,
		  json_t *about)
{
	struct arena *a = w->arena;
	const char *title = modlog_quoted(w, modlog_about(about, "thread_title"));

	if (modlog_about_id(about, "post_id")) {
		modlog_say(w, v && v->noun ? v->noun : "a post",
			   arena_printf(a, "/t/%lld#p%lld", (long long)modlog_about_id(about, "thread_id"),
					(long long)modlog_about_id(about, "post_id")));
		modlog_say(w, " by ", NULL);
		/* No author: the post is anonymous (schema/0034), and the log is read by members. */
		if (modlog_about(about, "post_author"))
			modlog_say(w, modlog_about(about, "post_author"),
				   modlog_profile(a, modlog_about(about, "post_author")));
		else
			modlog_say(w, "a verified practitioner", NULL);
		modlog_say(w, " in ", NULL);
		modlog_say(w, title, arena_printf(a, "/t/%lld", (long long)modlog_about_id(about, "thread_id")));
	} else if (strcmp(type, "thread") == 0 && title) {
		modlog_say(w, "the thread ", NULL);
		modlog_say(w, title, arena_printf(a, "/t/%s", id));
	} else if (strcmp(type, "user") == 0 && modlog_about(about, "username")) {
		modlog_say(w, modlog_about(about, "username"), modlog_profile(a, modlog_about(about, "username")));
	} else if (strcmp(type, "idea") == 0) {
		modlog_say(w, arena_printf(a, "IDEA-%s", id), arena_printf(a, "/ideas/%s", id));
		if (modlog_about(about, "idea_title"))
			modlog_say(w, arena_printf(a, " “%s”", modlog_about(about, "idea_title")), NULL);
	} else if (strcmp(type, "category") == 0 && modlog_about(about, "name")) {
		modlog_say(w, modlog_quoted(w, modlog_about(about, "name")), arena_printf(a, "/c/%s", id));
	} else if (strcmp(type, "survey") == 0 && modlog_about(about, "name")) {
		modlog_say(w, modlog_quoted(w, modlog_about(about, "name")), arena_printf(a, "/surveys/%s", id));
	} else if (strcmp(type, "community_role") == 0 && modlog_about(about, "name")) {
		modlog_say(w, modlog_quoted(w, modlog_about(about, "name")), NULL);
	} else if (strcmp(type, "tag") == 0) {   /* named by the tag; a deleted one links nowhere */
		modlog_say(w, id, NULL);
	} else if (strcmp(type, "site") == 0) {
		modlog_say(w, "the site's name and texts", "/admin#site");
	} else {   /* gone since, or a kind without a name */
		modlog_say(w, arena_printf(a, "%s %s", type, id), NULL);
	}
}

/* Where to: the category of a move, the other thread of a merge or split, a role… */
static void
modlog_say_outcome(struct modlog_words *w, const char *action, json_t *about, json_t *details)
{
	struct arena *a = w->arena;
	const char *s;

	if (strcmp(action, "move") == 0 && modlog_about(about, "category_name")) {
		modlog_say(w, " to ", NULL);
		modlog_say(w, modlog_quoted(w, modlog_about(about, "category_name")),
			   arena_printf(a, "/c/%s", modlog_about(about, "category_slug")));
	} else if ((strcmp(action, "merge") == 0 || strcmp(action, "split") == 0) &&
		   modlog_about(about, "other_thread_title")) {
		modlog_say(w, strcmp(action, "merge") == 0 ? " into " : " into a new thread ", NULL);
		modlog_say(w, modlog_quoted(w, modlog_about(about, "other_thread_title")),
			   arena_printf(a, "/t/%lld", (long long)modlog_about_id(about, "other_thread_id")));
		if (json_is_integer(json_object_get(details, "posts"))) {   /* logged since issue 16 */
			json_int_t n = json_integer_value(json_object_get(details, "posts"));

			modlog_say(w, arena_printf(a, " (%lld post%s)", (long long)n, n == 1 ? "" : "s"), NULL);
		}
	} else if (strcmp(action, "merge_idea") == 0 && json_integer_value(json_object_get(details, "into"))) {
		json_int_t into = json_integer_value(json_object_get(details, "into"));

		modlog_say(w, " into ", NULL);
		modlog_say(w, arena_printf(a, "IDEA-%lld", (long long)into), arena_printf(a, "/ideas/%lld", (long long)into));
	} else if (strcmp(action, "rename_thread") == 0 && (s = json_string_value(json_object_get(details, "from")))) {
		modlog_say(w, arena_printf(a, " (it was “%s”)", s), NULL);
	} else if (strcmp(action, "move_category") == 0 &&
		   (s = json_string_value(json_object_get(details, "direction")))) {
		modlog_say(w, arena_printf(a, " %s", s), NULL);
	} else if (strcmp(action, "tag_thread") == 0 && json_is_array(json_object_get(details, "to"))) {
		json_t *tag;
		size_t i;

		modlog_say(w, json_array_size(json_object_get(details, "to")) ? " to " : " (no tags now)", NULL);
		json_array_foreach(json_object_get(details, "to"), i, tag)
			modlog_say(w, arena_printf(a, "%s%s", i ? ", " : "", json_string_value(tag)), NULL);
	} else if (strcmp(action, "update_tag") == 0 && json_is_string(json_object_get(details, "name")) &&
		   (s = json_string_value(json_object_get(details, "from")))) {
		modlog_say(w, arena_printf(a, " (it was “%s”)", s), NULL);
	} else if (strcmp(action, "attach") == 0) {
		modlog_say(w, " to an idea", NULL);
	} else if (strcmp(action, "set_role") == 0 && (s = json_string_value(json_object_get(details, "role")))) {
		modlog_say(w, arena_printf(a, " to %s", s), NULL);
	} else if (strcmp(action, "idea_status") == 0 && (s = json_string_value(json_object_get(details, "to")))) {
		modlog_say(w, arena_printf(a, " to “%s”", ideas_status_label(s)), NULL);
	} else if (strcmp(action, "suspend") == 0 && (s = json_string_value(json_object_get(details, "until")))) {
		modlog_say(w, arena_printf(a, " until %s", s), NULL);
	} else if (strcmp(action, "suspend") == 0 && json_is_null(json_object_get(details, "until"))) {
		modlog_say(w, " until a moderator lifts it", NULL);
	}
}

/* entry gets "summary" (the sentence) and "words" (its parts, with links); "about" goes. */
static void
modlog_in_words(struct arena *arena, json_t *entry)
{
	struct modlog_words w = { .arena = arena, .parts = json_array(), .text = BUF_INIT };
	const char *action = json_string_value(json_object_get(entry, "action"));
	const char *type = json_string_value(json_object_get(entry, "target_type"));
	const char *id = json_string_value(json_object_get(entry, "target_id"));
	const char *actor = json_string_value(json_object_get(json_object_get(entry, "actor"), "username"));
	const struct modlog_verb *v = modlog_verb(action, type);
	json_t *about = json_object_get(entry, "about");

	if (actor)
		modlog_say(&w, actor, modlog_profile(arena, actor));
	else
		modlog_say(&w, "The command line", NULL);
	if (strcmp(action, "delete_own_account") == 0) {   /* the actor is the target */
		modlog_say(&w, arena_printf(arena, " %s", v->verb), NULL);
	} else {
		modlog_say(&w, arena_printf(arena, " %s ", v ? v->verb : action), NULL);
		modlog_say_target(&w, type, id, v, about);
		modlog_say_outcome(&w, action, about, json_object_get(entry, "details"));
	}
	json_object_set_new(entry, "summary", json_string(w.text.data ? w.text.data : ""));
	json_object_set_new(entry, "words", w.parts);
	json_object_del(entry, "about");
	buf_free(&w.text);
}

/* --- the pages --- */

struct modlog_filter {
	const char *moderator, *action, *target;   /* NULL: any */
};

/* ?moderator=&action=&target=: an empty value is no filter; 400 for what is not one. */
static int
modlog_filter_read(struct req *r, struct modlog_filter *f)
{
	size_t i;

	f->moderator = http_query(r, "moderator");
	f->action = http_query(r, "action");
	f->target = http_query(r, "target");
	if (r->c.err != HERR_OK)
		return -1;
	if (f->moderator && *f->moderator == '\0')
		f->moderator = NULL;
	if (f->action && *f->action == '\0')
		f->action = NULL;
	if (f->target && *f->target == '\0')
		f->target = NULL;
	if (f->moderator && strlen(f->moderator) > 32) {
		http_fail(r, HERR_INVALID, "moderator", "moderator is a username.");
		return -1;
	}
	for (i = 0; f->action && i < MODLOG_VERBS && strcmp(modlog_verbs[i].action, f->action) != 0; i++)
		;
	if (f->action && i == MODLOG_VERBS) {
		http_fail(r, HERR_INVALID, "action", "action is not an action of the log.");
		return -1;
	}
	for (i = 0; f->target && modlog_targets[i] && strcmp(modlog_targets[i], f->target) != 0; i++)
		;
	if (f->target && modlog_targets[i] == NULL) {
		http_fail(r, HERR_INVALID, "target",
			  "target is user, thread, post, idea, category, community_role, survey or site.");
		return -1;
	}
	return 0;
}

static json_t *
modlog_option(const char *value, const char *label, const char *chosen)
{
	return json_pack("{s:s,s:s,s:b}", "value", value, "label", label, "selected",
			 chosen && strcmp(chosen, value) == 0);
}

/* The filter form's choices, with the current ones selected, and the query string that
 * keeps the filters across pages. */
static int
modlog_filter_model(struct req *r, const struct modlog_filter *f)
{
	json_t *mods = json_array(), *actions = json_array(), *targets = json_array();
	struct buf q = BUF_INIT;
	PGresult *res;
	int i;

	json_object_set_new(r->model, "filters", json_pack("{s:o,s:o,s:o}", "moderators", mods, "actions", actions,
							  "targets", targets));
	if ((res = db_q0(&r->c, STMT_MODLOG_MODERATORS)) == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++)
		json_array_append_new(mods, modlog_option(db_str(res, i, 0), db_str(res, i, 0), f->moderator));
	for (size_t k = 0; k < MODLOG_VERBS; k++)
		if (modlog_verbs[k].label)
			json_array_append_new(actions, modlog_option(modlog_verbs[k].action, modlog_verbs[k].label,
								      f->action));
	for (i = 0; modlog_targets[i]; i++)
		json_array_append_new(targets, modlog_option(modlog_targets[i], modlog_target_labels[i], f->target));
	if (f->moderator) {
		buf_puts(&q, "&moderator=");
		buf_url_escape(&q, f->moderator, strlen(f->moderator));
	}
	if (f->action)
		buf_printf(&q, "&action=%s", f->action);   /* one of the table's names */
	if (f->target)
		buf_printf(&q, "&target=%s", f->target);
	json_object_set_new(r->model, "filter_query", json_string(q.data ? q.data : ""));
	buf_free(&q);
	return 0;
}

/* One page of entries, and the pages before and after it; signed-in members only. */
static enum herr
modlog_page(struct req *r)
{
	struct modlog_filter f;
	int64_t page;
	PGresult *res;
	json_t *entries, *e;
	size_t i;

	if (auth_require(r, ROLE_MEMBER) != 0 || http_query_int(r, "page", 1, 1000000, 1, &page) != 0 ||
	    modlog_filter_read(r, &f) != 0)
		return r->c.err;
	/* One row more than a page says whether there is a next one. */
	if ((res = db_q(&r->c, STMT_MODLOG_PAGE, db_int(&r->c, MODLOG_PAGE + 1),
			db_int(&r->c, (page - 1) * MODLOG_PAGE), f.moderator, f.action, f.target)) == NULL)
		return r->c.err;
	entries = db_rows_json(res);
	json_object_set_new(http_model(r), "next_page",
			    json_array_size(entries) > MODLOG_PAGE ? json_integer(page + 1) : json_null());
	if (json_array_size(entries) > MODLOG_PAGE)
		json_array_remove(entries, MODLOG_PAGE);
	json_array_foreach(entries, i, e)
		modlog_in_words(r->c.arena, e);
	json_object_set_new(r->model, "entries", entries);
	if (page > 1)
		json_object_set_new(r->model, "prev_page", json_integer(page - 1));
	if (r->html && modlog_filter_model(r, &f) != 0)
		return r->c.err;
	return HERR_OK;
}

const struct route modlog_routes[] = {
	{ "GET", "/mod/log", modlog_page, .view = "modlog", .title = "Moderation log" },
	{ "GET", "/api/v1/mod/log", modlog_page },
};
const size_t modlog_routes_n = ROUTES_N(modlog_routes);
