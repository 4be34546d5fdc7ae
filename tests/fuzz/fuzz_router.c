/* tests/fuzz/fuzz_router.c — libFuzzer target for the route table: the application's
 * own routes matched against arbitrary methods and paths. A match names a route of the
 * table whose method fits and whose literal segments equal the path's; parameters are
 * never empty and never contain '/'. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "forum/app.h"
#include "http/router.h"

static struct router *fuzz_rt;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const methods[] = { "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS" };
	struct route_match m;
	char path[2048];

	if (fuzz_rt == NULL && (fuzz_rt = app_router()) == NULL)
		abort();
	if (size == 0 || size > sizeof path)
		return 0;
	memcpy(path, data + 1, size - 1);
	path[size - 1] = '\0';
	switch (router_match(fuzz_rt, methods[data[0] % 7], path, &m)) {
	case ROUTER_OK:
		if (m.route == NULL || m.nparams > ROUTER_MAX_PARAMS)
			abort();
		for (int i = 0; i < m.nparams; i++)
			if (m.values[i][0] == '\0' || strchr(m.values[i], '/'))
				abort();
		break;
	case ROUTER_METHOD:
		if (m.allow[0] == '\0')
			abort();
		break;
	case ROUTER_NOT_FOUND:
		break;
	}
	return 0;
}
