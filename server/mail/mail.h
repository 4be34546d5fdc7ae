/* mail/mail.h — outgoing mail, the component every mail feature uses: a feature calls
 * mail_enqueue inside its own transaction; each instance's worker thread sends what is
 * queued (SMTP through libcurl, or .eml files / the log when no SMTP server is set up),
 * with retries and backoff, each message once even with several instances.
 *
 * mail/ sits beside forum/: it uses core/, db/ and render/, never http/. */
#ifndef CORRAL_MAIL_MAIL_H
#define CORRAL_MAIL_MAIL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/ctx.h"
#include "core/opt.h"
#include "mail/message.h"

struct mail_config {
	const char *from;             /* --mail-from: "addr" or "Name <addr>" */
	const char *smtp_url;         /* NULL: no SMTP, messages go to dir or the log */
	const char *smtp_user;
	const char *smtp_password_file;
	bool smtp_plain_loopback;
	const char *smtp_ca_file;
	const char *dir;              /* --mail-dir */
	int retry_base_s, retry_cap_s, retry_max;
	int smtp_timeout_s;
};

/* Options of mail_config: the sender (serve and `mail test`) and the sending (serve). */
extern const struct opt_table mail_msg_opts;
extern const struct opt_table mail_send_opts;

/* Settle the configuration before any thread starts: the From mailbox (default
 * "corral@" the host of base_url, or localhost), the Message-ID host (base_url's), the
 * SMTP password (--smtp-password-file, else $CORRAL_SMTP_PASSWORD), the folder of .eml
 * files (--mail-dir, else default_dir, which may be NULL: the log), libcurl. 0, or -1
 * after one line on stderr naming the option at fault. The strings of cfg must live on. */
int mail_configure(const struct mail_config *cfg, const char *base_url, const char *default_dir);

/* Queue m on this thread's connection — inside the caller's transaction when one is open,
 * so the message exists exactly when the change causing it commits. The message is built
 * now (mail/message.h). HERR_OK with *ret_id set (ret_id may be NULL); HERR_INVALID with
 * c->err_msg when m is refused (a header value with CR/LF…); a database error otherwise. */
enum herr mail_enqueue(struct ctx *c, const struct mail_msg *m, int64_t *ret_id);

/* Queue the test message of `corral mail test` (text and HTML, linking to base_url when
 * not NULL, like the messages of later features), as mail_enqueue. */
enum herr mail_enqueue_test(struct ctx *c, const char *to, const char *to_name, const char *subject,
			    const char *base_url, int64_t *ret_id);

/* Start the worker thread; subscribes to corral_mail, so call before the database
 * listener starts. 0 or -1 (logged). */
int mail_start(void);
/* Stop the worker: a delivery in progress is abandoned (the message stays queued). */
void mail_stop(void);

/* The host of this instance's Message-IDs (base_url's), for the ids a feature makes up
 * itself (In-Reply-To/References of one thread's mail: <thread-42@host>). */
const char *mail_msgid_host(void);

/* How a message leaves this instance, for the log at start ("smtp://…", a folder, "log"). */
const char *mail_transport(void);

#endif
