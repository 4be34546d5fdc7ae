/* render/views.h — the HTML templates of web/templates, compiled once at start. */
#ifndef CORRAL_RENDER_VIEWS_H
#define CORRAL_RENDER_VIEWS_H

#include "render/template.h"

/* Compile every embedded web/templates/NAME.html as template NAME. Returns the set, or
 * NULL after logging the first syntax error. Caller frees with tmpl_set_free(). */
struct tmpl_set *views_load(void);

#endif
