/* cmd_queries.c: stage 1 of IMAGINE. `imagine queries generate` writes new
 * items with the suite's generator (suites/suite.h `generate`: TravelPlanner
 * queries with solver labels, PlanBench problems with gold plans);
 * `imagine queries stats` prints a query file's distributions beside an
 * official split (the suite's items_stats op). */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fsutil.h"
#include "paraphrase.h"
#include "suite.h"
#include "verbs.h"

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --config: inline JSON or a file. */
static int config_text(const char *arg, char **out, Err *err) {
    *out = NULL;
    if (!arg) return IM_OK;
    if (arg[0] == '{') return (*out = strdup(arg)) ? IM_OK : err_set(err, IM_IO, "out of memory");
    size_t n;
    return fs_read_file(arg, out, &n, err) ? err_prefix(err, "--config") : IM_OK;
}

/* ---- generate ------------------------------------------------------------------- */

/* The suite's own flags, folded into its generator configuration (a flag
 * given wins over the same field of --config): each suite reads its own
 * fields and refuses the others (docs/imagine.md, docs/planbench.md). */
typedef struct GenFlags {
    const char *against, *variant;
    long threads, blocks, cities, locations, trucks, airplanes, packages, max_nodes;
    int zero_shot;
} GenFlags;

static int fold_flags(const GenFlags *g, const char *config, char **out, Err *err) {
    cJSON *o = cJSON_Parse(config ? config : "{}");
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return err_set(err, IM_USAGE, "--config: not a JSON object");
    }
    if (g->against) {
        cJSON *a = cJSON_CreateArray();
        char *copy = strdup(g->against);
        for (char *t = copy ? strtok(copy, ",") : NULL; t; t = strtok(NULL, ",")) cJSON_AddItemToArray(a, cJSON_CreateString(t));
        free(copy);
        cJSON_DeleteItemFromObjectCaseSensitive(o, "against");
        cJSON_AddItemToObject(o, "against", a);
    }
    if (g->variant) cJSON_DeleteItemFromObjectCaseSensitive(o, "variant"), cJSON_AddStringToObject(o, "variant", g->variant);
    if (g->zero_shot) cJSON_DeleteItemFromObjectCaseSensitive(o, "zero_shot"), cJSON_AddTrueToObject(o, "zero_shot");
    const char *names[] = {"threads", "blocks", "cities", "locations", "trucks", "airplanes", "packages", "max_nodes"};
    const long vals[] = {g->threads, g->blocks, g->cities, g->locations, g->trucks, g->airplanes, g->packages, g->max_nodes};
    for (size_t k = 0; k < sizeof names / sizeof *names; k++)
        if (vals[k]) cJSON_DeleteItemFromObjectCaseSensitive(o, names[k]), cJSON_AddNumberToObject(o, names[k], (double)vals[k]);
    *out = o->child ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    return IM_OK;
}

static int cmd_generate(int argc, char **argv) {
    const char *suite = NULL, *out = NULL, *data_flag = NULL, *config = NULL;
    long n = 0, seed = 0;
    GenFlags g = {0};
    ParaOptions para = {0};
    long concurrency = 0;
    const CliOpt opts[] = {
        {"--suite", CLI_STR, &suite, "S", "the suite whose generator runs (travelplanner, planbench)"},
        {"--n", CLI_INT, &n, "N", "how many queries"},
        {"--seed", CLI_INT, &seed, "K", "the same seed gives a byte-identical file"},
        {"--out", CLI_STR, &out, "FILE.jsonl", "where to write them, one item a line in the suite's form (written whole, then renamed)"},
        {"--config", CLI_STR, &config, "JSON|FILE", "generator fields (docs/imagine.md, docs/planbench.md)"},
        {"--data", CLI_STR, &data_flag, "DIR", "the suite's data folder (default: its environment variable)"},
        {"--against", CLI_STR, &g.against, "S1,S2", "TravelPlanner: splits to deduplicate against (default: train,validation and test when present)"},
        {"--threads", CLI_INT, &g.threads, "N", "TravelPlanner: solver threads (default 2; the file does not depend on it)"},
        {"--variant", CLI_STR, &g.variant, "V", "PlanBench: blocksworld, mystery_blocksworld (and _3) or logistics"},
        {"--blocks", CLI_INT, &g.blocks, "K", "PlanBench Blocksworld family: blocks per problem"},
        {"--cities", CLI_INT, &g.cities, "C", "PlanBench Logistics: cities"},
        {"--locations", CLI_INT, &g.locations, "S", "PlanBench Logistics: locations per city (location 0 is the airport)"},
        {"--trucks", CLI_INT, &g.trucks, "T", "PlanBench Logistics: trucks (default one per city)"},
        {"--airplanes", CLI_INT, &g.airplanes, "A", "PlanBench Logistics: airplanes"},
        {"--packages", CLI_INT, &g.packages, "P", "PlanBench Logistics: packages"},
        {"--zero-shot", CLI_FLAG, &g.zero_shot, NULL, "PlanBench: zero-shot prompts (default: one-shot, the example being the previous problem)"},
        {"--max-nodes", CLI_INT, &g.max_nodes, "N", "PlanBench: the planner's state limit per problem (default 1500000)"},
        {"--paraphrase-model", CLI_STR, &para.spec, "SPEC", "TravelPlanner: reword each query's text with this model (a model spec as for run --model), "
                                                             "kept only when its facts survive (docs/imagine.md)"},
        {"--concurrency", CLI_INT_IN, &(CliIntIn){&concurrency, 1, 256}, "K", "--paraphrase-model: requests in flight (default: the spec's, 8)"},
        {"--cache", CLI_STR, &para.cache, "FILE", "--paraphrase-model: the response cache (default: imagine-cache.db)"},
        {"--no-cache", CLI_FLAG, &para.no_cache, NULL, "--paraphrase-model: neither read nor write the response cache"},
        {0}};
    Err err = {0};
    const char *pos[1];
    int npos, rc = cli_parse("queries generate", "", argc, argv, opts, pos, 0, &npos, &err);
    if (rc < 0) return IM_OK;
    if (rc) return harness_fail(&err);
    if (!suite || !out || n < 1 || n > 1000000 || seed < 0)
        return err_set(&err, IM_USAGE, "imagine queries generate: --suite S, --n N (1..1000000), --seed K (>= 0) and --out FILE are required"),
               harness_fail(&err);
    const SuiteOps *ops = suite_find(suite);
    if (!ops) return err_set(&err, IM_USAGE, "imagine queries generate: --suite %s: one of %s", suite, suite_names()), harness_fail(&err);
    if (!para.spec && (concurrency || para.cache || para.no_cache))
        return err_set(&err, IM_USAGE, "imagine queries generate: --concurrency, --cache and --no-cache go with --paraphrase-model"),
               harness_fail(&err);
    para.concurrency = (int)concurrency;
    if (para.spec && (rc = para_preflight(ops, &para, out, &err))) return harness_fail(&err);
    char *ctext = NULL, *cfg = NULL;
    rc = config_text(config, &ctext, &err);
    if (!rc) rc = fold_flags(&g, ctext, &cfg, &err);
    free(ctext);
    char *dir = suite_data_dir(ops, data_flag);
    Suite *s = NULL;
    Buf b, report;
    buf_init(&b), buf_init(&report);
    double t0 = now_s();
    if (!rc) rc = suite_open(ops, dir, &s, &err);
    if (!rc) rc = suite_generate(s, cfg, (unsigned long long)seed, (int)n, &b, &report, &err);
    if (!rc && para.spec) rc = para_apply(s, &para, &b, &report, &err);
    double dt = now_s() - t0;
    if (!rc) rc = fs_write_atomic(out, b.data ? b.data : "", b.len, &err);
    if (!rc) {
        int lines = 0;
        for (size_t i = 0; i < b.len; i++) lines += b.data[i] == '\n';
        printf("imagine queries generate: %d queries in %s (%.1f s, seed %ld)\n%s", lines, out, dt, seed, report.data ? report.data : "");
    }
    buf_free(&b), buf_free(&report);
    suite_close(s);
    free(dir), free(cfg);
    return rc ? harness_fail(&err) : IM_OK;
}

/* ---- stats ---------------------------------------------------------------------- */

static int cmd_stats(int argc, char **argv) {
    const char *against = NULL, *data_flag = NULL, *suite = NULL;
    int json = 0;
    const CliOpt opts[] = {
        {"--suite", CLI_STR, &suite, "S", "the suite of the file (default: travelplanner)"},
        {"--against", CLI_STR, &against, "SPLIT", "an official split to print beside (TravelPlanner: train, validation, test)"},
        {"--json", CLI_FLAG, &json, NULL, "one JSON object"},
        {"--data", CLI_STR, &data_flag, "DIR", "the suite's data folder (default: its environment variable)"},
        {0}};
    Err err = {0};
    const char *pos[1];
    int npos, rc = cli_parse("queries stats", "FILE", argc, argv, opts, pos, 1, &npos, &err);
    if (rc < 0) return IM_OK;
    if (rc) return harness_fail(&err);
    if (npos != 1) return err_set(&err, IM_USAGE, "imagine queries stats: give one query FILE"), harness_fail(&err);
    const SuiteOps *ops = suite_find(suite ? suite : suite_default_name());
    if (!ops) return err_set(&err, IM_USAGE, "imagine queries stats: --suite %s: one of %s", suite, suite_names()), harness_fail(&err);
    if (!ops->items_stats) return err_set(&err, IM_USAGE, "imagine queries stats: suite %s has no item statistics", ops->name), harness_fail(&err);
    char *dir = suite_data_dir(ops, data_flag);
    Suite *s = NULL;
    SuiteItems *a = NULL, *o = NULL;
    rc = suite_open(ops, NULL, &s, &err);
    if (!rc) free(s->data_dir), s->data_dir = dir, dir = NULL; /* items only: the data folder names the splits */
    if (!rc) rc = suite_items_load(s, NULL, pos[0], &a, &err);
    if (!rc && against) rc = suite_items_load(s, against, NULL, &o, &err);
    if (!rc) {
        Buf out;
        buf_init(&out);
        ops->items_stats(s, a, pos[0], o, against, json, &out);
        fwrite(out.data ? out.data : "", 1, out.len, stdout);
        buf_free(&out);
    }
    if (s) suite_items_free(s, a), suite_items_free(s, o);
    suite_close(s);
    free(dir);
    return rc ? harness_fail(&err) : IM_OK;
}

const CliVerb imagine_verbs_queries[] = {
    {"queries generate", cmd_generate, "stage 1: new items from the suite's generator (TravelPlanner: queries with solver labels), deduplicated against the benchmark", ""},
    {"queries stats", cmd_stats, "a query file's distributions beside an official split", "FILE"},
    {0}};
