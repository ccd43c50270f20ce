/* server.c: HTTP handlers, request parsing, response JSON (OpenAI shapes)
 * and the batching scheduler. Sections: jobs and the scheduler; JSON
 * building; request parsing; the MHD handler; server_run. */
#include "server.h"

#include <arpa/inet.h>
#include <cJSON.h>
#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- jobs and the scheduler ---- */

typedef struct Job {
    GenReq req;
    int chat, stream, fd; /* fd: write end of the SSE pipe */
    int *ids;
    char *stop_store[4];
    const char *stops[4];
    long id;
    int done;
    struct Job *next;
    struct Server *srv;
} Job;

typedef struct Server {
    Engine *e;
    const char *model;
    pthread_mutex_t mu;
    pthread_cond_t cv_work, cv_done;
    Job *head;
    int quit;
    long next_id;
    time_t started;
} Server;

static void job_free(Job *j) {
    if (!j) return;
    genreq_free(&j->req);
    for (int i = 0; i < 4; i++) free(j->stop_store[i]);
    free(j->ids), free(j);
}

static void sse_finish(Job *j);

static void *scheduler(void *arg) {
    Server *s = arg;
    for (;;) {
        pthread_mutex_lock(&s->mu);
        while (!s->head && !s->quit) pthread_cond_wait(&s->cv_work, &s->mu);
        if (s->quit) {
            pthread_mutex_unlock(&s->mu);
            return NULL;
        }
        Job *batch[64];
        int n = 0;
        while (s->head && n < s->e->o.max_seqs && n < 64) batch[n++] = s->head, s->head = s->head->next;
        pthread_mutex_unlock(&s->mu);
        GenReq *reqs[64];
        for (int i = 0; i < n; i++) reqs[i] = &batch[i]->req;
        Err err = {0};
        if (engine_run(s->e, reqs, n, &err))
            for (int i = 0; i < n; i++)
                if (!reqs[i]->finish) reqs[i]->finish = "error";
        for (int i = 0; i < n; i++)
            if (batch[i]->stream) sse_finish(batch[i]);
        pthread_mutex_lock(&s->mu);
        for (int i = 0; i < n; i++) batch[i]->done = 1;
        pthread_cond_broadcast(&s->cv_done);
        pthread_mutex_unlock(&s->mu);
    }
}

static void submit(Server *s, Job *j) {
    pthread_mutex_lock(&s->mu);
    Job **t = &s->head;
    while (*t) t = &(*t)->next;
    *t = j;
    pthread_cond_signal(&s->cv_work);
    pthread_mutex_unlock(&s->mu);
}

static void wait_done(Server *s, Job *j) {
    pthread_mutex_lock(&s->mu);
    while (!j->done) pthread_cond_wait(&s->cv_done, &s->mu);
    pthread_mutex_unlock(&s->mu);
}

/* ---- JSON building ---- */

static void json_token(Buf *b, const Tokenizer *t, int id) {
    Buf p;
    buf_init(&p);
    buf_append(&p, "", 0);
    tok_piece(t, id, 0, &p);
    buf_puts(b, "\"token\": ");
    buf_json_str(b, p.data);
    buf_puts(b, ", \"bytes\": [");
    for (size_t i = 0; i < p.len; i++) buf_printf(b, "%s%u", i ? ", " : "", (unsigned char)p.data[i]);
    buf_putc(b, ']');
    buf_free(&p);
}

static void json_chat_logprobs(Buf *b, const Tokenizer *t, const TokInfo *ti, int n) {
    buf_puts(b, "{\"content\": [");
    for (int i = 0; i < n; i++) {
        buf_puts(b, i ? ", {" : "{");
        json_token(b, t, ti[i].id);
        buf_printf(b, ", \"logprob\": %.6f, \"top_logprobs\": [", (double)ti[i].logprob);
        for (int k = 0; k < ti[i].ntop; k++) {
            buf_puts(b, k ? ", {" : "{");
            json_token(b, t, ti[i].top_id[k]);
            buf_printf(b, ", \"logprob\": %.6f}", (double)ti[i].top_lp[k]);
        }
        buf_puts(b, "]}");
    }
    buf_puts(b, "]}");
}

static void json_cmpl_logprobs(Buf *b, const Tokenizer *t, const TokInfo *ti, int n) {
    Buf p;
    buf_init(&p);
    buf_puts(b, "{\"tokens\": [");
    for (int i = 0; i < n; i++) {
        buf_reset(&p), buf_append(&p, "", 0), tok_piece(t, ti[i].id, 0, &p);
        buf_puts(b, i ? ", " : ""), buf_json_str(b, p.data);
    }
    buf_puts(b, "], \"token_logprobs\": [");
    for (int i = 0; i < n; i++) buf_printf(b, "%s%.6f", i ? ", " : "", (double)ti[i].logprob);
    buf_puts(b, "], \"top_logprobs\": [");
    for (int i = 0; i < n; i++) {
        buf_puts(b, i ? ", {" : "{");
        for (int k = 0; k < ti[i].ntop; k++) {
            buf_reset(&p), buf_append(&p, "", 0), tok_piece(t, ti[i].top_id[k], 0, &p);
            buf_puts(b, k ? ", " : ""), buf_json_str(b, p.data), buf_printf(b, ": %.6f", (double)ti[i].top_lp[k]);
        }
        buf_putc(b, '}');
    }
    buf_puts(b, "], \"text_offset\": [");
    size_t off = 0;
    for (int i = 0; i < n; i++) {
        buf_reset(&p), buf_append(&p, "", 0), tok_piece(t, ti[i].id, 1, &p);
        buf_printf(b, "%s%zu", i ? ", " : "", off);
        off += p.len;
    }
    buf_puts(b, "]}");
    buf_free(&p);
}

static void json_head(Buf *b, const Job *j, const char *object) {
    buf_printf(b, "{\"id\": \"%s-%ld\", \"object\": \"%s\", \"created\": %ld, \"model\": ", j->chat ? "chatcmpl" : "cmpl", j->id, object, (long)time(NULL));
    buf_json_str(b, j->srv->model);
}

static char *full_response(Job *j) {
    const Tokenizer *t = j->srv->e->mf->tok;
    Buf b;
    buf_init(&b);
    json_head(&b, j, j->chat ? "chat.completion" : "text_completion");
    buf_puts(&b, ", \"choices\": [{\"index\": 0, ");
    if (j->chat) {
        buf_puts(&b, "\"message\": {\"role\": \"assistant\", \"content\": ");
        buf_json_str(&b, j->req.text.data ? j->req.text.data : "");
        buf_puts(&b, "}, \"logprobs\": ");
        if (j->req.logprobs) json_chat_logprobs(&b, t, j->req.toks, j->req.n_gen);
        else buf_puts(&b, "null");
    } else {
        buf_puts(&b, "\"text\": ");
        buf_json_str(&b, j->req.text.data ? j->req.text.data : "");
        buf_puts(&b, ", \"logprobs\": ");
        if (j->req.logprobs) json_cmpl_logprobs(&b, t, j->req.toks, j->req.n_gen);
        else buf_puts(&b, "null");
    }
    buf_printf(&b, ", \"finish_reason\": \"%s\"}], \"usage\": {\"prompt_tokens\": %d, \"completion_tokens\": %d, \"total_tokens\": %d}}\n",
               j->req.finish ? j->req.finish : "error", j->req.n_prompt, j->req.n_gen, j->req.n_prompt + j->req.n_gen);
    return buf_take(&b);
}

static int write_all(int fd, const char *p, size_t n) {
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w, n -= (size_t)w;
    }
    return 0;
}

static int sse_piece(GenReq *r, const char *text, size_t len, const TokInfo *ti) {
    Job *j = r->ud;
    const Tokenizer *t = j->srv->e->mf->tok;
    Buf b, s;
    buf_init(&b), buf_init(&s);
    buf_append(&s, text, len);
    buf_puts(&b, "data: ");
    json_head(&b, j, j->chat ? "chat.completion.chunk" : "text_completion");
    buf_puts(&b, ", \"choices\": [{\"index\": 0, ");
    if (j->chat) {
        buf_puts(&b, r->emitted == 0 ? "\"delta\": {\"role\": \"assistant\", \"content\": " : "\"delta\": {\"content\": ");
        buf_json_str(&b, s.data);
        buf_puts(&b, "}, \"logprobs\": ");
        if (r->logprobs && ti) json_chat_logprobs(&b, t, ti, 1);
        else buf_puts(&b, "null");
    } else {
        buf_puts(&b, "\"text\": ");
        buf_json_str(&b, s.data);
        buf_puts(&b, ", \"logprobs\": ");
        if (r->logprobs && ti) json_cmpl_logprobs(&b, t, ti, 1);
        else buf_puts(&b, "null");
    }
    buf_puts(&b, ", \"finish_reason\": null}]}\n\n");
    int rc = write_all(j->fd, b.data, b.len);
    buf_free(&b), buf_free(&s);
    return rc != 0;
}

static void sse_finish(Job *j) {
    Buf b;
    buf_init(&b);
    buf_puts(&b, "data: ");
    json_head(&b, j, j->chat ? "chat.completion.chunk" : "text_completion");
    buf_printf(&b, ", \"choices\": [{\"index\": 0, %s, \"logprobs\": null, \"finish_reason\": \"%s\"}], \"usage\": {\"prompt_tokens\": %d, \"completion_tokens\": %d, \"total_tokens\": %d}}\n\ndata: [DONE]\n\n",
               j->chat ? "\"delta\": {}" : "\"text\": \"\"", j->req.finish ? j->req.finish : "error", j->req.n_prompt, j->req.n_gen, j->req.n_prompt + j->req.n_gen);
    write_all(j->fd, b.data, b.len);
    buf_free(&b);
    close(j->fd);
    j->fd = -1;
}

/* ---- request parsing ---- */

static int parse_request(Server *s, Job *j, const char *body, Err *err) {
    cJSON *q = cJSON_Parse(body);
    int rc = IM_OK;
    if (!cJSON_IsObject(q)) {
        cJSON_Delete(q);
        return err_set(err, IM_USAGE, "the request body is not a JSON object");
    }
    GenReq *r = &j->req;
    r->max_tokens = 256, r->sample.temperature = 1.0f, r->sample.top_p = 1.0f, r->seed = (uint64_t)time(NULL) ^ (uint64_t)j->id;
    cJSON *v;
    if ((v = cJSON_GetObjectItemCaseSensitive(q, "max_tokens")) && cJSON_IsNumber(v)) r->max_tokens = v->valueint;
    if ((v = cJSON_GetObjectItemCaseSensitive(q, "max_completion_tokens")) && cJSON_IsNumber(v)) r->max_tokens = v->valueint;
    if ((v = cJSON_GetObjectItemCaseSensitive(q, "temperature")) && cJSON_IsNumber(v)) r->sample.temperature = (float)v->valuedouble;
    if ((v = cJSON_GetObjectItemCaseSensitive(q, "top_p")) && cJSON_IsNumber(v)) r->sample.top_p = (float)v->valuedouble;
    if ((v = cJSON_GetObjectItemCaseSensitive(q, "top_k")) && cJSON_IsNumber(v)) r->sample.top_k = v->valueint;
    if ((v = cJSON_GetObjectItemCaseSensitive(q, "seed")) && cJSON_IsNumber(v)) r->seed = (uint64_t)v->valuedouble;
    j->stream = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(q, "stream"));
    v = cJSON_GetObjectItemCaseSensitive(q, "stop");
    if (cJSON_IsString(v)) j->stop_store[r->n_stop++] = strdup(v->valuestring);
    for (cJSON *e = cJSON_IsArray(v) ? v->child : NULL; e && r->n_stop < 4; e = e->next)
        if (cJSON_IsString(e)) j->stop_store[r->n_stop++] = strdup(e->valuestring);
    for (int i = 0; i < r->n_stop; i++) j->stops[i] = j->stop_store[i];
    r->stop = j->stops;
    v = cJSON_GetObjectItemCaseSensitive(q, "logprobs");
    if (j->chat) {
        r->logprobs = cJSON_IsTrue(v);
        cJSON *tl = cJSON_GetObjectItemCaseSensitive(q, "top_logprobs");
        r->top_logprobs = cJSON_IsNumber(tl) ? tl->valueint : 0;
    } else if (cJSON_IsNumber(v))
        r->logprobs = 1, r->top_logprobs = v->valueint;
    if (r->top_logprobs < 0 || r->top_logprobs > 20) rc = err_set(err, IM_USAGE, "top_logprobs must be 0..20");
    if (!rc && r->max_tokens < 0) rc = err_set(err, IM_USAGE, "max_tokens must be >= 0");
    if (!rc && j->chat) {
        ChatMsg *msgs = NULL;
        int n = 0;
        int thinking = 1;
        cJSON *kw = cJSON_GetObjectItemCaseSensitive(q, "chat_template_kwargs");
        cJSON *et = cJSON_GetObjectItemCaseSensitive(kw, "enable_thinking");
        if (cJSON_IsBool(et)) thinking = cJSON_IsTrue(et);
        rc = chat_messages_from_json(q, "request", &msgs, &n, err);
        if (!rc) rc = engine_encode_chat(s->e, msgs, n, thinking, &j->ids, &r->n_prompt, err);
        free(msgs);
    } else if (!rc) {
        v = cJSON_GetObjectItemCaseSensitive(q, "prompt");
        if (!cJSON_IsString(v)) rc = err_set(err, IM_USAGE, "prompt: a string was expected");
        else rc = engine_encode_raw(s->e, v->valuestring, &j->ids, &r->n_prompt, err);
    }
    if (!rc && r->n_prompt + 1 >= s->e->o.max_ctx) rc = err_set(err, IM_USAGE, "the prompt has %d tokens; the context holds %d", r->n_prompt, s->e->o.max_ctx);
    if (!rc && r->n_prompt == 0) rc = err_set(err, IM_USAGE, "the prompt is empty");
    r->prompt = j->ids;
    cJSON_Delete(q);
    return rc;
}

/* ---- the handler ---- */

typedef struct Conn {
    Buf body;
    Job *job; /* a streaming job still referenced by the scheduler */
} Conn;

static enum MHD_Result reply(struct MHD_Connection *c, unsigned code, char *json) {
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(json), json, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result ret = MHD_queue_response(c, code, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result reply_error(struct MHD_Connection *c, unsigned code, const char *msg) {
    Buf b;
    buf_init(&b);
    buf_puts(&b, "{\"error\": {\"message\": ");
    buf_json_str(&b, msg);
    buf_printf(&b, ", \"type\": \"%s\", \"code\": %u}}\n", code == 404 ? "not_found" : code >= 500 ? "server_error" : "invalid_request_error", code);
    return reply(c, code, buf_take(&b));
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url, const char *method, const char *version,
                               const char *upload, size_t *upload_size, void **con_cls) {
    (void)version;
    Server *s = cls;
    if (!*con_cls) {
        Conn *cn = calloc(1, sizeof *cn);
        buf_init(&cn->body);
        *con_cls = cn;
        return MHD_YES;
    }
    Conn *cn = *con_cls;
    if (*upload_size) {
        buf_append(&cn->body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (!strcmp(method, "GET") && !strcmp(url, "/health")) return reply(c, 200, strdup("{\"status\": \"ok\"}\n"));
    if (!strcmp(method, "GET") && !strcmp(url, "/v1/models")) {
        Buf b;
        buf_init(&b);
        buf_puts(&b, "{\"object\": \"list\", \"data\": [{\"id\": ");
        buf_json_str(&b, s->model);
        buf_printf(&b, ", \"object\": \"model\", \"created\": %ld, \"owned_by\": \"imagine\"}]}\n", (long)s->started);
        return reply(c, 200, buf_take(&b));
    }
    int chat = !strcmp(url, "/v1/chat/completions");
    if (!chat && strcmp(url, "/v1/completions")) return reply_error(c, 404, "no such endpoint (POST /v1/chat/completions, /v1/completions; GET /v1/models, /health)");
    if (strcmp(method, "POST")) return reply_error(c, 405, "use POST");
    Job *j = calloc(1, sizeof *j);
    j->chat = chat, j->srv = s, j->fd = -1;
    pthread_mutex_lock(&s->mu);
    j->id = ++s->next_id;
    pthread_mutex_unlock(&s->mu);
    Err err = {0};
    buf_append(&cn->body, "", 0);
    if (parse_request(s, j, cn->body.data, &err)) {
        job_free(j);
        return reply_error(c, 400, err.msg);
    }
    if (!j->stream) {
        submit(s, j);
        wait_done(s, j);
        char *out = full_response(j);
        job_free(j);
        return reply(c, 200, out);
    }
    int p[2];
    if (pipe(p)) {
        job_free(j);
        return reply_error(c, 500, "cannot create a pipe");
    }
    j->fd = p[1];
    j->req.stream = sse_piece, j->req.ud = j;
    struct MHD_Response *r = MHD_create_response_from_pipe(p[0]);
    MHD_add_response_header(r, "Content-Type", "text/event-stream");
    MHD_add_response_header(r, "Cache-Control", "no-cache");
    enum MHD_Result ret = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    submit(s, j);
    cn->job = j; /* freed by completed() once the scheduler is done with it */
    return ret;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe) {
    (void)c, (void)toe;
    Server *s = cls;
    Conn *cn = *con_cls;
    if (!cn) return;
    if (cn->job) {
        wait_done(s, cn->job);
        job_free(cn->job);
    }
    buf_free(&cn->body);
    free(cn);
    *con_cls = NULL;
}

/* ---- running ---- */

int server_run(Engine *e, const char *host, int port, const char *model_name, volatile sig_atomic_t *stop,
               void (*ready)(int port, void *ud), void *ud, Err *err) {
    Server s = {.e = e, .model = model_name, .started = time(NULL)};
    pthread_mutex_init(&s.mu, NULL);
    pthread_cond_init(&s.cv_work, NULL), pthread_cond_init(&s.cv_done, NULL);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) return err_set(err, IM_USAGE, "--host %s: an IPv4 address was expected", host);
    pthread_t th;
    pthread_create(&th, NULL, scheduler, &s);
    struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, (uint16_t)port, NULL, NULL,
                                            handler, &s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_NOTIFY_COMPLETED, completed, &s,
                                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)600, MHD_OPTION_END);
    int rc = IM_OK;
    if (!d) rc = err_set(err, IM_IO, "cannot listen on %s:%d (in use?)", host, port);
    else {
        const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
        if (ready) ready(di ? di->port : port, ud);
        while (!*stop) usleep(100000);
        MHD_stop_daemon(d);
    }
    pthread_mutex_lock(&s.mu);
    s.quit = 1;
    pthread_cond_broadcast(&s.cv_work);
    pthread_mutex_unlock(&s.mu);
    pthread_join(th, NULL);
    pthread_mutex_destroy(&s.mu), pthread_cond_destroy(&s.cv_work), pthread_cond_destroy(&s.cv_done);
    return rc;
}
