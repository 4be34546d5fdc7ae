/* Unit tests for auth/onetime: the pure parts of single-use account tokens — the purposes
 * as a PostgreSQL array, what a failed use means, the words for it — and the token hash
 * they rest on (auth_token_hash): BLAKE2b-256 of the token as a bytea literal, refusing
 * anything that cannot be one of ours before the database is asked. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "auth/onetime.h"
#include "core/arena.h"
#include "tap.h"

static void
test_purposes(void)
{
	char out[64], tiny[8];

	ok(onetime_purposes_literal(ONETIME_BIT(ONETIME_RESET_PASSWORD), out, sizeof out) == 0 &&
	   strcmp(out, "{reset_password}") == 0, "one purpose: {reset_password}");
	ok(onetime_purposes_literal(ONETIME_ADDRESS, out, sizeof out) == 0 &&
	   strcmp(out, "{verify_email,change_email}") == 0, "the address purposes, in enum order");
	ok(onetime_purposes_literal(ONETIME_ADDRESS | ONETIME_BIT(ONETIME_RESET_PASSWORD), out, sizeof out) == 0 &&
	   strcmp(out, "{verify_email,change_email,reset_password}") == 0, "all three");
	ok(onetime_purposes_literal(0, out, sizeof out) == -1, "no purpose is refused (it would match nothing)");
	ok(onetime_purposes_literal(1u << 7, out, sizeof out) == -1, "an unknown bit names nothing");
	ok(onetime_purposes_literal(ONETIME_ADDRESS, tiny, sizeof tiny) == -1, "too small a buffer is refused");
	ok(onetime_purposes_literal(ONETIME_BIT(ONETIME_VERIFY_EMAIL), out, 14) == -1 &&
	   onetime_purposes_literal(ONETIME_BIT(ONETIME_VERIFY_EMAIL), out, 15) == 0,
	   "{verify_email} needs 15 bytes: the braces and the NUL, exactly");
	is_str(onetime_purpose_name(ONETIME_VERIFY_EMAIL), "verify_email", "the database's names");
	is_str(onetime_purpose_name(ONETIME_CHANGE_EMAIL), "change_email", "change_email");
	is_str(onetime_purpose_name(ONETIME_RESET_PASSWORD), "reset_password", "reset_password");
	is_str(onetime_purpose_name(ONETIME_WORK_EMAIL), "verify_work_email", "verify_work_email (schema/0031)");
	ok(onetime_purposes_literal(ONETIME_BIT(ONETIME_WORK_EMAIL), out, sizeof out) == 0 &&
	   strcmp(out, "{verify_work_email}") == 0, "a work address's link is a purpose of its own");
}

static void
test_judge(void)
{
	is_int(onetime_judge(false, false, false), ONETIME_UNKNOWN, "not found: unknown");
	is_int(onetime_judge(false, true, true), ONETIME_UNKNOWN, "not found wins over anything else");
	is_int(onetime_judge(true, false, false), ONETIME_OK, "found, unused, in time: good");
	is_int(onetime_judge(true, true, false), ONETIME_USED, "used");
	is_int(onetime_judge(true, false, true), ONETIME_EXPIRED, "expired");
	is_int(onetime_judge(true, true, true), ONETIME_USED, "used and expired: used (it did work once)");
	is_str(onetime_fault_reason(ONETIME_MALFORMED), "token_invalid", "malformed and unknown read alike");
	is_str(onetime_fault_reason(ONETIME_UNKNOWN), "token_invalid", "unknown: token_invalid");
	is_str(onetime_fault_reason(ONETIME_USED), "token_used", "token_used");
	is_str(onetime_fault_reason(ONETIME_EXPIRED), "token_expired", "token_expired");
	ok(strcmp(onetime_fault_message(ONETIME_MALFORMED), onetime_fault_message(ONETIME_UNKNOWN)) == 0,
	   "a forged token and a mistyped one get the same words");
	ok(strstr(onetime_fault_message(ONETIME_EXPIRED), "expired") != NULL, "the expired message says so");
}

static void
test_hash(void)
{
	struct ctx c = { .arena = arena_new(), .rid = "test" };
	const char *tok, *hash, *again, *other_tok, *other;
	unsigned char h[32];
	char want[2 + 64 + 1] = "\\x";

	auth_token_new(&c, NULL, &tok, &hash);
	ok(strlen(tok) == 43 && strspn(tok, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == 43,
	   "a token is 256 bits as 43 base64url characters");
	again = auth_token_hash(&c, tok);
	ok(again && strcmp(again, hash) == 0, "hashing is deterministic: the stored hash is found again");
	crypto_generichash(h, sizeof h, (const unsigned char *)tok, strlen(tok), NULL, 0);
	sodium_bin2hex(want + 2, sizeof want - 2, h, sizeof h);
	is_str(hash, want, "the hash is BLAKE2b-256 of the token, as a bytea literal");
	auth_token_new(&c, NULL, &other_tok, &other);
	ok(strcmp(tok, other_tok) != 0 && strcmp(hash, other) != 0, "two tokens differ, and so do their hashes");
	ok(auth_token_hash(&c, "") == NULL, "empty: refused");
	ok(auth_token_hash(&c, "abc") == NULL, "too short: refused");
	ok(auth_token_hash(&c, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA") == NULL, "42 characters: refused");
	ok(auth_token_hash(&c, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA") != NULL, "43 characters: a candidate");
	ok(auth_token_hash(&c, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=") == NULL, "padding or other symbols: refused");
	ok(auth_token_hash(&c, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n") == NULL, "a line break: refused");
	ok(auth_token_hash(&c, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\xc3\xa9") == NULL, "non-ASCII: refused");
	{
		char big[100];

		memset(big, 'A', sizeof big - 1);
		big[sizeof big - 1] = '\0';
		ok(auth_token_hash(&c, big) == NULL, "too long: refused");
	}
	arena_free(c.arena);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_purposes();
	test_judge();
	test_hash();
	return done_testing();
}
