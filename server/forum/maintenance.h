/* forum/maintenance.h — a background thread that forgets what has expired: sessions past
 * their idle or absolute limit, old rate-limit windows, day-old idempotency keys. */
#ifndef CORRAL_FORUM_MAINTENANCE_H
#define CORRAL_FORUM_MAINTENANCE_H

/* Start the thread (it runs once at start, then every interval_s). 0 or -1. */
int maint_start(int interval_s, int session_idle_s);
/* Stop it and wait for it. */
void maint_stop(void);

#endif
