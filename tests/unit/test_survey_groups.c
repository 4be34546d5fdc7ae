/* Unit tests for forum/survey_groups: which roles survey results may show on their own. */
#include <string.h>

#include "forum/surveys.h"
#include "tap.h"

/* Roles: practitioner (doer), consultant, vendor, analyst (helpers). The merged roles as a
 * string of 0/1, or "" when none is. */
static const char *
groups(int64_t p, int64_t c, int64_t v, int64_t a, int64_t min, struct survey_groups *g)
{
	static char out[5];
	static bool merged[4];
	const int64_t n[4] = { p, c, v, a };
	const bool doer[4] = { true, false, false, false };

	g->merged = merged;
	survey_groups_compute(4, n, doer, min, g);
	for (int i = 0; i < 4; i++)
		out[i] = merged[i] ? '1' : '0';
	return out;
}

int
main(void)
{
	struct survey_groups g;

	is_str(groups(10, 6, 5, 0, 5, &g), "0000", "every role with 5 or more respondents is shown");
	ok(!g.any_merged && g.kinds_shown && !g.other_small, "nothing merged, kinds shown");
	is_str(groups(10, 6, 3, 2, 5, &g), "0011", "two small roles together are large enough");
	ok(g.any_merged && g.other == 5 && g.kinds_shown, "merged helpers: the kinds stay");
	is_str(groups(10, 6, 1, 0, 5, &g), "0110", "one small role takes the smallest role shown with it");
	is_str(groups(10, 6, 6, 1, 5, &g), "0011", "on a tie the later role joins");
	is_str(groups(1, 1, 0, 0, 5, &g), "1100", "two respondents: both merged");
	ok(g.other_small && g.other == 2 && !g.kinds_shown, "too few even together: fewer than, no kinds");
	is_str(groups(1, 6, 6, 0, 5, &g), "1010", "a lone doer merged with helpers");
	ok(!g.kinds_shown, "the doers minus the doer roles shown would be that one person");
	is_str(groups(6, 0, 0, 0, 5, &g), "0000", "nobody answered as the other roles: zeros are shown");
	is_str(groups(1, 1, 1, 1, 1, &g), "0000", "a minimum of 1 shows every role");
	ok(g.kinds_shown, "and every kind");
	is_str(groups(0, 0, 0, 0, 5, &g), "0000", "no respondents at all");
	ok(!g.any_merged && !g.other_small && g.kinds_shown, "nothing to hide");
	return done_testing();
}
