/* render/markdown_gfm.h — the pre-scan of render/markdown.c for the GitHub extensions
 * (tables, autolinks) of cmark-gfm 0.29.0.gfm.6; internal to render/. */
#ifndef CORRAL_RENDER_MARKDOWN_GFM_H
#define CORRAL_RENDER_MARKDOWN_GFM_H

#include <stddef.h>

/* NULL when the extensions render s[0..n) in time roughly linear in n; otherwise the
 * user-facing reason to refuse it (a static sentence). */
const char *md_guard_gfm(const char *s, size_t n);

#endif
