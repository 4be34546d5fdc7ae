/* auth/totp.c — RFC 6238 codes through liboath, constant-time matching within a window
 * that never goes back to a step already used, and the secret's and recovery codes' text. */
#include "auth/totp.h"

#include <liboath/oath.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"

static pthread_once_t totp_once = PTHREAD_ONCE_INIT;
static int totp_init_rc;

static void
totp_init_once(void)
{
	/* liboath wants oath_init before anything else; once per process, from any thread. */
	totp_init_rc = oath_init();
	if (totp_init_rc != OATH_OK)
		log_error("totp: liboath failed to start: %s", oath_strerror(totp_init_rc));
}

int
totp_code(const unsigned char *secret, size_t len, int64_t step, unsigned digits, char *out)
{
	char otp[16];

	if (pthread_once(&totp_once, totp_init_once) != 0 || totp_init_rc != OATH_OK)
		return -1;
	if (step < 0 || digits < 6 || digits > 8 || step > INT64_MAX / TOTP_STEP_S)
		return -1;
	/* liboath counts steps from a time: the first second of the step asked for. */
	if (oath_totp_generate((const char *)secret, len, (time_t)(step * TOTP_STEP_S), TOTP_STEP_S, 0,
			       digits, otp) != OATH_OK)
		return -1;
	memcpy(out, otp, digits + 1);
	return 0;
}

int64_t
totp_match(const unsigned char *secret, size_t len, time_t now, int window, int64_t after_step,
	   const char *code)
{
	int64_t step = (int64_t)now / TOTP_STEP_S, found = -1;
	char want[TOTP_DIGITS + 1];

	if (code == NULL || strlen(code) != TOTP_DIGITS || strspn(code, "0123456789") != TOTP_DIGITS)
		return -1;
	/* Every step of the window is computed and compared, matched or not, so the time
	 * taken says nothing about which one matched. */
	for (int64_t s = step - window; s <= step + window; s++) {
		if (s < 0 || totp_code(secret, len, s, TOTP_DIGITS, want) != 0)
			continue;
		if (sodium_memcmp(want, code, TOTP_DIGITS) == 0 && s > after_step && found < 0)
			found = s;
	}
	sodium_memzero(want, sizeof want);
	return found;
}

/* liboath's encoder, copied out of its malloc'd string; n bytes of input make exactly
 * n * 8 / 5 characters when n is a multiple of 5 (no padding). */
static void
totp_base32_into(const unsigned char *in, size_t n, char *out, size_t outlen)
{
	char *enc = NULL;
	size_t enclen = 0;

	if (pthread_once(&totp_once, totp_init_once) != 0 ||
	    oath_base32_encode((const char *)in, n, &enc, &enclen) != OATH_OK || enc == NULL || enclen < outlen) {
		/* Out of memory in liboath: nothing sensible to show. abort rather than hand out
		 * a secret nobody can type. */
		log_error("totp: base32 encoding failed");
		abort();
	}
	memcpy(out, enc, outlen);
	out[outlen] = '\0';
	sodium_memzero(enc, enclen);
	free(enc);
}

void
totp_base32(const unsigned char secret[TOTP_SECRET_BYTES], char out[TOTP_BASE32_LEN + 1])
{
	totp_base32_into(secret, TOTP_SECRET_BYTES, out, TOTP_BASE32_LEN);
}

char *
totp_uri(const char *issuer, const char *account, const char base32[TOTP_BASE32_LEN + 1])
{
	struct buf b = BUF_INIT;

	/* https://github.com/google/google-authenticator/wiki/Key-Uri-Format: the label is
	 * "issuer:account", and issuer= repeats it for apps that read only the parameter. */
	buf_puts(&b, "otpauth://totp/");
	buf_url_escape(&b, issuer, strlen(issuer));
	buf_puts(&b, ":");
	buf_url_escape(&b, account, strlen(account));
	buf_printf(&b, "?secret=%s&issuer=", base32);
	buf_url_escape(&b, issuer, strlen(issuer));
	buf_printf(&b, "&algorithm=SHA1&digits=%d&period=%d", TOTP_DIGITS, TOTP_STEP_S);
	return buf_detach(&b, NULL);
}

void
totp_recovery_new(char out[TOTP_RECOVERY_LEN + 1])
{
	unsigned char raw[10];
	char enc[17];
	size_t o = 0;

	randombytes_buf(raw, sizeof raw);
	totp_base32_into(raw, sizeof raw, enc, 16);
	for (size_t i = 0; i < 16; i++) {
		if (i > 0 && i % 4 == 0)
			out[o++] = '-';
		out[o++] = (char)(enc[i] >= 'A' && enc[i] <= 'Z' ? enc[i] - 'A' + 'a' : enc[i]);
	}
	out[o] = '\0';
	sodium_memzero(raw, sizeof raw);
}

bool
totp_recovery_normalize(const char *typed, char out[17])
{
	size_t n = 0;

	for (const char *p = typed; p && *p; p++) {
		char ch = *p;

		if (ch == '-' || ch == ' ')
			continue;
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '2' && ch <= '7')) || n == 16)
			return false;
		out[n++] = ch;
	}
	out[n] = '\0';
	return n == 16;
}

void
totp_recovery_hash(const char canonical[17], const unsigned char key[TOTP_RECOVERY_KEY_BYTES], char out[65])
{
	unsigned char h[32];

	/* Fast on purpose: 80 random bits cannot be guessed from the hash, so a slow KDF
	 * would only cost each sign-in time; the account's key is the salt ASVS 2.6.2 asks
	 * for below 112 bits (docs/security.md). */
	crypto_generichash(h, sizeof h, (const unsigned char *)canonical, 16, key, TOTP_RECOVERY_KEY_BYTES);
	sodium_bin2hex(out, 65, h, sizeof h);
}
