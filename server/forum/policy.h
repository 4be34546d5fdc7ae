/* forum/policy.h — the forum's rules in one place: the states of posts and threads, who
 * may see, reply to, change and flag what, and why a new post waits for a moderator.
 * Pure functions of their arguments (no database, no request), unit-tested as tables in
 * tests/unit/test_policy.c. Permission roles are auth's (enum auth_role in auth/auth.h:
 * auth resolves them for every request and must not depend on forum/). */
#ifndef CORRAL_FORUM_POLICY_H
#define CORRAL_FORUM_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"
#include "core/ctx.h"

/* The state of a post or a thread (schema/0003_forum.sql: posts.state, threads.state).
 * The names are the database and API values. */
enum policy_state { STATE_VISIBLE, STATE_PENDING, STATE_HIDDEN, STATE_DELETED };
#define POLICY_STATES 4

/* "visible", "pending", "hidden", "deleted". */
const char *policy_state_name(enum policy_state s);
/* The state named name. The database allows no other names; anything else (or NULL) is
 * taken as STATE_DELETED, the state only moderators see, so a surprise hides, never shows. */
enum policy_state policy_state_parse(const char *name);

/* v is signed in with the moderator or admin role. v NULL: nobody signed in. */
bool policy_is_moderator(const struct viewer *v);
/* v is signed in with the admin role. */
bool policy_is_admin(const struct viewer *v);

/* May v see a thread, or a post taken alone, in state s written by author_id? Moderators
 * see every state; everyone else what is visible, and authors their own while it waits. */
bool policy_may_see(const struct viewer *v, enum policy_state s, int64_t author_id);
/* May v see a post (state post, by author_id) in a thread in state thread? Both must be
 * visible to v, the thread judged with the post's author. v NULL: what is public. */
bool policy_may_see_post(const struct viewer *v, enum policy_state post, enum policy_state thread,
			 int64_t author_id);

/* May v (signed in, not suspended: the caller checked) reply in a thread in state thread?
 * HERR_OK; HERR_FORBIDDEN while the thread is not visible, HERR_LOCKED when it is locked
 * (moderators pass both). *ret_why gets the user-facing sentence of a refusal. */
enum herr policy_reply(const struct viewer *v, enum policy_state thread, bool locked, const char **ret_why);
/* Does a page offer v the reply form? Signed in, not suspended, the thread visible, and
 * policy_reply allows it. */
bool policy_can_reply(const struct viewer *v, enum policy_state thread, bool locked);

/* May v (signed in: the caller checked) edit or delete a post in state post by
 * author_id, in a thread that is locked or not? Moderators always; authors while not
 * suspended, the thread open and the post not deleted. HERR_OK, or HERR_FORBIDDEN /
 * HERR_LOCKED / HERR_NOT_FOUND (deleted) with *ret_why set. */
enum herr policy_change(const struct viewer *v, enum policy_state post, int64_t author_id, bool locked,
			const char **ret_why);
/* Does a page offer v the edit link? policy_change allows it and the post is not deleted. */
bool policy_can_edit(const struct viewer *v, enum policy_state post, int64_t author_id, bool locked);
/* Does a page offer v the flag button? Signed in, not suspended, not the author, the post
 * visible. */
bool policy_can_flag(const struct viewer *v, enum policy_state post, int64_t author_id);

/* May v (signed in: the caller checked) restore a deleted post by author_id? Moderators
 * always; its author while not suspended, the thread open, when the author deleted it
 * (by_author) and within the restore window (recent). HERR_OK, or HERR_FORBIDDEN /
 * HERR_LOCKED with *ret_why set. */
enum herr policy_restore(const struct viewer *v, int64_t author_id, bool by_author, bool recent, bool locked,
			 const char **ret_why);

/* Does a page offer v (a moderator) hiding a post in state post? Visible and pending posts. */
bool policy_can_hide(const struct viewer *v, enum policy_state post);
/* Does a page offer v (a moderator) unhiding a post in state post? Hidden posts. */
bool policy_can_unhide(const struct viewer *v, enum policy_state post);

/* --- who may write --- */

/* Why a signed-in account may not write posts (threads, replies, idea nominations). */
enum policy_write { WRITE_OK, WRITE_SUSPENDED, WRITE_UNVERIFIED };
/* May v (signed in: the caller checked) write posts? Not while suspended; and, when the
 * forum requires a confirmed address (--require-verified-email), not before v confirmed
 * one, except moderators and admins, who are always trusted. */
enum policy_write policy_may_post(const struct viewer *v, bool require_verified_email);
/* May v (signed in) start a thread or reply in a category that requires a declared
 * affiliation (required) or not, having declared one (declared) or not? Always for
 * moderators and admins (notices go anywhere) and doers (the rule is about helpers' posts,
 * v->community_kind); helpers when it is not required or they declared one. */
bool policy_affiliation_ok(const struct viewer *v, bool required, bool declared);

/* --- reactions and accepted answers (forum/reactions.c, forum/answers.c) --- */

/* May v (signed in, not suspended: the caller checked) react to a post in state post by
 * author_id, in a thread in state thread? Only visible posts of visible threads, never
 * one's own. HERR_OK, or HERR_FORBIDDEN / HERR_NOT_FOUND with *ret_why set (and
 * *ret_reason a short code for the API: "own_post", "not_visible"). */
enum herr policy_react(const struct viewer *v, enum policy_state post, enum policy_state thread, int64_t author_id,
		       const char **ret_why, const char **ret_reason);
/* Does a page offer v the reaction buttons? Signed in, not suspended, policy_react allows. */
bool policy_can_react(const struct viewer *v, enum policy_state post, enum policy_state thread, int64_t author_id);
/* May v mark (or unmark) the accepted answer of a thread started by thread_author in a
 * question-style category or not? The thread's author (not suspended) or a moderator, and
 * only in question-style categories. HERR_OK, or HERR_FORBIDDEN / HERR_CONFLICT (not a
 * question-style category) with *ret_why set. */
enum herr policy_accept(const struct viewer *v, int64_t thread_author, bool question_style, const char **ret_why);
/* Does a page offer v the "mark as the answer" buttons? policy_accept allows it. */
bool policy_can_accept(const struct viewer *v, int64_t thread_author, bool question_style);

/* Ask the doers: the thread's author (not while suspended) or a moderator asks its question
 * of the practitioners, or closes the ask; a locked thread takes no answers, so no ask. */
enum herr policy_ask(const struct viewer *v, int64_t thread_author, bool locked, const char **ret_why);
bool policy_can_ask(const struct viewer *v, int64_t thread_author, bool locked);

/* --- holding new posts back --- */

/* Why a new post waits for a moderator. */
enum policy_hold { HOLD_NONE, HOLD_NEW_ACCOUNT, HOLD_TOO_MANY_LINKS, HOLD_POSTING_TOO_FAST };

/* The numbers of the rules (from the forum and moderation settings). */
struct policy_limits {
	int trust_posts;   /* approved posts before an author's posts go live at once */
	int spam_links;    /* a post with more author links than this waits (trusted members too) */
	int spam_burst;    /* this many posts in the pace window: the next ones wait */
};

/* NULL for HOLD_NONE, else the queue reason: "new_account", "too_many_links",
 * "posting_too_fast". */
const char *policy_hold_name(enum policy_hold h);
/* Does a post with links author links break the link rule? Never for moderators. Edits
 * are checked with it too: a post approved once cannot gain links unseen. */
bool policy_too_many_links(const struct policy_limits *l, const struct viewer *v, size_t links);
/* Why a new post by v (signed in) with links author links waits, when v wrote
 * recent_posts posts in the pace window before it: HOLD_NONE for moderators; else the
 * first of new account (fewer approved posts than trust_posts), too many links, posting
 * too fast. */
enum policy_hold policy_hold(const struct policy_limits *l, const struct viewer *v, size_t links,
			     int64_t recent_posts);
/* The state a new post (and a new thread) starts in: pending when it is held. */
enum policy_state policy_initial_state(enum policy_hold h);

#endif
