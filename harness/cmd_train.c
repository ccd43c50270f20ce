/* cmd_train.c: the trainer's verbs: `train sft`, `train grpo` (every
 * step a train_step row in the store) and `model merge` (a LoRA adapter in
 * PEFT's layout merged into its base: a new model folder). The loops live
 * in train/; this file parses flags, binds the suite's reward and the
 * store, and prints. */
#include <cJSON.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ckpt.h"
#include "cpulat.h"
#include "fsutil.h"
#include "store_train.h"
#include "suite.h"
#include "train.h"
#include "verbs.h"

static int usage(const char *msg) {
    Err err;
    err_set(&err, IM_USAGE, "%s", msg);
    return harness_fail(&err);
}

/* ---- model merge -------------------------------------------------------- */

static int cmd_model_merge(int argc, char **argv) {
    const char *base = NULL, *adapter = NULL, *out = NULL;
    const CliOpt opts[] = {
        {"--base", CLI_STR, &base, "DIR", "the base model folder the adapter was trained on"},
        {"--adapter", CLI_STR, &adapter, "DIR", "a PEFT LoRA adapter: adapter_config.json + adapter_model.safetensors"},
        {"--out", CLI_STR, &out, "DIR", "the merged model folder to write (must not exist)"},
        {0}};
    Err err = {0};
    const char *pos[1];
    int npos, rc = cli_parse("model merge", "", argc, argv, opts, pos, 0, &npos, &err);
    if (rc < 0) return IM_OK;
    if (rc) return harness_fail(&err);
    if (!base || !adapter || !out) return usage("imagine model merge: --base DIR, --adapter DIR and --out DIR are required");
    if ((rc = tr_lora_merge(base, adapter, out, &err))) return harness_fail(&err);
    fprintf(stderr, "wrote %s (%s + %s)\n", out, base, adapter);
    return IM_OK;
}

/* ---- the store -------------------------------------------------------- */

typedef struct StoreLog {
    Store *st;
    long long run_id;
    /* the run ready_run makes */
    const char *store, *name, *kind, *suite, *split, *source, *config;
    TrCommon *c;
} StoreLog;

static int log_step(void *ud, const TrStepInfo *si, Err *err) {
    StoreLog *l = ud;
    StoreTrainStep t = {.kind = si->kind, .step = si->step, .loss = si->loss, .reward = si->reward, .lr = si->lr,
                        .tokens_per_s = si->tokens_per_s, .grad_norm = si->grad_norm, .reward_std = si->reward_std,
                        .components_json = si->components_json, .reflection_ratio = si->reflection_ratio,
                        .completion_len = si->completion_len, .clip_frac = si->clip_frac, .kl = si->kl, .eval_loss = si->eval_loss};
    return store_train_step_put(l->st, l->run_id, &t, err);
}

/* TrReady: opens the store and the run (named --name, else the checkpoint's
 * name when resuming, else after the output folder) once the loop has read
 * its inputs. A run without a name of its own records the one it got, which
 * checkpoints carry. */
static int ready_run(void *ud, Err *err) {
    StoreLog *l = ud;
    TrCommon *c = l->c;
    const char *name = l->name;
    char rn[2 * PATH_MAX + 64], out[2 * PATH_MAX + 8];
    if (!name) {
        char cwd[PATH_MAX];
        if (!realpath(c->out, out)) snprintf(out, sizeof out, "%s%s%.*s", c->out[0] == '/' ? "" : getcwd(cwd, sizeof cwd) ? cwd : ".",
                                             c->out[0] == '/' ? "" : "/", PATH_MAX / 2, c->out);
        snprintf(rn, sizeof rn, "train-%s:%s", l->kind, out);
        name = c->run_name ? c->run_name : rn;
    }
    int rc = store_open(l->store, 1, &l->st, err);
    StoreTrainRun r = {.name = name, .kind = l->kind, .model = c->model, .suite = l->suite, .split = l->split, .source = l->source,
                       .config_json = l->config, .seed = (long long)c->seed, .resume = c->resume, .from_step = c->resumed_step};
    if (!rc) rc = store_train_run_open(l->st, &r, &l->run_id, err);
    if (rc) {
        store_close(l->st), l->st = NULL; /* no run of ours: the caller must not mark one */
        return rc;
    }
    fprintf(stderr, "run %lld (%s) in %s\n", l->run_id, name, l->store);
    if (!c->run_name && !(c->run_name = strdup(name))) abort();
    return IM_OK;
}

/* ---- flags both loops take ---------------------------------------------- */

#define COMMON_FLAGS(c, lr_help, sched, store, name)                                                                   \
    {"--model", CLI_STR, &(c).model, "DIR", "the model folder to train (Hugging Face layout; never written)"},            \
    {"--out", CLI_STR, &(c).out, "DIR", "the output folder: OUT/checkpoint-N/ and, at the end, the final model in OUT"}, \
    {"--lora", CLI_INT, &lora, "R", "LoRA rank (default 0: full fine-tuning)"},                                         \
    {"--lora-alpha", CLI_FLOAT, &(c).lora_alpha, "A", "LoRA alpha; scale = alpha / R (default 16, PEFT's r=8/alpha=8 ratio x2)"}, \
    {"--lora-targets", CLI_STR, &(c).lora_targets, "LIST", "LoRA modules: q,k,v,o,gate,up,down (default all seven)"},     \
    {"--lr", CLI_FLOAT, &(c).opt.lr, "X", lr_help},                                                                     \
    {"--schedule", CLI_STR, &sched, "S", "constant, linear or cosine, after the warm-up (default linear, as HF)"},      \
    {"--warmup", CLI_INT, &warmup, "N", "linear warm-up steps (default 0)"},                                             \
    {"--weight-decay", CLI_FLOAT, &(c).opt.weight_decay, "X", "AdamW decoupled weight decay, every trainable tensor (default 0)"}, \
    {"--clip", CLI_FLOAT, &(c).opt.clip, "X", "clip the global gradient norm to X; 0 = off (default 1.0)"},            \
    {"--adam-beta1", CLI_FLOAT, &(c).opt.beta1, "X", "AdamW beta1 (default 0.9)"},                                      \
    {"--adam-beta2", CLI_FLOAT, &(c).opt.beta2, "X", "AdamW beta2 (default 0.999)"},                                    \
    {"--adam-eps", CLI_FLOAT, &(c).opt.eps, "X", "AdamW epsilon (default 1e-8)"},                                       \
    {"--save-every", CLI_INT, &save_every, "N", "a checkpoint every N steps, and at the end (default 0: the end only)"}, \
    {"--seed", CLI_INT, &seed, "N", "data order, LoRA initialisation, rollout sampling (default 42)"},                  \
    {"--resume", CLI_FLAG, &(c).resume, NULL, "continue from the latest OUT/checkpoint-N (same options)"},              \
    {"--device", CLI_STR, &(c).device, "D", "where the model trains: cpu (the C model, OpenBLAS products) or vulkan (a GPU, else lavapipe; default cpu)"},   \
    {"--vk-device", CLI_STR, &(c).vk_device, "NAME|INDEX", "Vulkan device (default: a GPU, else lavapipe)"},          \
    {"--store", CLI_STR, &store, "FILE", "the store: one train_step row per step (default imagine.db)"},                \
    {"--name", CLI_STR, &name, "NAME", "the training run's name (default train-KIND:OUT)"},                            \
    {"--max-steps", CLI_INT, &max_steps, "N", "stop after N optimizer steps in all"},                                 \
    {"--cpu-latency", CLI_INT, &cpu_latency, "US", CPULAT_HELP}

static int common_finish(TrCommon *c, long lora, long warmup, long save_every, long seed, long max_steps, long cpu_latency, const char *sched,
                         const char *verb, Err *err) {
    if (!c->model || !c->out) return err_set(err, IM_USAGE, "imagine %s: --model DIR and --out DIR are required", verb);
    int s = tr_schedule_parse(sched);
    if (s < 0) return err_set(err, IM_USAGE, "imagine %s: --schedule must be constant, linear or cosine", verb);
    if (lora < 0 || warmup < 0 || save_every < 0 || max_steps < 0)
        return err_set(err, IM_USAGE, "imagine %s: --lora, --warmup, --save-every and --max-steps must be >= 0", verb);
    if (!(c->opt.lr >= 0) || c->opt.clip < 0) return err_set(err, IM_USAGE, "imagine %s: --lr and --clip must be >= 0", verb);
    if (!(c->opt.beta1 >= 0 && c->opt.beta1 < 1 && c->opt.beta2 >= 0 && c->opt.beta2 < 1)) /* torch's AdamW rule */
        return err_set(err, IM_USAGE, "imagine %s: --adam-beta1 %g and --adam-beta2 %g must be in [0, 1)", verb, c->opt.beta1, c->opt.beta2);
    if (c->opt.eps < 0 || c->opt.weight_decay < 0)
        return err_set(err, IM_USAGE, "imagine %s: --adam-eps %g and --weight-decay %g must be >= 0", verb, c->opt.eps, c->opt.weight_decay);
    c->opt.schedule = (TrSchedule)s, c->opt.warmup = (int)warmup, c->lora_r = (int)lora, c->save_every = (int)save_every;
    c->seed = (uint64_t)seed, c->max_steps = (int)max_steps, c->progress = stderr;
    return cpu_latency == -1 ? IM_OK : cpulat_hold(cpu_latency, "--cpu-latency", err); /* -1: the default, no request */
}

static void common_defaults(TrCommon *c, double lr) {
    memset(c, 0, sizeof *c);
    c->lora_alpha = 16, c->lora_targets = "q,k,v,o,gate,up,down", c->device = "cpu";
    c->opt = (TrOptOpts){.lr = lr, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8, .weight_decay = 0, .clip = 1.0};
}

static char *config_of(const TrCommon *c, const char *kind, cJSON *extra) {
    cJSON_AddStringToObject(extra, "kind", kind);
    cJSON_AddStringToObject(extra, "model", c->model);
    cJSON_AddStringToObject(extra, "out", c->out);
    cJSON_AddNumberToObject(extra, "lora", c->lora_r);
    if (c->lora_r) cJSON_AddNumberToObject(extra, "lora_alpha", c->lora_alpha), cJSON_AddStringToObject(extra, "lora_targets", c->lora_targets);
    cJSON_AddNumberToObject(extra, "lr", c->opt.lr);
    cJSON_AddStringToObject(extra, "schedule", tr_schedule_name(c->opt.schedule));
    cJSON_AddNumberToObject(extra, "warmup", c->opt.warmup);
    cJSON_AddNumberToObject(extra, "weight_decay", c->opt.weight_decay);
    cJSON_AddNumberToObject(extra, "clip", c->opt.clip);
    cJSON_AddNumberToObject(extra, "seed", (double)c->seed);
    cJSON_AddStringToObject(extra, "device", c->device);
    char *t = cJSON_PrintUnformatted(extra);
    cJSON_Delete(extra);
    return t;
}

/* ---- train sft ---------------------------------------------------------- */

static int cmd_train_sft(int argc, char **argv) {
    TrSftOpts o;
    memset(&o, 0, sizeof o);
    common_defaults(&o.c, 2e-5);
    long lora = 0, warmup = 0, save_every = 0, seed = 42, max_steps = 0, cpu_latency = -1, epochs = 3, max_len = 1024, batch_tokens = 4096, grad_accum = 1,
         eval_every = 0;
    const char *sched = "linear", *store = STORE_DEFAULT_PATH, *name = NULL;
    const CliOpt opts[] = {
        COMMON_FLAGS(o.c, "peak learning rate (default 2e-5, TRL's SFTConfig; LoRA usually wants 1e-4 or more)", sched, store, name),
        {"--data", CLI_STR, &o.data, "FILE", "JSONL: {\"messages\": [...]} or {\"prompt\", \"completion\"} (TRL's forms)"},
        {"--eval-data", CLI_STR, &o.eval_data, "FILE", "held-out JSONL: its loss at --eval-every steps and at the end"},
        {"--eval-every", CLI_INT, &eval_every, "N", "held-out loss every N steps (default 0: at the end only)"},
        {"--epochs", CLI_INT, &epochs, "N", "passes over the data (default 3, as TRL)"},
        {"--max-len", CLI_INT, &max_len, "N", "longest sample in tokens; longer ones are counted and left out, never cut (default 1024)"},
        {"--batch-tokens", CLI_INT, &batch_tokens, "N", "tokens per micro-batch: whole samples packed, no attention across them (default 4096)"},
        {"--grad-accum", CLI_INT, &grad_accum, "N", "micro-batches per optimizer step (default 1)"},
        {0}};
    Err err = {0};
    const char *pos[1];
    int npos, rc = cli_parse("train sft", "", argc, argv, opts, pos, 0, &npos, &err);
    if (rc < 0) return IM_OK;
    if (!rc) rc = common_finish(&o.c, lora, warmup, save_every, seed, max_steps, cpu_latency, sched, "train sft", &err);
    if (!rc && !o.data) rc = err_set(&err, IM_USAGE, "imagine train sft: --data FILE is required");
    if (rc) return harness_fail(&err);
    o.epochs = (int)epochs, o.max_len = (int)max_len, o.batch_tokens = (int)batch_tokens, o.grad_accum = (int)grad_accum;
    o.eval_every = (int)eval_every;
    if ((rc = tr_sft_check(&o, &err))) return harness_fail(&err);
    cJSON *x = cJSON_CreateObject();
    cJSON_AddStringToObject(x, "data", o.data);
    if (o.eval_data) cJSON_AddStringToObject(x, "eval_data", o.eval_data);
    cJSON_AddNumberToObject(x, "epochs", o.epochs);
    cJSON_AddNumberToObject(x, "max_len", o.max_len);
    cJSON_AddNumberToObject(x, "batch_tokens", o.batch_tokens);
    cJSON_AddNumberToObject(x, "grad_accum", o.grad_accum);
    char *config = config_of(&o.c, "sft", x);
    StoreLog l = {0};
    /* resuming, the run's name comes from the checkpoint (tr_session_resume, before ready_run) */
    l = (StoreLog){.store = store, .name = name, .kind = "sft", .suite = "sft", .split = "train", .source = o.data, .config = config, .c = &o.c};
    o.c.log = log_step, o.c.ready = ready_run, o.c.log_ud = &l;
    TrSftResult res;
    rc = tr_sft(&o, &res, &err);
    if (l.st) store_run_set_status(l.st, l.run_id, rc ? "incomplete" : "complete", rc ? 0 : store_now(), rc ? NULL : &err);
    if (!rc)
        printf("sft: %d steps, loss %.4f -> %.4f%s, %d samples (%d longer than --max-len left out); model in %s\n", res.steps,
               res.first_loss, res.last_loss, "", res.n_samples, res.n_too_long, o.c.out);
    if (!rc && !isnan(res.eval_loss)) printf("held-out loss %.4f\n", res.eval_loss);
    store_close(l.st);
    free(config), free(o.c.run_name);
    return rc ? harness_fail(&err) : IM_OK;
}

/* ---- train grpo: the suite's prompt and reward -------------------------- */

/* The suite interface (suites/suite.h) gives the items, their prompts
 * (the suite's whole prompt when it has one, else the task text) and the
 * reward (its `reward` op, the code of `imagine reward`). */
typedef struct SuiteBind {
    Suite *suite;
    SuiteItems *items;
    char **system, **user; /* --dataset: each item's prompt as exported (NULL: the suite's prompt) */
    const char *reward_cfg;
} SuiteBind;

static int bind_prompt(void *ud, int q, Buf *system, Buf *user, Err *err) {
    SuiteBind *b = ud;
    if (b->user) {
        if (b->system[q]) buf_puts(system, b->system[q]);
        buf_puts(user, b->user[q]);
        return IM_OK;
    }
    SuiteMaterial m;
    memset(&m, 0, sizeof m);
    int rc = suite_material(b->suite, &b->items->item[q], &m, err);
    if (!rc) {
        const char *t = m.prompt ? m.prompt : m.task;
        if (!t) rc = err_set(err, IM_FAIL, "item %d: the suite gives no prompt or task text", b->items->item[q].idx);
        else buf_puts(user, t);
    }
    suite_material_free(&m);
    return rc;
}

/* One line of a GRPO dataset (`imagine export --format grpo`, verl's and
 * TRL's form): "prompt" [{role, content}...] with one user message (and
 * an optional system one) and "ground_truth", the item's fields. */
static int dataset_line(SuiteBind *b, const char *path, int line, const char *text, Err *err) {
    cJSON *o = cJSON_Parse(text);
    const cJSON *pr = cJSON_GetObjectItemCaseSensitive(o, "prompt"), *gt = cJSON_GetObjectItemCaseSensitive(o, "ground_truth");
    int i = b->items->n, rc = IM_OK;
    if (!cJSON_IsObject(o)) rc = err_set(err, IM_USAGE, "%s:%d: not a JSON object", path, line);
    else if (!cJSON_IsArray(pr) || !cJSON_IsString(gt))
        rc = err_set(err, IM_USAGE, "%s:%d: a \"prompt\" list of messages and a \"ground_truth\" string expected (imagine export --format grpo)", path, line);
    for (const cJSON *m = rc ? NULL : pr->child; m && !rc; m = m->next) {
        const cJSON *role = cJSON_GetObjectItemCaseSensitive(m, "role"), *c = cJSON_GetObjectItemCaseSensitive(m, "content");
        char **slot = !cJSON_IsString(role) ? NULL : !strcmp(role->valuestring, "user") ? &b->user[i] : !strcmp(role->valuestring, "system") ? &b->system[i] : NULL;
        if (!slot || !cJSON_IsString(c) || *slot) rc = err_set(err, IM_USAGE, "%s:%d: prompt: one user message and at most one system message expected", path, line);
        else *slot = strdup(c->valuestring);
    }
    if (!rc && !b->user[i]) rc = err_set(err, IM_USAGE, "%s:%d: prompt: no user message", path, line);
    if (!rc) rc = suite_item_parse(b->suite, gt->valuestring, path, line, &b->items->item[i], err);
    if (!rc) b->items->n++;
    else free(b->user[i]), free(b->system[i]), b->user[i] = b->system[i] = NULL;
    cJSON_Delete(o);
    return rc;
}

static int dataset_load(SuiteBind *b, const char *path, Err *err) {
    char *text = NULL;
    size_t len = 0;
    int rc = fs_read_text(path, &text, &len, err);
    if (rc) return rc;
    int lines = 1;
    for (size_t k = 0; k < len; k++) lines += text[k] == '\n';
    b->items = calloc(1, sizeof *b->items);
    b->items->item = calloc((size_t)lines, sizeof *b->items->item);
    b->items->source = strdup(path);
    b->user = calloc((size_t)lines, sizeof *b->user), b->system = calloc((size_t)lines, sizeof *b->system);
    if (!b->items->item || !b->items->source || !b->user || !b->system) abort();
    int line = 0;
    for (char *s = text, *nl; !rc && s < text + len; s = nl + 1) {
        nl = memchr(s, '\n', (size_t)(text + len - s));
        if (!nl) nl = text + len;
        *nl = 0, line++;
        if (s[strspn(s, " \t\r")]) rc = dataset_line(b, path, line, s, err);
    }
    free(text);
    if (!rc && !b->items->n) rc = err_set(err, IM_USAGE, "%s: no prompts", path);
    return rc;
}

static void bind_free(SuiteBind *b) {
    for (int i = 0; b->user && b->items && i < b->items->n; i++) free(b->user[i]), free(b->system[i]);
    free(b->user), free(b->system);
    if (b->items) suite_items_free(b->suite, b->items);
}

static int bind_score(void *ud, int q, const char *response, double *reward, Buf *components, int *reflection, Err *err) {
    SuiteBind *b = ud;
    const SuiteItem *it = &b->items->item[q];
    *reflection = 0;
    SuiteReward r;
    int rc = suite_reward(b->suite, it, response, b->reward_cfg, &r, err);
    if (rc) return rc;
    *reward = r.total;
    buf_putc(components, '{');
    for (int i = 0; i < r.n; i++) {
        buf_printf(components, "%s", i ? "," : "");
        buf_json_str(components, r.name[i]);
        buf_printf(components, ":%.17g", r.value[i]);
        if (!strcmp(r.name[i], "reflection") && r.value[i] > 0) *reflection = 1;
    }
    buf_putc(components, '}');
    suite_reward_free(&r);
    return IM_OK;
}

static int cmd_train_grpo(int argc, char **argv) {
    TrGrpoOpts o;
    memset(&o, 0, sizeof o);
    common_defaults(&o.c, 1e-6);
    long lora = 0, warmup = 0, save_every = 0, seed = 42, max_steps = 0, cpu_latency = -1, steps = 0, group = 8, prompts = 1, max_completion = 256,
         max_prompt = 512, iters = 1;
    double eps_high = NAN;
    const char *sched = "linear", *store = STORE_DEFAULT_PATH, *name = NULL, *suite = NULL, *queries = NULL, *data = NULL,
               *loss = "dapo", *scale = "group", *reward_cfg = NULL, *dataset = NULL;
    o.epsilon = 0.2, o.temperature = 1.0, o.top_p = 1.0;
    const CliOpt opts[] = {
        COMMON_FLAGS(o.c, "peak learning rate (default 1e-6, TRL's GRPOConfig)", sched, store, name),
        {"--suite", CLI_STR, &suite, "S", "the suite whose prompts and reward train (suites/suite.h: travelplanner, ...)"},
        {"--queries", CLI_STR, &queries, "FILE", "the query file the prompts come from (the suite's prompt)"},
        {"--dataset", CLI_STR, &dataset, "FILE", "instead of --queries: prompts and items of `imagine export --format grpo` (the SFT samples' prompt)"},
        {"--data", CLI_STR, &data, "DIR", "the suite's data (default: $IMAGINE_DATA)"},
        {"--reward-config", CLI_STR, &reward_cfg, "JSON", "the suite's reward configuration fields (see docs/imagine.md)"},
        {"--steps", CLI_INT, &steps, "N", "optimizer steps"},
        {"--group", CLI_INT, &group, "G", "completions per prompt (default 8, TRL's num_generations)"},
        {"--prompts", CLI_INT, &prompts, "P", "prompts per step (default 1: TRL's 8 completions per device batch)"},
        {"--beta", CLI_FLOAT, &o.beta, "X", "KL (k3) coefficient to the frozen starting model (default 0.0, TRL)"},
        {"--epsilon", CLI_FLOAT, &o.epsilon, "X", "lower clipping range of the ratio (default 0.2, TRL)"},
        {"--epsilon-high", CLI_FLOAT, &eps_high, "X", "upper clipping range (default: --epsilon, TRL; DAPO uses 0.28)"},
        {"--loss", CLI_STR, &loss, "L", "grpo, dr_grpo or dapo (default dapo, TRL)"},
        {"--scale-rewards", CLI_STR, &scale, "S", "group, batch or none (default group, TRL)"},
        {"--temperature", CLI_FLOAT, &o.temperature, "T", "rollout sampling temperature (default 1.0, TRL)"},
        {"--top-p", CLI_FLOAT, &o.top_p, "P", "rollout nucleus sampling (default 1.0, TRL)"},
        {"--max-completion", CLI_INT, &max_completion, "N", "completion tokens at most; cut ones are counted per step (default 256, TRL)"},
        {"--max-prompt", CLI_INT, &max_prompt, "N", "prompt tokens at most; a longer prompt is an error, never cut (default 512)"},
        {"--num-iterations", CLI_INT, &iters, "N", "updates per batch of rollouts (TRL's mu, default 1)"},
        {"--think", CLI_FLAG, &o.think, NULL, "Qwen3: leave thinking on in the prompt (default: the empty <think> block)"},
        {0}};
    Err err = {0};
    const char *pos[1];
    int npos, rc = cli_parse("train grpo", "", argc, argv, opts, pos, 0, &npos, &err);
    if (rc < 0) return IM_OK;
    if (!rc) rc = common_finish(&o.c, lora, warmup, save_every, seed, max_steps, cpu_latency, sched, "train grpo", &err);
    if (!rc && (!suite || !queries == !dataset || steps < 1))
        rc = err_set(&err, IM_USAGE, "imagine train grpo: --suite S, one of --queries FILE or --dataset FILE, and --steps N are required");
    if (!rc) {
        if (!strcmp(loss, "grpo")) o.loss = TR_LOSS_GRPO;
        else if (!strcmp(loss, "dr_grpo")) o.loss = TR_LOSS_DR_GRPO;
        else if (!strcmp(loss, "dapo")) o.loss = TR_LOSS_DAPO;
        else rc = err_set(&err, IM_USAGE, "imagine train grpo: --loss must be grpo, dr_grpo or dapo");
        if (!strcmp(scale, "group")) o.scale = TR_SCALE_GROUP;
        else if (!strcmp(scale, "batch")) o.scale = TR_SCALE_BATCH;
        else if (!strcmp(scale, "none")) o.scale = TR_SCALE_NONE;
        else if (!rc) rc = err_set(&err, IM_USAGE, "imagine train grpo: --scale-rewards must be group, batch or none");
    }
    if (rc) return harness_fail(&err);
    o.steps = (int)steps, o.group = (int)group, o.prompts_per_step = (int)prompts, o.max_completion = (int)max_completion;
    o.max_prompt = (int)max_prompt, o.num_iterations = (int)iters, o.epsilon_high = isnan(eps_high) ? o.epsilon : eps_high;
    o.reward.n_queries = 1; /* checked below, once the queries are read */
    if ((rc = tr_grpo_check(&o, &err))) return harness_fail(&err);
    SuiteBind b = {.reward_cfg = reward_cfg};
    const SuiteOps *ops = suite_find(suite);
    char *ddir = ops ? suite_data_dir(ops, data) : NULL;
    if (!ops) rc = err_set(&err, IM_USAGE, "imagine train grpo: --suite %s: one of %s expected", suite, suite_names());
    if (!rc) rc = suite_open(ops, ddir, &b.suite, &err);
    if (!rc) rc = dataset ? dataset_load(&b, dataset, &err) : suite_items_load(b.suite, NULL, queries, &b.items, &err);
    Buf rcj;
    buf_init(&rcj);
    if (!rc) rc = suite_reward_config(ops, reward_cfg, &rcj, &err);
    o.reward = (TrReward){.ud = &b, .n_queries = b.items ? b.items->n : 0, .prompt = bind_prompt, .score = bind_score};
    cJSON *x = cJSON_CreateObject();
    cJSON_AddStringToObject(x, "suite", suite);
    cJSON_AddStringToObject(x, dataset ? "dataset" : "queries", dataset ? dataset : queries);
    cJSON_AddNumberToObject(x, "steps", o.steps);
    cJSON_AddNumberToObject(x, "group", o.group);
    cJSON_AddNumberToObject(x, "prompts", o.prompts_per_step);
    cJSON_AddNumberToObject(x, "beta", o.beta);
    cJSON_AddNumberToObject(x, "epsilon", o.epsilon);
    cJSON_AddNumberToObject(x, "epsilon_high", o.epsilon_high);
    cJSON_AddStringToObject(x, "loss", loss);
    cJSON_AddStringToObject(x, "scale_rewards", scale);
    cJSON_AddNumberToObject(x, "temperature", o.temperature);
    cJSON_AddNumberToObject(x, "max_completion", o.max_completion);
    if (rcj.data) cJSON_AddItemToObject(x, "reward_config", cJSON_Parse(rcj.data));
    buf_free(&rcj);
    char *config = config_of(&o.c, "grpo", x);
    StoreLog l = {0};
    l = (StoreLog){.store = store, .name = name, .kind = "grpo", .suite = suite, .split = "grpo", .source = dataset ? dataset : queries,
                   .config = config, .c = &o.c};
    o.c.log = log_step, o.c.ready = ready_run, o.c.log_ud = &l;
    TrGrpoResult res;
    if (!rc) rc = tr_grpo(&o, &res, &err);
    if (l.st) store_run_set_status(l.st, l.run_id, rc ? "incomplete" : "complete", rc ? 0 : store_now(), rc ? NULL : &err);
    if (!rc)
        printf("grpo: %d steps, mean reward %.4f -> %.4f, max |trainer - sampler log-prob| %.3g; model in %s\n", res.steps, res.first_reward,
               res.last_reward, res.lp_diff_max, o.c.out);
    store_close(l.st);
    if (b.suite) bind_free(&b);
    suite_close(b.suite);
    free(ddir);
    free(config), free(o.c.run_name);
    return rc ? harness_fail(&err) : IM_OK;
}

const CliVerb imagine_verbs_train[] = {
    {"train sft", cmd_train_sft, "Supervised fine-tuning (full or LoRA) on chat JSONL; checkpoints are model folders; every step in the store.", ""},
    {"train grpo", cmd_train_grpo, "GRPO with the suite's reward: group rollouts on the engine, clipped ratio, optional KL; defaults from TRL.", ""},
    {"model merge", cmd_model_merge, "Merge a LoRA adapter (PEFT layout) into its base model: a new model folder W + alpha/r B A.", ""},
    {0}};
