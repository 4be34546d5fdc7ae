/* Unit tests for auth/totp: RFC 6238 appendix B (SHA1) through liboath, the window and
 * replay rule of totp_match, and the text forms (base32, otpauth URI, recovery codes). */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "auth/totp.h"
#include "tap.h"

static const unsigned char rfc_secret[] = "12345678901234567890";

static const struct {
	long long t;
	const char *eight;
} rfc_vectors[] = {
	{ 59, "94287082" },
	{ 1111111109, "07081804" },
	{ 1111111111, "14050471" },
	{ 1234567890, "89005924" },
	{ 2000000000, "69279037" },
	{ 20000000000LL, "65353130" },
};

static void
test_rfc_vectors(void)
{
	char code[9];

	for (size_t i = 0; i < sizeof rfc_vectors / sizeof rfc_vectors[0]; i++) {
		int64_t step = rfc_vectors[i].t / TOTP_STEP_S;

		ok(totp_code(rfc_secret, 20, step, 8, code) == 0, "T=%lld computes", rfc_vectors[i].t);
		is_str(code, rfc_vectors[i].eight, "RFC 6238 B, 8 digits at T=%lld", rfc_vectors[i].t);
		ok(totp_code(rfc_secret, 20, step, 6, code) == 0, "T=%lld in 6 digits", rfc_vectors[i].t);
		is_str(code, rfc_vectors[i].eight + 2, "6 digits are the last 6 of 8 at T=%lld", rfc_vectors[i].t);
	}
	ok(totp_code(rfc_secret, 20, 1, 5, code) == -1, "fewer than 6 digits are refused");
	ok(totp_code(rfc_secret, 20, -1, 6, code) == -1, "a negative step is refused");
}

static void
test_match(void)
{
	time_t now = 1111111111;           /* step 37037037, code 050471 */
	int64_t step = now / TOTP_STEP_S;
	char prev[7], next[7], far[7];

	totp_code(rfc_secret, 20, step - 1, 6, prev);
	totp_code(rfc_secret, 20, step + 1, 6, next);
	totp_code(rfc_secret, 20, step + 2, 6, far);
	ok(totp_match(rfc_secret, 20, now, 1, 0, "050471") == step, "the current step's code matches");
	ok(totp_match(rfc_secret, 20, now, 1, 0, prev) == step - 1, "the step before matches (window 1)");
	ok(totp_match(rfc_secret, 20, now, 1, 0, next) == step + 1, "the step after matches (window 1)");
	ok(totp_match(rfc_secret, 20, now, 1, 0, far) == -1, "two steps away does not");
	ok(totp_match(rfc_secret, 20, now, 0, 0, prev) == -1, "window 0 takes only the current step");
	ok(totp_match(rfc_secret, 20, now, 1, step, "050471") == -1, "a step already used is refused (replay)");
	ok(totp_match(rfc_secret, 20, now, 1, step, prev) == -1, "and so is an older one");
	ok(totp_match(rfc_secret, 20, now, 1, step, next) == step + 1, "a later step still matches");
	ok(totp_match(rfc_secret, 20, now, 1, 0, "000000") == -1 || strcmp(prev, "000000") == 0, "a wrong code does not");
	ok(totp_match(rfc_secret, 20, now, 1, 0, "05047") == -1, "five digits do not");
	ok(totp_match(rfc_secret, 20, now, 1, 0, "0504711") == -1, "seven digits do not");
	ok(totp_match(rfc_secret, 20, now, 1, 0, "05047a") == -1, "a letter does not");
	ok(totp_match(rfc_secret, 20, now, 1, 0, "") == -1, "empty does not");
	ok(totp_match(rfc_secret, 20, now, 1, 0, NULL) == -1, "NULL does not");
}

static void
test_text(void)
{
	char b32[TOTP_BASE32_LEN + 1], rc[TOTP_RECOVERY_LEN + 1], canon[17], canon2[17], h[65], h2[65];
	unsigned char key[TOTP_RECOVERY_KEY_BYTES] = { 0 };
	char *uri;

	totp_base32(rfc_secret, b32);
	is_str(b32, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "the RFC secret in base32");
	uri = totp_uri("Corral forum", "ann@x", b32);
	is_str(uri, "otpauth://totp/Corral%20forum:ann%40x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
		    "&issuer=Corral%20forum&algorithm=SHA1&digits=6&period=30",
	       "the otpauth URI escapes issuer and account");
	free(uri);

	totp_recovery_new(rc);
	ok(strlen(rc) == TOTP_RECOVERY_LEN && rc[4] == '-' && rc[9] == '-' && rc[14] == '-',
	   "a recovery code is four groups of four: %s", rc);
	ok(totp_recovery_normalize(rc, canon) && strlen(canon) == 16, "it normalizes to 16 characters");
	for (size_t i = 0; rc[i]; i++)
		rc[i] = (char)(rc[i] >= 'a' && rc[i] <= 'z' ? rc[i] - 'a' + 'A' : rc[i] == '-' ? ' ' : rc[i]);
	ok(totp_recovery_normalize(rc, canon2) && strcmp(canon, canon2) == 0,
	   "upper case and spaces instead of dashes are the same code");
	ok(!totp_recovery_normalize("abcd-efgh-ijkl-mno", canon2), "15 characters are not a code");
	ok(!totp_recovery_normalize("abcd-efgh-ijkl-mnopq", canon2), "17 characters are not a code");
	ok(!totp_recovery_normalize("abcd-efgh-ijkl-mn01", canon2), "0 and 1 are not base32");
	ok(!totp_recovery_normalize("", canon2), "empty is not a code");
	totp_recovery_hash("abcdefghijklmnop", key, h);
	ok(strlen(h) == 64 && strspn(h, "0123456789abcdef") == 64, "the hash is 64 hex digits");
	key[0] ^= 1;
	totp_recovery_hash("abcdefghijklmnop", key, h2);
	ok(strcmp(h, h2) != 0, "another account's key makes another hash");
	totp_recovery_new(rc);
	totp_recovery_normalize(rc, canon2);
	ok(strcmp(canon, canon2) != 0, "two recovery codes differ");
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_rfc_vectors();
	test_match();
	test_text();
	return done_testing();
}
