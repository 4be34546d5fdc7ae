/* forum/ideas_status.h — the statuses an idea can have and how pages name them; shared
 * by the idea pages and the search results. */
#ifndef CORRAL_FORUM_IDEAS_STATUS_H
#define CORRAL_FORUM_IDEAS_STATUS_H

#include <stddef.h>
#include <string.h>

/* In the order an idea usually moves through them (NULL-terminated, for in_enum). */
static const char *const ideas_statuses[] = {
	"new", "under_review", "planned", "in_progress", "done", "declined", NULL
};

/* "under_review" → "Under review"; an unknown status is returned as it is. */
static inline const char *
ideas_status_label(const char *status)
{
	static const char *const labels[] = {
		"New", "Under review", "Planned", "In progress", "Done", "Declined"
	};

	for (size_t i = 0; status && ideas_statuses[i]; i++)
		if (strcmp(status, ideas_statuses[i]) == 0)
			return labels[i];
	return status ? status : "";
}

#endif
