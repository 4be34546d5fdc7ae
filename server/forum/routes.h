/* forum/routes.h — the route table each domain file exports. */
#ifndef CORRAL_FORUM_ROUTES_H
#define CORRAL_FORUM_ROUTES_H

#include <stddef.h>

#include "http/router.h"

#define ROUTES_N(table) (sizeof(table) / sizeof((table)[0]))

extern const struct route site_routes[];
extern const size_t site_routes_n;
extern const struct route ops_routes[];
extern const size_t ops_routes_n;
extern const struct route accounts_routes[];
extern const size_t accounts_routes_n;
extern const struct route users_routes[];
extern const size_t users_routes_n;
extern const struct route account_delete_routes[];
extern const size_t account_delete_routes_n;
extern const struct route account_export_routes[];
extern const size_t account_export_routes_n;
extern const struct route user_lists_routes[];
extern const size_t user_lists_routes_n;
extern const struct route admin_routes[];
extern const size_t admin_routes_n;
extern const struct route admin_mail_routes[];
extern const size_t admin_mail_routes_n;
extern const struct route threads_routes[];
extern const size_t threads_routes_n;
extern const struct route posts_routes[];
extern const size_t posts_routes_n;
extern const struct route notifications_routes[];
extern const size_t notifications_routes_n;
extern const struct route voices_routes[];
extern const size_t voices_routes_n;
extern const struct route feeds_routes[];
extern const size_t feeds_routes_n;
extern const struct route moderation_routes[];
extern const size_t moderation_routes_n;
extern const struct route modlog_routes[];
extern const size_t modlog_routes_n;
extern const struct route thread_actions_routes[];
extern const size_t thread_actions_routes_n;
extern const struct route surveys_routes[];
extern const size_t surveys_routes_n;
extern const struct route ideas_routes[];
extern const size_t ideas_routes_n;
extern const struct route idea_proposals_routes[];
extern const size_t idea_proposals_routes_n;
extern const struct route idea_comments_routes[];
extern const size_t idea_comments_routes_n;
extern const struct route search_routes[];
extern const size_t search_routes_n;
extern const struct route security_routes[];
extern const size_t security_routes_n;
extern const struct route account_mail_routes[];
extern const size_t account_mail_routes_n;
extern const struct route password_reset_routes[];
extern const size_t password_reset_routes_n;
extern const struct route reactions_routes[];
extern const size_t reactions_routes_n;
extern const struct route answers_routes[];
extern const size_t answers_routes_n;
extern const struct route bookmarks_routes[];
extern const size_t bookmarks_routes_n;
extern const struct route asks_routes[];
extern const size_t asks_routes_n;
/* The settings page's "Ask the doers" section (forum/asks.c). 0, or -1 (recorded). */
int asks_settings_model(struct req *r);
extern const struct route tags_routes[];
extern const size_t tags_routes_n;

extern const struct route verification_routes[];
extern const size_t verification_routes_n;

extern const struct route mail_prefs_routes[];
extern const size_t mail_prefs_routes_n;

/* Practitioners heard (issue 21): forum/affiliation.c, forum/report.c. */
extern const struct route affiliation_routes[];
extern const size_t affiliation_routes_n;
extern const struct route report_routes[];
extern const size_t report_routes_n;
/* Posting as "a verified practitioner": forum/anonymous.c. */
extern const struct route anonymous_routes[];
extern const size_t anonymous_routes_n;
/* The pages behind the links under each post: forum/post_forms.c. */
extern const struct route post_forms_routes[];
extern const size_t post_forms_routes_n;

struct req;
/* GET /settings (forum/accounts.c): the page the settings forms of other files
 * (security.c, account_mail.c) are shown again on when they fail. */
enum herr acct_settings(struct req *r);

#endif
