/* forum/digest.c — the digest worker: claims a batch of members whose digest is due and
 * builds all their digests in one statement (DIGEST_BUILD, db/sql/digest.def: set-based,
 * the sections members share computed once per window), then queues one mail (text and
 * HTML, one-click unsubscribe) per member with something to tell, all in the transaction
 * that moves their next digest ahead: two instances never send one digest twice, and a
 * digest with nothing in it is not sent. The mail's words are built here. */
#include "forum/digest.h"

#include <stdatomic.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/worker.h"
#include "db/db.h"
#include "db/listen.h"
#include "forum/app.h"
#include "forum/ideas_status.h"
#include "forum/mail_prefs.h"
#include "forum/site_settings.h"
#include "mail/mail.h"

/* Members per claim: one statement and one transaction each. Large enough that the
 * per-statement cost vanishes, small enough that a transaction stays short. */
#define DIGEST_BATCH 500
/* Without a notice (listener down) the worker looks at least this often. */
#define DIGEST_POLL_MS 60000
#define DIGEST_RETRY_MS 5000
/* Due members locked by another instance's claim: its transaction is short. */
#define DIGEST_BUSY_MS 1000
/* At most this many items of one section go into a mail. */
#define DIGEST_SECTION_MAX 20

static const struct opt_def digest_defs[] = {
	OPT_INT("digest-hour", "HOUR", "-1", -1, 23, struct digest_config, hour,
		"the hour (UTC) the next digest is due at after one is sent; -1: a day or a week after"),
};
const struct opt_table digest_opts = { "Outgoing mail", digest_defs, OPT_COUNT(digest_defs) };

const char *const digest_frequencies[] = { "daily", "weekly", "off", NULL };
const char *const digest_frequency_labels[] = { "Daily", "Weekly", "Off: no digest" };

static struct digest_config dg_cfg;
static atomic_bool dg_stopping;

const char *
digest_frequency(struct ctx *c, int64_t uid)
{
	PGresult *res = db_q(c, STMT_DIGEST_GET, db_int(c, uid));

	return res && PQntuples(res) == 1 ? arena_strdup(c->arena, db_str(res, 0, 0)) : NULL;
}

enum herr
digest_set_frequency(struct ctx *c, int64_t uid, const char *frequency)
{
	return db_q(c, STMT_DIGEST_SET, db_int(c, uid), frequency) ? HERR_OK : c->err;
}

long
digest_now(struct ctx *c, const char *username)
{
	PGresult *res = db_q(c, STMT_DIGEST_NOW, username);

	return res ? (long)PQntuples(res) : -1;
}

/* --- one member's mail --- */

/* The mail being written: both bodies side by side. */
struct dg_mail {
	struct ctx *c;
	const char *base;
	struct buf text, html;
	int items;
};

static void
dg_heading(struct dg_mail *m, const char *title)
{
	buf_printf(&m->text, "%s\n", title);
	for (size_t i = strlen(title); i > 0; i--)
		buf_putc(&m->text, '-');
	buf_puts(&m->text, "\n\n");
	buf_puts(&m->html, "<h2>");
	buf_html_escape(&m->html, title, strlen(title));
	buf_puts(&m->html, "</h2>\n<ul>\n");
}

/* One item: its words (what), a link, and a note after the link (may be NULL). */
static void
dg_item(struct dg_mail *m, const char *what, const char *link, const char *note)
{
	buf_printf(&m->text, "* %s%s%s\n  %s\n", what, note ? " " : "", note ? note : "", link);
	buf_puts(&m->html, "<li><a href=\"");
	buf_html_escape(&m->html, link, strlen(link));
	buf_puts(&m->html, "\">");
	buf_html_escape(&m->html, what, strlen(what));
	buf_puts(&m->html, "</a>");
	if (note) {
		buf_putc(&m->html, ' ');
		buf_html_escape(&m->html, note, strlen(note));
	}
	buf_puts(&m->html, "</li>\n");
	m->items++;
}

static void
dg_section_end(struct dg_mail *m, size_t total)
{
	if (total > DIGEST_SECTION_MAX) {
		buf_printf(&m->text, "  … and %zu more\n", total - DIGEST_SECTION_MAX);
		buf_printf(&m->html, "<li>… and %zu more</li>\n", total - DIGEST_SECTION_MAX);
	}
	buf_putc(&m->text, '\n');
	buf_puts(&m->html, "</ul>\n");
}

static const char *
js(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static long long
ji(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

/* A notification left for the digest, in words (as in the notification mail). */
static const char *
dg_note_words(struct ctx *c, json_t *n)
{
	const char *kind = js(n, "kind"), *actor = js(n, "actor"), *title = js(n, "title"), *msg = js(n, "message");
	const char *what;

	if (strcmp(kind, "reply") == 0)
		what = arena_printf(c->arena, "%s replied to your post", actor);
	else if (strcmp(kind, "mention") == 0)
		what = arena_printf(c->arena, "%s mentioned you", actor);
	else if (strcmp(kind, "watch") == 0)
		what = arena_printf(c->arena, "%s replied in a thread you watch", actor);
	else if (strcmp(kind, "approved") == 0)
		what = "A moderator approved your post";
	else
		return msg ? msg : "A moderator acted on your post";
	return title ? arena_printf(c->arena, "%s in \u201c%s\u201d", what, title) : what;
}

static void
dg_notifications(struct dg_mail *m, json_t *list)
{
	size_t i;
	json_t *n;

	if (json_array_size(list) == 0)
		return;
	dg_heading(m, "Your notifications");
	json_array_foreach(list, i, n) {
		const char *link;

		if (i == DIGEST_SECTION_MAX)
			break;
		if (ji(n, "idea"))
			link = arena_printf(m->c->arena, "%s/ideas/%lld", m->base, ji(n, "idea"));
		else if (ji(n, "thread") && ji(n, "post"))
			link = arena_printf(m->c->arena, "%s/t/%lld#p%lld", m->base, ji(n, "thread"), ji(n, "post"));
		else if (ji(n, "thread"))
			link = arena_printf(m->c->arena, "%s/t/%lld", m->base, ji(n, "thread"));
		else
			link = arena_printf(m->c->arena, "%s/notifications", m->base);
		dg_item(m, dg_note_words(m->c, n), link, NULL);
	}
	dg_section_end(m, json_array_size(list));
}

/* A section of threads: title, link, and "(N new posts)"-like note from key. */
static void
dg_threads(struct dg_mail *m, const char *title, json_t *list, const char *key, const char *one, const char *many)
{
	size_t i;
	json_t *t;

	if (json_array_size(list) == 0)
		return;
	dg_heading(m, title);
	json_array_foreach(list, i, t) {
		long long n = ji(t, key);

		if (i == DIGEST_SECTION_MAX)
			break;
		dg_item(m, js(t, "title"), arena_printf(m->c->arena, "%s/t/%lld", m->base, ji(t, "id")),
			arena_printf(m->c->arena, "(%lld %s)", n, n == 1 ? one : many));
	}
	dg_section_end(m, json_array_size(list));
}

static void
dg_ideas(struct dg_mail *m, json_t *list)
{
	size_t i;
	json_t *d;

	if (json_array_size(list) == 0)
		return;
	dg_heading(m, "Ideas whose status changed");
	json_array_foreach(list, i, d) {
		if (i == DIGEST_SECTION_MAX)
			break;
		dg_item(m, arena_printf(m->c->arena, "IDEA-%lld %s", ji(d, "number"), js(d, "title")),
			arena_printf(m->c->arena, "%s/ideas/%lld", m->base, ji(d, "number")),
			arena_printf(m->c->arena, "(now: %s)", ideas_status_label(js(d, "status"))));
	}
	dg_section_end(m, json_array_size(list));
}

/* The sections of row (DIGEST_BUILD's columns as JSON); the number of items. */
static int
dg_sections(struct dg_mail *m, json_t *row)
{
	dg_notifications(m, json_object_get(row, "notifications"));
	dg_threads(m, "New in threads you watch", json_object_get(row, "watched"), "posts", "new post", "new posts");
	dg_threads(m, "The most active threads", json_object_get(row, "active"), "posts", "new post", "new posts");
	dg_ideas(m, json_object_get(row, "ideas"));
	dg_threads(m, "Threads still waiting for a practitioner's voice", json_object_get(row, "needs"), "replies",
		   "reply", "replies");
	return m->items;
}

/* Queue member row's digest, unless it would be empty or the address is not one Corral
 * sends to. 1 queued, 0 not, -1 on a database error (recorded). A message the mail
 * module refuses is logged and skipped: one member must not hold up the batch. */
static int
dg_send(struct ctx *c, json_t *row, const char *site)
{
	struct dg_mail m = { .c = c, .base = app_config()->base_url, .text = BUF_INIT, .html = BUF_INIT };
	const char *to = js(row, "to_addr"), *name = js(row, "username"), *unsub, *subject, *settings;
	int rc;

	if (to == NULL || !mail_addr_valid(to))
		return 0;
	buf_printf(&m.text, "Hello %s,\n\nWhat happened on %s since your last digest:\n\n", name, site);
	buf_puts(&m.html, "<p>Hello ");
	buf_html_escape(&m.html, name, strlen(name));
	buf_puts(&m.html, ",</p>\n<p>What happened on ");
	buf_html_escape(&m.html, site, strlen(site));
	buf_puts(&m.html, " since your last digest:</p>\n");
	if (dg_sections(&m, row) == 0) {
		rc = 0;
		goto out;
	}
	rc = -1;
	if ((unsub = mail_unsub_url(c, (int64_t)ji(row, "user_id"), "digest")) == NULL)
		goto out;
	settings = arena_printf(c->arena, "%s/settings#mail", m.base);
	subject = arena_printf(c->arena, "Your digest from %s", site);
	buf_printf(&m.text, "-- \nYou get this digest from %s because of your mail preferences.\n"
		   "Stop the digest: %s\nAll your mail preferences: %s\n", site, unsub, settings);
	buf_puts(&m.html, "<hr>\n<p><small>You get this digest from ");
	buf_html_escape(&m.html, site, strlen(site));
	buf_puts(&m.html, " because of your mail preferences. <a href=\"");
	buf_html_escape(&m.html, unsub, strlen(unsub));
	buf_puts(&m.html, "\">Stop the digest</a> · <a href=\"");
	buf_html_escape(&m.html, settings, strlen(settings));
	buf_puts(&m.html, "\">All your mail preferences</a></small></p>\n");
	const struct mail_header headers[] = {
		{ "List-Unsubscribe", arena_printf(c->arena, "<%s>", unsub) },
		{ "List-Unsubscribe-Post", "List-Unsubscribe=One-Click" },
	};
	switch (mail_enqueue(c, &(struct mail_msg){ .kind = "digest", .to = to, .to_name = name, .subject = subject,
						    .text = m.text.data, .html = m.html.data, .headers = headers,
						    .nheaders = sizeof headers / sizeof headers[0] },
			     NULL)) {
	case HERR_OK:
		rc = 1;
		break;
	case HERR_INVALID:   /* refused before anything was written: the transaction goes on */
		log_warn("digest: no digest for %s: %s", name, c->err_msg ? c->err_msg : "refused");
		c->err = HERR_OK;
		c->err_field = c->err_msg = NULL;
		rc = 0;
		break;
	default:
		break;
	}
out:
	buf_free(&m.text);
	buf_free(&m.html);
	return rc;
}

/* --- the worker --- */

struct dg_batch {
	int claimed, sent;
};

static enum herr
dg_batch_tx(struct ctx *c, void *arg)
{
	struct dg_batch *b = arg;
	struct site_settings site;
	PGresult *res;

	b->claimed = b->sent = 0;
	if ((res = db_q(c, STMT_DIGEST_BUILD, db_int(c, DIGEST_BATCH), db_int(c, dg_cfg.hour))) == NULL)
		return c->err;
	b->claimed = PQntuples(res);
	site_settings_get(c, &site);
	for (int i = 0; i < PQntuples(res); i++) {
		json_t *row = db_row_json(res, i);
		int rc = row ? dg_send(c, row, site.site_name) : -1;

		json_decref(row);
		if (rc < 0)
			return c->err != HERR_OK ? c->err : ctx_fail(c, HERR_INTERNAL, NULL, NULL);
		b->sent += rc;
	}
	return HERR_OK;
}

/* Claim and mail one batch: 1 when members were claimed, 0 when none is due, -1 on an
 * error. */
static int
dg_one(void)
{
	struct ctx c = { .arena = arena_new(), .rid = "digest" };
	struct dg_batch b = { 0 };
	int rc = -1;

	if (db_transaction(&c, dg_batch_tx, &b) == HERR_OK) {
		rc = b.claimed > 0;
		if (b.sent)
			log_debug("digest: %d digest(s) queued", b.sent);
	}
	arena_free(c.arena);
	return rc;
}

static long
dg_next_due(void)
{
	struct ctx c = { .arena = arena_new(), .rid = "digest" };
	PGresult *res = db_q(&c, STMT_DIGEST_NEXT_DUE, db_int(&c, DIGEST_POLL_MS));
	long ms = res && PQntuples(res) == 1 ? (long)db_i64(res, 0, 0) : DIGEST_RETRY_MS;

	arena_free(c.arena);
	return ms;
}

/* Send every digest that is due, then sleep until the next one is. Due members that
 * another instance holds locked are its: look again in a moment. */
static long
dg_round(void *arg)
{
	int n = 0;
	long ms;

	(void)arg;
	while (!atomic_load(&dg_stopping) && (n = dg_one()) == 1)
		;
	if (n < 0)
		return DIGEST_RETRY_MS;
	ms = dg_next_due();
	return ms > 0 ? ms : DIGEST_BUSY_MS;
}

static void
dg_done(void *arg)
{
	(void)arg;
	db_disconnect();
}

static struct worker dg_worker = WORKER_INIT("digest", dg_round, dg_done, NULL);

static void
dg_notice(const char *payload, void *arg)
{
	(void)payload, (void)arg;
	worker_wake(&dg_worker);
}

static void
dg_listen_state(bool up, void *arg)
{
	(void)arg;
	if (up)   /* notices may have been missed: look now */
		worker_wake(&dg_worker);
}

int
digest_start(const struct digest_config *cfg)
{
	dg_cfg = *cfg;
	if (db_listen_subscribe("corral_digest", dg_notice, NULL) != 0 ||
	    db_listen_on_state(dg_listen_state, NULL) != 0)
		return -1;
	atomic_store(&dg_stopping, false);
	return worker_start(&dg_worker);
}

void
digest_stop(void)
{
	atomic_store(&dg_stopping, true);
	worker_stop(&dg_worker);
}
