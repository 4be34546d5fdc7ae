/* forum/security.h — a member's own sessions and password (forum/security.c): the part
 * of the settings page it fills; its routes are security_routes (forum/routes.h). */
#ifndef CORRAL_FORUM_SECURITY_H
#define CORRAL_FORUM_SECURITY_H

struct req;

/* Add the viewer's sessions ("sessions": [{id, device, user_agent, address, created_at,
 * last_seen_at, expires_at, current}], "other_sessions") and the notice of what a settings
 * form just did (?done=password|sessions) to r's model. The viewer must be signed in.
 * 0, or -1 with the error recorded. */
int security_settings_model(struct req *r);

#endif
