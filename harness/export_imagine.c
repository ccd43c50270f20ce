/* export_imagine.c: a run's traces as IMAGINE training data (export.h).
 *
 *   sft                    {"messages": [{"role": "user", "content": PROMPT},
 *                           {"role": "assistant", "content": SAMPLE}]}
 *                          (TRL SFTTrainer's conversational form)
 *   sft-prompt-completion  {"prompt": [user message], "completion": [assistant message]}
 *   grpo                   one prompt per query: {"prompt": [user message],
 *                          "data_source": "imagine/SUITE", "reward_model":
 *                          {"style": "rule", "ground_truth": FIELDS},
 *                          "ground_truth": FIELDS, "extra_info": {...}}
 *                          (verl's RL dataset fields; TRL passes the extra
 *                          column ground_truth to reward functions)
 * PROMPT is the Reasoner's prompt of the `mas` method for the query; SAMPLE
 * the item's flattened text (common/think.h), so samples are exported for
 * done items whose raw text is an IMAGINE sample. FIELDS is the query's
 * fields as a JSON string (no reference information, no annotated plan):
 * `imagine reward serve` scores a response from it. */
#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "llm.h"
#include "think.h"

static int item_passes(const StoreItem *it) { return it->state == ST_DONE && it->eval.delivered && it->eval.passed; }

static void message(Buf *out, const char *role, const char *content) {
    buf_printf(out, "{\"role\": \"%s\", \"content\": ", role);
    buf_json_str(out, content);
    buf_putc(out, '}');
}

/* The query line without its long fields, as a JSON text. */
static char *query_fields(const char *json) {
    cJSON *o = cJSON_Parse(json);
    cJSON_DeleteItemFromObjectCaseSensitive(o, "reference_information");
    cJSON_DeleteItemFromObjectCaseSensitive(o, "annotated_plan");
    cJSON_DeleteItemFromObjectCaseSensitive(o, "label");
    char *s = o ? cJSON_PrintUnformatted(o) : strdup("null");
    cJSON_Delete(o);
    return s;
}

/* The run's data directory, from its recorded configuration. */
static char *run_data_dir(const StoreRun *r) {
    cJSON *c = cJSON_Parse(r->config_json ? r->config_json : "{}");
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(c, "data");
    char *s = cJSON_IsString(d) ? strdup(d->valuestring) : NULL;
    cJSON_Delete(c);
    return s;
}

int export_imagine(Store *s, const StoreRun *r, const char *format, int only_passing, Buf *out, ExportCounts *ct,
                   Err *err) {
    memset(ct, 0, sizeof *ct);
    int kind = !strcmp(format, "sft") ? 0 : !strcmp(format, "sft-prompt-completion") ? 1 : !strcmp(format, "grpo") ? 2 : -1;
    if (kind < 0) return err_set(err, IM_USAGE, "imagine export: unknown IMAGINE format '%s'", format);
    StoreItem *items = NULL;
    int n = 0, rc = store_items(s, r->id, 1, &items, &n, err);
    if (rc) return IM_IO;
    char *data = run_data_dir(r);
    const SuiteOps *ops = suite_find(r->suite ? r->suite : "travelplanner");
    Suite *suite = NULL;
    if (!ops) rc = err_set(err, IM_IO, "run %lld: unknown suite %s", r->id, r->suite ? r->suite : "?");
    if (!rc) rc = suite_open(ops, data, &suite, err);
    AgContext ctx = {.suite = suite, .data_dir = data, .config_json = r->method_config}; /* the Reasoner prompt style the run used */
    Buf stratum;
    buf_init(&stratum);
    Buf prompt;
    buf_init(&prompt);
    for (int i = 0; !rc && i < n; i++) {
        const StoreItem *it = &items[i];
        if (suite->ops->verdicts_load && it->state == ST_DONE) { /* the suite's pass from the stored verdicts */
            if ((rc = suite->ops->verdicts_load(suite, &items[i].eval, err))) break;
        }
        int passes = item_passes(it), refl = it->raw_text ? think_reflection_kind(it->raw_text) : 0;
        if (kind < 2) {
            if (it->state != ST_DONE || !it->raw_text || !strstr(it->raw_text, THINK_OPEN)) {
                ct->skipped++;
                continue;
            }
            if (only_passing && !passes) {
                ct->skipped++;
                continue;
            }
        }
        SuiteItem q;
        if ((rc = suite_item_parse(suite, it->query_json, "store", it->pos + 1, &q, err))) break;
        buf_reset(&prompt);
        rc = ag_mas_reasoner_prompt(&ctx, &q, &prompt, err);
        if (rc) {
            suite_item_free(suite, &q);
            break;
        }
        if (kind == 0) {
            buf_puts(out, "{\"messages\": [");
            message(out, "user", prompt.data);
            buf_puts(out, ", ");
            message(out, "assistant", it->raw_text);
            buf_puts(out, "]}\n");
        } else if (kind == 1) {
            buf_puts(out, "{\"prompt\": [");
            message(out, "user", prompt.data);
            buf_puts(out, "], \"completion\": [");
            message(out, "assistant", it->raw_text);
            buf_puts(out, "]}\n");
        } else {
            char *fields = query_fields(it->query_json);
            buf_puts(out, "{\"prompt\": [");
            message(out, "user", prompt.data);
            buf_printf(out, "], \"data_source\": \"imagine/%s\", \"reward_model\": {\"style\": \"rule\", \"ground_truth\": ", r->suite);
            buf_json_str(out, fields);
            buf_puts(out, "}, \"ground_truth\": ");
            buf_json_str(out, fields);
            buf_printf(out, ", \"extra_info\": {\"idx\": %d, \"split\": ", it->idx);
            buf_json_str(out, r->split ? r->split : "");
            buf_reset(&stratum);
            suite_item_stratum(suite, &q, &stratum);
            buf_puts(out, ", \"stratum\": ");
            buf_json_str(out, stratum.data ? stratum.data : "");
            buf_printf(out, ", \"run\": %lld}}\n", r->id);
            free(fields);
        }
        ct->written++;
        ct->with_reflection += refl == 2;
        ct->passing += passes;
        suite_item_free(suite, &q);
    }
    for (int i = 0; i < n; i++)
        if (items[i].eval.native && suite && suite->ops->eval_free) suite->ops->eval_free(&items[i].eval);
    if (!rc && kind < 2 && ct->written == 0)
        rc = err_set(err, IM_FAIL, "imagine export: run %lld has no IMAGINE traces to export%s (method mas writes them)", r->id,
                     only_passing ? " that pass" : "");
    buf_free(&prompt), buf_free(&stratum);
    suite_close(suite);
    free(data);
    store_items_free(items, n);
    return rc;
}
