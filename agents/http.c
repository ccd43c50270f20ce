/* http.c: the OpenAI-compatible backend, POST BASE_URL/chat/completions.
 *
 * One I/O thread per model runs a libcurl multi loop with up to
 * `concurrency` requests in flight; callers (any thread) hand it jobs and
 * wait. A failed attempt (429, 408, 5xx, reset, timeout, truncated or
 * non-JSON answer) is retried after an exponential backoff with jitter,
 * at least Retry-After (the optional backoff callback is told, on this
 * thread, each time a wait starts); after the last retry the job ends with an error
 * that names the endpoint and shows the start of the body. The API key is
 * read from the environment for each attempt and lives only in that
 * attempt's header list, freed when it ends. libcurl is loaded on the first
 * ag_http_open (common/net.h); it is not linked. Never exits. */
#include <cJSON.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "model.h"
#include "net.h"

typedef struct Batch {
    pthread_cond_t cv;
    int left;
} Batch;

typedef struct Job {
    struct Job *next;
    AgChatResponse *resp;
    Batch *batch;
    char *body;
    size_t body_len, sent; /* sent: bytes of body handed to libcurl in this attempt */
    Buf rx;
    double retry_after_s; /* from the last answer, < 0 when none */
    double first_start, next_at; /* monotonic seconds */
    int attempts;
    CURL *easy;
    struct curl_slist *hdrs;
} Job;

struct AgHttp {
    const AgModelConfig *cfg; /* the model's, outlives us */
    const NetCurl *cu;        /* libcurl, loaded by ag_http_open */
    char *url;
    CURLM *multi;
    pthread_mutex_t mu;
    pthread_t thr;
    int started, stop;
    Job *incoming;            /* guarded by mu */
    /* I/O thread only: */
    Job *waiting;             /* not yet started or backing off */
    int in_flight;
    CURL *pool[64];
    int n_pool;
    unsigned rng;
    long attempts, retries;   /* guarded by mu when read */
    AgBackoffFn on_backoff;   /* guarded by mu; called without it */
    void *on_backoff_arg;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void) {
    const NetCurl *cu;
    if (net_curl_load(&cu, NULL) == IM_OK) cu->global_init(CURL_GLOBAL_DEFAULT);
}

static double mono(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int ag_http_open(const AgModelConfig *cfg, AgHttp **out, Err *err) {
    *out = NULL;
    const NetCurl *cu;
    int rc = net_curl_load(&cu, err);
    if (rc) return err_prefix(err, "model %s", cfg->base_url), rc;
    pthread_once(&curl_once, curl_init_once);
    AgHttp *h = calloc(1, sizeof *h);
    if (!h) return err_set(err, IM_IO, "out of memory");
    h->cfg = cfg;
    h->cu = cu;
    size_t n = strlen(cfg->base_url) + 32;
    h->url = malloc(n);
    snprintf(h->url, n, "%s/chat/completions", cfg->base_url);
    h->multi = cu->multi_init();
    if (!h->multi) {
        free(h->url), free(h);
        return err_set(err, IM_IO, "cannot start libcurl for %s", cfg->base_url);
    }
    cu->multi_setopt(h->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)cfg->concurrency);
    pthread_mutex_init(&h->mu, NULL);
    h->rng = (unsigned)time(NULL) ^ (unsigned)getpid() ^ (unsigned)(size_t)h;
    *out = h;
    return IM_OK;
}

/* ---- one attempt -------------------------------------------------------- */

static size_t on_body(char *p, size_t sz, size_t n, void *ud) {
    Job *j = ud;
    if (j->rx.len + sz * n > (size_t)64 << 20) return 0; /* 64 MiB: not a chat answer */
    buf_append(&j->rx, p, sz * n);
    return sz * n;
}

/* Retry-After: seconds, or an HTTP date. */
static size_t on_header(char *p, size_t sz, size_t n, void *ud) {
    Job *j = ud;
    size_t len = sz * n;
    if (len > 12 && !strncasecmp(p, "Retry-After:", 12)) {
        char v[128];
        size_t k = len - 12 < sizeof v - 1 ? len - 12 : sizeof v - 1;
        memcpy(v, p + 12, k);
        v[k] = 0;
        char *end;
        double s = strtod(v, &end);
        if (end != v) j->retry_after_s = s;
        else {
            const NetCurl *cu;
            time_t t = net_curl_load(&cu, NULL) == IM_OK ? cu->getdate(v, NULL) : 0; /* loaded: we run in its callback */
            if (t > 0) j->retry_after_s = difftime(t, time(NULL));
        }
        if (j->retry_after_s < 0) j->retry_after_s = 0;
    }
    return len;
}

/* The body goes out through a read callback that cannot seek back: when a
 * reused connection dies after libcurl took the body, libcurl cannot send it
 * again by itself (CURLE_SEND_FAIL_REWIND ends the attempt), so every
 * request the server may have seen is an attempt counted here, and whether
 * to send it again is finish_attempt's decision only. */
static size_t on_read(char *p, size_t sz, size_t n, void *ud) {
    Job *j = ud;
    size_t k = j->body_len - j->sent < sz * n ? j->body_len - j->sent : sz * n;
    memcpy(p, j->body + j->sent, k);
    j->sent += k;
    return k;
}

static int on_seek(void *ud, curl_off_t off, int origin) {
    (void)ud, (void)off, (void)origin;
    return CURL_SEEKFUNC_CANTSEEK;
}

static void start_attempt(AgHttp *h, Job *j) {
    const NetCurl *cu = h->cu;
    CURL *e = h->n_pool ? h->pool[--h->n_pool] : cu->easy_init();
    j->easy = e;
    j->attempts++;
    buf_reset(&j->rx);
    j->sent = 0;
    j->retry_after_s = -1;
    if (j->attempts == 1) j->first_start = mono();
    j->hdrs = cu->slist_append(NULL, "Content-Type: application/json");
    j->hdrs = cu->slist_append(j->hdrs, "Expect:"); /* no 100-continue round trip */
    const char *envname = h->cfg->api_key_env;
    const char *key = envname ? getenv(envname) : NULL;
    if (key && *key) {
        size_t n = strlen(key) + 32;
        char *line = malloc(n);
        snprintf(line, n, "Authorization: Bearer %s", key);
        j->hdrs = cu->slist_append(j->hdrs, line);
        memset(line, 0, n);
        free(line);
    }
    cu->easy_setopt(e, CURLOPT_URL, h->url);
    cu->easy_setopt(e, CURLOPT_POST, 1L);
    cu->easy_setopt(e, CURLOPT_READFUNCTION, on_read);
    cu->easy_setopt(e, CURLOPT_READDATA, j);
    cu->easy_setopt(e, CURLOPT_SEEKFUNCTION, on_seek);
    cu->easy_setopt(e, CURLOPT_SEEKDATA, j);
    cu->easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)j->body_len);
    cu->easy_setopt(e, CURLOPT_HTTPHEADER, j->hdrs);
    cu->easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    cu->easy_setopt(e, CURLOPT_WRITEDATA, j);
    cu->easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    cu->easy_setopt(e, CURLOPT_HEADERDATA, j);
    cu->easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(h->cfg->timeout_s * 1000));
    cu->easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)fmin(h->cfg->timeout_s * 1000, 30000));
    cu->easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    cu->easy_setopt(e, CURLOPT_PRIVATE, j);
    cu->easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    cu->easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    cu->multi_add_handle(h->multi, e);
    h->in_flight++;
    pthread_mutex_lock(&h->mu);
    h->attempts++;
    if (j->attempts > 1) h->retries++;
    pthread_mutex_unlock(&h->mu);
}

static void end_attempt(AgHttp *h, Job *j) {
    const NetCurl *cu = h->cu;
    cu->multi_remove_handle(h->multi, j->easy);
    if (h->n_pool < (int)(sizeof h->pool / sizeof h->pool[0])) {
        cu->easy_reset(j->easy);
        h->pool[h->n_pool++] = j->easy;
    } else
        cu->easy_cleanup(j->easy);
    j->easy = NULL;
    cu->slist_free_all(j->hdrs); /* the key goes with it */
    j->hdrs = NULL;
    h->in_flight--;
}

/* The start of a body, printable, for error messages. */
static void body_start(const Buf *b, char *out, size_t cap) {
    size_t k = 0;
    if (!b->len) {
        snprintf(out, cap, "(empty body)");
        return;
    }
    out[k++] = '\'';
    for (size_t i = 0; i < b->len && i < 160 && k + 6 < cap; i++) {
        unsigned char c = (unsigned char)b->data[i];
        if (c == '\n') out[k++] = '\\', out[k++] = 'n';
        else if (c < 32 || c == 127) k += (size_t)snprintf(out + k, cap - k, "\\x%02x", c);
        else out[k++] = (char)c;
    }
    if (b->len > 160 && k + 4 < cap) memcpy(out + k, "...", 3), k += 3;
    out[k++] = '\'';
    out[k] = 0;
}

/* Parses a 200 answer into resp. Returns 0, or -1 with why (not the expected JSON). */
static int parse_answer(const Buf *rx, AgChatResponse *r, char *why, size_t cap) {
    cJSON *o = rx->len ? cJSON_ParseWithLength(rx->data, rx->len) : NULL;
    const cJSON *choices = cJSON_GetObjectItemCaseSensitive(o, "choices");
    const cJSON *c0 = cJSON_GetArrayItem(choices, 0);
    const cJSON *msg = cJSON_GetObjectItemCaseSensitive(c0, "message");
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(msg, "content");
    if (!o) snprintf(why, cap, "not JSON");
    else if (cJSON_GetObjectItemCaseSensitive(o, "error") && !choices) {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(o, "error");
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "message");
        snprintf(why, cap, "the server answered an error object: %.300s", cJSON_IsString(m) ? m->valuestring : "(no message)");
    } else if (!cJSON_IsObject(msg)) snprintf(why, cap, "no choices[0].message");
    else if (content && !cJSON_IsString(content) && !cJSON_IsNull(content))
        snprintf(why, cap, "choices[0].message.content is not a string");
    else {
        const cJSON *rc = cJSON_GetObjectItemCaseSensitive(msg, "reasoning_content");
        if (!cJSON_IsString(rc)) rc = cJSON_GetObjectItemCaseSensitive(msg, "reasoning");
        const cJSON *fr = cJSON_GetObjectItemCaseSensitive(c0, "finish_reason");
        const cJSON *usage = cJSON_GetObjectItemCaseSensitive(o, "usage");
        const cJSON *pt = cJSON_GetObjectItemCaseSensitive(usage, "prompt_tokens");
        const cJSON *ct = cJSON_GetObjectItemCaseSensitive(usage, "completion_tokens");
        r->text = strdup(cJSON_IsString(content) ? content->valuestring : "");
        char *think = ag_split_think(r->text);
        if (cJSON_IsString(rc) && rc->valuestring[0]) {
            r->reasoning = strdup(rc->valuestring);
            if (think) { /* both: keep the field first, then the block */
                size_t n = strlen(r->reasoning) + strlen(think) + 2;
                char *both = malloc(n);
                snprintf(both, n, "%s\n%s", r->reasoning, think);
                free(r->reasoning), free(think);
                r->reasoning = both;
            }
        } else
            r->reasoning = think;
        r->finish_reason = cJSON_IsString(fr) ? strdup(fr->valuestring) : NULL;
        r->tokens_in = cJSON_IsNumber(pt) ? (long)pt->valuedouble : 0;
        r->tokens_out = cJSON_IsNumber(ct) ? (long)ct->valuedouble : 0;
        cJSON_Delete(o);
        return 0;
    }
    cJSON_Delete(o);
    return -1;
}

static int retryable_curl(CURLcode c) {
    switch (c) {
    case CURLE_OPERATION_TIMEDOUT: case CURLE_COULDNT_CONNECT: case CURLE_RECV_ERROR: case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING: case CURLE_PARTIAL_FILE: case CURLE_HTTP2: case CURLE_HTTP2_STREAM:
    case CURLE_COULDNT_RESOLVE_HOST: case CURLE_SSL_CONNECT_ERROR: case CURLE_WRITE_ERROR:
    case CURLE_SEND_FAIL_REWIND: /* a reused connection died: ours to send again (on_seek) */
        return 1;
    default:
        return 0;
    }
}

static void job_done(AgHttp *h, Job *j) {
    (void)h;
    j->resp->latency_ms = (mono() - j->first_start) * 1e3;
    j->resp->attempts = j->attempts;
    free(j->body);
    buf_free(&j->rx);
    j->body = NULL;
    pthread_mutex_lock(&h->mu);
    if (--j->batch->left == 0) pthread_cond_broadcast(&j->batch->cv);
    pthread_mutex_unlock(&h->mu);
}

/* An attempt ended: answer, retry later, or give up. */
static void finish_attempt(AgHttp *h, Job *j, CURLcode cc) {
    long status = 0;
    h->cu->easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &status);
    end_attempt(h, j);
    AgChatResponse *r = j->resp;
    r->http_status = (int)status;
    char why[1400], start[400];
    int retry = 0;
    if (cc != CURLE_OK) {
        snprintf(why, sizeof why, "%s (curl %d)", h->cu->easy_strerror(cc), (int)cc);
        retry = retryable_curl(cc);
    } else if (status == 200) {
        free(r->text), free(r->reasoning), free(r->finish_reason);
        r->text = r->reasoning = r->finish_reason = NULL;
        char bad[360];
        if (parse_answer(&j->rx, r, bad, sizeof bad) == 0) {
            r->ok = 1;
            free(r->error);
            r->error = NULL;
            job_done(h, j);
            return;
        }
        body_start(&j->rx, start, sizeof start);
        snprintf(why, sizeof why, "the answer is not the expected chat-completions JSON (%s); body starts %s", bad, start);
        retry = 1; /* truncated answers are transient */
    } else {
        body_start(&j->rx, start, sizeof start);
        snprintf(why, sizeof why, "HTTP %ld; body starts %s%s", status, start,
                 status == 401 || status == 403 ? (h->cfg->api_key_env ? " — check the key in $" : " — the spec names no api_key_env") : "");
        if ((status == 401 || status == 403) && h->cfg->api_key_env)
            strncat(why, h->cfg->api_key_env, sizeof why - strlen(why) - 1);
        retry = status == 429 || status == 408 || status == 409 || status >= 500;
    }
    free(r->error);
    size_t n = strlen(why) + strlen(h->url) + 96;
    r->error = malloc(n);
    if (retry && j->attempts <= h->cfg->max_retries) {
        double d = fmin(h->cfg->backoff_max_s, h->cfg->backoff_s * pow(2, j->attempts - 1));
        d *= 0.5 + 0.5 * ((double)rand_r(&h->rng) / RAND_MAX);
        if (j->retry_after_s >= 0) d = fmax(d, fmin(j->retry_after_s, h->cfg->backoff_max_s));
        j->next_at = mono() + d;
        snprintf(r->error, n, "POST %s: %s", h->url, why);
        j->next = h->waiting;
        h->waiting = j;
        pthread_mutex_lock(&h->mu);
        AgBackoffFn fn = h->on_backoff;
        void *arg = h->on_backoff_arg;
        pthread_mutex_unlock(&h->mu);
        if (fn) {
            char what[80];
            if (cc != CURLE_OK) snprintf(what, sizeof what, "%s", h->cu->easy_strerror(cc));
            else if (status == 200) snprintf(what, sizeof what, "malformed answer");
            else snprintf(what, sizeof what, "HTTP %ld", status);
            fn(arg, d, what);
        }
        return;
    }
    if (retry) snprintf(r->error, n, "POST %s: %s (gave up after %d attempts)", h->url, why, j->attempts);
    else snprintf(r->error, n, "POST %s: %s", h->url, why);
    r->ok = 0;
    job_done(h, j);
}

/* ---- the I/O thread ----------------------------------------------------- */

static void *io_loop(void *arg) {
    AgHttp *h = arg;
    for (;;) {
        pthread_mutex_lock(&h->mu);
        while (h->incoming) {
            Job *j = h->incoming;
            h->incoming = j->next;
            j->next = h->waiting;
            h->waiting = j;
        }
        int stop = h->stop;
        pthread_mutex_unlock(&h->mu);
        if (stop) break;
        double now = mono();
        /* start what is due, oldest first (the list is newest first) */
        Job *due = NULL, **pp = &h->waiting;
        while (*pp) {
            Job *j = *pp;
            if (j->next_at <= now) {
                *pp = j->next;
                j->next = due;
                due = j;
            } else
                pp = &j->next;
        }
        while (due) {
            Job *j = due;
            due = j->next;
            if (h->in_flight < h->cfg->concurrency) start_attempt(h, j);
            else { /* keep for later, in order */
                j->next = h->waiting;
                h->waiting = j;
            }
        }
        int running = 0;
        h->cu->multi_perform(h->multi, &running);
        CURLMsg *msg;
        int left;
        while ((msg = h->cu->multi_info_read(h->multi, &left))) {
            if (msg->msg != CURLMSG_DONE) continue;
            Job *j = NULL;
            h->cu->easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&j);
            finish_attempt(h, j, msg->data.result);
        }
        /* sleep until the next retry is due (or activity, or a wakeup) */
        int wait_ms = 1000;
        if (h->in_flight < h->cfg->concurrency) {
            double t = mono();
            for (Job *j = h->waiting; j; j = j->next) {
                double w = (j->next_at - t) * 1e3;
                int ms = w <= 0 ? 0 : (int)ceil(w);
                if (ms < wait_ms) wait_ms = ms;
            }
        }
        h->cu->multi_poll(h->multi, NULL, 0, wait_ms, NULL);
    }
    /* closing: fail whatever is left */
    while (h->waiting) {
        Job *j = h->waiting;
        h->waiting = j->next;
        if (j->easy) end_attempt(h, j);
        free(j->resp->error);
        j->resp->error = strdup("the model was closed before the answer came");
        j->resp->ok = 0;
        job_done(h, j);
    }
    return NULL;
}

/* ---- callers ------------------------------------------------------------ */

static char *request_body(const AgModelConfig *cfg, const AgChatRequest *req, size_t *len) {
    Buf b;
    buf_init(&b);
    buf_puts(&b, "{\"model\":");
    buf_json_str(&b, cfg->model);
    buf_puts(&b, ",\"messages\":[");
    for (int i = 0; i < req->n_msgs; i++) {
        buf_puts(&b, i ? ",{\"role\":" : "{\"role\":");
        buf_json_str(&b, req->msgs[i].role);
        buf_puts(&b, ",\"content\":");
        buf_json_str(&b, req->msgs[i].content ? req->msgs[i].content : "");
        buf_putc(&b, '}');
    }
    buf_putc(&b, ']');
    const char *p = cfg->params_json;
    if (p && strcmp(p, "{}")) { /* the params' members, without their braces */
        buf_putc(&b, ',');
        buf_append(&b, p + 1, strlen(p) - 2);
    }
    if (cfg->has_seed) buf_printf(&b, ",\"seed\":%lld", cfg->seed + req->sample);
    buf_putc(&b, '}');
    *len = b.len;
    return buf_take(&b);
}

void ag_http_chat_many(AgHttp *h, const AgChatRequest *reqs, const char *todo, int n, AgChatResponse *resps) {
    Job *jobs = calloc((size_t)n, sizeof *jobs);
    Batch batch = {.left = 0};
    pthread_cond_init(&batch.cv, NULL);
    Job *list = NULL;
    for (int i = n - 1; i >= 0; i--) {
        if (!todo[i]) continue;
        Job *j = &jobs[i];
        j->resp = &resps[i];
        j->batch = &batch;
        j->body = request_body(h->cfg, &reqs[i], &j->body_len);
        buf_init(&j->rx);
        j->next = list;
        list = j;
        batch.left++;
    }
    pthread_mutex_lock(&h->mu);
    if (!h->started) {
        if (pthread_create(&h->thr, NULL, io_loop, h) == 0) h->started = 1;
    }
    if (!h->started) {
        for (Job *j = list; j; j = j->next) {
            j->resp->error = strdup("cannot start the HTTP thread");
            free(j->body), buf_free(&j->rx);
        }
        pthread_mutex_unlock(&h->mu);
        pthread_cond_destroy(&batch.cv);
        free(jobs);
        return;
    }
    /* append in order so the oldest request starts first */
    Job **tail = &h->incoming;
    while (*tail) tail = &(*tail)->next;
    *tail = list;
    pthread_mutex_unlock(&h->mu);
    h->cu->multi_wakeup(h->multi);
    pthread_mutex_lock(&h->mu);
    while (batch.left > 0) pthread_cond_wait(&batch.cv, &h->mu);
    pthread_mutex_unlock(&h->mu);
    pthread_cond_destroy(&batch.cv);
    free(jobs);
}

void ag_http_counters(AgHttp *h, long *attempts, long *retries) {
    pthread_mutex_lock(&h->mu);
    *attempts = h->attempts, *retries = h->retries;
    pthread_mutex_unlock(&h->mu);
}

void ag_http_set_backoff(AgHttp *h, AgBackoffFn fn, void *arg) {
    pthread_mutex_lock(&h->mu);
    h->on_backoff = fn, h->on_backoff_arg = arg;
    pthread_mutex_unlock(&h->mu);
}

void ag_http_close(AgHttp *h) {
    if (!h) return;
    pthread_mutex_lock(&h->mu);
    h->stop = 1;
    int started = h->started;
    pthread_mutex_unlock(&h->mu);
    if (started) {
        h->cu->multi_wakeup(h->multi);
        pthread_join(h->thr, NULL);
    }
    for (int i = 0; i < h->n_pool; i++) h->cu->easy_cleanup(h->pool[i]);
    h->cu->multi_cleanup(h->multi);
    pthread_mutex_destroy(&h->mu);
    free(h->url);
    free(h);
}
