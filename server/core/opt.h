/* core/opt.h — command-line options declared as tables, each with an environment fallback.
 *
 * A module declares the options it reads next to its config struct: one struct opt_def per
 * option (name, kind, default, range, help, and where in that struct the value goes). A
 * command lists the tables it takes and where each table's struct sits inside the command's
 * own config struct; parsing, the CORRAL_* fallbacks, validation and --help all come from
 * those tables, and `corral options` lists them so a test can hold docs/operations.md to
 * them. Precedence: command line, then the environment, then the default. */
#ifndef CORRAL_CORE_OPT_H
#define CORRAL_CORE_OPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum opt_kind {
	OPTK_STRING,   /* const char *: NULL when not given and without a default */
	OPTK_URL,      /* const char *: like a string, but must start with http:// or https:// */
	OPTK_CHOICE,   /* const char *: one of opt_def.choices */
	OPTK_LIST,     /* const char *: comma-separated items, none empty (see opt_list_next) */
	OPTK_INT,      /* int within [min, max] */
	OPTK_MIB,      /* size_t in bytes, given in MiB within [min, max] */
	OPTK_FLAG,     /* bool: true when given ("--quiet", "--quiet=yes", CORRAL_QUIET=1) */
	OPTK_FLAG_OFF, /* bool: false when given, true otherwise ("--quiet" clears log_requests) */
};

struct opt_def {
	const char *name;             /* long name without "--" */
	const char *env;              /* NULL: CORRAL_ and the name upper-cased, '-' → '_' */
	enum opt_kind kind;
	const char *metavar;          /* NULL for the flags */
	const char *def;              /* default as it would be typed, or NULL */
	long min, max;                /* OPTK_INT, OPTK_MIB */
	const char *const *choices;   /* OPTK_CHOICE: NULL-terminated */
	size_t offset;                /* of the value in the table's config struct */
	const char *help;             /* one line for --help */
};

/* The options one module owns, all stored into one struct of that module. */
struct opt_table {
	const char *title;            /* heading in --help */
	const struct opt_def *defs;
	int n;
};

/* A table a command takes, and where the table's struct sits in the command's config. */
struct opt_use {
	const struct opt_table *table;
	size_t offset;
};

struct opt_cmd {
	const char *name;             /* "serve" */
	const char *usage;            /* printed above the options by --help */
	const struct opt_use *uses;
	int n;
	int max_args;                 /* positional arguments accepted */
};

/* The offset of field in struct type, which must have type ctype (a compile error
 * otherwise, so a table cannot store an int into a bool). */
#define OPT_AT(type, field, ctype) _Generic(((type *)0)->field, ctype: offsetof(type, field))

#define OPT_COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Entries whose variable is derived from the name (CORRAL_NAME). */
#define OPT_STRING(nm, mv, dflt, type, field, hlp)                                         \
	{ .name = nm, .kind = OPTK_STRING, .metavar = mv, .def = dflt,                       \
	  .offset = OPT_AT(type, field, const char *), .help = hlp }
#define OPT_URL(nm, mv, dflt, type, field, hlp)                                            \
	{ .name = nm, .kind = OPTK_URL, .metavar = mv, .def = dflt,                          \
	  .offset = OPT_AT(type, field, const char *), .help = hlp }
#define OPT_LIST(nm, mv, dflt, type, field, hlp)                                           \
	{ .name = nm, .kind = OPTK_LIST, .metavar = mv, .def = dflt,                         \
	  .offset = OPT_AT(type, field, const char *), .help = hlp }
#define OPT_CHOICE(nm, mv, dflt, list, type, field, hlp)                                   \
	{ .name = nm, .kind = OPTK_CHOICE, .metavar = mv, .def = dflt, .choices = list,      \
	  .offset = OPT_AT(type, field, const char *), .help = hlp }
#define OPT_INT(nm, mv, dflt, lo, hi, type, field, hlp)                                    \
	{ .name = nm, .kind = OPTK_INT, .metavar = mv, .def = dflt, .min = lo, .max = hi,    \
	  .offset = OPT_AT(type, field, int), .help = hlp }
#define OPT_MIB(nm, mv, dflt, lo, hi, type, field, hlp)                                    \
	{ .name = nm, .kind = OPTK_MIB, .metavar = mv, .def = dflt, .min = lo, .max = hi,    \
	  .offset = OPT_AT(type, field, size_t), .help = hlp }
#define OPT_FLAG(nm, type, field, hlp)                                                     \
	{ .name = nm, .kind = OPTK_FLAG, .offset = OPT_AT(type, field, bool), .help = hlp }
#define OPT_FLAG_OFF(nm, type, field, hlp)                                                 \
	{ .name = nm, .kind = OPTK_FLAG_OFF, .offset = OPT_AT(type, field, bool), .help = hlp }

/* Parse argv[first..argc) for cmd, storing every option's value (given, from the
 * environment, or the default) into cfg, the command's config struct. Positional
 * arguments go to ret_args (at most cmd->max_args; the count in *ret_nargs). "--help" or
 * "-h" sets *ret_help. Returns 0, or -1 after printing one line to stderr: an unknown
 * option, a missing value, too many arguments, or a value the table refuses (naming the
 * variable when the value came from the environment). cfg's other fields are untouched. */
int opt_parse(int argc, char **argv, int first, const struct opt_cmd *cmd, void *cfg,
	      char **ret_args, int *ret_nargs, bool *ret_help);

/* Print cmd's usage, then each table's options with variable, default and range. */
void opt_usage(FILE *f, const struct opt_cmd *cmd);

/* One line per distinct option of cmds, tab-separated: --name, metavar ("" for flags),
 * variable, default ("" for none), commands taking it (comma-separated). For tests. */
void opt_list(FILE *f, const struct opt_cmd *const *cmds, int n);

/* The variable of an option into buf (CORRAL_NAME unless the table names another). */
const char *opt_env_name(const struct opt_def *d, char *buf, size_t size);

/* Walk an OPTK_LIST value: the next item's start and length, advancing *cursor. Returns
 * false at the end (also for a NULL list). */
bool opt_list_next(const char **cursor, const char **ret_item, size_t *ret_len);

#endif
