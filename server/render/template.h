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
 *   {{x_h}}  {{a.x_h}}  {{{x_h}}}  a value named x_h when one is found; otherwise, when x
 *                                  (looked up the same way) is an RFC 3339 UTC time, its
 *                                  readable form (render/humanize.h), else nothing
 * Falsy: missing, null, false, "", 0, 0.0, empty array. An empty object is truthy.
 * Dotted names: the first part is looked up through the stack, the rest inside it.
 * A line holding only a section/inverted/close/comment/partial tag and whitespace is
 * "standalone" and leaves no blank line behind (as in the Mustache spec).
 */
#ifndef CORRAL_RENDER_TEMPLATE_H
#define CORRAL_RENDER_TEMPLATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/*
 * Pages with holes (forum/sharedpage.c): the part of a page every viewer of a kind sees is
 * rendered once, and what differs per viewer is left as holes filled at serve time.
 *
 * In a model rendered by tmpl_render_holes, a hole is an object whose member TMPL_HOLE_KEY
 * is an integer, the caller's number for it. A hole met as a value ({{name}}, {{{name}}})
 * leaves a segment where its text goes; met as a section or an inverted section it is
 * rendered once with the hole pushed (its other members are what names inside look up
 * first) and the output between a begin and an end segment is kept or dropped at fill
 * time. tmpl_render never treats such an object specially (it is only an object), and no
 * text a member can write becomes a JSON object, so holes exist only where code made them.
 */
#define TMPL_HOLE_KEY "\x01"

enum tmpl_seg_kind {
	TMPL_SEG_VALUE,         /* the hole's value, HTML-escaped */
	TMPL_SEG_RAW,           /* the hole's value as is */
	TMPL_SEG_IF,            /* keep up to the matching END when the hole is truthy */
	TMPL_SEG_UNLESS,        /* ... when it is falsy */
	TMPL_SEG_END,
};

struct tmpl_seg {
	uint32_t off;           /* where in the output */
	uint32_t hole;          /* the caller's number */
	uint8_t kind;           /* enum tmpl_seg_kind */
};

/* Segments in output order; v is malloc'd (free(segs->v)). */
struct tmpl_segs {
	struct tmpl_seg *v;
	size_t n, cap;
};

/* Append a segment at offset off to s (growing it). */
void tmpl_segs_push(struct tmpl_segs *s, size_t off, uint32_t hole, enum tmpl_seg_kind kind);

/* tmpl_render, recording the holes' segments in segs. */
int tmpl_render_holes(const struct tmpl *t, json_t *const *ctx, size_t depth, struct buf *out,
		      struct tmpl_segs *segs);

/* What one hole holds for one viewer: the same truth rules and text as a jansson value of
 * that kind would have (a string is copied as is for RAW, escaped for VALUE). */
struct tmpl_value {
	/* TMPL_V_KEEP: only for tmpl_fill_some, the hole stays a hole */
	enum { TMPL_V_NONE, TMPL_V_BOOL, TMPL_V_INT, TMPL_V_STR, TMPL_V_KEEP } type;
	bool b;
	bool plain;     /* s holds nothing HTML escapes (a token): copied as is */
	int64_t i;
	const char *s;
};
typedef void tmpl_hole_fn(void *arg, uint32_t hole, struct tmpl_value *ret);

/* Append body[0..len) to out with its segments (offsets ascending, ends matching begins)
 * filled by fn. Returns 0, or -1 when the segments do not fit the body. */
int tmpl_fill(const char *body, size_t len, const struct tmpl_seg *segs, size_t nsegs, tmpl_hole_fn *fn,
	      void *arg, struct buf *out);
/* Fill some of the holes: those fn gives a value are written in, those it answers
 * TMPL_V_KEEP stay holes, with their segments (offsets into out) in out_segs. Filling
 * out with out_segs later gives what filling body with segs at once would. For a page
 * whose holes are mostly the same for many viewers (forum/sharedpage.c: a reader with
 * nothing of their own among the posts). 0, or -1 when the segments are not body's. */
int tmpl_fill_some(const char *body, size_t len, const struct tmpl_seg *segs, size_t nsegs, tmpl_hole_fn *fn,
		   void *arg, struct buf *out, struct tmpl_segs *out_segs);

#endif
