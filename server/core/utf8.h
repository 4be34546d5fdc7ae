/* core/utf8.h — UTF-8 validation (and trimming) for everything that enters from the network. */
#ifndef CORRAL_CORE_UTF8_H
#define CORRAL_CORE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF)
 * and contains no NUL byte. */
bool utf8_valid(const char *s, size_t n);

/* Number of code points in valid UTF-8 s[0..n). */
size_t utf8_length(const char *s, size_t n);

/* Largest prefix length <= max that does not split a code point of valid UTF-8 s. */
size_t utf8_truncate(const char *s, size_t n, size_t max);

/* True when valid UTF-8 s[0..n) holds a control character: C0 (tab and newline included),
 * DEL or C1 (U+0080–U+009F). For one-line texts shown in headers and meta tags. */
bool utf8_has_control(const char *s, size_t n);

/* Write code point cp as UTF-8 into out (1–4 bytes, returned); NUL, a surrogate or a value
 * past U+10FFFF becomes U+FFFD, so what comes out is valid text without NUL. */
size_t utf8_encode(unsigned long cp, char out[4]);
/* Narrow *s / *n to the text between leading and trailing ASCII white space. */
void utf8_trim(const char **s, size_t *n);

#endif
