/* plot.c: writes the plot data to a temporary directory, drives one
 * gnuplot process through its standard input, reads the SVG files back.
 *
 * Sections: data files (model text only here, as quoted data strings),
 * the script (fixed text and numbers only), running gnuplot, cleanup. */
#include "plot.h"

#include <errno.h>
#include <fcntl.h>
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

static int plot_rates(Plotter *p, const RpModel *m, const RpAnalysis *a, Err *err) {
    Buf d;
    buf_init(&d);
    buf_puts(&d, "\"rate\"");
    for (int i = 0; i < m->n; i++) {
        buf_putc(&d, ' ');
        gp_label(&d, m->run[i]->name);
        buf_puts(&d, " \"lo\" \"hi\"");
    }
    buf_putc(&d, '\n');
    static const char *const short_name[RP_NRATES] = {"Delivery", "CS micro", "CS macro", "Hard micro", "Hard macro", "Final pass"};
    for (int r = 0; r < RP_NRATES; r++) {
        gp_label(&d, short_name[r]);
        for (int i = 0; i < m->n; i++) {
            const RpCi *c = &a->s[i].rate[r];
            buf_printf(&d, " %.4f %.4f %.4f", c->est * 100, c->lo * 100, c->hi * 100);
        }
        buf_putc(&d, '\n');
    }
    int rc = write_data(p, "rates.dat", &d, err);
    buf_free(&d);
    if (rc) return rc;
    begin_plot(p, "rates.svg", 960, 400);
    buf_printf(&p->script,
               "set style data histogram\nset style histogram errorbars gap 2 lw 1\n"
               "set style fill solid 0.85 border -1\nset boxwidth 0.9\nset yrange [0:105]\n"
               "set ylabel 'pass rate (%%), 95%% CI'\nset key outside right top vertical noautotitle\n"
               "plot for [i=0:%d] '%s/rates.dat' using (column(2+3*i)):(column(3+3*i)):(column(4+3*i)):xtic(1) "
               "title columnheader(2+3*i)\n",
               m->n - 1, p->dir);
    return IM_OK;
}

static int plot_heat(Plotter *p, const RpModel *m, Err *err) {
    for (int i = 0; i < m->n; i++) {
        int pass[TP_NLEVELS][3], n[TP_NLEVELS][3];
        rp_run_cells(m->run[i], pass, n);
        Buf d;
        buf_init(&d);
        for (int l = 0; l < TP_NLEVELS; l++)
            for (int k = 0; k < 3; k++) {
                if (n[l][k]) buf_printf(&d, "%d %d %.4f \"%d/%d\"\n", k, l, 100.0 * pass[l][k] / n[l][k], pass[l][k], n[l][k]);
                else buf_printf(&d, "%d %d NaN \"-\"\n", k, l);
            }
        char name[64], svg[64];
        snprintf(name, sizeof name, "heat_%d.dat", i);
        snprintf(svg, sizeof svg, "heat_%d.svg", i);
        int rc = write_data(p, name, &d, err);
        buf_free(&d);
        if (rc) return rc;
        begin_plot(p, svg, 320, 260);
        buf_printf(&p->script,
                   "unset key\nunset grid\nset xrange [-0.5:2.5]\nset yrange [-0.5:2.5]\n"
                   "set xtics ('3 days' 0, '5 days' 1, '7 days' 2)\nset ytics ('easy' 0, 'medium' 1, 'hard' 2)\n"
                   "set cbrange [0:100]\nset cblabel 'final pass (%%)'\n"
                   "set palette defined (0 '#f7fcf5', 50 '#a1d99b', 100 '#31a354')\n"
                   "plot '%s/%s' using 1:2:3 with image pixels, '' using 1:2:4 with labels font ',12'\n",
                   p->dir, name);
    }
    return IM_OK;
}

/* A run in which no check ran (no plan delivered) has no point to draw and
 * gnuplot refuses a histogram column without one: such runs are left out of
 * the plot and named in *note; with none left the plot is left out
 * (*made = 0). Their zeros stay in the tables. */
static int plot_constraints(Plotter *p, const RpModel *m, int *made, char **note, Err *err) {
    int pass[64][RP_NCHECKS], fail[64][RP_NCHECKS], nr = m->n < 64 ? m->n : 64, keep[64], nk = 0;
    Buf why;
    buf_init(&why);
    for (int i = 0; i < nr; i++) {
        rp_run_check_counts(m->run[i], pass[i], fail[i]);
        int ran = 0;
        for (int k = 0; k < RP_NCHECKS; k++) ran += pass[i][k] + fail[i][k];
        if (ran) keep[nk++] = i;
        else buf_printf(&why, "%s%s", why.len ? ", " : "", m->run[i]->name ? m->run[i]->name : "?");
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
    for (int j = 0; j < nk; j++) buf_putc(&d, ' '), gp_label(&d, m->run[keep[j]]->name);
    buf_putc(&d, '\n');
    for (int k = 0; k < RP_NCHECKS; k++) {
        gp_label(&d, rp_check_name(k));
        for (int j = 0; j < nk; j++) {
            int i = keep[j], t = pass[i][k] + fail[i][k];
            if (t) buf_printf(&d, " %.4f", 100.0 * pass[i][k] / t);
            else buf_puts(&d, " NaN");
        }
        buf_putc(&d, '\n');
    }
    int rc = write_data(p, "checks.dat", &d, err);
    buf_free(&d);
    if (rc) return rc;
    begin_plot(p, "checks.svg", 960, 440);
    buf_printf(&p->script,
               "set style data histogram\nset style histogram clustered gap 1\nset style fill solid 0.85 border -1\n"
               "set yrange [0:105]\nset ylabel 'pass rate where the check ran (%%)'\n"
               "set xtics rotate by 30 right\nset key outside right top vertical noautotitle\nset bmargin 9\n"
               "plot for [i=2:%d] '%s/checks.dat' using i:xtic(1) title columnheader(i)\n",
               nk + 1, p->dir);
    return IM_OK;
}

static int plot_cost(Plotter *p, const RpModel *m, const RpAnalysis *a, int *made, Err *err) {
    Buf d;
    buf_init(&d);
    int k = 0;
    for (int i = 0; i < m->n; i++) {
        const RpRunStats *s = &a->s[i];
        if (!s->has_cost) continue;
        gp_label(&d, m->run[i]->name);
        buf_printf(&d, " %.8g %.8g %.8g %.4f %.4f %.4f %d\n", s->cost.est, s->cost.lo, s->cost.hi, s->rate[RP_FINAL].est * 100,
                   s->rate[RP_FINAL].lo * 100, s->rate[RP_FINAL].hi * 100, i % 10 + 1);
        k++;
    }
    *made = k > 0;
    int rc = k ? write_data(p, "cost.dat", &d, err) : IM_OK;
    buf_free(&d);
    if (rc || !k) return rc;
    begin_plot(p, "cost.svg", 640, 400);
    buf_printf(&p->script,
               "unset key\nset xlabel 'mean cost per query (USD), 95%% CI'\nset ylabel 'final pass (%%), 95%% CI'\n"
               "set yrange [0:105]\nset xrange [0:*]\nset offsets 0, graph 0.15, 0, 0\n"
               "plot '%s/cost.dat' using 2:5:3:4:6:7:8 with xyerrorbars lc variable pt 7 ps 1.2, "
               "'' using 2:5:1 with labels offset 1,1 left font ',10'\n",
               p->dir);
    return IM_OK;
}

static int plot_train(Plotter *p, const RpModel *m, int *made, Err *err) {
    Buf list;
    buf_init(&list);
    int k = 0, reflection = 0;
    for (int i = 0; i < m->n; i++) {
        const RpRun *run = m->run[i];
        if (!run->nstep) continue;
        Buf d;
        buf_init(&d);
        buf_puts(&d, "\"step\"");
        for (int c = 0; c < 3; c++) buf_putc(&d, ' '), gp_label(&d, run->name);
        buf_putc(&d, '\n');
        for (int s = 0; s < run->nstep; s++) {
            const RpTrainStep *t = &run->step[s];
            reflection |= t->reflection >= 0;
            buf_printf(&d, "%d %.8g %.8g ", t->step, t->loss, t->reward);
            if (t->reflection >= 0) buf_printf(&d, "%.8g\n", t->reflection);
            else buf_puts(&d, "NaN\n");
        }
        char name[64];
        snprintf(name, sizeof name, "train_%d.dat", i);
        int rc = write_data(p, name, &d, err);
        buf_free(&d);
        if (rc) return buf_free(&list), rc;
        buf_printf(&list, "%s%d", k ? " " : "", i);
        k++;
    }
    *made = k > 0;
    if (k) {
        int panels = reflection ? 3 : 2;
        begin_plot(p, "train.svg", 320 * panels + 80, 340);
        buf_printf(&p->script, "set multiplot layout 1,%d\nset key bottom right noautotitle\nset xlabel 'step'\n", panels);
        const char *what[3] = {"loss", "reward", "reflection ratio"};
        for (int c = 0; c < panels; c++)
            buf_printf(&p->script,
                       "set title '%s'\nplot for [i in '%s'] '%s/train_'.i.'.dat' using 1:%d with lines "
                       "lc (int(i)%%10+1) title columnheader(%d)\n",
                       what[c], list.data, p->dir, c + 2, c + 2);
        buf_puts(&p->script, "unset multiplot\n");
    }
    buf_free(&list);
    return IM_OK;
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
    int cost = 0, train = 0, checks = 0, rc = m->n > 0 ? IM_OK : err_set(err, IM_USAGE, "plot: no runs");
    if (!rc) rc = plot_rates(&p, m, a, err);
    if (!rc) rc = plot_heat(&p, m, err);
    if (!rc) rc = plot_constraints(&p, m, &checks, &out->constraints_note, err);
    if (!rc) rc = plot_cost(&p, m, a, &cost, err);
    if (!rc) rc = plot_train(&p, m, &train, err);
    if (!rc) rc = run_gnuplot(&p, err);
    if (!rc) {
        out->rates = read_svg(&p, "rates.svg", err);
        if (checks) out->constraints = read_svg(&p, "checks.svg", err);
        out->heat = calloc((size_t)m->n, sizeof *out->heat);
        out->nheat = out->heat ? m->n : 0;
        for (int i = 0; i < out->nheat; i++) {
            char name[64];
            snprintf(name, sizeof name, "heat_%d.svg", i);
            out->heat[i] = read_svg(&p, name, err);
        }
        if (cost) out->cost = read_svg(&p, "cost.svg", err);
        if (train) out->train = read_svg(&p, "train.svg", err);
        if (!out->rates || (checks && !out->constraints) || !out->heat || (cost && !out->cost) || (train && !out->train)) rc = IM_IO;
        for (int i = 0; !rc && i < out->nheat; i++)
            if (!out->heat[i]) rc = IM_IO;
    }
    for (int i = 0; i < p.nfiles; i++) unlink(p.files[i]), free(p.files[i]);
    rmdir(p.dir);
    buf_free(&p.script);
    if (rc) rp_plots_free(out);
    return rc;
}

void rp_plots_free(RpPlots *p) {
    if (!p) return;
    free(p->rates), free(p->constraints), free(p->constraints_note), free(p->cost), free(p->train);
    for (int i = 0; i < p->nheat; i++) free(p->heat[i]);
    free(p->heat);
    memset(p, 0, sizeof *p);
}
