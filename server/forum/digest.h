/* forum/digest.h — the mail digest: a worker thread per instance claims the members whose
 * daily or weekly digest is due, a batch at a time, builds all their digests in one
 * statement (DIGEST_BUILD) and queues one mail per member with something to tell, in the
 * transaction that moves their next digest ahead: each digest is sent once across
 * instances. Also each member's frequency (daily, weekly, off) and `corral mail
 * digest-now`. */
#ifndef CORRAL_FORUM_DIGEST_H
#define CORRAL_FORUM_DIGEST_H

#include <stdint.h>

#include "core/ctx.h"
#include "core/opt.h"

struct digest_config {
	int hour;   /* --digest-hour: the UTC hour a digest is next due at, or -1: a period after */
};

extern const struct opt_table digest_opts;

/* The frequencies, NULL-terminated (for in_enum), and their labels in the same order. */
extern const char *const digest_frequencies[];
extern const char *const digest_frequency_labels[];

/* Member uid's frequency ("weekly" when never chosen), arena-owned, or NULL with the error
 * recorded. */
const char *digest_frequency(struct ctx *c, int64_t uid);
/* Set member uid's frequency (one of digest_frequencies). HERR_OK or the database error. */
enum herr digest_set_frequency(struct ctx *c, int64_t uid, const char *frequency);

/* Make the digest of member username (NULL: every member whose digest is not off) due
 * now; running servers are woken by the database. The number of members made due, or -1
 * with the error recorded. */
long digest_now(struct ctx *c, const char *username);

/* Start the worker; subscribes to corral_digest, so call before the database listener
 * starts. 0 or -1 (logged). */
int digest_start(const struct digest_config *cfg);
/* Let the current round finish and stop the worker. */
void digest_stop(void);

#endif
