/* auth/device.c — a session's User-Agent, cleaned for storage, and the short name a
 * person recognises it by. Only the few browsers and systems most people use are named;
 * anything else falls back to the first product token ("curl", "python-requests"). */
#include "auth/device.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/utf8.h"

/* Length of the well-formed UTF-8 sequence starting at s (at most n bytes), or 0. */
static size_t
auth_device_seq(const unsigned char *s, size_t n)
{
	size_t len = s[0] < 0x80 ? 1 : s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : 2;

	if (len > n || !utf8_valid((const char *)s, len))
		return 0;
	return len;
}

/* C0, DEL, C1, and the line and paragraph separators U+2028/U+2029: nothing that would
 * break the one line a session is shown on. */
static bool
auth_device_control(const unsigned char *s, size_t len)
{
	return (len == 1 && (s[0] < 0x20 || s[0] == 0x7F)) ||
	       (len == 2 && s[0] == 0xC2 && s[1] <= 0x9F) ||
	       (len == 3 && s[0] == 0xE2 && s[1] == 0x80 && (s[2] == 0xA8 || s[2] == 0xA9));
}

size_t
auth_device_clean(const char *ua, char *out, size_t cap)
{
	const unsigned char *s = (const unsigned char *)(ua ? ua : "");
	size_t n = strlen((const char *)s), i = 0, o = 0;
	bool space = false;   /* a space is owed before the next character */

	while (i < n) {
		size_t len = auth_device_seq(s + i, n - i);
		const unsigned char *ch = s + i;

		if (len == 0) {
			ch = (const unsigned char *)"?";
			len = 1;
			i++;
		} else {
			i += len;
		}
		if (auth_device_control(ch, len) || (len == 1 && ch[0] == ' ')) {
			space = o > 0;
			continue;
		}
		if (o + space + len > cap - 1)
			break;
		if (space)
			out[o++] = ' ';
		space = false;
		memcpy(out + o, ch, len);
		o += len;
	}
	out[o] = '\0';
	return o;
}

/* Browsers, most specific first: Edge, Opera and Samsung's browser say "Chrome" too, and
 * Chrome says "Safari". */
static const struct {
	const char *token, *name;
} auth_device_browsers[] = {
	{ "Edg/", "Edge" }, { "Edge/", "Edge" }, { "EdgiOS/", "Edge" }, { "EdgA/", "Edge" },
	{ "OPR/", "Opera" }, { "Opera", "Opera" },
	{ "SamsungBrowser/", "Samsung Internet" },
	{ "Vivaldi/", "Vivaldi" },
	{ "Firefox/", "Firefox" }, { "FxiOS/", "Firefox" },
	{ "CriOS/", "Chrome" }, { "Chromium/", "Chromium" }, { "Chrome/", "Chrome" },
	{ "Safari/", "Safari" },
	{ "MSIE ", "Internet Explorer" }, { "Trident/", "Internet Explorer" },
};

/* Systems, most specific first: an iPad may say "Mac OS X", Android says "Linux". */
static const struct {
	const char *token, *name;
} auth_device_systems[] = {
	{ "iPhone", "iPhone" }, { "iPad", "iPad" }, { "iPod", "iPod" },
	{ "Android", "Android" },
	{ "CrOS", "ChromeOS" },
	{ "Windows", "Windows" },
	{ "Macintosh", "macOS" }, { "Mac OS X", "macOS" },
	{ "FreeBSD", "FreeBSD" }, { "OpenBSD", "OpenBSD" },
	{ "Linux", "Linux" }, { "X11", "Linux" },
};

#define AUTH_DEVICE_FIND(table, ua, ret)                                          \
	do {                                                                      \
		for (size_t i_ = 0; i_ < sizeof(table) / sizeof((table)[0]); i_++) \
			if (strstr((ua), (table)[i_].token)) {                    \
				(ret) = (table)[i_].name;                         \
				break;                                            \
			}                                                         \
	} while (0)

const char *
auth_device_name(const char *ua, char *out, size_t cap)
{
	const char *browser = NULL, *system = NULL;
	size_t plen;

	if (ua == NULL || ua[0] == '\0') {
		snprintf(out, cap, "Unknown device");
		return out;
	}
	AUTH_DEVICE_FIND(auth_device_browsers, ua, browser);
	AUTH_DEVICE_FIND(auth_device_systems, ua, system);
	if (browser && system)
		snprintf(out, cap, "%s on %s", browser, system);
	else if (browser || system)
		snprintf(out, cap, "%s", browser ? browser : system);
	else if (strncmp(ua, "Mozilla/", 8) != 0 && (plen = strcspn(ua, "/ ;(")) > 0)
		/* A program rather than a browser: its product name ("curl/8.5.0"), cut at a
		 * code point. */
		snprintf(out, cap, "%.*s", (int)utf8_truncate(ua, plen, cap - 1 < 64 ? cap - 1 : 64), ua);
	else
		snprintf(out, cap, "Unknown device");
	return out;
}
