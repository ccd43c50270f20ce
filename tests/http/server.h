/* server.h: the project's chat-completions test server (libmicrohttpd) on
 * 127.0.0.1, for tests and `imagine bench http`.
 *
 * It answers POST /v1/chat/completions from a script: the first entry
 * whose `match` text occurs in the last user message (plans rendered as
 * model text, or script lines {"match","content","reasoning_content"}),
 * else it echoes the last user message. Faults are injected on demand,
 * one per request, from a queue filled with ts_server_fault() or
 * POST /control {"faults":[...]}:
 *   "429[:S]"     429 with Retry-After: S (default 1)
 *   "500", "503"  that status with a short text body
 *   "slow[:MS]"   answers normally after MS ms (default 3000: past a timeout)
 *   "truncated"   200 with the JSON cut in half
 *   "nonjson"     200 with an HTML page
 *   "drop"        closes the connection without an answer
 * GET /stats answers {"requests":N,"chat":N,"faults":N}. Every request
 * waits latency_ms first. One thread per connection. */
#ifndef TS_SERVER_H
#define TS_SERVER_H

typedef struct TsServer TsServer;

typedef struct TsConfig {
    int port;             /* 0: any free port */
    int latency_ms;       /* added to every answer */
    const char *plans;    /* submission JSONL: answer each line's plan when its "query" text is in the prompt */
    const char *render;   /* how plans are written: "text", "json" or "mixed" (default) */
    const char *script;   /* JSONL of {"match","content","reasoning_content"} */
} TsConfig;

/* Starts the server; returns NULL and writes why into err (cap bytes). */
TsServer *ts_server_start(const TsConfig *cfg, char *err, int cap);
void ts_server_stop(TsServer *s);
int ts_server_port(const TsServer *s);
/* Queues faults (applied one per request, in order). */
void ts_server_fault(TsServer *s, const char *fault);
void ts_server_clear_faults(TsServer *s);
/* Requests answered on /v1/chat/completions since start (any outcome). */
long ts_server_chat_requests(TsServer *s);
void ts_server_set_latency(TsServer *s, int ms);

#endif
