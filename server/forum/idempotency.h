/* forum/idempotency.h — at most one effect per Idempotency-Key (or form nonce). */
#ifndef CORRAL_FORUM_IDEMPOTENCY_H
#define CORRAL_FORUM_IDEMPOTENCY_H

#include <stdbool.h>

#include "http/http.h"

struct idem_state {
	const char *key;     /* claimed by this request, or NULL */
};

/* Before the handler of a signed-in POST: claim the key, or answer from the first
 * request's stored response (sets r->handled), or 409 while it is still running.
 * HERR_OK or an error recorded. */
enum herr idem_prepare(struct req *r, struct idem_state *st);

/* After the response: store it (success) or release the key (failure). */
void idem_finish(struct req *r, struct idem_state *st);

#endif
