/* http/stream.h — Server-Sent Events: long-lived responses that receive events published
 * by topic ("t:42" for thread 42). An idle stream holds no worker thread: its connection
 * is suspended in MHD until an event (or a keep-alive ping) resumes it. */
#ifndef CORRAL_HTTP_STREAM_H
#define CORRAL_HTTP_STREAM_H

#include "http/http.h"

/* Answer r with an event stream on topic (copied), starting with the events already
 * formatted in initial (or NULL). The handler returns HERR_OK right after;
 * r->raw_response is set. 0, or -1 with an error recorded. */
int http_stream_start(struct req *r, const char *topic, const char *initial);

/* Append one event in the stream format to b (for the initial events). */
void stream_format(struct buf *b, const char *event, const char *id, const char *data);

/* Send an event to every stream of topic (from any thread, but not after http_stop).
 * data must be one line. */
void stream_publish(const char *topic, const char *event, const char *id, const char *data);

/* A thread that sends a comment line to every stream every 25 s (keeps proxies from
 * closing idle streams and finds clients that went away). http_start starts it and
 * http_stop stops it before MHD stops. start: 0 or -1 (logged). */
int stream_keepalive_start(void);
void stream_keepalive_stop(void);

/* End every stream (shutdown: MHD must not stop with suspended connections). */
void stream_close_all(void);

/* Streams open now. */
int stream_count(void);

#endif
