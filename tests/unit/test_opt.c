/* Unit tests for core/opt: option tables — defaults, environment fallback, the command
 * line winning, every kind's validation, where values land, and the listing. */
#include <stdarg.h>
#include <stdlib.h>

#include "core/opt.h"
#include "tap.h"

struct inner {
	int count;
	size_t bytes;
	bool verbose;
	bool logging;
	const char *name;
};

struct outer {
	int sentinel;
	struct inner in;
	const char *url;
	const char *level;
	const char *items;
};

static const char *const levels[] = { "low", "high", NULL };

static const struct opt_def inner_defs[] = {
	OPT_INT("t-count", "N", "4", 1, 10, struct inner, count, "a count"),
	OPT_MIB("t-mb", "MB", "2", 0, 64, struct inner, bytes, "a size"),
	OPT_FLAG("t-verbose", struct inner, verbose, "say more"),
	OPT_FLAG_OFF("t-quiet", struct inner, logging, "say less"),
	{ .name = "t-name", .env = "T_OWN_NAME", .kind = OPTK_STRING, .metavar = "NAME",
	  .offset = OPT_AT(struct inner, name, const char *), .help = "a name" },
};
static const struct opt_table inner_opts = { "Inner", inner_defs, OPT_COUNT(inner_defs) };

static const struct opt_def outer_defs[] = {
	OPT_URL("t-url", "URL", NULL, struct outer, url, "a URL"),
	OPT_CHOICE("t-level", "LEVEL", "low", levels, struct outer, level, "a level"),
	OPT_LIST("t-items", "A,B", NULL, struct outer, items, "some items"),
};
static const struct opt_table outer_opts = { "Outer", outer_defs, OPT_COUNT(outer_defs) };

static const struct opt_use uses[] = {
	{ &outer_opts, 0 },
	{ &inner_opts, offsetof(struct outer, in) },
};
static const struct opt_cmd cmd = { "test", "usage: test\n", uses, OPT_COUNT(uses), 1 };

/* Parse a NULL-terminated argument list; *ret gets the result, positional args counted. */
static int
parse(struct outer *ret, int *ret_nargs, bool *ret_help, ...)
{
	char *argv[16] = { "corral", "test" };
	char *args[2];
	int argc = 2, nargs = 0, rc;
	bool help = false;
	va_list ap;
	const char *a;

	va_start(ap, ret_help);
	while ((a = va_arg(ap, const char *)) != NULL && argc < 15)
		argv[argc++] = (char *)a;
	va_end(ap);
	memset(ret, 0, sizeof *ret);
	ret->sentinel = 42;
	rc = opt_parse(argc, argv, 2, &cmd, ret, args, &nargs, &help);
	if (ret_nargs)
		*ret_nargs = nargs;
	if (ret_help)
		*ret_help = help;
	return rc;
}

static void
test_defaults_env_and_argv(void)
{
	struct outer o;
	int nargs;
	bool help;

	is_int(parse(&o, &nargs, &help, NULL), 0, "no arguments parse");
	is_int(o.in.count, 4, "an int takes its default");
	is_int(o.in.bytes, 2u << 20, "a MiB option is stored in bytes");
	ok(!o.in.verbose && o.in.logging, "flags default to not given");
	ok(o.in.name == NULL && o.url == NULL && o.items == NULL, "no default: NULL");
	is_str(o.level, "low", "a choice takes its default");
	is_int(o.sentinel, 42, "fields without an option are left alone");

	setenv("CORRAL_T_COUNT", "7", 1);
	setenv("T_OWN_NAME", "from-env", 1);
	setenv("CORRAL_T_VERBOSE", "yes", 1);
	setenv("CORRAL_T_URL", "", 1);
	is_int(parse(&o, NULL, NULL, NULL), 0, "environment values parse");
	is_int(o.in.count, 7, "the derived variable CORRAL_T_COUNT is read");
	is_str(o.in.name, "from-env", "an explicit variable is read");
	ok(o.in.verbose, "a flag from the environment (yes)");
	ok(o.url == NULL, "an empty variable counts as unset");

	is_int(parse(&o, NULL, NULL, "--t-count", "9", "--t-name=cli", "--t-verbose=0", NULL), 0,
	       "command line parses");
	is_int(o.in.count, 9, "the command line wins over the environment");
	is_str(o.in.name, "cli", "--name=value form");
	ok(!o.in.verbose, "--flag=0 clears a flag");

	setenv("CORRAL_T_COUNT", "lots", 1);
	is_int(parse(&o, NULL, NULL, NULL), -1, "a malformed number in the environment is refused");
	is_int(parse(&o, NULL, NULL, "--t-count", "3", NULL), 0,
	       "... unless the command line replaces it");
	unsetenv("CORRAL_T_COUNT");
	unsetenv("T_OWN_NAME");
	unsetenv("CORRAL_T_VERBOSE");
	unsetenv("CORRAL_T_URL");

	is_int(parse(&o, &nargs, &help, "pos", "--help", NULL), 0, "--help with an argument");
	ok(help && nargs == 1, "help is reported and the positional argument kept");
}

static void
test_validation(void)
{
	struct outer o;
	int nargs;

	is_int(parse(&o, NULL, NULL, "--t-count", "1", NULL), 0, "the minimum is accepted");
	is_int(parse(&o, NULL, NULL, "--t-count", "10", NULL), 0, "the maximum is accepted");
	is_int(parse(&o, NULL, NULL, "--t-count", "0", NULL), -1, "below the range is refused");
	is_int(parse(&o, NULL, NULL, "--t-count", "11", NULL), -1, "above the range is refused");
	is_int(parse(&o, NULL, NULL, "--t-count", "", NULL), -1, "an empty number is refused");
	is_int(parse(&o, NULL, NULL, "--t-count", "5x", NULL), -1, "trailing junk is refused");
	is_int(parse(&o, NULL, NULL, "--t-mb", "65", NULL), -1, "a MiB option has a range too");
	is_int(parse(&o, NULL, NULL, "--t-mb", "0", NULL), 0, "0 MiB");
	is_int(o.in.bytes, 0, "... is 0 bytes");
	is_int(parse(&o, NULL, NULL, "--t-quiet", NULL), 0, "a clearing flag");
	ok(!o.in.logging, "... clears its field");
	is_int(parse(&o, NULL, NULL, "--t-url", "https://x.example", NULL), 0, "an https URL");
	is_int(parse(&o, NULL, NULL, "--t-url", "ftp://x.example", NULL), -1, "an ftp URL is refused");
	is_int(parse(&o, NULL, NULL, "--t-url", "", NULL), -1, "an empty URL given is refused");
	is_int(parse(&o, NULL, NULL, "--t-level", "high", NULL), 0, "a listed choice");
	is_int(parse(&o, NULL, NULL, "--t-level", "mid", NULL), -1, "an unlisted choice is refused");
	is_int(parse(&o, NULL, NULL, "--t-items", "a,,b", NULL), -1, "a list with an empty item");
	is_int(parse(&o, NULL, NULL, "--t-items", "a, ", NULL), -1, "a list with a blank last item");
	is_int(parse(&o, NULL, NULL, "--t-items", "a, b", NULL), 0, "a list");
	is_int(parse(&o, NULL, NULL, "--nope", NULL), -1, "an unknown option");
	is_int(parse(&o, NULL, NULL, "-n", NULL), -1, "an unknown short option");
	is_int(parse(&o, NULL, NULL, "--t-count", NULL), -1, "a missing value");
	is_int(parse(&o, NULL, NULL, "a", "b", NULL), -1, "more arguments than the command takes");
	is_int(parse(&o, &nargs, NULL, "--", "--t-count", NULL), 0, "after --, options are arguments");
	is_int(nargs, 1, "... counted as one");
}

static void
test_list_and_names(void)
{
	const char *cur = " alpha , beta,gamma", *item;
	size_t len;
	char buf[64], *out = NULL;
	size_t outlen = 0;
	FILE *f;
	const struct opt_cmd *const cmds[] = { &cmd, &cmd };

	ok(opt_list_next(&cur, &item, &len) && len == 5 && strncmp(item, "alpha", len) == 0,
	   "first item, spaces trimmed");
	ok(opt_list_next(&cur, &item, &len) && len == 4 && strncmp(item, "beta", len) == 0,
	   "second item");
	ok(opt_list_next(&cur, &item, &len) && len == 5 && strncmp(item, "gamma", len) == 0,
	   "third item");
	ok(!opt_list_next(&cur, &item, &len), "then the end");
	cur = NULL;
	ok(!opt_list_next(&cur, &item, &len), "a NULL list is empty");

	is_str(opt_env_name(&inner_defs[0], buf, sizeof buf), "CORRAL_T_COUNT", "derived variable");
	is_str(opt_env_name(&inner_defs[4], buf, sizeof buf), "T_OWN_NAME", "explicit variable");

	f = open_memstream(&out, &outlen);
	opt_list(f, cmds, 2);
	fclose(f);
	ok(strstr(out, "--t-count\tN\tCORRAL_T_COUNT\t4\ttest,test\n") != NULL,
	   "the listing: name, metavar, variable, default, commands");
	ok(strstr(out, "--t-verbose\t\tCORRAL_T_VERBOSE\t\ttest,test\n") != NULL,
	   "a flag has no metavar and no default");
	ok(strstr(strstr(out, "--t-count") + 1, "--t-count") == NULL, "each option listed once");
	free(out);

	out = NULL;
	f = open_memstream(&out, &outlen);
	opt_usage(f, &cmd);
	fclose(f);
	ok(strstr(out, "--t-count N") && strstr(out, "[$CORRAL_T_COUNT] default: 4 (1 to 10)") &&
	   strstr(out, "\nInner:\n") && strstr(out, "(low or high)") &&
	   strstr(out, "[$CORRAL_T_VERBOSE] default: off"),
	   "--help shows variable, default, range, choices and headings");
	free(out);
}

int
main(void)
{
	test_defaults_env_and_argv();
	test_validation();
	test_list_and_names();
	return done_testing();
}
