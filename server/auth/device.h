/* auth/device.h — what a person needs to recognise one of their sessions: the browser's
 * User-Agent made safe to store and show, and a short readable name for it ("Firefox on
 * Linux"). Pure functions of their input, unit-tested in tests/unit/test_device.c. */
#ifndef CORRAL_AUTH_DEVICE_H
#define CORRAL_AUTH_DEVICE_H

#include <stddef.h>

/* What a session keeps of a User-Agent, in bytes (the column allows 512). */
#define AUTH_DEVICE_UA_MAX 256

/* Copy the User-Agent ua (NULL: none) into out, of cap bytes (cap >= 1), as one line of
 * valid UTF-8: a byte that is not part of well-formed UTF-8 becomes '?', a control
 * character (C0, DEL, C1) or a line or paragraph separator a space, runs of spaces one space, both ends trimmed, and the
 * text cut at a code point so it fits. Returns the length written (out is always
 * NUL-terminated). */
size_t auth_device_clean(const char *ua, char *out, size_t cap);

/* A readable name for the device behind ua, such as "Firefox on Linux", "Safari on
 * iPhone", "Chrome", "curl" or "Unknown device", into out (cap >= 1, NUL-terminated, cut
 * when too small). ua should be cleaned first; NULL or "" give "Unknown device". Returns
 * out. */
const char *auth_device_name(const char *ua, char *out, size_t cap);

#endif
