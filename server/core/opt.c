/* core/opt.c — parsing, environment fallbacks, validation and --help, all driven by the
 * option tables of the modules a command uses (core/opt.h). */
#include "core/opt.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Every option of a command, numbered across its tables in order. */
static int
opt_total(const struct opt_cmd *cmd)
{
	int n = 0;

	for (int u = 0; u < cmd->n; u++)
		n += cmd->uses[u].table->n;
	return n;
}

static const struct opt_def *
opt_nth(const struct opt_cmd *cmd, int i, size_t *ret_offset)
{
	for (int u = 0; u < cmd->n; u++) {
		const struct opt_table *t = cmd->uses[u].table;

		if (i < t->n) {
			*ret_offset = cmd->uses[u].offset + t->defs[i].offset;
			return &t->defs[i];
		}
		i -= t->n;
	}
	abort();   /* i < opt_total(cmd) is the caller's invariant */
}

static int
opt_find(const struct opt_cmd *cmd, const char *name, size_t len)
{
	int total = opt_total(cmd);
	size_t off;

	for (int i = 0; i < total; i++) {
		const struct opt_def *d = opt_nth(cmd, i, &off);

		if (strlen(d->name) == len && strncmp(d->name, name, len) == 0)
			return i;
	}
	return -1;
}

const char *
opt_env_name(const struct opt_def *d, char *buf, size_t size)
{
	size_t n;

	if (d->env)
		return d->env;
	n = (size_t)snprintf(buf, size, "CORRAL_%s", d->name);
	for (size_t i = 0; i < n && i < size; i++)
		buf[i] = buf[i] == '-' ? '_' : (char)toupper((unsigned char)buf[i]);
	return buf;
}

static bool
opt_truthy(const char *v)
{
	return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || strcmp(v, "yes") == 0 ||
		     strcmp(v, "on") == 0);
}

bool
opt_list_next(const char **cursor, const char **ret_item, size_t *ret_len)
{
	const char *p = *cursor, *end;
	size_t len;

	if (p == NULL)
		return false;
	while (*p == ' ' || *p == ',')
		p++;
	if (*p == '\0')
		return false;
	end = p + strcspn(p, ",");
	len = (size_t)(end - p);
	while (len > 0 && p[len - 1] == ' ')
		len--;
	*ret_item = p;
	*ret_len = len;
	*cursor = end;
	return true;
}

/* Each item of a list holds something other than spaces. */
static bool
opt_list_valid(const char *v)
{
	for (;;) {
		size_t len = strcspn(v, ",");

		if (strspn(v, " ") >= len)
			return false;
		if (v[len] == '\0')
			return true;
		v += len + 1;
	}
}

static bool
opt_choice_valid(const struct opt_def *d, const char *v)
{
	for (const char *const *c = d->choices; *c; c++)
		if (strcmp(*c, v) == 0)
			return true;
	return false;
}

static void
opt_choices_print(const struct opt_def *d, FILE *f)
{
	for (const char *const *c = d->choices; *c; c++)
		fprintf(f, "%s%s", c == d->choices ? "" : c[1] ? ", " : " or ", *c);
}

/* A number within the entry's range into *ret; on failure says so (naming the
 * variable when the value came from the environment). */
static int
opt_number(const struct opt_def *d, const char *v, const char *env, long *ret)
{
	char *end;
	long n;

	errno = 0;
	n = v && *v ? strtol(v, &end, 10) : 0;
	if (v == NULL || *v == '\0' || errno || *end != '\0' || n < d->min || n > d->max) {
		fprintf(stderr, "corral: --%s must be a number from %ld to %ld, not '%s'%s%s%s\n",
			d->name, d->min, d->max, v ? v : "", env ? " (from " : "", env ? env : "",
			env ? ")" : "");
		return -1;
	}
	*ret = n;
	return 0;
}

/* Check v against the entry and store it at `at`. env names the variable v came from. */
static int
opt_store(const struct opt_def *d, char *at, const char *v, const char *env)
{
	const char *why = NULL;
	long n;

	switch (d->kind) {
	case OPTK_URL:
		if (v && strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0)
			why = "must start with http:// or https://";
		break;
	case OPTK_LIST:
		if (v && !opt_list_valid(v))
			why = "must be a comma-separated list without empty items";
		break;
	case OPTK_CHOICE:
		if (v == NULL || !opt_choice_valid(d, v)) {
			fprintf(stderr, "corral: --%s must be ", d->name);
			opt_choices_print(d, stderr);
			fprintf(stderr, ", not '%s'%s%s%s\n", v ? v : "", env ? " (from " : "",
				env ? env : "", env ? ")" : "");
			return -1;
		}
		break;
	case OPTK_INT:
		if (opt_number(d, v, env, &n) != 0)
			return -1;
		*(int *)(void *)at = (int)n;
		return 0;
	case OPTK_MIB:
		if (opt_number(d, v, env, &n) != 0)
			return -1;
		*(size_t *)(void *)at = (size_t)n << 20;
		return 0;
	case OPTK_FLAG:
	case OPTK_FLAG_OFF:
		*(bool *)(void *)at = opt_truthy(v) == (d->kind == OPTK_FLAG);
		return 0;
	case OPTK_STRING:
		break;
	}
	if (why) {
		fprintf(stderr, "corral: --%s %s, not '%s'%s%s%s\n", d->name, why, v,
			env ? " (from " : "", env ? env : "", env ? ")" : "");
		return -1;
	}
	*(const char **)(void *)at = v;
	return 0;
}

/* Record argv's options in given[] (by number) and its positional arguments. */
static int
opt_scan(int argc, char **argv, int first, const struct opt_cmd *cmd, const char **given,
	 char **ret_args, int *ret_nargs, bool *ret_help)
{
	bool only_args = false;
	int nargs = 0;

	for (int i = first; i < argc; i++) {
		const char *a = argv[i], *eq;
		const struct opt_def *d;
		size_t off;
		int k;

		if (only_args || a[0] != '-' || a[1] == '\0') {
			if (nargs >= cmd->max_args) {
				fprintf(stderr, "corral: unexpected argument '%s' (see --help)\n", a);
				return -1;
			}
			ret_args[nargs++] = argv[i];
		} else if (strcmp(a, "--") == 0) {
			only_args = true;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			*ret_help = true;
		} else {
			a += 2;
			eq = strchr(a, '=');
			k = argv[i][1] == '-' ? opt_find(cmd, a, eq ? (size_t)(eq - a) : strlen(a)) : -1;
			if (k < 0) {
				fprintf(stderr, "corral: unknown option '%s' (see --help)\n", argv[i]);
				return -1;
			}
			d = opt_nth(cmd, k, &off);
			if (eq)
				given[k] = eq + 1;
			else if (d->kind == OPTK_FLAG || d->kind == OPTK_FLAG_OFF)
				given[k] = "1";
			else if (i + 1 < argc)
				given[k] = argv[++i];
			else {
				fprintf(stderr, "corral: option '--%s' needs a value\n", d->name);
				return -1;
			}
		}
	}
	*ret_nargs = nargs;
	return 0;
}

int
opt_parse(int argc, char **argv, int first, const struct opt_cmd *cmd, void *cfg,
	  char **ret_args, int *ret_nargs, bool *ret_help)
{
	int total = opt_total(cmd), rc = -1;
	const char **given = calloc((size_t)total + 1, sizeof *given);

	*ret_help = false;
	if (given == NULL) {
		fprintf(stderr, "corral: out of memory\n");
		return -1;
	}
	if (opt_scan(argc, argv, first, cmd, given, ret_args, ret_nargs, ret_help) != 0)
		goto out;
	if (*ret_help) {
		rc = 0;
		goto out;
	}
	for (int i = 0; i < total; i++) {
		size_t off;
		const struct opt_def *d = opt_nth(cmd, i, &off);
		char buf[64];
		const char *env = opt_env_name(d, buf, sizeof buf), *ev = getenv(env);
		const char *v = given[i];

		if (v == NULL && ev && *ev)
			v = ev;
		else
			env = NULL;
		if (v == NULL)
			v = d->def;
		if (opt_store(d, (char *)cfg + off, v, env) != 0)
			goto out;
	}
	rc = 0;
out:
	free(given);
	return rc;
}

static void
opt_print(FILE *f, const struct opt_def *d)
{
	char left[64], buf[64];

	snprintf(left, sizeof left, "--%s%s%s", d->name, d->metavar ? " " : "",
		 d->metavar ? d->metavar : "");
	fprintf(f, "  %-28s %s\n", left, d->help);
	fprintf(f, "  %-28s [$%s]", "", opt_env_name(d, buf, sizeof buf));
	if (d->def)
		fprintf(f, " default: %s", d->def);
	else if (d->kind == OPTK_FLAG || d->kind == OPTK_FLAG_OFF)
		fputs(" default: off", f);
	if (d->kind == OPTK_INT || d->kind == OPTK_MIB)
		fprintf(f, " (%ld to %ld)", d->min, d->max);
	if (d->kind == OPTK_CHOICE) {
		fputs(" (", f);
		opt_choices_print(d, f);
		fputc(')', f);
	}
	fputc('\n', f);
}

void
opt_usage(FILE *f, const struct opt_cmd *cmd)
{
	const char *title = NULL;

	fputs(cmd->usage, f);
	fputs("\nOptions (each also read from the environment variable shown):\n", f);
	for (int u = 0; u < cmd->n; u++) {
		const struct opt_table *t = cmd->uses[u].table;

		if (title == NULL || strcmp(title, t->title) != 0)
			fprintf(f, "\n%s:\n", t->title);
		title = t->title;
		for (int i = 0; i < t->n; i++)
			opt_print(f, &t->defs[i]);
	}
	fputs("\n  -h, --help                   this help\n", f);
}

/* Whether cmds[0..c) or cmds[c]'s options before number i include d. */
static bool
opt_listed_before(const struct opt_cmd *const *cmds, int c, int i, const struct opt_def *d)
{
	size_t off;

	for (int j = 0; j <= c; j++) {
		int total = j < c ? opt_total(cmds[j]) : i;

		for (int k = 0; k < total; k++)
			if (opt_nth(cmds[j], k, &off) == d)
				return true;
	}
	return false;
}

void
opt_list(FILE *f, const struct opt_cmd *const *cmds, int n)
{
	size_t off;

	for (int c = 0; c < n; c++) {
		for (int i = 0; i < opt_total(cmds[c]); i++) {
			const struct opt_def *d = opt_nth(cmds[c], i, &off);
			const char *sep = "";
			char buf[64];

			if (opt_listed_before(cmds, c, i, d))
				continue;
			fprintf(f, "--%s\t%s\t%s\t%s\t", d->name, d->metavar ? d->metavar : "",
				opt_env_name(d, buf, sizeof buf), d->def ? d->def : "");
			for (int j = c; j < n; j++)
				for (int k = 0; k < opt_total(cmds[j]); k++)
					if (opt_nth(cmds[j], k, &off) == d) {
						fprintf(f, "%s%s", sep, cmds[j]->name);
						sep = ",";
					}
			fputc('\n', f);
		}
	}
}
