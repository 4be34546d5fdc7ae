/* forum/notify_mail.h — notification mail: a worker thread per instance turns the
 * notifications nobody has read after --notify-mail-delay seconds into mail (one per
 * member and thread, or idea), through the member's preferences and the outbox. Each
 * notification's mail is decided exactly once across instances. A kind chosen for the
 * digest is marked 'digest' here and carried by the next digest (forum/digest.c). */
#ifndef CORRAL_FORUM_NOTIFY_MAIL_H
#define CORRAL_FORUM_NOTIFY_MAIL_H

#include "core/opt.h"

struct notify_mail_config {
	int delay_s;   /* --notify-mail-delay */
};

extern const struct opt_table notify_mail_opts;

/* Start the worker; subscribes to corral_notify_mail, so call before the database
 * listener starts. 0 or -1 (logged). */
int notify_mail_start(const struct notify_mail_config *cfg);
/* Let the current round finish and stop the worker. */
void notify_mail_stop(void);

#endif
