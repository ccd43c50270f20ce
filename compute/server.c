/* server.c: HTTP handlers, request parsing and validation, response JSON
 * (OpenAI shapes) and the batching scheduler. Sections: jobs and the
 * scheduler; JSON building; request parsing; the MHD handler; server_run.
 *
 * Locking: Server.mu guards the queue, every Job's state (done, gone,
 * suspended, the queued stream bytes, refs) and the connection count. A
 * connection is suspended while holding mu and resumed after releasing it,
 * so a resume never comes before its suspend. */
#include "server.h"

#include <arpa/inet.h>
#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "jsonreq.h"

/* ---- jobs and the scheduler ---- */

typedef struct Job {
    GenReq req;
    int chat, stream;
    int *ids;
    char *stop_store[4];
    const char *stops[4];
    long id;
    struct Server *srv;
    /* guarded by srv->mu */
    struct MHD_Connection *conn; /* NULL once the connection let go of the job */
    int fd;                      /* the client socket (non-streaming: to notice a hang-up) */
    int done, gone, suspended, refs;
    Buf out;      /* stream bytes not yet handed to MHD */
    size_t out_at;
    struct Job *next;
} Job;

typedef struct Server {
    Engine *e;
    ServerOpts o;
    pthread_mutex_t mu;
    pthread_cond_t cv_work;
    Job *head;
    int quit, nconns;
    long next_id;
    time_t started;
} Server;

static void job_free(Job *j) {
    genreq_free(&j->req);
    for (int i = 0; i < 4; i++) free(j->stop_store[i]);
    buf_free(&j->out);
    free(j->ids), free(j);
}

/* Drops one reference (with mu held); frees the job at zero. */
static void job_unref_locked(Job *j) {
    if (--j->refs == 0) job_free(j);
}

/* The connection lets go of j (mu held): a job still running is cancelled. */
static void job_leave_locked(Job *j) {
    j->gone = 1, j->conn = NULL, j->suspended = 0;
    job_unref_locked(j);
}

/* Marks j done (or wakes its stream reader) and resumes its connection. */
static void job_wake(Server *s, Job *j, int done) {
    pthread_mutex_lock(&s->mu);
    struct MHD_Connection *c = j->suspended ? j->conn : NULL;
    j->suspended = 0;
    if (done) {
        j->done = 1;
        job_unref_locked(j); /* the scheduler's reference; j may be freed here */
    }
    pthread_mutex_unlock(&s->mu);
    if (c) MHD_resume_connection(c);
}

static void sse_finish(Job *j);

static void *scheduler(void *arg) {
    Server *s = arg;
    for (;;) {
        pthread_mutex_lock(&s->mu);
        while (!s->head && !s->quit) pthread_cond_wait(&s->cv_work, &s->mu);
        Job *batch[64];
        int n = 0;
        if (s->quit) { /* cancel what waits: every connection gets its answer and is resumed */
            while (s->head && n < 64) batch[n++] = s->head, s->head = s->head->next;
            pthread_mutex_unlock(&s->mu);
            for (int i = 0; i < n; i++) {
                batch[i]->req.finish = "cancelled";
                if (batch[i]->stream) sse_finish(batch[i]);
                job_wake(s, batch[i], 1);
            }
            if (n) continue;
            return NULL;
        }
        while (s->head && n < s->e->o.max_seqs && n < 64) batch[n++] = s->head, s->head = s->head->next;
        pthread_mutex_unlock(&s->mu);
        GenReq *reqs[64];
        for (int i = 0; i < n; i++) reqs[i] = &batch[i]->req;
        Err err = {0};
        if (engine_run(s->e, reqs, n, &err)) {
            fprintf(stderr, "imagine serve: engine: %s\n", err.msg);
            for (int i = 0; i < n; i++)
                if (!reqs[i]->finish) reqs[i]->finish = "error";
        }
        for (int i = 0; i < n; i++) {
            if (reqs[i]->finish && !strcmp(reqs[i]->finish, "cancelled"))
                fprintf(stderr, "imagine serve: request %ld cancelled after %d tokens (%s)\n", batch[i]->id, reqs[i]->n_gen,
                        s->quit ? "the server is stopping" : "the client left");
            if (batch[i]->stream) sse_finish(batch[i]);
            job_wake(s, batch[i], 1);
        }
    }
}

/* ---- JSON building ---- */

/* Whether s[0..n) is well-formed UTF-8. */
static int utf8_valid(const char *s, size_t n) {
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        int bad;
        i += buf_utf8_decode(s + i, n - i, &cp, &bad);
        if (bad) return 0;
    }
    return 1;
}

/* A token as the API shows it: its text when its bytes are whole UTF-8,
 * else "bytes:\xNN..." (one \xNN per byte; OpenAI's form), and
 * "token_id:N" for an id with no token (the vocabulary's padding rows), so
 * distinct tokens get distinct strings. */
static void token_text(const Tokenizer *t, int id, Buf *piece, Buf *text) {
    buf_reset(piece), buf_append(piece, "", 0);
    buf_reset(text), buf_append(text, "", 0);
    if (!tok_piece(t, id, 0, piece)) buf_printf(text, "token_id:%d", id); /* a padding row of the vocabulary: no bytes */
    else if (utf8_valid(piece->data, piece->len)) buf_append(text, piece->data, piece->len);
    else {
        buf_puts(text, "bytes:");
        for (size_t i = 0; i < piece->len; i++) buf_printf(text, "\\x%02x", (unsigned char)piece->data[i]);
    }
}

static void json_token(Buf *b, const Tokenizer *t, int id) {
    Buf p, x;
    buf_init(&p), buf_init(&x);
    token_text(t, id, &p, &x);
    buf_puts(b, "\"token\": ");
    buf_json_strn(b, x.data, x.len);
    buf_puts(b, ", \"bytes\": [");
    for (size_t i = 0; i < p.len; i++) buf_printf(b, "%s%u", i ? ", " : "", (unsigned char)p.data[i]);
    buf_putc(b, ']');
    buf_free(&p), buf_free(&x);
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

/* The legacy shape: tokens, token_logprobs, top_logprobs as {token: lp}
 * objects (keys distinct by token_text), text_offset. */
static void json_cmpl_logprobs(Buf *b, const Tokenizer *t, const TokInfo *ti, int n) {
    Buf p, x;
    buf_init(&p), buf_init(&x);
    buf_puts(b, "{\"tokens\": [");
    for (int i = 0; i < n; i++) {
        token_text(t, ti[i].id, &p, &x);
        buf_puts(b, i ? ", " : ""), buf_json_strn(b, x.data, x.len);
    }
    buf_puts(b, "], \"token_logprobs\": [");
    for (int i = 0; i < n; i++) buf_printf(b, "%s%.6f", i ? ", " : "", (double)ti[i].logprob);
    buf_puts(b, "], \"top_logprobs\": [");
    for (int i = 0; i < n; i++) {
        buf_puts(b, i ? ", {" : "{");
        char *seen[20];
        size_t seen_len[20];
        int nseen = 0;
        for (int k = 0; k < ti[i].ntop && k < 20; k++) {
            token_text(t, ti[i].top_id[k], &p, &x);
            int dup = 0; /* two ids with the same bytes (an added token spelling a vocab one): the likelier stays */
            for (int q = 0; q < nseen && !dup; q++) dup = seen_len[q] == x.len && !memcmp(seen[q], x.data, x.len);
            if (dup) continue;
            buf_puts(b, nseen ? ", " : ""), buf_json_strn(b, x.data, x.len), buf_printf(b, ": %.6f", (double)ti[i].top_lp[k]);
            seen[nseen] = malloc(x.len + 1), memcpy(seen[nseen], x.data, x.len + 1), seen_len[nseen++] = x.len;
        }
        while (nseen) free(seen[--nseen]);
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
    buf_free(&p), buf_free(&x);
}

static void json_head(Buf *b, const Job *j, const char *object) {
    buf_printf(b, "{\"id\": \"%s-%ld\", \"object\": \"%s\", \"created\": %ld, \"model\": ", j->chat ? "chatcmpl" : "cmpl", j->id, object, (long)time(NULL));
    buf_json_str(b, j->srv->o.model_name);
}

static char *full_response(Job *j) {
    const Tokenizer *t = j->srv->e->mf->tok;
    Buf b;
    buf_init(&b);
    json_head(&b, j, j->chat ? "chat.completion" : "text_completion");
    buf_puts(&b, ", \"choices\": [{\"index\": 0, ");
    buf_puts(&b, j->chat ? "\"message\": {\"role\": \"assistant\", \"content\": " : "\"text\": ");
    buf_json_strn(&b, j->req.text.data ? j->req.text.data : "", j->req.text.len);
    buf_puts(&b, j->chat ? "}, \"logprobs\": " : ", \"logprobs\": ");
    if (!j->req.logprobs) buf_puts(&b, "null");
    else if (j->chat) json_chat_logprobs(&b, t, j->req.toks, j->req.n_gen);
    else json_cmpl_logprobs(&b, t, j->req.toks, j->req.n_gen);
    buf_printf(&b, ", \"finish_reason\": \"%s\"}], \"usage\": {\"prompt_tokens\": %d, \"completion_tokens\": %d, \"total_tokens\": %d}}\n",
               j->req.finish ? j->req.finish : "error", j->req.n_prompt, j->req.n_gen, j->req.n_prompt + j->req.n_gen);
    return buf_take(&b);
}

/* Queues stream bytes for the connection; returns nonzero when the client
 * is gone or the server stops (the engine then cancels the sequence). */
static int sse_push(Job *j, const Buf *b) {
    Server *s = j->srv;
    pthread_mutex_lock(&s->mu);
    int cancel = j->gone || s->quit;
    if (!j->gone) buf_append(&j->out, b->data, b->len);
    pthread_mutex_unlock(&s->mu);
    job_wake(s, j, 0);
    return cancel;
}

static int sse_piece(GenReq *r, const char *text, size_t len, const TokInfo *ti) {
    Job *j = r->ud;
    const Tokenizer *t = j->srv->e->mf->tok;
    Buf b;
    buf_init(&b);
    buf_puts(&b, "data: ");
    json_head(&b, j, j->chat ? "chat.completion.chunk" : "text_completion");
    buf_puts(&b, ", \"choices\": [{\"index\": 0, ");
    if (j->chat) buf_puts(&b, r->emitted == 0 ? "\"delta\": {\"role\": \"assistant\", \"content\": " : "\"delta\": {\"content\": ");
    else buf_puts(&b, "\"text\": ");
    buf_json_strn(&b, text, len);
    buf_puts(&b, j->chat ? "}, \"logprobs\": " : ", \"logprobs\": ");
    if (!(r->logprobs && ti)) buf_puts(&b, "null");
    else if (j->chat) json_chat_logprobs(&b, t, ti, 1);
    else json_cmpl_logprobs(&b, t, ti, 1);
    buf_puts(&b, ", \"finish_reason\": null}]}\n\n");
    int cancel = sse_push(j, &b);
    buf_free(&b);
    return cancel;
}

static void sse_finish(Job *j) {
    Buf b;
    buf_init(&b);
    buf_puts(&b, "data: ");
    json_head(&b, j, j->chat ? "chat.completion.chunk" : "text_completion");
    buf_printf(&b, ", \"choices\": [{\"index\": 0, %s, \"logprobs\": null, \"finish_reason\": \"%s\"}], \"usage\": {\"prompt_tokens\": %d, \"completion_tokens\": %d, \"total_tokens\": %d}}\n\ndata: [DONE]\n\n",
               j->chat ? "\"delta\": {}" : "\"text\": \"\"", j->req.finish ? j->req.finish : "error", j->req.n_prompt, j->req.n_gen, j->req.n_prompt + j->req.n_gen);
    sse_push(j, &b);
    buf_free(&b);
}

/* Non-streaming requests: the engine calls this with each final piece of
 * text; a client that hung up (or a stopping server) cancels. */
static int watch_client(GenReq *r, const char *text, size_t len, const TokInfo *ti) {
    (void)text, (void)len, (void)ti;
    Job *j = r->ud;
    pthread_mutex_lock(&j->srv->mu);
    int cancel = j->gone || j->srv->quit;
    if (!cancel && j->fd >= 0) {
        char c;
        ssize_t got = recv(j->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
        cancel = got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
    }
    pthread_mutex_unlock(&j->srv->mu);
    return cancel;
}

/* ---- request parsing ---- */

/* Describes a JSON value for an error message: its type, or a short value. */
static void describe(const cJSON *v, char *out, size_t n) {
    if (cJSON_IsString(v)) snprintf(out, n, "the string \"%.20s\"", v->valuestring);
    else if (cJSON_IsNumber(v)) snprintf(out, n, "%.17g", v->valuedouble);
    else snprintf(out, n, "%s", cJSON_IsBool(v) ? "a boolean" : cJSON_IsArray(v) ? "an array" : cJSON_IsObject(v) ? "an object" : "null");
}

/* An optional integer field in [lo, hi]; absent or null leaves *out. */
static int field_int(const cJSON *q, const char *name, long lo, long hi, long *out, Err *err) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(q, name);
    if (!v || cJSON_IsNull(v)) return IM_OK;
    char got[64];
    describe(v, got, sizeof got);
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || v->valuedouble < (double)lo || v->valuedouble > (double)hi)
        return err_set(err, IM_USAGE, "%s: an integer %ld..%ld was expected, not %s", name, lo, hi, got);
    *out = (long)v->valuedouble;
    return IM_OK;
}

/* An optional number field in [lo, hi] (lo excluded when open_lo). */
static int field_num(const cJSON *q, const char *name, double lo, int open_lo, double hi, float *out, Err *err) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(q, name);
    if (!v || cJSON_IsNull(v)) return IM_OK;
    char got[64];
    describe(v, got, sizeof got);
    if (!cJSON_IsNumber(v) || v->valuedouble < lo || (open_lo && v->valuedouble == lo) || v->valuedouble > hi)
        return err_set(err, IM_USAGE, "%s: a number %s%g..%g was expected, not %s", name, open_lo ? "above " : "", lo, hi, got);
    *out = (float)v->valuedouble;
    return IM_OK;
}

static int field_bool(const cJSON *q, const char *name, int *out, Err *err) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(q, name);
    if (!v || cJSON_IsNull(v)) return IM_OK;
    char got[64];
    describe(v, got, sizeof got);
    if (!cJSON_IsBool(v)) return err_set(err, IM_USAGE, "%s: true or false was expected, not %s", name, got);
    *out = cJSON_IsTrue(v);
    return IM_OK;
}

static int parse_stop(Job *j, const cJSON *q, Err *err) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(q, "stop");
    GenReq *r = &j->req;
    if (!v || cJSON_IsNull(v)) return IM_OK;
    if (!cJSON_IsString(v) && !cJSON_IsArray(v)) return err_set(err, IM_USAGE, "stop: a string or an array of up to 4 strings was expected");
    if (cJSON_IsArray(v) && cJSON_GetArraySize(v) > 4) return err_set(err, IM_USAGE, "stop: at most 4 strings, not %d", cJSON_GetArraySize(v));
    for (const cJSON *e = cJSON_IsString(v) ? v : v->child; e; e = cJSON_IsString(v) ? NULL : e->next) {
        if (!cJSON_IsString(e)) return err_set(err, IM_USAGE, "stop[%d]: a string was expected", r->n_stop);
        if (jreq_len(e) != strlen(e->valuestring)) return err_set(err, IM_USAGE, "stop[%d]: a NUL character is not supported in a stop string", r->n_stop);
        j->stop_store[r->n_stop++] = strdup(e->valuestring);
    }
    for (int i = 0; i < r->n_stop; i++) j->stops[i] = j->stop_store[i];
    r->stop = j->stops;
    return IM_OK;
}

/* The sampling and output fields, each checked for its type and range. */
static int parse_options(Job *j, const cJSON *q, Err *err) {
    GenReq *r = &j->req;
    long max_tokens = 256, top_k = 0, seed = (long)(time(NULL) ^ j->id), n = 1, top = 0;
    int rc = field_int(q, "max_tokens", 0, 1L << 30, &max_tokens, err);
    if (!rc) rc = field_int(q, "max_completion_tokens", 0, 1L << 30, &max_tokens, err);
    r->sample.temperature = 1.0f, r->sample.top_p = 1.0f;
    if (!rc) rc = field_num(q, "temperature", 0, 0, 1e6, &r->sample.temperature, err);
    if (!rc) rc = field_num(q, "top_p", 0, 1, 1, &r->sample.top_p, err);
    if (!rc) rc = field_int(q, "top_k", -1, 1L << 30, &top_k, err); /* -1 and 0: off */
    if (!rc) rc = field_int(q, "seed", -(1L << 53), 1L << 53, &seed, err);
    if (!rc) rc = field_int(q, "n", 1, 1, &n, err);
    if (!rc) rc = field_bool(q, "stream", &j->stream, err);
    if (!rc && j->chat) {
        rc = field_bool(q, "logprobs", &r->logprobs, err);
        if (!rc) rc = field_int(q, "top_logprobs", 0, 20, &top, err);
        if (!rc && top && !r->logprobs) rc = err_set(err, IM_USAGE, "top_logprobs: needs \"logprobs\": true");
    } else if (!rc) {
        top = -1;
        rc = field_int(q, "logprobs", 0, 20, &top, err);
        r->logprobs = top >= 0;
        if (top < 0) top = 0;
    }
    if (!rc) rc = parse_stop(j, q, err);
    r->max_tokens = (int)max_tokens, r->sample.top_k = top_k < 0 ? 0 : (int)top_k, r->seed = (uint64_t)seed, r->top_logprobs = (int)top;
    return rc;
}

/* Whether text of `bytes` bytes surely holds more tokens than the
 * context, known before encoding it. */
static int surely_too_long(const Server *s, size_t bytes) { return tok_min_tokens(s->e->mf->tok, bytes) >= (size_t)s->e->o.max_ctx; }

static int parse_prompt(Server *s, Job *j, const cJSON *q, Err *err) {
    GenReq *r = &j->req;
    int rc;
    if (j->chat) {
        ChatMsg *msgs = NULL;
        int n = 0, thinking = 1;
        const cJSON *kw = cJSON_GetObjectItemCaseSensitive(q, "chat_template_kwargs");
        const cJSON *et = cJSON_GetObjectItemCaseSensitive(kw, "enable_thinking");
        if (cJSON_IsBool(et)) thinking = cJSON_IsTrue(et);
        rc = chat_messages_from_json(q, "request", &msgs, &n, err);
        size_t bytes = 0;
        for (int i = 0; !rc && i < n; i++) bytes += msgs[i].content_len;
        if (!rc && surely_too_long(s, bytes)) rc = err_set(err, IM_USAGE, "messages: %zu bytes of content cannot fit the context of %d tokens (--ctx)", bytes, s->e->o.max_ctx);
        if (!rc) rc = engine_encode_chat(s->e, msgs, n, thinking, &j->ids, &r->n_prompt, err);
        free(msgs);
    } else {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(q, "prompt");
        if (!cJSON_IsString(v)) return err_set(err, IM_USAGE, "prompt: a string was expected");
        size_t len = jreq_len(v);
        if (surely_too_long(s, len)) return err_set(err, IM_USAGE, "prompt: %zu bytes cannot fit the context of %d tokens (--ctx)", len, s->e->o.max_ctx);
        /* as Hugging Face's encode (add_special_tokens): Llama 3 gets its BOS */
        rc = tok_encode_special(s->e->mf->tok, v->valuestring, len, 1, s->e->o.max_ctx, &j->ids, &r->n_prompt, err);
        if (!rc && r->n_prompt >= s->e->o.max_ctx)
            return err_set(err, IM_USAGE, "prompt: more than %d tokens; the context holds %d (--ctx)", s->e->o.max_ctx - 1, s->e->o.max_ctx);
    }
    if (!rc && r->n_prompt + 1 >= s->e->o.max_ctx) rc = err_set(err, IM_USAGE, "the prompt has %d tokens; the context holds %d (--ctx)", r->n_prompt, s->e->o.max_ctx);
    if (!rc && r->n_prompt == 0) rc = err_set(err, IM_USAGE, "the prompt is empty");
    r->prompt = j->ids;
    return rc;
}

static int parse_request(Server *s, Job *j, const Buf *body, Err *err) {
    cJSON *q = NULL;
    int rc = jreq_parse(body->data ? body->data : "", body->len, "the request body", &q, err);
    if (!rc && !cJSON_IsObject(q)) rc = err_set(err, IM_USAGE, "the request body is valid JSON but not an object ({\"%s\": ...})", j->chat ? "messages" : "prompt");
    if (!rc) rc = parse_options(j, q, err);
    if (!rc) rc = parse_prompt(s, j, q, err);
    cJSON_Delete(q);
    return rc;
}

/* ---- the handler ---- */

typedef struct Conn {
    Buf body;
    int too_big;
    Job *job; /* a job this connection waits for (non-streaming) */
} Conn;

static enum MHD_Result reply(struct MHD_Connection *c, unsigned code, char *json) {
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(json), json, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, "Content-Type", "application/json");
    if (code == 413 || code == 503) MHD_add_response_header(r, "Connection", "close");
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

/* MHD pulls stream bytes from here; with none queued yet the connection
 * is suspended until the scheduler queues more (job_wake resumes it). */
static ssize_t stream_read(void *cls, uint64_t pos, char *out, size_t max) {
    (void)pos;
    Job *j = cls;
    Server *s = j->srv;
    pthread_mutex_lock(&s->mu);
    ssize_t n;
    if (j->out_at < j->out.len) {
        size_t k = j->out.len - j->out_at < max ? j->out.len - j->out_at : max;
        memcpy(out, j->out.data + j->out_at, k);
        j->out_at += k;
        if (j->out_at == j->out.len) buf_reset(&j->out), j->out_at = 0;
        n = (ssize_t)k;
    } else if (j->done) n = MHD_CONTENT_READER_END_OF_STREAM;
    else if (s->quit || !j->conn) n = MHD_CONTENT_READER_END_WITH_ERROR;
    else {
        j->suspended = 1;
        MHD_suspend_connection(j->conn);
        n = 0;
    }
    pthread_mutex_unlock(&s->mu);
    return n;
}

/* The stream's response is gone (finished, or the client left). */
static void stream_free(void *cls) {
    Job *j = cls;
    Server *s = j->srv;
    pthread_mutex_lock(&s->mu);
    job_leave_locked(j);
    pthread_mutex_unlock(&s->mu);
}

static enum MHD_Result start_job(Server *s, struct MHD_Connection *c, Conn *cn, int chat) {
    Job *j = calloc(1, sizeof *j);
    j->chat = chat, j->srv = s, j->fd = -1;
    buf_init(&j->out);
    pthread_mutex_lock(&s->mu);
    j->id = ++s->next_id;
    pthread_mutex_unlock(&s->mu);
    Err err = {0};
    if (parse_request(s, j, &cn->body, &err)) {
        job_free(j);
        return reply_error(c, 400, err.msg);
    }
    buf_free(&cn->body);
    j->req.ud = j;
    j->conn = c, j->refs = 2; /* the connection's and the scheduler's */
    if (j->stream) {
        j->req.stream = sse_piece;
        struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384, stream_read, j, stream_free);
        MHD_add_response_header(r, "Content-Type", "text/event-stream");
        MHD_add_response_header(r, "Cache-Control", "no-cache");
        enum MHD_Result ret = MHD_queue_response(c, 200, r);
        MHD_destroy_response(r);
        if (ret != MHD_YES) { /* stream_free released the connection's reference; release the scheduler's */
            pthread_mutex_lock(&s->mu);
            job_unref_locked(j);
            pthread_mutex_unlock(&s->mu);
            return ret;
        }
    } else {
        j->req.stream = watch_client;
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        j->fd = ci ? ci->connect_fd : -1;
        cn->job = j;
    }
    pthread_mutex_lock(&s->mu);
    if (s->quit) { /* never queued: the scheduler's reference goes now */
        int stream = j->stream;
        struct MHD_Connection *resume = j->suspended ? c : NULL;
        j->suspended = 0;
        job_unref_locked(j);
        if (!stream) job_leave_locked(j), cn->job = NULL;
        pthread_mutex_unlock(&s->mu);
        if (resume) MHD_resume_connection(resume); /* its reader then ends the stream */
        return stream ? MHD_YES : reply_error(c, 503, "the server is stopping");
    }
    if (!j->stream) {
        j->suspended = 1;
        MHD_suspend_connection(c);
    }
    Job **t = &s->head;
    while (*t) t = &(*t)->next;
    *t = j;
    pthread_cond_signal(&s->cv_work);
    pthread_mutex_unlock(&s->mu);
    return MHD_YES;
}

/* Called again once a non-streaming job is done and its connection resumed. */
static enum MHD_Result finish_job(Server *s, struct MHD_Connection *c, Conn *cn) {
    Job *j = cn->job;
    char *out = full_response(j);
    pthread_mutex_lock(&s->mu);
    job_leave_locked(j);
    pthread_mutex_unlock(&s->mu);
    cn->job = NULL;
    return reply(c, 200, out);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url, const char *method, const char *version,
                               const char *upload, size_t *upload_size, void **con_cls) {
    (void)version;
    Server *s = cls;
    Conn *cn = *con_cls;
    if (!cn) {
        cn = calloc(1, sizeof *cn);
        buf_init(&cn->body);
        *con_cls = cn;
        pthread_mutex_lock(&s->mu);
        int over = s->nconns > s->o.max_conns;
        pthread_mutex_unlock(&s->mu);
        char msg[160];
        if (over) {
            snprintf(msg, sizeof msg, "too many open connections (the limit is %d, --max-connections); retry later", s->o.max_conns);
            return reply_error(c, 503, msg);
        }
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > s->o.max_body) {
            snprintf(msg, sizeof msg, "the request body has %s bytes; the limit is %zu (--max-body)", cl, s->o.max_body);
            return reply_error(c, 413, msg);
        }
        return MHD_YES;
    }
    if (*upload_size) {
        if (cn->too_big || cn->body.len + *upload_size > s->o.max_body) cn->too_big = 1, buf_free(&cn->body);
        else buf_append(&cn->body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (cn->job) return finish_job(s, c, cn);
    if (cn->too_big) {
        char msg[128];
        snprintf(msg, sizeof msg, "the request body is over the limit of %zu bytes (--max-body)", s->o.max_body);
        return reply_error(c, 413, msg);
    }
    if (!strcmp(method, "GET") && !strcmp(url, "/health")) return reply(c, 200, strdup("{\"status\": \"ok\"}\n"));
    if (!strcmp(method, "GET") && !strcmp(url, "/v1/models")) {
        Buf b;
        buf_init(&b);
        buf_puts(&b, "{\"object\": \"list\", \"data\": [{\"id\": ");
        buf_json_str(&b, s->o.model_name);
        buf_printf(&b, ", \"object\": \"model\", \"created\": %ld, \"owned_by\": \"imagine\"}]}\n", (long)s->started);
        return reply(c, 200, buf_take(&b));
    }
    int chat = !strcmp(url, "/v1/chat/completions");
    if (!chat && strcmp(url, "/v1/completions")) return reply_error(c, 404, "no such endpoint (POST /v1/chat/completions, /v1/completions; GET /v1/models, /health)");
    if (strcmp(method, "POST")) return reply_error(c, 405, "use POST");
    return start_job(s, c, cn, chat);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe) {
    (void)c, (void)toe;
    Server *s = cls;
    Conn *cn = *con_cls;
    if (!cn) return;
    if (cn->job) { /* closed before its answer: the scheduler cancels the job */
        pthread_mutex_lock(&s->mu);
        job_leave_locked(cn->job);
        pthread_mutex_unlock(&s->mu);
    }
    buf_free(&cn->body);
    free(cn);
    *con_cls = NULL;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_ctx, enum MHD_ConnectionNotificationCode code) {
    (void)c, (void)socket_ctx;
    Server *s = cls;
    pthread_mutex_lock(&s->mu);
    s->nconns += code == MHD_CONNECTION_NOTIFY_STARTED ? 1 : -1;
    pthread_mutex_unlock(&s->mu);
}

/* ---- running ---- */

/* Open files: as many as the hard limit allows (each connection is one). */
static void raise_fd_limit(void) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

int server_run(Engine *e, const ServerOpts *o, volatile sig_atomic_t *stop, Err *err) {
    Server s = {.e = e, .o = *o, .started = time(NULL)};
    if (!s.o.max_body) s.o.max_body = SERVER_MAX_BODY;
    if (s.o.max_conns <= 0) s.o.max_conns = SERVER_MAX_CONNS;
    if (s.o.idle_timeout_s <= 0) s.o.idle_timeout_s = SERVER_IDLE_TIMEOUT_S;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o->port)};
    if (inet_pton(AF_INET, o->host, &addr.sin_addr) != 1) return err_set(err, IM_USAGE, "--host %s: an IPv4 address was expected", o->host);
    raise_fd_limit();
    pthread_mutex_init(&s.mu, NULL);
    pthread_cond_init(&s.cv_work, NULL);
    pthread_t th;
    pthread_create(&th, NULL, scheduler, &s);
    unsigned flags = (MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES ? MHD_USE_EPOLL_INTERNAL_THREAD : MHD_USE_POLL_INTERNAL_THREAD) | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC;
    /* past max_conns MHD still accepts a few to answer 503; beyond those it refuses */
    struct MHD_Daemon *d = MHD_start_daemon(flags, (uint16_t)o->port, NULL, NULL, handler, &s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                                            MHD_OPTION_NOTIFY_COMPLETED, completed, &s, MHD_OPTION_NOTIFY_CONNECTION, on_connection, &s,
                                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)s.o.idle_timeout_s, MHD_OPTION_CONNECTION_LIMIT,
                                            (unsigned)s.o.max_conns + 64, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)4, MHD_OPTION_END);
    int rc = IM_OK;
    if (!d) rc = err_set(err, IM_IO, "cannot listen on %s:%d (in use?)", o->host, o->port);
    else {
        const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
        if (o->ready) o->ready(di ? di->port : o->port, o->ud);
        while (!*stop) usleep(50000);
    }
    /* stop: accept no more, cancel what runs and waits (each waiting
     * connection is resumed with its answer), then close the connections */
    if (d) {
        MHD_socket ls = MHD_quiesce_daemon(d);
        if (ls != MHD_INVALID_SOCKET) close(ls);
    }
    pthread_mutex_lock(&s.mu);
    s.quit = 1;
    pthread_cond_broadcast(&s.cv_work);
    pthread_mutex_unlock(&s.mu);
    pthread_join(th, NULL);
    if (d) MHD_stop_daemon(d);
    pthread_mutex_destroy(&s.mu), pthread_cond_destroy(&s.cv_work);
    return rc;
}
