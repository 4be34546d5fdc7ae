/* forum/options.c — the options of the application: the site's public URL and replica
 * reads (struct app_config), posting rules (struct forum_config) and the spam and flag
 * rules of moderation (struct moderation_config). */
#include "forum/app.h"
#include "forum/moderation.h"
#include "forum/posts.h"
#include "forum/surveys.h"

static const struct opt_def app_defs[] = {
	OPT_URL("base-url", "URL", NULL, struct app_config, base_url,
		"public URL of the forum (default http://LISTEN); https makes cookies Secure"),
	OPT_INT("replica-window", "SECONDS", "5", 0, 3600, struct app_config, replica_window_s,
		"after a write, that browser reads from the primary, and its pages wait for this instance to have seen the write, this long"),
};

const struct opt_table app_opts = { "Site", app_defs, OPT_COUNT(app_defs) };

static const struct opt_def forum_defs[] = {
	OPT_INT("trust-posts", "N", "2", 0, 1000, struct forum_config, trust_posts,
		"posts of a new account that wait for a moderator before it is trusted"),
	OPT_INT("post-limit", "N", "10", 1, 1000000, struct forum_config, post_limit,
		"posts per account per window before 429"),
	OPT_INT("post-window", "SECONDS", "60", 1, 86400, struct forum_config, post_window_s,
		"posting limit window"),
	OPT_INT("ask-weekly-cap", "N", "3", 0, 100, struct forum_config, ask_weekly_cap,
		"\"ask the doers\" notifications one practitioner gets in seven days at most"),
};

const struct opt_table forum_opts = { "Posting and moderation", forum_defs, OPT_COUNT(forum_defs) };

static const struct opt_def moderation_defs[] = {
	OPT_INT("spam-links", "N", "5", 0, 10000, struct moderation_config, spam_links,
		"a post with more links than this waits for a moderator"),
	OPT_INT("spam-burst", "N", "5", 1, 1000000, struct moderation_config, spam_burst,
		"after this many posts within the burst window, further posts wait"),
	OPT_INT("spam-burst-window", "SECONDS", "60", 1, 86400, struct moderation_config, spam_burst_s,
		"burst window"),
	OPT_INT("flag-limit", "N", "20", 1, 1000000, struct moderation_config, flag_limit,
		"flags and nominations per account per hour"),
};

const struct opt_table moderation_opts = { "Posting and moderation", moderation_defs,
					   OPT_COUNT(moderation_defs) };

static const struct opt_def survey_defs[] = {
	OPT_INT("survey-min-group", "N", "5", 1, 1000000, struct survey_config, min_group,
		"survey results show a role's answers only with this many respondents"),
};

const struct opt_table survey_opts = { "Surveys", survey_defs, OPT_COUNT(survey_defs) };
