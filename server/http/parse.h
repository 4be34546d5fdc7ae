/* http/parse.h — decoders for what arrives on the wire, kept free of MHD so they can be
 * unit-tested and fuzzed: urlencoded form bodies, JSON bodies, the Cookie header, media
 * types. */
#ifndef CORRAL_HTTP_PARSE_H
#define CORRAL_HTTP_PARSE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"

/* Decode an application/x-www-form-urlencoded body into a new JSON object: each field a
 * string; a field given more than once becomes an array of strings, in order. '+' is a
 * space; %XX escapes are decoded. Returns NULL when the body is malformed: a bad %
 * escape, a value or name that is not valid UTF-8 or holds a NUL, or an empty name.
 * Caller owns the result (json_decref). */
json_t *parse_form(const char *body, size_t len);

/* The value of cookie `name` in a Cookie header ("a=1; b=2"), copied into the arena, or
 * NULL when absent. Quoted values are unquoted. The first occurrence wins. */
char *parse_cookie(struct arena *a, const char *header, const char *name);

/* Does a Content-Type header name this media type (case-insensitive, parameters such as
 * "; charset=utf-8" ignored)? */
bool parse_media_type_is(const char *content_type, const char *type);

/* Decode a JSON request body: an object, valid UTF-8, no NUL, no duplicate keys.
 * Returns the object or NULL with *ret_msg set to a short static description. */
json_t *parse_json_body(const char *body, size_t len, const char **ret_msg);

#endif
