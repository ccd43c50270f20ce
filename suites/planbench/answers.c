/* answers.c: reading PlanBench answer files and judging them
 * (pb_answers.h). cJSON for the file; extraction and validation are
 * pb_extract / pb_validate. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "pb_answers.h"

static char *xdup(const char *s) {
    char *r = strdup(s ? s : "");
    if (!r) abort();
    return r;
}

static char *opt_str(const cJSON *o, const char *k) {
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(x) ? xdup(x->valuestring) : NULL;
}

/* "['a', "b"]" -> steps; returns 0 when s is not a Python list literal. */
static int py_list(const char *s, char ***steps, int *n) {
    const char *p = s;
    while (*p == ' ' || *p == '\n' || *p == '\t') p++;
    if (*p != '[') return 0;
    p++;
    int cap = 0;
    *steps = NULL;
    *n = 0;
    for (;;) {
        while (*p == ' ' || *p == '\n' || *p == '\t' || *p == ',') p++;
        if (*p == ']') return 1;
        if (*p != '\'' && *p != '"') goto bad;
        char q = *p++;
        Buf b;
        buf_init(&b);
        buf_puts(&b, "");
        while (*p && *p != q) {
            if (*p == '\\' && p[1]) {
                p++;
                buf_putc(&b, *p == 'n' ? '\n' : *p == 't' ? '\t' : *p);
            } else {
                buf_putc(&b, *p);
            }
            p++;
        }
        if (*p != q) {
            buf_free(&b);
            goto bad;
        }
        p++;
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            *steps = realloc(*steps, (size_t)cap * sizeof **steps);
            if (!*steps) abort();
        }
        (*steps)[(*n)++] = buf_take(&b);
    }
bad:
    for (int i = 0; i < *n; i++) free((*steps)[i]);
    free(*steps);
    *steps = NULL;
    *n = 0;
    return 0;
}

static char *join_lines(char **steps, int n) {
    Buf b;
    buf_init(&b);
    buf_puts(&b, "");
    for (int i = 0; i < n; i++) {
        buf_puts(&b, steps[i]);
        buf_putc(&b, '\n');
    }
    return buf_take(&b);
}

void pb_answers_free(PbAnswers *s) {
    if (!s) return;
    for (int i = 0; i < s->n; i++) {
        PbAnswer *a = &s->a[i];
        free(a->raw);
        free(a->translation);
        free(a->stored);
        for (int k = 0; k < a->nstored; k++) free(a->stored_steps[k]);
        free(a->stored_steps);
    }
    free(s->a);
    free(s->path);
    free(s->domain);
    free(s->prompt_type);
    free(s->engine);
    free(s->task);
    free(s);
}

int pb_answers_parse(const char *json, size_t len, const char *path, PbAnswers **out, Err *err) {
    *out = NULL;
    cJSON *root = cJSON_ParseWithLength(json, len);
    if (!root) return err_set(err, IM_IO, "%s: not valid JSON (near byte %ld)", path, (long)(cJSON_GetErrorPtr() ? cJSON_GetErrorPtr() - json : 0));
    const cJSON *inst = cJSON_GetObjectItemCaseSensitive(root, "instances");
    if (!cJSON_IsArray(inst)) {
        cJSON_Delete(root);
        return err_set(err, IM_IO, "%s: no \"instances\" list (expected the PlanBench results format: {\"instances\": [{\"instance_id\", \"llm_raw_response\", ...}]})", path);
    }
    PbAnswers *s = calloc(1, sizeof *s);
    if (!s) abort();
    s->path = xdup(path);
    s->domain = opt_str(root, "domain");
    s->prompt_type = opt_str(root, "prompt_type");
    s->engine = opt_str(root, "engine");
    s->task = opt_str(root, "task");
    int n = cJSON_GetArraySize(inst), rc = IM_OK;
    s->a = calloc((size_t)(n ? n : 1), sizeof *s->a);
    if (!s->a) abort();
    int i = 0;
    for (const cJSON *o = inst->child; o && !rc; o = o->next, i++) {
        PbAnswer *a = &s->a[s->n++];
        a->verdict = -1;
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "instance_id");
        if (!cJSON_IsNumber(id) || id->valuedouble < 1 || id->valuedouble != (double)(int)id->valuedouble) {
            rc = err_set(err, IM_IO, "%s: instances[%d]: \"instance_id\" must be a positive integer", path, i);
            break;
        }
        a->id = id->valueint;
        a->raw = opt_str(o, "llm_raw_response");
        a->translation = opt_str(o, "raw_translation");
        const cJSON *ep = cJSON_GetObjectItemCaseSensitive(o, "extracted_llm_plan");
        if (cJSON_IsString(ep)) {
            if (py_list(ep->valuestring, &a->stored_steps, &a->nstored)) {
                a->stored = join_lines(a->stored_steps, a->nstored);
            } else {
                a->stored = xdup(ep->valuestring);
                a->stored_is_text = 1;
                pb_plan_lines(a->stored, &a->stored_steps, &a->nstored);
            }
        } else if (cJSON_IsArray(ep)) {
            int m = cJSON_GetArraySize(ep), k = 0;
            a->stored_steps = calloc((size_t)(m ? m : 1), sizeof(char *));
            if (!a->stored_steps) abort();
            for (const cJSON *x = ep->child; x; x = x->next) {
                if (!cJSON_IsString(x)) {
                    rc = err_set(err, IM_IO, "%s: instance %d: \"extracted_llm_plan\" list holds a non-string", path, a->id);
                    break;
                }
                a->stored_steps[k++] = xdup(x->valuestring);
            }
            a->nstored = k;
            a->stored = join_lines(a->stored_steps, a->nstored);
        }
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "llm_correct");
        if (!v) v = cJSON_GetObjectItemCaseSensitive(o, "correct");
        if (cJSON_IsBool(v)) a->verdict = cJSON_IsTrue(v);
        else if (cJSON_IsString(v) && (!strcmp(v->valuestring, "True") || !strcmp(v->valuestring, "False")))
            a->verdict = !strcmp(v->valuestring, "True");
        else if (cJSON_IsNumber(v)) a->verdict = v->valuedouble != 0;
        else if (v && !cJSON_IsNull(v))
            rc = err_set(err, IM_IO, "%s: instance %d: verdict must be true/false or \"True\"/\"False\"", path, a->id);
    }
    cJSON_Delete(root);
    if (rc) {
        pb_answers_free(s);
        return rc;
    }
    *out = s;
    return IM_OK;
}

int pb_answers_load(const char *path, PbAnswers **out, Err *err) {
    char *text;
    size_t len;
    *out = NULL;
    int rc = fs_read_file(path, &text, &len, err);
    if (rc) return rc;
    rc = pb_answers_parse(text, len, path, out, err);
    free(text);
    return rc;
}

int pb_answer_extraction_matches(const PbVariant *v, const PbAnswer *a, PbDialect dialect, PbExtracted *mine) {
    pb_extract(&v->x, dialect, a->raw, a->translation, mine);
    if (!a->stored) return mine->ok ? 0 : 1; /* nothing stored: the authors' extractor raised */
    if (!mine->ok) return 0;
    if (a->stored_is_text) return strcmp(mine->text, a->stored) == 0;
    if (mine->nsteps != a->nstored) return 0;
    for (int i = 0; i < a->nstored; i++)
        if (strcmp(mine->steps[i], a->stored_steps[i])) return 0;
    return 1;
}

void pb_items_free(PbItem *items, int n) {
    if (!items) return;
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < items[i].nsteps; k++) free(items[i].steps[k]);
        free(items[i].steps);
        free(items[i].text);
    }
    free(items);
}

static PbDialect choose_dialect(const PbVariant *v, const PbAnswers *s) {
    int agree[PB_X_COUNT] = {0}, tr[2] = {0, 0};
    for (int i = 0; i < s->n; i++) {
        const PbAnswer *a = &s->a[i];
        if (!a->raw || !*a->raw || !a->stored) continue;
        if (a->translation) {
            for (int e = 0; e < 2; e++) {
                PbExtracted x;
                if (pb_answer_extraction_matches(v, a, e ? PB_X_TR_EARLY | PB_X_ANALYSIS : PB_X_ANALYSIS, &x) == 1) tr[e]++;
                pb_extracted_free(&x);
            }
            continue;
        }
        if (v->x.kind == PB_DOM_LOGISTICS) continue; /* the rule extractors agree on Logistics */
        for (int d = PB_X_PLANBENCH; d < PB_X_COUNT; d++) {
            PbExtracted x;
            if (pb_answer_extraction_matches(v, a, (PbDialect)d, &x) == 1) agree[d]++;
            pb_extracted_free(&x);
        }
    }
    /* ties go to the newest: analysis, then plan-bench-md, then plan-bench */
    int best = PB_X_ANALYSIS;
    for (int d = PB_X_ANALYSIS - 1; d >= PB_X_PLANBENCH; d--)
        if (agree[d] > agree[best]) best = d;
    if (tr[1] > tr[0]) best |= PB_X_TR_EARLY;
    return (PbDialect)best;
}

static void set_steps(PbItem *it, char **steps, int n) {
    it->steps = calloc((size_t)(n ? n : 1), sizeof(char *));
    if (!it->steps) abort();
    for (int k = 0; k < n; k++) it->steps[k] = xdup(steps[k]);
    it->nsteps = n;
}

int pb_answers_eval(PbVariant *v, const PbAnswers *s, int use_stored, PbDialect dialect, PbDialect *chosen, PbItem **items,
                    Err *err) {
    *items = NULL;
    if (dialect == PB_X_AUTO) dialect = use_stored ? PB_X_ANALYSIS : choose_dialect(v, s);
    if (chosen) *chosen = dialect;
    PbItem *out = calloc((size_t)(s->n ? s->n : 1), sizeof *out);
    if (!out) abort();
    for (int i = 0; i < s->n; i++) {
        const PbAnswer *a = &s->a[i];
        PbItem *it = &out[i];
        it->id = a->id;
        it->correct = -1;
        int has_raw = a->raw && *a->raw;
        if (use_stored ? (!has_raw && !a->stored) : !has_raw) {
            snprintf(it->reason, sizeof it->reason, "no response");
            continue;
        }
        const PbProblem *p;
        int rc = pb_variant_problem(v, a->id, &p, err);
        if (rc) {
            err_prefix(err, "%s: instance %d", s->path, a->id);
            pb_items_free(out, s->n);
            return rc;
        }
        const char *text = NULL;
        PbExtracted x = {0};
        if (use_stored) {
            if (!a->stored) {
                it->correct = 0;
                snprintf(it->reason, sizeof it->reason, "no extracted plan stored (the authors' extractor failed on this response)");
                continue;
            }
            it->extracted_ok = 1;
            text = a->stored;
            set_steps(it, a->stored_steps, a->nstored);
        } else {
            pb_extract(&v->x, dialect, a->raw, a->translation, &x);
            if (!x.ok) {
                it->correct = 0;
                snprintf(it->reason, sizeof it->reason, "no plan could be extracted: %s", x.why);
                pb_extracted_free(&x);
                continue;
            }
            it->extracted_ok = 1;
            text = x.text;
            set_steps(it, x.steps, x.nsteps);
        }
        it->text = xdup(text);
        PbVerdict vd;
        pb_validate(v->dom, p, text, &vd);
        it->correct = vd.valid;
        snprintf(it->reason, sizeof it->reason, "%s", vd.reason);
        pb_extracted_free(&x);
    }
    *items = out;
    return IM_OK;
}

void pb_item_json(const PbItem *it, Buf *out) {
    buf_printf(out, "{\"instance_id\": %d, \"correct\": %s, \"plan\": [", it->id,
               it->correct < 0 ? "null" : it->correct ? "true" : "false");
    for (int k = 0; k < it->nsteps; k++) {
        if (k) buf_puts(out, ", ");
        buf_json_str(out, it->steps[k]);
    }
    buf_puts(out, "], \"reason\": ");
    buf_json_str(out, it->reason);
    buf_putc(out, '}');
}
