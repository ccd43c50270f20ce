/* cmd_pipeline.c: `imagine pipeline CONFIG.json [--dry-run]`, the IMAGINE
 * stages end to end as resumable steps in the store (issue 15;
 * docs/imagine.md "The pipeline").
 *
 * Stages, in order, each present when the configuration names it:
 *   queries     imagine queries generate --suite S ...      -> queries.jsonl
 *   traces      imagine run --method mas ... (resume when it exists) -> traces.run
 *   samples     imagine export RUN --format sft / grpo      -> sft.jsonl, grpo.jsonl
 *   sft         imagine train sft ... (when the verb exists), else the
 *               TRL command in sft.command.sh and a wait for the checkpoint
 *   checkpoint  the checkpoint GRPO starts from               -> checkpoint.txt
 *   grpo        imagine train grpo ..., else the verl command and a wait
 *   eval        imagine run of each configured evaluation    -> eval.runs
 *   report      imagine report over the evaluation runs       -> report.html
 * A stage's inputs hash is SHA-256 over its configuration and the output
 * hashes of the stages before it; its outputs are files in the work folder
 * with their SHA-256 (pipeline_stage.outputs_json). A stage is skipped when
 * it is done, its inputs hash is unchanged and its files still have their
 * hashes; otherwise it runs again. Every stage is a child process of this
 * binary (argv, never a shell) whose outputs are written whole and renamed,
 * and the store records a stage done only after its files are hashed: kill
 * -9 anywhere and the same command resumes (a run stage resumes its run).
 * Nothing here is a model call: the stages' verbs make them. */
#include <cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <openssl/evp.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "../agents/model.h" /* not reports/model.h */
#include "store.h"
#include "verbs.h"

/* ---- hashing ---------------------------------------------------------------- */

static void hex32(const unsigned char *md, char out[65]) {
    for (int i = 0; i < 32; i++) snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void sha_text(const char *s, char out[65]) {
    unsigned char md[32];
    unsigned int n = 32;
    EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL);
    hex32(md, out);
}

static int sha_file(const char *path, char out[65]) {
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    EVP_DigestInit_ex(c, EVP_sha256(), NULL);
    unsigned char buf[1 << 16];
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, f)) > 0) EVP_DigestUpdate(c, buf, k);
    fclose(f);
    unsigned char md[32];
    unsigned int n = 32;
    EVP_DigestFinal_ex(c, md, &n);
    EVP_MD_CTX_free(c);
    hex32(md, out);
    return 0;
}

/* ---- the store's pipeline rows ------------------------------------------------- */

typedef struct Pipe {
    sqlite3 *db;
    const char *store;
    long long id;
    char exe[PATH_MAX];
    char *work;            /* the work folder (absolute) */
    const cJSON *cfg, *stages;
    const char *suite, *name, *data;
    char prev[65];         /* running hash of the done stages' outputs */
    int dry;
} Pipe;

static int db_err(Pipe *p, Err *err, const char *what) {
    return err_set(err, IM_IO, "store %s: %s: %s", p->store, what, sqlite3_errmsg(p->db));
}

static int exec_sql(Pipe *p, const char *sql, Err *err) {
    char *msg = NULL;
    if (sqlite3_exec(p->db, sql, NULL, NULL, &msg) == SQLITE_OK) return IM_OK;
    err_set(err, IM_IO, "store %s: %s", p->store, msg ? msg : "?");
    sqlite3_free(msg);
    return IM_IO;
}

/* The stage's row: state, inputs hash and outputs (malloc'd), or 0 when none. */
static int stage_get(Pipe *p, const char *stage, char state[16], char inputs[65], char **outputs) {
    sqlite3_stmt *st;
    *outputs = NULL, state[0] = inputs[0] = 0;
    if (!p->db || !p->id) return 0;
    if (sqlite3_prepare_v2(p->db, "SELECT state, inputs_sha256, outputs_json FROM pipeline_stage WHERE pipeline_id=? AND stage=?",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, p->id);
    sqlite3_bind_text(st, 2, stage, -1, SQLITE_STATIC);
    int found = 0;
    if (sqlite3_step(st) == SQLITE_ROW) {
        found = 1;
        snprintf(state, 16, "%s", (const char *)sqlite3_column_text(st, 0));
        const unsigned char *h = sqlite3_column_text(st, 1), *o = sqlite3_column_text(st, 2);
        snprintf(inputs, 65, "%s", h ? (const char *)h : "");
        *outputs = o ? strdup((const char *)o) : NULL;
    }
    sqlite3_finalize(st);
    return found;
}

static int stage_put(Pipe *p, const char *stage, const char *state, const char *inputs, const char *outputs, int start,
                     Err *err) {
    sqlite3_stmt *st;
    const char *sql = start ? "INSERT INTO pipeline_stage(pipeline_id, stage, state, inputs_sha256, outputs_json, started) "
                              "VALUES(?,?,?,?,?,?) ON CONFLICT(pipeline_id, stage) DO UPDATE SET state=excluded.state, "
                              "inputs_sha256=excluded.inputs_sha256, outputs_json=excluded.outputs_json, started=excluded.started, finished=NULL"
                            : "UPDATE pipeline_stage SET state=?3, inputs_sha256=?4, outputs_json=?5, finished=?6 WHERE pipeline_id=?1 AND stage=?2";
    if (sqlite3_prepare_v2(p->db, sql, -1, &st, NULL) != SQLITE_OK) return db_err(p, err, "pipeline_stage");
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    sqlite3_bind_int64(st, 1, p->id);
    sqlite3_bind_text(st, 2, stage, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, state, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, inputs, -1, SQLITE_STATIC);
    if (outputs) sqlite3_bind_text(st, 5, outputs, -1, SQLITE_STATIC);
    else sqlite3_bind_null(st, 5);
    sqlite3_bind_double(st, 6, (double)ts.tv_sec + ts.tv_nsec * 1e-9);
    int rc = sqlite3_step(st) == SQLITE_DONE ? IM_OK : db_err(p, err, "pipeline_stage");
    sqlite3_finalize(st);
    return rc;
}

static int pipe_open(Pipe *p, const char *config_text, Err *err) {
    if (p->dry) { /* read only: what is done already, nothing written */
        if (!fs_exists(p->store)) return IM_OK;
        if (sqlite3_open_v2(p->store, &p->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) return db_err(p, err, "open");
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(p->db, "SELECT id FROM pipeline WHERE name=?", -1, &st, NULL) == SQLITE_OK) {
            sqlite3_bind_text(st, 1, p->name, -1, SQLITE_STATIC);
            if (sqlite3_step(st) == SQLITE_ROW) p->id = sqlite3_column_int64(st, 0);
            sqlite3_finalize(st);
        }
        return IM_OK;
    }
    /* the store's schema (v4) is made by store_open; the pipeline tables are in it */
    Store *s = NULL;
    int rc = store_open(p->store, 1, &s, err);
    store_close(s);
    if (rc) return rc;
    if (sqlite3_open_v2(p->store, &p->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) return db_err(p, err, "open");
    sqlite3_busy_timeout(p->db, 10000);
    if ((rc = exec_sql(p, "PRAGMA foreign_keys=ON", err))) return rc;
    char sha[65];
    sha_text(config_text, sha);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(p->db, "INSERT INTO pipeline(name, config_json, config_sha256, created) VALUES(?,?,?,?) "
                                  "ON CONFLICT(name) DO UPDATE SET config_json=excluded.config_json, config_sha256=excluded.config_sha256",
                           -1, &st, NULL) != SQLITE_OK)
        return db_err(p, err, "pipeline");
    sqlite3_bind_text(st, 1, p->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, config_text, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, sha, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 4, (double)time(NULL));
    rc = sqlite3_step(st) == SQLITE_DONE ? IM_OK : db_err(p, err, "pipeline");
    sqlite3_finalize(st);
    if (rc) return rc;
    if (sqlite3_prepare_v2(p->db, "SELECT id FROM pipeline WHERE name=?", -1, &st, NULL) != SQLITE_OK) return db_err(p, err, "pipeline");
    sqlite3_bind_text(st, 1, p->name, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) p->id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return p->id ? IM_OK : err_set(err, IM_IO, "store %s: pipeline %s not recorded", p->store, p->name);
}

/* ---- stages ---------------------------------------------------------------------- */

static char *wpath(const Pipe *p, const char *name) { return fs_join(p->work, name); }

/* Runs this binary with argv (argv[0] is ignored), stdout and stderr
 * appended to WORK/pipeline.log. Returns the exit status (-1: no start). */
static int run_child(const Pipe *p, const char *const *argv) {
    char *log = wpath(p, "pipeline.log");
    FILE *lf = fopen(log, "a");
    if (lf) {
        fprintf(lf, "$ imagine");
        for (int i = 1; argv[i]; i++) fprintf(lf, " %s", argv[i]);
        fputc('\n', lf);
        fclose(lf);
    }
    fflush(stdout), fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        free(log);
        return -1;
    }
    if (pid == 0) {
        FILE *o = freopen(log, "a", stdout);
        if (!o || dup2(fileno(stdout), 2) < 0) _exit(127);
        execv(p->exe, (char *const *)argv);
        _exit(127);
    }
    free(log);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

static const char *cstr(const cJSON *o, const char *k, const char *def) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : def;
}

/* A run of the store by name: 1 when it exists. */
static int run_exists(Pipe *p, const char *name) {
    sqlite3_stmt *st;
    int found = 0;
    if (!p->db) return 0;
    if (sqlite3_prepare_v2(p->db, "SELECT 1 FROM run WHERE name=?", -1, &st, NULL) != SQLITE_OK) return 0;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

/* Replaces {checkpoint}, {sft}, {grpo}, {work} in s (malloc'd result). */
static char *expand(const Pipe *p, const char *s) {
    Buf b;
    buf_init(&b);
    char *ck = wpath(p, "checkpoint.txt"), *ckp = NULL;
    size_t n;
    Err e = {0};
    if (fs_exists(ck) && fs_read_file(ck, &ckp, &n, &e) == IM_OK) ckp[strcspn(ckp, "\n")] = 0;
    for (const char *c = s; *c;) {
        const char *keys[] = {"{checkpoint}", "{sft}", "{grpo}", "{work}"};
        const char *vals[] = {ckp ? ckp : "", "sft-ckpt", "grpo-ckpt", ""};
        int hit = 0;
        for (int k = 0; k < 4 && !hit; k++)
            if (!strncmp(c, keys[k], strlen(keys[k]))) {
                if (k == 1 || k == 2 || k == 3) {
                    buf_puts(&b, p->work);
                    if (k != 3) buf_putc(&b, '/');
                }
                buf_puts(&b, vals[k]);
                c += strlen(keys[k]), hit = 1;
            }
        if (!hit) buf_putc(&b, *c++);
    }
    free(ck), free(ckp);
    return buf_take(&b);
}

static int cmp_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Hash of a folder: names, sizes and the bytes of its small files. */
static int sha_dir(const char *dir, char out[65]) {
    Buf b;
    buf_init(&b);
    char *stack[256];
    int ns = 0;
    stack[ns++] = strdup(dir);
    int any = 0;
    while (ns) {
        char *d = stack[--ns];
        DIR *dh = opendir(d);
        if (dh) {
            struct dirent *e;
            char *names[1024];
            int nn = 0;
            while ((e = readdir(dh)) && nn < 1024)
                if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) names[nn++] = strdup(e->d_name);
            closedir(dh);
            qsort(names, (size_t)nn, sizeof *names, cmp_name);
            for (int i = 0; i < nn; i++) {
                char *path = fs_join(d, names[i]);
                struct stat sb;
                if (!stat(path, &sb)) {
                    any = 1;
                    if (S_ISDIR(sb.st_mode) && ns < 256) stack[ns++] = strdup(path);
                    else {
                        char h[65] = "";
                        if (sb.st_size < (1 << 20)) sha_file(path, h);
                        buf_printf(&b, "%s %lld %s\n", path + strlen(dir), (long long)sb.st_size, h);
                    }
                }
                free(path), free(names[i]);
            }
        }
        free(d);
    }
    sha_text(b.data ? b.data : "", out);
    buf_free(&b);
    return any ? 0 : -1;
}

/* What a stage does: fills argv lists to run (in order) and the output
 * files to hash; or, for the waits and the checkpoint choice, does it. */
typedef struct Step {
    const char *name;
    const cJSON *cfg;        /* the stage's configuration object */
    char inputs[65];
    char *argv[8][48];       /* up to 8 commands, NULL-terminated */
    int n_cmd;
    const char *outputs[8];  /* files (or folders) under work, hashed when done */
    int n_out;
    const char *write_file, *write_text; /* written (whole, then renamed) after the commands */
    Buf listing;             /* eval: the run names */
    char *own[64];           /* strings to free */
    int n_own;
} Step;

static char *keep(Step *s, char *str) {
    if (s->n_own < 64) s->own[s->n_own++] = str;
    return str;
}

static void add_arg(Step *s, int cmd, const char *a) {
    int k = 0;
    while (s->argv[cmd][k]) k++;
    if (k < 47) s->argv[cmd][k] = (char *)a;
}

static int new_cmd(Step *s) {
    int c = s->n_cmd++;
    add_arg(s, c, "imagine");
    return c;
}

static void add_common(const Pipe *p, Step *s, int c, int data) {
    add_arg(s, c, "--store"), add_arg(s, c, p->store);
    if (data && p->data) add_arg(s, c, "--data"), add_arg(s, c, p->data);
}

static void add_json(Step *s, int c, const char *flag, const cJSON *v) {
    if (!v) return;
    add_arg(s, c, flag);
    add_arg(s, c, keep(s, cJSON_IsString(v) ? strdup(v->valuestring) : cJSON_PrintUnformatted(v)));
}

static const char *run_name(const Pipe *p, Step *s, const char *what) {
    char *n = malloc(strlen(p->name) + strlen(what) + 16);
    sprintf(n, "%s-%s-%.8s", p->name, what, s->inputs);
    return keep(s, n);
}

/* The split a traces run names its generated items by: the stage's
 * "split", else the generator's "variant" (PlanBench reads its items by
 * variant), else "generated". */
static const char *traces_split(const Pipe *p, const cJSON *c) {
    const cJSON *q = cJSON_GetObjectItemCaseSensitive(p->stages, "queries");
    const char *variant = cstr(cJSON_GetObjectItemCaseSensitive(q, "config"), "variant", "generated");
    return cstr(c, "split", variant);
}

/* queries -> traces -> samples: the commands. */
static void plan_step(Pipe *p, Step *s) {
    const cJSON *c = s->cfg;
    if (!strcmp(s->name, "queries")) {
        int k = new_cmd(s);
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(c, "n"), *seed = cJSON_GetObjectItemCaseSensitive(c, "seed");
        char *ns = malloc(32), *ss = malloc(32);
        snprintf(ns, 32, "%d", cJSON_IsNumber(n) ? n->valueint : 100), snprintf(ss, 32, "%d", cJSON_IsNumber(seed) ? seed->valueint : 1);
        add_arg(s, k, "queries"), add_arg(s, k, "generate"), add_arg(s, k, "--suite"), add_arg(s, k, p->suite);
        add_arg(s, k, "--n"), add_arg(s, k, keep(s, ns)), add_arg(s, k, "--seed"), add_arg(s, k, keep(s, ss));
        add_arg(s, k, "--out"), add_arg(s, k, keep(s, wpath(p, "queries.jsonl")));
        add_json(s, k, "--config", cJSON_GetObjectItemCaseSensitive(c, "config"));
        if (cstr(c, "paraphrase_model", NULL))
            add_arg(s, k, "--paraphrase-model"), add_arg(s, k, keep(s, expand(p, cstr(c, "paraphrase_model", ""))));
        if (p->data) add_arg(s, k, "--data"), add_arg(s, k, p->data);
        s->outputs[s->n_out++] = "queries.jsonl";
    } else if (!strcmp(s->name, "traces")) {
        const char *rn = run_name(p, s, "traces");
        int k = new_cmd(s);
        if (run_exists(p, rn)) {
            add_arg(s, k, "resume"), add_arg(s, k, rn), add_common(p, s, k, 0);
        } else {
            add_arg(s, k, "run"), add_arg(s, k, "--method"), add_arg(s, k, "mas");
            add_arg(s, k, "--model"), add_arg(s, k, keep(s, expand(p, cstr(c, "model", "solver"))));
            if (cstr(c, "judge_model", NULL)) add_arg(s, k, "--judge-model"), add_arg(s, k, keep(s, expand(p, cstr(c, "judge_model", ""))));
            if (cstr(c, "reflector_model", NULL))
                add_arg(s, k, "--reflector-model"), add_arg(s, k, keep(s, expand(p, cstr(c, "reflector_model", ""))));
            add_json(s, k, "--method-config", cJSON_GetObjectItemCaseSensitive(c, "method_config"));
            const cJSON *cc = cJSON_GetObjectItemCaseSensitive(c, "concurrency");
            if (cJSON_IsNumber(cc)) {
                char *x = malloc(16);
                snprintf(x, 16, "%d", cc->valueint);
                add_arg(s, k, "--concurrency"), add_arg(s, k, keep(s, x));
            }
            add_arg(s, k, "--suite"), add_arg(s, k, p->suite), add_arg(s, k, "--split"), add_arg(s, k, traces_split(p, c));
            add_arg(s, k, "--queries");
            add_arg(s, k, keep(s, wpath(p, "queries.jsonl"))), add_arg(s, k, "--name"), add_arg(s, k, rn);
            add_common(p, s, k, 1);
        }
        k = new_cmd(s);
        add_arg(s, k, "export"), add_arg(s, k, rn), add_arg(s, k, "--format"), add_arg(s, k, "submission");
        add_arg(s, k, "--out"), add_arg(s, k, keep(s, wpath(p, "traces.submission.jsonl"))), add_common(p, s, k, 0);
        s->outputs[s->n_out++] = "traces.submission.jsonl";
        s->write_file = "traces.run", s->write_text = rn;
    } else if (!strcmp(s->name, "samples")) {
        char *f = wpath(p, "traces.run"), *rn = NULL;
        size_t n;
        Err e = {0};
        if (fs_read_file(f, &rn, &n, &e) == IM_OK) rn[strcspn(rn, "\n")] = 0, keep(s, rn);
        free(f);
        int k = new_cmd(s);
        add_arg(s, k, "export"), add_arg(s, k, rn ? rn : "?"), add_arg(s, k, "--format"), add_arg(s, k, "sft");
        const cJSON *op = cJSON_GetObjectItemCaseSensitive(c, "only_passing");
        if (!op || cJSON_IsTrue(op)) add_arg(s, k, "--only-passing");
        add_arg(s, k, "--out"), add_arg(s, k, keep(s, wpath(p, "sft.jsonl"))), add_common(p, s, k, 0);
        k = new_cmd(s);
        add_arg(s, k, "export"), add_arg(s, k, rn ? rn : "?"), add_arg(s, k, "--format"), add_arg(s, k, "grpo");
        add_arg(s, k, "--out"), add_arg(s, k, keep(s, wpath(p, "grpo.jsonl"))), add_common(p, s, k, 0);
        s->outputs[s->n_out++] = "sft.jsonl", s->outputs[s->n_out++] = "grpo.jsonl";
    } else if (!strcmp(s->name, "eval")) {
        const cJSON *runs = cJSON_GetObjectItemCaseSensitive(c, "runs"), *r;
        cJSON_ArrayForEach(r, runs) {
            if (s->n_cmd >= 7) break;
            const char *label = cstr(r, "name", "run");
            char *what = malloc(strlen(label) + 8);
            sprintf(what, "eval-%s", label);
            const char *rn = run_name(p, s, keep(s, what));
            buf_printf(&s->listing, "%s\n", rn);
            int k = new_cmd(s);
            if (run_exists(p, rn)) {
                add_arg(s, k, "resume"), add_arg(s, k, rn), add_common(p, s, k, 0);
                continue;
            }
            add_arg(s, k, "run"), add_arg(s, k, "--method"), add_arg(s, k, cstr(r, "method", "solver"));
            if (cstr(r, "model", NULL)) add_arg(s, k, "--model"), add_arg(s, k, keep(s, expand(p, cstr(r, "model", ""))));
            add_arg(s, k, "--suite"), add_arg(s, k, p->suite), add_arg(s, k, "--split"), add_arg(s, k, cstr(c, "split", "validation"));
            const cJSON *lim = cJSON_GetObjectItemCaseSensitive(c, "limit");
            if (cJSON_IsNumber(lim)) {
                char *x = malloc(24);
                snprintf(x, 24, "%d", lim->valueint);
                add_arg(s, k, "--limit"), add_arg(s, k, keep(s, x));
            }
            if (cstr(c, "queries", NULL)) add_arg(s, k, "--queries"), add_arg(s, k, keep(s, expand(p, cstr(c, "queries", ""))));
            add_json(s, k, "--method-config", cJSON_GetObjectItemCaseSensitive(r, "method_config"));
            add_arg(s, k, "--name"), add_arg(s, k, rn), add_common(p, s, k, 1);
        }
        s->write_file = "eval.runs", s->write_text = s->listing.data ? s->listing.data : "";
        s->outputs[s->n_out++] = "eval.runs";
    } else if (!strcmp(s->name, "report")) {
        char *f = wpath(p, "eval.runs"), *txt = NULL;
        size_t n;
        Err e = {0};
        int k = new_cmd(s);
        add_arg(s, k, "report");
        if (fs_read_file(f, &txt, &n, &e) == IM_OK) {
            keep(s, txt);
            for (char *t = strtok(txt, "\n"); t; t = strtok(NULL, "\n")) add_arg(s, k, t);
        }
        free(f);
        add_arg(s, k, "--store"), add_arg(s, k, p->store), add_arg(s, k, "--out"), add_arg(s, k, keep(s, wpath(p, "report.html")));
        if (p->data) add_arg(s, k, "--data"), add_arg(s, k, p->data);
        add_arg(s, k, "--title"), add_arg(s, k, keep(s, strdup(cstr(c, "title", "IMAGINE pipeline"))));
        s->outputs[s->n_out++] = "report.html";
    }
}

/* ---- training hand-offs and the checkpoint choice ---------------------------------------- */

/* The exact external command for a training stage (TRL for SFT, verl for
 * GRPO), written to WORK/STAGE.command.sh. */
static void external_command(const Pipe *p, const Step *s, Buf *b) {
    const char *base = cstr(s->cfg, "base", "Qwen/Qwen3-8B");
    char *out = wpath(p, !strcmp(s->name, "sft") ? "sft-ckpt" : "grpo-ckpt");
    buf_printf(b, "#!/bin/sh\n# imagine pipeline %s, stage %s: run this on the training node, then run\n"
                  "# `imagine pipeline` again: it waits for %s and continues.\n", p->name, s->name, out);
    if (cstr(s->cfg, "command", NULL)) buf_printf(b, "%s\n", cstr(s->cfg, "command", ""));
    else if (!strcmp(s->name, "sft"))
        buf_printf(b, "trl sft --model_name_or_path %s --dataset_name %s/sft.jsonl --output_dir %s \\\n"
                      "  --num_train_epochs 3 --learning_rate 1e-5 --per_device_train_batch_size 1 --gradient_accumulation_steps 16 \\\n"
                      "  --max_length 32768 --bf16 --save_strategy steps --save_steps 50 --gradient_checkpointing\n",
                   base, p->work, out);
    else
        buf_printf(b, "python3 -m verl.trainer.main_ppo algorithm.adv_estimator=grpo \\\n"
                      "  data.train_files=%s/grpo.parquet data.val_files=%s/grpo.parquet \\\n"
                      "  actor_rollout_ref.model.path=\"$(cat %s/checkpoint.txt)\" actor_rollout_ref.rollout.n=8 \\\n"
                      "  custom_reward_function.path=imagine_reward.py custom_reward_function.name=compute_score \\\n"
                      "  trainer.default_local_dir=%s trainer.n_gpus_per_node=8 trainer.total_epochs=1\n"
                      "# grpo.jsonl -> parquet: python3 -c \"import pandas as p; p.read_json('%s/grpo.jsonl', lines=True).to_parquet('%s/grpo.parquet')\"\n"
                      "# imagine_reward.py: docs/imagine.md (compute_score calling `imagine reward serve`)\n",
                   p->work, p->work, p->work, out, p->work, p->work);
    free(out);
}

/* 1 when the stage's args name flag. */
static int has_arg(const cJSON *args, const char *flag) {
    const cJSON *a;
    cJSON_ArrayForEach(a, args) if (cJSON_IsString(a) && !strcmp(a->valuestring, flag)) return 1;
    return 0;
}

/* A checkpoint folder this stage did not make under its present inputs
 * (other inputs, or a finished stage whose files changed) is moved aside
 * to DIR.old-HASH (the inputs it was made under; -2, -3... when taken),
 * never removed nor trained on. */
static int move_aside(const Pipe *p, const char *dir, const char *old_inputs, Err *err) {
    char *d = wpath(p, dir);
    int rc = IM_OK;
    if (fs_is_dir(d)) {
        Buf to;
        buf_init(&to);
        for (int k = 1; k < 1000; k++) {
            buf_reset(&to);
            buf_printf(&to, "%s.old-%.8s", d, old_inputs[0] ? old_inputs : "unknown");
            if (k > 1) buf_printf(&to, "-%d", k);
            if (!fs_exists(to.data)) break;
        }
        if (rename(d, to.data)) rc = err_set(err, IM_IO, "imagine pipeline: cannot move %s aside to %s: %s", d, to.data, strerror(errno));
        else printf("  %s was made under other inputs: moved to %s\n", d, to.data);
        buf_free(&to);
    }
    free(d);
    return rc;
}

/* sft / grpo: the local trainer when this binary has it and the stage is
 * not external, else the external command and a wait for the folder.
 * resume: the folder is this stage's own, from a run under the same
 * inputs that did not finish (the trainer gets --resume: it continues
 * from its last checkpoint, or starts when there is none); otherwise an
 * existing folder is moved aside first. The local trainer records its run
 * in the pipeline's store under the stage's run name unless args say. */
static int train_step(Pipe *p, Step *s, int resume, const char *old_inputs, int *waiting, Err *err) {
    const char *dir = !strcmp(s->name, "sft") ? "sft-ckpt" : "grpo-ckpt";
    char verb[32];
    snprintf(verb, sizeof verb, "train %s", s->name);
    const cJSON *ext = cJSON_GetObjectItemCaseSensitive(s->cfg, "external");
    int local = harness_find_verb(verb) && !cJSON_IsTrue(ext);
    s->outputs[s->n_out++] = dir;
    if (!resume) {
        int rc = move_aside(p, dir, old_inputs, err);
        if (rc) return rc;
    }
    if (local) {
        int k = new_cmd(s);
        add_arg(s, k, "train"), add_arg(s, k, s->name);
        const cJSON *args = cJSON_GetObjectItemCaseSensitive(s->cfg, "args"), *a;
        cJSON_ArrayForEach(a, args) if (cJSON_IsString(a)) add_arg(s, k, keep(s, expand(p, a->valuestring)));
        if (!has_arg(args, "--resume")) add_arg(s, k, "--resume");
        if (!has_arg(args, "--store")) add_arg(s, k, "--store"), add_arg(s, k, p->store);
        if (!has_arg(args, "--name")) add_arg(s, k, "--name"), add_arg(s, k, run_name(p, s, s->name));
        return IM_OK;
    }
    Buf b;
    buf_init(&b);
    external_command(p, s, &b);
    char name[64];
    snprintf(name, sizeof name, "%s.command.sh", s->name);
    char *f = wpath(p, name), *d = wpath(p, dir);
    int rc = fs_write_atomic(f, b.data, b.len, err);
    buf_free(&b);
    if (!rc && !fs_is_dir(d)) {
        const cJSON *w = cJSON_GetObjectItemCaseSensitive(s->cfg, "wait_s");
        double limit = cJSON_IsNumber(w) ? w->valuedouble : 0, t0 = (double)time(NULL);
        fprintf(stderr, "imagine pipeline: stage %s: waiting for %s (the command is in %s)\n", s->name, d, f);
        while (!fs_is_dir(d) && (double)time(NULL) - t0 < limit) sleep(1);
        if (!fs_is_dir(d)) *waiting = 1;
    }
    free(f), free(d);
    return rc;
}

/* checkpoint: the SFT checkpoint GRPO starts from ("pick": "last", or a
 * "fraction" of the way through the checkpoint-N folders, or "name"). */
static int checkpoint_step(Pipe *p, Step *s, Err *err) {
    char *dir = wpath(p, "sft-ckpt");
    DIR *dh = opendir(dir);
    long best = -1, steps[512];
    int n = 0;
    if (dh) {
        struct dirent *e;
        while ((e = readdir(dh)) && n < 512)
            if (!strncmp(e->d_name, "checkpoint-", 11)) steps[n++] = atol(e->d_name + 11);
        closedir(dh);
    }
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && steps[j - 1] > steps[j]; j--) best = steps[j], steps[j] = steps[j - 1], steps[j - 1] = best;
    const cJSON *fr = cJSON_GetObjectItemCaseSensitive(s->cfg, "fraction");
    const char *name = cstr(s->cfg, "name", NULL);
    Buf b;
    buf_init(&b);
    if (name) buf_printf(&b, "%s/%s\n", dir, name);
    else if (n) {
        double f = cJSON_IsNumber(fr) ? fr->valuedouble : 1.0;
        int i = (int)(f * (n - 1) + 0.5);
        buf_printf(&b, "%s/checkpoint-%ld\n", dir, steps[i < 0 ? 0 : i >= n ? n - 1 : i]);
    } else buf_printf(&b, "%s\n", dir);
    char *f = wpath(p, "checkpoint.txt");
    int rc = fs_write_atomic(f, b.data, b.len, err);
    free(f), free(dir);
    buf_free(&b);
    s->outputs[s->n_out++] = "checkpoint.txt";
    return rc;
}

/* ---- estimates (--dry-run) --------------------------------------------------------------- */

typedef struct RoleEst {
    const char *role;
    const char *spec;
    double calls, tin, tout; /* per call: tokens in, out */
} RoleEst;

static double est_num(const cJSON *est, const char *role, const char *k, double def) {
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(est, role);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(r, k);
    return cJSON_IsNumber(v) ? v->valuedouble : def;
}

static void print_estimates(const Pipe *p) {
    const cJSON *q = cJSON_GetObjectItemCaseSensitive(p->stages, "queries"), *t = cJSON_GetObjectItemCaseSensitive(p->stages, "traces");
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(q, "n"), *est = cJSON_GetObjectItemCaseSensitive(p->cfg, "estimate");
    int items = cJSON_IsNumber(n) ? n->valueint : 100;
    if (!t) return;
    const char *reasoner = cstr(t, "model", "solver");
    int prog = !strcmp(reasoner, "solver");
    const char *judges = cstr(t, "judge_model", prog ? "rule,rule" : reasoner);
    const cJSON *mc = cJSON_GetObjectItemCaseSensitive(t, "method_config");
    const cJSON *nj = cJSON_GetObjectItemCaseSensitive(mc, "judges"), *er = cJSON_GetObjectItemCaseSensitive(mc, "error_rate");
    int n_judges = cJSON_IsNumber(nj) ? nj->valueint : 2;
    const cJSON *rs = cJSON_GetObjectItemCaseSensitive(est, "reflection_share");
    double share = cJSON_IsNumber(rs) ? rs->valuedouble : cJSON_IsNumber(er) ? er->valuedouble : 0.4;
    char j1[1024], j2[1024];
    const char *comma = strstr(judges, ",openai:") ? strstr(judges, ",openai:") : strstr(judges, ",local:") ? strstr(judges, ",local:")
                      : strstr(judges, ",rule") ? strstr(judges, ",rule") : NULL;
    snprintf(j1, sizeof j1, "%.*s", comma ? (int)(comma - judges) : (int)strlen(judges), judges);
    snprintf(j2, sizeof j2, "%s", comma ? comma + 1 : j1);
    const char *para = cstr(q, "paraphrase_model", NULL);
    RoleEst roles[5] = {
        {"reasoner", reasoner, items, est_num(est, "reasoner", "tokens_in", 9000), est_num(est, "reasoner", "tokens_out", 4000)},
        {"judge-1", j1, n_judges >= 1 ? items : 0, est_num(est, "judge", "tokens_in", 13000), est_num(est, "judge", "tokens_out", 8)},
        {"judge-2", j2, n_judges >= 2 ? items : 0, est_num(est, "judge", "tokens_in", 13000), est_num(est, "judge", "tokens_out", 8)},
        {"reflector", cstr(t, "reflector_model", prog ? "solver" : reasoner), items * share,
         est_num(est, "reflector", "tokens_in", 14000), est_num(est, "reflector", "tokens_out", 4000)},
        {"paraphrase", para ? para : "", items, est_num(est, "paraphrase", "tokens_in", 200), est_num(est, "paraphrase", "tokens_out", 100)}};
    printf("  estimate for %d queries (reflection share %.2f; tokens per call from \"estimate\" or the defaults):\n", items, share);
    printf("  %-10s %-44s %8s %14s %14s %12s\n", "role", "model", "calls", "tokens in", "tokens out", "cost USD");
    double total = 0;
    for (int i = 0; i < (para ? 5 : 4); i++) { /* the paraphraser: stage 1's --paraphrase-model */
        RoleEst *r = &roles[i];
        int programmatic = !strcmp(r->spec, "solver") || !strcmp(r->spec, "rule");
        double pin = 0, pout = 0;
        AgModelConfig mc2;
        Err e = {0};
        char label[45];
        if (!programmatic && ag_model_config_parse(r->spec, &mc2, &e) == IM_OK) {
            pin = mc2.price_in, pout = mc2.price_out;
            snprintf(label, sizeof label, "%s", mc2.name ? mc2.name : mc2.model ? mc2.model : r->spec);
            ag_model_config_free(&mc2);
        } else snprintf(label, sizeof label, "%s%s", programmatic ? "programmatic:" : "", r->spec);
        double ti = programmatic ? 0 : r->calls * r->tin, to = programmatic ? 0 : r->calls * r->tout;
        double cost = (ti * pin + to * pout) / 1e6;
        total += cost;
        printf("  %-10s %-44s %8.0f %14.0f %14.0f %12.2f\n", r->role, label, r->calls, ti, to, cost);
    }
    printf("  %-10s %-44s %8s %14s %14s %12.2f\n", "total", "", "", "", "", total);
}

/* ---- the driver --------------------------------------------------------------------------- */

static const char *const stage_order[] = {"queries", "traces", "samples", "sft", "checkpoint", "grpo", "eval", "report"};

static void step_free(Step *s) {
    for (int i = 0; i < s->n_own; i++) free(s->own[i]);
    buf_free(&s->listing);
}

static int outputs_json(const Pipe *p, const Step *s, Buf *out) {
    buf_putc(out, '{');
    for (int i = 0; i < s->n_out; i++) {
        char *f = wpath(p, s->outputs[i]), h[65];
        int bad = fs_is_dir(f) ? sha_dir(f, h) : sha_file(f, h);
        free(f);
        if (bad) return -1;
        buf_printf(out, "%s\"%s\": \"%s\"", i ? ", " : "", s->outputs[i], h);
    }
    buf_putc(out, '}');
    return 0;
}

/* 1 when every file of a done stage still has its recorded hash. */
static int outputs_intact(const Pipe *p, const char *outputs) {
    cJSON *o = cJSON_Parse(outputs ? outputs : "");
    int ok = cJSON_IsObject(o);
    for (const cJSON *f = ok ? o->child : NULL; f && ok; f = f->next) {
        char *path = wpath(p, f->string), h[65];
        int bad = fs_is_dir(path) ? sha_dir(path, h) : sha_file(path, h);
        ok = !bad && cJSON_IsString(f) && !strcmp(h, f->valuestring);
        free(path);
    }
    cJSON_Delete(o);
    return ok;
}

static void chain(Pipe *p, const char *what) {
    Buf b;
    buf_init(&b);
    buf_printf(&b, "%s\n%s", p->prev, what);
    sha_text(b.data, p->prev);
    buf_free(&b);
}

static int run_stage(Pipe *p, const char *name, const cJSON *cfg, Err *err) {
    Step s = {.name = name, .cfg = cfg};
    buf_init(&s.listing);
    char *ctext = cJSON_PrintUnformatted(cfg);
    Buf in;
    buf_init(&in);
    buf_printf(&in, "%s\n%s\n%s\n%s\n%s", name, ctext, p->prev, p->suite, p->data ? p->data : "");
    sha_text(in.data, s.inputs);
    buf_free(&in), free(ctext);
    char state[16], old[65], *outs = NULL;
    int have = stage_get(p, name, state, old, &outs), rc = IM_OK;
    if (have > 0 && !strcmp(state, "done") && !strcmp(old, s.inputs) && outputs_intact(p, outs)) {
        printf("stage %-10s done (inputs unchanged) %s\n", name, outs);
        if (p->dry && !strcmp(name, "traces")) print_estimates(p);
        chain(p, outs);
        free(outs);
        step_free(&s);
        return IM_OK;
    }
    free(outs);
    if (p->dry) {
        printf("stage %-10s %s\n", name, have > 0 && !strcmp(state, "done") ? "would run again (inputs or files changed)" : "would run");
        if (!strcmp(name, "queries")) {
            const cJSON *n = cJSON_GetObjectItemCaseSensitive(cfg, "n");
            printf("  %d %s queries\n", cJSON_IsNumber(n) ? n->valueint : 100, p->suite);
        }
        if (!strcmp(name, "traces")) print_estimates(p);
        chain(p, s.inputs);
        step_free(&s);
        return IM_OK;
    }
    if ((rc = stage_put(p, name, "running", s.inputs, NULL, 1, err))) return step_free(&s), rc;
    printf("stage %-10s running\n", name);
    fflush(stdout);
    int waiting = 0;
    int resume = have > 0 && !strcmp(old, s.inputs) && strcmp(state, "done"); /* a run of these inputs that did not finish */
    if (!strcmp(name, "sft") || !strcmp(name, "grpo")) rc = train_step(p, &s, resume, have > 0 ? old : "", &waiting, err);
    else if (!strcmp(name, "checkpoint")) rc = checkpoint_step(p, &s, err);
    else plan_step(p, &s);
    for (int c = 0; !rc && !waiting && c < s.n_cmd; c++) {
        int x = run_child(p, (const char *const *)s.argv[c]);
        if (x) {
            rc = err_set(err, x == IM_INCOMPLETE ? IM_INCOMPLETE : IM_IO,
                         "imagine pipeline: stage %s: `imagine %s %s` exited %d (see %s/pipeline.log); run the same command to resume",
                         name, s.argv[c][1], s.argv[c][2] ? s.argv[c][2] : "", x, p->work);
        }
    }
    if (!rc && !waiting && s.write_file) {
        char *f = wpath(p, s.write_file);
        rc = fs_write_atomic(f, s.write_text ? s.write_text : "", s.write_text ? strlen(s.write_text) : 0, err);
        free(f);
    }
    Buf o;
    buf_init(&o);
    if (!rc && waiting) {
        rc = err_set(err, IM_INCOMPLETE, "imagine pipeline: stage %s waits for the external trainer (%s/%s.command.sh); run the same command when it is done",
                     name, p->work, name);
        stage_put(p, name, "ready", s.inputs, NULL, 0, NULL);
    } else if (!rc && outputs_json(p, &s, &o)) rc = err_set(err, IM_IO, "imagine pipeline: stage %s: an output file is missing", name);
    if (!rc) {
        rc = stage_put(p, name, "done", s.inputs, o.data, 0, err);
        printf("stage %-10s done %s\n", name, o.data);
        chain(p, o.data);
    } else if (rc != IM_INCOMPLETE) stage_put(p, name, "error", s.inputs, NULL, 0, NULL);
    buf_free(&o);
    step_free(&s);
    return rc;
}

static int cmd_pipeline(int argc, char **argv) {
    const char *store = NULL;
    int dry = 0;
    const CliOpt opts[] = {
        {"--dry-run", CLI_FLAG, &dry, NULL, "print the stages, item counts and token/cost estimates per role; run nothing"},
        {"--store", CLI_STR, &store, "FILE", "the store (default: the configuration's \"store\", else imagine.db)"},
        {0}};
    Err err = {0};
    const char *pos[1];
    int npos, rc = cli_parse("pipeline", "CONFIG.json", argc, argv, opts, pos, 1, &npos, &err);
    if (rc < 0) return IM_OK;
    if (rc) return harness_fail(&err);
    if (npos != 1) return err_set(&err, IM_USAGE, "imagine pipeline: give the CONFIG.json (docs/imagine.md)"), harness_fail(&err);
    char *text = NULL;
    size_t len;
    if ((rc = fs_read_file(pos[0], &text, &len, &err))) return harness_fail(&err);
    cJSON *cfg = cJSON_Parse(text);
    Pipe p = {.dry = dry};
    if (!cJSON_IsObject(cfg)) rc = err_set(&err, IM_USAGE, "%s: not a JSON object", pos[0]);
    p.cfg = cfg;
    p.name = cstr(cfg, "name", NULL);
    p.suite = cstr(cfg, "suite", "travelplanner");
    p.data = cstr(cfg, "data", NULL);
    p.stages = cJSON_GetObjectItemCaseSensitive(cfg, "stages");
    p.store = store ? store : cstr(cfg, "store", STORE_DEFAULT_PATH);
    if (!rc && !p.name) rc = err_set(&err, IM_USAGE, "%s: \"name\" is required", pos[0]);
    if (!rc && !cJSON_IsObject(p.stages)) rc = err_set(&err, IM_USAGE, "%s: \"stages\" must be an object of stage configurations", pos[0]);
    for (const cJSON *st = !rc ? p.stages->child : NULL; st && !rc; st = st->next) {
        int known = 0;
        for (size_t k = 0; k < sizeof stage_order / sizeof *stage_order; k++) known |= !strcmp(st->string, stage_order[k]);
        if (!known) rc = err_set(&err, IM_USAGE, "%s: unknown stage \"%s\" (stages: queries, traces, samples, sft, checkpoint, grpo, eval, report)", pos[0], st->string);
    }
    const char *work = cstr(cfg, "workdir", NULL);
    char wbuf[PATH_MAX];
    if (!rc) {
        if (!work) snprintf(wbuf, sizeof wbuf, "%s.out", p.name), work = wbuf;
        if (!dry) rc = fs_mkdirs(work, &err);
    }
    char real[PATH_MAX];
    if (!rc) p.work = strdup(realpath(work, real) ? real : work);
    ssize_t n = readlink("/proc/self/exe", p.exe, sizeof p.exe - 1);
    if (n <= 0) rc = err_set(&err, IM_IO, "cannot find this binary (/proc/self/exe)");
    else p.exe[n] = 0;
    if (!rc) rc = pipe_open(&p, text, &err);
    if (!rc) printf("imagine pipeline %s (%s): work folder %s, store %s%s\n", p.name, p.suite, p.work, p.store, dry ? " (dry run)" : "");
    for (size_t k = 0; !rc && k < sizeof stage_order / sizeof *stage_order; k++) {
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(p.stages, stage_order[k]);
        if (st) rc = run_stage(&p, stage_order[k], st, &err);
    }
    if (!rc && !dry) printf("imagine pipeline %s: every stage done\n", p.name);
    sqlite3_close(p.db);
    free(p.work), free(text);
    cJSON_Delete(cfg);
    return rc ? harness_fail(&err) : IM_OK;
}

const CliVerb imagine_verbs_pipeline[] = {
    {"pipeline", cmd_pipeline, "the IMAGINE stages end to end (queries, MAS traces, samples, SFT, GRPO, evaluation, report), resumable", "CONFIG.json"},
    {0}};
