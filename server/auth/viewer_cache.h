/* auth/viewer_cache.h — this instance's copy of signed-in readers' sessions, for the pages
 * that need nothing else of PostgreSQL: a thread page served from its shared copy
 * (forum/sharedpage.c, issue 20) is then answered with no round trip at all.
 *
 * A session as SESSION_VIEWER resolved it is kept in the page cache (http/cache.c) under
 * the key of its token's hash, stamped with the account's tag 'u:<id>'. PostgreSQL drops it
 * on every instance at commit (schema/0040: the account, its sessions, its notifications);
 * the cache drops everything while notices do not arrive. A copy is also used for
 * --reader-keep seconds at most (auth_config.reader_keep_s; 0 keeps nothing), so what no
 * notice announces — a suspension's or a session's end in time — is seen that soon.
 *
 * Only safe requests use it (auth/session.c decides): every write is checked against the
 * database, and answered once this instance has seen the notices it caused (forum/app.c),
 * so a member who signs out, or is suspended, through this instance is never served a kept
 * session again. On another instance the notice takes milliseconds; the browser that wrote
 * carries corral_w meanwhile and reads through the database. */
#ifndef CORRAL_AUTH_VIEWER_CACHE_H
#define CORRAL_AUTH_VIEWER_CACHE_H

#include "auth/auth.h"

/* Whether sessions and readers' page states are kept at all, and the age at which a kept
 * one is no longer used. */
bool auth_reader_keep(void);
bool auth_reader_kept_too_long(int64_t kept_at_ms);
/* Now, as the kept_at_ms of something kept. */
int64_t auth_reader_now_ms(void);

/* The kept viewer of the session whose token hashes to hash (in r's arena), or NULL. */
struct viewer *auth_viewer_cache_get(struct req *r, const char *hash);
/* Keep v for hash, unless a notice began since notices_before (cache_notices(), read
 * before the database was): it may have been about v, whose tag was not known then. */
void auth_viewer_cache_put(struct req *r, const char *hash, const struct viewer *v,
			   unsigned long notices_before);

#endif
