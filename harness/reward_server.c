/* reward_server.c: the reward over HTTP (reward_server.h). Sections: the
 * batch (parse, score, answer); the MHD handler; start and stop. */
#include "reward_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#define MAX_BODY (64u << 20)

struct RewardServer {
    const Rewarder *rw;
    char suite[64];
    struct MHD_Daemon *d;
    int port;
    atomic_long requests;
};

typedef struct Conn {
    Buf body;
    int too_big;
} Conn;

/* ---- the batch ---------------------------------------------------------- */

static void error_json(Buf *out, const char *msg) {
    buf_reset(out);
    buf_puts(out, "{\"error\": ");
    buf_json_str(out, msg);
    buf_puts(out, "}");
}

/* Scores a request body into out; returns the HTTP status. */
static unsigned score_batch(const RewardServer *s, const char *body, size_t len, Buf *out) {
    const char *nul = memchr(body, 0, len);
    if (nul) { /* JSON text has no raw NUL (escaped, \u0000, is fine); cJSON would cut the response there */
        char msg[128];
        snprintf(msg, sizeof msg, "the body has a NUL byte at offset %zu: not JSON (a NUL in a response is written \\u0000)", (size_t)(nul - body));
        error_json(out, msg);
        return 400;
    }
    cJSON *root = cJSON_ParseWithLength(body, len);
    const cJSON *items = root;
    if (cJSON_IsObject(root)) items = cJSON_GetObjectItemCaseSensitive(root, "items");
    if (!root) {
        error_json(out, "the body is not JSON: expected a list of {\"query\", \"response\"} items or {\"items\": [...]}");
        return 400;
    }
    if (!cJSON_IsArray(items)) {
        cJSON_Delete(root);
        error_json(out, "expected a list of {\"query\", \"response\"} items or {\"items\": [...]}");
        return 400;
    }
    buf_puts(out, "{\"rewards\": [");
    int i = 0;
    unsigned code = 200;
    for (const cJSON *it = items->child; it; it = it->next, i++) {
        if (i) buf_puts(out, ", ");
        Err err = {0};
        double r;
        if (rewarder_score(s->rw, it, out, &r, &err)) {
            char msg[1200];
            snprintf(msg, sizeof msg, "item %d: %s", i, err.msg);
            error_json(out, msg);
            code = 400;
            break;
        }
    }
    if (code == 200) buf_puts(out, "]}");
    cJSON_Delete(root);
    return code;
}

/* ---- the MHD handler ------------------------------------------------------ */

static enum MHD_Result reply(struct MHD_Connection *c, unsigned code, Buf *b) {
    size_t n = b->len;
    char *data = buf_take(b);
    if (!data) data = strdup("{}"), n = 2;
    struct MHD_Response *r = MHD_create_response_from_buffer(n, data, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result ret = MHD_queue_response(c, code, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result reply_error(struct MHD_Connection *c, unsigned code, const char *msg) {
    Buf b;
    buf_init(&b);
    error_json(&b, msg);
    return reply(c, code, &b);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                               const char *version, const char *upload, size_t *upload_size, void **con_cls) {
    (void)version;
    RewardServer *s = cls;
    if (!*con_cls) {
        Conn *cn = calloc(1, sizeof *cn);
        if (!cn) return MHD_NO;
        *con_cls = cn;
        return MHD_YES;
    }
    Conn *cn = *con_cls;
    if (*upload_size) {
        if (cn->body.len + *upload_size > MAX_BODY) cn->too_big = 1;
        else buf_append(&cn->body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    atomic_fetch_add(&s->requests, 1);
    int get = !strcmp(method, "GET"), post = !strcmp(method, "POST");
    Buf out;
    buf_init(&out);
    if (!strcmp(url, "/health") || !strcmp(url, "/config")) {
        if (!get) return reply_error(c, 405, "use GET");
        if (url[1] == 'c') rewarder_config_json(s->rw, &out);
        else {
            buf_puts(&out, "{\"ok\": true, \"suite\": ");
            buf_json_str(&out, s->suite);
            buf_printf(&out, ", \"queries\": %d, \"requests\": %ld}", rewarder_n_queries(s->rw),
                       atomic_load(&s->requests));
        }
        return reply(c, 200, &out);
    }
    if (strcmp(url, "/reward")) return reply_error(c, 404, "unknown path: POST /reward, GET /health, GET /config");
    if (!post) return reply_error(c, 405, "use POST /reward with a JSON body");
    if (cn->too_big) return reply_error(c, 413, "the body is larger than 64 MiB: send smaller batches");
    unsigned code = score_batch(s, cn->body.data ? cn->body.data : "", cn->body.len, &out);
    return reply(c, code, &out);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe) {
    (void)cls, (void)c, (void)toe;
    Conn *cn = *con_cls;
    if (!cn) return;
    buf_free(&cn->body);
    free(cn);
    *con_cls = NULL;
}

/* ---- start and stop ------------------------------------------------------- */

int reward_server_start(const Rewarder *rw, const char *suite, const char *host, int port, int max_connections,
                        RewardServer **out, Err *err) {
    *out = NULL;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1)
        return err_set(err, IM_USAGE, "--host %s: an IPv4 address was expected", host);
    RewardServer *s = calloc(1, sizeof *s);
    if (!s) return err_set(err, IM_IO, "out of memory");
    s->rw = rw;
    snprintf(s->suite, sizeof s->suite, "%s", suite);
    s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG, (uint16_t)port, NULL,
                            NULL, handler, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                            MHD_OPTION_NOTIFY_COMPLETED, completed, s, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)600, MHD_OPTION_CONNECTION_LIMIT,
                            (unsigned)(max_connections > 0 ? max_connections : 1),
                            MHD_OPTION_END);
    if (!s->d) {
        free(s);
        return err_set(err, IM_IO, "cannot listen on %s:%d (in use?)", host, port);
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : port;
    *out = s;
    return IM_OK;
}

int reward_server_port(const RewardServer *s) { return s->port; }

void reward_server_stop(RewardServer *s) {
    if (!s) return;
    MHD_stop_daemon(s->d);
    free(s);
}
