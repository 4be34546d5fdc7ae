/* forum/admin_mail.h — what administrators see of outgoing mail: the queued and the
 * undeliverable messages (never their bodies), on /admin and at /api/v1/admin/mail. */
#ifndef CORRAL_FORUM_ADMIN_MAIL_H
#define CORRAL_FORUM_ADMIN_MAIL_H

#include "http/http.h"

/* Add "mail": {queued, failed, failed_list} to the /admin page's model. The caller has
 * checked that the viewer is an admin. */
enum herr admin_mail_summary(struct req *r);

#endif
