/* cmd_report.c: `imagine report`, `imagine table`, `imagine compare` and
 * `imagine bench report`. Each verb builds the report model (reports/model.h)
 * from runs in the store (by id or name, through harness/store.h) and from
 * submission files (--plans, evaluated on the fly), analyses it, and hands
 * it to a renderer. Sections: loading, the verbs, the benchmark. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis.h"
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
    const char *store, *split, *queries, *data;
    CliList plans;
    long seed, resamples;
} Src;

#define SRC_OPTS(s)                                                                                                  \
    {"--store", CLI_STR, &(s).store, "FILE", "the run store (default imagine.db when RUN arguments are given)"},      \
    {"--plans", CLI_LIST, &(s).plans, "[LABEL=]FILE", "a submission file evaluated on the fly, as one run (repeatable)"}, \
    {"--split", CLI_STR, &(s).split, "S", "split of the --plans files (default: from the file name, e.g. train_...)"}, \
    {"--queries", CLI_STR, &(s).queries, "FILE", "query file of the --plans files (default DATA/queries/SPLIT.jsonl)"}, \
    {"--data", CLI_STR, &(s).data, "DIR", "TravelPlanner data (default: $IMAGINE_DATA)"},                             \
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

static int load_train_steps(Store *st, long long run_id, RpRun *run, Err *err) {
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(store_sqlite(st), "SELECT step, loss, reward_mean, lr, tokens_per_s, reflection_ratio FROM train_step "
                                             "WHERE run_id = ? ORDER BY step", -1, &q, NULL) != SQLITE_OK)
        return err_set(err, IM_IO, "%s: reading train_step: %s", store_path(st), sqlite3_errmsg(store_sqlite(st)));
    sqlite3_bind_int64(q, 1, run_id);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        double v[4];
        for (int c = 0; c < 4; c++) v[c] = sqlite3_column_type(q, c + 1) == SQLITE_NULL ? NAN : sqlite3_column_double(q, c + 1);
        RpTrainStep t = {sqlite3_column_int(q, 0), v[0], v[1], v[2], v[3],
                         sqlite3_column_type(q, 5) == SQLITE_NULL ? -1 : sqlite3_column_double(q, 5)};
        rp_run_add_step(run, &t);
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) return err_set(err, IM_IO, "%s: reading train_step: %s", store_path(st), sqlite3_errmsg(store_sqlite(st)));
    return IM_OK;
}

/* One run of the store as a report run. */
static int load_store_run(Store *st, const char *ref, RpRun **out, Err *err) {
    *out = NULL;
    StoreRun sr;
    memset(&sr, 0, sizeof sr);
    int rc = store_run_get(st, ref, &sr, err), n = 0;
    if (rc) return rc;
    StoreItem *items = NULL;
    Suite *suite = NULL;
    /* The report model is TravelPlanner's (reports/model.h) until reports
     * read the suite's strata and verdicts through suite.h. */
    if (sr.n_items && (!sr.suite || strcmp(sr.suite, "travelplanner"))) /* training runs have steps, no items */
        rc = err_set(err, IM_USAGE, "run %s is of suite '%s': reports cover travelplanner runs only so far", ref,
                     sr.suite ? sr.suite : "?");
    if (!rc) rc = suite_open(suite_find("travelplanner"), NULL, &suite, err);
    if (!rc) rc = store_items(st, sr.id, 2, &items, &n, err);
    RpRun *run = NULL;
    if (!rc) {
        char id[32], name[512];
        snprintf(id, sizeof id, "%lld", sr.id);
        if (sr.name) snprintf(name, sizeof name, "%s", sr.name);
        else snprintf(name, sizeof name, "%s/%s#%lld", sr.method ? sr.method : "?", sr.model ? sr.model : "?", sr.id);
        run = rp_run_new(id, name, sr.method, sr.model, sr.split, n);
        if (!run) rc = err_set(err, IM_IO, "out of memory");
    }
    for (int i = 0; !rc && i < n; i++) {
        StoreItem *it = &items[i];
        rc = tp_query_parse(it->query_json, store_path(st), i + 1, &run->q[i], err);
        if (rc) break;
        run->q[i].idx = it->idx;
        rc = suite->ops->verdicts_load(suite, &it->eval, err);
        if (rc) break;
        run->r[i] = *(TpPlanResult *)it->eval.native; /* moved into the run */
        free(it->eval.native), it->eval.native = NULL;
        RpItem *ri = &run->item[i];
        ri->plan_json = take(&it->plan_json), ri->raw = take(&it->raw_text), ri->error = take(&it->error);
        ri->tokens_in = it->tokens_in, ri->tokens_out = it->tokens_out;
        ri->cost = it->cost, ri->latency_ms = it->latency_ms;
    }
    if (!rc) {
        run->config_json = take(&sr.config_json);
        run->source = strdup(store_path(st));
        rc = load_train_steps(st, sr.id, run, err);
    }
    store_items_free(items, n);
    suite_close(suite);
    store_run_free(&sr);
    if (rc) {
        rp_run_free(run);
        return err_prefix(err, "run %s", ref);
    }
    rp_run_finish(run);
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

/* --plans files, all over the same queries. */
static int load_plans(const Src *s, RpModel *m, Err *err) {
    if (!s->plans.n) return IM_OK;
    const char *file, *split = s->split;
    char *label0 = rp_plans_arg(s->plans.items[0], &file);
    char *base0 = rp_plans_label(file);
    if (!split && !s->queries) split = split_of_label(base0);
    free(label0), free(base0);
    if (!split && !s->queries)
        return err_set(err, IM_USAGE, "--plans %s: say which queries it answers: --split S or --queries FILE", file);
    const char *data = harness_data_dir(s->data);
    char *qpath = harness_query_path(s->queries, data, split);
    TpQuerySet *qs = NULL;
    TpDb *db = NULL;
    int rc = tp_queries_load(qpath, &qs, err);
    if (!rc) rc = tp_db_open(data, &db, err);
    Buf warn;
    buf_init(&warn);
    for (int i = 0; !rc && i < s->plans.n; i++) {
        char *label = rp_plans_arg(s->plans.items[i], &file);
        RpRun *run = NULL;
        rc = rp_load_plans(db, qs, split, file, &run, &warn, err);
        if (!rc) {
            free(run->name), free(run->id);
            run->name = strdup(label), run->id = strdup(label);
            rp_model_add(m, run);
        }
        free(label);
    }
    if (warn.len) fputs(warn.data, stderr);
    buf_free(&warn);
    tp_db_close(db), tp_queries_free(qs), free(qpath);
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
    {
        Err serr = {0};
        if (harness_travelplanner_only("report", &argc, argv, &serr)) return harness_fail(&serr);
    }
    Src s = {0};
    const char *baseline = NULL, *out = NULL, *title = NULL;
    int no_plots = 0;
    const CliOpt opts[] = {SRC_OPTS(s),
                           {"--baseline", CLI_STR, &baseline, "RUN", "the run the others are compared with (default: the first)"},
                           {"--out", CLI_STR, &out, "FILE.html|FILE.pdf|DIR", "where to write (default report.html); a directory gets both"},
                           {"--title", CLI_STR, &title, "TEXT", "title of the report"},
                           {"--no-plots", CLI_FLAG, &no_plots, NULL, "leave the gnuplot plots out"},
                           {0}};
    Err err = {0};
    const char *pos[32];
    int npos, rc = cli_parse("report", "RUN...", argc, argv, opts, pos, 32, &npos, &err);
    if (rc < 0) return IM_OK;
    if (rc) return harness_fail(&err);
    double t0 = now_s();
    RpModel m;
    rp_model_init(&m);
    rc = load_model(&s, pos, npos, &m, &err);
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
    {
        Err serr = {0};
        if (harness_travelplanner_only("table", &argc, argv, &serr)) return harness_fail(&serr);
    }
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
    {
        Err serr = {0};
        if (harness_travelplanner_only("compare", &argc, argv, &serr)) return harness_fail(&serr);
    }
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
    for (int i = 0; i < gates.n; i++)
        if (rp_gate_parse(gates.items[i], &g[i], &err)) return harness_fail(&err);
    RpModel m;
    rp_model_init(&m);
    rc = load_model(&s, pos, npos, &m, &err);
    if (!rc && m.n != 2)
        rc = err_set(&err, IM_USAGE, "imagine compare: expected two runs, BASE then NEW (got %d); runs come first, then --plans files", m.n);
    RpAnalysis a = {0};
    RpBoot bs = boot_of(&s);
    if (!rc) rc = rp_analyse(&m, 0, &bs, &a, &err);
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

/* A synthetic run over the queries: verdicts drawn with a per-run skill,
 * plans and raw outputs taken from real plan lines, usage numbers drawn. */
static RpRun *bench_run(const TpQuerySet *qs, const TpSubmission *plans, int k, Err *err) {
    char name[64];
    snprintf(name, sizeof name, "method-%d", k);
    RpRun *run = rp_run_new(name, name, name, "synthetic", "validation", qs->n);
    if (!run) return err_set(err, IM_IO, "out of memory"), NULL;
    RpRng rng;
    rp_rng_seed(&rng, 1000 + (uint64_t)k);
    double skill = 0.55 + 0.04 * k;
    for (int i = 0; i < qs->n; i++) {
        if (rp_run_set_query(run, i, &qs->q[i], err)) return rp_run_free(run), NULL;
        TpPlanResult *r = &run->r[i];
        r->delivered = rp_rng_uniform(&rng) < 0.97;
        r->hard_evaluated = r->delivered;
        for (int c = 0; c < TP_NCS; c++) {
            r->cs[c].value = (signed char)(rp_rng_uniform(&rng) < skill + 0.4 * (1 - skill));
            if (!r->cs[c].value) r->cs[c].msg = strdup("The restaurant in day 2 lunch is repeated.");
        }
        const TpQuery *q = &qs->q[i];
        const int applies[TP_NHARD] = {q->cuisine != NULL, q->house_rule != NULL, q->transportation != NULL,
                                       q->room_type != NULL, 1}; /* the order of the TP_HARD_* enum */
        for (int c = 0; c < TP_NHARD; c++) {
            r->hard[c].value = (signed char)(!applies[c] ? -1 : rp_rng_uniform(&rng) < skill);
            if (!r->hard[c].value) r->hard[c].msg = strdup("The total cost exceeds the budget of $1,700.");
        }
        const char *line = plans->line[i % plans->n];
        run->item[i].raw = strdup(line);
        cJSON *o = cJSON_Parse(line), *p = cJSON_GetObjectItemCaseSensitive(o, "plan");
        run->item[i].plan_json = p ? cJSON_PrintUnformatted(p) : NULL;
        cJSON_Delete(o);
        run->item[i].tokens_in = 3000 + (long)rp_rng_below(&rng, 2000);
        run->item[i].tokens_out = 500 + (long)rp_rng_below(&rng, 800);
        run->item[i].cost = 0.002 * (k + 1) * (0.5 + rp_rng_uniform(&rng));
        run->item[i].latency_ms = 800 + 4000 * rp_rng_uniform(&rng);
    }
    if (k == 0)
        for (int s = 0; s < 200; s++) {
            RpTrainStep t = {s, 2.0 * exp_decay(s), 0.2 + 0.6 * (1 - exp_decay(s)), 1e-5, 1500, 0.3 - 0.1 * (1 - exp_decay(s))};
            rp_run_add_step(run, &t);
        }
    rp_run_finish(run);
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
    const char *dir = harness_data_dir(data);
    char *qpath = fs_join(dir, "queries/validation.jsonl");
    char *ppath = fs_join(dir, "outputs/train/train_annotated_plans.jsonl");
    TpQuerySet *qs = NULL;
    TpSubmission *sub = NULL;
    rc = tp_queries_load(qpath, &qs, &err);
    if (!rc) rc = tp_submission_read(ppath, &sub, &err);
    if (!rc && !sub->n) rc = err_set(&err, IM_IO, "%s: no plan lines", ppath);
    RpModel m;
    rp_model_init(&m);
    for (int k = 0; !rc && k < runs; k++) {
        RpRun *run = bench_run(qs, sub, k, &err);
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
        printf("bench report: %ld runs x %d queries, %d bootstrap resamples\n", runs, qs->n, bs.resamples);
        printf("  statistics  %.3f s\n  plots       %.3f s (gnuplot, %d SVG)\n  html        %.3f s (%.1f MB)\n", t1 - t0,
               t2 - t1, 2 + plots.nheat + (plots.cost != NULL) + (plots.train != NULL), t3 - t2, size / 1e6);
        printf("  report      %.3f s total (statistics + plots + html; target < 2 s)\n", t3 - t0);
        if (pdf) printf("  pdf         %.3f s (same model and plots)\n", t4 - t3);
        if (out) printf("  written to %s\n", out);
    }
    if (!out && outdir) {
        if (html) remove(html);
        if (pdfp) remove(pdfp);
        remove(outdir);
    }
    free(html), free(pdfp), free(qpath), free(ppath);
    rp_plots_free(&plots), rp_analysis_free(&a), rp_model_free(&m);
    tp_queries_free(qs), tp_submission_free(sub);
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
