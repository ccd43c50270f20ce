/* evaluate.c: one plan through the official checks, and submission lines.
 * Never fails: a line that cannot be read is an undelivered plan with a
 * note; a check that would raise in Python fails with a message. */
#include "evaluate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkctx.h"

static const char *const cs_keys[TP_NCS] = {
    "is_reasonable_visiting_city", "is_valid_restaurants", "is_valid_attractions", "is_valid_accommodation",
    "is_valid_transportation", "is_valid_information_in_current_city", "is_valid_information_in_sandbox",
    "is_not_absent"};
static const char *const cs_names[TP_NCS] = {
    "Reasonable City Route", "Diverse Restaurants", "Diverse Attractions", "Minimum Nights Stay",
    "Non-conf. Transportation", "Within Current City", "Within Sandbox", "Complete Information"};
static const char *const hard_keys[TP_NHARD] = {"valid_cuisine", "valid_room_rule", "valid_transportation",
                                                "valid_room_type", "valid_cost"};
static const char *const hard_names[TP_NHARD] = {"Cuisine", "Room Rule", "Transportation", "Room Type", "Budget"};

const char *tp_cs_key(int k) { return k >= 0 && k < TP_NCS ? cs_keys[k] : "?"; }
const char *tp_cs_name(int k) { return k >= 0 && k < TP_NCS ? cs_names[k] : "?"; }
const char *tp_hard_key(int k) { return k >= 0 && k < TP_NHARD ? hard_keys[k] : "?"; }
const char *tp_hard_name(int k) { return k >= 0 && k < TP_NHARD ? hard_names[k] : "?"; }

int tp_check_by_key(const char *key, int *is_hard) {
    for (int k = 0; k < TP_NCS; k++)
        if (!strcmp(key, cs_keys[k])) return *is_hard = 0, k;
    for (int k = 0; k < TP_NHARD; k++)
        if (!strcmp(key, hard_keys[k])) return *is_hard = 1, k;
    return -1;
}

void tp_plan_result_free(TpPlanResult *r) {
    if (!r) return;
    for (int k = 0; k < TP_NCS; k++) free(r->cs[k].msg);
    for (int k = 0; k < TP_NHARD; k++) free(r->hard[k].msg);
    free(r->note), free(r->log);
    memset(r, 0, sizeof *r);
}

static const TpCheckFn cs_fns[TP_NCS] = {tp_cs_reasonable_city, tp_cs_restaurants,   tp_cs_attractions,
                                         tp_cs_accommodation,   tp_cs_transportation, tp_cs_current_city,
                                         tp_cs_sandbox,         tp_cs_not_absent};
static const TpCheckFn hard_fns[TP_NHARD - 1] = {tp_hard_cuisine, tp_hard_room_rule, tp_hard_transportation,
                                                 tp_hard_room_type};

static TpVerdict cost_check(Ctx *c) {
    /* valid_cost: (bool(get_total_cost(...) <= budget), None) */
    double total = tp_hard_total_cost(c);
    c->total_cost = total;
    TpVerdict v = {(signed char)(total <= (double)c->q->budget), NULL};
    return v;
}

static void eval_list(const TpDb *db, const TpQuery *q, const cJSON *plan, int line, int ungated, TpPlanResult *out,
                      Buf *log) {
    Ctx c;
    memset(&c, 0, sizeof c);
    c.db = db, c.q = q, c.plan = plan, c.line = line, c.log = log;
    int len = cJSON_GetArraySize(plan);
    c.ndays = q->days < len ? q->days : len;
    for (int k = 0; k < TP_NCS; k++) out->cs[k] = tp_check_run(&c, cs_fns[k]);
    if (!ungated && !(out->cs[TP_CS_NOT_ABSENT].value == 1 && out->cs[TP_CS_SANDBOX].value == 1)) return;
    out->hard_evaluated = 1;
    for (int k = 0; k < TP_NHARD - 1; k++) out->hard[k] = tp_check_run(&c, hard_fns[k]);
    out->hard[TP_HARD_COST] = tp_check_run(&c, cost_check);
    out->total_cost = c.total_cost;
}

void tp_eval_plan(const TpDb *db, const TpQuery *q, const cJSON *plan, int line, TpPlanResult *out) {
    tp_eval_plan_ex(db, q, plan, line, 0, out);
}

void tp_eval_plan_ex(const TpDb *db, const TpQuery *q, const cJSON *plan, int line, int ungated, TpPlanResult *out) {
    memset(out, 0, sizeof *out);
    Buf log;
    buf_init(&log);
    if (!py_truthy(plan)) return; /* not delivered */
    out->delivered = 1;
    if (cJSON_IsArray(plan)) {
        eval_list(db, q, plan, line, ungated, out, &log);
    } else {
        char msg[160];
        snprintf(msg, sizeof msg, "plan line %d: 'plan' is not a list of days (the official evaluator raises an error here)", line);
        for (int k = 0; k < TP_NCS; k++) out->cs[k] = tp_failf("%s", msg);
    }
    out->log = log.len ? buf_take(&log) : NULL;
    buf_free(&log);
}

/* Python's json.loads keeps the last of duplicate keys at the position of
 * the first; cJSON keeps all of them. Normalise to Python's dict. */
void tp_json_dedupe(cJSON *v) {
    if (!v) return;
    if (cJSON_IsObject(v)) {
        for (cJSON *a = v->child; a; a = a->next) {
            cJSON *b = a->next;
            while (b) {
                cJSON *next = b->next;
                if (a->string && b->string && !strcmp(a->string, b->string)) {
                    cJSON *moved = cJSON_DetachItemViaPointer(v, b);
                    cJSON_ReplaceItemViaPointer(v, a, moved);
                    a = moved;
                }
                b = next;
            }
        }
    }
    for (cJSON *ch = v->child; ch; ch = ch->next) tp_json_dedupe(ch);
}

void tp_eval_line(const TpDb *db, const TpQuery *q, const char *text, int line, TpPlanResult *out) {
    cJSON *root = cJSON_Parse(text);
    char note[256] = "";
    if (cJSON_IsString(root)) { /* the official code eval()s a string line */
        cJSON *inner = cJSON_Parse(root->valuestring);
        cJSON_Delete(root);
        root = inner;
    }
    if (!root) {
        const char *at = cJSON_GetErrorPtr();
        long off = at && at >= text ? (long)(at - text) : 0;
        snprintf(note, sizeof note, "plan line %d: not valid JSON (at character %ld)", line, off + 1);
    } else if (!cJSON_IsObject(root)) {
        snprintf(note, sizeof note, "plan line %d: expected a JSON object with a 'plan' key", line);
    } else if (!cJSON_GetObjectItemCaseSensitive(root, "plan")) {
        snprintf(note, sizeof note, "plan line %d: no 'plan' key", line);
    }
    if (note[0]) {
        memset(out, 0, sizeof *out);
        out->note = strdup(note);
    } else {
        tp_json_dedupe(root);
        tp_eval_plan(db, q, cJSON_GetObjectItemCaseSensitive(root, "plan"), line, out);
    }
    cJSON_Delete(root);
}

static void verdict_json(const TpVerdict *v, Buf *out) {
    buf_puts(out, v->value < 0 ? "[null, " : v->value ? "[true, " : "[false, ");
    if (v->msg) buf_json_str(out, v->msg);
    else buf_puts(out, "null");
    buf_putc(out, ']');
}

void tp_plan_result_json(const TpPlanResult *r, Buf *out) {
    buf_puts(out, "{\"commonsense_constraint\": ");
    if (!r->delivered) {
        buf_puts(out, "null");
    } else {
        buf_putc(out, '{');
        for (int k = 0; k < TP_NCS; k++) {
            buf_printf(out, "%s\"%s\": ", k ? ", " : "", cs_keys[k]);
            verdict_json(&r->cs[k], out);
        }
        buf_putc(out, '}');
    }
    buf_puts(out, ", \"hard_constraint\": ");
    if (!r->hard_evaluated) {
        buf_puts(out, "null");
    } else {
        buf_putc(out, '{');
        for (int k = 0; k < TP_NHARD; k++) {
            buf_printf(out, "%s\"%s\": ", k ? ", " : "", hard_keys[k]);
            verdict_json(&r->hard[k], out);
        }
        buf_putc(out, '}');
    }
    if (r->note) {
        buf_puts(out, ", \"error\": ");
        buf_json_str(out, r->note);
    }
    buf_putc(out, '}');
}
