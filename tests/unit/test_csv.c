/* Unit tests for render/csv: RFC 4180 quoting and the formula-injection guard. */
#include <stdlib.h>

#include "render/csv.h"
#include "tap.h"

static const char *
one(const char *v)
{
	static struct buf b = BUF_INIT;

	buf_reset(&b);
	csv_field(&b, v, true);
	return b.data ? b.data : "";
}

int
main(void)
{
	struct buf b = BUF_INIT;

	is_str(one("plain"), "plain", "a plain field is written as is");
	is_str(one(""), "", "an empty field");
	is_str(one(NULL), "", "NULL is an empty field");
	is_str(one("a,b"), "\"a,b\"", "a comma is quoted");
	is_str(one("say \"hi\""), "\"say \"\"hi\"\"\"", "quotes are doubled inside quotes");
	is_str(one("two\nlines"), "\"two\nlines\"", "LF is quoted");
	is_str(one("cr\rhere"), "\"cr\rhere\"", "CR is quoted");
	is_str(one("=SUM(A1:A9)"), "'=SUM(A1:A9)", "= is defused");
	is_str(one("+1"), "'+1", "+ is defused");
	is_str(one("-2"), "'-2", "- is defused");
	is_str(one("@cmd"), "'@cmd", "@ is defused");
	is_str(one("\tx"), "'\tx", "a leading TAB is defused");
	is_str(one("=HYPERLINK(\"x\",\"y\")"), "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"",
	       "a quoted formula gets the quote inside the quotes");
	is_str(one("a=b"), "a=b", "= elsewhere is fine");
	is_str(one("é, ü"), "\"é, ü\"", "UTF-8 passes through");

	csv_field(&b, "id", true);
	csv_field(&b, "text", false);
	csv_end_row(&b);
	csv_field(&b, "1", true);
	csv_field(&b, NULL, false);
	csv_end_row(&b);
	is_str(b.data, "id,text\r\n1,\r\n", "rows end in CRLF, fields separated by commas");
	buf_free(&b);
	return done_testing();
}
