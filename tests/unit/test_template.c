/* Unit tests for render/template: values and escaping, names, sections, partials and
 * their limits, standalone lines, compile and finalize errors, concurrent rendering. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "render/template.h"
#include "render/views.h"
#include "tap.h"

static json_t *
J(const char *text)
{
	json_error_t e;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &e);

	if (v == NULL) {
		printf("# bad test JSON %s: %s\n", text, e.text);
		abort();
	}
	return v;
}

/* A finalized set from NULL-terminated name/source pairs, or NULL (error printed). */
static struct tmpl_set *
set_of(const char *const *pairs)
{
	struct tmpl_set *set = tmpl_set_new();
	char *err = NULL;

	for (; pairs[0] != NULL; pairs += 2) {
		if (tmpl_set_add(set, pairs[0], pairs[1], strlen(pairs[1]), &err) != 0)
			goto fail;
	}
	if (tmpl_set_finalize(set, &err) != 0)
		goto fail;
	return set;
fail:
	printf("# unexpected error: %s\n", err ? err : "(none)");
	free(err);
	tmpl_set_free(set);
	return NULL;
}

/* Render name from set with json (may be NULL: empty stack) as the only frame. Returns
 * the output (caller frees), or NULL when anything failed; *ret_rc gets the render rc. */
static char *
run(const struct tmpl_set *set, const char *name, const char *json, int *ret_rc)
{
	struct buf out = BUF_INIT;
	json_t *ctx = json ? J(json) : NULL;
	int rc;

	rc = tmpl_render(tmpl_get(set, name), &ctx, ctx ? 1 : 0, &out);
	json_decref(ctx);
	if (ret_rc)
		*ret_rc = rc;
	if (rc != 0) {
		buf_free(&out);
		return NULL;
	}
	return buf_detach(&out, NULL);
}

/* Outputs of R(), freed at the end so LeakSanitizer stays quiet. */
static char *kept[256];
static size_t nkept;

/* Shorthand: src compiled alone as "t", rendered with json; "(error)" on failure. */
static const char *
R(const char *src, const char *json)
{
	const char *pairs[] = { "t", src, NULL };
	struct tmpl_set *set = set_of(pairs);
	char *s = set ? run(set, "t", json, NULL) : NULL;

	tmpl_set_free(set);
	if (s == NULL)
		return "(error)";
	if (nkept == sizeof kept / sizeof kept[0])
		abort();
	return kept[nkept++] = s;
}

/* Compile src as "t" and return the error message, or "(compiled)"; caller frees. */
static char *
E(const char *src)
{
	struct tmpl_set *set = tmpl_set_new();
	char *err = NULL;
	int rc = tmpl_set_add(set, "t", src, strlen(src), &err);

	if (rc == 0 && err == NULL)
		err = strdup("(compiled)");
	else if (rc != -1 || err == NULL)
		err = strdup("(bad return)");
	ok(tmpl_get(set, "t") == NULL || rc == 0, "a failed add leaves no template behind");
	tmpl_set_free(set);
	return err;
}

static void
test_values(void)
{
	is_str(R("{{s}}", "{\"s\":\"& < > \\\" '\"}"), "&amp; &lt; &gt; &quot; &#39;",
	       "escaped by default");
	is_str(R("{{{s}}}", "{\"s\":\"<b>&'\\\"</b>\"}"), "<b>&'\"</b>", "{{{ }}} is raw");
	is_str(R("{{& s}}", "{\"s\":\"<b>&</b>\"}"), "<b>&</b>", "{{& }} is raw");
	is_str(R("{{ s }}|{{{ s }}}", "{\"s\":\"<\"}"), "&lt;|<", "blanks around names");
	is_str(R("a { b } {c} }} d", "{}"), "a { b } {c} }} d", "lone braces are text");
	is_str(R("{{i}} {{n}} {{z}} {{b}}",
		 "{\"i\":42,\"n\":-7,\"z\":0,\"b\":9007199254740993}"),
	       "42 -7 0 9007199254740993", "integers in decimal, exact beyond 2^53");
	is_str(R("{{a}} {{b}} {{c}}",
		 "{\"a\":9223372036854775807,\"b\":-9223372036854775808,\"c\":-10}"),
	       "9223372036854775807 -9223372036854775808 -10", "integers at both ends of 64 bits");
	/* Integers' text is kept by value in 64 slots: values sharing a slot, again and again. */
	is_str(R("{{a}} {{b}} {{a}} {{c}} {{d}} {{e}} {{c}} {{f}} {{a}}",
		 "{\"a\":5,\"b\":69,\"c\":0,\"d\":64,\"e\":-64,\"f\":-9223372036854775808}"),
	       "5 69 5 0 64 -64 0 -9223372036854775808 5", "integers that share a kept text's slot");
	is_str(R("{{a}}|{{b}}", "{\"a\":69,\"b\":5}"), "69|5", "integers kept from an earlier render");
	/* A value and the text after it are written at one step, unless the text is past the
	 * end of the value's section (there it belongs to the enclosing body). */
	is_str(R("{{#l}}<{{v}}>{{/l}}|{{#f}}{{v}}{{/f}}after {{^f}}{{v}}{{/f}}end{{v}}",
		 "{\"l\":[{\"v\":1},{\"v\":2}],\"f\":false,\"v\":\"x\"}"),
	       "<1><2>|after xendx", "a value's following text, inside and at the end of sections");
	is_str(R("{{#l}}{{v}}{{/l}}.{{#t}}{{{v}}}{{/t}}:{{^l}}{{v}}{{/l}};",
		 "{\"l\":[{\"v\":\"a\"},{\"v\":\"b\"}],\"t\":true,\"v\":\"<\"}"),
	       "ab.<:;", "text right after a section's last value is written once");
	/* A section and the text at its end are written at one step too, unless another
	 * section ends there (the text is then outside that one). */
	is_str(R("{{#l}}{{#t}}+{{/t}}-{{^t}}!{{/t}}={{#f}}F{{/f}}{{/l}}.{{#l}}{{#t}}x{{/t}}{{/l}}:{{^f}}{{^t}}{{/t}}{{/f}};",
		 "{\"l\":[{\"t\":true},{\"t\":false}],\"f\":false}"),
	       "+-=-!=.x:;", "text after sections, inside loops and after sections ending together");
	is_str(R("{{#a}}{{#b}}B{{/b}}after b{{/a}}after a{{^a}}no a{{/a}}end",
		 "{\"a\":[{\"b\":1},{\"b\":0}]}"),
	       "Bafter bafter bafter aend", "a section's following text in the body that holds it");
	is_str(R("{{a}} {{b}} {{c}} {{d}} {{e}}",
		 "{\"a\":1.5,\"b\":0.1,\"c\":3.0,\"d\":1e300,\"e\":-0.25}"),
	       "1.5 0.1 3 1e+300 -0.25", "reals, shortest of 15 digits");
	is_str(R("{{a}} {{b}}", "{\"a\":123456789.125,\"b\":0.30000000000000004}"),
	       "123456789.125 0.3", "reals keep 15 significant digits, no more");
	is_str(R("[{{t}}|{{f}}|{{n}}|{{m}}|{{o}}|{{a}}]",
		 "{\"t\":true,\"f\":false,\"n\":null,\"o\":{\"x\":1},\"a\":[1]}"),
	       "[true|||||]", "true; false, null, missing, object, array print nothing");
	is_str(R("{{a-b_C9}}", "{\"a-b_C9\":\"ok\"}"), "ok", "names with - _ digits");
	is_str(R("{{.}}", "\"<top>\""), "&lt;top&gt;", "{{.}} is the top of the stack");
	is_str(R("[{{.}}{{x}}]", NULL), "[]", "empty stack renders missing values");
	is_str(R("", "{}"), "", "empty template renders an empty string (data not NULL)");
}

/* {{x_h}} with no value of its own: the readable form of the time x (render/humanize.h),
 * what humanize_model's twin held before the view stopped walking the model for it. */
static void
test_times(void)
{
	const char *at = "{\"at\":\"2026-11-28T20:01:04Z\"}";

	is_str(R("{{at_h}}", at), "28 Nov 2026, 20:01 UTC", "x_h reads the time x");
	is_str(R("{{{at_h}}}", at), "28 Nov 2026, 20:01 UTC", "raw too");
	is_str(R("{{at_h}}", "{\"at\":\"2026-11-28T20:01:04Z\",\"at_h\":\"<own>\"}"), "&lt;own&gt;",
	       "a value of its own wins (a shared page's hole)");
	is_str(R("[{{at_h}}|{{n_h}}|{{m_h}}|{{s_h}}]",
		 "{\"at\":\"2026-11-28 20:01:04\",\"n\":null,\"s\":\"2026-11-28T20:01:04+01\"}"), "[|||]",
	       "not a time, null, missing: nothing");
	is_str(R("{{b.at_h}}", "{\"b\":{\"at\":\"2026-01-02T03:04:05Z\"}}"), "2 Jan 2026, 03:04 UTC",
	       "dotted: the last part's time");
	is_str(R("{{#x}}{{at_h}}{{/x}}", "{\"at\":\"2026-11-28T20:01:04Z\",\"x\":{\"y\":1}}"),
	       "28 Nov 2026, 20:01 UTC", "found down the stack like any name");
	is_str(R("[{{_h}}|{{b._h}}]", "{\"\":\"2026-11-28T20:01:04Z\",\"b\":{\"\":\"2026-11-28T20:01:04Z\"}}"),
	       "[|]", "a bare _h part has no twin");
}

static void
test_lengths(void)
{
	struct tmpl_set *set = tmpl_set_new();
	struct buf out = BUF_INIT;
	json_t *ctx = json_pack("{s:s#}", "s", "x\0<", (size_t)3);
	int rc;

	rc = tmpl_set_add(set, "t", "A\0B{{s}}|{{{s}}}", 16, NULL);
	ok(rc == 0 && tmpl_set_finalize(set, NULL) == 0, "source with a NUL byte compiles");
	rc = tmpl_render(tmpl_get(set, "t"), &ctx, 1, &out);
	ok(rc == 0 && out.len == 3 + 6 + 1 + 3 &&
		   memcmp(out.data, "A\0Bx\0&lt;|x\0<", out.len) == 0,
	   "NUL bytes in text and strings are kept (length-based)");
	buf_free(&out);
	json_decref(ctx);
	tmpl_set_free(set);
	{
		/* Text runs up to 32 bytes are one fixed move from the padded source: every
		 * length, between values and at the very end (the NUL is written last). */
		char src[200], want[200], run[80];
		bool same = true;

		for (int i = 0; i < 79; i++)
			run[i] = (char)('a' + i % 26);
		for (int n = 0; n <= 70; n++) {
			snprintf(src, sizeof src, "{{v}}%.*s{{v}}%.*s", n, run, n, run + 1);
			snprintf(want, sizeof want, "&lt;%.*s&lt;%.*s", n, run, n, run + 1);
			const char *got = R(src, "{\"v\":\"<\"}");

			same &= strcmp(got, want) == 0;
			if (nkept > 0 && kept[nkept - 1] == got)
				free(kept[--nkept]);   /* not kept for the end: 71 of them */
		}
		ok(same, "text runs of 0 to 70 bytes are copied exactly, and the page ends with its NUL");
	}
}

static void
test_names(void)
{
	const char *ctx = "{\"a\":{\"b\":{\"c\":\"deep\"}},\"x\":{\"a\":{}},\"name\":\"outer\"}";

	is_str(R("{{a.b.c}}", ctx), "deep", "dotted name");
	is_str(R("[{{a.q}}{{a.b.c.d}}{{q.b}}]", ctx), "[]", "dotted name with a missing part");
	is_str(R("{{#x}}[{{a.b.c}}]{{/x}}", ctx), "[]",
	       "a later part missing does not resume the stack search");
	is_str(R("{{#a}}{{#b}}{{c}}-{{name}}-{{a.b.c}}{{/b}}{{/a}}", ctx), "deep-outer-deep",
	       "first part found through the stack");
	/* Members are matched to names by their first and last 8 bytes and length, and by
	 * memcmp of the middle beyond 16 bytes: keys alike at both ends must not meet. */
	is_str(R("[{{abcdefgh_XYZ_12345678}}|{{abcdefgh_12345678}}|{{ab}}|{{a_b}}|{{abcde}}]",
		 "{\"abcdefgh_QRS_12345678\":1,\"abcdefgh_XYZ_12345678\":2,\"abcdefgh12345678\":3,"
		 "\"abcdefgh_12345678\":4,\"ab\":5,\"abb\":6,\"a_b\":7,\"abcdf\":8,\"abcde\":9}"),
	       "[2|4|5|7|9]", "names and keys equal at both ends, of every length class, told apart");
	/* A dotted name's later parts are kept per object its first part found: a post's
	 * "author.name" must follow each post's author, and a shared one give the same. */
	is_str(R("{{#posts}}{{author.name}}{{page.x}},{{/posts}}",
		 "{\"page\":{\"x\":\"!\"},\"posts\":[{\"author\":{\"name\":\"a\"}},{\"author\":{\"name\":\"b\"}},"
		 "{\"author\":{}},{},{\"author\":{\"name\":\"a\"}},{\"page\":{\"x\":\"?\"}}]}"),
	       "a!,b!,!,!,a!,?,", "dotted names follow the object their first part finds");
	for (int i = 0; i < 3; i++) {
		/* the same shape freed and made again, likely at the same addresses */
		is_str(R("{{page.x}}", i % 2 ? "{\"page\":{\"x\":1}}" : "{\"page\":{\"x\":2}}"), i % 2 ? "1" : "2",
		       "what a dotted name found is kept for one render only");
	}
}

static void
test_stack(void)
{
	json_t *frames[100];
	struct buf out = BUF_INIT;
	const char *pairs[] = { "t", "{{a}}{{b}}{{bottom}}{{.}}", NULL };
	struct tmpl_set *set = set_of(pairs);
	size_t i;
	int rc;

	for (i = 0; i < 100; i++)
		frames[i] = json_pack("{s:i}", "a", (int)i);
	json_object_set_new(frames[0], "bottom", json_string("B"));
	json_object_set_new(frames[98], "b", json_string("b"));
	rc = tmpl_render(tmpl_get(set, "t"), frames, 100, &out);
	ok(rc == 0, "a caller stack deeper than the frame limit is fine");
	is_str(out.data, "99bB", "names resolve top down through the caller's frames");
	for (i = 0; i < 100; i++)
		json_decref(frames[i]);
	buf_free(&out);
	tmpl_set_free(set);
}

/* Six nested frames of 4,000 names each do not fit the binding's 4,096 entries: the
 * frames past it are walked, and names still resolve top down. */
static void
test_binding_full(void)
{
	struct buf src = BUF_INIT, out = BUF_INIT;
	json_t *ctx = NULL, *o;
	struct tmpl_set *set = tmpl_set_new();
	char key[16];

	buf_puts(&src, "{{#o}}{{#o}}{{#o}}{{#o}}{{#o}}{{n5}}-{{top}}-{{n7}}{{/o}}{{/o}}{{/o}}{{/o}}{{/o}}/{{n5}}"
		 "{{^top}}");
	for (int i = 0; i < 4000; i++)
		buf_printf(&src, "{{n%d}}", i);
	buf_puts(&src, "{{/top}}");
	for (int level = 5; level >= 0; level--) {
		o = json_object();
		for (int i = 0; i < 4000; i++) {
			snprintf(key, sizeof key, "n%d", i);
			json_object_set_new(o, key, json_integer(i == 7 ? 7 : level));
		}
		if (ctx != NULL)
			json_object_set_new(o, "o", ctx);
		ctx = o;
	}
	json_object_set_new(ctx, "top", json_string("T"));
	ok(tmpl_set_add(set, "t", src.data, src.len, NULL) == 0 && tmpl_set_finalize(set, NULL) == 0,
	   "4,000 names compile");
	ok(tmpl_render(tmpl_get(set, "t"), &ctx, 1, &out) == 0, "frames past the binding's room render");
	is_str(out.data, "5-T-7/0", "frames past the binding's room are looked up in place");
	buf_free(&out);
	buf_free(&src);
	json_decref(ctx);
	tmpl_set_free(set);
}

/* Names are bound as frames are pushed and given back as they are popped (template.c):
 * what a frame hid comes back after it, and a frame too big to bind is walked instead. */
static void
test_binding(void)
{
	const char *pairs[] = { "t", "{{#big}}{{name}}|{{k7}}|{{top}}{{/big}}/{{name}}", NULL };
	struct tmpl_set *set = set_of(pairs);
	json_t *ctx = json_pack("{s:s,s:s,s:{}}", "name", "out", "top", "T", "big"), *big;
	struct buf out = BUF_INIT;
	char key[16];

	is_str(R("{{#u}}{{name}}{{/u}}{{name}}", "{\"u\":{\"name\":\"in\"},\"name\":\"out\"}"), "inout",
	       "a name a section hid is back after it");
	is_str(R("{{#l}}{{k}},{{/l}}", "{\"l\":[{\"k\":1},{},{\"k\":null},{\"k\":3}],\"k\":\"top\"}"),
	       "1,top,,3,", "an element does not see the previous element's members");
	is_str(R("{{#a}}{{#b}}{{x}}{{/b}}{{x}}{{/a}}{{x}}", "{\"a\":{\"x\":1,\"b\":{\"x\":2}},\"x\":0}"),
	       "210", "nested sections give back in order");
	big = json_object_get(ctx, "big");
	for (int i = 0; i < 20000; i++) {
		snprintf(key, sizeof key, "k%d", i);
		json_object_set_new(big, key, json_integer(i));
	}
	json_object_set_new(big, "name", json_string("big"));
	{
		/* the same object pushed again and again: its bindings kept, then copied */
		const char *pp[] = { "u", "{{#l}}{{k}}{{#in}}{{k}}{{/in}};{{/l}}{{k}}", NULL };
		struct tmpl_set *su = set_of(pp);
		json_t *shared = json_pack("{s:i,s:{s:s}}", "k", 1, "in", "k", "x"), *empty = json_object();
		json_t *c = json_pack("{s:[O,O,O,O,O],s:s}", "l", shared, shared, empty, shared, shared, "k", "top");
		struct buf o = BUF_INIT;

		ok(tmpl_render(tmpl_get(su, "u"), &c, 1, &o) == 0, "an object pushed many times renders");
		is_str(o.data, "1x;1x;top;1x;1x;top", "an object pushed again binds the same names, and gives them back");
		buf_free(&o);
		json_decref(c);
		json_decref(shared);
		json_decref(empty);
		tmpl_set_free(su);
	}
	ok(tmpl_render(tmpl_get(set, "t"), &ctx, 1, &out) == 0, "a frame with 20,000 members renders");
	is_str(out.data, "big|7|T/out", "members that are no name of the set are not bound");
	buf_free(&out);
	json_decref(ctx);
	tmpl_set_free(set);
	test_binding_full();
}

static void
test_sections(void)
{
	const char *forum =
		"{\"title\":\"T\",\"cats\":[{\"name\":\"c1\",\"posts\":[{\"id\":1},{\"id\":2}]},"
		"{\"name\":\"c2\",\"posts\":[]}]}";

	is_str(R("{{#l}}<{{n}}>{{/l}}", "{\"l\":[{\"n\":\"a\"},{\"n\":\"b\"}]}"), "<a><b>",
	       "array: once per element");
	is_str(R("{{#cats}}{{name}}:{{#posts}}{{id}}@{{name}}/{{title}} {{/posts}}{{/cats}}",
		 forum),
	       "c1:1@c1/T 2@c1/T c2:", "nested arrays of objects see outer frames");
	is_str(R("{{#l}}[{{.}}]{{/l}}", "{\"l\":[1,\"<x>\",true,[2]]}"), "[1][&lt;x&gt;][true][]",
	       "array of scalars with {{.}}");
	is_str(R("{{#m}}{{#.}}({{.}}){{/.}};{{/m}}", "{\"m\":[[1,2],[3]]}"), "(1)(2);(3);",
	       "array of arrays");
	is_str(R("{{#u}}{{name}}{{/u}}", "{\"u\":{\"name\":\"ann\"},\"name\":\"no\"}"), "ann",
	       "object: once, pushed");
	is_str(R("{{#e}}yes{{/e}}", "{\"e\":{}}"), "yes", "empty object is truthy");
	is_str(R("{{#n}}{{.}}{{/n}}|{{#s}}{{.}}{{/s}}|{{#t}}{{.}}{{/t}}|{{#r}}{{.}}{{/r}}",
		 "{\"n\":5,\"s\":\"<hi>\",\"t\":true,\"r\":0.5}"),
	       "5|&lt;hi&gt;|true|0.5", "truthy scalar: once with the value pushed");
	is_str(R("{{#a.b}}{{c}}{{/a.b}}", "{\"a\":{\"b\":{\"c\":\"in\"}}}"), "in",
	       "section on a dotted name");
}

static void
test_falsy(void)
{
	static const char *const falsy[] = { "\"\"", "0", "0.0", "false", "null", "[]", NULL };
	static const char *const truthy[] = { "\"x\"", "1", "-1", "0.5", "true", "[0]", "{}",
					      "\"0\"", "[false]", NULL };
	const char *tpl = "{{#v}}yes{{/v}}{{^v}}no{{/v}}";
	char json[64];
	size_t i;

	for (i = 0; falsy[i] != NULL; i++) {
		snprintf(json, sizeof json, "{\"v\":%s}", falsy[i]);
		is_str(R(tpl, json), "no", "falsy: %s", falsy[i]);
	}
	is_str(R(tpl, "{}"), "no", "falsy: missing");
	for (i = 0; truthy[i] != NULL; i++) {
		snprintf(json, sizeof json, "{\"v\":%s}", truthy[i]);
		is_str(R(tpl, json), "yes", "truthy: %s", truthy[i]);
	}
	is_str(R("{{^l}}none{{/l}}{{#l}}{{.}}{{/l}}", "{\"l\":[7,8]}"), "78",
	       "inverted skipped for a non-empty array");
	is_str(R("{{^v}}{{x}}{{/v}}", "{\"x\":\"ctx\"}"), "ctx",
	       "inverted pushes nothing: names still resolve");
	is_str(R("a{{! a comment }}b{{!\nmulti\nline}}c", "{}"), "abc", "comments render nothing");
}

static void
test_partials(void)
{
	const char *basic[] = {
		"item", "<li>{{name}} of {{title}}</li>",
		"list", "{{#items}}{{>item}}{{/items}}{{> empty }}",
		"empty", "",
		"a.b", "dotted {{a.b}}",
		"c", "{{> a.b }}",
		NULL,
	};
	const char *tree[] = {
		/* Leaves say "kids":[] so the lookup does not fall through to the parent. */
		"node", "{{name}}{{#kids}}({{>node}}){{/kids}}",
		NULL,
	};
	struct tmpl_set *set;
	char *s;
	int rc;

	set = set_of(basic);
	s = set ? run(set, "list",
		      "{\"title\":\"T\",\"items\":[{\"name\":\"a\"},{\"name\":\"<b>\"}]}",
		      NULL) : NULL;
	is_str(s, "<li>a of T</li><li>&lt;b&gt; of T</li>",
	       "a partial renders with the caller's context stack");
	free(s);
	s = set ? run(set, "c", "{\"a\":{\"b\":1}}", NULL) : NULL;
	is_str(s, "dotted 1", "a partial name with a dot is one name, not a path");
	free(s);
	tmpl_set_free(set);

	set = set_of(tree);
	s = set ? run(set, "node",
		      "{\"name\":\"r\",\"kids\":["
		      "{\"name\":\"a\",\"kids\":[{\"name\":\"c\",\"kids\":[]}]},"
		      "{\"name\":\"b\",\"kids\":[]}]}", &rc) : NULL;
	is_str(s, "r(a(c))(b)", "a recursive partial walks a tree");
	free(s);
	tmpl_set_free(set);

	/* An unfinalized set: its partial is unresolved, so render must refuse. */
	set = tmpl_set_new();
	tmpl_set_add(set, "t", "x{{>t}}", 7, NULL);
	s = run(set, "t", "{}", &rc);
	is_int(rc, -1, "render before finalize fails on a partial instead of crashing");
	free(s);
	tmpl_set_free(set);
}

/* {"c":{"c":…{"c":false}}} with n objects holding an object under "c". */
static char *
chain(int n)
{
	struct buf b = BUF_INIT;
	int i;

	for (i = 0; i < n; i++)
		buf_puts(&b, "{\"c\":");
	buf_puts(&b, "{\"c\":false}");
	for (i = 0; i < n; i++)
		buf_putc(&b, '}');
	return buf_detach(&b, NULL);
}

static void
test_limits(void)
{
	const char *loop[] = { "loop", "x{{>loop}}", NULL };
	const char *nest[] = { "n", "{{#c}}x{{>n}}{{/c}}", NULL };
	const char *frames[] = {
		"f", "{{#.}}{{#.}}{{#.}}{{#c}}{{>f}}{{/c}}{{/.}}{{/.}}{{/.}}", NULL,
	};
	struct tmpl_set *set;
	char *json, *s, want[40];
	int rc;

	set = set_of(loop);
	s = set ? run(set, "loop", "{}", &rc) : NULL;
	ok(set != NULL && s == NULL && rc == -1, "endless partial recursion returns -1");
	tmpl_set_free(set);

	set = set_of(nest);
	json = chain(32);
	s = set ? run(set, "n", json, &rc) : NULL;
	memset(want, 'x', 32);
	want[32] = '\0';
	is_str(s, want, "32 nested partials render");
	free(s);
	free(json);
	json = chain(33);
	s = set ? run(set, "n", json, &rc) : NULL;
	ok(s == NULL && rc == -1, "33 nested partials return -1");
	free(json);
	tmpl_set_free(set);

	/* 4 pushes per level: 15 levels = 63 frames (fits), 16 levels = 67 (does not), both
	 * far under the partial limit, so it is the frame stack that stops it. */
	set = set_of(frames);
	json = chain(15);
	s = set ? run(set, "f", json, &rc) : NULL;
	ok(s != NULL && rc == 0, "63 pushed frames render");
	free(s);
	free(json);
	json = chain(16);
	s = set ? run(set, "f", json, &rc) : NULL;
	ok(s == NULL && rc == -1, "more than 64 pushed frames return -1");
	free(json);
	tmpl_set_free(set);
}

static void
test_standalone(void)
{
	const char *partial[] = { "p", "x\n", "t", "a\n  {{>p}}  \nb\n", NULL };
	struct tmpl_set *set;
	char *s;

	is_str(R("a\n{{#s}}\nb\n{{/s}}\nc\n", "{\"s\":true}"), "a\nb\nc\n",
	       "standalone section lines leave no blank line");
	is_str(R("a\n  {{#s}}  \nb\n\t{{/s}}\t\nc", "{\"s\":true}"), "a\nb\nc",
	       "blanks around a standalone tag go with the line");
	is_str(R("a\n{{^s}}\nb\n{{/s}}\nc\n", "{\"s\":true}"), "a\nc\n",
	       "standalone inverted section, skipped");
	is_str(R("a\r\n{{#s}}\r\nb\r\n{{/s}}\r\n", "{\"s\":1}"), "a\r\nb\r\n",
	       "CRLF line ends");
	is_str(R("a\n  {{! note }}\nb", "{}"), "a\nb", "standalone comment");
	is_str(R("a\n{{! x\ny }}\nb", "{}"), "a\nb", "standalone multi-line comment");
	is_str(R("{{#s}}\nb\n  {{/s}}", "{\"s\":1}"), "b\n",
	       "standalone at the start and at the end without a newline");
	is_str(R("a {{#s}}b{{/s}}\n", "{\"s\":1}"), "a b\n", "inline section keeps its line");
	is_str(R("{{#s}}{{/s}}\n", "{\"s\":1}"), "\n", "two tags on a line are not standalone");
	is_str(R("  {{v}}  \n", "{\"v\":\"V\"}"), "  V  \n", "variables are never standalone");
	is_str(R("  {{{v}}}\n {{& v}} \n", "{\"v\":\"V\"}"), "  V\n V \n",
	       "raw variables are never standalone");
	is_str(R("  {{#s}} x\n{{/s}}", "{\"s\":1}"), "   x\n",
	       "text after a tag makes it inline");
	set = set_of(partial);
	s = set ? run(set, "t", "{}", NULL) : NULL;
	is_str(s, "a\nx\nb\n", "standalone partial: its line's blanks are dropped");
	free(s);
	tmpl_set_free(set);
}

static char *
nested(int n)
{
	struct buf b = BUF_INIT;
	int i;

	for (i = 0; i < n; i++)
		buf_puts(&b, "{{#a}}");
	for (i = 0; i < n; i++)
		buf_puts(&b, "{{/a}}");
	return buf_detach(&b, NULL);
}

static void
test_errors(void)
{
	static const struct {
		const char *src, *msg;
	} cases[] = {
		{ "a\nb {{x", "t:2: unclosed tag" },
		{ "{{{x}}", "t:1: unclosed tag" },
		{ "x\n{{#s}}", "t:2: unclosed section 's'" },
		{ "a\n\n{{#s}}\n{{^u}}{{/u}}\nx", "t:3: unclosed section 's'" },
		{ "{{#a}}\n{{/b}}", "t:2: '{{/b}}' does not match '{{#a}}' of line 1" },
		{ "{{^a.b}}\n\n{{/a}}", "t:3: '{{/a}}' does not match '{{^a.b}}' of line 1" },
		{ "x\n{{/a.b}}", "t:2: '{{/a.b}}' closes no section" },
		{ "{{}}", "t:1: empty name in tag" },
		{ "\n{{#  }}{{/ }}", "t:2: empty name in tag" },
		{ "{{>}}", "t:1: empty name in tag" },
		{ "{{{ }}}", "t:1: empty name in tag" },
		{ "{{&}}", "t:1: empty name in tag" },
		{ "{{/}}", "t:1: empty name in tag" },
		{ "{{a b}}", "t:1: bad character in name 'a b'" },
		{ "\n\n\n{{a/b}}", "t:4: bad character in name 'a/b'" },
		{ "{{=<% %>=}}", "t:1: bad character in name '=<% %>='" },
		{ "{{{a}} }}}", "t:1: bad character in name 'a}}'" },
		{ "{{a..b}}", "t:1: empty part in dotted name 'a..b'" },
		{ "{{.a}}", "t:1: empty part in dotted name '.a'" },
		{ "{{#a.}}{{/a.}}", "t:1: empty part in dotted name 'a.'" },
		{ "{{..}}", "t:1: empty part in dotted name '..'" },
	};
	struct tmpl_set *set;
	char *deep, *err = NULL, *m;
	const char *src;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		m = E(cases[i].src);
		is_str(m, cases[i].msg, "compile error %zu", i);
		free(m);
	}
	deep = nested(64);
	is_str(R(deep, "{\"a\":1}"), "", "64 nested sections compile");
	free(deep);
	deep = nested(65);
	m = E(deep);
	is_str(m, "t:1: sections nested deeper than 64", "65 nested sections do not");
	free(m);
	free(deep);

	set = tmpl_set_new();
	ok(tmpl_set_add(set, "t", "{{x", 3, NULL) == -1, "error without ret_err");
	ok(tmpl_set_add(set, "t", "ok", 2, &err) == 0 && err == NULL,
	   "the name is free again after a failed add; ret_err untouched on success");
	ok(tmpl_set_add(set, "t", "again", 5, &err) == -1, "adding a name twice fails");
	is_str(err, "t: template already in the set", "duplicate message");
	free(err);
	err = NULL;
	src = "a\n{{#x}}\n{{> nope }}\n{{/x}}";
	ok(tmpl_set_add(set, "u", src, strlen(src), &err) == 0 &&
		   tmpl_set_finalize(set, &err) == -1,
	   "finalize fails on a missing partial");
	is_str(err, "u:3: unknown partial 'nope'", "missing partial message");
	free(err);
	ok(tmpl_get(set, "nope") == NULL && tmpl_get(set, "u") != NULL, "tmpl_get");
	tmpl_set_free(set);
	tmpl_set_free(NULL);
}

/* ---- the same template from 4 threads at once ---- */

struct job {
	const struct tmpl *t;
	json_t *ctx;
	const char *want;
	pthread_barrier_t *start;
	int mismatches;
};

static void *
job_run(void *arg)
{
	struct job *j = arg;
	struct buf out = BUF_INIT;
	int i;

	pthread_barrier_wait(j->start);
	for (i = 0; i < 300; i++) {
		buf_reset(&out);
		if (tmpl_render(j->t, &j->ctx, 1, &out) != 0 || strcmp(out.data, j->want) != 0)
			j->mismatches++;
	}
	buf_free(&out);
	return NULL;
}

static void
test_threads(void)
{
	const char *pairs[] = {
		"row", "<tr><td>{{id}}</td><td>{{title}}</td>{{#tags}}<i>{{.}}</i>{{/tags}}</tr>\n",
		"page", "<h1>{{name}}</h1>\n{{#rows}}\n{{>row}}\n{{/rows}}\n{{^rows}}none{{/rows}}",
		NULL,
	};
	struct tmpl_set *set = set_of(pairs);
	pthread_barrier_t start;
	struct job jobs[4];
	pthread_t th[4];
	json_t *ctx = json_pack("{s:s, s:[]}", "name", "<Corral>", "rows");
	struct buf want = BUF_INIT;
	int i, bad = 0;

	for (i = 0; i < 200; i++)
		json_array_append_new(json_object_get(ctx, "rows"),
				      json_pack("{s:i, s:s, s:[s,s]}", "id", i, "title",
						"a & b", "tags", "x", "<y>"));
	ok(set != NULL && tmpl_render(tmpl_get(set, "page"), &ctx, 1, &want) == 0 &&
		   want.len > 200 * 40,
	   "reference render");
	pthread_barrier_init(&start, NULL, 4);
	for (i = 0; i < 4; i++) {
		jobs[i] = (struct job){ tmpl_get(set, "page"), ctx, want.data, &start, 0 };
		if (pthread_create(&th[i], NULL, job_run, &jobs[i]) != 0)
			abort();
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		bad += jobs[i].mismatches;
	}
	is_int(bad, 0, "4 threads x 300 renders equal the reference");
	pthread_barrier_destroy(&start);
	buf_free(&want);
	json_decref(ctx);
	tmpl_set_free(set);
}

/* Indentation goes, newlines and <pre> content stay. */
static void
test_unindent(void)
{
	static const char src[] = "<ul>\n  <li>a</li>\n\t<li>b  c</li>\n</ul>\n    <pre>x\n  y\n</pre>\n  <p>z</p>";
	char out[sizeof src];
	size_t n = views_unindent(src, sizeof src - 1, out);

	out[n] = '\0';
	is_str(out, "<ul>\n<li>a</li>\n<li>b  c</li>\n</ul>\n<pre>x\n  y\n</pre>\n<p>z</p>",
	       "views_unindent drops line indentation but keeps newlines, inner spaces and <pre> text");
	n = views_unindent("<pre class=\"diff\">\n  a</pre>\n  b", 32, out);
	out[n] = '\0';
	is_str(out, "<pre class=\"diff\">\n  a</pre>\nb", "a <pre> with attributes counts too");
	ok(views_unindent("", 0, out) == 0, "an empty template stays empty");
}


/* Holes (forum/sharedpage.c): a page rendered once with holes and filled per viewer must
 * equal the page rendered with that viewer's values. */
struct hole_vals {
	struct tmpl_value v[8];
};

static void
hole_value(void *arg, uint32_t hole, struct tmpl_value *ret)
{
	const struct hole_vals *hv = arg;

	if (hole < 8)
		*ret = hv->v[hole];
}

static const char holes_src[] =
	"Hi {{name}}!{{#flag}} [flag {{name}}]{{/flag}}{{^flag}} [no flag]{{/flag}}"
	"{{#items}} <{{id}}{{#mine}} mine:{{id}}{{/mine}}{{^mine}} theirs{{/mine}}>{{/items}}"
	" {{#bm}}B{{#at}} at {{at}}{{/at}}{{/bm}}{{^bm}}none{{/bm}} {{{raw}}} n={{n}}";

/* Half the holes filled first (tmpl_fill_some), the others kept for a second fill. */
struct hole_half {
	const struct hole_vals *vals;
	unsigned keep;   /* bit i: hole i stays a hole */
};

static void
hole_half_value(void *arg, uint32_t hole, struct tmpl_value *ret)
{
	const struct hole_half *h = arg;

	if (hole < 8 && (h->keep & (1u << hole)))
		ret->type = TMPL_V_KEEP;
	else
		hole_value((void *)h->vals, hole, ret);
}

/* The same template rendered plainly with json, and with holes filled with vals. */
static void
holes_case(const struct tmpl_set *set, json_t *holed, const struct hole_vals *vals, const char *plain,
	   const char *what)
{
	struct buf shared = BUF_INIT, filled = BUF_INIT;
	struct tmpl_segs segs = { 0 };
	char *want = run(set, "t", plain, NULL);

	ok(tmpl_render_holes(tmpl_get(set, "t"), &holed, 1, &shared, &segs) == 0, "%s: renders with holes", what);
	ok(tmpl_fill(shared.data, shared.len, segs.v, segs.n, hole_value, (void *)vals, &filled) == 0,
	   "%s: fills", what);
	is_str(filled.data, want ? want : "(error)", "%s: filled equals the plain render", what);
	/* In two steps, for each way of splitting the holes between them that the test's
	 * sections make different (the name, flag, the items' own marks, the bookmark). */
	for (unsigned keep = 0; keep < 256; keep += 5) {
		struct hole_half half = { vals, keep };
		struct tmpl_segs some = { 0 };
		struct buf mid = BUF_INIT, two = BUF_INIT;

		if (tmpl_fill_some(shared.data, shared.len, segs.v, segs.n, hole_half_value, &half, &mid, &some) != 0 ||
		    tmpl_fill(mid.data, mid.len, some.v, some.n, hole_value, (void *)vals, &two) != 0 ||
		    strcmp(two.data, want ? want : "(error)") != 0) {
			is_str(two.data ? two.data : "(error)", want ? want : "(error)",
			       "%s: filled in two steps (holes %#x kept first) equals the plain render", what, keep);
			keep = 1000;
		}
		free(some.v);
		buf_free(&mid);
		buf_free(&two);
		if (keep + 5 >= 256)
			ok(1, "%s: filled in two steps equals the plain render, however the holes are split", what);
	}
	free(want);
	free(segs.v);
	buf_free(&shared);
	buf_free(&filled);
}

static void
test_holes(void)
{
	const char *pairs[] = { "t", holes_src, NULL };
	struct tmpl_set *set = set_of(pairs);
	json_t *holed = J("{\"name\":{\"\\u0001\":0},\"flag\":{\"\\u0001\":1},"
			  "\"items\":[{\"id\":1,\"mine\":{\"\\u0001\":2}},{\"id\":2,\"mine\":{\"\\u0001\":3}}],"
			  "\"bm\":{\"\\u0001\":4,\"at\":{\"\\u0001\":5}},\"raw\":{\"\\u0001\":6},\"n\":{\"\\u0001\":7}}");
	struct hole_vals a = { .v = {
		[0] = { .type = TMPL_V_STR, .s = "<Ann>" }, [1] = { .type = TMPL_V_BOOL, .b = true },
		[2] = { .type = TMPL_V_BOOL, .b = true }, [3] = { .type = TMPL_V_BOOL, .b = false },
		[4] = { .type = TMPL_V_BOOL, .b = true }, [5] = { .type = TMPL_V_STR, .s = "noon" },
		[6] = { .type = TMPL_V_STR, .s = "<b>x</b>" }, [7] = { .type = TMPL_V_INT, .i = 42 } } };
	struct hole_vals b = { .v = {
		[0] = { .type = TMPL_V_STR, .s = "Bo" }, [1] = { .type = TMPL_V_INT, .i = 0 },
		[2] = { .type = TMPL_V_NONE }, [3] = { .type = TMPL_V_BOOL, .b = true },
		[4] = { .type = TMPL_V_BOOL, .b = false }, [5] = { .type = TMPL_V_STR, .s = "x" },
		[6] = { .type = TMPL_V_STR, .s = "" }, [7] = { .type = TMPL_V_INT, .i = 0 } } };
	struct tmpl_seg bad[] = { { .off = 5, .hole = 0, .kind = TMPL_SEG_VALUE }, { .off = 2, .hole = 0,
										  .kind = TMPL_SEG_VALUE } };
	struct tmpl_seg open[] = { { .off = 1, .hole = 1, .kind = TMPL_SEG_IF } };
	struct hole_vals none = { 0 };
	struct buf out = BUF_INIT;

	if (set == NULL)
		return;
	holes_case(set, holed, &a, "{\"name\":\"<Ann>\",\"flag\":true,\"items\":[{\"id\":1,\"mine\":true},"
		   "{\"id\":2,\"mine\":false}],\"bm\":{\"at\":\"noon\"},\"raw\":\"<b>x</b>\",\"n\":42}", "viewer a");
	holes_case(set, holed, &b, "{\"name\":\"Bo\",\"flag\":0,\"items\":[{\"id\":1,\"mine\":null},"
		   "{\"id\":2,\"mine\":true}],\"bm\":false,\"raw\":\"\",\"n\":0}", "viewer b");
	/* tmpl_render knows no holes: an object is only an object, and shows as nothing. */
	is_str(R("[{{h}}]{{#h}}in{{/h}}", "{\"h\":{\"\\u0001\":0}}"), "[]in", "a plain render treats a hole as an object");
	ok(tmpl_fill("abcdef", 6, bad, 2, hole_value, &none, &out) == -1, "segments out of order are refused");
	buf_reset(&out);
	ok(tmpl_fill("abcdef", 6, open, 1, hole_value, &none, &out) == -1, "a dropped section without its end is refused");
	buf_free(&out);
	json_decref(holed);
	tmpl_set_free(set);
}

int
main(void)
{
	test_holes();
	test_unindent();
	test_values();
	test_times();
	test_lengths();
	test_names();
	test_stack();
	test_binding();
	test_sections();
	test_falsy();
	test_partials();
	test_limits();
	test_standalone();
	test_errors();
	test_threads();
	while (nkept > 0)
		free(kept[--nkept]);
	return done_testing();
}
