/* forum/posts.h — what threads.c and posts.c share: rendering a post body through the
 * Markdown pipeline with its mentions resolved, and the rules of who may post and when a
 * post waits (the rules themselves are in policy.h). */
#ifndef CORRAL_FORUM_POSTS_H
#define CORRAL_FORUM_POSTS_H

#include <stdbool.h>
#include <stdint.h>

#include "forum/policy.h"
#include "http/http.h"

struct page_posts;

struct post_body {
	const char *source;       /* as typed */
	const char *html;         /* rendered, arena */
	const char *version;      /* cmark version */
	const char *mention_ids;  /* "{1,2}" for SQL, or NULL */
	const char *idea_refs;    /* "{42,43}" for SQL, or NULL */
	int mentions;
	size_t links;             /* links the author wrote (the spam rule counts them) */
	bool anonymous;           /* shown as "a verified practitioner" (forum/anonymous.h) */
};

/* Read and render the body field (1–50 000 bytes, valid UTF-8, bounded render time).
 * 0, or -1 with 400 recorded on field "body". */
int posts_read_body(struct req *r, struct post_body *ret);

/* Store mentions and IDEA references of a post, in the transaction that inserts or edits
 * it (notifications are made at commit from the stored mentions). */
int posts_store_refs(struct ctx *c, int64_t post_id, const struct post_body *b, bool edit);

/* May the viewer post (threads, replies, idea nominations)? Signed in, not suspended, and
 * with a confirmed address when the forum requires one (policy_may_post). 0 or -1 (401 or
 * 403 recorded). */
int posts_may_write(struct req *r);
/* Count one post against the posting rate limit, once the request is known to be valid
 * (refused attempts do not use up the allowance). 0, or -1 with 429 recorded. */
int posts_count_write(struct req *r);

/* Why a new post by the viewer with body b waits for a moderator (policy_hold with the
 * forum's settings and the viewer's recent posts). 0 with *ret, or -1 (recorded). */
int posts_hold(struct req *r, const struct post_body *b, enum policy_hold *ret);

/* What the composer tells its author (new thread, reply box): {"trusted", "approvals_needed"}
 * — whether their posts appear at once, and if not, how many more must be approved
 * first; JSON null for anonymous viewers. A new reference. */
json_t *posts_composer(struct req *r);
/* Whether v's posts appear at once as far as the new-account rule goes; how many more of
 * their posts must be approved before they do (0 when trusted). */
bool posts_trusted(const struct viewer *v);
int posts_approvals_needed(const struct viewer *v);

/* Add "held": {"reason", "reason_text"} to each of the viewer's own pending posts in a
 * page of posts, saying why it waits. 0, or -1 (recorded). */
int posts_held_reasons(struct req *r, const struct page_posts *pp);

/* Forum settings given at start-up. */
struct forum_config {
	int trust_posts;        /* approved posts before an account is trusted */
	int post_limit;         /* posts per account per window */
	int post_window_s;
	int page_size;          /* posts per thread page */
	int ask_weekly_cap;     /* "ask the doers" notifications a practitioner gets a week */
};
/* The options setting forum_config but page_size (forum/options.c). */
extern const struct opt_table forum_opts;
void forum_configure(const struct forum_config *cfg);
const struct forum_config *forum_config(void);

#endif
