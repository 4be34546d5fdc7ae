/* forum/site_settings.c — the site's name, tagline and description: this instance's copy
 * (reloaded after a NOTIFY), GET/PATCH /api/v1/site and the form on /admin. */
#include "forum/site_settings.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "core/log.h"
#include "core/utf8.h"
#include "db/db.h"
#include "forum/modlog.h"
#include "http/http.h"

/* Before the first load (and while the database cannot be read at start). */
#define SITE_SETTINGS_FALLBACK_NAME "Corral"

/* The copy: a generation bumped by every notice; the copy holds the generation it was
 * loaded at, and differs from it when stale. Strings are malloc'd, never arena memory. */
static atomic_ullong site_settings_gen = 1;
static pthread_mutex_t site_settings_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned long long site_settings_loaded;   /* under the mutex, as the strings */
static char *site_settings_name, *site_settings_tagline, *site_settings_description;

static void
site_settings_stale(void)
{
	atomic_fetch_add(&site_settings_gen, 1);
}

void
site_settings_notice(const char *payload, void *arg)
{
	(void)payload;
	(void)arg;
	site_settings_stale();
}

void
site_settings_listen_state(bool up, void *arg)
{
	(void)arg;
	if (up)   /* a change may have happened while nobody listened */
		site_settings_stale();
}

/* Read the row on the primary (a replica may not have the change the notice announced)
 * and keep it as the copy of generation gen, unless a newer one is already kept. */
static void
site_settings_reload(struct ctx *c, unsigned long long gen)
{
	struct ctx q = { .arena = c->arena, .rid = c->rid };
	PGresult *res = db_q0(&q, STMT_SITE_SETTINGS);
	char *name, *tagline, *desc;

	if (res == NULL || PQntuples(res) != 1) {
		log_warn("rid=%s site_settings: cannot load the site settings; the last copy stays",
			 c->rid ? c->rid : "-");
		return;
	}
	name = strdup(db_str(res, 0, 0));
	tagline = strdup(db_str(res, 0, 1));
	desc = strdup(db_str(res, 0, 2));
	if (name == NULL || tagline == NULL || desc == NULL) {
		free(name);
		free(tagline);
		free(desc);
		return;
	}
	pthread_mutex_lock(&site_settings_mu);
	if (gen > site_settings_loaded) {
		char *t;

		t = site_settings_name, site_settings_name = name, name = t;
		t = site_settings_tagline, site_settings_tagline = tagline, tagline = t;
		t = site_settings_description, site_settings_description = desc, desc = t;
		site_settings_loaded = gen;
	}
	pthread_mutex_unlock(&site_settings_mu);
	free(name);   /* the old copy, or the new one when a newer was kept meanwhile */
	free(tagline);
	free(desc);
}

void
site_settings_get(struct ctx *c, struct site_settings *ret)
{
	unsigned long long gen = atomic_load(&site_settings_gen);
	bool stale;

	pthread_mutex_lock(&site_settings_mu);
	stale = site_settings_loaded != gen;
	pthread_mutex_unlock(&site_settings_mu);
	if (stale)
		site_settings_reload(c, gen);
	pthread_mutex_lock(&site_settings_mu);
	ret->site_name = arena_strdup(c->arena, site_settings_name ? site_settings_name
								   : SITE_SETTINGS_FALLBACK_NAME);
	ret->tagline = arena_strdup(c->arena, site_settings_tagline ? site_settings_tagline : "");
	ret->description = arena_strdup(c->arena, site_settings_description ? site_settings_description : "");
	pthread_mutex_unlock(&site_settings_mu);
}

/* GET /api/v1/site: public. */
enum herr
site_settings_show(struct req *r)
{
	PGresult *res = db_q0(&r->c, STMT_SITE_SETTINGS);

	if (res == NULL)
		return r->c.err;
	if (PQntuples(res) != 1)
		return http_fail(r, HERR_INTERNAL, NULL, NULL);
	json_object_set_new(http_model(r), "site", db_row_json(res, 0));
	return HERR_OK;
}

/* One optional text field: trimmed, at most max characters, one line. An empty tagline or
 * description is a value (it clears the field); an empty name is refused. 0, 1 (absent)
 * or -1 (400 recorded). */
static int
site_settings_field(struct req *r, const char *field, size_t min, size_t max, const char **ret)
{
	const char *s;
	size_t n;
	int rc;

	/* The form sends every field, and an empty one is a value here (it clears the
	 * tagline); typed input reads it as absent. */
	if ((rc = in_string(r, field, 0, 4 * max, IN_NULLABLE, &s)) < 0)
		return rc;
	if (rc == 1 && !(r->input_form && json_object_get(r->input, field)))
		return 1;
	if (rc == 1)
		s = "";
	n = strlen(s);
	utf8_trim(&s, &n);
	if (utf8_has_control(s, n)) {
		http_fail(r, HERR_INVALID, field, arena_printf(r->c.arena,
			  "%s must be one line without control characters.", field));
		return -1;
	}
	if (utf8_length(s, n) < min || utf8_length(s, n) > max) {
		http_fail(r, HERR_INVALID, field, arena_printf(r->c.arena,
			  "%s must be %zu to %zu characters.", field, min, max));
		return -1;
	}
	*ret = arena_strndup(r->c.arena, s, n);
	return 0;
}

struct site_settings_write {
	struct req *r;
	const char *name, *tagline, *desc;
	PGresult *row;   /* out: the settings as written */
};

static enum herr
site_settings_save_tx(struct ctx *c, void *arg)
{
	struct site_settings_write *w = arg;

	if ((w->row = db_q(c, STMT_SITE_SETTINGS_UPDATE, w->name, w->tagline, w->desc)) == NULL)
		return c->err;
	if (PQntuples(w->row) != 1)
		return http_fail(w->r, HERR_INTERNAL, NULL, NULL);
	if (modlog_add(c, auth_viewer(w->r)->id, "update_site", "site", "settings", NULL,
		       json_pack("{s:s*,s:s*,s:s*}", "site_name", w->name, "tagline", w->tagline,
				 "description", w->desc)) != 0)
		return c->err;
	return HERR_OK;
}

/* PATCH /api/v1/site and POST /admin/site: admins. Logged; every page shows the change at
 * once (the trigger flushes the page cache of every instance). */
enum herr
site_settings_save(struct req *r)
{
	struct site_settings_write w = { .r = r };

	if (auth_require(r, ROLE_ADMIN) != 0 ||
	    site_settings_field(r, "site_name", 1, 100, &w.name) < 0 ||
	    site_settings_field(r, "tagline", 0, 200, &w.tagline) < 0 ||
	    site_settings_field(r, "description", 0, 500, &w.desc) < 0)
		return r->c.err;
	if (w.name == NULL && w.tagline == NULL && w.desc == NULL)
		return http_fail(r, HERR_INVALID, "site_name", "Give a site name, tagline or description.");
	if (db_transaction(&r->c, site_settings_save_tx, &w) != HERR_OK)
		return r->c.err;
	json_object_set_new(http_model(r), "site", db_row_json(w.row, 0));
	/* This instance's next page reloads even before its listener hears the notice. */
	site_settings_stale();
	r->location = "/admin#site";
	return HERR_OK;
}
