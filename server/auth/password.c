/* auth/password.c — argon2id through libsodium, with a bound on hashes in flight.
 *
 * Each hash at the interactive limits takes 64 MiB and ~50 ms of one core; without a
 * bound, a burst of sign-ins could take gigabytes. Callers beyond the bound wait up to
 * a few seconds, then get 503. */
#include "auth/auth.h"

#include <errno.h>
#include <semaphore.h>
#include <sodium.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/utf8.h"

#define AUTH_HASH_WAIT_S 10

static sem_t auth_hash_slots;
static char auth_dummy_hash[crypto_pwhash_STRBYTES];
/* libsodium's interactive limits by default (2 passes, 64 MiB); the memory can be lowered
 * to OWASP's 19 MiB where RAM is short (--hash-memory). Hashes made with other limits
 * still verify and are redone at the next sign-in. */
static unsigned long long auth_opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
static size_t auth_memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;

_Static_assert(AUTH_HASH_BYTES >= crypto_pwhash_STRBYTES, "hash buffer too small");

int
auth_password_acceptable(struct ctx *c, const char *field, const char *pw, size_t len)
{
	if (len < AUTH_PASSWORD_MIN || len > AUTH_PASSWORD_MAX) {
		ctx_fail(c, HERR_INVALID, field, "A password is 10 to 1024 bytes long.");
		return -1;
	}
	/* What the API's decoder already refuses; the command line's stdin is checked here. */
	if (!utf8_valid(pw, len)) {
		ctx_fail(c, HERR_INVALID, field, "A password must be UTF-8 text.");
		return -1;
	}
	return 0;
}

int
auth_password_init(int concurrency, int memory_mib)
{
	if (memory_mib > 0)
		auth_memlimit = (size_t)memory_mib * 1024 * 1024;
	if (sem_init(&auth_hash_slots, 0, (unsigned)(concurrency > 0 ? concurrency : 1)) != 0)
		return -1;
	/* A real hash of a random password: verifying against it costs what a real account
	 * costs, so unknown names cannot be told apart by time. */
	unsigned char pw[16];

	randombytes_buf(pw, sizeof pw);
	if (crypto_pwhash_str(auth_dummy_hash, (const char *)pw, sizeof pw,
			      auth_opslimit, auth_memlimit) != 0) {
		log_error("auth: cannot compute a password hash (out of memory?)");
		return -1;
	}
	return 0;
}

static int
auth_slot_take(struct ctx *c)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += AUTH_HASH_WAIT_S;
	while (sem_timedwait(&auth_hash_slots, &until) != 0) {
		if (errno == EINTR)
			continue;
		log_warn("rid=%s auth: every password-hash slot busy for %ds", c->rid, AUTH_HASH_WAIT_S);
		c->retry_after = 2;
		ctx_fail(c, HERR_UNAVAILABLE, NULL, "The server is busy; try again in a moment.");
		return -1;
	}
	return 0;
}

int
auth_password_hash(struct ctx *c, const char *pw, size_t len, char out[AUTH_HASH_BYTES])
{
	int rc;

	if (auth_slot_take(c) != 0)
		return -1;
	rc = crypto_pwhash_str(out, pw, len, auth_opslimit, auth_memlimit);
	sem_post(&auth_hash_slots);
	if (rc != 0) {
		log_error("rid=%s auth: crypto_pwhash_str failed (out of memory)", c->rid);
		c->retry_after = 2;
		ctx_fail(c, HERR_UNAVAILABLE, NULL, "The server is busy; try again in a moment.");
		return -1;
	}
	return 0;
}

int
auth_password_verify(struct ctx *c, const char *hash, const char *pw, size_t len)
{
	int rc;

	if (auth_slot_take(c) != 0)
		return -1;
	rc = crypto_pwhash_str_verify(hash ? hash : auth_dummy_hash, pw, len);
	sem_post(&auth_hash_slots);
	return hash != NULL && rc == 0;
}

bool
auth_password_needs_rehash(const char *hash)
{
	return crypto_pwhash_str_needs_rehash(hash, auth_opslimit, auth_memlimit) != 0;
}
