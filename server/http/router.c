/* http/router.c — segment-wise route matching, most specific pattern first. */
#include "http/router.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/log.h"

struct compiled {
	const struct route *route;
	int nseg;
	const char *seg[ROUTER_MAX_SEGMENTS];   /* literal text, or NULL for a parameter */
	size_t seglen[ROUTER_MAX_SEGMENTS];
	const char *pname[ROUTER_MAX_SEGMENTS]; /* parameter name (into the pattern copy) */
	char *copy;                             /* the pattern, split in place */
};

/* What a path is first compared with, one small entry a route beside the big compiled
 * ones: a request walked all 300-odd of those (some 100 KB) to find its route, which cost
 * more than a cached page's whole answer took otherwise (perf: 1.3 % of an uncached thread
 * page). Only the routes whose entry fits are compared segment by segment. */
struct router_key {
	uint32_t first;   /* the first segment's hash (router_hash), when it is literal */
	uint8_t nseg;
	bool first_param; /* the first segment is a parameter: any first segment fits */
};

struct router {
	struct compiled *r;
	struct router_key *key;
	int n, cap;
};

/* FNV-1a: a few bytes a segment, over a table built once. */
static uint32_t
router_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

struct router *
router_new(void)
{
	struct router *rt = calloc(1, sizeof *rt);

	if (rt == NULL)
		core_oom();
	return rt;
}

void
router_free(struct router *rt)
{
	if (rt == NULL)
		return;
	for (int i = 0; i < rt->n; i++)
		free(rt->r[i].copy);
	free(rt->r);
	free(rt->key);
	free(rt);
}

static int
router_compile(const struct route *route, struct compiled *ret)
{
	struct compiled c = { .route = route };
	char *p, *seg;
	int nparams = 0;

	if (route->pattern[0] != '/' || route->method == NULL || route->handler == NULL)
		return -1;
	c.copy = strdup(route->pattern);
	if (c.copy == NULL)
		core_oom();
	p = c.copy + 1;
	if (*p == '\0')
		goto done;   /* "/" has no segments */
	while ((seg = strsep(&p, "/")) != NULL) {
		size_t len = strlen(seg);

		if (len == 0 || c.nseg == ROUTER_MAX_SEGMENTS)
			goto fail;
		if (seg[0] == '{') {
			if (len < 3 || seg[len - 1] != '}' || strpbrk(seg + 1, "{") ||
			    ++nparams > ROUTER_MAX_PARAMS)
				goto fail;
			seg[len - 1] = '\0';
			c.pname[c.nseg] = seg + 1;
			c.seg[c.nseg] = NULL;
		} else {
			if (strpbrk(seg, "{}"))
				goto fail;
			c.seg[c.nseg] = seg;
			c.seglen[c.nseg] = len;
		}
		c.nseg++;
	}
done:
	*ret = c;
	return 0;
fail:
	free(c.copy);
	return -1;
}

int
router_add(struct router *rt, const struct route *routes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct compiled *c;

		if (rt->n == rt->cap) {
			int cap = rt->cap ? rt->cap * 2 : 64;
			struct compiled *r = realloc(rt->r, (size_t)cap * sizeof *r);
			struct router_key *key = realloc(rt->key, (size_t)cap * sizeof *key);

			if (r == NULL || key == NULL)
				core_oom();
			rt->r = r;
			rt->key = key;
			rt->cap = cap;
		}
		if (router_compile(&routes[i], &rt->r[rt->n]) != 0) {
			log_error("router: malformed route pattern '%s'", routes[i].pattern);
			return -1;
		}
		c = &rt->r[rt->n];
		rt->key[rt->n] = (struct router_key){
			.nseg = (uint8_t)c->nseg,
			.first_param = c->nseg > 0 && c->seg[0] == NULL,
			.first = c->nseg > 0 && c->seg[0] != NULL ? router_hash(c->seg[0], c->seglen[0]) : 0,
		};
		rt->n++;
	}
	return 0;
}

int
router_count(const struct router *rt)
{
	return rt->n;
}

const struct route *
router_at(const struct router *rt, int index)
{
	return index >= 0 && index < rt->n ? rt->r[index].route : NULL;
}

static bool
router_fits(const struct compiled *c, int nseg, char *const *seg, const size_t *len)
{
	if (c->nseg != nseg)
		return false;
	for (int i = 0; i < nseg; i++) {
		if (c->seg[i] == NULL) {
			if (len[i] == 0)
				return false;
		} else if (c->seglen[i] != len[i] || memcmp(c->seg[i], seg[i], len[i]) != 0) {
			return false;
		}
	}
	return true;
}

/* <0 when a is more specific than b: literal beats parameter at the first difference. */
static int
router_specificity(const struct compiled *a, const struct compiled *b)
{
	for (int i = 0; i < a->nseg; i++) {
		bool la = a->seg[i] != NULL, lb = b->seg[i] != NULL;

		if (la != lb)
			return la ? -1 : 1;
	}
	return 0;
}

static bool
router_method_is(const char *route_method, const char *method)
{
	return strcmp(route_method, method) == 0 ||
	       (strcmp(method, "HEAD") == 0 && strcmp(route_method, "GET") == 0);
}

static void
router_allow_add(char *allow, size_t size, const char *method)
{
	size_t len = strlen(allow);

	if (strstr(allow, method))
		return;
	snprintf(allow + len, size - len, "%s%s", len ? ", " : "", method);
}

enum router_result
router_match(const struct router *rt, const char *method, char *path,
	     struct route_match *ret)
{
	char *seg[ROUTER_MAX_SEGMENTS];
	size_t len[ROUTER_MAX_SEGMENTS];
	const struct compiled *best = NULL, *hit = NULL;
	int nseg = 0, hit_index = -1;
	uint32_t first;
	char *p;

	memset(ret, 0, sizeof *ret);
	ret->index = -1;
	if (path[0] != '/')
		return ROUTER_NOT_FOUND;
	p = path + 1;
	if (*p != '\0') {
		char *s;

		while ((s = strsep(&p, "/")) != NULL) {
			if (nseg == ROUTER_MAX_SEGMENTS)
				return ROUTER_NOT_FOUND;
			seg[nseg] = s;
			len[nseg++] = strlen(s);
		}
	}
	first = nseg > 0 ? router_hash(seg[0], len[0]) : 0;
	for (int i = 0; i < rt->n; i++) {
		const struct router_key *k = &rt->key[i];
		const struct compiled *c = &rt->r[i];

		if (k->nseg != nseg || (!k->first_param && k->first != first) || !router_fits(c, nseg, seg, len))
			continue;
		if (best == NULL || router_specificity(c, best) < 0) {
			best = c;
			hit = NULL;
		} else if (router_specificity(c, best) > 0 || strcmp(c->route->pattern, best->route->pattern) != 0) {
			continue;
		}
		if (hit == NULL && router_method_is(c->route->method, method)) {
			hit = c;
			hit_index = i;
		}
	}
	if (best == NULL)
		return ROUTER_NOT_FOUND;
	if (hit == NULL) {
		for (int i = 0; i < rt->n; i++)
			if (strcmp(rt->r[i].route->pattern, best->route->pattern) == 0)
				router_allow_add(ret->allow, sizeof ret->allow, rt->r[i].route->method);
		if (strstr(ret->allow, "GET"))
			router_allow_add(ret->allow, sizeof ret->allow, "HEAD");
		return ROUTER_METHOD;
	}
	ret->route = hit->route;
	ret->index = hit_index;
	for (int i = 0; i < nseg; i++) {
		if (hit->seg[i] == NULL) {
			ret->names[ret->nparams] = hit->pname[i];
			ret->values[ret->nparams++] = seg[i];
		}
	}
	return ROUTER_OK;
}
