/* plot.c: writes the plot data to a temporary directory, drives one
 * gnuplot process through its standard input, reads the SVG files back.
 *
 * Sections: data files (model text only here, as quoted data strings),
 * the script (fixed text and numbers only), running gnuplot, cleanup. */
#include "plot.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fsutil.h"

extern char **environ;

typedef struct Plotter {
    char dir[512];
    char *files[256]; /* everything written, for cleanup */
    int nfiles;
    Buf script;
} Plotter;

/* ---- data files ------------------------------------------------------- */

/* A run name as a gnuplot data string: quoted, without the characters that
 * would end it (quotes, backslashes, control characters), at most 40 bytes
 * cut on a UTF-8 boundary. */
static void gp_label(Buf *b, const char *s) {
    buf_putc(b, '"');
    size_t n = 0;
    for (; s && *s && n < 40; s++, n++) {
        unsigned char c = (unsigned char)*s;
        if (n >= 37 && (c & 0xC0) != 0x80) {
            buf_puts(b, "...");
            break;
        }
        buf_putc(b, c == '"' ? '\'' : c == '\\' ? '/' : c < 0x20 || c == 0x7f ? ' ' : (char)c);
    }
    buf_putc(b, '"');
}

static const char *path_of(Plotter *p, const char *name) {
    if (p->nfiles >= 256) return NULL;
    char *path = fs_join(p->dir, name);
    if (!path) return NULL;
    p->files[p->nfiles++] = path;
    return path;
}

static int write_data(Plotter *p, const char *name, const Buf *b, Err *err) {
    const char *path = path_of(p, name);
    if (!path) return err_set(err, IM_IO, "plot: too many files");
    FILE *f = fopen(path, "w");
    if (!f) return err_set(err, IM_IO, "plot: cannot write %s: %s", path, strerror(errno));
    size_t w = b->len ? fwrite(b->data, 1, b->len, f) : 0;
    if (fclose(f) != 0 || w != b->len) return err_set(err, IM_IO, "plot: cannot write %s", path);
    return IM_OK;
}

/* ---- the script ------------------------------------------------------- */

static const char *const palette[] = {"#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3",
                                      "#937860", "#DA8BC3", "#8C8C8C", "#CCB974", "#64B5CD"};

static void begin_plot(Plotter *p, const char *out, int w, int h) {
    path_of(p, out); /* registered now so cleanup removes it whatever happens */
    buf_printf(&p->script,
               "reset\nset terminal svg size %d,%d dynamic noenhanced font 'DejaVu Sans,11' background '#ffffff'\n"
               "set output '%s/%s'\n",
               w, h, p->dir, out);
    for (int i = 0; i < 10; i++) buf_printf(&p->script, "set linetype %d lc rgb '%s' lw 1.5 pt 7\n", i + 1, palette[i]);
    buf_puts(&p->script, "set linetype cycle 10\nset border 3\nset tics nomirror\nset grid ytics lc rgb '#dddddd'\n");
}

/* "name.ext" for the first group, "name_gK.ext" for group K > 0. */
static void group_file(char *dst, size_t n, const char *name, const char *ext, int g) {
    if (g) snprintf(dst, n, "%s_g%d.%s", name, g, ext);
    else snprintf(dst, n, "%s.%s", name, ext);
}

/* A label from the suite's data inside a single-quoted gnuplot string:
 * without quotes, backslashes and control characters. */
static void gp_script_text(Buf *b, const char *s) {
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\'' || c == '\\' || c < 0x20 || c == 0x7f) continue;
        buf_putc(b, (char)c);
    }
}

/* The headline label in lower case at its first letter ("final pass"). */
static void headline_lower(Buf *b, const RpRun *run) {
    const char *h = rp_rate_name(run, rp_headline(run));
    if (*h >= 'A' && *h <= 'Z') buf_putc(b, (char)(*h - 'A' + 'a')), h++;
    gp_script_text(b, h);
}

static int plot_rates(Plotter *p, const RpModel *m, const RpAnalysis *a, int gi, Err *err) {
    const RpGroup *g = &a->g[gi];
    const RpRun *r0 = m->run[g->lead];
    Buf d;
    buf_init(&d);
    buf_puts(&d, "\"rate\"");
    for (int j = 0; j < g->n; j++) {
        buf_putc(&d, ' ');
        gp_label(&d, m->run[g->run[j]]->name);
        buf_puts(&d, " \"lo\" \"hi\"");
    }
    buf_putc(&d, '\n');
    for (int r = 0; r < r0->nrate; r++) {
        gp_label(&d, rp_rate_short(r0, r));
        for (int j = 0; j < g->n; j++) {
            const RpCi *c = &a->s[g->run[j]].rate[r];
            buf_printf(&d, " %.4f %.4f %.4f", c->est * 100, c->lo * 100, c->hi * 100);
        }
        buf_putc(&d, '\n');
    }
    char dat[64], svg[64];
    group_file(dat, sizeof dat, "rates", "dat", gi), group_file(svg, sizeof svg, "rates", "svg", gi);
    int rc = write_data(p, dat, &d, err);
    buf_free(&d);
    if (rc) return rc;
    begin_plot(p, svg, 960, 400);
    buf_printf(&p->script,
               "set style data histogram\nset style histogram errorbars gap 2 lw 1\n"
               "set style fill solid 0.85 border -1\nset boxwidth 0.9\nset yrange [0:105]\n"
               "set ylabel 'pass rate (%%), 95%% CI'\nset key outside right top vertical noautotitle\n"
               "plot for [i=0:%d] '%s/%s' using (column(2+3*i)):(column(3+3*i)):(column(4+3*i)):xtic(1) "
               "title columnheader(2+3*i)\n",
               g->n - 1, p->dir, dat);
    return IM_OK;
}

/* Each run of a group with strata: the headline pass per cell. */
static int plot_heat(Plotter *p, const RpModel *m, const RpAnalysis *a, int gi, int *made, Err *err) {
    const RpGroup *g = &a->g[gi];
    const RpCells *c = &g->cells;
    if (!c->ndim) return IM_OK;
    for (int j = 0; j < g->n; j++) {
        int i = g->run[j];
        Buf d;
        buf_init(&d);
        for (int y = 0; y < c->ny; y++)
            for (int x = 0; x < c->nx; x++) {
                size_t at = ((size_t)j * c->ny + y) * c->nx + x;
                if (c->n[at]) buf_printf(&d, "%d %d %.4f \"%d/%d\"\n", x, y, 100.0 * c->pass[at] / c->n[at], c->pass[at], c->n[at]);
                else buf_printf(&d, "%d %d NaN \"-\"\n", x, y);
            }
        char name[64], svg[64];
        snprintf(name, sizeof name, "heat_%d.dat", i);
        snprintf(svg, sizeof svg, "heat_%d.svg", i);
        int rc = write_data(p, name, &d, err);
        buf_free(&d);
        if (rc) return rc;
        begin_plot(p, svg, c->nx <= 3 ? 320 : 140 + 60 * c->nx, 260);
        buf_printf(&p->script, "unset key\nunset grid\nset xrange [-0.5:%g]\nset yrange [-0.5:%g]\nset xtics (",
                   c->nx - 0.5, c->ny - 0.5);
        Buf t;
        buf_init(&t);
        for (int x = 0; x < c->nx; x++) {
            buf_reset(&t), rp_cell_axis(g, 1, x, &t);
            buf_printf(&p->script, "%s'", x ? ", " : ""), gp_script_text(&p->script, t.data), buf_printf(&p->script, "' %d", x);
        }
        buf_puts(&p->script, ")\nset ytics (");
        for (int y = 0; y < c->ny; y++) {
            buf_reset(&t), rp_cell_axis(g, 0, y, &t);
            buf_printf(&p->script, "%s'", y ? ", " : ""), gp_script_text(&p->script, t.data), buf_printf(&p->script, "' %d", y);
        }
        buf_free(&t);
        buf_puts(&p->script, ")\nset cbrange [0:100]\nset cblabel '");
        headline_lower(&p->script, m->run[i]);
        buf_printf(&p->script,
                   " (%%)'\nset palette defined (0 '#f7fcf5', 50 '#a1d99b', 100 '#31a354')\n"
                   "plot '%s/%s' using 1:2:3 with image pixels, '' using 1:2:4 with labels font ',12'\n",
                   p->dir, name);
        made[i] = 1;
    }
    return IM_OK;
}

/* A run in which no verdict was judged (no answer delivered) has no point
 * to draw and gnuplot refuses a histogram column without one: such runs are
 * left out of the plot and named in *note; with none left the plot is left
 * out (*made = 0). Their zeros stay in the tables. */
static int plot_constraints(Plotter *p, const RpModel *m, const RpAnalysis *a, int gi, int *made, char **note, Err *err) {
    const RpGroup *g = &a->g[gi];
    const RpChecks *k = &g->checks;
    int nr = g->n < 64 ? g->n : 64, keep[64], nk = 0;
    Buf why;
    buf_init(&why);
    for (int j = 0; j < nr; j++) {
        int ran = 0;
        for (int x = 0; x < k->n; x++) ran += k->pass[(size_t)j * k->n + x] + k->fail[(size_t)j * k->n + x];
        const RpRun *run = m->run[g->run[j]];
        if (ran) keep[nk++] = j;
        else buf_printf(&why, "%s%s", why.len ? ", " : "", run->name ? run->name : "?");
    }
    if (why.len)
        *note = nk ? (buf_puts(&why, ": no check ran (no plan was delivered), so they are not in the per-check plot."),
                      buf_take(&why))
                   : (buf_free(&why), strdup("No check ran in any of these runs (no plan was delivered): the per-check "
                                             "plot is left out."));
    *made = nk > 0;
    if (!nk) return IM_OK;
    Buf d;
    buf_init(&d);
    buf_puts(&d, "\"check\"");
    for (int j = 0; j < nk; j++) buf_putc(&d, ' '), gp_label(&d, m->run[g->run[keep[j]]]->name);
    buf_putc(&d, '\n');
    for (int x = 0; x < k->n; x++) {
        gp_label(&d, k->label[x]);
        for (int j = 0; j < nk; j++) {
            size_t at = (size_t)keep[j] * k->n + x;
            int t = k->pass[at] + k->fail[at];
            if (t) buf_printf(&d, " %.4f", 100.0 * k->pass[at] / t);
            else buf_puts(&d, " NaN");
        }
        buf_putc(&d, '\n');
    }
    char dat[64], svg[64];
    group_file(dat, sizeof dat, "checks", "dat", gi), group_file(svg, sizeof svg, "checks", "svg", gi);
    int rc = write_data(p, dat, &d, err);
    buf_free(&d);
    if (rc) return rc;
    begin_plot(p, svg, 960, 440);
    buf_printf(&p->script,
               "set style data histogram\nset style histogram clustered gap 1\nset style fill solid 0.85 border -1\n"
               "set yrange [0:105]\nset ylabel 'pass rate where the check ran (%%)'\n"
               "set xtics rotate by 30 right\nset key outside right top vertical noautotitle\nset bmargin 9\n"
               "plot for [i=2:%d] '%s/%s' using i:xtic(1) title columnheader(i)\n",
               nk + 1, p->dir, dat);
    return IM_OK;
}

static int plot_cost(Plotter *p, const RpModel *m, const RpAnalysis *a, int gi, int *made, Err *err) {
    const RpGroup *g = &a->g[gi];
    Buf d;
    buf_init(&d);
    int k = 0;
    for (int j = 0; j < g->n; j++) {
        int i = g->run[j];
        const RpRunStats *s = &a->s[i];
        int h = rp_headline(m->run[i]);
        if (!s->has_cost || h < 0) continue;
        gp_label(&d, m->run[i]->name);
        buf_printf(&d, " %.8g %.8g %.8g %.4f %.4f %.4f %d\n", s->cost.est, s->cost.lo, s->cost.hi, s->rate[h].est * 100,
                   s->rate[h].lo * 100, s->rate[h].hi * 100, i % 10 + 1);
        k++;
    }
    *made = k > 0;
    char dat[64], svg[64];
    group_file(dat, sizeof dat, "cost", "dat", gi), group_file(svg, sizeof svg, "cost", "svg", gi);
    int rc = k ? write_data(p, dat, &d, err) : IM_OK;
    buf_free(&d);
    if (rc || !k) return rc;
    begin_plot(p, svg, 640, 400);
    buf_puts(&p->script, "unset key\nset xlabel 'mean cost per query (USD), 95% CI'\nset ylabel '");
    headline_lower(&p->script, m->run[g->lead]);
    buf_printf(&p->script,
               " (%%), 95%% CI'\n"
               "set yrange [0:105]\nset xrange [0:*]\nset offsets 0, graph 0.15, 0, 0\n"
               "plot '%s/%s' using 2:5:3:4:6:7:8 with xyerrorbars lc variable pt 7 ps 1.2, "
               "'' using 2:5:1 with labels offset 1,1 left font ',10'\n",
               p->dir, dat);
    return IM_OK;
}

/* A step's figure for column c of the training data (NaN when unknown):
 * 0 loss, 1 mean reward, 2 reflection ratio, 3 completion length, 4+k
 * reward component k. */
static double train_value(const RpTrainStep *t, int c) {
    switch (c) {
    case 0: return t->loss;
    case 1: return t->reward;
    case 2: return t->reflection >= 0 ? t->reflection : NAN;
    case 3: return t->completion_len;
    default: return t->comp[c - 4];
    }
}

static const char *const train_what[RP_TRAIN_PLOTS] = {"SFT loss", "GRPO mean reward and its components",
                                                       "Reflection ratio", "Completion length (tokens)"};

/* Which plot column c of the run goes to (-1: none): loss of SFT runs,
 * reward and components of GRPO runs, reflection and length of both. */
static int train_plot_of(const RpRun *run, int c) {
    int grpo = !strcmp(rp_run_train_kind(run), "grpo");
    if (c == 0) return grpo ? -1 : 0;
    if (c == 1 || c >= 4) return grpo ? 1 : -1;
    return c; /* 2 reflection, 3 length */
}

/* One data file per training run (train_I.dat: step, then the columns of
 * train_value, each headed by "RUN" or "RUN: what"), one SVG per plot. */
static int plot_train(Plotter *p, const RpModel *m, int made[RP_TRAIN_PLOTS], Err *err) {
    Buf lines[RP_TRAIN_PLOTS];
    for (int k = 0; k < RP_TRAIN_PLOTS; k++) buf_init(&lines[k]), made[k] = 0;
    int rc = IM_OK, nrun = 0;
    for (int i = 0; !rc && i < m->n; i++) {
        const RpRun *run = m->run[i];
        if (!run->nstep) continue;
        int ncol = 4 + run->ncomp, has[4 + RP_MAX_COMPONENTS] = {0};
        Buf d, head;
        buf_init(&d), buf_init(&head);
        buf_puts(&d, "\"step\"");
        for (int c = 0; c < ncol; c++) {
            buf_reset(&head);
            buf_puts(&head, run->name ? run->name : "");
            if (c == 1) buf_puts(&head, ": mean reward");
            if (c >= 4) buf_puts(&head, ": "), buf_puts(&head, run->comp_name[c - 4]);
            buf_putc(&d, ' '), gp_label(&d, head.data);
        }
        buf_putc(&d, '\n');
        for (int s = 0; s < run->nstep; s++) {
            buf_printf(&d, "%d", run->step[s].step);
            for (int c = 0; c < ncol; c++) {
                double v = train_value(&run->step[s], c);
                if (isfinite(v)) buf_printf(&d, " %.8g", v), has[c] = 1;
                else buf_puts(&d, " NaN");
            }
            buf_putc(&d, '\n');
        }
        char name[64];
        snprintf(name, sizeof name, "train_%d.dat", i);
        rc = write_data(p, name, &d, err);
        buf_free(&d), buf_free(&head);
        for (int c = 0; !rc && c < ncol; c++) {
            int k = train_plot_of(run, c);
            if (k < 0 || !has[c]) continue;
            /* line colour: the run's for a single series, the component's within a GRPO run */
            int lc = k == 1 ? (c == 1 ? 1 : c - 2) : nrun % 10 + 1;
            buf_printf(&lines[k], "%s'%s/%s' using 1:%d with linespoints pt 7 ps 0.3 lc %d %stitle columnheader(%d)", made[k] ? ", " : "",
                       p->dir, name, c + 2, lc, k == 1 && c == 1 ? "lw 2.5 " : "", c + 2);
            made[k] = 1;
        }
        nrun++;
    }
    for (int k = 0; !rc && k < RP_TRAIN_PLOTS; k++) {
        if (!made[k]) continue;
        char out[32];
        snprintf(out, sizeof out, "train_%d.svg", k);
        begin_plot(p, out, 560, 320);
        buf_printf(&p->script, "set key outside right top noautotitle\nset xlabel 'step'\nplot %s\n", lines[k].data);
    }
    for (int k = 0; k < RP_TRAIN_PLOTS; k++) buf_free(&lines[k]);
    return rc;
}

/* ---- running gnuplot -------------------------------------------------- */

static int run_gnuplot(Plotter *p, Err *err) {
    const char *log = path_of(p, "gnuplot.log");
    if (!log) return err_set(err, IM_IO, "plot: too many files");
    int fds[2];
    if (pipe(fds)) return err_set(err, IM_IO, "plot: pipe: %s", strerror(errno));
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[0], 0);
    posix_spawn_file_actions_addclose(&fa, fds[1]);
    posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    char *argv[] = {"gnuplot", NULL};
    pid_t pid;
    int sp = posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[0]);
    if (sp) {
        close(fds[1]);
        return err_set(err, IM_IO, "plot: cannot start gnuplot: %s (install gnuplot-nox, or pass --no-plots)", strerror(sp));
    }
    /* a gnuplot that dies early must not kill us with SIGPIPE */
    void (*old)(int) = signal(SIGPIPE, SIG_IGN);
    size_t off = 0;
    int werr = 0;
    while (off < p->script.len) {
        ssize_t w = write(fds[1], p->script.data + off, p->script.len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) { werr = 1; break; }
        off += (size_t)w;
    }
    close(fds[1]);
    signal(SIGPIPE, old);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (werr || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char *text = NULL;
        size_t len;
        Err ignore = {0};
        fs_read_file(log, &text, &len, &ignore);
        err_set(err, IM_IO, "plot: gnuplot failed: %.600s", text ? text : "(no message)");
        free(text);
        return IM_IO;
    }
    return IM_OK;
}

static char *read_svg(Plotter *p, const char *name, Err *err) {
    char *path = fs_join(p->dir, name), *text = NULL;
    size_t len;
    if (!path || fs_read_file(path, &text, &len, err)) text = NULL;
    free(path);
    return text;
}

/* Only names safe inside a single-quoted gnuplot string. */
static int safe_dir(const char *s) {
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || strchr("/._-+", *s)))
            return 0;
    return 1;
}

int rp_plots_make(const RpModel *m, const RpAnalysis *a, RpPlots *out, Err *err) {
    memset(out, 0, sizeof *out);
    Plotter p;
    memset(&p, 0, sizeof p);
    buf_init(&p.script);
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp || !safe_dir(tmp) || strlen(tmp) > 400) tmp = "/tmp";
    snprintf(p.dir, sizeof p.dir, "%s/imagine-plot-XXXXXX", tmp);
    if (!mkdtemp(p.dir)) return buf_free(&p.script), err_set(err, IM_IO, "plot: cannot create a directory in %s: %s", tmp, strerror(errno));
    int train[RP_TRAIN_PLOTS] = {0}, rc = m->n > 0 ? IM_OK : err_set(err, IM_USAGE, "plot: no runs");
    out->g = calloc((size_t)(a->ng ? a->ng : 1), sizeof *out->g);
    out->heat = calloc((size_t)(m->n ? m->n : 1), sizeof *out->heat);
    int *made = calloc((size_t)(m->n ? m->n : 1), sizeof *made), *checks = calloc((size_t)(a->ng ? a->ng : 1), 2 * sizeof *checks);
    int *cost = checks ? checks + (a->ng ? a->ng : 1) : NULL, *items = calloc((size_t)(a->ng ? a->ng : 1), sizeof *items);
    if (!rc && (!out->g || !out->heat || !made || !checks || !items)) rc = err_set(err, IM_IO, "out of memory");
    if (!rc) out->ng = a->ng, out->nheat = m->n;
    /* training runs have steps and no items: a group of those alone has the
     * training curves only */
    for (int g = 0; !rc && g < a->ng; g++) {
        for (int j = 0; j < a->g[g].n; j++) items[g] += m->run[a->g[g].run[j]]->n;
        if (!items[g]) continue;
        rc = plot_rates(&p, m, a, g, err);
        if (!rc) rc = plot_heat(&p, m, a, g, made, err);
        if (!rc) rc = plot_constraints(&p, m, a, g, &checks[g], &out->g[g].constraints_note, err);
        if (!rc) rc = plot_cost(&p, m, a, g, &cost[g], err);
    }
    if (!rc) rc = plot_train(&p, m, train, err);
    if (!rc) rc = run_gnuplot(&p, err);
    for (int g = 0; !rc && g < a->ng; g++) {
        char name[64];
        RpGroupPlots *gp = &out->g[g];
        if (items[g]) {
            group_file(name, sizeof name, "rates", "svg", g);
            if (!(gp->rates = read_svg(&p, name, err))) rc = IM_IO;
        }
        if (!rc && checks[g]) {
            group_file(name, sizeof name, "checks", "svg", g);
            if (!(gp->constraints = read_svg(&p, name, err))) rc = IM_IO;
        }
        if (!rc && cost[g]) {
            group_file(name, sizeof name, "cost", "svg", g);
            if (!(gp->cost = read_svg(&p, name, err))) rc = IM_IO;
        }
    }
    for (int i = 0; !rc && i < m->n; i++) {
        if (!made[i]) continue;
        char name[64];
        snprintf(name, sizeof name, "heat_%d.svg", i);
        if (!(out->heat[i] = read_svg(&p, name, err))) rc = IM_IO;
    }
    for (int k = 0; !rc && k < RP_TRAIN_PLOTS; k++) {
        char name[32];
        snprintf(name, sizeof name, "train_%d.svg", k);
        snprintf(out->train_title[k], sizeof out->train_title[k], "%s", train_what[k]);
        if (train[k] && !(out->train[k] = read_svg(&p, name, err))) rc = IM_IO;
    }
    for (int i = 0; i < p.nfiles; i++) unlink(p.files[i]), free(p.files[i]);
    rmdir(p.dir);
    buf_free(&p.script);
    free(made), free(checks), free(items);
    if (rc) rp_plots_free(out);
    return rc;
}

void rp_plots_free(RpPlots *p) {
    if (!p) return;
    for (int g = 0; p->g && g < p->ng; g++)
        free(p->g[g].rates), free(p->g[g].constraints), free(p->g[g].constraints_note), free(p->g[g].cost);
    free(p->g);
    for (int k = 0; k < RP_TRAIN_PLOTS; k++) free(p->train[k]);
    for (int i = 0; p->heat && i < p->nheat; i++) free(p->heat[i]);
    free(p->heat);
    memset(p, 0, sizeof *p);
}
