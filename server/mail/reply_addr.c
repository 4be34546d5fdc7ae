/* mail/reply_addr.c — signed reply addresses: base-36 numbers and a base-32 MAC of 96 bits
 * (a forger gets one guess per delivered message). */
#include "mail/reply_addr.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define REPLY_ADDR_MAC_BYTES 12
#define REPLY_ADDR_MAC_CHARS 20   /* 96 bits in base 32 */
/* Ids of at most 12 base-36 digits and times of 7 (until the year 2514) keep the token
 * within 12 + 12 + 7 + 20 + 3 dots = 54 bytes. */
#define REPLY_ADDR_ID_LIMIT 4738381338321616896LL   /* 36^12 */
#define REPLY_ADDR_TIME_LIMIT 78364164096LL         /* 36^7 */

static const char reply_addr_b32[] = "abcdefghijklmnopqrstuvwxyz234567";

void
reply_addr_key(const unsigned char secret[crypto_auth_KEYBYTES], unsigned char ret[REPLY_ADDR_KEYBYTES])
{
	static const char label[] = "corral reply-by-mail address key v1";

	crypto_generichash(ret, REPLY_ADDR_KEYBYTES, (const unsigned char *)label, sizeof label - 1, secret,
			   crypto_auth_KEYBYTES);
}

/* v (> 0) in base 36 into out; returns its length. */
static size_t
reply_addr_b36(int64_t v, char *out)
{
	char tmp[16];
	size_t n = 0;

	do {
		int d = (int)(v % 36);

		tmp[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		v /= 36;
	} while (v > 0);
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
	return n;
}

/* The MAC of the text "UID.POST.EXP" in base 32. */
static void
reply_addr_mac(const unsigned char key[REPLY_ADDR_KEYBYTES], const char *msg, size_t len,
	       char out[REPLY_ADDR_MAC_CHARS + 1])
{
	unsigned char mac[16];
	unsigned acc = 0;
	int bits = 0;
	size_t n = 0;

	crypto_generichash(mac, sizeof mac, (const unsigned char *)msg, len, key, REPLY_ADDR_KEYBYTES);
	for (size_t i = 0; i < REPLY_ADDR_MAC_BYTES; i++) {
		acc = (acc << 8) | mac[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[n++] = reply_addr_b32[(acc >> bits) & 31];
		}
		acc &= (1u << bits) - 1;
	}
	if (bits > 0)   /* 96 bits: 19 full characters and one holding the last bit */
		out[n++] = reply_addr_b32[(acc << (5 - bits)) & 31];
	out[n] = '\0';
}

/* "UID.POST.EXP" of a into out; its length. */
static size_t
reply_addr_text(const struct reply_addr *a, char *out)
{
	size_t n = reply_addr_b36(a->uid, out);

	out[n++] = '.';
	n += reply_addr_b36(a->post, out + n);
	out[n++] = '.';
	n += reply_addr_b36(a->expires, out + n);
	return n;
}

int
reply_addr_make(const unsigned char key[REPLY_ADDR_KEYBYTES], const struct reply_addr *a,
		char out[REPLY_ADDR_TOKEN_MAX + 1])
{
	char mac[REPLY_ADDR_MAC_CHARS + 1];
	size_t n;

	if (a->uid <= 0 || a->post <= 0 || a->expires <= 0 || a->uid >= REPLY_ADDR_ID_LIMIT ||
	    a->post >= REPLY_ADDR_ID_LIMIT || a->expires >= REPLY_ADDR_TIME_LIMIT)
		return -1;
	n = reply_addr_text(a, out);
	reply_addr_mac(key, out, n, mac);
	out[n++] = '.';
	memcpy(out + n, mac, sizeof mac);
	return 0;
}

/* A base-36 number of at most max digits, no leading zero. */
static bool
reply_addr_num(const char *s, size_t n, size_t max, int64_t *ret)
{
	int64_t v = 0;

	if (n == 0 || n > max || s[0] == '0')
		return false;
	for (size_t i = 0; i < n; i++) {
		int d = s[i] >= '0' && s[i] <= '9' ? s[i] - '0' : s[i] >= 'a' && s[i] <= 'z' ? s[i] - 'a' + 10 : -1;

		if (d < 0)
			return false;
		v = v * 36 + d;
	}
	*ret = v;
	return true;
}

enum reply_addr_check
reply_addr_check(const unsigned char key[REPLY_ADDR_KEYBYTES], const char *token, int64_t now, struct reply_addr *ret)
{
	char low[REPLY_ADDR_TOKEN_MAX + 1], mac[REPLY_ADDR_MAC_CHARS + 1], *dot[3], *p;
	struct reply_addr a;
	size_t len = strlen(token), k = 0;

	if (len > REPLY_ADDR_TOKEN_MAX)
		return REPLY_ADDR_MALFORMED;
	for (size_t i = 0; i <= len; i++)
		low[i] = (char)(token[i] >= 'A' && token[i] <= 'Z' ? token[i] - 'A' + 'a' : token[i]);
	for (p = low; *p && k < 3; p++) {
		if (*p == '.')
			dot[k++] = p;
	}
	if (k != 3 || strchr(dot[2] + 1, '.') != NULL || !reply_addr_num(low, (size_t)(dot[0] - low), 12, &a.uid) ||
	    !reply_addr_num(dot[0] + 1, (size_t)(dot[1] - dot[0] - 1), 12, &a.post) ||
	    !reply_addr_num(dot[1] + 1, (size_t)(dot[2] - dot[1] - 1), 7, &a.expires) ||
	    strlen(dot[2] + 1) != REPLY_ADDR_MAC_CHARS)
		return REPLY_ADDR_MALFORMED;
	reply_addr_mac(key, low, (size_t)(dot[2] - low), mac);
	if (sodium_memcmp(mac, dot[2] + 1, REPLY_ADDR_MAC_CHARS) != 0)
		return REPLY_ADDR_FORGED;
	*ret = a;
	return a.expires < now ? REPLY_ADDR_EXPIRED : REPLY_ADDR_OK;
}
