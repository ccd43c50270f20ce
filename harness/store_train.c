/* store_train.c: training runs and their train_step rows (store_train.h). */
#include "store_train.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "store_priv.h"
#include "suite.h"
#include "verbs.h"

/* git_rev.c, written at build time by cmake/GitRev.cmake */
extern const char imagine_git_rev[];

int store_train_run_open(Store *s, const StoreTrainRun *r, long long *run_id, Err *err) {
    sqlite3_stmt *st;
    char method[32];
    snprintf(method, sizeof method, "train-%s", r->kind);
    if (store_prepare(s, "SELECT r.id, m.name, r.status FROM run r JOIN method m ON m.id = r.method_id WHERE r.name = ?1", &st, err)) return IM_IO;
    store_bind_text(st, 1, r->name);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) { /* only --resume continues a run: a new training would replace its steps */
        long long id = sqlite3_column_int64(st, 0);
        const char *m = (const char *)sqlite3_column_text(st, 1);
        const char *status = (const char *)sqlite3_column_text(st, 2);
        int same = m && !strcmp(m, method), done = status && !strcmp(status, "complete");
        if (!r->resume || !same || (done && !r->from_step)) {
            err_set(err, IM_USAGE, "%s: a run named '%s' is already there (id %lld, %s, %s): %s", s->path, r->name, id, m ? m : "?",
                    status ? status : "?",
                    !same ? "give this training another --name"
                    : !r->resume ? "--resume continues it, --name names a new one"
                                 : "it is complete and --out holds no checkpoint of it; give this training another --name");
            sqlite3_finalize(st);
            return IM_USAGE;
        }
        sqlite3_finalize(st);
        *run_id = id;
        return store_run_set_status(s, id, "running", 0, err);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return store_dberr(s->db, s->path, err, "looking up a training run");
    SuiteItems none;
    memset(&none, 0, sizeof none);
    long long suite_id;
    rc = store_suite_put(s, r->suite, r->split, r->source, &none, NULL, &suite_id, err);
    if (rc) return rc;
    StoreRunSpec sp = {.name = r->name, .method = method, .method_config = r->config_json, .model = r->model, .model_backend = "local",
                       .model_config = r->model, .suite_id = suite_id, .n_queries = 0, .seed = r->seed, .git_rev = imagine_git_rev,
                       .config_json = r->config_json};
    return store_run_create(s, &sp, run_id, err);
}

static void bind_num(sqlite3_stmt *st, int i, double v) {
    if (isnan(v)) sqlite3_bind_null(st, i);
    else sqlite3_bind_double(st, i, v);
}

int store_train_step_put(Store *s, long long run_id, const StoreTrainStep *t, Err *err) {
    pthread_mutex_lock(&s->mu);
    sqlite3_stmt *st;
    int rc = store_prepare(s,
                           "INSERT OR REPLACE INTO train_step(run_id, step, kind, loss, reward_mean, lr, tokens_per_s, grad_norm, reward_std, "
                           "components_json, reflection_ratio, completion_len, clip_frac, kl, eval_loss, created) "
                           "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
                           &st, err);
    if (!rc) {
        sqlite3_bind_int64(st, 1, run_id), sqlite3_bind_int(st, 2, t->step);
        store_bind_text(st, 3, t->kind);
        const double v[] = {t->loss, t->reward, t->lr, t->tokens_per_s, t->grad_norm, t->reward_std};
        for (int i = 0; i < 6; i++) bind_num(st, 4 + i, v[i]);
        store_bind_text(st, 10, t->components_json);
        const double w[] = {t->reflection_ratio, t->completion_len, t->clip_frac, t->kl, t->eval_loss, store_now()};
        for (int i = 0; i < 6; i++) bind_num(st, 11 + i, w[i]);
        if (sqlite3_step(st) != SQLITE_DONE) rc = store_dberr(s->db, s->path, err, "storing a training step");
        sqlite3_finalize(st);
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}
