/* reward.c: the TravelPlanner IMAGINE reward (reward.h). Sections: the
 * configuration; scoring one response; the components as JSON. */
#include "reward.h"

#include <cJSON.h>
#include <stdio.h>
#include <string.h>

#include "pyfmt.h"
#include "think.h"

/* ---- configuration ---------------------------------------------------- */

void tp_reward_cfg_default(TpRewardCfg *c) {
    memset(c, 0, sizeof *c);
    c->format_penalty = -1, c->commonsense_weight = 1, c->hard_weight = 1;
    c->reflection_bonus = 0.5, c->reflection_penalty = -0.5;
    c->gate_hard = 1;
    c->commonsense_mask = (1u << TP_NCS) - 1, c->hard_mask = (1u << TP_NHARD) - 1;
    snprintf(c->reflection_pattern, sizeof c->reflection_pattern, "%s", THINK_REFLECTION_OPEN);
}

static int cfg_checks(const cJSON *v, int want_hard, unsigned *mask, Err *err) {
    const char *field = want_hard ? "hard_checks" : "commonsense_checks";
    if (!cJSON_IsArray(v)) return err_set(err, IM_USAGE, "reward configuration: \"%s\" must be a list of check keys", field);
    *mask = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, v) {
        int hard = -1, k = cJSON_IsString(it) ? tp_check_by_key(it->valuestring, &hard) : -1;
        if (k < 0 || hard != want_hard)
            return err_set(err, IM_USAGE, "reward configuration: \"%s\" has %s, not a %s check key (e.g. \"%s\")", field,
                           cJSON_IsString(it) ? it->valuestring : "a non-string", want_hard ? "hard" : "commonsense",
                           want_hard ? tp_hard_key(0) : tp_cs_key(0));
        *mask |= 1u << k;
    }
    return IM_OK;
}

int tp_reward_cfg_parse(const char *json, TpRewardCfg *c, Err *err) {
    cJSON *o = cJSON_Parse(json ? json : "");
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return err_set(err, IM_USAGE, "reward configuration: not a JSON object");
    }
    static const char *const nums[] = {"format_penalty", "commonsense_weight", "hard_weight", "reflection_bonus",
                                       "reflection_penalty"};
    double *dst[] = {&c->format_penalty, &c->commonsense_weight, &c->hard_weight, &c->reflection_bonus,
                     &c->reflection_penalty};
    int rc = IM_OK;
    for (const cJSON *f = o->child; f && !rc; f = f->next) {
        int done = 0;
        for (size_t k = 0; k < sizeof nums / sizeof *nums; k++)
            if (!strcmp(f->string, nums[k])) {
                if (!cJSON_IsNumber(f)) rc = err_set(err, IM_USAGE, "reward configuration: \"%s\" must be a number", nums[k]);
                else *dst[k] = f->valuedouble;
                done = 1;
            }
        if (done) continue;
        if (!strcmp(f->string, "gate_hard") || !strcmp(f->string, "think_open_optional")) {
            if (!cJSON_IsBool(f)) rc = err_set(err, IM_USAGE, "reward configuration: \"%s\" must be true or false", f->string);
            else *(f->string[0] == 'g' ? &c->gate_hard : &c->think_open_optional) = cJSON_IsTrue(f);
        } else if (!strcmp(f->string, "reflection_pattern")) {
            if (!cJSON_IsString(f) || !f->valuestring[0] || strlen(f->valuestring) >= sizeof c->reflection_pattern)
                rc = err_set(err, IM_USAGE, "reward configuration: \"reflection_pattern\" must be a non-empty string");
            else snprintf(c->reflection_pattern, sizeof c->reflection_pattern, "%s", f->valuestring);
        } else if (!strcmp(f->string, "commonsense_checks")) {
            rc = cfg_checks(f, 0, &c->commonsense_mask, err);
        } else if (!strcmp(f->string, "hard_checks")) {
            rc = cfg_checks(f, 1, &c->hard_mask, err);
        } else if (strcmp(f->string, "suite")) {
            rc = err_set(err, IM_USAGE, "reward configuration: unknown field \"%s\" (docs/imagine.md lists them)", f->string);
        }
    }
    cJSON_Delete(o);
    return rc;
}

static void put_num(Buf *out, double x) {
    char num[40];
    buf_puts(out, py_float_repr(x, num, sizeof num));
}

void tp_reward_cfg_json(const TpRewardCfg *c, Buf *out) {
    buf_puts(out, "{\"format_penalty\": "), put_num(out, c->format_penalty);
    buf_puts(out, ", \"commonsense_weight\": "), put_num(out, c->commonsense_weight);
    buf_puts(out, ", \"hard_weight\": "), put_num(out, c->hard_weight);
    buf_puts(out, ", \"reflection_bonus\": "), put_num(out, c->reflection_bonus);
    buf_puts(out, ", \"reflection_penalty\": "), put_num(out, c->reflection_penalty);
    buf_printf(out, ", \"gate_hard\": %s, \"think_open_optional\": %s, \"reflection_pattern\": ",
               c->gate_hard ? "true" : "false", c->think_open_optional ? "true" : "false");
    buf_json_str(out, c->reflection_pattern);
    buf_puts(out, ", \"commonsense_checks\": [");
    for (int k = 0, n = 0; k < TP_NCS; k++)
        if (c->commonsense_mask >> k & 1) buf_printf(out, "%s\"%s\"", n++ ? ", " : "", tp_cs_key(k));
    buf_puts(out, "], \"hard_checks\": [");
    for (int k = 0, n = 0; k < TP_NHARD; k++)
        if (c->hard_mask >> k & 1) buf_printf(out, "%s\"%s\"", n++ ? ", " : "", tp_hard_key(k));
    buf_puts(out, "]}");
}

/* ---- scoring ------------------------------------------------------------ */

/* The plan of an answer: a JSON list, or an object's "plan" list. The
 * returned root is owned by the caller; *plan points into it. */
static cJSON *answer_plan(const char *answer, size_t len, const cJSON **plan, const char **why) {
    const char *b;
    size_t n;
    think_answer_json(answer, len, &b, &n);
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(b, n, &end, 0);
    *plan = NULL;
    if (!root || end != b + n) {
        cJSON_Delete(root);
        return *why = "the answer after </think> is not one JSON value", NULL;
    }
    tp_json_dedupe(root);
    const cJSON *p = cJSON_IsObject(root) ? cJSON_GetObjectItemCaseSensitive(root, "plan") : root;
    if (!cJSON_IsArray(p)) {
        cJSON_Delete(root);
        return *why = "the answer is not a list of days (or an object whose \"plan\" is one)", NULL;
    }
    if (!cJSON_GetArraySize(p)) {
        cJSON_Delete(root);
        return *why = "the plan is empty", NULL;
    }
    *plan = p;
    return root;
}

void tp_reward(const TpDb *db, const TpQuery *q, const char *response, const TpRewardCfg *cfg, TpReward *out) {
    memset(out, 0, sizeof *out);
    ThinkSplit sp;
    const cJSON *plan = NULL;
    cJSON *root = NULL;
    if (think_split(response, cfg->think_open_optional, &sp)) out->format_error = sp.error;
    else root = answer_plan(sp.answer, sp.answer_len, &plan, &out->format_error);
    if (!root) {
        out->reward = cfg->format_penalty;
        return;
    }
    out->format_ok = 1;
    tp_eval_plan_ex(db, q, plan, q->idx, !cfg->gate_hard, &out->result);
    cJSON_Delete(root);
    const TpPlanResult *r = &out->result;
    int all = 1;
    for (int k = 0; k < TP_NCS; k++) {
        if (r->cs[k].value == 0) all = 0;
        if (!(cfg->commonsense_mask >> k & 1) || r->cs[k].value < 0) continue;
        out->cs_counted++, out->cs_passed += r->cs[k].value;
    }
    out->hard_evaluated = r->hard_evaluated;
    if (!r->hard_evaluated) all = 0;
    for (int k = 0; k < TP_NHARD && r->hard_evaluated; k++) {
        if (r->hard[k].value == 0) all = 0;
        if (!(cfg->hard_mask >> k & 1) || r->hard[k].value < 0) continue;
        out->hard_counted++, out->hard_passed += r->hard[k].value;
    }
    out->final_pass = all;
    out->total_cost = r->total_cost;
    out->commonsense = out->cs_counted ? cfg->commonsense_weight * out->cs_passed / out->cs_counted : 0;
    out->hard = out->hard_counted ? cfg->hard_weight * out->hard_passed / out->hard_counted : 0;
    out->has_reflection = think_has_reflection(sp.reasoning, sp.reasoning_len, cfg->reflection_pattern);
    out->reflection = out->has_reflection ? cfg->reflection_bonus : cfg->reflection_penalty;
    out->reward = out->commonsense + out->hard + out->reflection;
}

void tp_reward_free(TpReward *r) {
    if (r) tp_plan_result_free(&r->result);
}

/* ---- components ----------------------------------------------------------- */

static const char *verdict_word(signed char v) { return v < 0 ? "null" : v ? "true" : "false"; }

void tp_reward_components_json(const TpReward *r, const TpRewardCfg *cfg, Buf *out) {
    buf_printf(out, "{\"format\": %d, \"format_error\": ", r->format_ok);
    if (r->format_error) buf_json_str(out, r->format_error);
    else buf_puts(out, "null");
    buf_puts(out, ", \"commonsense\": "), put_num(out, r->commonsense);
    buf_printf(out, ", \"commonsense_passed\": %d, \"commonsense_counted\": %d, \"hard\": ", r->cs_passed, r->cs_counted);
    put_num(out, r->hard);
    buf_printf(out, ", \"hard_passed\": %d, \"hard_counted\": %d, \"hard_evaluated\": %d, \"reflection\": ",
               r->hard_passed, r->hard_counted, r->hard_evaluated);
    put_num(out, r->reflection);
    buf_printf(out, ", \"has_reflection\": %d, \"final_pass\": %d", r->has_reflection, r->final_pass);
    if (!r->format_ok) {
        buf_puts(out, ", \"checks\": null}");
        return;
    }
    buf_puts(out, ", \"checks\": {");
    int n = 0;
    for (int k = 0; k < TP_NCS; k++)
        if (cfg->commonsense_mask >> k & 1)
            buf_printf(out, "%s\"%s\": %s", n++ ? ", " : "", tp_cs_key(k), verdict_word(r->result.cs[k].value));
    for (int k = 0; k < TP_NHARD; k++)
        if (cfg->hard_mask >> k & 1)
            buf_printf(out, "%s\"%s\": %s", n++ ? ", " : "", tp_hard_key(k),
                       r->hard_evaluated ? verdict_word(r->result.hard[k].value) : "null");
    buf_puts(out, "}}");
}
