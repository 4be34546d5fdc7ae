/* db/migrate.h — schema migrations: schema/NNNN_name.sql, embedded in the binary,
 * applied in order, each in its own transaction, recorded in schema_migrations.
 *
 * Several instances starting together apply each migration once: the whole run holds
 * a PostgreSQL advisory lock. A database whose schema is newer than this binary is
 * refused, so an old binary never runs against a schema it does not understand. */
#ifndef CORRAL_DB_MIGRATE_H
#define CORRAL_DB_MIGRATE_H

/* The highest migration number built into this binary. */
int migrate_latest(void);

/* Connect to url and bring the schema up to date. Returns the number of migrations
 * applied (0 when current), or -1 after logging why (unreachable database, a failing
 * migration — rolled back — or a schema newer than this binary). */
int migrate_run(const char *url);

#endif
