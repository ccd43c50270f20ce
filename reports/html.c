/* html.c: renders the report model, its analysis and plots as one HTML
 * page. Sections in page order: head and style, stage times, main table, difference
 * to the baseline, plots, level x days, per check, usage, training, per plan,
 * appendix. Pure rendering into a Buf, then one atomic write. */
#include "html.h"

#include <stdio.h>
#include <string.h>

#include "cJSON.h"
#include "fsutil.h"
#include "table.h"

static const char *const css =
    "body{font:14px/1.45 'DejaVu Sans',Helvetica,Arial,sans-serif;color:#222;max-width:1200px;margin:24px auto;padding:0 16px}"
    "h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;border-bottom:1px solid #ccc;padding-bottom:3px;margin-top:32px}"
    "h3{font-size:16px;margin:20px 0 6px}.meta{color:#666;font-size:12px}"
    "table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}"
    "th,td{padding:4px 8px;text-align:right;border-bottom:1px solid #e3e3e3;vertical-align:top}"
    "th{background:#f4f6f8;border-bottom:2px solid #bbb}th:first-child,td:first-child{text-align:left}"
    "td.ci small,td small{color:#777}.good{color:#1a7f37}.bad{color:#c62828}.worst{background:#fdecea}"
    ".plots{display:flex;flex-wrap:wrap;gap:12px}.plots figure{margin:0;width:300px}.plots figcaption{font-size:12px;text-align:center}"
    "svg{max-width:100%;height:auto}"
    "details.plan{border:1px solid #ddd;border-radius:4px;margin:4px 0;padding:2px 8px}"
    "details.plan>summary{cursor:pointer}.pass{color:#1a7f37;font-weight:bold}.fail{color:#c62828;font-weight:bold}"
    "table.day td{text-align:left;max-width:260px;font-size:12px}"
    "pre{white-space:pre-wrap;word-break:break-word;background:#f7f7f7;padding:8px;font-size:12px;max-height:400px;overflow:auto}"
    "ul.checks li{margin:2px 0}.q{font-style:italic}"
    "@media print{details{display:block}details>summary{list-style:none}}";

static void esc(Buf *b, const char *s) { buf_html(b, s ? s : ""); }

/* ---- inline SVG ------------------------------------------------------- */

static int starts(const char *s, const char *p) { return !strncmp(s, p, strlen(p)); }

void rp_svg_inline(Buf *out, const char *svg, int n) {
    const char *s = svg ? strstr(svg, "<svg") : NULL;
    if (!s) return;
    char pre[16];
    snprintf(pre, sizeof pre, "p%d_", n);
    while (*s) {
        static const char *const marks[] = {"id='", "id=\"", "href='#", "href=\"#", "url(#"};
        int hit = 0;
        for (int k = 0; k < 5 && !hit; k++)
            if (starts(s, marks[k]) && (s == svg || s[-1] == ' ' || s[-1] == ':' || s[-1] == '\t' || s[-1] == '\n' || k == 4)) {
                buf_puts(out, marks[k]), buf_puts(out, pre);
                s += strlen(marks[k]);
                hit = 1;
            }
        if (!hit) buf_putc(out, *s++);
    }
}

/* ---- one group's context ------------------------------------------------ */

/* What a section draws: one group of runs. With one group the page is as
 * it always was; with several, each group is a section of its own, its
 * headings one level down and its element ids suffixed "-gK". */
typedef struct Ctx {
    const RpModel *m;
    const RpAnalysis *a;
    const RpGroup *g;
    int gi;
    const RpGroupPlots *gp; /* NULL without plots */
    const RpPlots *pl;      /* NULL without plots */
    const RpRun *lead;      /* whose rates are the columns */
    char sfx[16];           /* "" or "-gK" */
    int h;                  /* heading level of a section: 2, or 3 in a group */
    int svg;                /* offset of inline SVG numbers: 0, or 1000 K */
} Ctx;

#define RUN(c, j) ((c)->m->run[(c)->g->run[j]])

static void run_name(Buf *b, const Ctx *c, int i) {
    esc(b, c->m->run[i]->name);
    if (i == c->g->baseline) buf_puts(b, " <small>(baseline)</small>");
}

static void ci_cell(Buf *b, const RpCi *ci, int run, const char *key) {
    buf_printf(b, "<td class=\"ci\" data-run=\"%d\" data-rate=\"%s\">%.1f <small>[%.1f, %.1f]</small></td>", run, key,
               ci->est * 100, ci->lo * 100, ci->hi * 100);
}

static void main_table(Buf *b, const Ctx *c) {
    const RpModel *m = c->m;
    const RpAnalysis *a = c->a;
    const RpRun *r0 = c->lead;
    buf_printf(b, "<h%d id=\"main%s\">Main results</h%d>\n<p class=\"meta\">Pass rates in %%, with 95 %% confidence intervals "
                  "(Wilson for the per-query pass/fail rates, query bootstrap for the micro rates).</p>\n"
                  "<table id=\"main-table%s\"><thead><tr><th>Run</th><th>Queries</th>",
               c->h, c->sfx, c->h, c->sfx);
    for (int r = 0; r < r0->nrate; r++) buf_printf(b, "<th>%s</th>", rp_rate_name(r0, r));
    buf_puts(b, "</tr></thead><tbody>\n");
    for (int j = 0; j < c->g->n; j++) {
        int i = c->g->run[j];
        buf_puts(b, "<tr><td>");
        run_name(b, c, i);
        buf_printf(b, "</td><td>%d</td>", m->run[i]->n);
        for (int r = 0; r < r0->nrate; r++) ci_cell(b, &a->s[i].rate[r], i, rp_rate_key(r0, r));
        buf_puts(b, "</tr>\n");
    }
    buf_puts(b, "</tbody></table>\n");
    if (c->g->baseline < 0 || c->g->n < 2) return;
    buf_printf(b, "<h%d>Difference to the baseline, ", c->h + 1);
    esc(b, m->run[c->g->baseline]->name);
    buf_printf(b, "</h%d>\n<p class=\"meta\">Percentage points with 95 %% interval (paired bootstrap over queries when the runs "
                  "share their queries); p: exact McNemar for pass/fail rates of paired runs, bootstrap otherwise; "
                  "p<sub>Holm</sub>: adjusted over the runs compared with the baseline.</p>\n"
                  "<table id=\"diff-table%s\"><thead><tr><th>Run</th><th>Paired</th>",
               c->h + 1, c->sfx);
    for (int r = 0; r < r0->nrate; r++) buf_printf(b, "<th>%s</th>", rp_rate_name(r0, r));
    buf_puts(b, "</tr></thead><tbody>\n");
    for (int j = 0; j < c->g->n; j++) {
        int i = c->g->run[j];
        const RpRunStats *s = &a->s[i];
        if (!s->has_diff) continue;
        buf_puts(b, "<tr><td>");
        esc(b, m->run[i]->name);
        buf_printf(b, "</td><td>%s</td>", s->paired ? "yes" : "no");
        for (int r = 0; r < r0->nrate; r++) {
            char d[96], p[16], ph[16];
            rp_fmt_diff(&s->diff[r], d, sizeof d);
            rp_fmt_p(s->p[r], p, sizeof p), rp_fmt_p(s->p_holm[r], ph, sizeof ph);
            const char *cls = s->p_holm[r] < 0.05 ? (s->diff[r].est > 0 ? "good" : "bad") : "";
            buf_printf(b, "<td data-run=\"%d\" data-diff=\"%s\" class=\"%s\">%s<br><small>p=", i, rp_rate_key(r0, r), cls, d);
            esc(b, p);
            buf_puts(b, ", p<sub>Holm</sub>=");
            esc(b, ph);
            if (s->paired && rp_rate_is_binary(r0, r))
                buf_printf(b, "<br>only base %d, only this %d", s->mc_b[r], s->mc_c[r]);
            buf_puts(b, "</small></td>");
        }
        buf_puts(b, "</tr>\n");
    }
    buf_puts(b, "</tbody></table>\n");
}

static void figure(Buf *b, const char *svg, int n, const char *caption_text) {
    if (!svg) return;
    buf_puts(b, "<figure>");
    rp_svg_inline(b, svg, n);
    if (caption_text) buf_puts(b, "<figcaption>"), esc(b, caption_text), buf_puts(b, "</figcaption>");
    buf_puts(b, "</figure>\n");
}

static const char *number_word(int n) {
    static const char *const w[] = {"no", "one", "two", "three", "four", "five", "six", "seven", "eight"};
    return n >= 0 && n <= 8 ? w[n] : "";
}

/* More cells than this: the table lists cells as rows and runs as columns. */
#define CELLS_WIDE 12

static void cells_section(Buf *b, const Ctx *c) {
    const RpCells *cl = &c->g->cells;
    if (!cl->ndim) return;
    const RpRun *r0 = c->lead;
    buf_printf(b, "<h%d id=\"cells%s\">", c->h, c->sfx);
    esc(b, rp_rate_name(r0, rp_headline(r0)));
    buf_puts(b, " per ");
    esc(b, c->g->suite->strata_title ? c->g->suite->strata_title : "stratum");
    buf_printf(b, "</h%d>\n<table id=\"cells-table%s\"><thead><tr>", c->h, c->sfx);
    Buf t;
    buf_init(&t);
    int ncell = cl->ny * cl->nx;
    if (ncell <= CELLS_WIDE) {
        buf_puts(b, "<th>Run</th>");
        for (int y = 0; y < cl->ny; y++)
            for (int x = 0; x < cl->nx; x++) buf_reset(&t), rp_cell_label(c->g, y, x, &t), buf_puts(b, "<th>"), esc(b, t.data), buf_puts(b, "</th>");
        buf_puts(b, "</tr></thead><tbody>\n");
        for (int j = 0; j < c->g->n; j++) {
            buf_puts(b, "<tr><td>");
            run_name(b, c, c->g->run[j]);
            buf_puts(b, "</td>");
            for (int k = 0; k < ncell; k++) buf_printf(b, "<td>%d/%d</td>", cl->pass[(size_t)j * ncell + k], cl->n[(size_t)j * ncell + k]);
            buf_puts(b, "</tr>\n");
        }
    } else {
        buf_puts(b, "<th>Stratum</th>");
        for (int j = 0; j < c->g->n; j++) buf_puts(b, "<th>"), run_name(b, c, c->g->run[j]), buf_puts(b, "</th>");
        buf_puts(b, "</tr></thead><tbody>\n");
        for (int k = 0; k < ncell; k++) {
            int any = 0;
            for (int j = 0; j < c->g->n; j++) any |= cl->n[(size_t)j * ncell + k] > 0;
            if (!any) continue; /* a combination no item has */
            buf_reset(&t), rp_cell_label(c->g, k / cl->nx, k % cl->nx, &t);
            buf_puts(b, "<tr><td>"), esc(b, t.data), buf_puts(b, "</td>");
            for (int j = 0; j < c->g->n; j++) buf_printf(b, "<td>%d/%d</td>", cl->pass[(size_t)j * ncell + k], cl->n[(size_t)j * ncell + k]);
            buf_puts(b, "</tr>\n");
        }
    }
    buf_free(&t);
    buf_puts(b, "</tbody></table>\n");
    if (!c->pl) return;
    buf_puts(b, "<div class=\"plots\">\n");
    for (int j = 0; j < c->g->n; j++) {
        int i = c->g->run[j];
        if (i < c->pl->nheat) figure(b, c->pl->heat[i], 10 + i, c->m->run[i]->name);
    }
    buf_puts(b, "</div>\n");
}

static void checks_section(Buf *b, const Ctx *c) {
    const RpChecks *k = &c->g->checks;
    const char *note = c->g->suite->verdicts_note;
    buf_printf(b, "<h%d id=\"checks%s\">Per check</h%d>\n<p class=\"meta\">Pass rate where the check ran (delivered plans%s",
               c->h, c->sfx, c->h, note ? "; " : "");
    if (note) esc(b, note);
    buf_printf(b, "); the check each run fails most is shaded.</p>\n<table id=\"checks-table%s\"><thead><tr><th>Check</th>", c->sfx);
    int nr = c->g->n < 64 ? c->g->n : 64, worst[64];
    for (int j = 0; j < nr; j++) buf_puts(b, "<th>"), run_name(b, c, c->g->run[j]), buf_puts(b, "</th>");
    buf_puts(b, "</tr></thead><tbody>\n");
    for (int j = 0; j < nr; j++) {
        double lo = 2;
        worst[j] = -1;
        for (int x = 0; x < k->n; x++) {
            int p = k->pass[(size_t)j * k->n + x], t = p + k->fail[(size_t)j * k->n + x];
            if (t && (double)p / t < lo) lo = (double)p / t, worst[j] = x;
        }
    }
    for (int x = 0; x < k->n; x++) {
        buf_puts(b, "<tr><td>");
        esc(b, k->label[x]);
        buf_puts(b, " <small>(");
        esc(b, k->family[x]);
        buf_puts(b, ")</small></td>");
        for (int j = 0; j < nr; j++) {
            int p = k->pass[(size_t)j * k->n + x], f = k->fail[(size_t)j * k->n + x], t = p + f;
            if (!t) buf_puts(b, "<td>-</td>");
            else buf_printf(b, "<td%s>%.1f <small>(%d/%d)</small></td>", worst[j] == x && f ? " class=\"worst\"" : "", 100.0 * p / t, p, t);
        }
        buf_puts(b, "</tr>\n");
    }
    buf_puts(b, "</tbody></table>\n");
    if (c->gp) figure(b, c->gp->constraints, c->svg + 2, NULL);
    if (c->gp && c->gp->constraints_note) buf_puts(b, "<p class=\"note\">"), esc(b, c->gp->constraints_note), buf_puts(b, "</p>\n");
}

/* ---- training and stages ------------------------------------------------ */

/* A table of the training runs (rp_train_cells), then each training plot. */
static void training_section(Buf *b, const RpModel *m, const RpPlots *pl) {
    int any = 0;
    for (int i = 0; i < m->n; i++) any |= m->run[i]->nstep > 0;
    if (!any) return;
    buf_puts(b, "<h2 id=\"training\">Training</h2>\n<table id=\"train-table\"><thead><tr>");
    for (int c = 0; c < RP_TRAIN_COLS; c++) buf_printf(b, "<th>%s</th>", rp_train_header(c));
    buf_puts(b, "</tr></thead><tbody>\n");
    for (int i = 0; i < m->n; i++) {
        if (!m->run[i]->nstep) continue;
        char cells[RP_TRAIN_COLS][RP_TRAIN_CELL];
        rp_train_cells(m->run[i], cells);
        buf_printf(b, "<tr data-run=\"%d\">", i);
        for (int c = 0; c < RP_TRAIN_COLS; c++) buf_printf(b, "<td data-k=\"%s\">", rp_train_key(c)), esc(b, cells[c]), buf_puts(b, "</td>");
        buf_puts(b, "</tr>\n");
    }
    buf_puts(b, "</tbody></table>\n<p class=\"meta\">Loss and reward: the first and last step's; tokens / s and completion "
                "length: means over the steps; wall time: the run's start to its end; - : not recorded.</p>\n");
    for (int k = 0; pl && k < RP_TRAIN_PLOTS; k++)
        if (pl->train[k]) buf_printf(b, "<h3>%s</h3>\n", pl->train_title[k]), figure(b, pl->train[k], 4 + k, NULL);
}

/* The "Stages: time" table of --stages: each stage's wall time and the total. */
static void stages_section(Buf *b, const RpModel *m) {
    if (!m->nstage) return;
    double total = 0;
    buf_puts(b, "<h2 id=\"stages\">Stages: time</h2>\n<table id=\"stages-table\"><thead><tr><th>Stage</th><th>Time (s)</th>"
                "<th>Share</th><th>Note</th></tr></thead><tbody>\n");
    for (int i = 0; i < m->nstage; i++) total += m->stage[i].seconds;
    for (int i = 0; i < m->nstage; i++) {
        const RpStage *st = &m->stage[i];
        buf_puts(b, "<tr><td>"), esc(b, st->name);
        buf_printf(b, "</td><td data-k=\"seconds\">%.1f</td><td>%.0f %%</td><td style=\"text-align:left\">", st->seconds,
                   total > 0 ? 100 * st->seconds / total : 0);
        esc(b, st->note), buf_puts(b, "</td></tr>\n");
    }
    buf_printf(b, "<tr class=\"total\"><td><b>Total</b></td><td data-k=\"total\"><b>%.1f</b></td><td>100 %%</td><td></td></tr>\n"
                  "</tbody></table>\n",
               total);
}

static void usage_section(Buf *b, const Ctx *c) {
    buf_printf(b, "<h%d id=\"usage%s\">Tokens, cost and latency</h%d>\n<table id=\"usage-table%s\"><thead><tr><th>Run</th>"
                  "<th>Tokens / query</th><th>Total tokens</th><th>Cost / query (USD)</th><th>Total cost (USD)</th>"
                  "<th>Latency / query (s)</th></tr></thead><tbody>\n",
               c->h, c->sfx, c->h, c->sfx);
    for (int j = 0; j < c->g->n; j++) {
        int i = c->g->run[j];
        const RpRunStats *s = &c->a->s[i];
        RpUsage u;
        rp_run_usage(c->m->run[i], &u);
        buf_puts(b, "<tr><td>");
        run_name(b, c, i);
        buf_puts(b, "</td>");
        if (s->has_tokens)
            buf_printf(b, "<td>%.0f <small>[%.0f, %.0f]</small></td><td>%.0f</td>", s->tokens.est, s->tokens.lo, s->tokens.hi,
                       u.tokens_in + u.tokens_out);
        else buf_puts(b, "<td>-</td><td>-</td>");
        if (s->has_cost)
            buf_printf(b, "<td>%.4f <small>[%.4f, %.4f]</small></td><td>%.2f</td>", s->cost.est, s->cost.lo, s->cost.hi, u.cost);
        else buf_puts(b, "<td>-</td><td>-</td>");
        if (s->has_latency)
            buf_printf(b, "<td>%.2f <small>[%.2f, %.2f]</small></td>", s->latency.est / 1000, s->latency.lo / 1000,
                       s->latency.hi / 1000);
        else buf_puts(b, "<td>-</td>");
        buf_puts(b, "</tr>\n");
    }
    buf_puts(b, "</tbody></table>\n<p class=\"meta\">- : not recorded (runs replayed from submission files carry no usage).</p>\n");
    if (c->gp && c->gp->cost) {
        buf_printf(b, "<h%d>", c->h + 1);
        esc(b, rp_rate_name(c->lead, rp_headline(c->lead)));
        buf_printf(b, " against cost</h%d>\n", c->h + 1);
        figure(b, c->gp->cost, c->svg + 3, NULL);
    }
    /* the training runs and their curves once, after the last group */
    if (c->gi == c->a->ng - 1) training_section(b, c->m, c->pl);
}

/* ---- per plan --------------------------------------------------------- */

static void json_value(Buf *b, const cJSON *v) {
    if (!v) return;
    if (cJSON_IsString(v)) {
        esc(b, v->valuestring);
        return;
    }
    char *t = cJSON_PrintUnformatted(v);
    esc(b, t);
    cJSON_free(t);
}

/* The answer: a table of the suite's answer fields (TravelPlanner's days),
 * a numbered list of steps (an array of strings), or the text. */
static void answer_view(Buf *b, const SuiteOps *ops, const char *plan_json) {
    cJSON *plan = plan_json ? cJSON_Parse(plan_json) : NULL;
    const char *const *fields = ops ? ops->answer_fields : NULL;
    int nf = 0;
    while (fields && fields[nf]) nf++;
    if (!cJSON_IsArray(plan)) {
        if (plan_json) buf_puts(b, "<pre>"), esc(b, plan_json), buf_puts(b, "</pre>");
        cJSON_Delete(plan);
        return;
    }
    const cJSON *day;
    if (!nf) {
        buf_puts(b, "<ol class=\"steps\">");
        cJSON_ArrayForEach(day, plan) buf_puts(b, "<li>"), json_value(b, day), buf_puts(b, "</li>");
        buf_puts(b, "</ol>");
        cJSON_Delete(plan);
        return;
    }
    buf_puts(b, "<table class=\"day\"><tr>");
    for (int f = 0; f < nf; f++) buf_puts(b, "<th>"), esc(b, fields[f]), buf_puts(b, "</th>");
    buf_puts(b, "</tr>");
    cJSON_ArrayForEach(day, plan) {
        buf_puts(b, "<tr>");
        for (int f = 0; f < nf; f++) {
            buf_puts(b, "<td>");
            if (cJSON_IsObject(day)) json_value(b, cJSON_GetObjectItemCaseSensitive(day, fields[f]));
            else if (!f) json_value(b, day);
            buf_puts(b, "</td>");
        }
        buf_puts(b, "</tr>");
    }
    buf_puts(b, "</table>");
    cJSON_Delete(plan);
}

static const char *check_label(const RpChecks *k, const char *name) {
    for (int x = 0; x < k->n; x++)
        if (!strcmp(k->name[x], name)) return k->label[x];
    return name;
}

static void plan_entry(Buf *b, const Ctx *c, const RpRun *run, int i) {
    const RpItem *it = &run->item[i];
    int pass = it->passed, failed = 0;
    for (int k = 0; k < it->nv; k++) failed += it->delivered && it->v[k].value == 0;
    buf_printf(b, "<details class=\"plan\"><summary>#%d · ", it->idx);
    Buf st;
    buf_init(&st);
    rp_item_strata(run, i, &st);
    esc(b, st.data);
    buf_free(&st);
    buf_printf(b, " · <span class=\"%s\">%s</span>", pass ? "pass" : "fail", pass ? "pass" : it->delivered ? "fail" : "not delivered");
    if (failed) buf_printf(b, " · %d failed check%s", failed, failed > 1 ? "s" : "");
    buf_puts(b, "</summary>\n<p class=\"q\">");
    esc(b, it->text);
    buf_puts(b, "</p>\n");
    if (it->error) buf_puts(b, "<p class=\"bad\">Error: "), esc(b, it->error), buf_puts(b, "</p>\n");
    if (it->note) buf_puts(b, "<p class=\"bad\">"), esc(b, it->note), buf_puts(b, "</p>\n");
    if (failed) {
        buf_puts(b, "<ul class=\"checks\">");
        for (int k = 0; k < it->nv; k++) {
            const RpVerdict *v = &it->v[k];
            if (v->value != 0) continue;
            buf_puts(b, "<li><b>"), esc(b, check_label(&c->g->checks, v->name)), buf_puts(b, "</b>");
            if (v->message) buf_puts(b, ": "), esc(b, v->message);
            buf_puts(b, "</li>");
        }
        buf_puts(b, "</ul>\n");
    }
    answer_view(b, run->suite, it->plan_json);
    if (it->raw) buf_puts(b, "<details><summary>raw output</summary><pre>"), esc(b, it->raw), buf_puts(b, "</pre></details>");
    buf_puts(b, "</details>\n");
}

static void plans_section(Buf *b, const Ctx *c) {
    buf_printf(b, "<h%d id=\"plans%s\">Per plan</h%d>\n", c->h, c->sfx, c->h);
    for (int j = 0; j < c->g->n; j++) {
        int i = c->g->run[j];
        const RpRun *run = c->m->run[i];
        buf_printf(b, "<h%d id=\"plans-%d\">", c->h + 1, i);
        run_name(b, c, i);
        buf_printf(b, " <small>(%d of %d pass)</small></h%d>\n", rp_run_passes(run), run->n, c->h + 1);
        for (int q = 0; q < run->n; q++) plan_entry(b, c, run, q);
    }
}

static void appendix(Buf *b, const RpModel *m, const RpAnalysis *a) {
    buf_puts(b, "<h2 id=\"config\">Appendix: run configurations</h2>\n");
    for (int i = 0; i < m->n; i++) {
        const RpRun *r = m->run[i];
        buf_puts(b, "<h3>");
        esc(b, r->name);
        buf_puts(b, "</h3><table><tbody>");
        const char *k[] = {"id", "method", "model", "split", "source"};
        const char *v[] = {r->id, r->method, r->model, r->split, r->source};
        for (int f = 0; f < 5; f++) buf_printf(b, "<tr><td>%s</td><td style=\"text-align:left\">", k[f]), esc(b, v[f]), buf_puts(b, "</td></tr>");
        buf_puts(b, "</tbody></table>");
        if (r->config_json) buf_puts(b, "<pre>"), esc(b, r->config_json), buf_puts(b, "</pre>\n");
    }
    buf_printf(b, "<p class=\"meta\">Statistics: %d bootstrap resamples, seed %llu, %.0f %% intervals.</p>\n",
               a->boot.resamples, (unsigned long long)a->boot.seed, a->boot.level * 100);
}

static void group_sections(Buf *b, const RpModel *m, const RpAnalysis *a, const RpPlots *pl, int gi) {
    Ctx c = {m, a, &a->g[gi], gi, pl && gi < pl->ng ? &pl->g[gi] : NULL, pl, m->run[a->g[gi].lead], "", 2, 1000 * gi};
    if (a->ng > 1) {
        snprintf(c.sfx, sizeof c.sfx, "-g%d", gi);
        c.h = 3;
        Buf t;
        buf_init(&t);
        rp_group_title(c.g, &t);
        buf_printf(b, "<h2 id=\"group-%d\" class=\"group\">", gi);
        esc(b, t.data);
        buf_printf(b, " <small>(%d run%s)</small></h2>\n", c.g->n, c.g->n == 1 ? "" : "s");
        buf_free(&t);
    }
    main_table(b, &c);
    if (c.gp && c.gp->rates) {
        buf_printf(b, "<h%d>The %s rates</h%d>\n", c.h + 1, number_word(c.lead->nrate), c.h + 1);
        figure(b, c.gp->rates, c.svg + 1, NULL);
    }
    cells_section(b, &c);
    checks_section(b, &c);
    usage_section(b, &c);
    plans_section(b, &c);
}

void rp_html_render(const RpModel *m, const RpAnalysis *a, const RpPlots *pl, const char *title, Buf *b) {
    buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>");
    esc(b, title ? title : "imagine report");
    buf_printf(b, "</title><style>%s</style></head><body>\n<h1>", css);
    esc(b, title ? title : "imagine report");
    buf_printf(b, "</h1>\n<p class=\"meta\">%d run%s · ", m->n, m->n == 1 ? "" : "s");
    for (int g = 0; g < a->ng; g++) { /* each suite once */
        int seen = 0;
        for (int k = 0; k < g; k++) seen |= a->g[k].suite == a->g[g].suite;
        if (!seen) buf_puts(b, g ? ", " : ""), esc(b, rp_suite_title(a->g[g].suite));
    }
    buf_puts(b, " · generated by imagine report</p>\n");
    if (a->ng <= 1) {
        buf_puts(b, "<nav class=\"meta\"><a href=\"#main\">main</a> · <a href=\"#cells\">");
        if (a->ng && a->g[0].suite->strata) /* the strata in short: "level × days" */
            for (int k = 0; a->g[0].suite->strata[k]; k++) buf_puts(b, k ? " × " : ""), esc(b, a->g[0].suite->strata[k]);
        buf_puts(b, "</a> · <a href=\"#checks\">per check</a> · <a href=\"#usage\">usage</a> · <a href=\"#plans\">per plan</a> · "
                    "<a href=\"#config\">configurations</a></nav>\n");
    } else {
        buf_puts(b, "<nav class=\"meta\">");
        for (int g = 0; g < a->ng; g++) {
            Buf t;
            buf_init(&t);
            rp_group_title(&a->g[g], &t);
            buf_printf(b, "<a href=\"#group-%d\">", g), esc(b, t.data), buf_puts(b, "</a> · ");
            buf_free(&t);
        }
        buf_puts(b, "<a href=\"#config\">configurations</a></nav>\n");
    }
    stages_section(b, m);
    for (int g = 0; g < a->ng; g++) group_sections(b, m, a, pl, g);
    appendix(b, m, a);
    buf_puts(b, "</body></html>\n");
}

int rp_html_write(const char *path, const RpModel *m, const RpAnalysis *a, const RpPlots *plots, const char *title,
                  Err *err) {
    Buf b;
    buf_init(&b);
    rp_html_render(m, a, plots, title, &b);
    int rc = fs_write_atomic(path, b.data, b.len, err);
    buf_free(&b);
    return rc;
}
