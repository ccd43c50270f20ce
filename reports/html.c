/* html.c: renders the report model, its analysis and plots as one HTML
 * page. Sections in page order: head and style, main table, difference
 * to the baseline, plots, level x days, per check, usage, per plan,
 * appendix. Pure rendering into a Buf, then one atomic write. */
#include "html.h"

#include <stdio.h>
#include <string.h>

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

/* ---- tables ----------------------------------------------------------- */

static void run_name(Buf *b, const RpModel *m, const RpAnalysis *a, int i) {
    esc(b, m->run[i]->name);
    if (i == a->baseline) buf_puts(b, " <small>(baseline)</small>");
}

static void ci_cell(Buf *b, const RpCi *c, int run, const char *key) {
    buf_printf(b, "<td class=\"ci\" data-run=\"%d\" data-rate=\"%s\">%.1f <small>[%.1f, %.1f]</small></td>", run, key,
               c->est * 100, c->lo * 100, c->hi * 100);
}

static void main_table(Buf *b, const RpModel *m, const RpAnalysis *a) {
    buf_puts(b, "<h2 id=\"main\">Main results</h2>\n<p class=\"meta\">Pass rates in %, with 95 % confidence intervals "
                "(Wilson for the per-query pass/fail rates, query bootstrap for the micro rates).</p>\n"
                "<table id=\"main-table\"><thead><tr><th>Run</th><th>Queries</th>");
    for (int r = 0; r < RP_NRATES; r++) buf_printf(b, "<th>%s</th>", rp_rate_name(r));
    buf_puts(b, "</tr></thead><tbody>\n");
    for (int i = 0; i < m->n; i++) {
        buf_puts(b, "<tr><td>");
        run_name(b, m, a, i);
        buf_printf(b, "</td><td>%d</td>", m->run[i]->n);
        for (int r = 0; r < RP_NRATES; r++) ci_cell(b, &a->s[i].rate[r], i, rp_rate_key(r));
        buf_puts(b, "</tr>\n");
    }
    buf_puts(b, "</tbody></table>\n");
    if (a->baseline < 0 || m->n < 2) return;
    buf_puts(b, "<h3>Difference to the baseline, ");
    esc(b, m->run[a->baseline]->name);
    buf_puts(b, "</h3>\n<p class=\"meta\">Percentage points with 95 % interval (paired bootstrap over queries when the runs "
                "share their queries); p: exact McNemar for pass/fail rates of paired runs, bootstrap otherwise; "
                "p<sub>Holm</sub>: adjusted over the runs compared with the baseline.</p>\n"
                "<table id=\"diff-table\"><thead><tr><th>Run</th><th>Paired</th>");
    for (int r = 0; r < RP_NRATES; r++) buf_printf(b, "<th>%s</th>", rp_rate_name(r));
    buf_puts(b, "</tr></thead><tbody>\n");
    for (int i = 0; i < m->n; i++) {
        const RpRunStats *s = &a->s[i];
        if (!s->has_diff) continue;
        buf_puts(b, "<tr><td>");
        esc(b, m->run[i]->name);
        buf_printf(b, "</td><td>%s</td>", s->paired ? "yes" : "no");
        for (int r = 0; r < RP_NRATES; r++) {
            char d[96], p[16], ph[16];
            rp_fmt_diff(&s->diff[r], d, sizeof d);
            rp_fmt_p(s->p[r], p, sizeof p), rp_fmt_p(s->p_holm[r], ph, sizeof ph);
            const char *cls = s->p_holm[r] < 0.05 ? (s->diff[r].est > 0 ? "good" : "bad") : "";
            buf_printf(b, "<td data-run=\"%d\" data-diff=\"%s\" class=\"%s\">%s<br><small>p=", i, rp_rate_key(r), cls, d);
            esc(b, p);
            buf_puts(b, ", p<sub>Holm</sub>=");
            esc(b, ph);
            if (s->paired && rp_rate_is_binary(r))
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

static void cells_section(Buf *b, const RpModel *m, const RpAnalysis *a, const RpPlots *pl) {
    static const int days[3] = {3, 5, 7};
    buf_puts(b, "<h2 id=\"cells\">Final pass per level and trip length</h2>\n<table id=\"cells-table\"><thead><tr><th>Run</th>");
    for (int l = 0; l < TP_NLEVELS; l++)
        for (int d = 0; d < 3; d++) buf_printf(b, "<th>%s %d d</th>", tp_level_name(l), days[d]);
    buf_puts(b, "</tr></thead><tbody>\n");
    for (int i = 0; i < m->n; i++) {
        int pass[TP_NLEVELS][3], n[TP_NLEVELS][3];
        rp_run_cells(m->run[i], pass, n);
        buf_puts(b, "<tr><td>");
        run_name(b, m, a, i);
        buf_puts(b, "</td>");
        for (int l = 0; l < TP_NLEVELS; l++)
            for (int d = 0; d < 3; d++) buf_printf(b, "<td>%d/%d</td>", pass[l][d], n[l][d]);
        buf_puts(b, "</tr>\n");
    }
    buf_puts(b, "</tbody></table>\n");
    if (!pl) return;
    buf_puts(b, "<div class=\"plots\">\n");
    for (int i = 0; i < pl->nheat && i < m->n; i++) figure(b, pl->heat[i], 10 + i, m->run[i]->name);
    buf_puts(b, "</div>\n");
}

static void checks_section(Buf *b, const RpModel *m, const RpAnalysis *a, const RpPlots *pl) {
    buf_puts(b, "<h2 id=\"checks\">Per check</h2>\n<p class=\"meta\">Pass rate where the check ran (delivered plans; hard "
                "checks once the plan is complete and within the sandbox); the check each run fails most is shaded.</p>\n"
                "<table id=\"checks-table\"><thead><tr><th>Check</th>");
    for (int i = 0; i < m->n; i++) buf_puts(b, "<th>"), run_name(b, m, a, i), buf_puts(b, "</th>");
    buf_puts(b, "</tr></thead><tbody>\n");
    int pass[64][RP_NCHECKS], fail[64][RP_NCHECKS], worst[64], nr = m->n < 64 ? m->n : 64;
    for (int i = 0; i < nr; i++) {
        rp_run_check_counts(m->run[i], pass[i], fail[i]);
        double lo = 2;
        worst[i] = -1;
        for (int k = 0; k < RP_NCHECKS; k++) {
            int t = pass[i][k] + fail[i][k];
            if (t && (double)pass[i][k] / t < lo) lo = (double)pass[i][k] / t, worst[i] = k;
        }
    }
    for (int k = 0; k < RP_NCHECKS; k++) {
        buf_printf(b, "<tr><td>%s <small>(%s)</small></td>", rp_check_name(k), k < TP_NCS ? "commonsense" : "hard");
        for (int i = 0; i < nr; i++) {
            int t = pass[i][k] + fail[i][k];
            if (!t) buf_puts(b, "<td>-</td>");
            else
                buf_printf(b, "<td%s>%.1f <small>(%d/%d)</small></td>", worst[i] == k && fail[i][k] ? " class=\"worst\"" : "",
                           100.0 * pass[i][k] / t, pass[i][k], t);
        }
        buf_puts(b, "</tr>\n");
    }
    buf_puts(b, "</tbody></table>\n");
    if (pl) figure(b, pl->constraints, 2, NULL);
    if (pl && pl->constraints_note) buf_puts(b, "<p class=\"note\">"), esc(b, pl->constraints_note), buf_puts(b, "</p>\n");
}

static void usage_section(Buf *b, const RpModel *m, const RpAnalysis *a, const RpPlots *pl) {
    buf_puts(b, "<h2 id=\"usage\">Tokens, cost and latency</h2>\n<table id=\"usage-table\"><thead><tr><th>Run</th>"
                "<th>Tokens / query</th><th>Total tokens</th><th>Cost / query (USD)</th><th>Total cost (USD)</th>"
                "<th>Latency / query (s)</th></tr></thead><tbody>\n");
    for (int i = 0; i < m->n; i++) {
        const RpRunStats *s = &a->s[i];
        RpUsage u;
        rp_run_usage(m->run[i], &u);
        buf_puts(b, "<tr><td>");
        run_name(b, m, a, i);
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
    if (pl && pl->cost) buf_puts(b, "<h3>Final pass against cost</h3>\n"), figure(b, pl->cost, 3, NULL);
    if (pl && pl->train) buf_puts(b, "<h2 id=\"training\">Training</h2>\n"), figure(b, pl->train, 4, NULL);
}

/* ---- per plan --------------------------------------------------------- */

static const char *const day_fields[] = {"day", "current_city", "transportation", "breakfast",
                                         "attraction", "lunch", "dinner", "accommodation"};

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

static void day_table(Buf *b, const char *plan_json) {
    cJSON *plan = plan_json ? cJSON_Parse(plan_json) : NULL;
    if (!cJSON_IsArray(plan)) {
        if (plan_json) buf_puts(b, "<pre>"), esc(b, plan_json), buf_puts(b, "</pre>");
        cJSON_Delete(plan);
        return;
    }
    buf_puts(b, "<table class=\"day\"><tr>");
    for (int f = 0; f < 8; f++) buf_printf(b, "<th>%s</th>", day_fields[f]);
    buf_puts(b, "</tr>");
    const cJSON *day;
    cJSON_ArrayForEach(day, plan) {
        buf_puts(b, "<tr>");
        for (int f = 0; f < 8; f++) {
            buf_puts(b, "<td>");
            if (cJSON_IsObject(day)) json_value(b, cJSON_GetObjectItemCaseSensitive(day, day_fields[f]));
            else if (!f) json_value(b, day);
            buf_puts(b, "</td>");
        }
        buf_puts(b, "</tr>");
    }
    buf_puts(b, "</table>");
    cJSON_Delete(plan);
}

static void plan_entry(Buf *b, const RpRun *run, int i) {
    const TpQuery *q = &run->q[i];
    const TpPlanResult *r = &run->r[i];
    const RpItem *it = &run->item[i];
    int pass = rp_item_final_pass(run, i), failed = 0;
    for (int k = 0; k < TP_NCS; k++) failed += r->delivered && r->cs[k].value == 0;
    for (int k = 0; k < TP_NHARD; k++) failed += r->delivered && r->hard_evaluated && r->hard[k].value == 0;
    buf_printf(b, "<details class=\"plan\"><summary>#%d · %s · %d days · <span class=\"%s\">%s</span>", q->idx,
               tp_level_name(q->level), q->days, pass ? "pass" : "fail", pass ? "pass" : r->delivered ? "fail" : "not delivered");
    if (failed) buf_printf(b, " · %d failed check%s", failed, failed > 1 ? "s" : "");
    buf_puts(b, "</summary>\n<p class=\"q\">");
    esc(b, q->query);
    buf_puts(b, "</p>\n");
    if (it->error) buf_puts(b, "<p class=\"bad\">Error: "), esc(b, it->error), buf_puts(b, "</p>\n");
    if (r->note) buf_puts(b, "<p class=\"bad\">"), esc(b, r->note), buf_puts(b, "</p>\n");
    if (failed) {
        buf_puts(b, "<ul class=\"checks\">");
        for (int k = 0; k < RP_NCHECKS; k++) {
            const TpVerdict *v = k < TP_NCS ? &r->cs[k] : &r->hard[k - TP_NCS];
            if (v->value != 0 || (k >= TP_NCS && !r->hard_evaluated)) continue;
            buf_printf(b, "<li><b>%s</b>", rp_check_name(k));
            if (v->msg) buf_puts(b, ": "), esc(b, v->msg);
            buf_puts(b, "</li>");
        }
        buf_puts(b, "</ul>\n");
    }
    day_table(b, it->plan_json);
    if (it->raw) buf_puts(b, "<details><summary>raw output</summary><pre>"), esc(b, it->raw), buf_puts(b, "</pre></details>");
    buf_puts(b, "</details>\n");
}

static void plans_section(Buf *b, const RpModel *m, const RpAnalysis *a) {
    buf_puts(b, "<h2 id=\"plans\">Per plan</h2>\n");
    for (int i = 0; i < m->n; i++) {
        buf_printf(b, "<h3 id=\"plans-%d\">", i);
        run_name(b, m, a, i);
        buf_printf(b, " <small>(%d of %d pass)</small></h3>\n", m->run[i]->m.final_pass, m->run[i]->n);
        for (int q = 0; q < m->run[i]->n; q++) plan_entry(b, m->run[i], q);
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

void rp_html_render(const RpModel *m, const RpAnalysis *a, const RpPlots *pl, const char *title, Buf *b) {
    buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>");
    esc(b, title ? title : "imagine report");
    buf_printf(b, "</title><style>%s</style></head><body>\n<h1>", css);
    esc(b, title ? title : "imagine report");
    buf_printf(b, "</h1>\n<p class=\"meta\">%d run%s · TravelPlanner · generated by imagine report</p>\n", m->n, m->n == 1 ? "" : "s");
    buf_puts(b, "<nav class=\"meta\"><a href=\"#main\">main</a> · <a href=\"#cells\">level × days</a> · "
                "<a href=\"#checks\">per check</a> · <a href=\"#usage\">usage</a> · <a href=\"#plans\">per plan</a> · "
                "<a href=\"#config\">configurations</a></nav>\n");
    main_table(b, m, a);
    if (pl && pl->rates) buf_puts(b, "<h3>The six rates</h3>\n"), figure(b, pl->rates, 1, NULL);
    cells_section(b, m, a, pl);
    checks_section(b, m, a, pl);
    usage_section(b, m, a, pl);
    plans_section(b, m, a);
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
