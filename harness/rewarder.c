/* rewarder.c: one door to a suite's reward (rewarder.h), through the suite
 * interface only (suites/suite.h: items_load, item_parse, reward). */
#include "rewarder.h"

#include <stdlib.h>
#include <string.h>

#include "pyfmt.h"
#include "suite.h"

struct Rewarder {
    Suite *suite;
    SuiteItems *items;   /* the query file, or NULL */
    int *by_idx;         /* idx -> position + 1 (0: none), for idx in [0, n_by_idx) */
    int n_by_idx;
    char *cfg_json;      /* the caller's configuration (NULL: defaults), as given to the suite */
    char *cfg_in_force;  /* the whole configuration in force */
};

/* Index of the items by idx; two items with one idx are an error naming both. */
static int index_items(Rewarder *r, Err *err) {
    const SuiteItems *it = r->items;
    int max = 0;
    for (int i = 0; i < it->n; i++) {
        if (it->item[i].idx < 0)
            return err_set(err, IM_IO, "%s:%d: field 'idx' is negative", it->source, it->item[i].line);
        if (it->item[i].idx > max) max = it->item[i].idx;
    }
    r->n_by_idx = max + 1;
    r->by_idx = calloc((size_t)r->n_by_idx, sizeof *r->by_idx);
    if (!r->by_idx) return err_set(err, IM_IO, "out of memory");
    for (int i = 0; i < it->n; i++) {
        int idx = it->item[i].idx;
        if (r->by_idx[idx])
            return err_set(err, IM_IO, "%s:%d: idx %d is already used on line %d", it->source, it->item[i].line, idx,
                           it->item[r->by_idx[idx] - 1].line);
        r->by_idx[idx] = i + 1;
    }
    return IM_OK;
}

int rewarder_open(const char *suite, const char *data_flag, const char *queries, const char *split, const char *cfg_json,
                  Rewarder **out, Err *err) {
    *out = NULL;
    const SuiteOps *ops = suite_find(suite);
    if (!ops) return err_set(err, IM_USAGE, "--suite %s: one of %s", suite, suite_names());
    Buf cfg;
    buf_init(&cfg);
    int rc = suite_reward_config(ops, cfg_json, &cfg, err);
    if (rc) {
        buf_free(&cfg);
        return rc;
    }
    Rewarder *r = calloc(1, sizeof *r);
    if (!r) return buf_free(&cfg), err_set(err, IM_IO, "out of memory");
    r->cfg_in_force = buf_take(&cfg);
    r->cfg_json = cfg_json ? strdup(cfg_json) : NULL;
    char *dir = suite_data_dir(ops, data_flag);
    rc = suite_open(ops, dir, &r->suite, err);
    free(dir);
    if (!rc && (queries || split)) rc = suite_items_load(r->suite, split, queries, &r->items, err);
    if (!rc && r->items) rc = index_items(r, err);
    if (rc) {
        rewarder_close(r);
        return rc;
    }
    *out = r;
    return IM_OK;
}

void rewarder_close(Rewarder *r) {
    if (!r) return;
    if (r->suite) suite_items_free(r->suite, r->items);
    suite_close(r->suite);
    free(r->by_idx), free(r->cfg_json), free(r->cfg_in_force), free(r);
}

void rewarder_config_json(const Rewarder *r, Buf *out) { buf_puts(out, r->cfg_in_force); }

const Suite *rewarder_suite(const Rewarder *r) { return r->suite; }
const SuiteItems *rewarder_items(const Rewarder *r) { return r->items; }

int rewarder_n_queries(const Rewarder *r) { return r->items ? r->items->n : 0; }

int rewarder_query_idx(const Rewarder *r, int i) { return r->items->item[i].idx; }

static int whole(const cJSON *v) { return cJSON_IsNumber(v) && v->valuedouble == (double)(long)v->valuedouble; }

/* An item given as its fields: the suite reads them as it reads a stored
 * item. Fields without an "idx" are numbered 0 (TravelPlanner's items
 * carry one; the answer's idx is null either way). */
static int item_of_fields(const Rewarder *r, const cJSON *fields, SuiteItem *own, Err *err) {
    cJSON *copy = cJSON_Duplicate(fields, 1);
    if (copy && !cJSON_GetObjectItemCaseSensitive(copy, "idx")) cJSON_AddNumberToObject(copy, "idx", 0);
    char *text = copy ? cJSON_PrintUnformatted(copy) : NULL;
    cJSON_Delete(copy);
    if (!text) return err_set(err, IM_IO, "out of memory");
    memset(own, 0, sizeof *own);
    int rc = suite_item_parse(r->suite, text, "request", 1, own, err);
    free(text);
    return rc ? err_prefix(err, "field 'query'") : IM_OK;
}

int rewarder_score(const Rewarder *r, const cJSON *item, Buf *out, double *reward, Err *err) {
    if (!cJSON_IsObject(item)) return err_set(err, IM_IO, "expected an object {\"idx\" or \"query\", \"response\"}");
    const cJSON *resp = cJSON_GetObjectItemCaseSensitive(item, "response");
    if (!cJSON_IsString(resp)) return err_set(err, IM_IO, "field 'response' must be a string");
    const cJSON *qv = cJSON_GetObjectItemCaseSensitive(item, "query");
    if (!qv) qv = cJSON_GetObjectItemCaseSensitive(item, "idx");
    SuiteItem own;
    const SuiteItem *it = NULL;
    int idx = -1, rc;
    if (whole(qv)) {
        idx = (int)qv->valuedouble;
        if (!r->items) return err_set(err, IM_IO, "query %d given by idx, but no query file was given (--queries)", idx);
        if (idx < 0 || idx >= r->n_by_idx || !r->by_idx[idx])
            return err_set(err, IM_IO, "idx %d is not in %s", idx, r->items->source);
        it = &r->items->item[r->by_idx[idx] - 1];
    } else if (cJSON_IsObject(qv)) {
        if ((rc = item_of_fields(r, qv, &own, err))) return rc;
        it = &own;
    } else {
        return err_set(err, IM_IO, "field 'idx' (or 'query') must be a query number or an object of query fields");
    }
    SuiteReward sr;
    rc = suite_reward(r->suite, it, resp->valuestring, r->cfg_json, &sr, err);
    if (!rc) {
        if (idx >= 0) buf_printf(out, "{\"idx\": %d, \"reward\": ", idx);
        else buf_puts(out, "{\"idx\": null, \"reward\": ");
        char num[40];
        buf_puts(out, py_float_repr(sr.total, num, sizeof num));
        buf_puts(out, ", \"components\": ");
        if (sr.components_json) buf_puts(out, sr.components_json);
        else {
            buf_putc(out, '{');
            for (int k = 0; k < sr.n; k++) {
                buf_printf(out, "%s\"%s\": ", k ? ", " : "", sr.name[k]);
                buf_puts(out, py_float_repr(sr.value[k], num, sizeof num));
            }
            buf_putc(out, '}');
        }
        buf_putc(out, '}');
        *reward = sr.total;
        suite_reward_free(&sr);
    }
    if (it == &own) suite_item_free(r->suite, &own);
    return rc;
}
