/* stages.c: the stage-times file of `imagine report --stages` into the
 * report model. The file is TSV: a header "stage<TAB>seconds", optionally
 * "<TAB>note", then one line per stage: its name, its wall time in seconds
 * (a number >= 0), and the note when the header has one. Empty lines are
 * skipped; anything else wrong fails naming file:line, and the model is
 * left as it was. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "model.h"

/* Splits line (modified in place) at tabs into at most max fields; the
 * number of fields found. */
static int split_tabs(char *line, char **f, int max) {
    int n = 0;
    for (char *p = line;; n++) {
        if (n == max) return max + 1;
        f[n] = p;
        char *t = strchr(p, '\t');
        if (!t) return n + 1;
        *t = 0, p = t + 1;
    }
}

static void stages_free(RpStage *st, int n) {
    for (int i = 0; i < n; i++) free(st[i].name), free(st[i].note);
    free(st);
}

int rp_model_load_stages(RpModel *m, const char *path, Err *err) {
    char *text = NULL;
    size_t len = 0;
    if (fs_read_text(path, &text, &len, err)) return err_prefix(err, "--stages");
    RpStage *st = NULL;
    int n = 0, lineno = 0, cols = 0, rc = IM_OK;
    char *save = text;
    for (char *line = text; !rc && line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = 0;
        lineno++;
        size_t l = strlen(line);
        if (l && line[l - 1] == '\r') line[--l] = 0;
        char *f[4];
        int nf = l ? split_tabs(line, f, 3) : 0;
        if (!cols) {
            if (nf < 2 || nf > 3 || strcmp(f[0], "stage") || strcmp(f[1], "seconds") || (nf == 3 && strcmp(f[2], "note")))
                rc = err_set(err, IM_IO, "%s:%d: expected the header \"stage<TAB>seconds\" (optionally \"<TAB>note\")", path, lineno);
            cols = nf;
        } else if (nf) {
            char *end = NULL;
            errno = 0;
            double v = nf >= 2 ? strtod(f[1], &end) : NAN;
            if (nf > cols)
                rc = err_set(err, IM_IO, "%s:%d: %d columns, the header has %d", path, lineno, nf > 3 ? 4 : nf, cols);
            else if (nf < 2)
                rc = err_set(err, IM_IO, "%s:%d: expected stage<TAB>seconds", path, lineno);
            else if (!*f[0])
                rc = err_set(err, IM_IO, "%s:%d: the stage has no name", path, lineno);
            else if (!*f[1] || *end || errno || !isfinite(v) || v < 0)
                rc = err_set(err, IM_IO, "%s:%d: seconds '%.40s' is not a number >= 0", path, lineno, f[1]);
            else {
                RpStage *grown = realloc(st, (size_t)(n + 1) * sizeof *st);
                if (!grown) rc = err_set(err, IM_IO, "out of memory");
                else {
                    st = grown;
                    st[n].name = strdup(f[0]);
                    st[n].note = nf == 3 && *f[2] ? strdup(f[2]) : NULL;
                    st[n].seconds = v;
                    if (!st[n].name || (nf == 3 && *f[2] && !st[n].note)) rc = err_set(err, IM_IO, "out of memory");
                    n++;
                }
            }
        }
        line = nl ? nl + 1 : NULL;
    }
    if (!rc && !cols) rc = err_set(err, IM_IO, "%s:1: empty; expected the header \"stage<TAB>seconds\"", path);
    free(save);
    if (rc) return stages_free(st, n), rc;
    for (int i = 0; i < m->nstage; i++) free(m->stage[i].name), free(m->stage[i].note);
    free(m->stage);
    m->stage = st, m->nstage = n;
    return IM_OK;
}
