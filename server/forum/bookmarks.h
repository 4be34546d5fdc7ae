/* forum/bookmarks.h — bookmarks (schema/0028): a member keeps any post they can see, once,
 * with an optional note and reminder time (bookmarks.c: setting, removing, the
 * /bookmarks page and /api/v1/me/bookmarks, the marks on a page of posts); due reminders
 * become notifications of kind 'reminder', each exactly once across instances, in a
 * worker thread (bookmark_reminders.c), and are mailed like every notification. */
#ifndef CORRAL_FORUM_BOOKMARKS_H
#define CORRAL_FORUM_BOOKMARKS_H

#include <jansson.h>

#include "core/opt.h"
#include "db/db.h"
#include "http/http.h"

struct page_posts;

/* Give each post of a page its "bookmark" (null, or {note, remind_at, reminded}) and,
 * for pages, can_bookmark: only for a signed-in viewer, and only on posts whose words
 * the page shows. One query. 0, or -1 (recorded). */
int bookmarks_decorate(struct req *r, const struct page_posts *pp);
/* The one statement of bookmarks_decorate for a signed-in viewer's page (not a shared
 * copy), as it will run it: for db_prefetch. */
struct db_call bookmarks_posts_call(struct req *r, const struct page_posts *pp);

struct bookmark_reminders_config {
	int interval_s;   /* --reminder-interval */
};

extern const struct opt_table bookmark_reminders_opts;

/* Start the reminder worker: it looks for due reminders at once, then every
 * interval_s. 0 or -1 (logged). */
int bookmark_reminders_start(const struct bookmark_reminders_config *cfg);
/* Let the current round finish and stop the worker. */
void bookmark_reminders_stop(void);

#endif
