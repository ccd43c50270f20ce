/* test_store.c: the store on real SQLite files in a temp dir: creation,
 * migration of a version-1 and of a version-2 store in place, a failing
 * migration rolled back, refusal (not imagine's, not SQLite, newer,
 * read-only, missing) with the file unchanged, and a write/read round trip
 * of a run with its checks and model calls (llm_call and its sums).
 * usage: test_store DATA_DIR TMP_DIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "store.h"

static int failures;
#define CHECK(cond, ...)                                                  \
    do {                                                                  \
        if (!(cond)) {                                                    \
            fprintf(stderr, "%s:%d: FAIL %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                 \
            fputc('\n', stderr);                                          \
            failures++;                                                   \
        }                                                                 \
    } while (0)

static char tmp[4096];

static char *path_in(const char *name) {
    static char buf[8][4200];
    static int k;
    char *p = buf[k++ % 8];
    snprintf(p, sizeof buf[0], "%s/%s", tmp, name);
    unlink(p);
    char side[4300];
    snprintf(side, sizeof side, "%s-wal", p), unlink(side);
    snprintf(side, sizeof side, "%s-shm", p), unlink(side);
    return p;
}

static long long q1(sqlite3 *db, const char *sql) {
    sqlite3_stmt *st;
    long long v = -999;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    else fprintf(stderr, "query failed: %s: %s\n", sql, sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return v;
}

static void raw_exec(const char *path, const char *sql) {
    sqlite3 *db;
    sqlite3_open(path, &db);
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) fprintf(stderr, "setup failed: %s\n", msg), failures++;
    sqlite3_free(msg);
    sqlite3_close(db);
}

static char *slurp(const char *path, size_t *len) {
    char *d = NULL;
    Err err = {0};
    if (fs_read_file(path, &d, len, &err)) return NULL;
    return d;
}

/* store_open must refuse path with IM_IO and leave its bytes unchanged. */
static void expect_refused(const char *path, const char *what, const char *needle) {
    size_t n0 = 0, n1 = 0;
    char *before = slurp(path, &n0);
    Store *s = NULL;
    Err err = {0};
    int rc = store_open(path, 1, &s, &err);
    CHECK(rc == IM_IO && !s, "%s: expected IM_IO, got %d", what, rc);
    CHECK(strstr(err.msg, needle) != NULL, "%s: message '%s' lacks '%s'", what, err.msg, needle);
    char *after = slurp(path, &n1);
    CHECK(before && after && n0 == n1 && !memcmp(before, after, n0), "%s: the file changed", what);
    char wal[4300];
    snprintf(wal, sizeof wal, "%s-wal", path);
    CHECK(!fs_exists(wal), "%s: a WAL file was made", what);
    free(before), free(after);
    store_close(s);
}

static void test_create(void) {
    const char *p = path_in("new.db");
    Store *s = NULL;
    Err err = {0};
    CHECK(store_open(p, 0, &s, &err) == IM_IO && !fs_exists(p), "missing store without create must fail and not create");
    CHECK(store_open(p, 1, &s, &err) == IM_OK, "%s", err.msg);
    CHECK(q1(store_sqlite(s), "PRAGMA user_version") == STORE_SCHEMA_VERSION, "schema version");
    CHECK(q1(store_sqlite(s), "PRAGMA application_id") == STORE_APPLICATION_ID, "application id");
    CHECK(q1(store_sqlite(s), "PRAGMA foreign_keys") == 1, "foreign keys on");
    CHECK(q1(store_sqlite(s), "SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN "
                              "('suite','query','model','method','run','item','verdict','metric','llm_call','train_step','pipeline',"
                              "'pipeline_stage')") == 12,
          "the twelve tables");
    store_close(s);
    CHECK(store_open(p, 0, &s, &err) == IM_OK, "reopen: %s", err.msg);
    store_close(s);
    /* an empty file becomes a store */
    const char *e = path_in("empty.db");
    FILE *f = fopen(e, "w");
    fclose(f);
    CHECK(store_open(e, 0, &s, &err) == IM_OK, "empty file: %s", err.msg);
    store_close(s);
}

static void test_refusals(void) {
    const char *other = path_in("other.db");
    raw_exec(other, "CREATE TABLE notes(x); INSERT INTO notes VALUES(1)");
    expect_refused(other, "another SQLite database", "not an imagine store");

    const char *text = path_in("text.db");
    FILE *f = fopen(text, "w");
    fputs("this is not a database, but it is longer than sixteen bytes\n", f);
    fclose(f);
    expect_refused(text, "a text file", "not an imagine store");

    const char *newer = path_in("newer.db");
    Store *s = NULL;
    Err err = {0};
    CHECK(store_open(newer, 1, &s, &err) == IM_OK, "%s", err.msg);
    store_close(s);
    raw_exec(newer, "PRAGMA journal_mode=DELETE; PRAGMA user_version = 99");
    expect_refused(newer, "a newer store", "newer than this imagine");

    const char *ro = path_in("ro.db");
    CHECK(store_open(ro, 1, &s, &err) == IM_OK, "%s", err.msg);
    store_close(s);
    chmod(ro, 0444);
    expect_refused(ro, "a read-only store", "read-only");
    chmod(ro, 0644);
}

/* A store made by the version-1 schema, with data, is migrated in place. */
static void test_migrate_v1(void) {
    const char *p = path_in("v1.db");
    sqlite3 *db;
    sqlite3_open(p, &db);
    Err err = {0};
    CHECK(store_migrate(db, p, store_migrations, store_n_migrations, 1, &err) == IM_OK, "v1: %s", err.msg);
    CHECK(q1(db, "PRAGMA user_version") == 1, "at version 1");
    char *msg = NULL;
    int rc = sqlite3_exec(db,
                          "INSERT INTO suite VALUES(1,'travelplanner','train','q.jsonl','abc');"
                          "INSERT INTO query VALUES(1,1,0,1,'easy',3,'{}');"
                          "INSERT INTO method VALUES(1,'plans','{}');"
                          "INSERT INTO model VALUES(1,'none','none','','');"
                          "INSERT INTO run(id,name,method_id,model_id,suite_id,seed,started,git_rev,config_json,status)"
                          " VALUES(1,'old',1,1,1,7,1000.0,'v1rev','{}','complete');"
                          "INSERT INTO item(run_id,query_id,state,plan_json,latency_ms) VALUES(1,1,'done','[]',12.5);"
                          "INSERT INTO \"check\" VALUES(1,1,'commonsense','is_not_absent',1);",
                          NULL, NULL, &msg);
    CHECK(rc == SQLITE_OK, "v1 data: %s", msg ? msg : "");
    sqlite3_free(msg);
    sqlite3_close(db);

    Store *s = NULL;
    CHECK(store_open(p, 0, &s, &err) == IM_OK, "migrating: %s", err.msg);
    if (!s) return;
    sqlite3 *m = store_sqlite(s);
    CHECK(q1(m, "PRAGMA user_version") == STORE_SCHEMA_VERSION, "migrated version");
    CHECK(q1(m, "SELECT count(*) FROM item WHERE run_id=1 AND state='done' AND latency_ms=12.5 AND attempts=0") == 1,
          "item kept with the new column's default");
    CHECK(q1(m, "SELECT count(*) FROM verdict WHERE message IS NULL AND value=1 AND family='commonsense' AND "
                "name='is_not_absent'") == 1, "check kept as a verdict");
    CHECK(q1(m, "SELECT active_s FROM run WHERE id=1") == 0, "run kept, active_s added");
    StoreRun r;
    CHECK(store_run_get(s, "old", &r, &err) == IM_OK, "%s", err.msg);
    CHECK(r.id == 1 && r.seed == 7 && r.n_state[ST_DONE] == 1 && !strcmp(r.git_rev, "v1rev"), "run read back");
    store_run_free(&r);
    store_close(s);
}

/* A store made by the version-2 schema, with a run and a model call in the
 * old llm_call shape, is migrated to the current version in place. */
static void test_migrate_v2(void) {
    const char *p = path_in("v2.db");
    sqlite3 *db;
    sqlite3_open(p, &db);
    Err err = {0};
    CHECK(store_migrate(db, p, store_migrations, store_n_migrations, 2, &err) == IM_OK, "v2: %s", err.msg);
    CHECK(q1(db, "PRAGMA user_version") == 2, "at version 2");
    char *msg = NULL;
    int rc = sqlite3_exec(db,
                          "INSERT INTO suite VALUES(1,'travelplanner','train','q.jsonl','abc');"
                          "INSERT INTO query VALUES(1,1,0,1,'easy',3,'{}');"
                          "INSERT INTO method VALUES(1,'direct','{}');"
                          "INSERT INTO model VALUES(1,'m','openai','','');"
                          "INSERT INTO run(id,name,method_id,model_id,suite_id,seed,started,git_rev,config_json,status)"
                          " VALUES(1,'old2',1,1,1,7,1000.0,'v2rev','{}','complete');"
                          "INSERT INTO item(run_id,query_id,state,plan_json,attempts) VALUES(1,1,'done','[]',1);"
                          "INSERT INTO llm_call(run_id,query_id,role,request_hash,tokens_in,tokens_out,latency_ms,"
                          "cached,status,created) VALUES(1,1,'planner','ab',10,20,30.0,0,'ok',1000.0);",
                          NULL, NULL, &msg);
    CHECK(rc == SQLITE_OK, "v2 data: %s", msg ? msg : "");
    sqlite3_free(msg);
    sqlite3_close(db);

    Store *s = NULL;
    CHECK(store_open(p, 0, &s, &err) == IM_OK, "migrating: %s", err.msg);
    if (!s) return;
    sqlite3 *m = store_sqlite(s);
    CHECK(q1(m, "PRAGMA user_version") == STORE_SCHEMA_VERSION, "migrated to the current version");
    CHECK(q1(m, "SELECT count(*) FROM llm_call WHERE run_id=1 AND tokens_in=10 AND latency_ms=30 AND status='ok' "
                "AND cost=0 AND attempts=0 AND model IS NULL AND http_status IS NULL AND finish_reason IS NULL "
                "AND error IS NULL") == 1,
          "old call kept with the new columns' defaults");
    CHECK(q1(m, "SELECT count(*) FROM sqlite_master WHERE type='index' AND name='llm_call_item'") == 1, "index");
    StoreCallStats cs;
    CHECK(store_call_stats(s, 1, &cs, &err) == IM_OK, "%s", err.msg);
    CHECK(cs.calls == 1 && cs.ok == 1 && cs.tokens_in == 10 && cs.latency_mean_ms == 30 && cs.latency_p95_ms == 30,
          "stats of the migrated call");
    store_close(s);
}

/* A failing step leaves the file at its old version with nothing added. */
static void test_migrate_rollback(void) {
    const char *p = path_in("broken.db");
    sqlite3 *db;
    sqlite3_open(p, &db);
    const StoreMigration broken[] = {{1, "CREATE TABLE a(x);"}, {2, "CREATE TABLE b(y); INSERT INTO nosuch VALUES(1);"}};
    Err err = {0};
    CHECK(store_migrate(db, p, broken, 2, 2, &err) == IM_IO, "broken migration must fail");
    CHECK(strstr(err.msg, "schema version 2") != NULL, "message names the version: %s", err.msg);
    CHECK(q1(db, "PRAGMA user_version") == 0, "version unchanged");
    CHECK(q1(db, "SELECT count(*) FROM sqlite_master") == 0, "no table left behind");
    sqlite3_close(db);
}

static void test_round_trip(const char *data) {
    char *qpath = fs_join(data, "queries/train.jsonl");
    SuiteItems *qs = NULL;
    Suite *tp = NULL;
    Err err = {0};
    CHECK(suite_open(suite_find("travelplanner"), NULL, &tp, &err) == IM_OK, "%s", err.msg);
    CHECK(tp && suite_items_load(tp, "train", qpath, &qs, &err) == IM_OK, "%s", err.msg);
    free(qpath);
    if (!qs) return;
    const char *strata[64] = {0};
    const char *p = path_in("trip.db");
    Store *s = NULL;
    CHECK(store_open(p, 1, &s, &err) == IM_OK, "%s", err.msg);
    long long suite = 0, suite2 = 0, run = 0, run2 = 0;
    strata[0] = "level=easy,days=3";
    CHECK(store_suite_put(s, "travelplanner", "train", "train.jsonl", qs, strata, &suite, &err) == IM_OK, "%s", err.msg);
    CHECK(store_suite_put(s, "travelplanner", "train", "train.jsonl", qs, strata, &suite2, &err) == IM_OK &&
              suite == suite2, "same queries, same suite");
    CHECK(q1(store_sqlite(s), "SELECT count(*) FROM query WHERE strata = 'level=easy,days=3' AND level = 'easy' AND "
                              "days = 3 AND pos = 0") == 1, "strata and the legacy columns stored");
    StoreRunSpec spec = {.name = "t1", .method = "plans", .method_config = "{\"plans\":\"x\"}", .suite_id = suite,
                         .n_queries = 5, .seed = 3, .git_rev = "test", .config_json = "{}"};
    CHECK(store_run_create(s, &spec, &run, &err) == IM_OK, "%s", err.msg);
    CHECK(store_run_create(s, &spec, &run2, &err) == IM_USAGE, "a taken name is a usage error");
    StoreItem *items = NULL;
    int n = 0;
    CHECK(store_items(s, run, 1, &items, &n, &err) == IM_OK && n == 5, "five items, got %d", n);
    for (int i = 0; i < n; i++) CHECK(items[i].state == ST_READY && items[i].pos == i, "item %d ready in order", i);
    /* item 0 done with checks, item 1 failed, item 2 error, item 3 left running */
    /* verdicts of any family: the suite's, stored and read back in order */
    static const char *const fam[6] = {"commonsense", "commonsense", "commonsense", "hard", "hard", "plan"};
    static const char *const nm[6] = {"a", "b", "c", "d", "e", "valid_plan"};
    SuiteEval r = {.delivered = 1, .cost = 1234.5, .has_cost = 1};
    for (int k = 0; k < 6; k++)
        suite_eval_add(&r, fam[k], nm[k], k == 4 ? -1 : k % 2, k == 2 ? "msg with 'quotes'; DROP TABLE run; --" : NULL);
    long long ids[4];
    for (int i = 0; i < 4; i++) {
        ids[i] = items[i].query_id;
        CHECK(store_item_claim(s, run, ids[i], &err) == IM_OK, "%s", err.msg);
    }
    CHECK(store_item_claim(s, run, ids[0], &err) == IM_IO, "claiming twice fails");
    StoreFinish f0 = {.query_id = ids[0], .state = ST_DONE, .plan_json = "[{\"day\": 1}]", .raw_text = "raw",
                      .latency_ms = 5, .tokens_in = 10, .tokens_out = 20, .cost = 0.5, .eval = &r, .active_s = 1};
    StoreFinish f1 = {.query_id = ids[1], .state = ST_FAILED, .error = "no plan", .active_s = 1};
    /* item 2's calls: one answered, one cache hit, one failed after retries (text that must stay inert) */
    const StoreCall calls[3] = {
        {.role = "react-step", .request_hash = "h1", .model = "m", .finish_reason = "stop", .ok = 1, .attempts = 2,
         .http_status = 200, .tokens_in = 1, .tokens_out = 2, .cost = 0.25, .latency_ms = 100},
        {.role = "react-step", .request_hash = "h2", .model = "m", .ok = 1, .cache_hit = 1, .latency_ms = 0.1},
        {.role = "reflection", .request_hash = "h3", .model = "m", .error = "x'); DROP TABLE llm_call; --",
         .attempts = 6, .http_status = 429, .latency_ms = 300, .at = 1234.5}};
    StoreFinish f2 = {.query_id = ids[2], .state = ST_ERROR, .error = "timeout", .tokens_in = 1, .active_s = 1,
                      .llm_calls = calls, .n_llm_calls = 3};
    CHECK(!store_item_finish(s, run, &f0, &err) && !store_item_finish(s, run, &f1, &err) &&
              !store_item_finish(s, run, &f2, &err), "%s", err.msg);
    store_items_free(items, n);
    CHECK(store_items(s, run, 2, &items, &n, &err) == IM_OK, "%s", err.msg);
    CHECK(items[0].state == ST_DONE && items[0].eval.delivered && items[0].eval.n == 6, "done item");
    for (int k = 0; k < 6 && k < items[0].eval.n; k++)
        CHECK(items[0].eval.v[k].value == (k == 4 ? -1 : k % 2) && !strcmp(items[0].eval.v[k].family, fam[k]) &&
                  !strcmp(items[0].eval.v[k].name, nm[k]), "verdict %d in order, None kept", k);
    CHECK(items[0].eval.n > 2 && items[0].eval.v[2].message && !strcmp(items[0].eval.v[2].message, r.v[2].message),
          "message bound verbatim");
    CHECK(items[0].eval.cost == 1234.5 && items[0].eval.has_cost && !strcmp(items[0].plan_json, "[{\"day\": 1}]"),
          "plan and cost");
    CHECK(items[1].state == ST_FAILED && !items[1].eval.delivered && !items[1].eval.n && !strcmp(items[1].error, "no plan"),
          "failed");
    CHECK(items[2].state == ST_ERROR && items[3].state == ST_RUNNING && items[4].state == ST_READY, "states");
    CHECK(items[3].attempts == 1 && items[4].attempts == 0, "attempts");
    store_items_free(items, n);
    sqlite3 *db = store_sqlite(s);
    CHECK(q1(db, "SELECT count(*) FROM llm_call") == 3, "three calls stored");
    CHECK(q1(db, "SELECT count(*) FROM llm_call WHERE role='reflection' AND status='error' AND attempts=6 AND "
                 "http_status=429 AND created=1234.5 AND error='x''); DROP TABLE llm_call; --'") == 1,
          "the failed call, its error bound verbatim");
    CHECK(q1(db, "SELECT count(*) FROM llm_call WHERE cached=1 AND tokens_in=0 AND status='ok' AND error IS NULL "
                 "AND http_status IS NULL") == 1, "the cache hit");
    StoreCallStats cs;
    CHECK(store_call_stats(s, run, &cs, &err) == IM_OK, "%s", err.msg);
    CHECK(cs.calls == 3 && cs.ok == 2 && cs.errors == 1 && cs.cache_hits == 1 && cs.attempts == 8 &&
              cs.tokens_in == 1 && cs.tokens_out == 2 && cs.cost == 0.25,
          "call sums: %lld calls %lld ok %lld errors %lld hits %lld attempts", cs.calls, cs.ok, cs.errors,
          cs.cache_hits, cs.attempts);
    CHECK(cs.latency_mean_ms == 200 && cs.latency_p95_ms == 300, "latency over the uncached calls: mean %g p95 %g",
          cs.latency_mean_ms, cs.latency_p95_ms);
    CHECK(store_call_stats(s, run + 99, &cs, &err) == IM_OK && cs.calls == 0 && cs.latency_p95_ms == 0, "no calls");
    StoreRun sr;
    CHECK(store_run_get(s, "t1", &sr, &err) == IM_OK, "%s", err.msg);
    CHECK(sr.n_items == 5 && sr.n_state[ST_DONE] == 1 && sr.n_state[ST_FAILED] == 1 && sr.n_state[ST_ERROR] == 1 &&
              sr.n_state[ST_RUNNING] == 1 && sr.n_state[ST_READY] == 1, "counts");
    CHECK(sr.tokens_in == 11 && sr.tokens_out == 20 && sr.cost == 0.5 && sr.active_s == 3, "sums");
    CHECK(!strcmp(sr.method, "plans") && !strcmp(sr.split, "train") && !strcmp(sr.model, "none"), "names");
    store_run_free(&sr);
    CHECK(store_run_get(s, "nosuch", &sr, &err) == IM_USAGE, "unknown run");
    int changed = 0;
    CHECK(store_items_reset(s, run, ST_RUNNING, &changed, &err) == IM_OK && changed == 1, "resume resets running");
    CHECK(store_items_reset(s, run, ST_ERROR, &changed, &err) == IM_OK && changed == 1, "retry resets error");
    CHECK(store_run_get_id(s, run, &sr, &err) == IM_OK && sr.n_state[ST_READY] == 3 && sr.n_state[ST_FAILED] == 1,
          "failed stays a result");
    store_run_free(&sr);
    store_close(s);
    suite_eval_free(NULL, &r);
    suite_items_free(tp, qs);
    suite_close(tp);
}

int main(int argc, char **argv) {
    if (argc < 3) return fprintf(stderr, "usage: test_store DATA_DIR TMP_DIR\n"), 2;
    snprintf(tmp, sizeof tmp, "%s", argv[2]);
    Err err = {0};
    if (fs_mkdirs(tmp, &err)) return fprintf(stderr, "%s\n", err.msg), 2;
    test_create();
    test_refusals();
    test_migrate_v1();
    test_migrate_v2();
    test_migrate_rollback();
    test_round_trip(argv[1]);
    if (failures) fprintf(stderr, "%d failures\n", failures);
    else printf("store: all checks passed\n");
    return failures ? 1 : 0;
}
