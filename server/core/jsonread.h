/* core/jsonread.h — JSON text into jansson values, quickly, for texts a program wrote.
 *
 * The JSON columns of PostgreSQL's rows (a post's author, a thread's voices, a list's
 * categories…) are parsed for every row of every page. jansson's json_loads reads them a
 * character at a time through a stream and a growing buffer: on a signed-in home page it
 * was 43 % of Corral's instructions (tests/bench/instr). This reads the same grammar
 * (RFC 8259) in one pass over the bytes, copying each unescaped string in one piece.
 *
 * It gives the values json_loads(s, JSON_DECODE_ANY | JSON_ALLOW_NUL) gives: integers
 * without fraction or exponent as integers (json_int_t), every other number as a real,
 * the last of duplicate keys, \u0000 inside strings kept (not inside keys). It refuses
 * (NULL) whatever json_loads refuses, and a few valid texts it leaves to json_loads:
 * nesting deeper than JSONREAD_MAX_DEPTH, numbers longer than 63 bytes, keys holding NUL
 * or longer than 128 bytes with an escape in them.
 * So a caller falls back to json_loads on NULL and always gets jansson's answer;
 * tests/fuzz/fuzz_jsonread.c checks the two agree. */
#ifndef CORRAL_CORE_JSONREAD_H
#define CORRAL_CORE_JSONREAD_H

#include <jansson.h>
#include <stddef.h>

#define JSONREAD_MAX_DEPTH 128

/* The value of the JSON text s[0..n), or NULL (see above). */
json_t *jsonread(const char *s, size_t n);

#endif
