/* Unit tests for auth/seal: the server's key file (read, made once, refused when it holds
 * no key) and the boxes sealed with it — opened only with the same key, for the same kind
 * and row, untouched. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/seal.h"
#include "tap.h"

static void
test_boxes(void)
{
	unsigned char k1[SEAL_KEY_BYTES], k2[SEAL_KEY_BYTES], text[20], out[20];
	unsigned char box[20 + SEAL_OVERHEAD], box2[20 + SEAL_OVERHEAD];

	randombytes_buf(k1, sizeof k1);
	randombytes_buf(k2, sizeof k2);
	randombytes_buf(text, sizeof text);
	seal_set_key(NULL);
	ok(!seal_ready() && seal_box(text, sizeof text, "totp", 7, box) == -1, "no key: nothing is sealed");
	seal_set_key(k1);
	ok(seal_ready() && seal_box(text, sizeof text, "totp", 7, box) == 0, "sealed with a key");
	ok(box[0] == 1 && memmem(box, sizeof box, text, sizeof text) == NULL, "a version byte, and the text is not in the box");
	ok(seal_open(box, sizeof box, "totp", 7, out) == 0 && memcmp(out, text, sizeof text) == 0,
	   "opened for the same kind and row: the same text");
	ok(seal_box(text, sizeof text, "totp", 7, box2) == 0 && memcmp(box, box2, sizeof box) != 0,
	   "a new nonce each time: two boxes of one text differ");
	ok(seal_open(box, sizeof box, "totp", 8, out) == -1, "another row's box does not open (copied onto another account)");
	ok(seal_open(box, sizeof box, "totq", 7, out) == -1, "another kind's box does not open");
	box[sizeof box - 1] ^= 1;
	ok(seal_open(box, sizeof box, "totp", 7, out) == -1, "a changed byte: refused");
	box[sizeof box - 1] ^= 1;
	box[0] = 2;
	ok(seal_open(box, sizeof box, "totp", 7, out) == -1, "an unknown version: refused");
	box[0] = 1;
	ok(seal_open(box, SEAL_OVERHEAD - 1, "totp", 7, out) == -1, "shorter than the framing: refused");
	seal_set_key(k2);
	ok(seal_open(box, sizeof box, "totp", 7, out) == -1, "another key: refused");
	seal_set_key(NULL);
	ok(seal_open(box, sizeof box, "totp", 7, out) == -1, "no key: refused");
}

static void
test_key_file(void)
{
	char dir[] = "/tmp/corral-seal-XXXXXX", path[128], text[100];
	unsigned char t[4] = { 1, 2, 3, 4 }, box[4 + SEAL_OVERHEAD], out[4];
	struct stat st;
	FILE *f;

	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof path, "%s/secret.key", dir);
	ok(seal_configure(path, false) == -1 && !seal_ready(), "a missing file is refused unless it may be made");
	ok(seal_configure(path, true) == 0 && seal_ready(), "made at first start");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "mode 0600");
	f = fopen(path, "r");
	ok(f && fgets(text, sizeof text, f) && strlen(text) == 65 && text[64] == '\n', "64 hex digits and a newline");
	if (f)
		fclose(f);
	seal_box(t, sizeof t, "x", 1, box);
	ok(seal_configure(path, true) == 0 && seal_open(box, sizeof box, "x", 1, out) == 0 && memcmp(out, t, 4) == 0,
	   "a second start reads the same key, never a new one");
	f = fopen(path, "w");
	fputs("not a key\n", f);
	fclose(f);
	ok(seal_configure(path, true) == -1 && !seal_ready(), "a file without a key is refused, not replaced");
	f = fopen(path, "w");
	fputs("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff0\n", f);
	fclose(f);
	ok(seal_configure(path, false) == -1, "65 digits: refused");
	f = fopen(path, "w");
	fputs("00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff\r\n", f);
	fclose(f);
	ok(seal_configure(path, false) == 0 && seal_ready() && strcmp(seal_key_file(), path) == 0,
	   "64 digits of either case, a CRLF: read");
	ok(seal_configure(NULL, false) == 0 && !seal_ready(), "no file: no key");
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_boxes();
	test_key_file();
	return done_testing();
}
