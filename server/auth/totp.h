/* auth/totp.h — time-based one-time passwords (RFC 6238, HMAC-SHA1, 30-second steps)
 * through liboath, and the text forms around them: the base32 secret and otpauth:// URI
 * an authenticator app reads, and one-time recovery codes. Pure functions: no database,
 * no request; the forum's two-factor module (forum/twofactor*.c) stores what they make. */
#ifndef CORRAL_AUTH_TOTP_H
#define CORRAL_AUTH_TOTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define TOTP_SECRET_BYTES 20           /* 160 bits, RFC 4226's recommended length */
#define TOTP_STEP_S 30
#define TOTP_DIGITS 6
#define TOTP_BASE32_LEN 32             /* 20 bytes in base32, no padding */
#define TOTP_RECOVERY_CODES 10
#define TOTP_RECOVERY_LEN 19           /* "xxxx-xxxx-xxxx-xxxx": 80 random bits */
#define TOTP_RECOVERY_KEY_BYTES 16     /* an account's key of its recovery codes' hashes */

/* The code of time step `step` (unix time / 30) in `digits` digits (6–8) into
 * out[digits + 1]. 0, or -1 when liboath refuses (out untouched then). */
int totp_code(const unsigned char *secret, size_t len, int64_t step, unsigned digits, char *out);

/* The time step of now whose 6-digit code is `code`, looking at the steps within
 * ±window of now's and only at those after `after_step` (a code used once is not taken
 * again). The oldest match, or -1 when none matches or code is not 6 digits. The codes
 * are compared in constant time. */
int64_t totp_match(const unsigned char *secret, size_t len, time_t now, int window, int64_t after_step,
		   const char *code);

/* The base32 text of a secret (RFC 4648 alphabet, no padding) into out[TOTP_BASE32_LEN + 1]. */
void totp_base32(const unsigned char secret[TOTP_SECRET_BYTES], char out[TOTP_BASE32_LEN + 1]);

/* The otpauth:// URI of a secret for an authenticator app (Key Uri Format): issuer and
 * account name percent-encoded. Caller frees with free() (out of memory aborts, as buf does). */
char *totp_uri(const char *issuer, const char *account, const char base32[TOTP_BASE32_LEN + 1]);

/* A new recovery code, "xxxx-xxxx-xxxx-xxxx" in lower-case base32, into
 * out[TOTP_RECOVERY_LEN + 1]. */
void totp_recovery_new(char out[TOTP_RECOVERY_LEN + 1]);

/* A typed recovery code in its canonical form (lower case, without the dashes and spaces
 * people type or copy along) into out[17]. false when it cannot be one. */
bool totp_recovery_normalize(const char *typed, char out[17]);

/* The hex text (64 digits) of the BLAKE2b-256 of a canonical recovery code keyed with
 * the account's random key, into out[65]: what the database keeps. */
void totp_recovery_hash(const char canonical[17], const unsigned char key[TOTP_RECOVERY_KEY_BYTES],
			char out[65]);

#endif
