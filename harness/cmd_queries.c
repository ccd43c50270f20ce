/* cmd_queries.c: stage 1 of IMAGINE. `imagine queries generate` writes new
 * items with the suite's generator (suites/suite.h `generate`: TravelPlanner
 * queries with solver labels, PlanBench problems with gold plans);
 * `imagine queries stats` prints a query file's distributions beside an
 * official split. */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fsutil.h"
#include "query.h"
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

typedef struct Dist {
    int n, level[3], days[3], people[4]; /* people: 1, 2, 3-4, 5-8 */
    int house, cuisine, room, transport;
    int labelled, feasible, infeasible, unknown, inf_budget, inf_transport, inf_other;
    long *budget;
    double *per_pd; /* budget per person-day */
} Dist;

static int cmp_long(const void *a, const void *b) {
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}
static int cmp_dbl(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void dist_of(const TpQuerySet *qs, Dist *d) {
    memset(d, 0, sizeof *d);
    d->n = qs->n;
    d->budget = calloc((size_t)qs->n, sizeof *d->budget);
    d->per_pd = calloc((size_t)qs->n, sizeof *d->per_pd);
    for (int i = 0; i < qs->n; i++) {
        const TpQuery *q = &qs->q[i];
        d->level[q->level]++, d->days[tp_days_slot(q->days)]++;
        d->people[q->people_number == 1 ? 0 : q->people_number == 2 ? 1 : q->people_number <= 4 ? 2 : 3]++;
        d->house += !!q->house_rule, d->cuisine += q->has_cuisine, d->room += !!q->room_type, d->transport += !!q->transportation;
        d->budget[i] = q->budget, d->per_pd[i] = (double)q->budget / q->days / q->people_number;
        const char *lab = strstr(q->json, "\"label\": {");
        if (!lab) continue;
        cJSON *l = cJSON_Parse(lab + 9);
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(l, "feasible"), *fam = cJSON_GetObjectItemCaseSensitive(l, "family");
        d->labelled++;
        if (cJSON_IsTrue(f)) d->feasible++;
        else if (cJSON_IsFalse(f)) {
            d->infeasible++;
            const char *fs = cJSON_IsString(fam) ? fam->valuestring : "";
            if (!strcmp(fs, "budget")) d->inf_budget++;
            else if (!strcmp(fs, "transportation")) d->inf_transport++;
            else d->inf_other++;
        } else d->unknown++;
        cJSON_Delete(l);
    }
    qsort(d->budget, (size_t)qs->n, sizeof *d->budget, cmp_long);
    qsort(d->per_pd, (size_t)qs->n, sizeof *d->per_pd, cmp_dbl);
}

static double pct(int k, int n) { return n ? 100.0 * k / n : 0; }
static long qtl(const long *v, int n, double p) { return n ? v[(int)(p * (n - 1) + 0.5)] : 0; }

static void row_pct(Buf *b, const char *name, int k1, const Dist *a, int k2, const Dist *o) {
    buf_printf(b, "%-30s %10.1f %%", name, pct(k1, a->n));
    if (o) buf_printf(b, " %10.1f %%", pct(k2, o->n));
    buf_putc(b, '\n');
}

static void print_stats(const char *path, const Dist *a, const char *split, const Dist *o, int json) {
    Buf b;
    buf_init(&b);
    if (json) {
        const Dist *ds[2] = {a, o};
        const char *names[2] = {path, split};
        buf_putc(&b, '{');
        for (int k = 0; k < 2 && ds[k]; k++) {
            const Dist *d = ds[k];
            if (k) buf_puts(&b, ", ");
            buf_json_str(&b, names[k]);
            buf_printf(&b, ": {\"n\": %d, \"levels\": {\"easy\": %d, \"medium\": %d, \"hard\": %d}, \"days\": {\"3\": %d, \"5\": %d, \"7\": %d}, "
                       "\"people\": {\"1\": %d, \"2\": %d, \"3-4\": %d, \"5-8\": %d}, \"constraints\": {\"house rule\": %d, \"cuisine\": %d, "
                       "\"room type\": %d, \"transportation\": %d}, \"budget\": {\"min\": %ld, \"p25\": %ld, \"median\": %ld, \"p75\": %ld, \"max\": %ld}, "
                       "\"labelled\": %d, \"feasible\": %d, \"infeasible\": %d, \"infeasible_budget\": %d, \"infeasible_transportation\": %d, "
                       "\"infeasible_other\": %d, \"unknown\": %d}",
                       d->n, d->level[0], d->level[1], d->level[2], d->days[0], d->days[1], d->days[2], d->people[0], d->people[1],
                       d->people[2], d->people[3], d->house, d->cuisine, d->room, d->transport, qtl(d->budget, d->n, 0),
                       qtl(d->budget, d->n, .25), qtl(d->budget, d->n, .5), qtl(d->budget, d->n, .75), qtl(d->budget, d->n, 1),
                       d->labelled, d->feasible, d->infeasible, d->inf_budget, d->inf_transport, d->inf_other, d->unknown);
        }
        buf_puts(&b, "}\n");
    } else {
        buf_printf(&b, "%-30s %12s", "", "this file");
        if (o) buf_printf(&b, " %12s", split);
        buf_printf(&b, "\n%-30s %12d", "queries", a->n);
        if (o) buf_printf(&b, " %12d", o->n);
        buf_putc(&b, '\n');
        static const char *const lv[3] = {"level easy", "level medium", "level hard"};
        for (int k = 0; k < 3; k++) row_pct(&b, lv[k], a->level[k], a, o ? o->level[k] : 0, o);
        static const char *const dy[3] = {"days 3", "days 5", "days 7"};
        for (int k = 0; k < 3; k++) row_pct(&b, dy[k], a->days[k], a, o ? o->days[k] : 0, o);
        static const char *const pp[4] = {"people 1", "people 2", "people 3-4", "people 5-8"};
        for (int k = 0; k < 4; k++) row_pct(&b, pp[k], a->people[k], a, o ? o->people[k] : 0, o);
        row_pct(&b, "constraint house rule", a->house, a, o ? o->house : 0, o);
        row_pct(&b, "constraint cuisine", a->cuisine, a, o ? o->cuisine : 0, o);
        row_pct(&b, "constraint room type", a->room, a, o ? o->room : 0, o);
        row_pct(&b, "constraint transportation", a->transport, a, o ? o->transport : 0, o);
        static const char *const qn[5] = {"budget min", "budget p25", "budget median", "budget p75", "budget max"};
        static const double qp[5] = {0, .25, .5, .75, 1};
        for (int k = 0; k < 5; k++) {
            buf_printf(&b, "%-30s %12ld", qn[k], qtl(a->budget, a->n, qp[k]));
            if (o) buf_printf(&b, " %12ld", qtl(o->budget, o->n, qp[k]));
            buf_putc(&b, '\n');
        }
        buf_printf(&b, "%-30s %12.0f", "budget per person-day median", a->n ? a->per_pd[a->n / 2] : 0);
        if (o) buf_printf(&b, " %12.0f", o->n ? o->per_pd[o->n / 2] : 0);
        buf_putc(&b, '\n');
        const Dist *ds[2] = {a, o};
        static const char *const fl[5] = {"feasible (solver label)", "infeasible: budget", "infeasible: transportation",
                                          "infeasible: other", "unknown (not proven)"};
        for (int k = 0; k < 5; k++) {
            buf_printf(&b, "%-30s", fl[k]);
            for (int c = 0; c < 2 && ds[c]; c++) {
                const Dist *d = ds[c];
                int v[5] = {d->feasible, d->inf_budget, d->inf_transport, d->inf_other, d->unknown};
                if (d->labelled) buf_printf(&b, " %10.1f %%", pct(v[k], d->labelled));
                else buf_printf(&b, " %12s", "no labels");
            }
            buf_putc(&b, '\n');
        }
    }
    fwrite(b.data, 1, b.len, stdout);
    buf_free(&b);
}

static int cmd_stats(int argc, char **argv) {
    const char *against = NULL, *data_flag = NULL;
    int json = 0;
    const CliOpt opts[] = {
        {"--against", CLI_STR, &against, "SPLIT", "an official split to print beside (train, validation, test)"},
        {"--json", CLI_FLAG, &json, NULL, "one JSON object"},
        {"--data", CLI_STR, &data_flag, "DIR", "TravelPlanner data (default: $IMAGINE_DATA)"},
        {0}};
    Err err = {0};
    const char *pos[1];
    int npos, rc = cli_parse("queries stats", "FILE", argc, argv, opts, pos, 1, &npos, &err);
    if (rc < 0) return IM_OK;
    if (rc) return harness_fail(&err);
    if (npos != 1) return err_set(&err, IM_USAGE, "imagine queries stats: give one query FILE"), harness_fail(&err);
    TpQuerySet *a = NULL, *o = NULL;
    rc = tp_queries_load(pos[0], &a, &err);
    if (!rc && against) {
        char *path = harness_query_path(NULL, harness_data_dir(data_flag), against);
        rc = tp_queries_load(path, &o, &err);
        free(path);
    }
    if (!rc) {
        Dist da, dob;
        dist_of(a, &da);
        if (o) dist_of(o, &dob);
        print_stats(pos[0], &da, against, o ? &dob : NULL, json);
        free(da.budget), free(da.per_pd);
        if (o) free(dob.budget), free(dob.per_pd);
    }
    tp_queries_free(a), tp_queries_free(o);
    return rc ? harness_fail(&err) : IM_OK;
}

const CliVerb imagine_verbs_queries[] = {
    {"queries generate", cmd_generate, "stage 1: new items from the suite's generator (TravelPlanner: queries with solver labels), deduplicated against the benchmark", ""},
    {"queries stats", cmd_stats, "a query file's distributions beside an official split", "FILE"},
    {0}};
