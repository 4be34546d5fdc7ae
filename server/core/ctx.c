/* core/ctx.c — the request-path error table: code, status and default text in one place. */
#include "core/ctx.h"

static const struct {
	int status;
	const char *code;
	const char *message;
} herr_table[HERR__COUNT] = {
	[HERR_OK] = { 200, "ok", "OK" },
	[HERR_INVALID] = { 400, "invalid_input", "The request is not valid." },
	[HERR_UNAUTHENTICATED] = { 401, "unauthenticated", "You need to sign in." },
	[HERR_FORBIDDEN] = { 403, "forbidden", "You are not allowed to do that." },
	[HERR_CSRF] = { 403, "csrf", "The form has expired or did not come from this site." },
	[HERR_NOT_FOUND] = { 404, "not_found", "There is nothing here." },
	[HERR_METHOD] = { 405, "method_not_allowed", "This method is not allowed here." },
	[HERR_CONFLICT] = { 409, "conflict", "That conflicts with the current state." },
	[HERR_TOO_LARGE] = { 413, "too_large", "The request body is too large." },
	[HERR_URI_TOO_LONG] = { 414, "uri_too_long", "The address is too long." },
	[HERR_UNSUPPORTED] = { 415, "unsupported_media_type", "This content type is not accepted here." },
	[HERR_LOCKED] = { 423, "locked", "This is locked." },
	[HERR_RATE_LIMITED] = { 429, "rate_limited", "Too many attempts; try again later." },
	[HERR_HEADERS_TOO_LARGE] = { 431, "headers_too_large", "The request headers are too large." },
	[HERR_INTERNAL] = { 500, "internal", "Something went wrong on our side." },
	[HERR_UNAVAILABLE] = { 503, "unavailable", "The service is temporarily unavailable." },
};

enum herr
ctx_fail(struct ctx *c, enum herr err, const char *field, const char *msg)
{
	if (c->err == HERR_OK) {
		c->err = err;
		c->err_field = field;
		c->err_msg = msg;
	}
	return c->err;
}

int
herr_status(enum herr err)
{
	return err < HERR__COUNT ? herr_table[err].status : 500;
}

const char *
herr_code(enum herr err)
{
	return err < HERR__COUNT ? herr_table[err].code : "internal";
}

const char *
herr_default_message(enum herr err)
{
	return err < HERR__COUNT ? herr_table[err].message : herr_table[HERR_INTERNAL].message;
}
