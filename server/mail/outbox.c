/* mail/outbox.c — the outbox: queueing a built message in the caller's transaction, and
 * the worker thread that claims due messages (one instance each: SKIP LOCKED and a
 * lease), delivers them and records the outcome with exponential backoff. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/worker.h"
#include "db/db.h"
#include "db/listen.h"
#include "mail/internal.h"

/* Without a notice (listener down, a retry coming due) the worker looks at least this often. */
#define MAIL_POLL_MS 5000


enum herr
mail_enqueue(struct ctx *c, const struct mail_msg *m, int64_t *ret_id)
{
	struct buf b = BUF_INIT;
	const char *err = NULL, *text;
	PGresult *res;

	if (mail_build(m, &mail_st.sender, time(NULL), &b, &err) != 0) {
		buf_free(&b);
		return ctx_fail(c, HERR_INVALID, NULL, arena_printf(c->arena, "This mail cannot be sent: %s.", err));
	}
	text = arena_strndup(c->arena, b.data, b.len);
	buf_free(&b);
	res = db_q(c, STMT_MAIL_ENQUEUE, m->kind, m->to, m->subject, text, m->link);
	if (res == NULL)
		return c->err;
	if (ret_id)
		*ret_id = db_i64(res, 0, 0);
	return HERR_OK;
}

enum herr
mail_enqueue_test(struct ctx *c, const char *to, const char *to_name, const char *subject,
		  const char *base_url, int64_t *ret_id)
{
	struct buf t = BUF_INIT, h = BUF_INIT;
	enum herr rc;

	buf_puts(&t, "This is a test message from Corral.\n\nIf you can read it, outgoing mail works.\n");
	buf_puts(&h, "<p>This is a test message from <strong>Corral</strong>.</p>\n"
		     "<p>If you can read it, outgoing mail works.</p>\n");
	if (base_url) {
		buf_printf(&t, "\nThe forum: %s\n", base_url);
		buf_puts(&h, "<p><a href=\"");
		buf_html_escape(&h, base_url, strlen(base_url));
		buf_puts(&h, "\">Go to the forum</a></p>\n");
	}
	rc = mail_enqueue(c, &(struct mail_msg){ .kind = "test", .to = to, .to_name = to_name, .subject = subject,
						 .text = t.data, .html = h.data, .link = base_url }, ret_id);
	buf_free(&t);
	buf_free(&h);
	return rc;
}

/* No SMTP server: the message as <dir>/<id>.eml, readable by its owner only, whole or
 * not at all (written aside, then renamed). */
static enum smtp_result
mail_write_file(const char *id, const char *msg, char *err, size_t errsize)
{
	char path[PATH_MAX + 32], tmp[PATH_MAX + 40];
	size_t len = strlen(msg), off = 0;
	int fd;

	if (mkdir(mail_st.dir, 0700) != 0 && errno != EEXIST)
		goto fail;
	snprintf(path, sizeof path, "%s/%s.eml", mail_st.dir, id);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		goto fail;
	while (off < len) {
		ssize_t n = write(fd, msg + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			goto fail;
		}
		off += (size_t)n;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0)
		goto fail;
	log_info("mail %s written to %s", id, path);
	return SMTP_SENT;
fail:
	snprintf(err, errsize, "%.200s: %s", mail_st.dir, strerror(errno));
	return SMTP_RETRY;
}

static enum smtp_result
mail_deliver(const PGresult *res, char *err, size_t errsize)
{
	const char *id = db_str(res, 0, 0), *to = db_str(res, 0, 2), *subject = db_str(res, 0, 3);
	const char *msg = db_str(res, 0, 4), *link = db_str(res, 0, 5);
	enum smtp_result r;

	if (mail_st.use_smtp) {
		r = smtp_send(&mail_st.smtp, mail_st.sender.addr, to, msg, strlen(msg), err, errsize);
		if (r == SMTP_SENT)
			log_info("mail %s sent to %s", id, to);
		return r;
	}
	/* An operator without SMTP must still finish every flow: say where the mail is and
	 * what its one link is. */
	if (mail_st.dir[0] && (r = mail_write_file(id, msg, err, errsize)) != SMTP_SENT)
		return r;
	if (!mail_st.dir[0])
		log_info("mail %s to %s, subject \"%s\" (no --smtp-url or --mail-dir: logged only)", id, to, subject);
	if (link)
		log_info("mail %s link: %s", id, link);
	return SMTP_SENT;
}

/* Seconds to wait after the attempts-th failed attempt: base doubling, capped. */
static int
mail_backoff(int attempts)
{
	long long s = mail_st.cfg.retry_base_s;

	for (int i = 1; i < attempts && s < mail_st.cfg.retry_cap_s; i++)
		s *= 2;
	return (int)(s < mail_st.cfg.retry_cap_s ? s : mail_st.cfg.retry_cap_s);
}

/* Claim one due message and deliver it. 1 when one was handled, 0 when none is due,
 * -1 on a database error. */
static int
mail_one(void)
{
	struct ctx c = { .arena = arena_new(), .rid = "mail" };
	/* Longer than any delivery can take, so a live claim never expires under a sender. */
	int lease = mail_st.cfg.smtp_timeout_s * 2 + 60, rc = -1, attempts, wait;
	bool give_up;
	char err[512] = "";
	const char *id;
	enum smtp_result r;
	PGresult *res;

	if ((res = db_q(&c, STMT_MAIL_CLAIM, db_int(&c, lease))) == NULL)
		goto out;
	rc = 0;
	if (PQntuples(res) == 0)
		goto out;
	rc = 1;
	id = db_str(res, 0, 0);
	attempts = (int)db_i64(res, 0, 1);
	r = mail_deliver(res, err, sizeof err);
	if (r == SMTP_SENT) {
		db_q(&c, STMT_MAIL_SENT, id, db_int(&c, attempts));
		goto out;
	}
	/* Shutting down: hand the message back at once, to this or another instance. */
	wait = atomic_load(&mail_st.stopping) ? 0 : mail_backoff(attempts);
	give_up = r == SMTP_REJECTED || attempts >= mail_st.cfg.retry_max;

	log_warn("mail %s to %s: attempt %d failed: %s%s", id, db_str(res, 0, 2), attempts, err,
		 give_up ? "; giving up (see /admin)" : "");
	db_q(&c, STMT_MAIL_RETRY, id, db_int(&c, attempts), err, db_int(&c, wait), give_up ? "true" : "false");
out:
	arena_free(c.arena);
	return rc;
}

/* Milliseconds until the next message is due, at most MAIL_POLL_MS. */
static long
mail_next_due(void)
{
	struct ctx c = { .arena = arena_new(), .rid = "mail" };
	PGresult *res = db_q(&c, STMT_MAIL_NEXT_DUE, db_int(&c, MAIL_POLL_MS));
	long ms = res && PQntuples(res) == 1 ? (long)db_i64(res, 0, 0) : MAIL_POLL_MS;

	arena_free(c.arena);
	return ms;
}

/* One round: send what is due (until the outbox has nothing due or a stop begins), then
 * sleep until the next message is due, at most a poll interval; a NOTIFY wakes it. */
static long
mail_round(void *arg)
{
	int n = 0;

	(void)arg;
	while (!atomic_load(&mail_st.stopping) && (n = mail_one()) == 1)
		;
	return n < 0 ? MAIL_POLL_MS : mail_next_due();   /* db_exec logged the error */
}

static void
mail_done(void *arg)
{
	(void)arg;
	db_disconnect();
}

static struct worker mail_worker = WORKER_INIT("mail", mail_round, mail_done, NULL);

static void
mail_notice(const char *payload, void *arg)
{
	(void)payload, (void)arg;
	worker_wake(&mail_worker);
}

/* Back after an outage: notices may have been missed, look now. */
static void
mail_listen_state(bool up, void *arg)
{
	(void)arg;
	if (up)
		worker_wake(&mail_worker);
}

int
mail_start(void)
{
	if (db_listen_subscribe("corral_mail", mail_notice, NULL) != 0 ||
	    db_listen_on_state(mail_listen_state, NULL) != 0)
		return -1;
	atomic_store(&mail_st.stopping, false);
	return worker_start(&mail_worker);
}

void
mail_stop(void)
{
	/* A delivery in progress sees the flag and gives its message back to the queue. */
	atomic_store(&mail_st.stopping, true);
	worker_stop(&mail_worker);
}
