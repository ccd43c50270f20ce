/* reward_server.h: `imagine reward serve`, the suite's reward over HTTP for
 * external trainers (verl's compute_score, TRL reward functions:
 * docs/imagine.md).
 *
 *   POST /reward   body: a JSON array of items, or {"items": [...]}; an
 *                  item is {"query": idx | {fields}, "response": TEXT} (or
 *                  "idx" for "query"). Answer 200:
 *                  {"rewards": [{"idx", "reward", "components"}, ...]} in
 *                  the order of the items. Anything malformed: 400 with
 *                  {"error": "item 3: field 'response' must be a string"};
 *                  nothing is scored then.
 *   GET /health    {"ok": true, "suite": S, "queries": N, "requests": N}
 *   GET /config    the reward configuration in force
 * Other paths 404, other methods 405, bodies over 64 MiB 413. The server
 * never exits on a request: every failure is an answer. Each connection
 * is served on its own thread, at most `max_connections` at once, all
 * sharing one immutable Rewarder (borrowed; it must outlive the server).
 * Not a pool: a pool balances connections, not requests, and two
 * keep-alive clients often landed on one pool thread, halving the rate. */
#ifndef IMAGINE_REWARD_SERVER_H
#define IMAGINE_REWARD_SERVER_H

#include "err.h"
#include "rewarder.h"

typedef struct RewardServer RewardServer;

/* Listens on host:port (port 0: any free port). */
int reward_server_start(const Rewarder *rw, const char *suite, const char *host, int port, int max_connections,
                        RewardServer **out, Err *err);
int reward_server_port(const RewardServer *s);
void reward_server_stop(RewardServer *s);

#endif
