/* render/humanize.c — times for people: an RFC 3339 time as pages show it ("28 Nov 2026,
 * 20:01 UTC"), which a template's {{x_h}} writes for the time x (render/template.h). */
#include "render/humanize.h"

#include <string.h>

static const char *const humanize_months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
						"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* "2026-11-28T20:01:04Z" → "28 Nov 2026, 20:01 UTC"; false when s (of length n) is not
 * such a time. Parsed and written by hand: it ran on every string of every HTML model
 * (body_html included), and sscanf/snprintf made it 16 % of an uncached thread page. */
bool
humanize_time(const char *s, size_t n, char out[32])
{
	static const unsigned char digit_at[] = { 0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18 };
	int mo;
	char *o = out;

	if (n != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
	    s[19] != 'Z')
		return false;
	for (size_t i = 0; i < sizeof digit_at; i++)
		if (s[digit_at[i]] < '0' || s[digit_at[i]] > '9')
			return false;
	mo = (s[5] - '0') * 10 + (s[6] - '0');
	if (mo < 1 || mo > 12)
		return false;
	if (s[8] != '0')
		*o++ = s[8];
	*o++ = s[9];
	*o++ = ' ';
	memcpy(o, humanize_months[mo - 1], 3);
	o += 3;
	*o++ = ' ';
	memcpy(o, s, 4);
	o += 4;
	memcpy(o, ", ", 2);
	o += 2;
	memcpy(o, s + 11, 5);   /* HH:MM */
	o += 5;
	memcpy(o, " UTC", 5);   /* with its NUL */
	return true;
}
