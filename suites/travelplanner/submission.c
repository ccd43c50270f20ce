/* submission.c: reading a submission file and pairing its lines with the
 * queries by position, as eval.py does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evaluate.h"
#include "fsutil.h"

void tp_submission_free(TpSubmission *s) {
    if (!s) return;
    free(s->text), free(s->line), free(s->path), free(s);
}

static int py_space(char ch) { return ch == ' ' || (ch >= '\t' && ch <= '\r') || (ch >= 0x1c && ch <= 0x1f); }

int tp_submission_read(const char *path, TpSubmission **out, Err *err) {
    *out = NULL;
    TpSubmission *s = calloc(1, sizeof *s);
    if (!s) return err_set(err, IM_IO, "out of memory");
    size_t len;
    int rc = fs_read_text(path, &s->text, &len, err);
    if (rc) { free(s); return rc; }
    s->path = strdup(path);
    /* strip() the whole text, then split on '\n' */
    char *b = s->text, *e = s->text + len;
    while (b < e && py_space(*b)) b++;
    while (e > b && py_space(e[-1])) e--;
    *e = 0;
    size_t n = 1;
    for (char *p = b; p < e; p++) n += *p == '\n';
    s->line = calloc(n + 1, sizeof(char *));
    if (!s->line) { tp_submission_free(s); return err_set(err, IM_IO, "out of memory"); }
    for (char *p = b;;) {
        s->line[s->n++] = p;
        char *nl = strchr(p, '\n');
        if (!nl) break;
        *nl = 0;
        p = nl + 1;
    }
    if (b == e) s->n = 0; /* an empty file has no plan lines */
    *out = s;
    return IM_OK;
}

void tp_eval_submission(const TpDb *db, const TpQuerySet *qs, const TpSubmission *sub, TpPlanResult *results, Buf *warn) {
    for (int i = 0; i < qs->n; i++) {
        if (i < sub->n) {
            tp_eval_line(db, &qs->q[i], sub->line[i], i + 1, &results[i]);
            if (results[i].note && warn) buf_printf(warn, "%s: %s\n", sub->path, results[i].note);
        } else {
            memset(&results[i], 0, sizeof results[i]);
            char note[160];
            snprintf(note, sizeof note, "plan line %d: missing (the file has %d plan lines for %d queries)", i + 1, sub->n, qs->n);
            results[i].note = strdup(note);
        }
    }
    if (warn && sub->n < qs->n)
        buf_printf(warn, "%s: %d plan lines for %d queries: the last %d count as not delivered\n", sub->path, sub->n, qs->n,
                   qs->n - sub->n);
    if (warn && sub->n > qs->n)
        buf_printf(warn, "%s: %d plan lines for %d queries: the extra %d lines are ignored\n", sub->path, sub->n, qs->n,
                   sub->n - qs->n);
}
