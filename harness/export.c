/* export.c: submission, jsonl and csv exports of a run (see export.h). */
#include "export.h"

#include <cJSON.h>
#include <math.h>
#include <string.h>

#include "pyfmt.h"

/* ---- json.dumps ----------------------------------------------------------- */

static void py_value(const cJSON *v, Buf *out) {
    if (cJSON_IsNull(v) || !v) buf_puts(out, "null");
    else if (cJSON_IsTrue(v)) buf_puts(out, "true");
    else if (cJSON_IsFalse(v)) buf_puts(out, "false");
    else if (cJSON_IsString(v)) buf_json_str(out, v->valuestring);
    else if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (isfinite(d) && d == floor(d) && fabs(d) < 9007199254740992.0) buf_printf(out, "%lld", (long long)d);
        else {
            char num[40];
            buf_puts(out, py_float_repr(d, num, sizeof num));
        }
    } else if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
        int obj = cJSON_IsObject(v);
        buf_putc(out, obj ? '{' : '[');
        for (const cJSON *c = v->child; c; c = c->next) {
            if (c != v->child) buf_puts(out, ", ");
            if (obj) buf_json_str(out, c->string ? c->string : ""), buf_puts(out, ": ");
            py_value(c, out);
        }
        buf_putc(out, obj ? '}' : ']');
    } else buf_puts(out, "null");
}

void export_py_json(const char *json, Buf *out) {
    cJSON *v = json ? cJSON_Parse(json) : NULL;
    py_value(v, out);
    cJSON_Delete(v);
}

/* ---- formats -------------------------------------------------------------- */

static void submission_line(const StoreItem *it, Buf *out) {
    buf_printf(out, "{\"idx\": %d, \"query\": ", it->idx);
    buf_json_str(out, it->query_text);
    buf_puts(out, ", \"plan\": ");
    if (it->state == ST_DONE && it->plan_json) export_py_json(it->plan_json, out);
    else buf_puts(out, "[]");
    buf_puts(out, "}\n");
}

static void json_str_or_null(Buf *out, const char *s) {
    if (s) buf_json_str(out, s);
    else buf_puts(out, "null");
}

static void jsonl_line(const Suite *suite, const StoreItem *it, Buf *out) {
    buf_printf(out, "{\"idx\": %d, \"query\": ", it->idx);
    buf_json_str(out, it->query_text);
    buf_printf(out, ", \"state\": \"%s\", \"plan\": ", store_state_name(it->state));
    if (it->state == ST_DONE && it->plan_json) export_py_json(it->plan_json, out);
    else buf_puts(out, "null");
    buf_puts(out, ", \"error\": ");
    json_str_or_null(out, it->error);
    buf_printf(out, ", \"latency_ms\": %.3f, \"tokens_in\": %lld, \"tokens_out\": %lld, \"cost\": %.6f, \"calls\": %d, "
               "\"cache_hits\": %d, \"attempts\": %d, \"result\": ",
               it->latency_ms, it->tokens_in, it->tokens_out, it->cost, it->calls, it->cache_hits, it->attempts);
    if (suite->ops->eval_json) suite->ops->eval_json(&it->eval, out);
    else buf_puts(out, "null");
    buf_puts(out, "}\n");
}

static void csv_field(Buf *out, const char *s) {
    if (!s) return;
    if (!strpbrk(s, ",\"\r\n")) {
        buf_puts(out, s);
        return;
    }
    buf_putc(out, '"');
    for (; *s; s++) {
        if (*s == '"') buf_putc(out, '"');
        buf_putc(out, *s);
    }
    buf_putc(out, '"');
}

/* One column: the stored verdict of that name, empty when not evaluated. */
static void csv_verdict(Buf *out, const SuiteEval *e, const char *name) {
    buf_putc(out, ',');
    for (int k = 0; k < e->n; k++)
        if (!strcmp(e->v[k].name, name)) {
            buf_puts(out, e->v[k].value < 0 ? "NA" : e->v[k].value ? "1" : "0");
            return;
        }
}

static void csv_header(const Suite *suite, Buf *out) {
    buf_puts(out, "idx,state");
    for (const char *const *v = suite->ops->verdicts; v && *v; v++) buf_printf(out, ",%s", *v);
    buf_puts(out, ",latency_ms,tokens_in,tokens_out,cost,attempts,error\n");
}

static void csv_row(const Suite *suite, const StoreItem *it, Buf *out) {
    buf_printf(out, "%d,%s", it->idx, store_state_name(it->state));
    for (const char *const *v = suite->ops->verdicts; v && *v; v++) csv_verdict(out, &it->eval, *v);
    buf_printf(out, ",%.3f,%lld,%lld,%.6f,%d,", it->latency_ms, it->tokens_in, it->tokens_out, it->cost, it->attempts);
    csv_field(out, it->error);
    buf_putc(out, '\n');
}

int export_run(Store *s, const StoreRun *r, const char *format, Buf *out, Err *err) {
    int kind = !strcmp(format, "submission") ? 0 : !strcmp(format, "jsonl") ? 1 : !strcmp(format, "csv") ? 2 : -1;
    if (kind < 0) return err_set(err, IM_USAGE, "imagine export: --format must be submission, jsonl or csv, not '%s'", format);
    const SuiteOps *ops = suite_find(r->suite);
    if (!ops) return err_set(err, IM_USAGE, "run %lld is of suite '%s', which this imagine does not have", r->id, r->suite);
    StoreItem *items = NULL;
    Suite *suite = NULL;
    int n = 0, rc = suite_open(ops, NULL, &suite, err);
    if (!rc && store_items(s, r->id, kind == 0 ? 0 : 2, &items, &n, err)) rc = IM_IO;
    if (!rc && kind == 2) csv_header(suite, out);
    for (int i = 0; !rc && i < n; i++) {
        if (kind == 0) submission_line(&items[i], out);
        else if (kind == 1 && !(rc = ops->verdicts_load(suite, &items[i].eval, err))) jsonl_line(suite, &items[i], out);
        else if (kind == 2) csv_row(suite, &items[i], out);
        if (ops->eval_free) ops->eval_free(&items[i].eval);
    }
    store_items_free(items, n);
    suite_close(suite);
    return rc;
}
