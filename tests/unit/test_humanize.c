/* Unit tests for render/humanize: which strings are times and how a time reads (where a
 * page shows them: tests/unit/test_template.c, {{x_h}}). */
#include <stdio.h>
#include <string.h>

#include "render/humanize.h"
#include "tap.h"

static const char *
human(const char *s)
{
	static char out[32];

	return humanize_time(s, strlen(s), out) ? out : NULL;
}

static void
test_times(void)
{
	is_str(human("2026-11-28T20:01:04Z"), "28 Nov 2026, 20:01 UTC", "a time reads day month year, hour:minute");
	is_str(human("2026-01-05T00:00:59Z"), "5 Jan 2026, 00:00 UTC", "a day below 10 has no leading zero");
	is_str(human("1999-12-31T23:59:59Z"), "31 Dec 1999, 23:59 UTC", "December");
	ok(human("2026-13-01T00:00:00Z") == NULL, "month 13 is not a time");
	ok(human("2026-00-01T00:00:00Z") == NULL, "month 0 is not a time");
	ok(human("2026-11-28T20:01:04") == NULL, "without Z it is not a time");
	ok(human("2026-11-28T20:01:04.5Z") == NULL, "fractions are not what db/ writes");
	ok(human("2026-11-28 20:01:04Z") == NULL, "a space instead of T is not a time");
	ok(human("2026-1a-28T20:01:04Z") == NULL, "a letter among the digits is not a time");
	ok(human("") == NULL, "the empty string is not a time");
	ok(human("hello, world, twenty") == NULL, "twenty characters of text are not a time");
}

int
main(void)
{
	test_times();
	return done_testing();
}
