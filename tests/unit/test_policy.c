/* tests/unit/test_policy.c — the forum's rules (forum/policy.c) as tables: every state
 * against every kind of viewer, the author and someone else. */
#include <stdlib.h>

#include "forum/policy.h"
#include "tap.h"

/* The viewers of a row, in the order of the expectation strings below: '1' where the
 * rule allows, '0' where it refuses. */
enum { ANON, MEMBER_OWN, MEMBER_OTHER, MOD_OWN, MOD_OTHER, ADMIN_OWN, ADMIN_OTHER, N_VIEWERS };
static const char *const viewer_names[N_VIEWERS] = {
	"anonymous", "member (author)", "member", "moderator (author)", "moderator", "admin (author)", "admin",
};

#define AUTHOR 42
#define SOMEONE 7

static struct viewer member = { .id = AUTHOR, .role = ROLE_MEMBER, .approved_posts = 10 };
static struct viewer moderator = { .id = AUTHOR, .role = ROLE_MODERATOR };
static struct viewer admin = { .id = AUTHOR, .role = ROLE_ADMIN };

/* The viewer of column i and the author id that makes it the author or not. */
static const struct viewer *
viewer_of(int i, int64_t *ret_author)
{
	static const struct viewer *const who[N_VIEWERS] = { NULL, &member, &member, &moderator, &moderator,
							     &admin, &admin };

	*ret_author = i == ANON || i % 2 == 0 ? SOMEONE : AUTHOR;
	return who[i];
}

static void
test_names(void)
{
	for (int s = 0; s < POLICY_STATES; s++)
		is_int(policy_state_parse(policy_state_name((enum policy_state)s)), s, "state %s round-trips",
		       policy_state_name((enum policy_state)s));
	is_str(policy_state_name(STATE_VISIBLE), "visible", "visible is the database's name");
	is_str(policy_state_name(STATE_PENDING), "pending", "pending is the database's name");
	is_str(policy_state_name(STATE_HIDDEN), "hidden", "hidden is the database's name");
	is_str(policy_state_name(STATE_DELETED), "deleted", "deleted is the database's name");
	is_int(policy_state_parse("Visible"), STATE_DELETED, "an unknown name is the most restricted state");
	is_int(policy_state_parse(NULL), STATE_DELETED, "no name is the most restricted state");
	ok(!policy_is_moderator(NULL) && !policy_is_admin(NULL), "nobody signed in has no role");
	ok(!policy_is_moderator(&member) && policy_is_moderator(&moderator) && policy_is_moderator(&admin),
	   "moderators and admins moderate");
	ok(!policy_is_admin(&member) && !policy_is_admin(&moderator) && policy_is_admin(&admin), "only admins administer");
}

/* One rule over states × viewers: want[state] is a string of N_VIEWERS '0'/'1'. */
static void
check_table(const char *rule, bool (*fn)(const struct viewer *, enum policy_state, int64_t),
	    const char *const want[POLICY_STATES])
{
	for (int s = 0; s < POLICY_STATES; s++)
		for (int i = 0; i < N_VIEWERS; i++) {
			int64_t author;
			const struct viewer *v = viewer_of(i, &author);

			is_int(fn(v, (enum policy_state)s, author), want[s][i] == '1', "%s: %s, %s", rule,
			       policy_state_name((enum policy_state)s), viewer_names[i]);
		}
}

static bool
may_see_alone(const struct viewer *v, enum policy_state s, int64_t author)
{
	return policy_may_see(v, s, author);
}

static bool
can_edit_open(const struct viewer *v, enum policy_state s, int64_t author)
{
	return policy_can_edit(v, s, author, false);
}

static bool
can_edit_locked(const struct viewer *v, enum policy_state s, int64_t author)
{
	return policy_can_edit(v, s, author, true);
}

static bool
can_flag(const struct viewer *v, enum policy_state s, int64_t author)
{
	return policy_can_flag(v, s, author);
}

static bool
can_hide(const struct viewer *v, enum policy_state s, int64_t author)
{
	(void)author;
	return policy_can_hide(v, s);
}

static bool
can_unhide(const struct viewer *v, enum policy_state s, int64_t author)
{
	(void)author;
	return policy_can_unhide(v, s);
}

static bool
can_react(const struct viewer *v, enum policy_state s, int64_t author)
{
	return policy_can_react(v, s, STATE_VISIBLE, author);
}

static void
test_tables(void)
{
	/*                                          anon, member own/other, mod own/other, admin own/other */
	static const char *const see[POLICY_STATES] = { "1111111", "0101111", "0001111", "0001111" };
	static const char *const edit[POLICY_STATES] = { "0101111", "0101111", "0101111", "0000000" };
	static const char *const edit_locked[POLICY_STATES] = { "0001111", "0001111", "0001111", "0000000" };
	static const char *const flag[POLICY_STATES] = { "0010101", "0000000", "0000000", "0000000" };
	static const char *const hide[POLICY_STATES] = { "0001111", "0001111", "0000000", "0000000" };
	static const char *const unhide[POLICY_STATES] = { "0000000", "0000000", "0001111", "0000000" };
	/* reactions: visible posts of others only, whoever moderates */
	static const char *const react[POLICY_STATES] = { "0010101", "0000000", "0000000", "0000000" };

	check_table("may see", may_see_alone, see);
	check_table("can edit", can_edit_open, edit);
	check_table("can edit (locked)", can_edit_locked, edit_locked);
	check_table("can flag", can_flag, flag);
	check_table("can hide", can_hide, hide);
	check_table("can unhide", can_unhide, unhide);
	check_table("can react", can_react, react);
}

/* A post is seen only when its thread is seen too, both judged with the post's author. */
static void
test_may_see_post(void)
{
	for (int t = 0; t < POLICY_STATES; t++)
		for (int p = 0; p < POLICY_STATES; p++)
			for (int i = 0; i < N_VIEWERS; i++) {
				int64_t author;
				const struct viewer *v = viewer_of(i, &author);

				is_int(policy_may_see_post(v, (enum policy_state)p, (enum policy_state)t, author),
				       policy_may_see(v, (enum policy_state)t, author) &&
					       policy_may_see(v, (enum policy_state)p, author),
				       "post %s in thread %s: %s", policy_state_name((enum policy_state)p),
				       policy_state_name((enum policy_state)t), viewer_names[i]);
			}
	ok(policy_may_see_post(NULL, STATE_VISIBLE, STATE_VISIBLE, 0), "public: a visible post in a visible thread");
	ok(!policy_may_see_post(NULL, STATE_VISIBLE, STATE_PENDING, 0), "public: not in a pending thread");
	ok(!policy_may_see_post(NULL, STATE_HIDDEN, STATE_VISIBLE, 0), "public: not a hidden post");
}

static void
test_reply(void)
{
	static const struct {
		enum policy_state thread;
		bool locked;
		enum herr member, moderator;      /* policy_reply */
		const char *offer;                /* can_reply: anon, member, suspended, moderator */
	} rows[] = {
		{ STATE_VISIBLE, false, HERR_OK, HERR_OK, "0101" },
		{ STATE_VISIBLE, true, HERR_LOCKED, HERR_OK, "0001" },
		{ STATE_PENDING, false, HERR_FORBIDDEN, HERR_OK, "0000" },
		{ STATE_PENDING, true, HERR_FORBIDDEN, HERR_OK, "0000" },
		{ STATE_HIDDEN, false, HERR_FORBIDDEN, HERR_OK, "0000" },
		{ STATE_DELETED, false, HERR_FORBIDDEN, HERR_OK, "0000" },
	};
	struct viewer suspended = member;

	suspended.suspended = true;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *name = policy_state_name(rows[i].thread), *why = NULL;
		const struct viewer *offer[4] = { NULL, &member, &suspended, &moderator };

		is_int(policy_reply(&member, rows[i].thread, rows[i].locked, &why), rows[i].member,
		       "member replies in a %s%s thread", rows[i].locked ? "locked " : "", name);
		ok(rows[i].member == HERR_OK || why != NULL, "a refusal says why (%s)", why ? why : "nothing");
		is_int(policy_reply(&moderator, rows[i].thread, rows[i].locked, &why), rows[i].moderator,
		       "moderator replies in a %s%s thread", rows[i].locked ? "locked " : "", name);
		for (int k = 0; k < 4; k++)
			is_int(policy_can_reply(offer[k], rows[i].thread, rows[i].locked), rows[i].offer[k] == '1',
			       "reply form in a %s%s thread for viewer %d", rows[i].locked ? "locked " : "", name, k);
	}
}

static void
test_change(void)
{
	struct viewer suspended = member;
	const char *why = NULL;

	suspended.suspended = true;
	is_int(policy_change(&member, STATE_VISIBLE, AUTHOR, false, &why), HERR_OK, "the author edits");
	is_int(policy_change(&member, STATE_VISIBLE, SOMEONE, false, &why), HERR_FORBIDDEN, "not someone else's post");
	is_str(why, "You can only change your own posts.", "and says so");
	is_int(policy_change(&suspended, STATE_VISIBLE, AUTHOR, false, &why), HERR_FORBIDDEN, "not while suspended");
	is_int(policy_change(&member, STATE_VISIBLE, AUTHOR, true, &why), HERR_LOCKED, "not in a locked thread");
	is_int(policy_change(&member, STATE_DELETED, AUTHOR, false, &why), HERR_NOT_FOUND, "not a deleted post");
	is_int(policy_change(&moderator, STATE_DELETED, SOMEONE, true, &why), HERR_OK, "moderators change anything");
	ok(!policy_can_edit(&suspended, STATE_VISIBLE, AUTHOR, false), "no edit link while suspended");
	ok(!policy_can_flag(&suspended, STATE_VISIBLE, SOMEONE), "no flag button while suspended");
}

static void
test_restore(void)
{
	const struct viewer author = { .id = AUTHOR, .role = ROLE_MEMBER };
	const struct viewer other = { .id = SOMEONE, .role = ROLE_MEMBER };
	const struct viewer mod = { .id = SOMEONE, .role = ROLE_MODERATOR };
	const struct viewer banned = { .id = AUTHOR, .role = ROLE_MEMBER, .suspended = true };
	const char *why = NULL;

	is_int(policy_restore(&author, AUTHOR, true, true, false, &why), HERR_OK, "the author, soon after");
	is_int(policy_restore(&author, AUTHOR, true, false, false, &why), HERR_FORBIDDEN, "not after the window");
	is_int(policy_restore(&author, AUTHOR, false, true, false, &why), HERR_FORBIDDEN,
	       "not what a moderator deleted");
	is_int(policy_restore(&other, AUTHOR, true, true, false, &why), HERR_FORBIDDEN, "not someone else's");
	is_int(policy_restore(&banned, AUTHOR, true, true, false, &why), HERR_FORBIDDEN, "not while suspended");
	is_int(policy_restore(&author, AUTHOR, true, true, true, &why), HERR_LOCKED, "not in a locked thread");
	is_int(policy_restore(&mod, AUTHOR, false, false, true, &why), HERR_OK, "moderators any time");
}

static void
test_react_and_accept(void)
{
	const struct viewer author = { .id = AUTHOR, .role = ROLE_MEMBER };
	const struct viewer other = { .id = SOMEONE, .role = ROLE_MEMBER };
	const struct viewer mod = { .id = SOMEONE, .role = ROLE_MODERATOR };
	const struct viewer banned = { .id = AUTHOR, .role = ROLE_MEMBER, .suspended = true };
	const char *why = NULL, *reason = NULL;

	is_int(policy_react(&other, STATE_VISIBLE, STATE_VISIBLE, AUTHOR, &why, &reason), HERR_OK, "react to another's post");
	is_int(policy_react(&author, STATE_VISIBLE, STATE_VISIBLE, AUTHOR, &why, &reason), HERR_FORBIDDEN, "not one's own");
	is_str(reason, "own_post", "and says why in a code");
	is_int(policy_react(&other, STATE_HIDDEN, STATE_VISIBLE, AUTHOR, &why, &reason), HERR_NOT_FOUND,
	       "a hidden post is not there for a member");
	is_int(policy_react(&mod, STATE_HIDDEN, STATE_VISIBLE, AUTHOR, &why, &reason), HERR_FORBIDDEN,
	       "moderators see it but cannot react to it");
	is_int(policy_react(&mod, STATE_VISIBLE, STATE_HIDDEN, AUTHOR, &why, &reason), HERR_FORBIDDEN,
	       "nor to a post of a hidden thread");
	is_int(policy_accept(&author, AUTHOR, true, &why), HERR_OK, "the thread's author marks the answer");
	is_int(policy_accept(&other, AUTHOR, true, &why), HERR_FORBIDDEN, "another member does not");
	is_int(policy_accept(&banned, AUTHOR, true, &why), HERR_FORBIDDEN, "nor the author while suspended");
	is_int(policy_accept(&mod, AUTHOR, true, &why), HERR_OK, "a moderator does");
	is_int(policy_accept(&mod, AUTHOR, false, &why), HERR_CONFLICT, "only in question-style categories");
	is_int(policy_accept(NULL, AUTHOR, true, &why), HERR_FORBIDDEN, "nobody signed in does not");
	ok(!policy_can_accept(&author, AUTHOR, false) && policy_can_accept(&author, AUTHOR, true),
	   "the page offers it where it is allowed");
	is_int(policy_ask(&author, AUTHOR, false, &why), HERR_OK, "the thread's author asks the doers");
	is_int(policy_ask(&other, AUTHOR, false, &why), HERR_FORBIDDEN, "another member does not");
	is_int(policy_ask(&banned, AUTHOR, false, &why), HERR_FORBIDDEN, "nor the author while suspended");
	is_int(policy_ask(&mod, AUTHOR, false, &why), HERR_OK, "a moderator asks for anyone's thread");
	is_int(policy_ask(&mod, AUTHOR, true, &why), HERR_CONFLICT, "a locked thread asks nobody");
	is_int(policy_ask(NULL, AUTHOR, false, &why), HERR_FORBIDDEN, "nobody signed in does not");
	ok(policy_can_ask(&author, AUTHOR, false) && !policy_can_ask(&author, AUTHOR, true),
	   "the page offers it where it is allowed");
}

static void
test_hold(void)
{
	static const struct policy_limits l = { .trust_posts = 2, .spam_links = 5, .spam_burst = 5 };
	static const struct {
		enum auth_role role;
		int approved;
		size_t links;
		int64_t recent;
		enum policy_hold want;
	} rows[] = {
		{ ROLE_MODERATOR, 0, 100, 100, HOLD_NONE },
		{ ROLE_ADMIN, 0, 6, 5, HOLD_NONE },
		{ ROLE_MEMBER, 0, 0, 0, HOLD_NEW_ACCOUNT },
		{ ROLE_MEMBER, 1, 9, 9, HOLD_NEW_ACCOUNT },
		{ ROLE_MEMBER, 2, 6, 9, HOLD_TOO_MANY_LINKS },
		{ ROLE_MEMBER, 2, 5, 4, HOLD_NONE },
		{ ROLE_MEMBER, 2, 5, 5, HOLD_POSTING_TOO_FAST },
		{ ROLE_MEMBER, 50, 0, 0, HOLD_NONE },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct viewer v = { .id = AUTHOR, .role = rows[i].role, .approved_posts = rows[i].approved };
		enum policy_hold h = policy_hold(&l, &v, rows[i].links, rows[i].recent);

		is_int(h, rows[i].want, "%s with %d approved, %zu links, %lld recent: %s", auth_role_name(rows[i].role),
		       rows[i].approved, rows[i].links, (long long)rows[i].recent,
		       policy_hold_name(rows[i].want) ? policy_hold_name(rows[i].want) : "goes live");
		is_int(policy_initial_state(h), h == HOLD_NONE ? STATE_VISIBLE : STATE_PENDING,
		       "and starts %s", h == HOLD_NONE ? "visible" : "pending");
	}
	ok(policy_hold_name(HOLD_NONE) == NULL, "no reason when nothing waits");
	is_str(policy_hold_name(HOLD_NEW_ACCOUNT), "new_account", "queue reason new_account");
	is_str(policy_hold_name(HOLD_TOO_MANY_LINKS), "too_many_links", "queue reason too_many_links");
	is_str(policy_hold_name(HOLD_POSTING_TOO_FAST), "posting_too_fast", "queue reason posting_too_fast");
	ok(policy_too_many_links(&l, &member, 6) && !policy_too_many_links(&l, &member, 5), "more than spam_links");
	ok(!policy_too_many_links(&l, &moderator, 1000), "never for moderators");
}

/* Who may write posts: suspension, and the confirmed address when the forum asks for one
 * (--require-verified-email), which staff never need. */
static void
test_may_post(void)
{
	static const struct {
		enum auth_role role;
		bool suspended, verified, required;
		enum policy_write want;
	} rows[] = {
		{ ROLE_MEMBER, false, false, false, WRITE_OK },
		{ ROLE_MEMBER, false, true, false, WRITE_OK },
		{ ROLE_MEMBER, false, false, true, WRITE_UNVERIFIED },
		{ ROLE_MEMBER, false, true, true, WRITE_OK },
		{ ROLE_MEMBER, true, true, false, WRITE_SUSPENDED },
		{ ROLE_MEMBER, true, false, true, WRITE_SUSPENDED },
		{ ROLE_MODERATOR, false, false, true, WRITE_OK },
		{ ROLE_ADMIN, false, false, true, WRITE_OK },
		{ ROLE_MODERATOR, true, false, true, WRITE_SUSPENDED },
	};

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct viewer v = { .id = AUTHOR, .role = rows[i].role, .suspended = rows[i].suspended,
				    .email_verified = rows[i].verified };

		is_int(policy_may_post(&v, rows[i].required), rows[i].want,
		       "may_post: role %d, suspended %d, verified %d, required %d", rows[i].role, rows[i].suspended,
		       rows[i].verified, rows[i].required);
	}
}

/* Categories that require a declared affiliation (schema/0032): only helpers are asked,
 * never staff. */
static void
test_affiliation(void)
{
	static const struct {
		enum auth_role role;
		const char *kind;
		bool required, declared, want;
	} rows[] = {
		{ ROLE_MEMBER, "helper", false, false, true },
		{ ROLE_MEMBER, "helper", true, false, false },
		{ ROLE_MEMBER, "helper", true, true, true },
		{ ROLE_MEMBER, "helper", false, true, true },
		{ ROLE_MEMBER, "doer", true, false, true },
		{ ROLE_MEMBER, NULL, true, false, true },
		{ ROLE_MODERATOR, "helper", true, false, true },
		{ ROLE_ADMIN, "helper", true, false, true },
	};

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct viewer v = { .id = AUTHOR, .role = rows[i].role, .community_kind = rows[i].kind };

		ok(policy_affiliation_ok(&v, rows[i].required, rows[i].declared) == rows[i].want,
		   "affiliation: role %d, kind %s, required %d, declared %d", rows[i].role,
		   rows[i].kind ? rows[i].kind : "(none)", rows[i].required, rows[i].declared);
	}
}

int
main(void)
{
	test_names();
	test_may_post();
	test_affiliation();
	test_tables();
	test_may_see_post();
	test_reply();
	test_change();
	test_restore();
	test_react_and_accept();
	test_hold();
	return done_testing();
}
