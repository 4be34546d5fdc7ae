/* mail/internal.h — the state the files of mail/ share: the settled configuration
 * (options.c) that the enqueue and the worker (outbox.c) read. */
#ifndef CORRAL_MAIL_INTERNAL_H
#define CORRAL_MAIL_INTERNAL_H

#include <limits.h>
#include <stdatomic.h>

#include "mail/mail.h"
#include "mail/smtp.h"

struct mail_state {
	struct mail_config cfg;
	struct mail_sender sender;
	char host[256];
	char from_addr[320];
	char from_name[256];
	char password[512];
	char dir[PATH_MAX];
	bool use_smtp;
	struct mail_smtp smtp;
	atomic_bool stopping;
};

extern struct mail_state mail_st;

#endif
