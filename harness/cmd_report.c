/* cmd_report.c: `imagine report`, `imagine table`, `imagine compare` and
 * `imagine bench report`. Each verb builds the report model (reports/model.h)
 * from runs in the store (by id or name, through harness/store.h) and from
 * answer files (--plans, evaluated on the fly), of any suite, through the
 * suite interface (suites/suite.h); analyses it (runs grouped by suite and
 * split) and hands it to a renderer. Sections: loading, the verbs, the
 * benchmark. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis.h"
#include "cJSON.h"
#include "compare.h"
#include "fsutil.h"
#include "html.h"
#include "load.h"
#include "pdf.h"
#include "plot.h"
#include "stats.h"
#include "table.h"
#include "verbs.h"

#if defined(__has_include)
#if __has_include("store.h")
#include "store.h"
#define HAVE_STORE 1
#endif
#endif

/* ---- loading ---------------------------------------------------------- */

typedef struct Src {
    const char *store, *split, *variant, *queries, *data, *suite;
    CliList plans;
    long seed, resamples;
} Src;

#define SRC_OPTS(s)                                                                                                  \
    {"--store", CLI_STR, &(s).store, "FILE", "the run store (default imagine.db when RUN arguments are given)"},      \
    {"--plans", CLI_LIST, &(s).plans, "[LABEL=]FILE", "a submission file evaluated on the fly, as one run (repeatable)"}, \
    {"--suite", CLI_STR, &(s).suite, "NAME", "suite of the --plans files (default travelplanner)"},                   \
    {"--split", CLI_STR, &(s).split, "S", "split of the --plans files (default: from the file name, e.g. train_...)"}, \
    {"--variant", CLI_STR, &(s).variant, "V", "the same as --split (PlanBench's name for it)"},                       \
    {"--queries", CLI_STR, &(s).queries, "FILE", "query file of the --plans files (default DATA/queries/SPLIT.jsonl)"}, \
    {"--data", CLI_STR, &(s).data, "DIR", "the suite's data (default: its environment variable, e.g. $IMAGINE_DATA)"}, \
    {"--seed", CLI_INT, &(s).seed, "N", "bootstrap seed (default 20240601)"},                                        \
    {"--resamples", CLI_INT_IN, &(CliIntIn){&(s).resamples, 1, 1000000}, "N", "bootstrap resamples (default 10000)"}

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static RpBoot boot_of(const Src *s) {
    RpBoot b = {s->resamples > 0 ? (int)s->resamples : RP_RESAMPLES_DEFAULT,
                s->seed > 0 ? (uint64_t)s->seed : RP_SEED_DEFAULT, 0.95};
    return b;
}

#ifdef HAVE_STORE
static char *take(char **p) {
    char *s = *p;
    *p = NULL;
    return s;
}

static double col_num(sqlite3_stmt *q, int c) {
    return sqlite3_column_type(q, c) == SQLITE_NULL ? NAN : sqlite3_column_double(q, c);
}

/* A step's reward components ({"format": -1, "valid": 0, ...}) into the
 * run's named series; what is not an object of numbers is left out. */
static void train_components(RpRun *run, RpTrainStep *t, const char *json) {
    cJSON *o = json ? cJSON_Parse(json) : NULL;
    const cJSON *c;
    if (cJSON_IsObject(o))
        cJSON_ArrayForEach(c, o) {
            int k = cJSON_IsNumber(c) && c->string ? rp_run_component(run, c->string) : -1;
            if (k >= 0) t->comp[k] = c->valuedouble;
        }
    cJSON_Delete(o);
}

/* Every figure of the run's train_step rows (the store's migrations add
 * the columns to older stores, NULL there: unknown). */
static int load_train_steps(Store *st, long long run_id, RpRun *run, Err *err) {
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(store_sqlite(st),
                           "SELECT step, loss, reward_mean, lr, tokens_per_s, reflection_ratio, grad_norm, reward_std, "
                           "completion_len, clip_frac, kl, eval_loss, kind, components_json FROM train_step "
                           "WHERE run_id = ? ORDER BY step", -1, &q, NULL) != SQLITE_OK)
        return err_set(err, IM_IO, "%s: reading train_step: %s", store_path(st), sqlite3_errmsg(store_sqlite(st)));
    sqlite3_bind_int64(q, 1, run_id);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        RpTrainStep t;
        rp_train_step_init(&t, sqlite3_column_int(q, 0));
        t.loss = col_num(q, 1), t.reward = col_num(q, 2), t.lr = col_num(q, 3), t.tokens_per_s = col_num(q, 4);
        if (sqlite3_column_type(q, 5) != SQLITE_NULL) t.reflection = sqlite3_column_double(q, 5);
        t.grad_norm = col_num(q, 6), t.reward_std = col_num(q, 7), t.completion_len = col_num(q, 8);
        t.clip_frac = col_num(q, 9), t.kl = col_num(q, 10), t.eval_loss = col_num(q, 11);
        const char *kind = (const char *)sqlite3_column_text(q, 12);
        if (kind) snprintf(t.kind, sizeof t.kind, "%s", kind);
        train_components(run, &t, (const char *)sqlite3_column_text(q, 13));
        rp_run_add_step(run, &t);
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) return err_set(err, IM_IO, "%s: reading train_step: %s", store_path(st), sqlite3_errmsg(store_sqlite(st)));
    return IM_OK;
}

/* One run of the store as a report run, through its suite's interface. */
static int load_store_run(Store *st, const char *ref, RpRun **out, Err *err) {
    *out = NULL;
    StoreRun sr;
    memset(&sr, 0, sizeof sr);
    int rc = store_run_get(st, ref, &sr, err), n = 0;
    if (rc) return rc;
    StoreItem *items = NULL;
    Suite *suite = NULL;
    const SuiteOps *ops = suite_find(sr.suite ? sr.suite : suite_default_name());
    if (!ops && !sr.n_items) ops = suite_find(suite_default_name()); /* a training run ("sft", "grpo"): steps, no items */
    if (!ops) rc = err_set(err, IM_USAGE, "run %s is of suite '%s', which this imagine does not know (suites: %s)", ref,
                           sr.suite ? sr.suite : "?", suite_names());
    if (!rc) rc = suite_open(ops, NULL, &suite, err); /* stored verdicts and metrics need no data */
    if (!rc) rc = store_items(st, sr.id, 2, &items, &n, err);
    RpRun *run = NULL;
    SuiteItem *si = NULL;
    SuiteEval *ev = NULL;
    if (!rc) {
        char id[32], name[512];
        snprintf(id, sizeof id, "%lld", sr.id);
        if (sr.name) snprintf(name, sizeof name, "%s", sr.name);
        else snprintf(name, sizeof name, "%s/%s#%lld", sr.method ? sr.method : "?", sr.model ? sr.model : "?", sr.id);
        run = rp_run_new(ops, id, name, sr.method, sr.model, sr.split, n);
        si = calloc((size_t)(n ? n : 1), sizeof *si);
        ev = calloc((size_t)(n ? n : 1), sizeof *ev);
        if (!run || !si || !ev) rc = err_set(err, IM_IO, "out of memory");
    }
    int parsed = 0;
    for (int i = 0; !rc && i < n; i++) {
        StoreItem *it = &items[i];
        rc = suite_item_parse(suite, it->query_json, store_path(st), i + 1, &si[i], err);
        if (rc) break;
        parsed++;
        si[i].idx = it->idx;
        rc = suite->ops->verdicts_load(suite, &it->eval, err);
        if (rc) break;
        ev[i] = it->eval; /* borrowed: the store item keeps it */
        rc = rp_run_set_item(run, i, suite, &si[i], &ev[i], err);
        RpItem *ri = &run->item[i];
        ri->plan_json = take(&it->plan_json), ri->raw = take(&it->raw_text), ri->error = take(&it->error);
        ri->tokens_in = it->tokens_in, ri->tokens_out = it->tokens_out;
        ri->cost = it->cost, ri->latency_ms = it->latency_ms;
    }
    if (!rc) rc = rp_run_finish(run, suite, si, ev, err);
    if (!rc) {
        run->config_json = take(&sr.config_json);
        run->source = strdup(store_path(st));
        run->started = sr.started, run->finished = sr.finished;
        rc = load_train_steps(st, sr.id, run, err);
    }
    for (int i = 0; i < parsed; i++) suite_item_free(suite, &si[i]);
    for (int i = 0; suite && i < n; i++) { /* what verdicts_load added; store_items_free frees the rest */
        SuiteEval *e = &items[i].eval;
        if (e->native && suite->ops->eval_free) suite->ops->eval_free(e);
        free(e->note), free(e->log);
        e->note = e->log = NULL;
    }
    free(si), free(ev);
    store_items_free(items, n);
    suite_close(suite);
    store_run_free(&sr);
    if (rc) {
        rp_run_free(run);
        return err_prefix(err, "run %s", ref);
    }
    *out = run;
    return IM_OK;
}
#endif

static const char *split_of_label(const char *label) {
    static const char *const splits[] = {"train", "validation", "test"};
    for (int k = 0; k < 3; k++) {
        size_t n = strlen(splits[k]);
        if (!strncmp(label, splits[k], n) && (label[n] == '_' || label[n] == '-' || label[n] == '.')) return splits[k];
    }
    return NULL;
}

/* --plans files of one suite, all over the same items. */
static int load_plans(const Src *s, RpModel *m, Err *err) {
    if (!s->plans.n) return IM_OK;
    const SuiteOps *ops = suite_find(s->suite ? s->suite : suite_default_name());
    if (!ops) return err_set(err, IM_USAGE, "--suite %s: unknown suite (suites: %s)", s->suite, suite_names());
    const char *file, *split = s->split ? s->split : s->variant;
    char *label0 = rp_plans_arg(s->plans.items[0], &file);
    char *base0 = rp_plans_label(file);
    if (!split && !s->queries) split = split_of_label(base0);
    free(label0), free(base0);
    if (!split && !s->queries)
        return err_set(err, IM_USAGE, "--plans %s: say which queries it answers: --split S or --queries FILE", file);
    char *data = suite_data_dir(ops, s->data);
    Suite *suite = NULL;
    SuiteItems *items = NULL;
    int rc = data ? suite_open(ops, data, &suite, err) : err_set(err, IM_IO, "out of memory");
    if (!rc) rc = suite_items_load(suite, split, s->queries, &items, err);
    Buf warn;
    buf_init(&warn);
    for (int i = 0; !rc && i < s->plans.n; i++) {
        char *label = rp_plans_arg(s->plans.items[i], &file);
        RpRun *run = NULL;
        rc = rp_load_plans(suite, items, split, file, &run, &warn, err);
        if (!rc) {
            free(run->name), free(run->id);
            run->name = strdup(label), run->id = strdup(label);
            rp_model_add(m, run);
        }
        free(label);
    }
    if (warn.len) fputs(warn.data, stderr);
    buf_free(&warn);
    if (items) suite_items_free(suite, items);
    suite_close(suite);
    free(data);
    return rc;
}

static int load_store(const Src *s, const char **refs, int nrefs, RpModel *m, Err *err) {
    if (!nrefs) return IM_OK;
#ifdef HAVE_STORE
    Store *st = NULL;
    int rc = store_open(s->store ? s->store : STORE_DEFAULT_PATH, 0, &st, err);
    for (int i = 0; !rc && i < nrefs; i++) {
        RpRun *run;
        rc = load_store_run(st, refs[i], &run, err);
        if (!rc) rp_model_add(m, run);
    }
    store_close(st);
    return rc;
#else
    (void)s, (void)m;
    return err_set(err, IM_USAGE, "run %s: this build has no run store; pass submission files with --plans FILE", refs[0]);
#endif
}

/* Store runs first (in the order given), then --plans files. */
static int load_model(const Src *s, const char **refs, int nrefs, RpModel *m, Err *err) {
    int rc = load_store(s, refs, nrefs, m, err);
    if (!rc) rc = load_plans(s, m, err);
    if (!rc && !m->n) rc = err_set(err, IM_USAGE, "no runs: give RUN ids or names (with --store FILE) or --plans FILE");
    return rc;
}

static int find_run(const RpModel *m, const char *ref) {
    for (int i = 0; i < m->n; i++)
        if ((m->run[i]->id && !strcmp(m->run[i]->id, ref)) || (m->run[i]->name && !strcmp(m->run[i]->name, ref))) return i;
    return -1;
}

/* ---- verbs ------------------------------------------------------------ */

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

static int cmd_report(int argc, char **argv) {
    Src s = {0};
    const char *baseline = NULL, *out = NULL, *title = NULL, *stages = NULL;
    int no_plots = 0;
    const CliOpt opts[] = {SRC_OPTS(s),
                           {"--baseline", CLI_STR, &baseline, "RUN", "the run the others are compared with (default: the first)"},
                           {"--out", CLI_STR, &out, "FILE.html|FILE.pdf|DIR", "where to write (default report.html); a directory gets both"},
                           {"--title", CLI_STR, &title, "TEXT", "title of the report"},
                           {"--no-plots", CLI_FLAG, &no_plots, NULL, "leave the gnuplot plots out"},
                           {"--stages", CLI_STR, &stages, "FILE.tsv",
                            "a \"Stages: time\" table at the top: TSV with the header stage<TAB>seconds[<TAB>note]"},
                           {0}};
    Err err = {0};
    const char *pos[32];
    int npos, rc = cli_parse("report", "RUN...", argc, argv, opts, pos, 32, &npos, &err);
    if (rc < 0) return IM_OK;
    if (rc) return harness_fail(&err);
    double t0 = now_s();
    RpModel m;
    rp_model_init(&m);
    if (stages) rc = rp_model_load_stages(&m, stages, &err);
    if (!rc) rc = load_model(&s, pos, npos, &m, &err);
    int base = m.n > 1 ? 0 : -1;
    if (!rc && baseline) {
        base = find_run(&m, baseline);
        if (base < 0) {
            const char *one[1] = {baseline};
            rc = load_store(&s, one, 1, &m, &err);
            base = rc ? -1 : m.n - 1;
        }
    }
    RpAnalysis a = {0};
    RpPlots plots = {0};
    RpBoot bs = boot_of(&s);
    if (!rc) rc = rp_analyse(&m, base, &bs, &a, &err);
    if (!rc && !no_plots) rc = rp_plots_make(&m, &a, &plots, &err);
    const char *path = out ? out : "report.html";
    char *html = NULL, *pdf = NULL;
    if (fs_is_dir(path) || ends_with(path, "/")) {
        if (!rc) rc = fs_mkdirs(path, &err);
        html = fs_join(path, "report.html"), pdf = fs_join(path, "report.pdf");
    } else if (ends_with(path, ".pdf")) {
        pdf = strdup(path);
    } else if (ends_with(path, ".html") || ends_with(path, ".htm")) {
        html = strdup(path);
    } else if (!rc) {
        rc = err_set(&err, IM_USAGE, "--out %s: expected FILE.html, FILE.pdf or a directory", path);
    }
    const RpPlots *pl = no_plots ? NULL : &plots;
    if (!rc && pdf) rc = rp_pdf_load(&err); /* the PDF writer module: a missing one fails before any file is written */
    if (!rc && html) rc = rp_html_write(html, &m, &a, pl, title, &err);
    if (!rc && pdf) rc = rp_pdf_write(pdf, &m, &a, pl, title, &err);
    if (!rc)
        fprintf(stderr, "imagine report: %d run%s -> %s%s%s (%.2f s)\n", m.n, m.n == 1 ? "" : "s", html ? html : "",
                html && pdf ? " and " : "", pdf ? pdf : "", now_s() - t0);
    free(html), free(pdf);
    rp_plots_free(&plots);
    rp_analysis_free(&a);
    rp_model_free(&m);
    return rc ? harness_fail(&err) : IM_OK;
}

static int cmd_table(int argc, char **argv) {
    Src s = {0};
    const char *format = NULL, *baseline = NULL;
    const CliOpt opts[] = {SRC_OPTS(s),
                           {"--format", CLI_STR, &format, "md|csv|latex", "table format (default md)"},
                           {"--baseline", CLI_STR, &baseline, "RUN", "add differences to this run (default: the first)"},
                           {0}};
    Err err = {0};
    const char *pos[32];
    int npos, rc = cli_parse("table", "RUN...", argc, argv, opts, pos, 32, &npos, &err);
    if (rc < 0) return IM_OK;
    if (rc) return harness_fail(&err);
    RpFormat f;
    if (rp_format_parse(format, &f, &err)) return harness_fail(&err);
    RpModel m;
    rp_model_init(&m);
    rc = load_model(&s, pos, npos, &m, &err);
    int base = m.n > 1 ? 0 : -1;
    if (!rc && baseline && (base = find_run(&m, baseline)) < 0)
        rc = err_set(&err, IM_USAGE, "--baseline %s: not one of the runs of the table", baseline);
    RpAnalysis a = {0};
    RpBoot bs = boot_of(&s);
    if (!rc) rc = rp_analyse(&m, base, &bs, &a, &err);
    if (!rc) {
        Buf out;
        buf_init(&out);
        rp_table_main(&m, &a, f, &out);
        fwrite(out.data, 1, out.len, stdout);
        buf_free(&out);
    }
    rp_analysis_free(&a);
    rp_model_free(&m);
    return rc ? harness_fail(&err) : IM_OK;
}

static int cmd_compare(int argc, char **argv) {
    Src s = {0};
    CliList gates = {0};
    double alpha = 0.05;
    int json = 0;
    const CliOpt opts[] = {SRC_OPTS(s),
                           {"--gate", CLI_LIST, &gates, "METRIC:TOL", "exit 1 when NEW is significantly worse by more than TOL points (repeatable)"},
                           {"--alpha", CLI_FLOAT, &alpha, "A", "significance level of the gate (default 0.05)"},
                           {"--json", CLI_FLAG, &json, NULL, "print one JSON object"},
                           {0}};
    Err err = {0};
    const char *pos[2];
    int npos, rc = cli_parse("compare", "BASE NEW", argc, argv, opts, pos, 2, &npos, &err);
    if (rc < 0) return IM_OK;
    if (rc) return harness_fail(&err);
    if (!(alpha > 0 && alpha < 1)) return err_set(&err, IM_USAGE, "--alpha must be between 0 and 1"), harness_fail(&err);
    RpGate g[32];
    if (gates.n > 32) return err_set(&err, IM_USAGE, "--gate: at most 32"), harness_fail(&err);
    for (int i = 0; i < gates.n; i++)
        if (rp_gate_parse(gates.items[i], &g[i], &err)) return harness_fail(&err);
    RpModel m;
    rp_model_init(&m);
    rc = load_model(&s, pos, npos, &m, &err);
    if (!rc && m.n != 2)
        rc = err_set(&err, IM_USAGE, "imagine compare: expected two runs, BASE then NEW (got %d); runs come first, then --plans files", m.n);
    if (!rc && m.run[0]->suite != m.run[1]->suite)
        rc = err_set(&err, IM_USAGE, "imagine compare: %s is a %s run and %s a %s run: runs of different suites are not compared",
                     m.run[0]->name, m.run[0]->suite->name, m.run[1]->name, m.run[1]->suite->name);
    if (!rc) rc = rp_gate_resolve(m.run[1], g, gates.n, &err);
    RpAnalysis a = {0};
    RpBoot bs = boot_of(&s);
    if (!rc) rc = rp_analyse_by(&m, 0, &bs, 0, &a, &err); /* one suite; two splits are compared unpaired */
    int regressed = 0;
    if (!rc) {
        Buf out;
        buf_init(&out);
        rp_compare(&m, &a, g, gates.n, alpha, json, &out, &regressed);
        fwrite(out.data, 1, out.len, stdout);
        buf_free(&out);
    }
    rp_analysis_free(&a);
    rp_model_free(&m);
    if (rc) return harness_fail(&err);
    return regressed ? IM_FAIL : IM_OK;
}

/* ---- the benchmark ---------------------------------------------------- */

static double exp_decay(int s) { return 1.0 / (1.0 + s / 30.0); }

/* A synthetic run over the items: verdicts of the suite drawn with a
 * per-run skill (a verdict other than the first family's does not apply
 * to a quarter of the items), answers and raw outputs taken from a real
 * answer file, usage numbers drawn; through the suite's verdicts_load and
 * rate parts, as a stored run. */
static RpRun *bench_run(const Suite *suite, const SuiteItems *items, void *answers, int k, Err *err) {
    const SuiteOps *ops = suite->ops;
    char name[64];
    snprintf(name, sizeof name, "method-%d", k);
    int n = items->n;
    RpRun *run = rp_run_new(ops, name, name, name, "synthetic", "validation", n);
    SuiteEval *ev = calloc((size_t)(n ? n : 1), sizeof *ev);
    if (!run || !ev) return rp_run_free(run), free(ev), err_set(err, IM_IO, "out of memory"), NULL;
    RpRng rng;
    rp_rng_seed(&rng, 1000 + (uint64_t)k);
    double skill = 0.55 + 0.04 * k;
    int rc = IM_OK;
    for (int i = 0; !rc && i < n; i++) {
        SuiteEval *e = &ev[i];
        e->delivered = rp_rng_uniform(&rng) < 0.97;
        for (int v = 0; ops->verdicts && ops->verdicts[v]; v++) {
            const char *fam = ops->verdict_families ? ops->verdict_families[v] : "check";
            int first = !ops->verdict_families || !strcmp(fam, ops->verdict_families[0]);
            int value = !first && rp_rng_uniform(&rng) < 0.25 ? -1
                        : rp_rng_uniform(&rng) < (first ? skill + 0.4 * (1 - skill) : skill);
            suite_eval_add(e, fam, ops->verdicts[v], value, value ? NULL : "The restaurant in day 2 lunch is repeated.");
        }
        if ((rc = ops->verdicts_load(suite, e, err))) break;
        SuiteItem it = items->item[i];
        it.pos = i % 45; /* the answer file's lines, over and over */
        char *answer = NULL, *raw = NULL, *why = NULL;
        if (answers && !ops->answer(answers, &it, &answer, &raw, &why, err)) {
            run->item[i].raw = raw, run->item[i].plan_json = answer;
            free(why);
        }
        if ((rc = rp_run_set_item(run, i, suite, &items->item[i], e, err))) break;
        run->item[i].tokens_in = 3000 + (long)rp_rng_below(&rng, 2000);
        run->item[i].tokens_out = 500 + (long)rp_rng_below(&rng, 800);
        run->item[i].cost = 0.002 * (k + 1) * (0.5 + rp_rng_uniform(&rng));
        run->item[i].latency_ms = 800 + 4000 * rp_rng_uniform(&rng);
    }
    if (!rc) rc = rp_run_finish(run, suite, items->item, ev, err);
    for (int i = 0; i < n; i++) suite_eval_free(suite, &ev[i]);
    free(ev);
    if (rc) return rp_run_free(run), NULL;
    if (k == 0)
        for (int s = 0; s < 200; s++) {
            RpTrainStep t;
            rp_train_step_init(&t, s);
            t.loss = 2.0 * exp_decay(s), t.reward = 0.2 + 0.6 * (1 - exp_decay(s)), t.lr = 1e-5, t.tokens_per_s = 1500;
            t.reflection = 0.3 - 0.1 * (1 - exp_decay(s));
            rp_run_add_step(run, &t);
        }
    return run;
}

static int cmd_bench_report(int argc, char **argv) {
    const char *data = NULL, *out = NULL;
    long runs = 10;
    int pdf = 0;
    const CliOpt opts[] = {{"--data", CLI_STR, &data, "DIR", "TravelPlanner data (default: $IMAGINE_DATA)"},
                           {"--runs", CLI_INT, &runs, "N", "runs in the report (default 10)"},
                           {"--out", CLI_STR, &out, "DIR", "keep the report there (default: a temporary directory, removed)"},
                           {"--pdf", CLI_FLAG, &pdf, NULL, "also time the PDF"},
                           {0}};
    Err err = {0};
    const char *pos[1];
    int npos, rc = cli_parse("bench report", "", argc, argv, opts, pos, 0, &npos, &err);
    if (rc < 0) return IM_OK;
    if (rc) return harness_fail(&err);
    if (runs < 1 || runs > 64) return err_set(&err, IM_USAGE, "--runs must be 1..64"), harness_fail(&err);
    const SuiteOps *ops = suite_find(suite_default_name());
    char *dir = suite_data_dir(ops, data);
    char *ppath = dir ? fs_join(dir, "outputs/train/train_annotated_plans.jsonl") : NULL;
    Suite *suite = NULL;
    SuiteItems *items = NULL;
    void *answers = NULL;
    rc = ppath ? suite_open(ops, dir, &suite, &err) : err_set(&err, IM_IO, "out of memory");
    if (!rc) rc = suite_items_load(suite, "validation", NULL, &items, &err);
    if (!rc) rc = ops->answers_open(suite, ppath, &answers, &err);
    RpModel m;
    rp_model_init(&m);
    for (int k = 0; !rc && k < runs; k++) {
        RpRun *run = bench_run(suite, items, answers, k, &err);
        if (!run) rc = IM_IO;
        else rp_model_add(&m, run);
    }
    char tmpl[] = "/tmp/imagine-bench-report-XXXXXX";
    const char *outdir = out;
    if (!rc && !outdir) outdir = mkdtemp(tmpl) ? tmpl : NULL;
    if (!rc && !outdir) rc = err_set(&err, IM_IO, "cannot create a temporary directory");
    if (!rc && out) rc = fs_mkdirs(out, &err);
    char *html = outdir ? fs_join(outdir, "report.html") : NULL, *pdfp = outdir ? fs_join(outdir, "report.pdf") : NULL;
    RpAnalysis a = {0};
    RpPlots plots = {0};
    RpBoot bs = {RP_RESAMPLES_DEFAULT, RP_SEED_DEFAULT, 0.95};
    double t0 = now_s(), t1 = t0, t2 = t0, t3 = t0, t4 = t0;
    if (!rc) rc = rp_analyse(&m, 0, &bs, &a, &err), t1 = now_s();
    if (!rc) rc = rp_plots_make(&m, &a, &plots, &err), t2 = now_s();
    if (!rc) rc = rp_html_write(html, &m, &a, &plots, "imagine bench report", &err), t3 = now_s();
    if (!rc && pdf) rc = rp_pdf_write(pdfp, &m, &a, &plots, "imagine bench report", &err), t4 = now_s();
    if (!rc) {
        long long size = 0;
        FILE *f = fopen(html, "rb");
        if (f) fseek(f, 0, SEEK_END), size = ftell(f), fclose(f);
        int nsvg = 0;
        for (int k = 0; k < RP_TRAIN_PLOTS; k++) nsvg += plots.train[k] != NULL;
        for (int g = 0; g < plots.ng; g++)
            nsvg += (plots.g[g].rates != NULL) + (plots.g[g].constraints != NULL) + (plots.g[g].cost != NULL);
        for (int i = 0; i < plots.nheat; i++) nsvg += plots.heat[i] != NULL;
        printf("bench report: %ld runs x %d queries, %d bootstrap resamples\n", runs, items->n, bs.resamples);
        printf("  statistics  %.3f s\n  plots       %.3f s (gnuplot, %d SVG)\n  html        %.3f s (%.1f MB)\n", t1 - t0,
               t2 - t1, nsvg, t3 - t2, size / 1e6);
        printf("  report      %.3f s total (statistics + plots + html; target < 2 s)\n", t3 - t0);
        if (pdf) printf("  pdf         %.3f s (same model and plots)\n", t4 - t3);
        if (out) printf("  written to %s\n", out);
    }
    if (!out && outdir) {
        if (html) remove(html);
        if (pdfp) remove(pdfp);
        remove(outdir);
    }
    free(html), free(pdfp), free(ppath), free(dir);
    rp_plots_free(&plots), rp_analysis_free(&a), rp_model_free(&m);
    if (answers) ops->answers_close(answers);
    if (items) suite_items_free(suite, items);
    suite_close(suite);
    return rc ? harness_fail(&err) : IM_OK;
}

const CliVerb imagine_verbs_report[] = {
    {"report", cmd_report, "Write an HTML or PDF report over runs: rates with CIs, tests against a baseline, plots, every plan.",
     "RUN..."},
    {"table", cmd_table, "Print the main table of runs for a paper (md, csv or LaTeX booktabs).", "RUN..."},
    {"compare", cmd_compare, "Compare NEW with BASE: deltas, p-values, flipped queries; --gate exits 1 on a regression.",
     "BASE NEW"},
    {"bench report", cmd_bench_report, "Time a report over 10 runs x 180 queries (statistics, plots, HTML).", ""},
    {0}};
