/* mail/smtp.h — one message handed to an SMTP server through libcurl: smtps://, or
 * smtp:// with STARTTLS required (plain only to a loopback host when allowed), AUTH when a
 * user is set. No SMTP is spoken here: libcurl speaks it. */
#ifndef CORRAL_MAIL_SMTP_H
#define CORRAL_MAIL_SMTP_H

#include <stdbool.h>
#include <stdatomic.h>
#include <stddef.h>

struct mail_smtp {
	const char *url;              /* smtp://host[:port] or smtps://host[:port] */
	const char *user;             /* NULL: no AUTH */
	const char *password;
	bool plain_loopback;          /* smtp:// to 127.0.0.0/8, ::1 or localhost without TLS */
	const char *ca_file;          /* CA certificates to verify the server with, or NULL:
	                               * the system's */
	long timeout_ms;              /* the whole exchange */
	const atomic_bool *cancel;    /* when it turns true the exchange is abandoned */
};

/* curl_global_init: once, before any thread starts. 0 or -1 (logged). */
int smtp_global_init(void);

/* Is url an SMTP URL Corral accepts (scheme smtp or smtps, a host)? Sets *ret_loopback
 * when its host is a loopback address. */
bool smtp_url_valid(const char *url, bool *ret_loopback);

enum smtp_result {
	SMTP_SENT,
	SMTP_RETRY,                   /* connection, TLS, timeout, 4xx: try again later */
	SMTP_REJECTED,                /* the server refused the message for good (5xx) */
};

/* Send msg[0..len) (RFC 5322 text with CRLF) from envelope sender `from` to `to`. On
 * failure err holds one line for the log and the admin (no password). */
enum smtp_result smtp_send(const struct mail_smtp *cfg, const char *from, const char *to,
			   const char *msg, size_t len, char *err, size_t errsize);

#endif
