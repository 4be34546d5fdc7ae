/* http/stream.c — the event-stream hub: a list of open streams, each with a byte queue,
 * suspended in MHD while its queue is empty. One lock guards the list and every queue,
 * and the suspended flag is only read and written under it, so a connection is resumed
 * exactly once for each suspension (MHD forbids resuming one that is not suspended). */
#include "http/stream.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/worker.h"
#include "http/internal.h"

struct stream {
	struct stream *next, *prev;
	struct MHD_Connection *conn;
	char *topic;
	struct buf queue;
	size_t sent;            /* bytes of queue already handed to MHD */
	bool suspended, closed;
};

static pthread_mutex_t stream_lock = PTHREAD_MUTEX_INITIALIZER;
static struct stream *stream_list;
static int stream_n;

/* Wake a stream that waits (lock held). */
static void
stream_wake(struct stream *s)
{
	if (s->suspended) {
		s->suspended = false;
		MHD_resume_connection(s->conn);
	}
}

static ssize_t
stream_read(void *cls, uint64_t pos, char *out, size_t max)
{
	struct stream *s = cls;
	size_t n;

	(void)pos;
	pthread_mutex_lock(&stream_lock);
	if (s->sent < s->queue.len) {
		n = s->queue.len - s->sent;
		if (n > max)
			n = max;
		memcpy(out, s->queue.data + s->sent, n);
		s->sent += n;
		if (s->sent == s->queue.len) {
			buf_reset(&s->queue);
			s->sent = 0;
		}
		pthread_mutex_unlock(&stream_lock);
		return (ssize_t)n;
	}
	if (s->closed) {
		pthread_mutex_unlock(&stream_lock);
		return MHD_CONTENT_READER_END_OF_STREAM;
	}
	/* Nothing to send: park the connection until stream_wake. */
	s->suspended = true;
	MHD_suspend_connection(s->conn);
	pthread_mutex_unlock(&stream_lock);
	return 0;
}

static void
stream_free(void *cls)
{
	struct stream *s = cls;

	pthread_mutex_lock(&stream_lock);
	if (s->prev)
		s->prev->next = s->next;
	else
		stream_list = s->next;
	if (s->next)
		s->next->prev = s->prev;
	stream_n--;
	pthread_mutex_unlock(&stream_lock);
	buf_free(&s->queue);
	free(s->topic);
	free(s);
}

void
stream_format(struct buf *b, const char *event, const char *id, const char *data)
{
	buf_printf(b, "event: %s\n", event);
	if (id)
		buf_printf(b, "id: %s\n", id);
	buf_printf(b, "data: %s\n\n", data);
}

int
http_stream_start(struct req *r, const char *topic, const char *initial)
{
	struct stream *s = calloc(1, sizeof *s);
	struct MHD_Response *resp;

	if (s == NULL || (s->topic = strdup(topic)) == NULL)
		core_oom();
	s->conn = r->conn;
	/* Reconnect after 3 s if the stream breaks; an opening comment flushes the headers. */
	buf_puts(&s->queue, "retry: 3000\n: connected\n\n");
	if (initial)
		buf_puts(&s->queue, initial);
	/* MHD gives every callback response a buffer of this size (used only when it cannot
	 * send chunked, HTTP/1.0); an event is a few hundred bytes, and 10,000 streams of
	 * 4 KiB buffers were 40 MB of nothing. */
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 1024, stream_read, s, stream_free);
	if (resp == NULL) {
		buf_free(&s->queue);
		free(s->topic);
		free(s);
		http_fail(r, HERR_INTERNAL, NULL, NULL);
		return -1;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(resp, "X-Accel-Buffering", "no");   /* nginx: do not buffer */
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Request-Id", r->c.rid);
	pthread_mutex_lock(&stream_lock);
	s->next = stream_list;
	if (stream_list)
		stream_list->prev = s;
	stream_list = s;
	stream_n++;
	pthread_mutex_unlock(&stream_lock);
	MHD_queue_response(r->conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	r->raw_response = true;
	r->sent_status = 200;
	/* A stream lasts as long as the reader stays: it is not a request in flight that
	 * shutdown should wait for (stream_close_all ends them). */
	r->streaming = true;
	atomic_fetch_sub(&r->srv->in_flight, 1);
	return 0;
}

void
stream_publish(const char *topic, const char *event, const char *id, const char *data)
{
	struct buf msg = BUF_INIT;

	/* Formatted once, outside the lock: with 10,000 readers of a thread the lock is held
	 * for copies, not for 10,000 printfs. */
	stream_format(&msg, event, id, data);
	pthread_mutex_lock(&stream_lock);
	for (struct stream *s = stream_list; s; s = s->next) {
		if (s->closed || strcmp(s->topic, topic) != 0)
			continue;
		/* A reader that stopped reading does not make us hold its backlog forever. */
		if (s->queue.len > 256 * 1024) {
			s->closed = true;
		} else {
			buf_append(&s->queue, msg.data, msg.len);
		}
		stream_wake(s);
	}
	pthread_mutex_unlock(&stream_lock);
	buf_free(&msg);
}

static void
stream_ping_all(void)
{
	pthread_mutex_lock(&stream_lock);
	for (struct stream *s = stream_list; s; s = s->next) {
		if (!s->closed)
			buf_puts(&s->queue, ": ping\n\n");
		stream_wake(s);
	}
	pthread_mutex_unlock(&stream_lock);
}

void
stream_close_all(void)
{
	pthread_mutex_lock(&stream_lock);
	for (struct stream *s = stream_list; s; s = s->next) {
		s->closed = true;
		stream_wake(s);
	}
	pthread_mutex_unlock(&stream_lock);
}

int
stream_count(void)
{
	int n;

	pthread_mutex_lock(&stream_lock);
	n = stream_n;
	pthread_mutex_unlock(&stream_lock);
	return n;
}

/* --- keep-alive: a thread that pings every stream every STREAM_PING_S seconds --- */

#define STREAM_PING_S 25

/* Every STREAM_PING_S seconds a comment line keeps each stream's proxies from timing it
 * out (the first round finds no stream yet). */
static long
stream_ping_round(void *arg)
{
	(void)arg;
	stream_ping_all();
	return STREAM_PING_S * 1000L;
}

static struct worker stream_pinger = WORKER_INIT("stream keep-alive", stream_ping_round, NULL, NULL);

int
stream_keepalive_start(void)
{
	return worker_start(&stream_pinger);
}

void
stream_keepalive_stop(void)
{
	worker_stop(&stream_pinger);
}
