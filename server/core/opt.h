/* core/opt.h — command-line options with environment fallbacks.
 *
 * Every flag of every command is also read from an environment variable (SPEC §1:
 * --database ↔ CORRAL_DATABASE_URL and so on). Precedence: command line, then the
 * environment, then the default. */
#ifndef CORRAL_CORE_OPT_H
#define CORRAL_CORE_OPT_H

#include <stdbool.h>
#include <stdio.h>

struct opt {
	const char *name;     /* long name without "--" */
	const char *env;      /* CORRAL_* variable, or NULL */
	const char *metavar;  /* NULL for a boolean flag */
	const char *def;      /* default value, or NULL */
	const char *help;
	const char *value;    /* out: the chosen value (never NULL for flags: "0"/"1") */
};

/* Parse argv[first..argc) against opts[0..n). Non-option arguments are collected into
 * ret_args (at most max_args; the count in *ret_nargs). "--help"/"-h" sets *ret_help.
 * Returns 0, or -1 after printing a message to stderr for an unknown option, a missing
 * value or too many arguments. */
int opt_parse(int argc, char **argv, int first, struct opt *opts, int n, char **ret_args,
	      int max_args, int *ret_nargs, bool *ret_help);

/* Print "usage" then one line per option with its variable and default. */
void opt_usage(FILE *f, const char *usage, const struct opt *opts, int n);

/* Typed views of a parsed value; -1 / false on a malformed number. */
int opt_int(const struct opt *o, long min, long max, long *ret);
bool opt_flag(const struct opt *o);

#endif
