/* core/log.c — timestamped, level-filtered lines on stderr. */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static enum log_level log_min = LOG_INFO;
const char *const log_level_names[] = { "debug", "info", "warn", "error", NULL };

void
log_set_level(enum log_level level)
{
	log_min = level;
}

int
log_parse_level(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(s, log_level_names[i]) == 0)
			return i;
	return -1;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	char line[2048];
	struct timespec ts;
	struct tm tm;
	va_list ap;
	size_t n;
	int k;

	if (level < log_min)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%S", &tm);
	k = snprintf(line + n, sizeof line - n, ".%03ldZ %-5s ", ts.tv_nsec / 1000000,
		     log_level_names[level]);
	if (k > 0)
		n += (size_t)k;
	va_start(ap, fmt);
	k = vsnprintf(line + n, sizeof line - n, fmt, ap);
	va_end(ap);
	if (k < 0)
		k = 0;
	n = (size_t)k >= sizeof line - n ? sizeof line - 2 : n + (size_t)k;
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, n) < 0)
		return;
}
