/* render/humanize.h — times for people in HTML views: every RFC 3339 UTC time of a model
 * ("2026-11-28T20:01:04Z", as db/ writes them) gets a readable twin beside it. */
#ifndef CORRAL_RENDER_HUMANIZE_H
#define CORRAL_RENDER_HUMANIZE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* "2026-11-28T20:01:04Z" (s of length n) → "28 Nov 2026, 20:01 UTC" in out (NUL-ended).
 * false, out unspecified, when s is not exactly such a time. */
bool humanize_time(const char *s, size_t n, char out[32]);

/* For each string member "<key>" of every object in model (nested up to 16 levels) that
 * is such a time, add "<key>_h" with the readable form. Absolute, so a cached page stays
 * true. Changes model in place; other values are left alone. */
void humanize_model(json_t *model);

#endif
