/* suite_tp.c: TravelPlanner behind the suite interface (suites/suite.h).
 *
 * Glue only: every rule lives in its own file of this folder (query.c,
 * evaluate.c, metrics.c, reference builder, tools.c, solver.c, greedy.c).
 * A SuiteItem's native is a malloc'd TpQuery; a SuiteEval's native is a
 * malloc'd TpPlanResult; a SuiteMetrics' native a malloc'd TpMetrics. The
 * opened state is the TpDb. Sections in the order a run uses them. */
#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "datapkg.h"
#include "evaluate.h"
#include "fsutil.h"
#include "generate.h"
#include "paraphrase.h"
#include "parse.h"
#include "reward.h"
#include "solver.h"
#include "suite.h"
#include "suite_tp.h"
#include "teacher.h"
#include "tools.h"

static const TpDb *db_of(const Suite *s) { return s->state; }

/* ---- data ----------------------------------------------------------------- */

static int tp_open(const char *data_dir, void **state, Err *err) {
    TpDb *db = NULL;
    int rc = tp_db_open(data_dir, &db, err);
    *state = db;
    return rc;
}

static void tp_close(void *state) { tp_db_close(state); }

/* The folder against the sha256 list built into imagine (a README travels
 * with the files and could have been changed with them): one line per
 * file ("ok        PATH", "MISSING   PATH", "CHANGED   PATH (sha256 X,
 * expected Y)", "UNREADABLE PATH"), then the count when all match. A
 * mismatch is IM_IO (exit 3, as `data check` has always said it). */
static int tp_data_check(const char *data_dir, Buf *report, Err *err) {
    if (!fs_is_dir(data_dir))
        return err_set(err, IM_IO, "data check: %s is not a folder — run `imagine data fetch --data %s` or pass --data DIR",
                       data_dir, data_dir);
    TpManifest *m = NULL;
    int rc = tp_manifest_builtin(&m, err);
    if (rc) return rc;
    TpFileCheck *st = calloc((size_t)m->n, sizeof *st);
    if (!st) {
        tp_manifest_free(m);
        return err_set(err, IM_IO, "out of memory");
    }
    int bad = tp_data_verify(data_dir, m, st), n_missing = 0, n_changed = 0;
    for (int i = 0; i < m->n; i++) {
        const char *p = m->e[i].path;
        if (st[i].state == TP_FILE_OK) buf_printf(report, "ok        %s\n", p);
        else if (st[i].state == TP_FILE_MISSING) n_missing++, buf_printf(report, "MISSING   %s\n", p);
        else if (st[i].state == TP_FILE_CHANGED)
            n_changed++, buf_printf(report, "CHANGED   %s (sha256 %s, expected %s)\n", p, st[i].got, m->e[i].sha256);
        else n_changed++, buf_printf(report, "UNREADABLE %s\n", p);
    }
    if (bad)
        rc = err_set(err, IM_IO,
                     "data check: %d of %d files in %s do not match the sha256 checksums built into imagine (%d missing, %d "
                     "changed or unreadable) — run `imagine data fetch --data %s --from MIRROR`",
                     bad, m->n, data_dir, n_missing, n_changed, data_dir);
    else buf_printf(report, "%d files match the sha256 checksums built into imagine\n", m->n);
    free(st);
    tp_manifest_free(m);
    return rc;
}

/* Fetching (datapkg.h): from a mirror, or the official sources (which hold
 * the database files and the query splits only, docs/data.md). */
typedef struct FetchRelay {
    const SuiteFetchOpts *o;
} FetchRelay;

static void relay_file(void *ctx, const TpFetchEvent *ev) {
    const FetchRelay *r = ctx;
    SuiteFetchEvent e = {ev->path, ev->status, ev->detail, ev->bytes};
    if (r->o->on_file) r->o->on_file(r->o->ctx, &e);
}


static int tp_data_fetch_op(const char *data_dir, const SuiteFetchOpts *o, Err *err) {
    FetchRelay relay = {o};
    TpFetchOpts t = {o->from, relay_file, &relay, o->cancel, o->timeout_s, o->upstream_mirror};
    TpFetchReport rep;
    suite_fetch_say(o, 0, "fetching the TravelPlanner data into %s from %s\n", data_dir,
                    o->from ? o->from : "the official upstream (GitHub OSU-NLP-Group/TravelPlanner)");
    int rc = tp_data_fetch(data_dir, &t, &rep, err);
    if (rep.unverified)
        suite_fetch_say(o, 0, "%d converted file(s) not covered by the built-in checksums (docs/data.md)\n", rep.unverified);
    suite_fetch_say(o, 0,
                    "%d fetched, %d up to date, %d failed, %d not available; verified against the built-in checksum list%s\n",
                    rep.fetched, rep.up_to_date, rep.failed, rep.unavailable, rep.manifest_from_source ? " (the source's README.md copied)" : "");
    if (rc && rep.unavailable && !o->from)
        suite_fetch_say(o, 1,
                        "imagine: the official sources hold the database files and the query splits (converted from "
                        "Hugging Face's CSVs), but not this package's flights subset nor its train outputs (docs/data.md): use --from MIRROR\n");
    return rc;
}

/* ---- items ---------------------------------------------------------------- */

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

/* Fills the generic fields of it from its TpQuery (it->native). */
static int item_fill(SuiteItem *it, const TpQuery *q, int pos) {
    char days[16];
    snprintf(days, sizeof days, "%d", q->days);
    it->idx = q->idx, it->pos = pos, it->line = q->line;
    it->fields_json = dup_or_null(q->json);
    it->text = dup_or_null(q->query);
    it->stratum[0] = strdup(tp_level_name(q->level));
    it->stratum[1] = strdup(days);
    return it->fields_json && it->stratum[0] && it->stratum[1] && (it->text || !q->query) ? IM_OK : IM_IO;
}

static void tp_item_free(SuiteItem *it) {
    TpQuery *q = it->native;
    if (q) tp_query_free(q), free(q);
    it->native = NULL;
}

static int tp_items_load(const Suite *s, const char *split, const char *file, SuiteItems **out, Err *err) {
    char *path = NULL;
    if (file) path = strdup(file);
    else if (asprintf(&path, "%s/queries/%s.jsonl", s->data_dir, split ? split : "") < 0) path = NULL;
    if (!path) return err_set(err, IM_IO, "out of memory");
    TpQuerySet *qs = NULL;
    int rc = tp_queries_load(path, &qs, err);
    free(path);
    if (rc) return rc;
    SuiteItems *items = calloc(1, sizeof *items);
    if (items) items->item = calloc((size_t)(qs->n ? qs->n : 1), sizeof *items->item);
    if (items && items->item) items->source = strdup(qs->path);
    for (int i = 0; items && items->item && i < qs->n && !rc; i++) {
        TpQuery *q = malloc(sizeof *q);
        if (!q) {
            rc = IM_IO;
            break;
        }
        *q = qs->q[i]; /* the strings move to the item */
        memset(&qs->q[i], 0, sizeof qs->q[i]);
        items->item[i].native = q;
        items->n = i + 1;
        rc = item_fill(&items->item[i], q, i);
    }
    tp_queries_free(qs);
    if (!items || !items->item || !items->source || rc) {
        suite_items_free(s, items);
        return err_set(err, IM_IO, "out of memory");
    }
    *out = items;
    return IM_OK;
}

static int tp_item_parse(const Suite *s, const char *fields_json, const char *where, int line, SuiteItem *out, Err *err) {
    (void)s;
    TpQuery *q = calloc(1, sizeof *q);
    if (!q) return err_set(err, IM_IO, "out of memory");
    int rc = tp_query_parse(fields_json, where, line, q, err);
    if (rc) {
        free(q);
        return rc;
    }
    out->native = q;
    if (item_fill(out, q, line - 1)) {
        tp_item_free(out);
        return err_set(err, IM_IO, "out of memory");
    }
    return IM_OK;
}

const TpQuery *tp_suite_query(const SuiteItem *it) { return it->native; }
const TpDb *tp_suite_db(const Suite *s) { return db_of(s); }

/* ---- evaluation ----------------------------------------------------------- */

int tp_plan_final_pass(const TpPlanResult *r) {
    if (!r->delivered || !r->hard_evaluated) return 0;
    for (int k = 0; k < TP_NCS; k++)
        if (r->cs[k].value == 0) return 0;
    for (int k = 0; k < TP_NHARD; k++)
        if (r->hard[k].value == 0) return 0;
    return 1;
}

/* The generic verdicts of a TpPlanResult (native kept, owned by e). */
static void eval_from_result(TpPlanResult *pr, SuiteEval *e) {
    e->native = pr;
    e->delivered = pr->delivered && !pr->note;
    e->passed = tp_plan_final_pass(pr);
    if (pr->note) e->note = strdup(pr->note);
    if (pr->log) e->log = strdup(pr->log);
    e->cost = pr->total_cost, e->has_cost = pr->hard_evaluated;
    int n = TP_NCS + (pr->hard_evaluated ? TP_NHARD : 0);
    for (int i = 0; i < n; i++) {
        int hard = i >= TP_NCS, k = hard ? i - TP_NCS : i;
        const TpVerdict *v = hard ? &pr->hard[k] : &pr->cs[k];
        suite_eval_add(e, hard ? "hard" : "commonsense", hard ? tp_hard_key(k) : tp_cs_key(k), v->value, v->msg);
    }
}

static void tp_evaluate(const Suite *s, const SuiteItem *it, const char *answer_json, int line, SuiteEval *out) {
    TpPlanResult *pr = calloc(1, sizeof *pr);
    if (!pr) return;
    if (answer_json) {
        Buf b;
        buf_init(&b);
        buf_puts(&b, "{\"plan\": ");
        buf_puts(&b, answer_json);
        buf_putc(&b, '}');
        tp_eval_line(db_of(s), it->native, b.data, line, pr);
        buf_free(&b);
    } else
        tp_eval_plan(db_of(s), it->native, NULL, line, pr);
    eval_from_result(pr, out);
}

/* A TpPlanResult from stored verdicts (what store_items reads). */
static int tp_verdicts_load(const Suite *s, SuiteEval *e, Err *err) {
    (void)s;
    TpPlanResult *pr = calloc(1, sizeof *pr);
    if (!pr) return err_set(err, IM_IO, "out of memory");
    pr->delivered = e->delivered;
    pr->total_cost = e->cost;
    for (int k = 0; k < TP_NCS; k++) pr->cs[k].value = -1;
    for (int k = 0; k < TP_NHARD; k++) pr->hard[k].value = -1;
    for (int i = 0; i < e->n; i++) {
        int hard, k = tp_check_by_key(e->v[i].name, &hard);
        if (k < 0) continue; /* not a TravelPlanner check: not counted */
        TpVerdict *v = hard ? &pr->hard[k] : &pr->cs[k];
        v->value = e->v[i].value;
        v->msg = e->v[i].message ? strdup(e->v[i].message) : NULL;
        if (hard) pr->hard_evaluated = 1;
    }
    if (e->native) tp_plan_result_free(e->native), free(e->native);
    e->native = pr;
    e->passed = tp_plan_final_pass(pr);
    return IM_OK;
}

static void tp_eval_json(const SuiteEval *e, Buf *out) {
    static const TpPlanResult none = {0};
    tp_plan_result_json(e->native ? e->native : &none, out);
}

static void tp_eval_free(SuiteEval *e) {
    if (e->native) tp_plan_result_free(e->native), free(e->native);
    e->native = NULL;
}

/* ---- metrics -------------------------------------------------------------- */

static const SuiteRate tp_rates[] = {
    {"final_pass_rate", "Final pass", 1, NULL},           {"delivery_rate", "Delivery", 1, NULL},
    {"commonsense_micro", "Commonsense micro", 0, "CS micro"}, {"commonsense_macro", "Commonsense macro", 1, "CS macro"},
    {"hard_micro", "Hard micro", 0, NULL},                {"hard_macro", "Hard macro", 1, NULL}};

/* Hard checks that count in the official hard denominator for a query:
 * the budget always, and the local constraints its level carries. */
static int hard_chances(const TpQuery *q) {
    int house = q->house_rule != NULL, cuisine = q->cuisine != NULL;
    int room = q->room_type != NULL, transport = q->transportation != NULL;
    if (q->level == TP_LEVEL_HARD) return 1 + house + cuisine + room + transport;
    if (q->level == TP_LEVEL_MEDIUM) return 1 + house + cuisine + room;
    return 1;
}

void tp_rate_parts(const TpQuery *q, const TpPlanResult *r, double num[6], double den[6]) {
    int cs_pass = 0, hard_pass = 0, cs_ok = 1, hard_ok = 1;
    for (int k = 0; k < TP_NCS; k++) cs_pass += r->cs[k].value == 1, cs_ok &= r->cs[k].value != 0;
    for (int k = 0; k < TP_NHARD; k++) hard_pass += r->hard[k].value == 1, hard_ok &= r->hard[k].value != 0;
    int macro_seen = r->delivered && r->hard_evaluated;
    double v[6] = {r->delivered, r->delivered ? cs_pass : 0, macro_seen && cs_ok, macro_seen ? hard_pass : 0,
                   macro_seen && hard_ok, macro_seen && cs_ok && hard_ok};
    double d[6] = {1, TP_NCS, 1, hard_chances(q), 1, 1};
    memcpy(num, v, sizeof v), memcpy(den, d, sizeof d);
}

static void tp_suite_rate_parts(const Suite *s, const SuiteItem *it, const SuiteEval *e, int r, double *num, double *den) {
    (void)s;
    static const int order[6] = {5, 0, 1, 2, 3, 4}; /* tp_rates -> tp_rate_parts */
    double n6[6], d6[6];
    tp_rate_parts(it->native, e->native, n6, d6);
    *num = r >= 0 && r < 6 ? n6[order[r]] : 0;
    *den = r >= 0 && r < 6 ? d6[order[r]] : 0;
}

static int tp_suite_metrics(const Suite *s, const char *split, const SuiteItem *items, const SuiteEval *evals, int n,
                            SuiteMetrics *out, Err *err) {
    (void)s;
    TpMetrics *m = calloc(1, sizeof *m);
    TpQuery *qs = calloc((size_t)(n ? n : 1), sizeof *qs);
    TpPlanResult *rs = calloc((size_t)(n ? n : 1), sizeof *rs);
    if (!m || !qs || !rs) {
        free(m), free(qs), free(rs);
        return err_set(err, IM_IO, "out of memory");
    }
    for (int i = 0; i < n; i++) { /* shallow copies: verdicts and fields only */
        qs[i] = *(const TpQuery *)items[i].native;
        if (evals[i].native) rs[i] = *(const TpPlanResult *)evals[i].native;
    }
    tp_metrics_compute(qs, rs, n, split, m);
    out->native = m;
    const struct { const char *name; double v; } rates[] = {
        {"delivery_rate", m->delivery_rate},     {"commonsense_micro", m->cs_micro_rate},
        {"commonsense_macro", m->cs_macro_rate}, {"hard_micro", m->hard_micro_rate},
        {"hard_macro", m->hard_macro_rate},      {"final_pass_rate", m->final_rate}};
    int rc = IM_OK;
    for (size_t i = 0; !rc && i < sizeof rates / sizeof rates[0]; i++)
        rc = suite_metrics_add(out, rates[i].name, "", rates[i].v, 0);
    for (int l = 0; !rc && l < TP_NLEVELS; l++) {
        char st[64];
        snprintf(st, sizeof st, "level=%s", tp_level_name(l));
        rc = suite_metrics_add(out, "final_pass", st, m->final_by_level[l], 0);
    }
    /* final pass per level x days, as rates with their parts */
    int pass[TP_NLEVELS][3] = {{0}}, cnt[TP_NLEVELS][3] = {{0}};
    for (int i = 0; i < n; i++) {
        int l = qs[i].level, d = tp_days_slot(qs[i].days);
        if (l < 0 || l >= TP_NLEVELS || d < 0) continue;
        cnt[l][d]++;
        pass[l][d] += tp_plan_final_pass(&rs[i]);
    }
    static const int days[3] = {3, 5, 7};
    for (int l = 0; !rc && l < TP_NLEVELS; l++)
        for (int d = 0; !rc && d < 3; d++) {
            if (!cnt[l][d]) continue;
            char st[64];
            snprintf(st, sizeof st, "level=%s,days=%d", tp_level_name(l), days[d]);
            rc = suite_metrics_add(out, "final_pass_rate", st, pass[l][d], cnt[l][d]);
        }
    free(qs), free(rs);
    return rc ? err_set(err, IM_IO, "out of memory") : IM_OK;
}

static void tp_suite_metrics_text(const SuiteMetrics *m, Buf *out) {
    tp_metrics_print_rates(m->native, out);
    tp_metrics_detail_table(m->native, out);
}

static void tp_suite_metrics_json(const SuiteMetrics *m, Buf *out) { tp_metrics_json(m->native, out); }

static void tp_suite_metrics_free(SuiteMetrics *m) {
    free(m->native);
    m->native = NULL;
}

/* ---- material and tools --------------------------------------------------- */

static int tp_material(const Suite *s, const SuiteItem *it, SuiteMaterial *out, Err *err) {
    const TpQuery *q = it->native;
    int rc = tp_reference_info(db_of(s), q, &out->reference, err);
    if (rc) return rc;
    out->task = dup_or_null(q->query), out->statement = dup_or_null(q->query);
    return (out->task && out->statement) || !q->query ? IM_OK : err_set(err, IM_IO, "out of memory");
}

/* Tool sets: "two-stage" (the official tools on the sandbox, tools.h) and
 * "cost" (CostEnquiry[day or days as JSON]: the one cost function). */
typedef struct TpToolSession {
    int two_stage;
    TpTools tools;
    const TpDb *db;
    const TpQuery *q;
} TpToolSession;

static int tp_tools_open(const Suite *s, const SuiteItem *it, const char *set, void **session, Err *err) {
    int two = set && !strcmp(set, "two-stage");
    if (!two && !(set && !strcmp(set, "cost")))
        return err_set(err, IM_USAGE, "suite travelplanner has no tool set '%s' (two-stage, cost)", set ? set : "");
    TpToolSession *t = calloc(1, sizeof *t);
    if (!t) return err_set(err, IM_IO, "out of memory");
    t->two_stage = two, t->db = db_of(s), t->q = it->native;
    if (two) tp_tools_init(&t->tools, t->db);
    *session = t;
    return IM_OK;
}

/* The argument of "Name[arg]" (name in any case) when action is that
 * tool, else NULL. */
static const char *action_arg(const char *action, const char *name, size_t *len) {
    size_t n = strlen(name);
    if (strncasecmp(action, name, n) || action[n] != '[') return NULL;
    const char *end = strrchr(action, ']');
    if (!end || end < action + n) return NULL;
    *len = (size_t)(end - action - n - 1);
    return action + n + 1;
}

static int tp_tools_run_action(void *session, const char *action, Buf *obs) {
    TpToolSession *t = session;
    if (t->two_stage) {
        int r = tp_tools_run(&t->tools, action, obs);
        return r == TP_TOOL_PLANNER ? SUITE_TOOL_FINAL : r == TP_TOOL_INVALID ? SUITE_TOOL_INVALID : SUITE_TOOL_OBS;
    }
    size_t len = 0;
    const char *arg = action_arg(action, "CostEnquiry", &len);
    if (!arg) return SUITE_TOOL_INVALID;
    char *text = strndup(arg, len);
    cJSON *day = text ? cJSON_Parse(text) : NULL;
    free(text);
    double cost = 0;
    Err e = {0};
    if (!cJSON_IsObject(day) && !cJSON_IsArray(day))
        buf_puts(obs, "Sorry, the cost of your subplan is not available: the argument is not a JSON day object.");
    else if (tp_plan_cost(t->db, t->q, day, &cost, &e))
        buf_printf(obs, "Sorry, the cost of your subplan is not available because of the following information: %s.", e.msg);
    else
        buf_printf(obs, "The cost of your subplan is %.0f dollars.", cost);
    cJSON_Delete(day);
    return SUITE_TOOL_OBS;
}

static const char *tp_tools_notes(void *session) {
    TpToolSession *t = session;
    return t->two_stage ? t->tools.notebook.data : NULL;
}

static void tp_tools_close(void *session) {
    TpToolSession *t = session;
    if (!t) return;
    if (t->two_stage) tp_tools_free(&t->tools);
    free(t);
}

/* ---- answers ---------------------------------------------------------------- */

/* Reflexion's self-check: the number of days, every entry in the sandbox
 * (the one cost function), the budget. */
static char *tp_critique(const Suite *s, const SuiteItem *it, const char *answer_json) {
    const TpQuery *q = it->native;
    cJSON *plan = cJSON_Parse(answer_json);
    char *why = NULL;
    double cost = 0;
    Err err = {0};
    if (cJSON_GetArraySize(plan) != q->days) {
        if (asprintf(&why, "the plan has %d days but the trip lasts %d", cJSON_GetArraySize(plan), q->days) < 0) why = NULL;
    } else if (tp_plan_cost(db_of(s), q, plan, &cost, &err)) {
        if (asprintf(&why, "part of the plan is not in the information: %s", err.msg) < 0) why = NULL;
    } else if (cost > (double)q->budget) {
        if (asprintf(&why, "the plan costs %.0f dollars, over the budget of %ld", cost, q->budget) < 0) why = NULL;
    }
    cJSON_Delete(plan);
    return why;
}

static int tp_extract(const Suite *s, const SuiteItem *it, const char *text, char **answer_json, Err *err) {
    (void)s, (void)it;
    return tp_parse_plan(text, answer_json, err);
}

static int tp_answers_open(const Suite *s, const char *path, void **answers, Err *err) {
    (void)s;
    TpSubmission *sub = NULL;
    int rc = tp_submission_read(path, &sub, err);
    *answers = sub;
    return rc;
}

static void tp_answers_close(void *answers) { tp_submission_free(answers); }

/* Python's truth value of a JSON value. */
static int truthy(const cJSON *v) {
    if (!v || cJSON_IsNull(v) || cJSON_IsFalse(v)) return 0;
    if (cJSON_IsNumber(v)) return v->valuedouble != 0;
    if (cJSON_IsString(v)) return v->valuestring[0] != 0;
    if (cJSON_IsArray(v) || cJSON_IsObject(v)) return v->child != NULL;
    return 1;
}

static int no_answer(char **why, const char *fmt, int line) {
    return asprintf(why, fmt, line) < 0 ? (*why = NULL, IM_IO) : IM_OK;
}

/* Line pos+1 of the submission, as eval.py pairs lines with queries: a
 * missing line, a line that is not an object with "plan", or a plan that
 * Python finds false ([] or null) delivers nothing. */
static int tp_answer(void *answers, const SuiteItem *it, char **answer_json, char **raw, char **why, Err *err) {
    const TpSubmission *sub = answers;
    *answer_json = *raw = *why = NULL;
    int i = it->pos;
    if (i < 0 || i >= sub->n) return no_answer(why, "plan line %d: missing from the submission file", i + 1);
    const char *text = sub->line[i];
    *raw = strdup(text);
    cJSON *root = cJSON_Parse(text);
    if (cJSON_IsString(root)) { /* eval.py eval()s a string line */
        cJSON *inner = cJSON_Parse(root->valuestring);
        cJSON_Delete(root);
        root = inner;
    }
    int rc = IM_OK;
    const cJSON *plan = NULL; /* Python's dict keeps the last of duplicate keys */
    for (const cJSON *c = cJSON_IsObject(root) ? root->child : NULL; c; c = c->next)
        if (c->string && !strcmp(c->string, "plan")) plan = c;
    if (!cJSON_IsObject(root)) rc = no_answer(why, "plan line %d: not a JSON object with a 'plan' key", i + 1);
    else if (!plan) rc = no_answer(why, "plan line %d: no 'plan' key", i + 1);
    else if (!truthy(plan)) rc = no_answer(why, "plan line %d: empty plan (not delivered)", i + 1);
    else if (!(*answer_json = cJSON_PrintUnformatted(plan))) rc = IM_IO;
    cJSON_Delete(root);
    return rc ? err_set(err, IM_IO, "out of memory") : IM_OK;
}

/* ---- export and solving ------------------------------------------------------ */

static void tp_export_line(const Suite *s, const SuiteItem *it, const char *answer_json, Buf *out) {
    (void)s;
    const TpQuery *q = it->native;
    buf_printf(out, "{\"idx\": %d, \"query\": ", q->idx);
    buf_json_str(out, q->query ? q->query : "");
    buf_puts(out, ", \"plan\": ");
    buf_puts(out, answer_json ? answer_json : "null");
    buf_putc(out, '}');
}

/* A submission file: one export_line per item, as eval.py reads it. */
static void tp_answers_write(const Suite *s, const SuiteItem *items, char *const *answers, const SuiteSolution *sols, int n, Buf *out) {
    (void)sols;
    for (int i = 0; i < n; i++) {
        tp_export_line(s, &items[i], answers[i], out);
        buf_putc(out, '\n');
    }
}

/* ---- reward ---------------------------------------------------------------------- */

static int reward_cfg(const char *config_json, TpRewardCfg *c, Err *err) {
    tp_reward_cfg_default(c);
    return config_json ? tp_reward_cfg_parse(config_json, c, err) : IM_OK;
}

static int tp_suite_reward_config(const char *config_json, Buf *out, Err *err) {
    TpRewardCfg c;
    int rc = reward_cfg(config_json, &c, err);
    if (!rc) tp_reward_cfg_json(&c, out);
    return rc;
}

/* The IMAGINE reward (reward.h): components format, commonsense, hard,
 * reflection (the format term is format_penalty on a format failure, when
 * it is the whole reward); components_json has every count and verdict. */
static int tp_suite_reward(const Suite *s, const SuiteItem *it, const char *response, const char *config_json,
                           SuiteReward *out, Err *err) {
    TpRewardCfg c;
    int rc = reward_cfg(config_json, &c, err);
    if (rc) return rc;
    TpReward r;
    tp_reward(db_of(s), it->native, response, &c, &r);
    Buf comp;
    buf_init(&comp);
    tp_reward_components_json(&r, &c, &comp);
    out->total = r.reward;
    out->n = 4;
    out->name[0] = "format", out->value[0] = r.format_ok ? 0 : c.format_penalty;
    out->name[1] = "commonsense", out->value[1] = r.commonsense;
    out->name[2] = "hard", out->value[2] = r.hard;
    out->name[3] = "reflection", out->value[3] = r.format_ok ? r.reflection : 0;
    out->components_json = buf_take(&comp);
    if (r.format_error) out->note = strdup(r.format_error);
    tp_reward_free(&r);
    return out->components_json ? IM_OK : err_set(err, IM_IO, "out of memory");
}

/* ---- generation (generate.h) ------------------------------------------------------- */

/* config: the generator's fields (generate.h) plus "against" (a list of
 * splits, default train, validation and test when present) and "threads"
 * (default 2; the bytes do not depend on it). */
static int tp_gen_config(const char *config_json, TpGenCfg *cfg, cJSON **against, int *threads, Err *err) {
    tp_gen_cfg_default(cfg);
    *against = NULL, *threads = 2;
    if (!config_json) return IM_OK;
    cJSON *o = cJSON_Parse(config_json);
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return err_set(err, IM_USAGE, "generator configuration: not a JSON object");
    }
    cJSON *ag = cJSON_DetachItemFromObjectCaseSensitive(o, "against"), *th = cJSON_DetachItemFromObjectCaseSensitive(o, "threads");
    int rc = IM_OK;
    if (ag && !cJSON_IsArray(ag)) rc = err_set(err, IM_USAGE, "generator configuration: \"against\" must be a list of splits");
    for (const cJSON *x = ag ? ag->child : NULL; x && !rc; x = x->next)
        if (!cJSON_IsString(x)) rc = err_set(err, IM_USAGE, "generator configuration: \"against\" must be a list of splits");
    if (th && !(cJSON_IsNumber(th) && th->valuedouble >= 1 && th->valuedouble <= 256))
        rc = err_set(err, IM_USAGE, "generator configuration: \"threads\" must be 1..256");
    else if (th) *threads = (int)th->valuedouble;
    char *rest = rc ? NULL : cJSON_PrintUnformatted(o);
    if (!rc) rc = rest ? tp_gen_cfg_parse(rest, cfg, err) : err_set(err, IM_IO, "out of memory");
    free(rest);
    cJSON_Delete(o), cJSON_Delete(th);
    if (rc) cJSON_Delete(ag);
    else *against = ag;
    return rc;
}

static int tp_suite_generate(const Suite *s, const char *config_json, unsigned long long seed, int n, Buf *jsonl, Buf *report,
                             Err *err) {
    TpGenCfg cfg;
    cJSON *against;
    int threads;
    int rc = tp_gen_config(config_json, &cfg, &against, &threads, err);
    if (rc) return rc;
    TpQuerySet *sets[8] = {0};
    int nsets = 0, listed = against != NULL;
    static const char *const dflt[] = {"train", "validation", "test"};
    int nag = listed ? cJSON_GetArraySize(against) : 3;
    for (int k = 0; !rc && k < nag && nsets < 8; k++) {
        const char *split = listed ? cJSON_GetArrayItem(against, k)->valuestring : dflt[k];
        char *path = NULL;
        if (asprintf(&path, "%s/queries/%s.jsonl", s->data_dir, split) < 0) path = NULL;
        if (!path) rc = err_set(err, IM_IO, "out of memory");
        else if (!listed && !strcmp(split, "test") && !fs_exists(path)) { /* the test split ships without answers */
        } else if (!(rc = tp_queries_load(path, &sets[nsets], err))) nsets++;
        free(path);
    }
    cJSON_Delete(against);
    TpGenStats st;
    if (!rc) rc = tp_generate(db_of(s), &cfg, (const TpQuerySet *const *)sets, nsets, n, seed, threads, jsonl, &st, err);
    if (!rc && report) {
        int ag = 0;
        for (int i = 0; i < nsets; i++) ag += sets[i]->n;
        buf_printf(report,
                   "  %d threads; feasible %d, infeasible %d (%d by budget), unknown %d; %d duplicates of the %d benchmark queries or of "
                   "each other redrawn\n  config: ",
                   threads, st.feasible, st.infeasible, st.infeasible_budget, st.unknown, st.duplicates_skipped, ag);
        tp_gen_cfg_json(&cfg, report);
        buf_putc(report, '\n');
    }
    for (int i = 0; i < nsets; i++) tp_queries_free(sets[i]);
    return rc;
}

/* Paraphrases of generated queries (paraphrase.h). */
static char *tp_suite_paraphrase_check(const Suite *s, const SuiteItem *it, const char *text) {
    (void)s;
    return tp_paraphrase_check(it->native, text);
}

static int tp_item_retext(const Suite *s, const SuiteItem *it, const char *text, const char *note_json, Buf *out, Err *err) {
    (void)s;
    return tp_query_retext(it->native, text, note_json, out, err);
}

/* ---- solving ---------------------------------------------------------------------- */

static int tp_solve(const Suite *s, const SuiteItem *it, const char *solver, const char *options_json,
                    SuiteSolution *out, Err *err) {
    const TpQuery *q = it->native;
    if (solver && !strncmp(solver, "teacher", 7)) /* the IMAGINE programmatic teacher (teacher.h) */
        return tp_teacher_solve(db_of(s), q, solver, options_json, out, err);
    if (solver && !strcmp(solver, "greedy")) {
        const char *why = NULL;
        out->answer_json = greedy_plan(db_of(s), q, &why);
        out->status = out->answer_json ? SUITE_SOLVED : SUITE_UNKNOWN;
        if (why) out->reason = strdup(why);
        return IM_OK;
    }
    if (solver && strcmp(solver, "solver"))
        return err_set(err, IM_USAGE, "suite travelplanner has no solver '%s' (solver, greedy, teacher, teacher-reflect)", solver);
    cJSON *o = options_json ? cJSON_Parse(options_json) : NULL;
    if (options_json && !cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return err_set(err, IM_USAGE, "solver options: not a JSON object");
    }
    const cJSON *sp = cJSON_GetObjectItemCaseSensitive(o, "sole_planning");
    const cJSON *to = cJSON_GetObjectItemCaseSensitive(o, "timeout_s");
    SolverOptions opt = {.timeout_s = cJSON_IsNumber(to) ? to->valuedouble : 0};
    int sole = cJSON_IsTrue(sp);
    cJSON_Delete(o);
    TpRefView *view = NULL;
    if (sole) {
        int rc = solver_sole_view(db_of(s), q, &view, NULL, err);
        if (rc) return rc;
        opt.view = &view->db;
    }
    SolverResult r;
    int rc = solver_solve(db_of(s), q, &opt, &r, err);
    tp_ref_view_free(view);
    if (!rc) {
        out->status = r.status == SOLVER_FEASIBLE ? SUITE_SOLVED : r.status == SOLVER_INFEASIBLE ? SUITE_INFEASIBLE : SUITE_UNKNOWN;
        out->optimal = r.status == SOLVER_FEASIBLE;
        out->answer_json = r.plan_json, r.plan_json = NULL;
        out->reason = r.reason, r.reason = NULL;
        out->family = r.family;
        out->cost = r.cost, out->nodes = r.nodes, out->timed_out = r.timed_out;
    }
    solver_result_free(&r);
    return rc;
}

/* ---- the table ------------------------------------------------------------------ */

static const char *const tp_splits[] = {"train", "validation", "test", NULL};
static const char *const tp_strata[] = {"level", "days", NULL};
static const char *const tp_verdicts[] = {
    "is_reasonable_visiting_city", "is_valid_restaurants", "is_valid_attractions", "is_valid_accommodation",
    "is_valid_transportation", "is_valid_information_in_current_city", "is_valid_information_in_sandbox",
    "is_not_absent", "valid_cuisine", "valid_room_rule", "valid_transportation", "valid_room_type", "valid_cost", NULL};
/* For reports (suite.h): in the order of tp_verdicts, as the paper names them. */
static const char *const tp_verdict_labels[] = {
    "Reasonable City Route", "Diverse Restaurants", "Diverse Attractions", "Minimum Nights Stay",
    "Non-conf. Transportation", "Within Current City", "Within Sandbox", "Complete Information",
    "Cuisine", "Room Rule", "Transportation", "Room Type", "Budget", NULL};
static const char *const tp_verdict_families[] = {
    "commonsense", "commonsense", "commonsense", "commonsense", "commonsense", "commonsense", "commonsense",
    "commonsense", "hard", "hard", "hard", "hard", "hard", NULL};
static const char *const tp_strata_labels[] = {"%s", "%s days", NULL};
static const char *const tp_strata_short[] = {"%s", "%s d", NULL};
static const char *const tp_strata_values[] = {"easy,medium,hard", "3,5,7", NULL};
static const char *const tp_day_fields[] = {"day", "current_city", "transportation", "breakfast",
                                            "attraction", "lunch", "dinner", "accommodation", NULL};
static const char *const tp_day_labels[] = {"Day", "Current city", "Transportation", "Breakfast",
                                            "Attraction", "Lunch", "Dinner", "Accommodation", NULL};

const SuiteOps suite_travelplanner = {
    .name = "travelplanner",
    .summary = "TravelPlanner (Xie et al., ICML 2024): multi-day travel plans under commonsense and hard constraints",
    .data_env = "IMAGINE_DATA",
    .splits = tp_splits,
    .default_split = NULL,
    .strata = tp_strata,
    .rates = tp_rates,
    .verdicts = tp_verdicts,
    .n_rates = (int)(sizeof tp_rates / sizeof tp_rates[0]),
    .title = "TravelPlanner",
    .verdict_labels = tp_verdict_labels,
    .verdict_families = tp_verdict_families,
    .strata_labels = tp_strata_labels,
    .strata_short = tp_strata_short,
    .strata_title = "level and trip length",
    .strata_values = tp_strata_values,
    .verdicts_note = "hard checks once the plan is complete and within the sandbox",
    .answer_fields = tp_day_fields,
    .answer_field_labels = tp_day_labels,
    .open = tp_open,
    .close = tp_close,
    .data_check = tp_data_check,
    .data_fetch = tp_data_fetch_op,
    .items_load = tp_items_load,
    .item_parse = tp_item_parse,
    .item_free = tp_item_free,
    .material = tp_material,
    .tools_open = tp_tools_open,
    .tools_run = tp_tools_run_action,
    .tools_notes = tp_tools_notes,
    .tools_close = tp_tools_close,
    .extract = tp_extract,
    .critique = tp_critique,
    .answers_open = tp_answers_open,
    .answer = tp_answer,
    .answers_close = tp_answers_close,
    .evaluate = tp_evaluate,
    .verdicts_load = tp_verdicts_load,
    .eval_free = tp_eval_free,
    .eval_json = tp_eval_json,
    .metrics = tp_suite_metrics,
    .metrics_text = tp_suite_metrics_text,
    .metrics_json = tp_suite_metrics_json,
    .metrics_free = tp_suite_metrics_free,
    .rate_parts = tp_suite_rate_parts,
    .export_line = tp_export_line,
    .answers_write = tp_answers_write,
    .solve = tp_solve,
    .reward = tp_suite_reward,
    .reward_config = tp_suite_reward_config,
    .generate = tp_suite_generate,
    .paraphrase_check = tp_suite_paraphrase_check,
    .item_retext = tp_item_retext,
    .items_stats = tp_items_stats,
    .eval_options = tp_eval_options,
    .eval_file = tp_eval_file,
    .bench_open = tp_bench_open,
    .bench_eval_once = tp_bench_eval_once,
    .bench_close = tp_bench_close,
};
