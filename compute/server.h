/* server.h: the OpenAI-compatible HTTP server over an Engine
 * (libmicrohttpd): /v1/chat/completions (JSON or SSE stream),
 * /v1/completions, /v1/models, /health.
 *
 * Connections get a thread each; one scheduler thread owns the Engine and
 * runs the requests waiting at that moment together as one batch (batched
 * decode). server_run blocks until *stop becomes nonzero; it borrows the
 * Engine. The caller ignores SIGPIPE (a client may hang up mid-stream). */
#ifndef IMAGINE_SERVER_H
#define IMAGINE_SERVER_H

#include <signal.h>

#include "engine.h"

int server_run(Engine *e, const char *host, int port, const char *model_name, volatile sig_atomic_t *stop,
               void (*ready)(int port, void *ud), void *ud, Err *err);

#endif
