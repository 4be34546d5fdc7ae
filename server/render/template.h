/* render/template.h — the logic-less template engine (a Mustache subset) behind every
 * HTML page.
 *
 * Templates are compiled once at start-up into a tmpl_set and rendered many times from
 * several threads at once (rendering never mutates the set). A context is a stack of
 * jansson values; names are looked up from the top of the stack down.
 *
 * Tags:
 *   {{name}}  {{a.b.c}}  {{.}}     value, HTML-escaped (string as is, integer in decimal,
 *                                  real shortest "%.15g", true → "true"; false, null,
 *                                  missing, object and array → nothing)
 *   {{{name}}}  {{& name}}         same, not escaped — only for HTML made by the Markdown
 *                                  renderer
 *   {{#name}}…{{/name}}            section: array → once per element (element pushed);
 *                                  object → once with it pushed; other truthy → once with
 *                                  the value pushed; falsy → skipped
 *   {{^name}}…{{/name}}            inverted: rendered only when name is falsy
 *   {{> partial}}                  another template of the set, same context stack
 *   {{! comment}}                  nothing
 * Falsy: missing, null, false, "", 0, 0.0, empty array. An empty object is truthy.
 * Dotted names: the first part is looked up through the stack, the rest inside it.
 * A line holding only a section/inverted/close/comment/partial tag and whitespace is
 * "standalone" and leaves no blank line behind (as in the Mustache spec).
 */
#ifndef CORRAL_RENDER_TEMPLATE_H
#define CORRAL_RENDER_TEMPLATE_H

#include <jansson.h>
#include <stddef.h>

#include "core/buf.h"

struct tmpl_set;
struct tmpl;

/* An empty set. Caller frees with tmpl_set_free(). */
struct tmpl_set *tmpl_set_new(void);
void tmpl_set_free(struct tmpl_set *set);

/* Compile src[0..len) under name (copied). On a syntax error returns -1 and, when
 * ret_err is not NULL, sets *ret_err to a malloc'd message "name:line: what" (caller
 * frees). Adding a name twice is an error. */
int tmpl_set_add(struct tmpl_set *set, const char *name, const char *src, size_t len,
		 char **ret_err);

/* Resolve partials after the last add. Every {{> name}} must name a template of the set;
 * otherwise -1 with *ret_err as above. Must be called once before rendering. */
int tmpl_set_finalize(struct tmpl_set *set, char **ret_err);

/* The template called name, or NULL. */
const struct tmpl *tmpl_get(const struct tmpl_set *set, const char *name);

/* Render t with the context stack ctx[0..depth) (ctx[depth-1] is the top) appending to
 * out. Returns 0, or -1 when partial nesting exceeds 32 levels (output then partial). */
int tmpl_render(const struct tmpl *t, json_t *const *ctx, size_t depth, struct buf *out);

#endif
