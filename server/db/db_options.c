/* db/db_options.c — the options setting struct db_config (db/db_options.h). */
#include "db/db_options.h"

static const struct opt_def db_defs[] = {
	OPT_INT("statement-timeout", "MS", "5000", 10, 600000, struct db_config,
		statement_timeout_ms, "cancel SQL statements running longer"),
	OPT_STRING("replica-url", "URL", NULL, struct db_config, replica_url,
		   "a streaming replica for the reads of pages (falls back to the primary)"),
};

const struct opt_table db_opts = { "Database", db_defs, OPT_COUNT(db_defs) };
