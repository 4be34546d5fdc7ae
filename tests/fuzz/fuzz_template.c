/* tests/fuzz/fuzz_template.c — libFuzzer target for render/template: compile the input as
 * template "t" beside a fixed recursive partial "p", finalize, render against a fixed
 * nested context, and check the error and output contracts of template.h. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "render/template.h"

/* Every object below the root shadows the names that hold arrays of several elements
 * ("items", "kids") or that lead to them ("tree") with a falsy value. Otherwise nested
 * sections on those names would fall through to the root at every level and an input of
 * a few hundred bytes could ask for 3^64 iterations: a hang that says nothing about the
 * engine. Recursion that never ends is fine: it stops at the depth limits. */
static const char fuzz_tmpl_ctx[] =
	"{\"title\":\"A & B <x>\",\"n\":42,\"neg\":-9223372036854775807,\"zero\":0,"
	"\"pi\":3.141592653589793,\"tiny\":1e-300,\"yes\":true,\"no\":false,\"nil\":null,"
	"\"empty\":\"\",\"none\":[],\"eobj\":{},\"html\":\"<p>raw & 'q'</p>\","
	"\"nul\":\"a\\u0000b\","
	"\"obj\":{\"a\":{\"b\":{\"c\":\"deep\",\"items\":[],\"tree\":false},"
	"\"items\":[],\"tree\":false},\"items\":[],\"tree\":false},"
	"\"items\":[{\"id\":1,\"name\":\"one\",\"items\":[],\"tree\":false,\"tags\":[\"x\"]},"
	"{\"id\":2,\"name\":\"<two>\",\"items\":[],\"tree\":false,\"tags\":[2.5]},"
	"{\"id\":3,\"items\":[],\"tree\":false,\"tags\":[true]}],"
	"\"tree\":{\"name\":\"r\",\"tree\":false,\"items\":[],\"kids\":["
	"{\"name\":\"a\",\"tree\":false,\"items\":[],\"kids\":[]},"
	"{\"name\":\"b\",\"tree\":false,\"items\":[],\"kids\":["
	"{\"name\":\"c\",\"tree\":false,\"items\":[],\"kids\":[]}]}]}}";

static const char fuzz_tmpl_partial[] =
	"<{{name}}{{! a tree walk }}\n"
	"  {{#kids}}\n"
	"[{{>p}}]\n"
	"  {{/kids}}\n"
	"{{^kids}}leaf{{/kids}}>";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A message must follow "name:..." and name the template that failed. */
static void
fuzz_tmpl_check_err(int rc, const char *err)
{
	if (rc != -1 || err == NULL || strncmp(err, "t:", 2) != 0) {
		fprintf(stderr, "bad error contract: rc=%d err=%s\n", rc, err ? err : "(null)");
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static json_t *ctx;   /* read-only, shared by every run */
	struct buf out = BUF_INIT;
	struct tmpl_set *set;
	char *err = NULL;
	int rc;

	if (ctx == NULL && (ctx = json_loads(fuzz_tmpl_ctx, JSON_ALLOW_NUL, NULL)) == NULL)
		abort();
	set = tmpl_set_new();
	if (tmpl_set_add(set, "p", fuzz_tmpl_partial, sizeof fuzz_tmpl_partial - 1, NULL) != 0)
		abort();
	rc = tmpl_set_add(set, "t", (const char *)data, size, &err);
	if (rc != 0) {
		fuzz_tmpl_check_err(rc, err);
		goto out;
	}
	rc = tmpl_set_finalize(set, &err);
	if (rc != 0) {
		fuzz_tmpl_check_err(rc, err);
		goto out;
	}
	rc = tmpl_render(tmpl_get(set, "t"), &ctx, 1, &out);
	if ((rc != 0 && rc != -1) || out.data == NULL || out.data[out.len] != '\0')
		abort();
out:
	free(err);
	buf_free(&out);
	tmpl_set_free(set);
	return 0;
}
