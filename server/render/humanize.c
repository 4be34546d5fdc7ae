/* render/humanize.c — times for people: the RFC 3339 times of an HTML view's model get
 * readable twins ("28 Nov 2026, 20:01 UTC") that templates show. */
#include "render/humanize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const humanize_months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
						"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* "2026-11-28T20:01:04Z" → "28 Nov 2026, 20:01 UTC"; false when s (of length n) is not
 * such a time. Parsed and written by hand: this runs on every string of every HTML model
 * (body_html included), and sscanf/snprintf made it 16 % of an uncached thread page. */
bool
humanize_time(const char *s, size_t n, char out[32])
{
	static const unsigned char digit_at[] = { 0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18 };
	int mo;
	char *o = out;

	if (n != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
	    s[19] != 'Z')
		return false;
	for (size_t i = 0; i < sizeof digit_at; i++)
		if (s[digit_at[i]] < '0' || s[digit_at[i]] > '9')
			return false;
	mo = (s[5] - '0') * 10 + (s[6] - '0');
	if (mo < 1 || mo > 12)
		return false;
	if (s[8] != '0')
		*o++ = s[8];
	*o++ = s[9];
	*o++ = ' ';
	memcpy(o, humanize_months[mo - 1], 3);
	o += 3;
	*o++ = ' ';
	memcpy(o, s, 4);
	o += 4;
	memcpy(o, ", ", 2);
	o += 2;
	memcpy(o, s + 11, 5);   /* HH:MM */
	o += 5;
	memcpy(o, " UTC", 5);   /* with its NUL */
	return true;
}

/* Pages show times to people: every RFC 3339 time in the model gets a readable twin
 * "<key>_h" (absolute, so a cached page stays true). Only for HTML views. The twins are
 * added after the walk (an object must not change under json_object_foreach); most
 * objects have none, so nothing is allocated for them. */
/* Containers held more than once (a page's posts share one list of zero reactions) are
 * walked once: a second walk would only set the same twins again. A visit counts for a
 * later one no shallower, so the depth bound cuts nothing it did not cut before. */
enum { HUMAN_SEEN = 64 };
struct humanize_seen {
	const json_t *v[HUMAN_SEEN];
	int depth[HUMAN_SEEN];
	size_t n;
};

static bool
humanize_again(struct humanize_seen *seen, const json_t *v, int depth)
{
	if (v == NULL || v->refcount <= 1)
		return false;
	for (size_t i = 0; i < seen->n; i++)
		if (seen->v[i] == v && seen->depth[i] <= depth)
			return true;
	if (seen->n < HUMAN_SEEN) {
		seen->v[seen->n] = v;
		seen->depth[seen->n++] = depth;
	}
	return false;
}

static void
humanize_walk(json_t *v, int depth, struct humanize_seen *seen)
{
	enum { HUMAN_MAX = 8 };
	struct {
		char key[96];
		char h[32];
	} add[HUMAN_MAX];
	size_t n_add = 0, i;
	const char *key;
	json_t *x, *more = NULL;   /* the twins past HUMAN_MAX, rare */
	char h[32];

	if (depth > 16 || humanize_again(seen, v, depth))
		return;
	if (json_is_array(v)) {
		json_array_foreach(v, i, x)
			if (json_is_object(x) || json_is_array(x))
				humanize_walk(x, depth + 1, seen);
		return;
	}
	if (!json_is_object(v))
		return;
	/* The iterator itself, not json_object_foreach: that one turns each key back into
	 * its iterator twice, and the key is wanted only for the few times found. */
	for (void *it = json_object_iter(v); it != NULL; it = json_object_iter_next(v, it)) {
		x = json_object_iter_value(it);
		if (json_is_string(x)) {
			if (json_string_length(x) != 20 || !humanize_time(json_string_value(x), 20, h))
				continue;
			key = json_object_iter_key(it);
			size_t klen = strlen(key);

			if (n_add < HUMAN_MAX && klen + 3 <= sizeof add[n_add].key) {
				memcpy(add[n_add].key, key, klen);
				memcpy(add[n_add].key + klen, "_h", 3);
				memcpy(add[n_add++].h, h, sizeof h);
			} else {
				char *k = NULL;

				if (more == NULL)
					more = json_object();
				if (asprintf(&k, "%s_h", key) >= 0)
					json_object_set_new(more, k, json_string(h));
				free(k);
			}
		} else if (json_is_object(x) || json_is_array(x)) {
			/* only containers: a call per number and flag was a third of the walk */
			humanize_walk(x, depth + 1, seen);
		}
	}
	for (i = 0; i < n_add; i++)
		json_object_set_new(v, add[i].key, json_string(add[i].h));
	if (more) {
		json_object_update(v, more);
		json_decref(more);
	}
}

void
humanize_model(json_t *model)
{
	struct humanize_seen seen = { .n = 0 };

	humanize_walk(model, 0, &seen);
}
