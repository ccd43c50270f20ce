/* load_plans.c: a submission file evaluated on the fly as a report run.
 * Reads the file; never writes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"

char *rp_plans_label(const char *path) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char *label = strdup(base);
    if (!label) return NULL;
    size_t n = strlen(label);
    if (n > 6 && !strcmp(label + n - 6, ".jsonl")) label[n - 6] = 0;
    return label;
}

char *rp_plans_arg(const char *arg, const char **file) {
    const char *eq = strrchr(arg, '=');
    if (eq && eq > arg && !memchr(arg, '/', (size_t)(eq - arg))) {
        *file = eq + 1;
        return strndup(arg, (size_t)(eq - arg));
    }
    *file = arg;
    return rp_plans_label(arg);
}

/* The "plan" value of a line as compact JSON, or NULL. */
static char *plan_text(const char *line) {
    cJSON *root = cJSON_Parse(line);
    char *out = NULL;
    const cJSON *plan = cJSON_IsObject(root) ? cJSON_GetObjectItemCaseSensitive(root, "plan") : NULL;
    if (plan && !cJSON_IsNull(plan)) out = cJSON_PrintUnformatted(plan);
    cJSON_Delete(root);
    return out;
}

int rp_load_plans(const TpDb *db, const TpQuerySet *qs, const char *split, const char *path, RpRun **out, Buf *warn,
                  Err *err) {
    *out = NULL;
    TpSubmission *sub = NULL;
    int rc = tp_submission_read(path, &sub, err);
    if (rc) return rc;
    char *label = rp_plans_label(path);
    RpRun *run = rp_run_new(label, label, label, "submission file", split, qs->n);
    free(label);
    if (!run) {
        tp_submission_free(sub);
        return err_set(err, IM_IO, "out of memory loading %s", path);
    }
    run->source = strdup(path);
    Buf cfg;
    buf_init(&cfg);
    buf_puts(&cfg, "{\"source\": ");
    buf_json_str(&cfg, path);
    buf_puts(&cfg, ", \"queries\": ");
    buf_json_str(&cfg, qs->path ? qs->path : "");
    buf_printf(&cfg, ", \"plan_lines\": %d}", sub->n);
    run->config_json = buf_take(&cfg);
    buf_free(&cfg);
    tp_eval_submission(db, qs, sub, run->r, warn);
    for (int i = 0; i < qs->n && !rc; i++) {
        rc = rp_run_set_query(run, i, &qs->q[i], err);
        if (i < sub->n) {
            run->item[i].raw = strdup(sub->line[i]);
            run->item[i].plan_json = plan_text(sub->line[i]);
        }
    }
    tp_submission_free(sub);
    if (rc) {
        rp_run_free(run);
        return err_prefix(err, "%s", path);
    }
    rp_run_finish(run);
    *out = run;
    return IM_OK;
}
