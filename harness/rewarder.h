/* rewarder.h: a suite's reward behind one door, for `imagine reward`,
 * `imagine reward serve` and `imagine bench reward` (and the trainer's GRPO,
 * which calls the same suite function in process): so the CLI, the server
 * and training give the same number for the same response.
 *
 * A request item is a JSON object {"idx": N, "response": TEXT} (idx as in
 * the query file) or {"query": N | {query fields}, "response": TEXT}. Its
 * answer is one JSON object {"idx": N, "reward": R, "components": {...}}
 * (idx null when the query came as fields). Items that cannot be scored
 * (no response, unknown idx, bad fields) are errors naming the field;
 * the caller decides (the CLI stops with exit 3, the server answers 400).
 *
 * Every suite with a `reward` op is served the same way (suites/suite.h):
 * the query file is read with the suite's items_load (TravelPlanner: a
 * query JSONL or a split; PlanBench: a variant, a file of generated items
 * or an answers file of a variant), a query given as fields with its
 * item_parse, and the reward is the suite's.
 *
 * A Rewarder owns its opened suite, queries and configuration; after
 * rewarder_open it is immutable, so threads may score with it at once. */
#ifndef IMAGINE_REWARDER_H
#define IMAGINE_REWARDER_H

#include <cJSON.h>

#include "buf.h"
#include "err.h"

typedef struct Rewarder Rewarder;

/* suite: a registered suite's name. data_flag: --data (NULL: the suite's
 * own default folder, suite_data_dir). queries / split: the file or split
 * the idx refer to (both NULL: only queries given as fields can be
 * scored). cfg_json: a JSON object of the suite's reward configuration
 * fields, or NULL for the defaults (checked here: IM_USAGE naming a bad
 * field). */
int rewarder_open(const char *suite, const char *data_flag, const char *queries, const char *split, const char *cfg_json,
                  Rewarder **out, Err *err);
void rewarder_close(Rewarder *r);
/* The configuration in force, as JSON (printed in reports and by --json). */
void rewarder_config_json(const Rewarder *r, Buf *out);
/* Scores one item, appending its answer object (no newline) to out.
 * *reward receives the value. On error nothing is appended. */
int rewarder_score(const Rewarder *r, const cJSON *item, Buf *out, double *reward, Err *err);
/* The opened suite and the query file's items (NULL when none), borrowed. */
const struct Suite *rewarder_suite(const Rewarder *r);
const struct SuiteItems *rewarder_items(const Rewarder *r);
/* Number of queries in the query file (0 when none). */
int rewarder_n_queries(const Rewarder *r);
/* The idx of query i of the file (0-based position). */
int rewarder_query_idx(const Rewarder *r, int i);

#endif
