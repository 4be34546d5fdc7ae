/* Unit tests for auth/device: a User-Agent cleaned for storage (valid UTF-8, one line,
 * bounded, cut at a code point) and the readable device names of common browsers. */
#include <stdio.h>
#include <string.h>

#include "auth/device.h"
#include "core/utf8.h"
#include "tap.h"

static const char *
clean(const char *ua, size_t cap)
{
	static char out[AUTH_DEVICE_UA_MAX + 1];

	auth_device_clean(ua, out, cap);
	return out;
}

static const char *
name(const char *ua)
{
	static char out[80];

	return auth_device_name(ua, out, sizeof out);
}

static void
test_clean(void)
{
	char big[2000], out[AUTH_DEVICE_UA_MAX + 1];
	size_t n;

	is_str(clean(NULL, 64), "", "no User-Agent is empty");
	is_str(clean("", 64), "", "an empty User-Agent stays empty");
	is_str(clean("  curl/8.5.0  ", 64), "curl/8.5.0", "both ends are trimmed");
	is_str(clean("a\tb\r\nc\x7f" "d", 64), "a b c d", "control characters become spaces");
	is_str(clean("a   \t  b", 64), "a b", "runs of spaces become one");
	is_str(clean("a\xc2\x85" "b", 64), "a b", "a C1 control (NEL) becomes a space");
	is_str(clean("a\xe2\x80\xa8" "b\xe2\x80\xa9" "c", 64), "a b c", "U+2028 and U+2029 become spaces");
	is_str(clean("caf\xc3\xa9 \xe2\x9c\x93", 64), "caf\xc3\xa9 \xe2\x9c\x93", "valid UTF-8 is kept");
	is_str(clean("a\xff" "b\xc3", 64), "a?b?", "bytes that are not UTF-8 become '?'");
	is_str(clean("\xc0\xaf/x", 64), "?" "?/x", "an overlong encoding is not UTF-8");
	is_str(clean("\xed\xa0\x80", 64), "???", "a surrogate is not UTF-8");
	is_str(clean("abcdef", 4), "abc", "cut to fit, NUL included");
	is_str(clean("ab\xc3\xa9", 4), "ab", "never cut inside a code point");
	is_str(clean("ab      cd", 4), "ab", "a space owed at the cut is dropped");
	is_str(clean("x", 1), "", "a one-byte buffer holds the empty string");
	memset(big, 'A', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	n = auth_device_clean(big, out, sizeof out);
	is_int(n, AUTH_DEVICE_UA_MAX, "a 2000-byte User-Agent is cut to %d bytes", AUTH_DEVICE_UA_MAX);
	is_int(strlen(out), n, "the length returned is the length written");
	for (size_t i = 0; i + 2 < sizeof big; i += 2)
		memcpy(big + i, "\xc3\xa9", 2);
	big[sizeof big - 1] = '\0';
	n = auth_device_clean(big, out, sizeof out);
	ok(n <= AUTH_DEVICE_UA_MAX && utf8_valid(out, n), "a long UTF-8 User-Agent is cut into valid UTF-8 (%zu bytes)", n);
}

static void
test_names(void)
{
	static const struct {
		const char *ua, *want;
	} cases[] = {
		{ "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox on Linux" },
		{ "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
		  "Chrome/126.0.0.0 Safari/537.36", "Chrome on Windows" },
		{ "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
		  "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.87", "Edge on Windows" },
		{ "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
		  "Version/17.5 Safari/605.1.15", "Safari on macOS" },
		{ "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
		  "Version/17.5 Mobile/15E148 Safari/604.1", "Safari on iPhone" },
		{ "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
		  "CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1", "Chrome on iPad" },
		{ "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
		  "Chrome/126.0.6478.71 Mobile Safari/537.36", "Chrome on Android" },
		{ "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
		  "SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36", "Samsung Internet on Android" },
		{ "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
		  "Chrome/126.0.0.0 Safari/537.36 OPR/111.0.0.0", "Opera on Linux" },
		{ "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) "
		  "Chrome/126.0.0.0 Safari/537.36", "Chrome on ChromeOS" },
		{ "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
		  "HeadlessChrome/126.0.0.0 Safari/537.36", "Chrome on Linux" },
		{ "Mozilla/5.0 (Windows NT 6.1; Trident/7.0; rv:11.0) like Gecko", "Internet Explorer on Windows" },
		{ "Mozilla/5.0 (Windows NT 10.0)", "Windows" },
		{ "curl/8.5.0", "curl" },
		{ "python-requests/2.31.0", "python-requests" },
		{ "Wget", "Wget" },
		{ "Mozilla/5.0", "Unknown device" },
		{ "/1.0", "Unknown device" },
		{ "", "Unknown device" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		is_str(name(cases[i].ua), cases[i].want, "%s", cases[i].want);
	is_str(name(NULL), "Unknown device", "no User-Agent is an unknown device");
}

static void
test_small_buffers(void)
{
	char out[8], wide[100], prog[200];

	is_str(auth_device_name("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", out, sizeof out),
	       "Firefox", "a name is cut to the buffer");
	memset(prog, 'p', 150);
	memcpy(prog + 150, "/1", 3);
	is_int(strlen(auth_device_name(prog, wide, sizeof wide)), 64, "a program's name is at most 64 bytes");
	is_str(auth_device_name("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9/1", out, sizeof out), "\xc3\xa9\xc3\xa9\xc3\xa9",
	       "a program's name is cut at a code point");
}

int
main(void)
{
	test_clean();
	test_names();
	test_small_buffers();
	return done_testing();
}
