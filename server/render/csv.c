/* render/csv.c — RFC 4180 fields with a guard against formula injection. */
#include "render/csv.h"

#include <string.h>

void
csv_field(struct buf *out, const char *value, bool first)
{
	const char *s = value ? value : "";
	bool formula = strchr("=+-@\t\r", s[0]) != NULL && s[0] != '\0';
	bool quote = strpbrk(s, ",\"\r\n") != NULL;

	if (!first)
		buf_putc(out, ',');
	if (quote)
		buf_putc(out, '"');
	if (formula)
		buf_putc(out, '\'');
	for (const char *p = s; *p; ) {
		size_t run = strcspn(p, "\"");

		buf_append(out, p, run);
		p += run;
		if (*p == '"') {
			buf_puts(out, "\"\"");
			p++;
		}
	}
	if (quote)
		buf_putc(out, '"');
}

void
csv_end_row(struct buf *out)
{
	buf_puts(out, "\r\n");
}
