/* paraphrase.c: generated items' text reworded by a model, each answer
 * checked by the suite before it replaces the template (paraphrase.h). */
#include "paraphrase.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../agents/cache.h"
#include "../agents/model.h" /* not reports/model.h */
#include "../agents/prompts.h"
#include "progress.h"
#include "run.h"
#include "verbs.h"

#define PARA_PROMPT "paraphrase"

int para_preflight(const SuiteOps *ops, const ParaOptions *o, const char *out, Err *err) {
    if (!ops->paraphrase_check || !ops->item_retext)
        return err_set(err, IM_USAGE,
                       "imagine queries generate: --paraphrase-model: suite %s has no paraphrase check (PlanBench's prompts are the "
                       "benchmark's own templates, by design; TravelPlanner queries can be paraphrased)",
                       ops->name);
    return run_model_preflight("queries generate", "--paraphrase-model", o->spec, o->cache, o->no_cache, &out, 1, err);
}

/* The answer as one clean paragraph (malloc'd), or NULL with *why. */
static char *clean_answer(const AgChatResponse *r, const char *tmpl, const char **why) {
    if (r->finish_reason && !strcmp(r->finish_reason, "length")) return *why = "the answer was cut off (finish_reason length)", NULL;
    const char *s = r->text ? r->text : "", *e = s + strlen(s);
    static const char WS[] = " \t\r\n";
    for (int pass = 0; pass < 2; pass++) {
        while (s < e && strchr(WS, *s)) s++;
        while (e > s && strchr(WS, e[-1])) e--;
        if (pass) break;
        if (e - s >= 2 && *s == '"' && e[-1] == '"') s++, e--;
        else if (e - s >= 6 && !strncmp(s, "\xe2\x80\x9c", 3) && !strncmp(e - 3, "\xe2\x80\x9d", 3)) s += 3, e -= 3;
    }
    if (s == e) return *why = "an empty answer", NULL;
    for (const char *p = s; p < e;) {
        uint32_t cp;
        int bad;
        p += buf_utf8_decode(p, (size_t)(e - p), &cp, &bad);
        if (bad) return *why = "the answer is not valid UTF-8", NULL;
        if (cp == '\n' || cp == '\r') return *why = "the answer has more than one line", NULL;
        if (cp < 0x20 || cp == 0x7f) return *why = "the answer has a control character", NULL;
    }
    size_t n = (size_t)(e - s);
    if (n > 4 * strlen(tmpl) + 200) return *why = "the answer is longer than 4 times the template", NULL;
    char *out = strndup(s, n);
    if (out && strstr(out, tmpl)) return free(out), *why = "the answer repeats the template word for word", NULL;
    if (!out) *why = "out of memory";
    return out;
}

static void on_backoff(void *arg, double seconds, const char *why) { progress_backoff(arg, seconds, why); }

/* The report's lists stay short. */
#define PARA_LIST_MAX 10

typedef struct Para {
    const Suite *s;
    AgModel *model;
    const char *name, *sha;
    int paraphrased, rejected, failed, hits;
    Buf rejects, failures;
} Para;

/* One item's line with its answer's verdict, appended to out. */
static int para_item(Para *p, const SuiteItem *it, const AgChatResponse *r, Buf *out, Err *err) {
    const char *why = NULL, *status = "paraphrased";
    char *text = NULL, *fact = NULL;
    if (!r->ok) {
        status = "paraphrase_failed", why = "the model call failed";
        if (p->failed++ < PARA_LIST_MAX) buf_printf(&p->failures, "    failed, item %d: %s\n", it->idx, r->error ? r->error : "?");
    } else if (!(text = clean_answer(r, it->text, &why)) || (fact = p->s->ops->paraphrase_check(p->s, it, text))) {
        status = "paraphrase_rejected";
        if (fact) why = fact;
        if (p->rejected++ < PARA_LIST_MAX) buf_printf(&p->rejects, "    rejected, item %d: %s\n", it->idx, why);
        free(text), text = NULL;
    } else p->paraphrased++;
    p->hits += r->ok && r->cache_hit;
    Buf note;
    buf_init(&note);
    buf_printf(&note, "{\"status\": \"%s\"", status);
    if (why) buf_puts(&note, ", \"reason\": "), buf_json_str(&note, why);
    buf_puts(&note, ", \"model\": "), buf_json_str(&note, p->name);
    buf_printf(&note, ", \"prompt_sha256\": \"%s\"}", p->sha);
    int rc = p->s->ops->item_retext(p->s, it, text ? text : it->text, note.data, out, err);
    if (!rc) buf_putc(out, '\n');
    buf_free(&note), free(text), free(fact);
    return rc;
}

/* The lines of jsonl as items (n of them; *lines the copies they point into). */
static int read_items(const Suite *s, const Buf *jsonl, SuiteItem **items, int *n, Err *err) {
    *items = NULL, *n = 0;
    int cap = 0, rc = IM_OK;
    for (const char *p = jsonl->data; p && *p && !rc;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (*n == cap) {
            SuiteItem *x = realloc(*items, (size_t)(cap = cap ? 2 * cap : 256) * sizeof *x);
            if (!x) return err_set(err, IM_IO, "out of memory");
            *items = x;
        }
        char *line = strndup(p, len);
        memset(&(*items)[*n], 0, sizeof **items);
        rc = line ? suite_item_parse(s, line, "generated queries", *n + 1, &(*items)[*n], err) : err_set(err, IM_IO, "out of memory");
        if (!rc) ++*n;
        free(line);
        p = nl ? nl + 1 : p + len;
    }
    return rc;
}

int para_apply(const Suite *s, const ParaOptions *o, Buf *jsonl, Buf *report, Err *err) {
    const AgPrompt *prompt = ag_prompt(PARA_PROMPT);
    if (!prompt) return err_set(err, IM_IO, "no prompt agents/prompts/%s.txt in this build", PARA_PROMPT);
    AgModelConfig mc;
    int rc = ag_model_config_parse(o->spec, &mc, err);
    if (rc) return err_prefix(err, "--paraphrase-model"), rc;
    if (o->concurrency > 0) mc.concurrency = o->concurrency;
    Para p = {.s = s, .sha = prompt->sha256};
    buf_init(&p.rejects), buf_init(&p.failures);
    AgModel *model = NULL;
    AgCache *cache = NULL;
    rc = ag_model_config_param_default(&mc, "temperature", "0", err);
    if (!rc) rc = ag_model_open(&mc, &model, err);
    ag_model_config_free(&mc);
    if (!rc && !o->no_cache && !(rc = ag_cache_open(o->cache ? o->cache : AG_CACHE_DEFAULT, &cache, err))) ag_model_set_cache(model, cache);
    SuiteItem *items = NULL;
    int n = 0;
    if (!rc) rc = read_items(s, jsonl, &items, &n, err);
    Progress prog;
    progress_init(&prog, stderr, -1, "paraphrase", n, 0);
    if (model) ag_model_set_backoff(model, on_backoff, &prog), p.name = ag_model_config(model)->name;
    Buf out;
    buf_init(&out);
    /* batches, so that the progress line moves; the bytes do not depend on them */
    int batch = model && ag_model_config(model)->concurrency * 4 > 64 ? ag_model_config(model)->concurrency * 4 : 64;
    Buf *msg_text = calloc((size_t)batch, sizeof *msg_text);
    AgMessage *msgs = calloc((size_t)batch, sizeof *msgs);
    AgChatRequest *reqs = calloc((size_t)batch, sizeof *reqs);
    AgChatResponse *resps = calloc((size_t)batch, sizeof *resps);
    if (!rc && (!msg_text || !msgs || !reqs || !resps)) rc = err_set(err, IM_IO, "out of memory");
    for (int at = 0; !rc && at < n; at += batch) {
        int k = n - at < batch ? n - at : batch;
        for (int i = 0; i < k && !rc; i++) {
            buf_init(&msg_text[i]);
            const char *names[] = {"query"}, *vals[] = {items[at + i].text ? items[at + i].text : ""};
            rc = ag_prompt_render(PARA_PROMPT, names, vals, 1, &msg_text[i], err);
            msgs[i] = (AgMessage){"user", msg_text[i].data};
            reqs[i] = (AgChatRequest){.msgs = &msgs[i], .n_msgs = 1};
        }
        if (!rc) ag_model_chat_many(model, reqs, k, resps);
        for (int i = 0; i < k; i++) {
            if (!rc) rc = para_item(&p, &items[at + i], &resps[i], &out, err);
            if (!rc) progress_item(&prog, resps[i].ok ? 0 : 2);
            ag_chat_response_free(&resps[i]);
            buf_free(&msg_text[i]);
        }
    }
    char extra[160];
    snprintf(extra, sizeof extra, "%d paraphrased, %d rejected, %d failed", p.paraphrased, p.rejected, p.failed);
    if (n) progress_end(&prog, extra);
    progress_destroy(&prog);
    if (!rc) {
        buf_free(jsonl);
        *jsonl = out;
        buf_init(&out);
        buf_printf(report, "  paraphrase: model %s, prompt agents/prompts/%s.txt sha256 %s; %d paraphrased, %d paraphrase_rejected, "
                           "%d paraphrase_failed (",
                   p.name, PARA_PROMPT, p.sha, p.paraphrased, p.rejected, p.failed);
        if (o->no_cache) buf_puts(report, "no cache)\n");
        else buf_printf(report, "%d answers from the cache %s)\n", p.hits, o->cache ? o->cache : AG_CACHE_DEFAULT);
        buf_printf(report, "%s%s", p.rejects.data ? p.rejects.data : "", p.failures.data ? p.failures.data : "");
        if (p.rejected > PARA_LIST_MAX || p.failed > PARA_LIST_MAX) buf_printf(report, "    (the first %d of each listed)\n", PARA_LIST_MAX);
        if (p.failed) buf_puts(report, "    a failed item keeps its template text; run the same command again to retry them (answers are cached)\n");
    }
    buf_free(&out), buf_free(&p.rejects), buf_free(&p.failures);
    free(msg_text), free(msgs), free(reqs), free(resps);
    for (int i = 0; i < n; i++) suite_item_free(s, &items[i]);
    free(items);
    ag_model_close(model);
    ag_cache_close(cache);
    return rc;
}
