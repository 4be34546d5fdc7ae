/* db/db_options.h — the options of the request path's database access (struct
 * db_config). The URL itself comes from --database or the embedded cluster (main.c). */
#ifndef CORRAL_DB_DB_OPTIONS_H
#define CORRAL_DB_DB_OPTIONS_H

#include "core/opt.h"
#include "db/db.h"

extern const struct opt_table db_opts;

#endif
