/* store_schema.c: the store's schema, as forward migrations.
 *
 * Each step takes a store from version-1 to version; steps are never
 * edited once released (a store made by an older imagine replays the later
 * steps). Text only: store_migrate (store.c) runs them in one transaction.
 * Times are unix seconds (REAL); check.result is 1, 0 or NULL (None). */
#include "store.h"

static const char v1[] =
    "CREATE TABLE suite(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL,\n"       /* travelplanner */
    "  split TEXT NOT NULL,\n"      /* train, validation, test, or a query file's name */
    "  source TEXT NOT NULL,\n"     /* the query file it was read from */
    "  digest TEXT NOT NULL,\n"     /* FNV-1a of the query lines: same split, same queries */
    "  UNIQUE(name, split, digest));\n"
    "CREATE TABLE query(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  suite_id INTEGER NOT NULL REFERENCES suite(id),\n"
    "  pos INTEGER NOT NULL,\n"     /* 0-based position in the split */
    "  idx INTEGER NOT NULL,\n"
    "  level TEXT NOT NULL,\n"
    "  days INTEGER NOT NULL,\n"
    "  fields_json TEXT NOT NULL,\n"
    "  UNIQUE(suite_id, pos));\n"
    "CREATE TABLE model(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL,\n"
    "  backend TEXT NOT NULL,\n"
    "  path_or_url TEXT NOT NULL DEFAULT '',\n"
    "  sha256 TEXT NOT NULL DEFAULT '',\n"
    "  UNIQUE(name, backend, path_or_url, sha256));\n"
    "CREATE TABLE method(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL,\n"
    "  config_json TEXT NOT NULL DEFAULT '{}',\n"
    "  UNIQUE(name, config_json));\n"
    "CREATE TABLE run(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT UNIQUE,\n"
    "  method_id INTEGER NOT NULL REFERENCES method(id),\n"
    "  model_id INTEGER NOT NULL REFERENCES model(id),\n"
    "  suite_id INTEGER NOT NULL REFERENCES suite(id),\n"
    "  seed INTEGER NOT NULL DEFAULT 0,\n"
    "  started REAL NOT NULL,\n"
    "  finished REAL,\n"
    "  git_rev TEXT NOT NULL,\n"
    "  config_json TEXT NOT NULL,\n"
    "  status TEXT NOT NULL CHECK(status IN ('running','complete','incomplete')));\n"
    "CREATE TABLE item(\n"
    "  run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,\n"
    "  query_id INTEGER NOT NULL REFERENCES query(id),\n"
    "  state TEXT NOT NULL CHECK(state IN ('ready','running','done','failed','error')),\n"
    "  plan_json TEXT,\n"
    "  raw_text TEXT,\n"
    "  error TEXT,\n"
    "  latency_ms REAL,\n"
    "  tokens_in INTEGER NOT NULL DEFAULT 0,\n"
    "  tokens_out INTEGER NOT NULL DEFAULT 0,\n"
    "  cost REAL NOT NULL DEFAULT 0,\n"
    "  calls INTEGER NOT NULL DEFAULT 0,\n"
    "  cache_hits INTEGER NOT NULL DEFAULT 0,\n"
    "  started REAL,\n"
    "  finished REAL,\n"
    "  PRIMARY KEY(run_id, query_id));\n"
    "CREATE TABLE \"check\"(\n"
    "  run_id INTEGER NOT NULL,\n"
    "  query_id INTEGER NOT NULL,\n"
    "  family TEXT NOT NULL CHECK(family IN ('commonsense','hard')),\n"
    "  \"constraint\" TEXT NOT NULL,\n" /* the official key, e.g. is_valid_restaurants */
    "  result INTEGER CHECK(result IN (0,1)),\n"
    "  PRIMARY KEY(run_id, query_id, \"constraint\"),\n"
    "  FOREIGN KEY(run_id, query_id) REFERENCES item(run_id, query_id) ON DELETE CASCADE);\n"
    "CREATE TABLE metric(\n"
    "  run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,\n"
    "  name TEXT NOT NULL,\n"
    "  level TEXT NOT NULL DEFAULT '',\n" /* '' all levels */
    "  days INTEGER NOT NULL DEFAULT 0,\n" /* 0 all lengths */
    "  value REAL,\n"
    "  PRIMARY KEY(run_id, name, level, days));\n"
    "CREATE TABLE llm_call(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,\n"
    "  query_id INTEGER REFERENCES query(id),\n"
    "  role TEXT NOT NULL,\n"
    "  request_hash TEXT NOT NULL,\n"
    "  tokens_in INTEGER NOT NULL DEFAULT 0,\n"
    "  tokens_out INTEGER NOT NULL DEFAULT 0,\n"
    "  latency_ms REAL,\n"
    "  cached INTEGER NOT NULL DEFAULT 0,\n"
    "  status TEXT,\n"
    "  created REAL NOT NULL);\n"
    "CREATE TABLE train_step(\n"
    "  run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,\n"
    "  step INTEGER NOT NULL,\n"
    "  loss REAL,\n"
    "  reward REAL,\n"
    "  lr REAL,\n"
    "  tokens_per_s REAL,\n"
    "  PRIMARY KEY(run_id, step));\n";

/* Version 2: check messages, the reasoning text, attempts per item, the
 * plan's total cost, the run's active time, and an index for the state
 * counts that `imagine status` reads. */
static const char v2[] =
    "ALTER TABLE \"check\" ADD COLUMN msg TEXT;\n"
    "ALTER TABLE item ADD COLUMN reasoning TEXT;\n"
    "ALTER TABLE item ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;\n"
    "ALTER TABLE item ADD COLUMN plan_cost REAL;\n"
    "ALTER TABLE run ADD COLUMN active_s REAL NOT NULL DEFAULT 0;\n"
    "CREATE INDEX item_state ON item(run_id, state);\n";

/* Version 3: llm_call records every model call of an item in full (the
 * item's transaction): the request's model, its cost, HTTP attempts and
 * the last status, the finish reason and, for a call that failed after
 * all retries, the error; status is 'ok' or 'error'. The index serves the
 * per-run summaries of `imagine show`. */
static const char v3[] =
    "ALTER TABLE llm_call ADD COLUMN model TEXT;\n"
    "ALTER TABLE llm_call ADD COLUMN cost REAL NOT NULL DEFAULT 0;\n"
    "ALTER TABLE llm_call ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;\n"
    "ALTER TABLE llm_call ADD COLUMN http_status INTEGER;\n"
    "ALTER TABLE llm_call ADD COLUMN finish_reason TEXT;\n"
    "ALTER TABLE llm_call ADD COLUMN error TEXT;\n"
    "CREATE INDEX llm_call_item ON llm_call(run_id, query_id);\n";

/* Version 4: suites behind one interface (suites/suite.h), and what the
 * trainer and the pipeline record.
 * - verdict replaces "check": families and names are the suite's (no
 *   CHECK on the family); rows are copied in their order (rowid), which is
 *   the suite's verdict order, so nothing is lost.
 * - metric: one `stratum` text ("" the whole split, else "dim=value,..."
 *   in the suite's strata order, e.g. "level=easy,days=3") replaces the
 *   level/days pair; num/den keep a rate's parts. Old rows map one to one.
 * - query.strata: the item's strata in the same form. level and days stay
 *   for old readers ('' and 0 for suites without them).
 * - train_step: reward becomes reward_mean; every figure of an SFT or GRPO
 *   step (issue 14) and its kind; created is when the row was written.
 * - pipeline, pipeline_stage: the IMAGINE pipeline's resumable stages
 *   (issue 15), each with the hashes of its inputs and its outputs. */
static const char v4[] =
    "CREATE TABLE verdict(\n"
    "  run_id INTEGER NOT NULL,\n"
    "  query_id INTEGER NOT NULL,\n"
    "  family TEXT NOT NULL,\n"   /* the suite's: commonsense, hard, plan, ... */
    "  name TEXT NOT NULL,\n"     /* the suite's key, e.g. is_valid_restaurants */
    "  value INTEGER CHECK(value IN (0,1)),\n" /* NULL: not applicable (None) */
    "  message TEXT,\n"
    "  PRIMARY KEY(run_id, query_id, family, name),\n"
    "  FOREIGN KEY(run_id, query_id) REFERENCES item(run_id, query_id) ON DELETE CASCADE);\n"
    "INSERT INTO verdict(run_id, query_id, family, name, value, message)\n"
    "  SELECT run_id, query_id, family, \"constraint\", result, msg FROM \"check\" ORDER BY rowid;\n"
    "DROP TABLE \"check\";\n"
    "CREATE TABLE metric_v4(\n"
    "  run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,\n"
    "  name TEXT NOT NULL,\n"
    "  stratum TEXT NOT NULL DEFAULT '',\n"
    "  value REAL,\n"
    "  num REAL,\n"
    "  den REAL,\n"
    "  PRIMARY KEY(run_id, name, stratum));\n"
    "INSERT INTO metric_v4(run_id, name, stratum, value)\n"
    "  SELECT run_id, name,\n"
    "    CASE WHEN level <> '' AND days <> 0 THEN 'level=' || level || ',days=' || days\n"
    "         WHEN level <> '' THEN 'level=' || level\n"
    "         WHEN days <> 0 THEN 'days=' || days ELSE '' END, value\n"
    "  FROM metric ORDER BY rowid;\n"
    "DROP TABLE metric;\n"
    "ALTER TABLE metric_v4 RENAME TO metric;\n"
    "ALTER TABLE query ADD COLUMN strata TEXT NOT NULL DEFAULT '';\n"
    "UPDATE query SET strata = 'level=' || level || ',days=' || days;\n"
    "ALTER TABLE train_step RENAME COLUMN reward TO reward_mean;\n"
    "ALTER TABLE train_step ADD COLUMN kind TEXT CHECK(kind IN ('sft','grpo'));\n"
    "ALTER TABLE train_step ADD COLUMN grad_norm REAL;\n"
    "ALTER TABLE train_step ADD COLUMN reward_std REAL;\n"
    "ALTER TABLE train_step ADD COLUMN components_json TEXT;\n" /* {"format": mean, ...} */
    "ALTER TABLE train_step ADD COLUMN reflection_ratio REAL;\n"
    "ALTER TABLE train_step ADD COLUMN completion_len REAL;\n"
    "ALTER TABLE train_step ADD COLUMN clip_frac REAL;\n"
    "ALTER TABLE train_step ADD COLUMN kl REAL;\n"
    "ALTER TABLE train_step ADD COLUMN eval_loss REAL;\n"
    "ALTER TABLE train_step ADD COLUMN created REAL;\n"
    "CREATE TABLE pipeline(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL UNIQUE,\n"
    "  config_json TEXT NOT NULL,\n"
    "  config_sha256 TEXT NOT NULL,\n"
    "  created REAL NOT NULL);\n"
    "CREATE TABLE pipeline_stage(\n"
    "  pipeline_id INTEGER NOT NULL REFERENCES pipeline(id) ON DELETE CASCADE,\n"
    "  stage TEXT NOT NULL,\n"
    "  state TEXT NOT NULL CHECK(state IN ('ready','running','done','failed','error')),\n"
    "  inputs_sha256 TEXT,\n"
    "  outputs_json TEXT,\n"     /* {"FILE": "sha256", ...} and the stage's figures */
    "  started REAL,\n"
    "  finished REAL,\n"
    "  PRIMARY KEY(pipeline_id, stage));\n";

const StoreMigration store_migrations[] = {{1, v1}, {2, v2}, {3, v3}, {4, v4}};
const int store_n_migrations = (int)(sizeof store_migrations / sizeof store_migrations[0]);
