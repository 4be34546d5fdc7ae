/* forum/notify_mail.c — the notification mail worker: claims the notifications whose
 * delay has passed unread, one member's group about one thread (or idea) at a time, decides
 * each once (sent, digest, skipped) and queues one mail for what is to be sent, all in one
 * transaction: two instances never mail the same notification (SKIP LOCKED on the pick, a
 * row lock and a re-check of mail_state on the claim). The mail's words are built here. */
#include "forum/notify_mail.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/worker.h"
#include "db/db.h"
#include "db/listen.h"
#include "forum/app.h"
#include "forum/mail_prefs.h"
#include "forum/reply_mail.h"
#include "forum/site_settings.h"
#include "mail/mail.h"

/* Without a notice (listener down) the worker looks at least this often. */
#define NOTIFY_MAIL_POLL_MS 60000
#define NOTIFY_MAIL_RETRY_MS 5000

static const struct opt_def notify_mail_defs[] = {
	OPT_INT("notify-mail-delay", "SECONDS", "300", 0, 86400, struct notify_mail_config, delay_s,
		"wait this long before mailing a notification; none is mailed once read on the site"),
};
const struct opt_table notify_mail_opts = { "Outgoing mail", notify_mail_defs, OPT_COUNT(notify_mail_defs) };

static struct notify_mail_config nm_cfg;
static atomic_bool nm_stopping;
/* When the worker next looks (monotonic ms; 0: look now). A new notification is due only
 * after the delay, so its notice need not cost a query when the worker looks before. */
static atomic_llong nm_next_ms;

/* One claimed group, built into a mail. */
struct nm_group {
	const char *thread, *idea;   /* the group: a thread id or an idea number (text), or NULL */
	PGresult *items;             /* NOTIFY_MAIL_ITEMS */
	struct buf text, html;
	const char *subject, *link;
};

/* What happened, in words, for one notification (row i of the items). */
static const char *
nm_what(struct ctx *c, const PGresult *res, int i)
{
	const char *kind = db_str(res, i, db_col(res, "kind")), *actor = db_str(res, i, db_col(res, "actor"));
	const char *msg = db_str(res, i, db_col(res, "message"));

	if (strcmp(kind, "reply") == 0)
		return arena_printf(c->arena, "%s replied to your post", actor);
	if (strcmp(kind, "mention") == 0)
		return arena_printf(c->arena, "%s mentioned you", actor);
	if (strcmp(kind, "watch") == 0)
		return arena_printf(c->arena, "%s replied in a thread you watch", actor);
	if (strcmp(kind, "approved") == 0)
		return "A moderator approved your post";
	return msg ? msg : "A moderator acted on your post";
}

/* Subject, link and the two bodies' items. */
static void
nm_items(struct ctx *c, struct nm_group *g)
{
	const PGresult *res = g->items;
	const char *base = app_config()->base_url, *title = db_str(res, 0, db_col(res, "thread_title"));
	int n = PQntuples(res), last = n - 1;
	const char *post = db_str(res, last, db_col(res, "post_id")), *survey = db_str(res, last, db_col(res, "survey"));

	if (g->idea)
		g->link = arena_printf(c->arena, "%s/ideas/%s", base, g->idea);
	else if (g->thread)
		g->link = post ? arena_printf(c->arena, "%s/t/%s#p%s", base, g->thread, post)
			       : arena_printf(c->arena, "%s/t/%s", base, g->thread);
	else if (survey)
		g->link = arena_printf(c->arena, "%s/surveys/%s", base, survey);
	else
		g->link = arena_printf(c->arena, "%s/notifications", base);
	if (n > 1 && title)
		g->subject = arena_printf(c->arena, "%d new notifications in \u201c%s\u201d", n, title);
	else if (title)
		g->subject = arena_printf(c->arena, "%s in \u201c%s\u201d", nm_what(c, res, 0), title);
	else
		g->subject = nm_what(c, res, 0);
	for (int i = 0; i < n; i++) {
		const char *what = nm_what(c, res, i), *excerpt = db_str(res, i, db_col(res, "excerpt"));

		buf_printf(&g->text, "%s:\n", what);
		buf_puts(&g->html, "<p><strong>");
		buf_html_escape(&g->html, what, strlen(what));
		buf_puts(&g->html, "</strong></p>\n");
		if (excerpt && *excerpt) {
			buf_printf(&g->text, "> %s\n", excerpt);
			buf_puts(&g->html, "<blockquote>");
			buf_html_escape(&g->html, excerpt, strlen(excerpt));
			buf_puts(&g->html, "</blockquote>\n");
		}
		buf_putc(&g->text, '\n');
	}
}

/* The signed Reply-To of the group's mail (forum/reply_mail.c), into *ret: NULL when reply
 * addresses are off or the newest item is no one's post in a conversation to answer (an
 * idea, a moderator's notice about one's own post). 0, or -1 with the error recorded. */
static int
nm_reply_to(struct ctx *c, const struct nm_group *g, const char **ret)
{
	const PGresult *res = g->items;
	int last = PQntuples(res) - 1;
	const char *kind = db_str(res, last, db_col(res, "kind")), *post = db_str(res, last, db_col(res, "post_id"));

	*ret = NULL;
	if (g->thread == NULL || post == NULL ||
	    (strcmp(kind, "reply") != 0 && strcmp(kind, "mention") != 0 && strcmp(kind, "watch") != 0))
		return 0;
	return reply_mail_address(c, db_i64(res, 0, db_col(res, "user_id")), strtoll(post, NULL, 10), ret);
}

/* Build the group's mail and queue it (inside the claim's transaction). */
static enum herr
nm_send(struct ctx *c, struct nm_group *g)
{
	const PGresult *res = g->items;
	const char *kind = db_str(res, 0, db_col(res, "mail_kind")), *label = mail_pref_label(kind);
	const char *to = db_str(res, 0, db_col(res, "to_addr")), *name = db_str(res, 0, db_col(res, "to_name"));
	const char *settings = arena_printf(c->arena, "%s/settings#mail", app_config()->base_url);
	const char *unsub, *ref, *reply_to;
	struct site_settings site;
	enum herr rc;

	if ((unsub = mail_unsub_url(c, db_i64(res, 0, db_col(res, "user_id")), kind)) == NULL)
		return c->err;
	if (nm_reply_to(c, g, &reply_to) != 0)
		return c->err;
	site_settings_get(c, &site);
	/* One id per thread (or idea) that every mail about it refers to, so clients thread them. */
	ref = arena_printf(c->arena, "<%s-%s@%s>", g->idea ? "idea" : "thread",
			   g->idea ? g->idea : g->thread ? g->thread : "0", mail_msgid_host());
	buf_printf(&g->text, "Hello %s,\n\n", name);
	buf_puts(&g->html, "<p>Hello ");
	buf_html_escape(&g->html, name, strlen(name));
	buf_puts(&g->html, ",</p>\n");
	nm_items(c, g);
	if (reply_to) {
		buf_puts(&g->text, "Reply to this mail to answer on the forum (your text above the quote).\n");
		buf_puts(&g->html, "<p>Reply to this mail to answer on the forum (your text above the quote).</p>\n");
	}
	buf_printf(&g->text, "Open it: %s\n\n-- \nYou get this mail from %s because your preferences send %s at once.\n"
		   "Stop mail about %s: %s\nAll your mail preferences: %s\n",
		   g->link, site.site_name, label, label, unsub, settings);
	buf_puts(&g->html, "<p><a href=\"");
	buf_html_escape(&g->html, g->link, strlen(g->link));
	buf_puts(&g->html, "\">Open it on the forum</a></p>\n<hr>\n<p><small>You get this mail from ");
	buf_html_escape(&g->html, site.site_name, strlen(site.site_name));
	buf_printf(&g->html, " because your preferences send %s at once. <a href=\"", label);
	buf_html_escape(&g->html, unsub, strlen(unsub));
	buf_printf(&g->html, "\">Stop mail about %s</a> · <a href=\"", label);
	buf_html_escape(&g->html, settings, strlen(settings));
	buf_puts(&g->html, "\">All your mail preferences</a></small></p>\n");
	const struct mail_header headers[] = {
		{ "List-Unsubscribe", arena_printf(c->arena, "<%s>", unsub) },
		{ "List-Unsubscribe-Post", "List-Unsubscribe=One-Click" },
		{ "In-Reply-To", ref },
		{ "References", ref },
		{ "Reply-To", reply_to },
	};
	rc = mail_enqueue(c, &(struct mail_msg){ .kind = "notification", .to = to, .to_name = name,
						 .subject = g->subject, .text = g->text.data, .html = g->html.data,
						 .headers = headers,
						 .nheaders = sizeof headers / sizeof headers[0] - (reply_to == NULL) },
			  NULL);
	return rc;
}

struct nm_claim {
	bool found;
	int sent;
};

/* "{1,2}" of the claimed rows decided 'sent' (arena), or NULL when none. */
static const char *
nm_sent_ids(struct ctx *c, const PGresult *res, int *ret_n)
{
	struct buf b = BUF_INIT;
	const char *s = NULL;

	*ret_n = 0;
	for (int i = 0; i < PQntuples(res); i++) {
		if (strcmp(db_str(res, i, 1), "sent") == 0) {
			buf_printf(&b, "%s%s", *ret_n ? "," : "{", db_str(res, i, 0));
			++*ret_n;
		}
	}
	if (*ret_n) {
		buf_putc(&b, '}');
		s = arena_strdup(c->arena, b.data);
	}
	buf_free(&b);
	return s;
}

static enum herr
nm_claim_tx(struct ctx *c, void *arg)
{
	struct nm_claim *a = arg;
	struct nm_group g = { 0 };
	const char *ids;
	PGresult *res;
	enum herr rc;

	a->found = false;
	a->sent = 0;
	if ((res = db_q(c, STMT_NOTIFY_MAIL_PICK, db_int(c, nm_cfg.delay_s))) == NULL)
		return c->err;
	if (PQntuples(res) == 0)
		return HERR_OK;
	a->found = true;
	g.thread = db_str(res, 0, 1);
	g.idea = db_str(res, 0, 2);
	if ((res = db_q(c, STMT_NOTIFY_MAIL_CLAIM, db_str(res, 0, 0), g.thread, g.idea)) == NULL)
		return c->err;
	if ((ids = nm_sent_ids(c, res, &a->sent)) == NULL)
		return HERR_OK;
	if ((g.items = db_q(c, STMT_NOTIFY_MAIL_ITEMS, ids)) == NULL)
		return c->err;
	if (PQntuples(g.items) == 0 || !mail_addr_valid(db_str(g.items, 0, db_col(g.items, "to_addr")))) {
		a->sent = 0;   /* an address Corral does not send to: nothing to retry */
		return db_q(c, STMT_NOTIFY_MAIL_SKIP, ids) ? HERR_OK : c->err;
	}
	rc = nm_send(c, &g);
	buf_free(&g.text);
	buf_free(&g.html);
	return rc;
}

/* Claim and mail one group: 1 when one was claimed, 0 when none is due, -1 on an error. */
static int
nm_one(void)
{
	struct ctx c = { .arena = arena_new(), .rid = "notify-mail" };
	struct nm_claim a = { 0 };
	int rc = -1;

	if (db_transaction(&c, nm_claim_tx, &a) == HERR_OK) {
		rc = a.found ? 1 : 0;
		if (a.sent)
			log_debug("notify-mail: %d notification(s) queued as one mail", a.sent);
	}
	arena_free(c.arena);
	return rc;
}

static long
nm_next_due(void)
{
	struct ctx c = { .arena = arena_new(), .rid = "notify-mail" };
	PGresult *res = db_q(&c, STMT_NOTIFY_MAIL_NEXT_DUE, db_int(&c, nm_cfg.delay_s), db_int(&c, NOTIFY_MAIL_POLL_MS));
	long ms = res && PQntuples(res) == 1 ? (long)db_i64(res, 0, 0) : NOTIFY_MAIL_RETRY_MS;

	arena_free(c.arena);
	return ms;
}

static long long
nm_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Mail every group that is due, then sleep until the next one is. A wake by a notice
 * before the time already planned, which comes no later than the new notification is
 * due, changes nothing: sleep on without asking the database. */
static long
nm_round(void *arg)
{
	long long now = nm_now_ms(), planned = atomic_load(&nm_next_ms);
	long ms;
	int n = 0;

	(void)arg;
	if (planned > now && planned <= now + (long long)nm_cfg.delay_s * 1000)
		return (long)(planned - now);
	while (!atomic_load(&nm_stopping) && (n = nm_one()) == 1)
		;
	ms = n < 0 ? NOTIFY_MAIL_RETRY_MS : nm_next_due();
	atomic_store(&nm_next_ms, nm_now_ms() + ms);
	return ms;
}

static void
nm_done(void *arg)
{
	(void)arg;
	db_disconnect();
}

static struct worker nm_worker = WORKER_INIT("notify-mail", nm_round, nm_done, NULL);

/* A notification was made: its mail may now be the next due. */
static void
nm_notice(const char *payload, void *arg)
{
	(void)payload, (void)arg;
	worker_wake(&nm_worker);
}

static void
nm_listen_state(bool up, void *arg)
{
	(void)arg;
	if (up) {   /* notices may have been missed: look now */
		atomic_store(&nm_next_ms, 0);
		worker_wake(&nm_worker);
	}
}

int
notify_mail_start(const struct notify_mail_config *cfg)
{
	nm_cfg = *cfg;
	if (db_listen_subscribe("corral_notify_mail", nm_notice, NULL) != 0 ||
	    db_listen_on_state(nm_listen_state, NULL) != 0)
		return -1;
	atomic_store(&nm_stopping, false);
	atomic_store(&nm_next_ms, 0);
	return worker_start(&nm_worker);
}

void
notify_mail_stop(void)
{
	atomic_store(&nm_stopping, true);
	worker_stop(&nm_worker);
}
