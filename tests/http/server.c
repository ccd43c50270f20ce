/* server.c: a scripted chat-completions server on 127.0.0.1 for tests and
 * benchmarks, with fault injection (see server.h). Test code: it reads its
 * script files, never the network beyond the loopback socket it binds. */
#include "server.h"

#include <cJSON.h>
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "fsutil.h"

typedef struct Entry {
    char *match, *content, *reasoning;
} Entry;

struct TsServer {
    struct MHD_Daemon *d;
    int port;
    pthread_mutex_t mu;
    int latency_ms;
    char *faults[256];
    int nf, head;
    long requests, chat, faulted;
    Entry *e;
    int ne;
};

/* ---- rendering plans as model text -------------------------------------- */

static const char *const FIELDS[] = {"current_city", "transportation", "breakfast", "attraction", "lunch", "dinner", "accommodation"};
static const char *const LABELS[] = {"Current City", "Transportation", "Breakfast", "Attraction", "Lunch", "Dinner", "Accommodation"};

/* The text format only when it can say the plan exactly. */
static int text_renderable(const cJSON *plan) {
    int i = 0;
    if (!cJSON_IsArray(plan) || !plan->child) return 0;
    for (const cJSON *d = plan->child; d; d = d->next, i++) {
        if (cJSON_GetArraySize(d) != 8) return 0;
        const cJSON *day = cJSON_GetObjectItemCaseSensitive(d, "day");
        if (!cJSON_IsNumber(day) || day->valueint != i + 1) return 0;
        for (int f = 0; f < 7; f++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(d, FIELDS[f]);
            if (!cJSON_IsString(v) || !v->valuestring[0] || strchr(v->valuestring, '\n')) return 0;
            const char *s = v->valuestring;
            if (s[0] == ' ' || s[strlen(s) - 1] == ' ' || s[0] == '*') return 0;
        }
    }
    return 1;
}

static char *render_plan(const cJSON *plan, int as_text) {
    Buf b;
    buf_init(&b);
    if (as_text && text_renderable(plan)) {
        buf_puts(&b, "Here is the plan.\n\n");
        int i = 1;
        for (const cJSON *d = plan->child; d; d = d->next, i++) {
            buf_printf(&b, "Day %d:\n", i);
            for (int f = 0; f < 7; f++)
                buf_printf(&b, "%s: %s\n", LABELS[f], cJSON_GetObjectItemCaseSensitive(d, FIELDS[f])->valuestring);
            buf_putc(&b, '\n');
        }
    } else {
        char *j = cJSON_Print(plan);
        buf_puts(&b, "The plan:\n```json\n");
        buf_puts(&b, j);
        buf_puts(&b, "\n```\n");
        free(j);
    }
    return buf_take(&b);
}

static int add_entry(TsServer *s, const char *match, const char *content, const char *reasoning) {
    Entry *e = realloc(s->e, (size_t)(s->ne + 1) * sizeof *e);
    if (!e) return -1;
    s->e = e;
    e[s->ne].match = strdup(match);
    e[s->ne].content = strdup(content);
    e[s->ne].reasoning = reasoning ? strdup(reasoning) : NULL;
    s->ne++;
    return 0;
}

static int load_lines(TsServer *s, const char *path, int plans, const char *render, char *err, int cap) {
    char *text;
    size_t len;
    Err e = {0};
    if (fs_read_file(path, &text, &len, &e)) {
        snprintf(err, (size_t)cap, "%s", e.msg);
        return -1;
    }
    int line = 0, rc = 0;
    for (char *p = text, *nl; p && *p && rc == 0; p = nl ? nl + 1 : NULL) {
        nl = strchr(p, '\n');
        if (nl) *nl = 0;
        line++;
        if (!*p) continue;
        cJSON *o = cJSON_Parse(p);
        if (plans) {
            const cJSON *q = cJSON_GetObjectItemCaseSensitive(o, "query");
            const cJSON *plan = cJSON_GetObjectItemCaseSensitive(o, "plan");
            const cJSON *idx = cJSON_GetObjectItemCaseSensitive(o, "idx");
            if (!cJSON_IsString(q) || !plan) {
                snprintf(err, (size_t)cap, "%s:%d: expected {\"query\",\"plan\"}", path, line);
                rc = -1;
            } else {
                int as_text = !strcmp(render, "text") || (!strcmp(render, "mixed") && cJSON_IsNumber(idx) && idx->valueint % 2);
                char *content = render_plan(plan, as_text);
                add_entry(s, q->valuestring, content, NULL);
                free(content);
            }
        } else {
            const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "match");
            const cJSON *c = cJSON_GetObjectItemCaseSensitive(o, "content");
            const cJSON *r = cJSON_GetObjectItemCaseSensitive(o, "reasoning_content");
            if (!cJSON_IsString(m) || !cJSON_IsString(c)) {
                snprintf(err, (size_t)cap, "%s:%d: expected {\"match\",\"content\"}", path, line);
                rc = -1;
            } else
                add_entry(s, m->valuestring, c->valuestring, cJSON_IsString(r) ? r->valuestring : NULL);
        }
        cJSON_Delete(o);
    }
    free(text);
    return rc;
}

/* ---- requests ----------------------------------------------------------- */

typedef struct Upload {
    Buf body;
} Upload;

static void sleep_ms(int ms) {
    if (ms <= 0) return;
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts)) {}
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *body, const char *ctype,
                             const char *retry_after) {
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(r, "Content-Type", ctype);
    if (retry_after) MHD_add_response_header(r, "Retry-After", retry_after);
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

/* Copies the next fault into buf; NULL when none is queued. */
static char *take_fault(TsServer *s, char *buf, size_t cap) {
    char *f = NULL;
    pthread_mutex_lock(&s->mu);
    if (s->head < s->nf) {
        snprintf(buf, cap, "%s", s->faults[s->head++]);
        f = buf;
        s->faulted++;
    }
    pthread_mutex_unlock(&s->mu);
    return f;
}

static char *answer_json(TsServer *s, const cJSON *req, size_t req_len) {
    const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(req, "messages");
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(req, "model");
    const char *last_user = "";
    for (const cJSON *m = msgs ? msgs->child : NULL; m; m = m->next) {
        const cJSON *role = cJSON_GetObjectItemCaseSensitive(m, "role");
        const cJSON *content = cJSON_GetObjectItemCaseSensitive(m, "content");
        if (cJSON_IsString(role) && !strcmp(role->valuestring, "user") && cJSON_IsString(content))
            last_user = content->valuestring;
    }
    const char *content = last_user, *reasoning = NULL;
    for (int i = 0; i < s->ne; i++)
        if (strstr(last_user, s->e[i].match)) {
            content = s->e[i].content, reasoning = s->e[i].reasoning;
            break;
        }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", "chatcmpl-imagine-test");
    cJSON_AddStringToObject(o, "object", "chat.completion");
    cJSON_AddNumberToObject(o, "created", 0);
    cJSON_AddStringToObject(o, "model", cJSON_IsString(model) ? model->valuestring : "test");
    cJSON *choices = cJSON_AddArrayToObject(o, "choices");
    cJSON *c0 = cJSON_CreateObject();
    cJSON_AddNumberToObject(c0, "index", 0);
    cJSON *msg = cJSON_AddObjectToObject(c0, "message");
    cJSON_AddStringToObject(msg, "role", "assistant");
    cJSON_AddStringToObject(msg, "content", content);
    if (reasoning) cJSON_AddStringToObject(msg, "reasoning_content", reasoning);
    cJSON_AddStringToObject(c0, "finish_reason", "stop");
    cJSON_AddItemToArray(choices, c0);
    cJSON *usage = cJSON_AddObjectToObject(o, "usage");
    long pt = (long)req_len / 4 + 1, ct = (long)strlen(content) / 4 + 1;
    cJSON_AddNumberToObject(usage, "prompt_tokens", (double)pt);
    cJSON_AddNumberToObject(usage, "completion_tokens", (double)ct);
    cJSON_AddNumberToObject(usage, "total_tokens", (double)(pt + ct));
    char *s2 = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s2;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload, size_t *upload_size, void **con_cls) {
    (void)version;
    TsServer *s = cls;
    Upload *u = *con_cls;
    if (!u) {
        u = calloc(1, sizeof *u);
        buf_init(&u->body);
        *con_cls = u;
        return MHD_YES;
    }
    if (*upload_size) {
        buf_append(&u->body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&s->mu);
    s->requests++;
    int latency = s->latency_ms;
    pthread_mutex_unlock(&s->mu);
    if (!strcmp(method, "GET") && !strcmp(url, "/stats")) {
        char b[160];
        pthread_mutex_lock(&s->mu);
        snprintf(b, sizeof b, "{\"requests\":%ld,\"chat\":%ld,\"faults\":%ld}", s->requests, s->chat, s->faulted);
        pthread_mutex_unlock(&s->mu);
        return reply(c, 200, b, "application/json", NULL);
    }
    if (!strcmp(method, "POST") && !strcmp(url, "/control")) {
        cJSON *o = cJSON_ParseWithLength(u->body.data ? u->body.data : "", u->body.len);
        const cJSON *fs = cJSON_GetObjectItemCaseSensitive(o, "faults");
        for (const cJSON *f = fs ? fs->child : NULL; f; f = f->next)
            if (cJSON_IsString(f)) ts_server_fault(s, f->valuestring);
        const cJSON *lat = cJSON_GetObjectItemCaseSensitive(o, "latency_ms");
        if (cJSON_IsNumber(lat)) ts_server_set_latency(s, lat->valueint);
        cJSON_Delete(o);
        return reply(c, 200, "{\"ok\":true}", "application/json", NULL);
    }
    if (strcmp(method, "POST") || (strcmp(url, "/v1/chat/completions") && strcmp(url, "/chat/completions")))
        return reply(c, 404, "{\"error\":{\"message\":\"not found\"}}", "application/json", NULL);
    pthread_mutex_lock(&s->mu);
    s->chat++;
    pthread_mutex_unlock(&s->mu);
    char fbuf[64];
    char *fault = take_fault(s, fbuf, sizeof fbuf);
    sleep_ms(latency);
    if (fault) {
        if (!strncmp(fault, "429", 3))
            return reply(c, 429, "{\"error\":{\"message\":\"rate limit reached, slow down\"}}", "application/json",
                         fault[3] == ':' ? fault + 4 : "1");
        if (!strcmp(fault, "500") || !strcmp(fault, "502") || !strcmp(fault, "503"))
            return reply(c, (unsigned)atoi(fault), "upstream failure", "text/plain", NULL);
        if (!strcmp(fault, "drop")) return MHD_NO;
        if (!strcmp(fault, "nonjson"))
            return reply(c, 200, "<html><body><h1>Welcome to nginx!</h1></body></html>", "text/html", NULL);
        if (!strncmp(fault, "slow", 4)) sleep_ms(fault[4] == ':' ? atoi(fault + 5) : 3000);
    }
    cJSON *req = cJSON_ParseWithLength(u->body.data ? u->body.data : "", u->body.len);
    if (!cJSON_IsObject(req)) {
        cJSON_Delete(req);
        return reply(c, 400, "{\"error\":{\"message\":\"the body is not JSON\"}}", "application/json", NULL);
    }
    char *ans = answer_json(s, req, u->body.len);
    cJSON_Delete(req);
    if (fault && !strcmp(fault, "truncated")) ans[strlen(ans) / 2] = 0;
    enum MHD_Result r = reply(c, 200, ans, "application/json", NULL);
    free(ans);
    return r;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe) {
    (void)cls, (void)c, (void)toe;
    Upload *u = *con_cls;
    if (u) buf_free(&u->body), free(u);
    *con_cls = NULL;
}

/* ---- lifetime ----------------------------------------------------------- */

TsServer *ts_server_start(const TsConfig *cfg, char *err, int cap) {
    TsServer *s = calloc(1, sizeof *s);
    pthread_mutex_init(&s->mu, NULL);
    s->latency_ms = cfg->latency_ms;
    if ((cfg->plans && load_lines(s, cfg->plans, 1, cfg->render ? cfg->render : "mixed", err, cap)) ||
        (cfg->script && load_lines(s, cfg->script, 0, NULL, err, cap))) {
        ts_server_stop(s);
        return NULL;
    }
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)cfg->port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s->d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL,
                            handle, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_NOTIFY_COMPLETED, completed,
                            s, MHD_OPTION_CONNECTION_LIMIT, (unsigned)1024, MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120, MHD_OPTION_END);
    if (!s->d) {
        snprintf(err, (size_t)cap, "cannot start the test server on 127.0.0.1:%d", cfg->port);
        ts_server_stop(s);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : cfg->port;
    return s;
}

void ts_server_stop(TsServer *s) {
    if (!s) return;
    if (s->d) MHD_stop_daemon(s->d);
    for (int i = 0; i < s->nf; i++) free(s->faults[i]);
    for (int i = 0; i < s->ne; i++) free(s->e[i].match), free(s->e[i].content), free(s->e[i].reasoning);
    free(s->e);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

int ts_server_port(const TsServer *s) { return s->port; }

void ts_server_fault(TsServer *s, const char *fault) {
    pthread_mutex_lock(&s->mu);
    if (s->head == s->nf) { /* all used: start the queue again */
        for (int i = 0; i < s->nf; i++) free(s->faults[i]);
        s->nf = s->head = 0;
    }
    if (s->nf < (int)(sizeof s->faults / sizeof s->faults[0])) s->faults[s->nf++] = strdup(fault);
    pthread_mutex_unlock(&s->mu);
}

void ts_server_clear_faults(TsServer *s) {
    pthread_mutex_lock(&s->mu);
    for (int i = 0; i < s->nf; i++) free(s->faults[i]);
    s->nf = s->head = 0;
    pthread_mutex_unlock(&s->mu);
}

long ts_server_chat_requests(TsServer *s) {
    pthread_mutex_lock(&s->mu);
    long n = s->chat;
    pthread_mutex_unlock(&s->mu);
    return n;
}

void ts_server_set_latency(TsServer *s, int ms) {
    pthread_mutex_lock(&s->mu);
    s->latency_ms = ms;
    pthread_mutex_unlock(&s->mu);
}
