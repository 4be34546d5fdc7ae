/* db/listen.h — the one LISTEN connection of this instance: a thread that receives the
 * NOTIFYs PostgreSQL sends at commit and hands each to the subscribers of its channel
 * (the page cache, live events, later the outgoing mail), and read-your-writes on top.
 *
 * The listener reconnects by itself (at most every 250 ms). While it is down notices are
 * lost, so a subscriber that keeps state derived from them (cached pages, a queue to
 * poll) is told when it goes down and comes back (db_listen_on_state) and starts afresh. */
#ifndef CORRAL_DB_LISTEN_H
#define CORRAL_DB_LISTEN_H

#include <stdbool.h>

#include "core/ctx.h"

/* Subscribers and state watchers at most (each kind). */
#define DB_LISTEN_MAX 8

/* A notice on a subscribed channel. Runs on the listener thread, one notice at a time in
 * commit order: it must be quick (no database, no waiting on a request) and safe against
 * every other thread. payload is valid during the call only. */
typedef void db_listen_fn(const char *payload, void *arg);

/* The listener connected (up: LISTEN is in place, anything before it may have been
 * missed) or lost its connection (!up). Same thread and rules as db_listen_fn. */
typedef void db_listen_state_fn(bool up, void *arg);

/* Before db_listen_start: call fn for every notice on channel (lower-case letters, digits
 * and '_', at most 63 bytes). 0, or -1 (logged) when the name is not one or the table is
 * full. */
int db_listen_subscribe(const char *channel, db_listen_fn *fn, void *arg);
int db_listen_on_state(db_listen_state_fn *fn, void *arg);

/* Start the listener thread on the database at url (copied). 0 or -1 (logged). */
int db_listen_start(const char *url);
/* Stop and join it; no callback runs after it returns. Safe when never started. */
void db_listen_stop(void);

/* Is the listener connected now? */
bool db_listen_up(void);

/* Read-your-writes on this instance: after a write has committed, send a mark through
 * NOTIFY on this request's connection and wait until the listener has seen it. Notices
 * arrive in commit order, so by then every subscriber has been given every notice of the
 * write. 0 when seen, or when the listener is down (its subscribers have been told);
 * -1 when the NOTIFY failed or timeout_ms passed first. */
int db_listen_sync(struct ctx *c, int timeout_ms);

#endif
