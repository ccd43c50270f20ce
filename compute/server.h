/* server.h: the OpenAI-compatible HTTP server over an Engine
 * (libmicrohttpd): /v1/chat/completions (JSON or SSE stream),
 * /v1/completions, /v1/models, /health.
 *
 * An event loop (epoll, else poll: no FD_SETSIZE cap) with a few threads
 * reads requests; one scheduler thread owns the Engine and runs the
 * requests waiting at that moment together as one batch (batched decode).
 * A connection waiting for its answer is suspended, never blocking a
 * thread; the scheduler never blocks on a client (stream chunks are
 * queued), and a client that leaves cancels its sequence at its next
 * piece of text. Limits (ServerOpts): request body size (413), open
 * connections (503 past the limit), idle time (the connection is closed).
 * server_run blocks until *stop becomes nonzero, then cancels what runs
 * and returns; it borrows the Engine. The caller ignores SIGPIPE. */
#ifndef IMAGINE_SERVER_H
#define IMAGINE_SERVER_H

#include <signal.h>
#include <stddef.h>

#include "engine.h"

typedef struct ServerOpts {
    const char *host;       /* IPv4 address */
    int port;               /* 0: any free port */
    const char *model_name; /* the id /v1/models reports */
    size_t max_body;        /* bytes; 0: SERVER_MAX_BODY */
    int max_conns;          /* open connections answered; 0: SERVER_MAX_CONNS */
    int idle_timeout_s;     /* 0: SERVER_IDLE_TIMEOUT_S */
    void (*ready)(int port, void *ud); /* called once listening */
    void *ud;
} ServerOpts;

#define SERVER_MAX_BODY ((size_t)8 << 20)
#define SERVER_MAX_CONNS 1024
#define SERVER_IDLE_TIMEOUT_S 15

int server_run(Engine *e, const ServerOpts *o, volatile sig_atomic_t *stop, Err *err);

#endif
