/* Unit tests for http/router: literal vs parameter precedence, 405 with Allow, HEAD,
 * malformed patterns, segment edge cases. */
#include <string.h>

#include "http/router.h"
#include "tap.h"

static enum herr h(struct req *r) { (void)r; return HERR_OK; }

static const struct route routes[] = {
	{ "GET", "/", h },
	{ "GET", "/t/{id}", h },
	{ "POST", "/t/{id}", h },
	{ "GET", "/api/v1/threads/{id}", h },
	{ "GET", "/api/v1/threads/similar", h },
	{ "POST", "/api/v1/threads/{id}/posts", h },
	{ "GET", "/u/{username}/posts/{post}", h },
	{ "DELETE", "/api/v1/session", h },
};

static enum router_result
match(struct router *rt, const char *method, const char *path, struct route_match *m)
{
	static char buf[512];

	snprintf(buf, sizeof buf, "%s", path);
	return router_match(rt, method, buf, m);
}

int
main(void)
{
	struct router *rt = router_new();
	struct route_match m;
	static const struct route bad[] = {
		{ "GET", "nolead", h }, { "GET", "/a//b", h }, { "GET", "/{x", h }, { "GET", "/a{b}", h },
		{ "GET", "/{}", h }, { "GET", "/a/b/c/d/e/f/g/h/i/j/k/l/m", h },
		{ "GET", "/{a}/{b}/{c}/{d}/{e}", h },
	};

	ok(router_add(rt, routes, sizeof routes / sizeof routes[0]) == 0, "valid table compiles");
	is_int(router_count(rt), 8, "all routes counted");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct router *b = router_new();

		ok(router_add(b, &bad[i], 1) != 0, "malformed pattern refused: %s", bad[i].pattern);
		router_free(b);
	}

	is_int(match(rt, "GET", "/", &m), ROUTER_OK, "root matches");
	is_int(m.index, 0, "root is route 0");
	is_int(match(rt, "GET", "/t/42", &m), ROUTER_OK, "param route matches");
	ok(m.nparams == 1 && strcmp(m.names[0], "id") == 0 && strcmp(m.values[0], "42") == 0, "param captured");
	is_int(match(rt, "POST", "/t/42", &m), ROUTER_OK, "same pattern, other method");
	is_int(m.index, 2, "POST route chosen");

	is_int(match(rt, "GET", "/api/v1/threads/similar", &m), ROUTER_OK, "literal matches");
	is_int(m.index, 4, "literal beats parameter regardless of order");
	is_int(match(rt, "GET", "/api/v1/threads/7", &m), ROUTER_OK, "param still matches others");
	is_int(m.index, 3, "param route for a number");
	is_int(match(rt, "POST", "/api/v1/threads/similar", &m), ROUTER_METHOD, "most specific pattern decides 405");
	is_str(m.allow, "GET, HEAD", "Allow lists the pattern's methods");

	is_int(match(rt, "DELETE", "/t/1", &m), ROUTER_METHOD, "wrong method → 405");
	is_str(m.allow, "GET, POST, HEAD", "Allow has GET, POST and HEAD");
	is_int(match(rt, "HEAD", "/t/1", &m), ROUTER_OK, "HEAD served by GET");

	is_int(match(rt, "GET", "/u/ann/posts/9", &m), ROUTER_OK, "two params");
	ok(m.nparams == 2 && strcmp(m.values[0], "ann") == 0 && strcmp(m.values[1], "9") == 0, "both captured in order");

	is_int(match(rt, "GET", "/t/", &m), ROUTER_NOT_FOUND, "empty param segment is no match");
	is_int(match(rt, "GET", "/t/1/", &m), ROUTER_NOT_FOUND, "trailing slash is no match");
	is_int(match(rt, "GET", "/t//1", &m), ROUTER_NOT_FOUND, "double slash is no match");
	is_int(match(rt, "GET", "t/1", &m), ROUTER_NOT_FOUND, "relative path is no match");
	is_int(match(rt, "GET", "/nope", &m), ROUTER_NOT_FOUND, "unknown path");
	is_int(m.index, -1, "no route index on 404");
	is_int(match(rt, "GET", "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o", &m), ROUTER_NOT_FOUND, "too many segments");
	is_int(match(rt, "GET", "", &m), ROUTER_NOT_FOUND, "empty path");
	/* The first segment is compared first by a hash (router_key): a parameter there takes
	 * any first segment, and a literal of the same length and count only its own. */
	{
		static const struct route more[] = {
			{ "GET", "/{slug}/about", h },
			{ "GET", "/t/about", h },
			{ "GET", "/x/about", h },
		};

		ok(router_add(rt, more, sizeof more / sizeof more[0]) == 0, "more routes compile");
		is_int(match(rt, "GET", "/corral/about", &m), ROUTER_OK, "a first-segment parameter matches");
		ok(m.index == 8 && strcmp(m.values[0], "corral") == 0, "its value captured");
		is_int(match(rt, "GET", "/x/about", &m), ROUTER_OK, "a literal first segment");
		is_int(m.index, 10, "the literal beats the parameter there too");
		is_int(match(rt, "GET", "/t/about", &m), ROUTER_OK, "a literal first segment shared with /t/{id}");
		is_int(m.index, 9, "the all-literal pattern beats /t/{id} and /{slug}/about");
		is_int(match(rt, "GET", "/y/z/w", &m), ROUTER_NOT_FOUND, "three segments, no such first one");
		is_int(match(rt, "POST", "/x/about", &m), ROUTER_METHOD, "405 through the key too");
		is_str(m.allow, "GET, HEAD", "its Allow");
	}
	router_free(rt);
	return done_testing();
}
