/* forum/tags.h — tags (schema/0027): moderators define them (name, description), a thread
 * carries up to five, chosen when it starts and changed later by its author or a
 * moderator. What threads.c and site.c need of them is here; the routes are in tags.c. */
#ifndef CORRAL_FORUM_TAGS_H
#define CORRAL_FORUM_TAGS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "http/http.h"

#define TAGS_PER_THREAD 5

/* Tags chosen for a thread, each one existing. */
struct tags_chosen {
	const char *ids;   /* a bigint[] literal, "{3,7}"; "{}" for none (arena) */
	size_t n;
};

/* The "tags" field: a JSON array of names, or a form's checkboxes (repeated fields) or one
 * text field of names apart by commas or spaces. Names are lower-cased and duplicates
 * dropped. Absent (or a form with none checked): 1 with *ret set to none. 0 with *ret
 * filled, or -1 with a 400 on field "tags" recorded: more than five, a name that is no
 * tag, a value of the wrong type. */
int tags_input(struct req *r, struct tags_chosen *ret);

/* Inside the caller's transaction: the thread's tags become exactly t. 0 or -1 (c->err). */
int tags_store(struct ctx *c, int64_t thread, const struct tags_chosen *t);

/* ?tag=name on a list: 0 with *ret the tag's id (0 when absent or empty) and, when
 * given, the model's "tag_filter" ({name}); -1 with a 400 on field "tag" recorded when no
 * tag has that name. */
int tags_filter_arg(struct req *r, int64_t *ret);

/* Every tag as a form's checkboxes ("tag_choices": name, description, checked), those
 * named in chosen checked: a thread's tags ([{name}]), the form's own input (a string or
 * an array of strings), or NULL. 0 or -1. */
int tags_choices(struct req *r, json_t *chosen);

#endif
