/* render/views.h — the HTML templates of web/templates, compiled once at start. */
#ifndef CORRAL_RENDER_VIEWS_H
#define CORRAL_RENDER_VIEWS_H

#include "render/template.h"

/* Compile every embedded web/templates/NAME.html as template NAME. Returns the set, or
 * NULL after logging the first syntax error. Caller frees with tmpl_set_free(). */
struct tmpl_set *views_load(void);

/* A template's source without the indentation of its lines (the spaces and tabs after each
 * newline), except inside <pre>…</pre>, where whitespace is content: the templates stay
 * indented for people, and a 50-post thread page is 20 KB lighter. Newlines stay, so a
 * compile error's line number is the file's. out holds at least len bytes; returns the
 * length written. */
size_t views_unindent(const char *src, size_t len, char *out);

#endif
