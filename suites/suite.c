/* suite.c: calling a suite (suite.h): the data folder, opening, and the
 * wrappers that own what the ops fill. No suite's types here, no I/O but
 * stat() for the data folder; suite_find and friends are in
 * suite_registry.c, beside the list of suites. */
#include "suite.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef IMAGINE_SHARED_DIR
#define IMAGINE_SHARED_DIR "../shared"
#endif

/* ---- data folder ----------------------------------------------------------- */

static int is_dir(const char *p) {
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* flag, else the environment variable, else the user's data folder; *given
 * says whether one of the first two named it. */
static char *named_or_user_dir(const SuiteOps *ops, const char *flag, int *given) {
    *given = 1;
    if (flag && *flag) return strdup(flag);
    const char *env = ops->data_env ? getenv(ops->data_env) : NULL;
    if (env && *env) return strdup(env);
    *given = 0;
    char user[4096];
    const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
    if (xdg && *xdg) snprintf(user, sizeof user, "%s/imagine/%s", xdg, ops->name);
    else snprintf(user, sizeof user, "%s/.local/share/imagine/%s", home ? home : ".", ops->name);
    return strdup(user);
}

char *suite_user_data_dir(const SuiteOps *ops, const char *flag) {
    int given;
    return named_or_user_dir(ops, flag, &given);
}

char *suite_data_dir(const SuiteOps *ops, const char *flag) {
    int given;
    char *dir = named_or_user_dir(ops, flag, &given), shared[4096];
    if (given || !dir || is_dir(dir)) return dir;
    snprintf(shared, sizeof shared, "%s/%s", IMAGINE_SHARED_DIR, ops->name);
    if (!is_dir(shared)) return dir;
    free(dir);
    return strdup(shared);
}

int suite_has_split(const SuiteOps *ops, const char *split) {
    for (const char *const *p = ops->splits; split && p && *p; p++)
        if (!strcmp(*p, split)) return 1;
    return 0;
}

/* ---- opening ----------------------------------------------------------------- */

static int missing_op(const SuiteOps *ops, const char *what, Err *err) {
    return err_set(err, IM_USAGE, "suite %s has no %s", ops->name, what);
}
static int missing(const Suite *s, const char *what, Err *err) { return missing_op(s->ops, what, err); }

int suite_open(const SuiteOps *ops, const char *data_dir, Suite **out, Err *err) {
    *out = NULL;
    Suite *s = calloc(1, sizeof *s);
    if (!s || !(s->data_dir = strdup(data_dir ? data_dir : ""))) {
        free(s);
        return err_set(err, IM_IO, "out of memory");
    }
    s->ops = ops;
    int rc = ops->open && data_dir ? ops->open(s->data_dir, &s->state, err) : IM_OK;
    if (rc) {
        free(s->data_dir), free(s);
        return rc;
    }
    *out = s;
    return IM_OK;
}

void suite_close(Suite *s) {
    if (!s) return;
    if (s->ops->close && s->state) s->ops->close(s->state);
    free(s->data_dir);
    free(s);
}

/* ---- items --------------------------------------------------------------------- */

int suite_items_load(const Suite *s, const char *split, const char *file, SuiteItems **out, Err *err) {
    *out = NULL;
    return s->ops->items_load(s, split, file, out, err);
}

void suite_item_free(const Suite *s, SuiteItem *it) {
    if (!it) return;
    if (s && s->ops->item_free) s->ops->item_free(it);
    free(it->fields_json), free(it->text);
    for (int k = 0; k < SUITE_MAX_STRATA; k++) free(it->stratum[k]);
    memset(it, 0, sizeof *it);
}

void suite_items_free(const Suite *s, SuiteItems *items) {
    if (!items) return;
    for (int i = 0; i < items->n; i++) suite_item_free(s, &items->item[i]);
    free(items->item), free(items->source), free(items);
}

int suite_item_parse(const Suite *s, const char *fields_json, const char *where, int line, SuiteItem *out, Err *err) {
    memset(out, 0, sizeof *out);
    return s->ops->item_parse(s, fields_json, where, line, out, err);
}

void suite_item_stratum(const Suite *s, const SuiteItem *it, Buf *out) {
    for (int k = 0; s->ops->strata && s->ops->strata[k] && k < SUITE_MAX_STRATA; k++)
        buf_printf(out, "%s%s=%s", k ? "," : "", s->ops->strata[k], it->stratum[k] ? it->stratum[k] : "");
}

/* ---- material -------------------------------------------------------------------- */

int suite_material(const Suite *s, const SuiteItem *it, SuiteMaterial *out, Err *err) {
    memset(out, 0, sizeof *out);
    if (!s->ops->material) return missing(s, "material for methods", err);
    int rc = s->ops->material(s, it, out, err);
    if (rc) suite_material_free(out);
    return rc;
}

void suite_material_free(SuiteMaterial *m) {
    if (!m) return;
    free(m->task), free(m->reference), free(m->prompt), free(m->answer_format), free(m->statement);
    memset(m, 0, sizeof *m);
}

/* ---- evaluation -------------------------------------------------------------------- */

void suite_evaluate(const Suite *s, const SuiteItem *it, const char *answer_json, int line, SuiteEval *out) {
    memset(out, 0, sizeof *out);
    s->ops->evaluate(s, it, answer_json, line, out);
}

void suite_eval_free(const Suite *s, SuiteEval *e) {
    if (!e) return;
    if (s && s->ops->eval_free) s->ops->eval_free(e);
    for (int i = 0; i < e->n; i++) free(e->v[i].message);
    free(e->v), free(e->note), free(e->log);
    memset(e, 0, sizeof *e);
}

int suite_eval_add(SuiteEval *e, const char *family, const char *name, int value, const char *message) {
    SuiteVerdict *v = realloc(e->v, (size_t)(e->n + 1) * sizeof *v);
    if (!v) return IM_IO;
    e->v = v;
    char *msg = message ? strdup(message) : NULL;
    if (message && !msg) return IM_IO;
    e->v[e->n++] = (SuiteVerdict){family, name, (signed char)(value < 0 ? -1 : value ? 1 : 0), msg};
    return IM_OK;
}

/* ---- metrics ------------------------------------------------------------------------ */

int suite_metrics(const Suite *s, const char *split, const SuiteItem *items, const SuiteEval *evals, int n,
                  SuiteMetrics *out, Err *err) {
    memset(out, 0, sizeof *out);
    int rc = s->ops->metrics(s, split, items, evals, n, out, err);
    if (rc) suite_metrics_free(s, out);
    return rc;
}

void suite_metrics_free(const Suite *s, SuiteMetrics *m) {
    if (!m) return;
    if (s && s->ops->metrics_free) s->ops->metrics_free(m);
    free(m->row);
    memset(m, 0, sizeof *m);
}

double suite_metric_value(const SuiteMetrics *m, const char *name) {
    for (int i = 0; i < m->n; i++)
        if (!m->row[i].stratum[0] && !strcmp(m->row[i].name, name)) return m->row[i].value;
    return -1;
}

int suite_metrics_add(SuiteMetrics *m, const char *name, const char *stratum, double num, double den) {
    SuiteMetric *r = realloc(m->row, (size_t)(m->n + 1) * sizeof *r);
    if (!r) return IM_IO;
    m->row = r;
    SuiteMetric *x = &m->row[m->n++];
    memset(x, 0, sizeof *x);
    x->name = name;
    snprintf(x->stratum, sizeof x->stratum, "%s", stratum ? stratum : "");
    x->num = num, x->den = den;
    x->value = den > 0 ? num / den : num;
    return IM_OK;
}

/* ---- reward, solving, generation ------------------------------------------------------ */

int suite_reward(const Suite *s, const SuiteItem *it, const char *response, const char *config_json, SuiteReward *out,
                 Err *err) {
    memset(out, 0, sizeof *out);
    if (!s->ops->reward) return missing(s, "reward", err);
    int rc = s->ops->reward(s, it, response, config_json, out, err);
    if (rc) suite_reward_free(out);
    return rc;
}

void suite_reward_free(SuiteReward *r) {
    if (!r) return;
    free(r->note), free(r->components_json);
    memset(r, 0, sizeof *r);
}

int suite_reward_config(const SuiteOps *ops, const char *config_json, Buf *out, Err *err) {
    if (!ops->reward_config) return missing_op(ops, "reward", err);
    return ops->reward_config(config_json, out, err);
}

void suite_fetch_say(const SuiteFetchOpts *o, int to_stderr, const char *fmt, ...) {
    if (!o->say) return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    o->say(o->ctx, to_stderr, line);
}

int suite_data_fetch(const SuiteOps *ops, const char *data_dir, const SuiteFetchOpts *o, Err *err) {
    if (!ops->data_fetch) return missing_op(ops, "data fetch", err);
    return ops->data_fetch(data_dir, o, err);
}

int suite_data_check(const SuiteOps *ops, const char *data_dir, Buf *report, Err *err) {
    if (!ops->data_check) return missing_op(ops, "data check", err);
    return ops->data_check(data_dir, report, err);
}

int suite_solve(const Suite *s, const SuiteItem *it, const char *solver, const char *options_json, SuiteSolution *out,
                Err *err) {
    memset(out, 0, sizeof *out);
    if (!s->ops->solve) return missing(s, "solver", err);
    int rc = s->ops->solve(s, it, solver, options_json, out, err);
    if (rc) suite_solution_free(out);
    return rc;
}

void suite_solution_free(SuiteSolution *r) {
    if (!r) return;
    free(r->answer_json), free(r->reason), free(r->log);
    memset(r, 0, sizeof *r);
}

int suite_generate(const Suite *s, const char *config_json, unsigned long long seed, int n, Buf *jsonl, Buf *report, Err *err) {
    if (!s->ops->generate) return missing(s, "generator", err);
    return s->ops->generate(s, config_json, seed, n, jsonl, report, err);
}
