/* pdf.c: the PDF writer module (imagine-pdf.so, see pdf.h): the report on
 * A4 pages with cairo and pango; plots are the gnuplot SVGs drawn with
 * librsvg. A tiny flow layout: a cursor moves down the page, blocks that do
 * not fit start a new page, every page gets a footer with its number.
 * Sections in page order as in html.c. Text is set with
 * pango_layout_set_text only (model text is never parsed as markup).
 * Writes the path it is given; the host makes that a temp file and moves it
 * over the target (fs_out_begin/commit). Calls imagine only through
 * the RpPdfHost table (linked with -z defs: no other imagine symbol). */
#include "pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <librsvg/rsvg.h>
#include <pango/pangocairo.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

#define PAGE_W 595.28
#define PAGE_H 841.89
#define MARGIN 42.0
#define CONTENT_W (PAGE_W - 2 * MARGIN)
#define BOTTOM (PAGE_H - MARGIN - 18)

typedef struct Doc {
    const RpPdfHost *host;
    cairo_surface_t *surf;
    cairo_t *cr;
    PangoContext *ctx; /* one context for every layout (creating one per layout is slow) */
    double y;
    int page;
    const char *title;
    PangoFontDescription *h1, *h2, *h3, *body, *bold, *small, *smallb, *tiny, *tinyb, *mono;
} Doc;

/* ---- layout primitives ------------------------------------------------ */

static PangoLayout *layout(Doc *d, PangoFontDescription *f, const char *text, double width) {
    PangoLayout *l = pango_layout_new(d->ctx);
    pango_layout_set_font_description(l, f);
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    if (width > 0) pango_layout_set_width(l, (int)(width * PANGO_SCALE));
    pango_layout_set_text(l, text ? text : "", -1);
    return l;
}

static double layout_h(PangoLayout *l) {
    int w, h;
    pango_layout_get_size(l, &w, &h);
    return (double)h / PANGO_SCALE;
}

static void footer(Doc *d) {
    char num[32];
    snprintf(num, sizeof num, "%d", d->page);
    cairo_set_source_rgb(d->cr, 0.45, 0.45, 0.45);
    PangoLayout *l = layout(d, d->small, d->title, CONTENT_W - 60);
    cairo_move_to(d->cr, MARGIN, PAGE_H - MARGIN + 4);
    pango_cairo_show_layout(d->cr, l);
    g_object_unref(l);
    l = layout(d, d->small, num, 0);
    int w, h;
    pango_layout_get_size(l, &w, &h);
    cairo_move_to(d->cr, PAGE_W - MARGIN - (double)w / PANGO_SCALE, PAGE_H - MARGIN + 4);
    pango_cairo_show_layout(d->cr, l);
    g_object_unref(l);
    cairo_set_source_rgb(d->cr, 0, 0, 0);
}

static void new_page(Doc *d) {
    if (d->page) footer(d), cairo_show_page(d->cr);
    d->page++;
    d->y = MARGIN;
}

static void ensure(Doc *d, double h) {
    if (d->y + h > BOTTOM && d->y > MARGIN + 1) new_page(d);
}

/* A paragraph at x with the given width; splits across pages by lines. */
static void para(Doc *d, PangoFontDescription *f, const char *text, double x, double width, double gap) {
    PangoLayout *l = layout(d, f, text, width);
    double h = layout_h(l);
    if (h <= BOTTOM - MARGIN) {
        ensure(d, h);
        cairo_move_to(d->cr, x, d->y);
        pango_cairo_show_layout(d->cr, l);
        d->y += h + gap;
    } else { /* taller than a page: line by line */
        PangoLayoutIter *it = pango_layout_get_iter(l);
        do {
            PangoLayoutLine *line = pango_layout_iter_get_line_readonly(it);
            PangoRectangle r;
            pango_layout_iter_get_line_extents(it, NULL, &r);
            double lh = (double)r.height / PANGO_SCALE;
            ensure(d, lh);
            cairo_move_to(d->cr, x, d->y + (double)pango_layout_iter_get_baseline(it) / PANGO_SCALE - (double)r.y / PANGO_SCALE);
            pango_cairo_show_layout_line(d->cr, line);
            d->y += lh;
        } while (pango_layout_iter_next_line(it));
        pango_layout_iter_free(it);
        d->y += gap;
    }
    g_object_unref(l);
}

static void heading(Doc *d, PangoFontDescription *f, const char *text, double before) {
    d->y += before;
    ensure(d, 60); /* never a heading alone at the bottom */
    para(d, f, text, MARGIN, CONTENT_W, 4);
}

/* A table: ncol columns with relative widths; cells[r*ncol+c]; row 0 is the
 * header (bold, on every page the table continues on). */
static void table(Doc *d, int nrow, int ncol, const double *rel, char **cells, PangoFontDescription *f, PangoFontDescription *fb) {
    double total = 0, w[64], x[64];
    for (int c = 0; c < ncol; c++) total += rel[c];
    for (int c = 0; c < ncol; c++) w[c] = CONTENT_W * rel[c] / total, x[c] = c ? x[c - 1] + w[c - 1] : MARGIN;
    for (int r = 0; r < nrow; r++) {
        PangoLayout *ls[64];
        double h = 0;
        for (int c = 0; c < ncol; c++) {
            ls[c] = layout(d, r ? f : fb, cells[r * ncol + c], w[c] - 6);
            if (layout_h(ls[c]) > h) h = layout_h(ls[c]);
        }
        h += 5;
        if (r && d->y + h > BOTTOM) { /* continue on the next page under a repeated header */
            new_page(d);
            table(d, 1, ncol, rel, cells, f, fb);
            d->y -= 8;
        }
        ensure(d, h);
        if (!r) {
            cairo_set_source_rgb(d->cr, 0.95, 0.96, 0.97);
            cairo_rectangle(d->cr, MARGIN, d->y, CONTENT_W, h);
            cairo_fill(d->cr);
            cairo_set_source_rgb(d->cr, 0, 0, 0);
        }
        for (int c = 0; c < ncol; c++) {
            cairo_move_to(d->cr, x[c] + 3, d->y + 2.5);
            pango_cairo_show_layout(d->cr, ls[c]);
            g_object_unref(ls[c]);
        }
        d->y += h;
        cairo_set_source_rgb(d->cr, r ? 0.85 : 0.5, r ? 0.85 : 0.5, r ? 0.85 : 0.5);
        cairo_set_line_width(d->cr, r ? 0.4 : 0.8);
        cairo_move_to(d->cr, MARGIN, d->y), cairo_line_to(d->cr, MARGIN + CONTENT_W, d->y);
        cairo_stroke(d->cr);
        cairo_set_source_rgb(d->cr, 0, 0, 0);
    }
    d->y += 8;
}

/* An SVG scaled to width at x; returns its height (0 when unreadable). */
static double svg_draw(Doc *d, const char *svg, double x, double width, int place) {
    if (!svg) return 0;
    GError *ge = NULL;
    RsvgHandle *h = rsvg_handle_new_from_data((const guint8 *)svg, strlen(svg), &ge);
    if (!h) {
        if (ge) g_error_free(ge);
        return 0;
    }
    gdouble sw = 0, sh = 0;
    if (!rsvg_handle_get_intrinsic_size_in_pixels(h, &sw, &sh) || sw <= 0) sw = 640, sh = 400;
    double height = width * sh / sw;
    if (place) {
        RsvgRectangle vp = {x, d->y, width, height};
        rsvg_handle_render_document(h, d->cr, &vp, &ge);
        if (ge) g_error_free(ge);
    }
    g_object_unref(h);
    return height;
}

/* A figure under an optional heading, kept on one page with it. */
static void figure_h(Doc *d, const char *head, const char *svg, double width) {
    if (!svg) return;
    double h = svg_draw(d, svg, 0, width, 0);
    if (head) {
        d->y += 4;
        ensure(d, h + 24);
        para(d, d->h3, head, MARGIN, CONTENT_W, 4);
    }
    ensure(d, h);
    svg_draw(d, svg, MARGIN + (CONTENT_W - width) / 2, width, 1);
    d->y += h + 8;
}

static void figure(Doc *d, const char *svg, double width) { figure_h(d, NULL, svg, width); }

/* ---- cells ------------------------------------------------------------ */

typedef struct Cells { char **v; int n, cap; } Cells;

static void cell(Cells *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void cell(Cells *c, const char *fmt, ...) {
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 64;
        c->v = realloc(c->v, (size_t)c->cap * sizeof *c->v);
        if (!c->v) abort();
    }
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&c->v[c->n], fmt, ap) < 0) abort();
    va_end(ap);
    c->n++;
}

static void cells_free(Cells *c) {
    for (int i = 0; i < c->n; i++) free(c->v[i]);
    free(c->v);
    memset(c, 0, sizeof *c);
}

/* ---- sections --------------------------------------------------------- */

/* One group of runs (analysis.h): its runs, baseline and plots. */
typedef struct Grp {
    const RpModel *m;
    const RpAnalysis *a;
    const RpGroup *g;
    int gi;
    const RpGroupPlots *gp; /* NULL without plots */
    const RpPlots *pl;
    const RpRun *lead;
} Grp;

#define GRUN(c, j) ((c)->m->run[(c)->g->run[j]])

static void main_tables(Doc *d, const Grp *c) {
    const RpPdfHost *H = d->host;
    const RpAnalysis *a = c->a;
    const RpRun *r0 = c->lead;
    int nr = r0->nrate;
    heading(d, d->h2, "Main results", 6);
    para(d, d->small, "Pass rates in %, with 95 % confidence intervals (Wilson for the per-query pass/fail rates, query "
                      "bootstrap for the micro rates).", MARGIN, CONTENT_W, 4);
    Cells cl = {0};
    double rel[2 + RP_MAX_RATES] = {2.4, 0.6};
    for (int r = 0; r < nr; r++) rel[2 + r] = 1;
    cell(&cl, "Run"), cell(&cl, "n");
    for (int r = 0; r < nr; r++) cell(&cl, "%s", H->rate_name(r0, r));
    for (int j = 0; j < c->g->n; j++) {
        int i = c->g->run[j];
        cell(&cl, "%s%s", c->m->run[i]->name, i == c->g->baseline ? " (baseline)" : "");
        cell(&cl, "%d", c->m->run[i]->n);
        for (int r = 0; r < nr; r++) {
            const RpCi *ci = &a->s[i].rate[r];
            cell(&cl, "%.1f\n[%.1f, %.1f]", ci->est * 100, ci->lo * 100, ci->hi * 100);
        }
    }
    table(d, c->g->n + 1, 2 + nr, rel, cl.v, d->small, d->smallb);
    cells_free(&cl);
    if (c->g->baseline < 0 || c->g->n < 2) return;
    char head[600];
    snprintf(head, sizeof head, "Difference to the baseline, %s", c->m->run[c->g->baseline]->name);
    heading(d, d->h3, head, 4);
    para(d, d->small, "Percentage points with 95 % interval; p: exact McNemar for pass/fail rates of paired runs, "
                      "bootstrap otherwise; Holm: adjusted over the runs compared with the baseline.", MARGIN, CONTENT_W, 4);
    double rel2[1 + RP_MAX_RATES] = {2.4};
    for (int r = 0; r < nr; r++) rel2[1 + r] = 1.2;
    cell(&cl, "Run");
    for (int r = 0; r < nr; r++) cell(&cl, "%s", H->rate_name(r0, r));
    int rows = 1;
    for (int j = 0; j < c->g->n; j++) {
        int i = c->g->run[j];
        const RpRunStats *s = &a->s[i];
        if (!s->has_diff) continue;
        rows++;
        cell(&cl, "%s%s", c->m->run[i]->name, s->paired ? "" : " (unpaired)");
        for (int r = 0; r < nr; r++) {
            char df[96], p[16], ph[16];
            H->fmt_diff(&s->diff[r], df, sizeof df), H->fmt_p(s->p[r], p, sizeof p), H->fmt_p(s->p_holm[r], ph, sizeof ph);
            cell(&cl, "%s\np=%s, Holm %s", df, p, ph);
        }
    }
    table(d, rows, 1 + nr, rel2, cl.v, d->small, d->smallb);
    cells_free(&cl);
}

/* More cells than this: cells as rows, runs as columns (html.c does the same). */
#define CELLS_WIDE 12

static void cells_section(Doc *d, const Grp *c) {
    const RpPdfHost *H = d->host;
    const RpCells *k = &c->g->cells;
    if (!k->ndim) return;
    char head[400];
    snprintf(head, sizeof head, "%s per %s", H->rate_name(c->lead, H->headline(c->lead)),
             c->g->suite->strata_title ? c->g->suite->strata_title : "stratum");
    heading(d, d->h2, head, 10);
    Cells cl = {0};
    Buf t;
    H->buf_init(&t);
    int ncell = k->ny * k->nx, nr = c->g->n < 12 ? c->g->n : 12;
    double rel[1 + CELLS_WIDE > 13 ? 1 + CELLS_WIDE : 13];
    rel[0] = 2.4;
    if (ncell <= CELLS_WIDE) {
        cell(&cl, "Run");
        for (int y = 0; y < k->ny; y++)
            for (int x = 0; x < k->nx; x++) H->buf_reset(&t), H->cell_label(c->g, y, x, &t), cell(&cl, "%s", t.data ? t.data : "");
        for (int q = 0; q < ncell; q++) rel[1 + q] = 1;
        for (int j = 0; j < c->g->n; j++) {
            cell(&cl, "%s", GRUN(c, j)->name);
            for (int q = 0; q < ncell; q++) cell(&cl, "%d/%d", k->pass[(size_t)j * ncell + q], k->n[(size_t)j * ncell + q]);
        }
        table(d, c->g->n + 1, 1 + ncell, rel, cl.v, d->small, d->smallb);
    } else {
        cell(&cl, "Stratum");
        for (int j = 0; j < nr; j++) rel[1 + j] = 1, cell(&cl, "%s", GRUN(c, j)->name);
        int rows = 1;
        for (int q = 0; q < ncell; q++) {
            int any = 0;
            for (int j = 0; j < nr; j++) any |= k->n[(size_t)j * ncell + q] > 0;
            if (!any) continue;
            rows++;
            H->buf_reset(&t), H->cell_label(c->g, q / k->nx, q % k->nx, &t), cell(&cl, "%s", t.data ? t.data : "");
            for (int j = 0; j < nr; j++) cell(&cl, "%d/%d", k->pass[(size_t)j * ncell + q], k->n[(size_t)j * ncell + q]);
        }
        table(d, rows, 1 + nr, rel, cl.v, d->small, d->smallb);
    }
    H->buf_free(&t);
    cells_free(&cl);
    if (!c->pl) return;
    /* the heat maps of the group's runs, three to a row */
    const char *svg[64];
    const char *name[64];
    int nh = 0;
    for (int j = 0; j < c->g->n && nh < 64; j++) {
        int i = c->g->run[j];
        if (i < c->pl->nheat && c->pl->heat[i]) svg[nh] = c->pl->heat[i], name[nh++] = c->m->run[i]->name;
    }
    double w = CONTENT_W / 3 - 6;
    for (int i = 0; i < nh; i += 3) {
        double h = svg_draw(d, svg[i], 0, w, 0) + 14;
        ensure(d, h);
        for (int q = 0; q < 3 && i + q < nh; q++) {
            double x = MARGIN + q * (w + 9);
            PangoLayout *l = layout(d, d->small, name[i + q], w);
            cairo_move_to(d->cr, x, d->y);
            pango_cairo_show_layout(d->cr, l);
            g_object_unref(l);
            double y = d->y;
            d->y += 12;
            svg_draw(d, svg[i + q], x, w, 1);
            d->y = y;
        }
        d->y += h + 4;
    }
}

static void checks_section(Doc *d, const Grp *c) {
    const RpChecks *k = &c->g->checks;
    heading(d, d->h2, "Per check", 10);
    char intro[400];
    const char *note = c->g->suite->verdicts_note;
    snprintf(intro, sizeof intro, "Pass rate (%%) where the check ran: delivered plans%s%s.", note ? "; " : "", note ? note : "");
    para(d, d->small, intro, MARGIN, CONTENT_W, 4);
    int nr = c->g->n < 12 ? c->g->n : 12;
    Cells cl = {0};
    double rel[13];
    rel[0] = 2.6;
    cell(&cl, "Check");
    for (int j = 0; j < nr; j++) rel[j + 1] = 1, cell(&cl, "%s", GRUN(c, j)->name);
    for (int x = 0; x < k->n; x++) {
        cell(&cl, "%s (%s)", k->label[x], k->family[x]);
        for (int j = 0; j < nr; j++) {
            int p = k->pass[(size_t)j * k->n + x], t = p + k->fail[(size_t)j * k->n + x];
            if (t) cell(&cl, "%.1f (%d/%d)", 100.0 * p / t, p, t);
            else cell(&cl, "-");
        }
    }
    table(d, k->n + 1, nr + 1, rel, cl.v, d->small, d->smallb);
    cells_free(&cl);
    if (c->gp) figure(d, c->gp->constraints, CONTENT_W);
    if (c->gp && c->gp->constraints_note) para(d, d->small, c->gp->constraints_note, MARGIN, CONTENT_W, 4);
}

/* ---- training and stages ------------------------------------------------ */

/* The training runs' table (the host's rp_train_cells), then each plot. */
static void training_section(Doc *d, const RpModel *m, const RpPlots *pl) {
    int n = 0;
    for (int i = 0; i < m->n; i++) n += m->run[i]->nstep > 0;
    if (!n) return;
    heading(d, d->h2, "Training", 10);
    Cells cl = {0};
    double rel[RP_TRAIN_COLS] = {2.2, 0.8, 0.8, 1, 1, 1, 1, 1, 1, 1.1, 1.1};
    for (int c = 0; c < RP_TRAIN_COLS; c++) cell(&cl, "%s", d->host->train_header(c));
    for (int i = 0; i < m->n; i++) {
        if (!m->run[i]->nstep) continue;
        char cells[RP_TRAIN_COLS][RP_TRAIN_CELL];
        d->host->train_cells(m->run[i], cells);
        for (int c = 0; c < RP_TRAIN_COLS; c++) cell(&cl, "%s", cells[c]);
    }
    table(d, n + 1, RP_TRAIN_COLS, rel, cl.v, d->tiny, d->tinyb);
    cells_free(&cl);
    para(d, d->small, "Loss and reward: the first and last step's; tokens / s and completion length: means over the steps; "
                      "wall time: the run's start to its end; - : not recorded.", MARGIN, CONTENT_W, 4);
    for (int k = 0; pl && k < RP_TRAIN_PLOTS; k++)
        if (pl->train[k]) figure_h(d, pl->train_title[k], pl->train[k], CONTENT_W * 0.8);
}

/* The "Stages: time" table of --stages: each stage's wall time and the total. */
static void stages_section(Doc *d, const RpModel *m) {
    if (!m->nstage) return;
    heading(d, d->h2, "Stages: time", 6);
    Cells cl = {0};
    double rel[4] = {2, 1, 0.8, 3}, total = 0;
    for (int i = 0; i < m->nstage; i++) total += m->stage[i].seconds;
    cell(&cl, "Stage"), cell(&cl, "Time (s)"), cell(&cl, "Share"), cell(&cl, "Note");
    for (int i = 0; i < m->nstage; i++) {
        const RpStage *st = &m->stage[i];
        cell(&cl, "%s", st->name), cell(&cl, "%.1f", st->seconds);
        cell(&cl, "%.0f %%", total > 0 ? 100 * st->seconds / total : 0), cell(&cl, "%s", st->note ? st->note : "");
    }
    cell(&cl, "Total"), cell(&cl, "%.1f", total), cell(&cl, "100 %%"), cell(&cl, "%s", "");
    table(d, m->nstage + 2, 4, rel, cl.v, d->small, d->smallb);
    cells_free(&cl);
}

static void usage_section(Doc *d, const Grp *c) {
    heading(d, d->h2, "Tokens, cost and latency", 10);
    Cells cl = {0};
    double rel[4] = {2.4, 1.5, 1.5, 1.5};
    cell(&cl, "Run"), cell(&cl, "Tokens / query"), cell(&cl, "Cost / query (USD)"), cell(&cl, "Latency / query (s)");
    for (int j = 0; j < c->g->n; j++) {
        int i = c->g->run[j];
        const RpRunStats *s = &c->a->s[i];
        cell(&cl, "%s", c->m->run[i]->name);
        if (s->has_tokens) cell(&cl, "%.0f [%.0f, %.0f]", s->tokens.est, s->tokens.lo, s->tokens.hi);
        else cell(&cl, "-");
        if (s->has_cost) cell(&cl, "%.4f [%.4f, %.4f]", s->cost.est, s->cost.lo, s->cost.hi);
        else cell(&cl, "-");
        if (s->has_latency) cell(&cl, "%.2f [%.2f, %.2f]", s->latency.est / 1000, s->latency.lo / 1000, s->latency.hi / 1000);
        else cell(&cl, "-");
    }
    table(d, c->g->n + 1, 4, rel, cl.v, d->small, d->smallb);
    cells_free(&cl);
    if (c->gp && c->gp->cost) {
        char head[200];
        snprintf(head, sizeof head, "%s against cost", d->host->rate_name(c->lead, d->host->headline(c->lead)));
        figure_h(d, head, c->gp->cost, CONTENT_W * 0.75);
    }
    if (c->gi == c->a->ng - 1) training_section(d, c->m, c->pl);
}

/* A failed plan's day table and raw output are bounded so that 10 runs x
 * 180 plans stay printable: a cell keeps DAY_CELL_MAX bytes (so a row never
 * outgrows a page and page breaks fall between rows), the raw output its
 * first RAW_LINES lines of at most RAW_COLS characters (a longer line counts
 * as several), then a note says how many lines were left out. Model text is
 * made valid UTF-8 and set as text (pango_layout_set_text), never markup. */
#define DAY_CELL_MAX 400
#define RAW_COLS 92
#define RAW_LINES 12
/* Shaping and drawing a plan's query, day table and raw block costs ~4 ms,
 * twenty times its header and checks (0.2 ms; 1800 failed plans take 0.4 s
 * in `imagine bench report --pdf`): the document shows them for at most
 * PLAN_DETAIL_TOTAL failed plans, shared evenly among the runs (at least
 * PLAN_DETAIL_MIN a run), the first failed plans of each run in query
 * order; the other failed plans keep their header and checks as one
 * paragraph, and a note under the run's heading says how many. */
#define PLAN_DETAIL_TOTAL 40
#define PLAN_DETAIL_MIN 4

/* A copy of s cut to at most max bytes on a character boundary, "…" when
 * cut, made valid UTF-8; g_free it. */
static char *clip(const char *s, size_t max) {
    size_t n = strlen(s);
    int cut = n > max;
    if (cut) {
        n = max;
        while (n && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
    }
    char *v = g_utf8_make_valid(s, (gssize)n);
    if (!cut) return v;
    char *r = g_strconcat(v, "…", NULL);
    g_free(v);
    return r;
}

/* The answer as a table of the suite's answer fields (TravelPlanner's
 * days), as numbered steps (a list of strings), or as text. */
static void day_table(Doc *d, const SuiteOps *ops, const char *plan_json, Buf *days) {
    const RpPdfHost *H = d->host;
    const char *const *fields = ops ? ops->answer_fields : NULL;
    const char *const *heads = ops && ops->answer_field_labels ? ops->answer_field_labels : fields;
    int nf = 0;
    while (fields && fields[nf] && nf < 16) nf++;
    H->buf_reset(days);
    int n = H->plan_days(plan_json, nf ? fields : NULL, days);
    if (n < 0) { /* not a list: the answer as text, as html.c shows it */
        if (plan_json) {
            char *t = clip(plan_json, RAW_COLS * RAW_LINES);
            para(d, d->mono, t, MARGIN + 8, CONTENT_W - 8, 3);
            g_free(t);
        }
        return;
    }
    if (!nf) { /* steps, one a line */
        Buf b;
        H->buf_init(&b);
        const char *p = days->data;
        for (int i = 0; i < n; i++) {
            char *t = clip(p, DAY_CELL_MAX);
            H->buf_printf(&b, "%s%d. %s", i ? "\n" : "", i + 1, t);
            g_free(t);
            p += strlen(p) + 1;
        }
        if (n) para(d, d->mono, b.data, MARGIN + 8, CONTENT_W - 8, 3);
        H->buf_free(&b);
        return;
    }
    /* TravelPlanner's day columns keep their widths; other fields share evenly */
    static const double day_rel[8] = {0.55, 1.1, 1.7, 1.1, 1.7, 1.1, 1.1, 1.65};
    double rel[16];
    for (int f = 0; f < nf; f++) rel[f] = nf == 8 ? day_rel[f] : 1;
    Cells c = {0};
    for (int f = 0; f < nf; f++) cell(&c, "%s", heads[f] ? heads[f] : fields[f]);
    const char *p = days->data;
    for (int i = 0; i < n * nf; i++) {
        char *t = clip(p, DAY_CELL_MAX);
        cell(&c, "%s", t);
        g_free(t);
        p += strlen(p) + 1;
    }
    table(d, n + 1, nf, rel, c.v, d->tiny, d->tinyb);
    cells_free(&c);
    d->y -= 4;
}

/* The first RAW_LINES lines of raw in a monospace block, lines longer than
 * RAW_COLS characters folded, and a note on the lines left out. */
static void raw_block(Doc *d, const char *raw, Buf *b) {
    const RpPdfHost *H = d->host;
    H->buf_reset(b);
    int lines = 1, col = 0;
    size_t shown = 0; /* bytes of raw on the first RAW_LINES lines */
    const char *s = raw;
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '\r') continue;
        if (ch == '\n') {
            if (!s[1]) break; /* a final newline ends the last line */
            if (lines == RAW_LINES) shown = (size_t)(s - raw);
            lines++, col = 0;
            continue;
        }
        if ((ch & 0xC0) == 0x80) continue; /* a character is counted at its first byte */
        if (col == RAW_COLS) {
            if (lines == RAW_LINES) shown = (size_t)(s - raw);
            lines++, col = 0;
        }
        col++;
    }
    if (lines <= RAW_LINES) shown = (size_t)(s - raw);
    /* the shown part with folds as newlines */
    col = 0;
    for (size_t i = 0; i < shown; i++) {
        unsigned char ch = (unsigned char)raw[i];
        if (ch == '\r') continue;
        if (ch == '\n') {
            H->buf_puts(b, "\n"), col = 0;
            continue;
        }
        if ((ch & 0xC0) != 0x80) {
            if (col == RAW_COLS) H->buf_puts(b, "\n"), col = 0;
            col++;
        }
        char one[2] = {ch == '\t' ? ' ' : (char)ch, 0};
        H->buf_puts(b, one);
    }
    char *t = g_utf8_make_valid(b->data ? b->data : "", -1);
    para(d, d->mono, t, MARGIN + 8, CONTENT_W - 8, 1);
    g_free(t);
    if (lines > RAW_LINES) {
        char note[160];
        snprintf(note, sizeof note, "… %d more line%s left out (%d in all, lines of at most %d characters)",
                 lines - RAW_LINES, lines - RAW_LINES == 1 ? "" : "s", lines, RAW_COLS);
        para(d, d->tiny, note, MARGIN + 8, CONTENT_W - 8, 1);
    }
}

static const char *check_label(const RpChecks *k, const char *name) {
    for (int x = 0; x < k->n; x++)
        if (!strcmp(k->name[x], name)) return k->label[x];
    return name;
}

static void plans_section(Doc *d, const Grp *c) {
    const RpPdfHost *H = d->host;
    heading(d, d->h2, "Failed checks per plan", 10);
    int detail = c->g->n ? PLAN_DETAIL_TOTAL / c->g->n : 0;
    if (detail < PLAN_DETAIL_MIN) detail = PLAN_DETAIL_MIN;
    char intro[400];
    snprintf(intro, sizeof intro, "Every plan that did not pass, with the checks it failed and their messages; for the "
                                  "first %d failed plans of each run also the query, the plan as a day table and the "
                                  "first %d lines of the raw model output (the HTML report has them for every plan).",
             detail, RAW_LINES);
    para(d, d->small, intro, MARGIN, CONTENT_W, 4);
    Buf b, days;
    H->buf_init(&b), H->buf_init(&days);
    for (int j = 0; j < c->g->n; j++) {
        const RpRun *run = GRUN(c, j);
        int passes = H->run_passes(run);
        char head[600];
        snprintf(head, sizeof head, "%s (%d of %d pass)", run->name, passes, run->n);
        heading(d, d->h3, head, 6);
        int failed = run->n - passes, shown = 0;
        if (failed > detail) {
            snprintf(intro, sizeof intro, "Day tables and raw output for the first %d of %d failed plans; the other %d "
                                          "with their checks only.", detail, failed, failed - detail);
            para(d, d->small, intro, MARGIN, CONTENT_W, 2);
        }
        for (int q = 0; q < run->n; q++) {
            const RpItem *it = &run->item[q];
            if (it->passed) continue;
            int full = shown++ < detail;
            if (full) d->y += 4, ensure(d, 70); /* the plan's first lines with its header */
            H->buf_reset(&b);
            H->buf_printf(&b, "#%d · ", it->idx);
            H->item_strata(run, q, &b);
            H->buf_puts(&b, ": ");
            if (!it->delivered) H->buf_puts(&b, "not delivered");
            if (it->note) H->buf_printf(&b, " (%.300s)", it->note);
            if (it->error) H->buf_printf(&b, " error: %.300s", it->error);
            if (full) {
                para(d, d->smallb, b.data, MARGIN, CONTENT_W, 1);
                if (it->text) {
                    char *t = clip(it->text, 2000);
                    para(d, d->small, t, MARGIN + 8, CONTENT_W - 8, 1);
                    g_free(t);
                }
                H->buf_reset(&b);
            }
            for (int k = 0; it->delivered && k < it->nv; k++) {
                const RpVerdict *v = &it->v[k];
                if (v->value != 0) continue;
                const char *label = check_label(&c->g->checks, v->name);
                if (full) H->buf_printf(&b, "%s%s", b.len ? "\n" : "", label);
                else H->buf_printf(&b, "\n    %s", label);
                if (v->message) H->buf_printf(&b, ": %.300s", v->message);
            }
            if (!full) {
                para(d, d->small, b.data, MARGIN, CONTENT_W, 2);
                continue;
            }
            if (b.len) para(d, d->small, b.data, MARGIN + 8, CONTENT_W - 8, 2);
            day_table(d, run->suite, it->plan_json, &days);
            if (it->raw) {
                ensure(d, 40); /* the label with the block's first lines */
                para(d, d->tinyb, "Raw output", MARGIN + 8, CONTENT_W - 8, 1);
                raw_block(d, it->raw, &b);
            }
        }
    }
    H->buf_free(&b), H->buf_free(&days);
}

static void appendix(Doc *d, const RpModel *m, const RpAnalysis *a) {
    const RpPdfHost *H = d->host;
    new_page(d);
    heading(d, d->h2, "Appendix: run configurations", 0);
    Buf b;
    H->buf_init(&b);
    for (int i = 0; i < m->n; i++) {
        const RpRun *r = m->run[i];
        heading(d, d->h3, r->name, 6);
        H->buf_reset(&b);
        H->buf_printf(&b, "id: %s\nmethod: %s\nmodel: %s\nsplit: %s\nsource: %s", r->id ? r->id : "-", r->method ? r->method : "-",
                   r->model ? r->model : "-", r->split ? r->split : "-", r->source ? r->source : "-");
        para(d, d->small, b.data, MARGIN, CONTENT_W, 3);
        if (r->config_json) {
            H->buf_reset(&b);
            H->buf_printf(&b, "%.4000s", r->config_json);
            para(d, d->mono, b.data, MARGIN + 8, CONTENT_W - 8, 4);
        }
    }
    H->buf_reset(&b);
    H->buf_printf(&b, "Statistics: %d bootstrap resamples, seed %llu, %.0f %% intervals.", a->boot.resamples,
               (unsigned long long)a->boot.seed, a->boot.level * 100);
    para(d, d->small, b.data, MARGIN, CONTENT_W, 4);
    H->buf_free(&b);
}

/* ---- the document ----------------------------------------------------- */

__attribute__((visibility("default"))) int rp_pdf_module_write(const RpPdfHost *host, const char *path, const RpModel *m,
                                                               const RpAnalysis *a, const RpPlots *pl, const char *title,
                                                               Err *err);
_Static_assert(_Generic(&rp_pdf_module_write, RpPdfEntry: 1, default: 0), "the entry point has the type pdf.h names");

int rp_pdf_module_write(const RpPdfHost *host, const char *path, const RpModel *m, const RpAnalysis *a,
                        const RpPlots *pl, const char *title, Err *err) {
    if (host->abi != RP_PDF_ABI || host->layout != RP_PDF_LAYOUT)
        return host->err_set(err, IM_IO,
                             "%s was built for another imagine (interface %d, layout %zu; this imagine: %d, %zu) — "
                             "rebuild imagine and its PDF module together",
                             RP_PDF_MODULE_NAME, RP_PDF_ABI, (size_t)RP_PDF_LAYOUT, host->abi, host->layout);
    Doc d;
    memset(&d, 0, sizeof d);
    d.host = host;
    d.title = title ? title : "imagine report";
    d.surf = cairo_pdf_surface_create(path, PAGE_W, PAGE_H);
    if (cairo_surface_status(d.surf) != CAIRO_STATUS_SUCCESS) {
        int rc = host->err_set(err, IM_IO, "cannot write %s: %s", path, cairo_status_to_string(cairo_surface_status(d.surf)));
        cairo_surface_destroy(d.surf);
        return rc;
    }
    cairo_pdf_surface_set_metadata(d.surf, CAIRO_PDF_METADATA_TITLE, d.title);
    cairo_pdf_surface_set_metadata(d.surf, CAIRO_PDF_METADATA_CREATOR, "imagine report");
    d.cr = cairo_create(d.surf);
    d.ctx = pango_cairo_create_context(d.cr);
    d.h1 = pango_font_description_from_string("DejaVu Sans Bold 17");
    d.h2 = pango_font_description_from_string("DejaVu Sans Bold 13");
    d.h3 = pango_font_description_from_string("DejaVu Sans Bold 10.5");
    d.body = pango_font_description_from_string("DejaVu Sans 9");
    d.bold = pango_font_description_from_string("DejaVu Sans Bold 9");
    d.small = pango_font_description_from_string("DejaVu Sans 7");
    d.smallb = pango_font_description_from_string("DejaVu Sans Bold 7");
    d.tiny = pango_font_description_from_string("DejaVu Sans 6");
    d.tinyb = pango_font_description_from_string("DejaVu Sans Bold 6");
    d.mono = pango_font_description_from_string("DejaVu Sans Mono 6.5");
    new_page(&d);
    para(&d, d.h1, d.title, MARGIN, CONTENT_W, 4);
    Buf meta;
    host->buf_init(&meta);
    host->buf_printf(&meta, "%d run%s · ", m->n, m->n == 1 ? "" : "s");
    for (int g = 0; g < a->ng; g++) { /* each suite once */
        int seen = 0;
        for (int k = 0; k < g; k++) seen |= a->g[k].suite == a->g[g].suite;
        if (!seen) host->buf_printf(&meta, "%s%s", g ? ", " : "", host->suite_title(a->g[g].suite));
    }
    host->buf_puts(&meta, " · generated by imagine report");
    para(&d, d.body, meta.data, MARGIN, CONTENT_W, 6);
    stages_section(&d, m);
    for (int g = 0; g < a->ng; g++) {
        Grp c = {m, a, &a->g[g], g, pl && g < pl->ng ? &pl->g[g] : NULL, pl, m->run[a->g[g].lead]};
        if (a->ng > 1) { /* each group starts a page under its title */
            if (g) new_page(&d);
            host->buf_reset(&meta);
            host->group_title(c.g, &meta);
            host->buf_printf(&meta, " (%d run%s)", c.g->n, c.g->n == 1 ? "" : "s");
            para(&d, d.h1, meta.data, MARGIN, CONTENT_W, 4);
        }
        main_tables(&d, &c);
        if (c.gp && c.gp->rates) {
            static const char *const words[] = {"no", "one", "two", "three", "four", "five", "six", "seven", "eight"};
            char head[64];
            snprintf(head, sizeof head, "The %s rates", c.lead->nrate <= 8 ? words[c.lead->nrate] : "");
            figure_h(&d, head, c.gp->rates, CONTENT_W);
        }
        cells_section(&d, &c);
        checks_section(&d, &c);
        usage_section(&d, &c);
        plans_section(&d, &c);
    }
    host->buf_free(&meta);
    appendix(&d, m, a);
    footer(&d);
    cairo_show_page(d.cr);
    PangoFontDescription *fonts[] = {d.h1, d.h2, d.h3, d.body, d.bold, d.small, d.smallb, d.tiny, d.tinyb, d.mono};
    for (int i = 0; i < 10; i++) pango_font_description_free(fonts[i]);
    g_object_unref(d.ctx);
    cairo_destroy(d.cr);
    cairo_surface_finish(d.surf);
    cairo_status_t st = cairo_surface_status(d.surf);
    cairo_surface_destroy(d.surf);
    if (st != CAIRO_STATUS_SUCCESS) return host->err_set(err, IM_IO, "cannot write %s: %s", path, cairo_status_to_string(st));
    return IM_OK;
}
