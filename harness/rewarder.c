/* rewarder.c: one door to a suite's reward (rewarder.h). TravelPlanner:
 * suites/travelplanner/reward.h over the sandbox database. */
#include "rewarder.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "pyfmt.h"
#include "query.h"
#include "reward.h"

struct Rewarder {
    TpDb *db;
    TpQuerySet *qs;
    int *by_idx; /* idx -> position + 1 (0: none), for idx in [0, n_by_idx) */
    int n_by_idx;
    TpRewardCfg cfg;
};

int rewarder_open(const char *suite, const char *data_dir, const char *queries, const char *cfg_json, Rewarder **out,
                  Err *err) {
    *out = NULL;
    if (strcmp(suite, "travelplanner"))
        return err_set(err, IM_USAGE, "--suite %s: the reward knows travelplanner (planbench: see docs/imagine.md)", suite);
    Rewarder *r = calloc(1, sizeof *r);
    if (!r) return err_set(err, IM_IO, "out of memory");
    tp_reward_cfg_default(&r->cfg);
    int rc = cfg_json ? tp_reward_cfg_parse(cfg_json, &r->cfg, err) : IM_OK;
    if (!rc && queries) rc = tp_queries_load(queries, &r->qs, err);
    if (!rc) rc = tp_db_open(data_dir, &r->db, err);
    if (!rc && r->qs) {
        int max = 0;
        for (int i = 0; i < r->qs->n; i++)
            if (r->qs->q[i].idx > max) max = r->qs->q[i].idx;
        r->n_by_idx = max + 1;
        r->by_idx = calloc((size_t)r->n_by_idx, sizeof *r->by_idx);
        if (!r->by_idx) rc = err_set(err, IM_IO, "out of memory");
        for (int i = 0; !rc && i < r->qs->n; i++) {
            int idx = r->qs->q[i].idx;
            if (idx < 0) rc = err_set(err, IM_IO, "%s:%d: field 'idx' is negative", queries, r->qs->q[i].line);
            else if (r->by_idx[idx])
                rc = err_set(err, IM_IO, "%s:%d: idx %d is already used on line %d", queries, r->qs->q[i].line, idx,
                             r->qs->q[r->by_idx[idx] - 1].line);
            else r->by_idx[idx] = i + 1;
        }
    }
    if (rc) {
        rewarder_close(r);
        return rc;
    }
    *out = r;
    return IM_OK;
}

void rewarder_close(Rewarder *r) {
    if (!r) return;
    tp_db_close(r->db);
    tp_queries_free(r->qs);
    free(r->by_idx), free(r);
}

void rewarder_config_json(const Rewarder *r, Buf *out) { tp_reward_cfg_json(&r->cfg, out); }

int rewarder_n_queries(const Rewarder *r) { return r->qs ? r->qs->n : 0; }

int rewarder_query_idx(const Rewarder *r, int i) { return r->qs->q[i].idx; }

static int whole(const cJSON *v) { return cJSON_IsNumber(v) && v->valuedouble == (double)(long)v->valuedouble; }

int rewarder_score(const Rewarder *r, const cJSON *item, Buf *out, double *reward, Err *err) {
    if (!cJSON_IsObject(item)) return err_set(err, IM_IO, "expected an object {\"idx\" or \"query\", \"response\"}");
    const cJSON *resp = cJSON_GetObjectItemCaseSensitive(item, "response");
    if (!cJSON_IsString(resp)) return err_set(err, IM_IO, "field 'response' must be a string");
    const cJSON *qv = cJSON_GetObjectItemCaseSensitive(item, "query");
    if (!qv) qv = cJSON_GetObjectItemCaseSensitive(item, "idx");
    TpQuery own;
    const TpQuery *q = NULL;
    int idx = -1;
    if (whole(qv)) {
        idx = (int)qv->valuedouble;
        if (!r->qs) return err_set(err, IM_IO, "query %d given by idx, but no query file was given (--queries)", idx);
        if (idx < 0 || idx >= r->n_by_idx || !r->by_idx[idx])
            return err_set(err, IM_IO, "idx %d is not in %s", idx, r->qs->path);
        q = &r->qs->q[r->by_idx[idx] - 1];
    } else if (cJSON_IsObject(qv)) {
        cJSON *copy = cJSON_Duplicate(qv, 1);
        if (copy && !cJSON_GetObjectItemCaseSensitive(copy, "idx")) cJSON_AddNumberToObject(copy, "idx", 0);
        char *text = copy ? cJSON_PrintUnformatted(copy) : NULL;
        cJSON_Delete(copy);
        if (!text) return err_set(err, IM_IO, "out of memory");
        int rc = tp_query_parse(text, "request", 1, &own, err);
        free(text);
        if (rc) return err_prefix(err, "field 'query'");
        q = &own;
    } else {
        return err_set(err, IM_IO, "field 'idx' (or 'query') must be a query number or an object of query fields");
    }
    TpReward rw;
    tp_reward(r->db, q, resp->valuestring, &r->cfg, &rw);
    if (idx >= 0) buf_printf(out, "{\"idx\": %d, \"reward\": ", idx);
    else buf_puts(out, "{\"idx\": null, \"reward\": ");
    char num[40];
    buf_puts(out, py_float_repr(rw.reward, num, sizeof num));
    buf_puts(out, ", \"components\": ");
    tp_reward_components_json(&rw, &r->cfg, out);
    buf_putc(out, '}');
    *reward = rw.reward;
    tp_reward_free(&rw);
    if (q == &own) tp_query_free(&own);
    return IM_OK;
}
