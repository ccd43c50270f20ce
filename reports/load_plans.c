/* load_plans.c: an answer file evaluated on the fly as a report run,
 * through the suite interface. Reads the file; never writes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "fsutil.h"
#include "load.h"

char *rp_plans_label(const char *path) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char *label = strdup(base);
    if (!label) return NULL;
    size_t n = strlen(label);
    if (n > 6 && !strcmp(label + n - 6, ".jsonl")) label[n - 6] = 0;
    else if (n > 5 && !strcmp(label + n - 5, ".json")) label[n - 5] = 0;
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

/* The "plan" value of an answer line that is a JSON object (a submission
 * line), or NULL: shown even when the suite reads no answer from it. */
static char *plan_text(const char *line) {
    cJSON *root = line ? cJSON_Parse(line) : NULL;
    char *out = NULL;
    const cJSON *plan = cJSON_IsObject(root) ? cJSON_GetObjectItemCaseSensitive(root, "plan") : NULL;
    if (plan && !cJSON_IsNull(plan)) out = cJSON_PrintUnformatted(plan);
    cJSON_Delete(root);
    return out;
}

/* Lines of the file once stripped of surrounding white space (0 when empty). */
static int file_lines(const char *path) {
    char *text = NULL;
    size_t len = 0;
    Err ignore = {0};
    if (fs_read_file(path, &text, &len, &ignore)) return 0;
    const char *b = text, *e = text + len;
    while (b < e && (*b == ' ' || (*b >= '\t' && *b <= '\r'))) b++;
    while (e > b && (e[-1] == ' ' || (e[-1] >= '\t' && e[-1] <= '\r'))) e--;
    int n = b < e;
    for (const char *p = b; p < e; p++) n += *p == '\n';
    free(text);
    return n;
}

int rp_load_plans(const Suite *s, const SuiteItems *items, const char *split, const char *path, RpRun **out, Buf *warn,
                  Err *err) {
    *out = NULL;
    void *ans = NULL;
    if (!s->ops->answers_open || !s->ops->answer)
        return err_set(err, IM_USAGE, "%s: suite %s reads no answer files", path, s->ops->name);
    int rc = s->ops->answers_open(s, path, &ans, err);
    if (rc) return rc;
    char *label = rp_plans_label(path);
    int n = items->n;
    RpRun *run = rp_run_new(s->ops, label, label, label, "submission file", split, n);
    SuiteEval *ev = calloc((size_t)(n ? n : 1), sizeof *ev);
    free(label);
    if (!run || !ev) {
        s->ops->answers_close(ans), rp_run_free(run), free(ev);
        return err_set(err, IM_IO, "out of memory loading %s", path);
    }
    run->source = strdup(path);
    Buf cfg;
    buf_init(&cfg);
    buf_puts(&cfg, "{\"source\": ");
    buf_json_str(&cfg, path);
    buf_puts(&cfg, ", \"queries\": ");
    buf_json_str(&cfg, items->source ? items->source : "");
    buf_printf(&cfg, ", \"plan_lines\": %d}", file_lines(path));
    run->config_json = buf_take(&cfg);
    buf_free(&cfg);
    for (int i = 0; i < n && !rc; i++) {
        const SuiteItem *it = &items->item[i];
        char *answer = NULL, *raw = NULL, *why = NULL;
        rc = s->ops->answer(ans, it, &answer, &raw, &why, err);
        if (rc) break;
        suite_evaluate(s, it, answer, i + 1, &ev[i]);
        rc = rp_run_set_item(run, i, s, it, &ev[i], err);
        RpItem *ri = &run->item[i];
        ri->raw = raw;
        ri->plan_json = answer ? answer : plan_text(raw);
        if (answer && ri->plan_json != answer) free(answer);
        if (why && warn && !raw) buf_printf(warn, "%s: %s\n", path, why);
        free(why);
    }
    if (!rc) rc = rp_run_finish(run, s, items->item, ev, err);
    for (int i = 0; i < n; i++) suite_eval_free(s, &ev[i]);
    free(ev);
    s->ops->answers_close(ans);
    if (rc) {
        rp_run_free(run);
        return err_prefix(err, "%s", path);
    }
    *out = run;
    return IM_OK;
}
