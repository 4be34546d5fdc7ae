/* forum/survey_groups.c — which community roles a survey's results may show on their own:
 * a role with fewer than --survey-min-group respondents would show what those few people
 * answered, so it is merged into "other roles", and the doer/helper split is kept only
 * when it cannot single out a small group either. Pure arithmetic on respondent counts. */
#include <string.h>

#include "forum/surveys.h"

static int64_t survey_min_group = SURVEY_MIN_GROUP_DEFAULT;

void
survey_results_configure(const struct survey_config *cfg)
{
	survey_min_group = cfg->min_group < 1 ? 1 : cfg->min_group;
}

int64_t
survey_results_min_group(void)
{
	return survey_min_group;
}

/* The smallest role still shown that has respondents (ties: the later one in display
 * order, so the first roles stay visible); n when there is none. */
static size_t
sg_smallest_shown(size_t n, const int64_t *respondents, const bool *merged)
{
	size_t best = n;

	for (size_t i = 0; i < n; i++)
		if (!merged[i] && respondents[i] > 0 && (best == n || respondents[i] <= respondents[best]))
			best = i;
	return best;
}

void
survey_groups_compute(size_t n, const int64_t *respondents, const bool *doer, int64_t min,
		      struct survey_groups *ret)
{
	int64_t other = 0, other_kind[2] = { 0, 0 };

	ret->any_merged = false;
	for (size_t i = 0; i < n; i++) {
		ret->merged[i] = respondents[i] > 0 && respondents[i] < min;
		if (ret->merged[i]) {
			other += respondents[i];
			ret->any_merged = true;
		}
	}
	/* A small "other roles" beside the total would still be the total minus the roles
	 * shown: fold the smallest shown role in until it is large enough (or holds all). */
	while (other > 0 && other < min) {
		size_t i = sg_smallest_shown(n, respondents, ret->merged);

		if (i == n)
			break;
		ret->merged[i] = true;
		other += respondents[i];
	}
	for (size_t i = 0; i < n; i++)
		if (ret->merged[i])
			other_kind[doer[i] ? 0 : 1] += respondents[i];
	ret->other = other;
	ret->other_small = other > 0 && other < min;
	/* Every role shown is of one kind, so only the merged roles can make a kind's count
	 * reveal a small group: doers minus the doer roles shown is the doers among them. */
	ret->kinds_shown = (other_kind[0] == 0 || other_kind[0] >= min) &&
			   (other_kind[1] == 0 || other_kind[1] >= min);
}
