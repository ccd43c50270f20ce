/* table.c: the main table (rates with intervals, differences to the
 * baseline with p-values) as Markdown, CSV or LaTeX booktabs. Pure: appends
 * to a buffer. */
#include "table.h"

#include <stdio.h>
#include <string.h>

int rp_format_parse(const char *s, RpFormat *out, Err *err) {
    if (!s || !strcmp(s, "md") || !strcmp(s, "markdown")) return *out = RP_FMT_MD, IM_OK;
    if (!strcmp(s, "csv")) return *out = RP_FMT_CSV, IM_OK;
    if (!strcmp(s, "latex") || !strcmp(s, "tex")) return *out = RP_FMT_LATEX, IM_OK;
    return err_set(err, IM_USAGE, "--format must be md, csv or latex (got '%s')", s);
}

void rp_fmt_pct(double frac, char *dst, size_t n) { snprintf(dst, n, "%.1f", frac * 100); }

void rp_fmt_ci(const RpCi *ci, char *dst, size_t n) {
    snprintf(dst, n, "%.1f [%.1f, %.1f]", ci->est * 100, ci->lo * 100, ci->hi * 100);
}

void rp_fmt_diff(const RpCi *ci, char *dst, size_t n) {
    snprintf(dst, n, "%+.1f [%+.1f, %+.1f]", ci->est * 100, ci->lo * 100, ci->hi * 100);
}

void rp_fmt_p(double p, char *dst, size_t n) {
    if (p < 0.001) snprintf(dst, n, "<0.001");
    else snprintf(dst, n, "%.3f", p);
}

static void md_text(Buf *out, const char *s) {
    for (; s && *s; s++) {
        if (*s == '|' || *s == '\\' || *s == '*' || *s == '_' || *s == '`' || *s == '<' || *s == '[' || *s == ']')
            buf_putc(out, '\\');
        buf_putc(out, *s == '\n' || *s == '\r' ? ' ' : *s);
    }
}

static void csv_text(Buf *out, const char *s) {
    buf_putc(out, '"');
    for (; s && *s; s++) {
        if (*s == '"') buf_putc(out, '"');
        buf_putc(out, *s);
    }
    buf_putc(out, '"');
}

static void latex_text(Buf *out, const char *s) {
    for (; s && *s; s++) {
        switch (*s) {
        case '&': case '%': case '$': case '#': case '_': case '{': case '}':
            buf_putc(out, '\\'), buf_putc(out, *s);
            break;
        case '~': buf_puts(out, "\\textasciitilde{}"); break;
        case '^': buf_puts(out, "\\textasciicircum{}"); break;
        case '\\': buf_puts(out, "\\textbackslash{}"); break;
        case '<': buf_puts(out, "\\textless{}"); break;
        case '>': buf_puts(out, "\\textgreater{}"); break;
        case '\n': case '\r': buf_putc(out, ' '); break;
        default: buf_putc(out, *s);
        }
    }
}

/* Each renderer draws one group: g's runs, g's baseline, the rates of its first run. */
#define RUN(j) (m->run[g->run[j]])

static void md_table(const RpModel *m, const RpAnalysis *a, const RpGroup *g, Buf *out) {
    char cell[96];
    const RpRun *r0 = m->run[g->lead];
    buf_puts(out, "| Run | n |");
    for (int r = 0; r < r0->nrate; r++) buf_printf(out, " %s |", rp_rate_name(r0, r));
    buf_puts(out, "\n|---|---:|");
    for (int r = 0; r < r0->nrate; r++) buf_puts(out, "---:|");
    buf_putc(out, '\n');
    for (int j = 0; j < g->n; j++) {
        int i = g->run[j];
        buf_puts(out, "| ");
        md_text(out, m->run[i]->name);
        if (i == g->baseline) buf_puts(out, " (baseline)");
        buf_printf(out, " | %d |", m->run[i]->n);
        for (int r = 0; r < r0->nrate; r++) rp_fmt_ci(&a->s[i].rate[r], cell, sizeof cell), buf_printf(out, " %s |", cell);
        buf_putc(out, '\n');
    }
    if (g->baseline < 0 || g->n < 2) return;
    buf_puts(out, "\nDifference to the baseline ");
    md_text(out, m->run[g->baseline]->name);
    buf_puts(out, " (percentage points, 95 % CI; p-value, Holm-adjusted in parentheses):\n\n| Run |");
    for (int r = 0; r < r0->nrate; r++) buf_printf(out, " %s |", rp_rate_name(r0, r));
    buf_puts(out, "\n|---|");
    for (int r = 0; r < r0->nrate; r++) buf_puts(out, "---:|");
    buf_putc(out, '\n');
    for (int j = 0; j < g->n; j++) {
        int i = g->run[j];
        if (!a->s[i].has_diff) continue;
        buf_puts(out, "| ");
        md_text(out, m->run[i]->name);
        buf_puts(out, " |");
        for (int r = 0; r < r0->nrate; r++) {
            char p[16], ph[16];
            rp_fmt_diff(&a->s[i].diff[r], cell, sizeof cell);
            rp_fmt_p(a->s[i].p[r], p, sizeof p), rp_fmt_p(a->s[i].p_holm[r], ph, sizeof ph);
            buf_printf(out, " %s p=%s (%s) |", cell, p, ph);
        }
        buf_putc(out, '\n');
    }
}

static void csv_table(const RpModel *m, const RpAnalysis *a, const RpGroup *g, Buf *out) {
    const RpRun *r0 = m->run[g->lead];
    buf_puts(out, "run,queries,baseline");
    for (int r = 0; r < r0->nrate; r++) {
        const char *k = rp_rate_key(r0, r);
        buf_printf(out, ",%s,%s_lo,%s_hi,%s_diff,%s_diff_lo,%s_diff_hi,%s_p,%s_p_holm", k, k, k, k, k, k, k, k);
    }
    buf_putc(out, '\n');
    for (int j = 0; j < g->n; j++) {
        int i = g->run[j];
        const RpRunStats *s = &a->s[i];
        csv_text(out, m->run[i]->name);
        buf_printf(out, ",%d,%d", m->run[i]->n, i == g->baseline);
        for (int r = 0; r < r0->nrate; r++) {
            buf_printf(out, ",%.4f,%.4f,%.4f", s->rate[r].est * 100, s->rate[r].lo * 100, s->rate[r].hi * 100);
            if (s->has_diff)
                buf_printf(out, ",%.4f,%.4f,%.4f,%.6g,%.6g", s->diff[r].est * 100, s->diff[r].lo * 100, s->diff[r].hi * 100,
                           s->p[r], s->p_holm[r]);
            else
                buf_puts(out, ",,,,,");
        }
        buf_putc(out, '\n');
    }
}

static void latex_table(const RpModel *m, const RpAnalysis *a, const RpGroup *g, int titled, Buf *out) {
    const RpRun *r0 = m->run[g->lead];
    int diff = g->baseline >= 0 && g->n > 1;
    buf_puts(out, "% generated by imagine table; needs \\usepackage{booktabs}\n\\begin{table}[t]\n\\centering\n\\small\n");
    buf_puts(out, "\\begin{tabular}{l");
    for (int r = 0; r < r0->nrate; r++) buf_puts(out, "c");
    buf_puts(out, "}\n\\toprule\nRun");
    for (int r = 0; r < r0->nrate; r++) buf_printf(out, " & %s", rp_rate_name(r0, r));
    buf_puts(out, " \\\\\n\\midrule\n");
    for (int j = 0; j < g->n; j++) {
        int i = g->run[j];
        const RpRunStats *s = &a->s[i];
        latex_text(out, m->run[i]->name);
        for (int r = 0; r < r0->nrate; r++)
            buf_printf(out, " & %.1f {\\scriptsize [%.1f, %.1f]}", s->rate[r].est * 100, s->rate[r].lo * 100, s->rate[r].hi * 100);
        buf_puts(out, " \\\\\n");
        if (diff && s->has_diff) {
            buf_puts(out, "\\quad $\\Delta$");
            for (int r = 0; r < r0->nrate; r++) {
                char p[16];
                rp_fmt_p(s->p_holm[r], p, sizeof p);
                buf_printf(out, " & {\\scriptsize $%+.1f$ ($p$%s%s)}", s->diff[r].est * 100, p[0] == '<' ? "$<$" : "=",
                           p[0] == '<' ? p + 1 : p);
            }
            buf_puts(out, " \\\\\n");
        }
    }
    buf_puts(out, "\\bottomrule\n\\end{tabular}\n\\caption{");
    if (titled) {
        Buf t;
        buf_init(&t);
        rp_group_title(g, &t);
        latex_text(out, t.data);
        buf_puts(out, ": p");
        buf_free(&t);
    } else {
        buf_puts(out, "P");
    }
    buf_puts(out, "ass rates (\\%) with 95\\% confidence intervals");
    if (diff) {
        buf_puts(out, "; $\\Delta$: difference to ");
        latex_text(out, m->run[g->baseline]->name);
        buf_puts(out, " in percentage points, Holm-adjusted $p$ (exact McNemar for pass/fail rates, paired bootstrap for micro rates)");
    }
    buf_puts(out, ".}\n\\end{table}\n");
}

/* One table per group; with several, each is titled (a Markdown heading,
 * a CSV block after an empty line with its own header, a LaTeX caption). */
void rp_table_main(const RpModel *m, const RpAnalysis *a, RpFormat f, Buf *out) {
    for (int k = 0; k < a->ng; k++) {
        const RpGroup *g = &a->g[k];
        int titled = a->ng > 1;
        if (k) buf_putc(out, '\n');
        if (titled && f == RP_FMT_MD) {
            Buf t;
            buf_init(&t);
            rp_group_title(g, &t);
            buf_puts(out, "### "), md_text(out, t.data), buf_puts(out, "\n\n");
            buf_free(&t);
        }
        if (f == RP_FMT_CSV) csv_table(m, a, g, out);
        else if (f == RP_FMT_LATEX) latex_table(m, a, g, titled, out);
        else md_table(m, a, g, out);
    }
}
