/* forum/policy.c — the forum's rules: post and thread states, who may see, reply to,
 * change and flag what, and why a new post waits. No database, no request. */
#include "forum/policy.h"

#include <string.h>

static const char *const policy_states[POLICY_STATES] = { "visible", "pending", "hidden", "deleted" };

const char *
policy_state_name(enum policy_state s)
{
	return (unsigned)s < POLICY_STATES ? policy_states[s] : "deleted";
}

enum policy_state
policy_state_parse(const char *name)
{
	for (int i = 0; name && i < POLICY_STATES; i++)
		if (strcmp(name, policy_states[i]) == 0)
			return (enum policy_state)i;
	return STATE_DELETED;
}

bool
policy_is_moderator(const struct viewer *v)
{
	return v && v->role >= ROLE_MODERATOR;
}

bool
policy_is_admin(const struct viewer *v)
{
	return v && v->role >= ROLE_ADMIN;
}

bool
policy_may_see(const struct viewer *v, enum policy_state s, int64_t author_id)
{
	if (policy_is_moderator(v) || s == STATE_VISIBLE)
		return true;
	return s == STATE_PENDING && v && v->id == author_id;
}

bool
policy_may_see_post(const struct viewer *v, enum policy_state post, enum policy_state thread,
		    int64_t author_id)
{
	return policy_may_see(v, thread, author_id) && policy_may_see(v, post, author_id);
}

enum policy_write
policy_may_post(const struct viewer *v, bool require_verified_email)
{
	if (v->suspended)
		return WRITE_SUSPENDED;
	if (require_verified_email && !v->email_verified && !policy_is_moderator(v))
		return WRITE_UNVERIFIED;
	return WRITE_OK;
}

bool
policy_affiliation_ok(const struct viewer *v, bool required, bool declared)
{
	if (policy_is_moderator(v) || v->community_kind == NULL || strcmp(v->community_kind, "helper") != 0)
		return true;
	return !required || declared;
}

enum herr
policy_reply(const struct viewer *v, enum policy_state thread, bool locked, const char **ret_why)
{
	if (policy_is_moderator(v))
		return HERR_OK;
	if (thread != STATE_VISIBLE) {
		*ret_why = "This thread is waiting for a moderator.";
		return HERR_FORBIDDEN;
	}
	if (locked) {
		*ret_why = "The thread is locked: no more replies.";
		return HERR_LOCKED;
	}
	return HERR_OK;
}

bool
policy_can_reply(const struct viewer *v, enum policy_state thread, bool locked)
{
	const char *why;

	return v && !v->suspended && thread == STATE_VISIBLE && policy_reply(v, thread, locked, &why) == HERR_OK;
}

enum herr
policy_change(const struct viewer *v, enum policy_state post, int64_t author_id, bool locked,
	      const char **ret_why)
{
	if (policy_is_moderator(v))
		return HERR_OK;
	if (v == NULL || v->id != author_id) {
		*ret_why = "You can only change your own posts.";
		return HERR_FORBIDDEN;
	}
	if (v->suspended) {
		*ret_why = "Your account is suspended.";
		return HERR_FORBIDDEN;
	}
	if (locked) {
		*ret_why = "The thread is locked.";
		return HERR_LOCKED;
	}
	if (post == STATE_DELETED) {
		*ret_why = "The post was deleted.";
		return HERR_NOT_FOUND;
	}
	return HERR_OK;
}

bool
policy_can_edit(const struct viewer *v, enum policy_state post, int64_t author_id, bool locked)
{
	const char *why;

	return v && post != STATE_DELETED && policy_change(v, post, author_id, locked, &why) == HERR_OK;
}

bool
policy_can_flag(const struct viewer *v, enum policy_state post, int64_t author_id)
{
	return v && v->id != author_id && !v->suspended && post == STATE_VISIBLE;
}

enum herr
policy_restore(const struct viewer *v, int64_t author_id, bool by_author, bool recent, bool locked,
	       const char **ret_why)
{
	enum herr e;

	/* The same rules as changing the post, which stop at its being deleted. */
	if ((e = policy_change(v, STATE_VISIBLE, author_id, locked, ret_why)) != HERR_OK ||
	    policy_is_moderator(v))
		return e;
	if (!by_author) {
		*ret_why = "A moderator deleted this post; only a moderator can restore it.";
		return HERR_FORBIDDEN;
	}
	if (!recent) {
		*ret_why = "A post can be restored for 24 hours after it was deleted; that time is over.";
		return HERR_FORBIDDEN;
	}
	return HERR_OK;
}

bool
policy_can_hide(const struct viewer *v, enum policy_state post)
{
	return policy_is_moderator(v) && (post == STATE_VISIBLE || post == STATE_PENDING);
}

bool
policy_can_unhide(const struct viewer *v, enum policy_state post)
{
	return policy_is_moderator(v) && post == STATE_HIDDEN;
}

/* --- holding new posts back --- */

const char *
policy_hold_name(enum policy_hold h)
{
	switch (h) {
	case HOLD_NEW_ACCOUNT:
		return "new_account";
	case HOLD_TOO_MANY_LINKS:
		return "too_many_links";
	case HOLD_POSTING_TOO_FAST:
		return "posting_too_fast";
	case HOLD_NONE:
		break;
	}
	return NULL;
}

bool
policy_too_many_links(const struct policy_limits *l, const struct viewer *v, size_t links)
{
	return !policy_is_moderator(v) && (long long)links > (long long)l->spam_links;
}

enum policy_hold
policy_hold(const struct policy_limits *l, const struct viewer *v, size_t links, int64_t recent_posts)
{
	if (policy_is_moderator(v))
		return HOLD_NONE;
	if (v->approved_posts < l->trust_posts)
		return HOLD_NEW_ACCOUNT;
	if (policy_too_many_links(l, v, links))
		return HOLD_TOO_MANY_LINKS;
	if (recent_posts >= l->spam_burst)
		return HOLD_POSTING_TOO_FAST;
	return HOLD_NONE;
}

enum policy_state
policy_initial_state(enum policy_hold h)
{
	return h == HOLD_NONE ? STATE_VISIBLE : STATE_PENDING;
}

/* --- reactions and accepted answers --- */

enum herr
policy_react(const struct viewer *v, enum policy_state post, enum policy_state thread, int64_t author_id,
	     const char **ret_why, const char **ret_reason)
{
	if (!policy_may_see_post(v, post, thread, author_id)) {
		*ret_why = "There is no such post.";
		*ret_reason = "not_visible";
		return HERR_NOT_FOUND;
	}
	if (post != STATE_VISIBLE || thread != STATE_VISIBLE) {
		*ret_why = "Only visible posts take reactions.";
		*ret_reason = "not_visible";
		return HERR_FORBIDDEN;
	}
	if (v == NULL || v->id == author_id) {
		*ret_why = "You cannot react to your own post.";
		*ret_reason = "own_post";
		return HERR_FORBIDDEN;
	}
	return HERR_OK;
}

bool
policy_can_react(const struct viewer *v, enum policy_state post, enum policy_state thread, int64_t author_id)
{
	const char *why, *reason;

	return v && !v->suspended && policy_react(v, post, thread, author_id, &why, &reason) == HERR_OK;
}

enum herr
policy_accept(const struct viewer *v, int64_t thread_author, bool question_style, const char **ret_why)
{
	if (v == NULL || (!policy_is_moderator(v) && (v->id != thread_author || v->suspended))) {
		*ret_why = "Only the thread's author or a moderator marks its answer.";
		return HERR_FORBIDDEN;
	}
	if (!question_style) {
		*ret_why = "Answers are marked only in question-style categories.";
		return HERR_CONFLICT;
	}
	return HERR_OK;
}

bool
policy_can_accept(const struct viewer *v, int64_t thread_author, bool question_style)
{
	const char *why;

	return policy_accept(v, thread_author, question_style, &why) == HERR_OK;
}

enum herr
policy_ask(const struct viewer *v, int64_t thread_author, bool locked, const char **ret_why)
{
	if (v == NULL || (!policy_is_moderator(v) && (v->id != thread_author || v->suspended))) {
		*ret_why = "Only the thread's author or a moderator asks the practitioners.";
		return HERR_FORBIDDEN;
	}
	if (locked) {
		*ret_why = "This thread is locked: it takes no answers, so it asks nobody.";
		return HERR_CONFLICT;
	}
	return HERR_OK;
}

bool
policy_can_ask(const struct viewer *v, int64_t thread_author, bool locked)
{
	const char *why;

	return policy_ask(v, thread_author, locked, &why) == HERR_OK;
}
