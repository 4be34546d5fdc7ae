/* auth/seal.h — the server's own key and the secrets of the database sealed with it.
 *
 * A secret the server must read back (a two-factor secret: a hash will not do) is kept in
 * PostgreSQL sealed with a key that is not in PostgreSQL: a dump, a backup or a replica
 * of the database alone does not give anyone the codes of its accounts. The key is 32
 * random bytes, written as 64 hex digits in a file (--secret-key-file; by default the
 * embedded cluster's DATA_DIR/secret.key, made at first start). Every instance on one
 * database needs the same file.
 *
 * A box is XChaCha20-Poly1305 (libsodium's IETF AEAD) with a random nonce and the row it
 * belongs to as associated data, so a box copied onto another account's row does not open. */
#ifndef CORRAL_AUTH_SEAL_H
#define CORRAL_AUTH_SEAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SEAL_KEY_BYTES 32
/* A box: one version byte, the 24-byte nonce, the text, the 16-byte tag. */
#define SEAL_OVERHEAD (1 + 24 + 16)

/* Read the key from file; when the file does not exist and create is true, make a new
 * key there first (mode 0600, never over an existing file: two instances starting at once
 * end up with the one that was written first). NULL file: no key (secrets stay unsealed).
 * Once at start-up, before threads. 0, or -1 after one log line. */
int seal_configure(const char *file, bool create);
/* A key was configured. */
bool seal_ready(void);
/* The file the key came from ("" without one), for log lines. */
const char *seal_key_file(void);

/* Seal len bytes of text for row id of kind ("totp") into box[len + SEAL_OVERHEAD].
 * 0, or -1 without a key. */
int seal_box(const unsigned char *text, size_t len, const char *kind, int64_t id, unsigned char *box);
/* Open box (box_len bytes) of row id of kind into text[box_len - SEAL_OVERHEAD].
 * 0, or -1: no key, not a box of this version, or not sealed by this key for this row. */
int seal_open(const unsigned char *box, size_t box_len, const char *kind, int64_t id, unsigned char *text);

/* For the unit tests: use key as the server's key (NULL: none). */
void seal_set_key(const unsigned char key[SEAL_KEY_BYTES]);

#endif
