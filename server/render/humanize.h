/* render/humanize.h — times for people in HTML views: an RFC 3339 UTC time
 * ("2026-11-28T20:01:04Z", as db/ writes them) in a readable form. Templates ask for it as
 * {{x_h}}, the readable twin of the time x (render/template.h); absolute, so a kept page
 * stays true. */
#ifndef CORRAL_RENDER_HUMANIZE_H
#define CORRAL_RENDER_HUMANIZE_H

#include <stdbool.h>
#include <stddef.h>

/* "2026-11-28T20:01:04Z" (s of length n) → "28 Nov 2026, 20:01 UTC" in out (NUL-ended).
 * false, out unspecified, when s is not exactly such a time. */
bool humanize_time(const char *s, size_t n, char out[32]);

#endif
