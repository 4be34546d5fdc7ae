/* core/opt.c — long options, each with an environment variable and a default. */
#include "core/opt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static struct opt *
opt_find(struct opt *opts, int n, const char *name, size_t len)
{
	for (int i = 0; i < n; i++)
		if (strlen(opts[i].name) == len && strncmp(opts[i].name, name, len) == 0)
			return &opts[i];
	return NULL;
}

int
opt_parse(int argc, char **argv, int first, struct opt *opts, int n, char **ret_args,
	  int max_args, int *ret_nargs, bool *ret_help)
{
	int i, nargs = 0;
	bool only_args = false;

	*ret_help = false;
	for (i = 0; i < n; i++) {
		const char *env = opts[i].env ? getenv(opts[i].env) : NULL;

		opts[i].value = env && *env ? env : opts[i].def;
		if (opts[i].metavar == NULL && opts[i].value == NULL)
			opts[i].value = "0";
	}
	for (i = first; i < argc; i++) {
		const char *a = argv[i], *eq;
		struct opt *o;

		if (only_args || a[0] != '-' || a[1] == '\0') {
			if (nargs >= max_args) {
				fprintf(stderr, "corral: unexpected argument '%s' (see --help)\n", a);
				return -1;
			}
			ret_args[nargs++] = argv[i];
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_args = true;
			continue;
		}
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			*ret_help = true;
			continue;
		}
		if (a[1] != '-') {
			fprintf(stderr, "corral: unknown option '%s' (see --help)\n", a);
			return -1;
		}
		a += 2;
		eq = strchr(a, '=');
		o = opt_find(opts, n, a, eq ? (size_t)(eq - a) : strlen(a));
		if (o == NULL) {
			fprintf(stderr, "corral: unknown option '--%s' (see --help)\n", a);
			return -1;
		}
		if (o->metavar == NULL) {
			o->value = eq ? eq + 1 : "1";
		} else if (eq) {
			o->value = eq + 1;
		} else if (i + 1 < argc) {
			o->value = argv[++i];
		} else {
			fprintf(stderr, "corral: option '--%s' needs a value\n", o->name);
			return -1;
		}
	}
	*ret_nargs = nargs;
	return 0;
}

void
opt_usage(FILE *f, const char *usage, const struct opt *opts, int n)
{
	fputs(usage, f);
	fputs("\nOptions (each also read from the environment variable shown):\n", f);
	for (int i = 0; i < n; i++) {
		char left[64];

		snprintf(left, sizeof left, "--%s%s%s", opts[i].name, opts[i].metavar ? " " : "",
			 opts[i].metavar ? opts[i].metavar : "");
		fprintf(f, "  %-28s %s\n", left, opts[i].help);
		if (opts[i].env || opts[i].def)
			fprintf(f, "  %-28s %s%s%s%s%s\n", "", opts[i].env ? "[$" : "",
				opts[i].env ? opts[i].env : "", opts[i].env ? "]" : "",
				opts[i].def ? " default: " : "", opts[i].def ? opts[i].def : "");
	}
	fputs("  -h, --help                   this help\n", f);
}

int
opt_int(const struct opt *o, long min, long max, long *ret)
{
	char *end;
	long v;

	if (o->value == NULL || *o->value == '\0')
		return -1;
	errno = 0;
	v = strtol(o->value, &end, 10);
	if (errno || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "corral: --%s must be a number from %ld to %ld, not '%s'\n", o->name,
			min, max, o->value);
		return -1;
	}
	*ret = v;
	return 0;
}

bool
opt_flag(const struct opt *o)
{
	return o->value && (strcmp(o->value, "1") == 0 || strcmp(o->value, "true") == 0 ||
			    strcmp(o->value, "yes") == 0 || strcmp(o->value, "on") == 0);
}
