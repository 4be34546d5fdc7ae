/* forum/site_settings.h — the site's name, tagline and description (schema/0017), which
 * administrators set and every page, feed and meta tag shows.
 *
 * Each instance keeps one copy in memory, so a page costs no query for them: the copy is
 * marked stale by NOTIFY corral_site (sent by a trigger at commit, whoever changed the
 * row), when the listener reconnects (a notice may have been missed) and by this
 * instance's own change; the next request that needs the settings reloads them with one
 * statement on the primary. */
#ifndef CORRAL_FORUM_SITE_SETTINGS_H
#define CORRAL_FORUM_SITE_SETTINGS_H

#include <stdbool.h>

#include "core/ctx.h"

struct site_settings {
	const char *site_name;     /* 1–100 characters */
	const char *tagline;       /* 0–200, may be "" */
	const char *description;   /* 0–500, may be "" */
};

/* The current settings, copied into c's arena (reloading the copy first when it is
 * stale). Never fails: when the database cannot be read the last copy is kept (before
 * the first load, the name "Corral" and empty texts), the error logged, not recorded in c. */
void site_settings_get(struct ctx *c, struct site_settings *ret);

/* The listener's subscriber of corral_site, and its state watcher: mark the copy stale.
 * Quick and thread-safe, as db/listen.h asks. */
void site_settings_notice(const char *payload, void *arg);
void site_settings_listen_state(bool up, void *arg);

/* GET /api/v1/site (public): {"site": {site_name, tagline, description, updated_at}}. */
struct req;
enum herr site_settings_show(struct req *r);
/* PATCH /api/v1/site and the form POST /admin/site (admins): any of site_name (1–100
 * characters), tagline (0–200), description (0–500), each trimmed, one line without
 * control characters; 400 with the field otherwise. Logged in the moderation log. */
enum herr site_settings_save(struct req *r);

#endif
