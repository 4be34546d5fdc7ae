/* render/csv.h — CSV as RFC 4180 writes it (CRLF rows, fields quoted when they hold a
 * comma, quote, CR or LF, quotes doubled), with cells that a spreadsheet would run as a
 * formula defused. */
#ifndef CORRAL_RENDER_CSV_H
#define CORRAL_RENDER_CSV_H

#include <stdbool.h>

#include "core/buf.h"

/* Append one field (NULL is an empty field), preceded by a comma unless first is set.
 * A value starting with '=', '+', '-', '@', TAB or CR gets a leading single quote, so a
 * spreadsheet shows it as text instead of evaluating it (CSV formula injection). */
void csv_field(struct buf *out, const char *value, bool first);

/* End the current row (CRLF). */
void csv_end_row(struct buf *out);

#endif
