/* forum/markup.h — the one way forum text becomes HTML: posts, idea summaries, bios and
 * survey intros go through md_render here, with @mentions resolved against real accounts
 * where asked, and a refusal recorded as a 400 on the text's field. */
#ifndef CORRAL_FORUM_MARKUP_H
#define CORRAL_FORUM_MARKUP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/ctx.h"

/* What is rendered, and how a refusal is worded. */
struct markup_spec {
	const char *field;       /* the input field a refusal names */
	const char *noun;        /* "post": "The post is empty.", "The post cannot be rendered." */
	const char *too_large;   /* the sentence for text over max_bytes; NULL: the renderer's */
	size_t max_bytes;        /* 0: MD_MAX_BYTES */
	bool mentions;           /* link @names of existing accounts only, and collect their ids;
				  * false: link every @name candidate (bios, intros) */
	bool blank_ok;           /* blank text renders as "" instead of being refused */
};

/* Rendered text; every string is in c's arena. */
struct markup {
	const char *html;          /* "" for blank text when blank_ok */
	const char *version;       /* the cmark version, stored beside the HTML */
	const char *mention_ids;   /* "{1,2}" of the linked accounts, for SQL; NULL when none */
	const char *idea_refs;     /* "{42,43}" of the IDEA-n references, for SQL; NULL when none */
	int mentions;              /* accounts linked */
	size_t links;              /* links the author wrote (the spam rule counts them) */
};

/* Render src (NUL-terminated) as spec says. 0 with *ret filled; 1 with *ret filled (html
 * "") when src is blank and spec->blank_ok; -1 with 400 on spec->field recorded, or with
 * the database error of a mention lookup. */
int markup_render(struct ctx *c, const char *src, const struct markup_spec *spec, struct markup *ret);

#endif
