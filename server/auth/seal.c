/* auth/seal.c — the server's key (read from its file, or made there) and sealed boxes. */
#include "auth/seal.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"

#define SEAL_VERSION 1
#define SEAL_NONCE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES

static unsigned char seal_key[SEAL_KEY_BYTES];
static bool seal_have_key;
static char seal_file[512];

_Static_assert(SEAL_OVERHEAD == 1 + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES +
	       crypto_aead_xchacha20poly1305_ietf_ABYTES, "SEAL_OVERHEAD is the box's framing");
_Static_assert(SEAL_KEY_BYTES == crypto_aead_xchacha20poly1305_ietf_KEYBYTES, "key size");

/* A new key into a file that must not exist yet. 0, 1 when another process made the file
 * first, -1 (logged). */
static int
seal_make(const char *file)
{
	unsigned char key[SEAL_KEY_BYTES];
	char hex[2 * SEAL_KEY_BYTES + 2];
	size_t len;
	int fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0) {
		if (errno == EEXIST)
			return 1;
		log_error("secret key: cannot create %s: %s", file, strerror(errno));
		return -1;
	}
	randombytes_buf(key, sizeof key);
	sodium_bin2hex(hex, sizeof hex, key, sizeof key);
	sodium_memzero(key, sizeof key);
	len = strlen(hex);
	hex[len++] = '\n';
	if (write(fd, hex, len) != (ssize_t)len || fsync(fd) != 0) {
		log_error("secret key: cannot write %s: %s", file, strerror(errno));
		sodium_memzero(hex, sizeof hex);
		close(fd);
		unlink(file);
		return -1;
	}
	sodium_memzero(hex, sizeof hex);
	close(fd);
	log_info("secret key: made a new key in %s; keep a copy apart from the database's backups "
		 "(without it, two-factor sign-in cannot be checked)", file);
	return 0;
}

static int
seal_read(const char *file)
{
	char text[256];
	const char *end;
	size_t n, bin_len = 0;
	struct stat st;
	FILE *f = fopen(file, "re");

	if (f == NULL) {
		if (errno == ENOENT)
			log_error("secret key: %s does not exist; make it once and give every instance the same "
				  "file: umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \\n' > %s",
				  file, file);
		else
			log_error("secret key: cannot read %s: %s", file, strerror(errno));
		return -1;
	}
	n = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	text[n] = '\0';
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' '))
		text[--n] = '\0';
	if (n != 2 * SEAL_KEY_BYTES ||
	    sodium_hex2bin(seal_key, sizeof seal_key, text, n, NULL, &bin_len, &end) != 0 ||
	    bin_len != SEAL_KEY_BYTES || *end != '\0') {
		sodium_memzero(text, sizeof text);
		log_error("secret key: %s does not hold a key: it must be 64 hex digits (32 random bytes)", file);
		return -1;
	}
	sodium_memzero(text, sizeof text);
	if (stat(file, &st) == 0 && (st.st_mode & 077))
		log_warn("secret key: %s can be read by others than its owner (chmod 600 it)", file);
	return 0;
}

int
seal_configure(const char *file, bool create)
{
	seal_have_key = false;
	seal_file[0] = '\0';
	if (file == NULL || *file == '\0')
		return 0;
	if (create && access(file, F_OK) != 0 && seal_make(file) < 0)
		return -1;
	if (seal_read(file) != 0)
		return -1;
	snprintf(seal_file, sizeof seal_file, "%s", file);
	seal_have_key = true;
	return 0;
}

bool
seal_ready(void)
{
	return seal_have_key;
}

const char *
seal_key_file(void)
{
	return seal_file;
}

void
seal_set_key(const unsigned char key[SEAL_KEY_BYTES])
{
	seal_have_key = key != NULL;
	if (key)
		memcpy(seal_key, key, SEAL_KEY_BYTES);
}

/* What the box is bound to: its kind and its row. */
static size_t
seal_ad(const char *kind, int64_t id, unsigned char *ad, size_t size)
{
	size_t k = strlen(kind);
	uint64_t u = (uint64_t)id;

	if (k + 1 + 8 > size)
		k = size - 9;
	memcpy(ad, kind, k);
	ad[k] = 0;
	for (int i = 0; i < 8; i++)
		ad[k + 1 + i] = (unsigned char)(u >> (8 * i));
	return k + 9;
}

int
seal_box(const unsigned char *text, size_t len, const char *kind, int64_t id, unsigned char *box)
{
	unsigned char ad[64];
	size_t ad_len = seal_ad(kind, id, ad, sizeof ad);

	if (!seal_have_key)
		return -1;
	box[0] = SEAL_VERSION;
	randombytes_buf(box + 1, SEAL_NONCE);
	crypto_aead_xchacha20poly1305_ietf_encrypt(box + 1 + SEAL_NONCE, NULL, text, len, ad, ad_len,
						   NULL, box + 1, seal_key);
	return 0;
}

int
seal_open(const unsigned char *box, size_t box_len, const char *kind, int64_t id, unsigned char *text)
{
	unsigned char ad[64];
	size_t ad_len = seal_ad(kind, id, ad, sizeof ad);

	if (!seal_have_key || box_len < SEAL_OVERHEAD || box[0] != SEAL_VERSION)
		return -1;
	return crypto_aead_xchacha20poly1305_ietf_decrypt(text, NULL, NULL, box + 1 + SEAL_NONCE,
							  box_len - 1 - SEAL_NONCE, ad, ad_len,
							  box + 1, seal_key) == 0 ? 0 : -1;
}
