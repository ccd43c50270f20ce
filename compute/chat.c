/* chat.c: recognising and rendering the chat templates. The renderings
 * follow the official Jinja templates for the cases the harness uses
 * (system/user/assistant text messages; no tools). */
#include "chat.h"

#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "jsonreq.h"

static const char QWEN3_JINJA[] =
    "{%- for message in messages %}"
    "{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}"
    "{{- '<|im_start|>assistant\\n' }}"
    "{%- if enable_thinking is defined and enable_thinking is false %}"
    "{{- '<think>\\n\\n</think>\\n\\n' }}"
    "{%- endif %}"
    "{%- endif %}";

static const char LLAMA3_JINJA[] =
    "{{- bos_token }}"
    "{%- for message in messages %}"
    "{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' }}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}"
    "{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}"
    "{%- endif %}";

const char *chat_template_jinja(ChatKind k) { return k == CHAT_QWEN3 ? QWEN3_JINJA : LLAMA3_JINJA; }

int chat_detect(const char *jinja, const char *name, ChatKind *out, Err *err) {
    if (strstr(jinja, "<|im_start|>") && strstr(jinja, "<|im_end|>")) return *out = CHAT_QWEN3, IM_OK;
    if (strstr(jinja, "<|start_header_id|>") && strstr(jinja, "<|eot_id|>")) return *out = CHAT_LLAMA3, IM_OK;
    return err_set(err, IM_IO, "%s: chat_template is not one the engine knows (Qwen3 ChatML or Llama 3); use --raw to send text as is", name);
}

int chat_load(const char *path, ChatKind *out, Err *err) {
    char *text = NULL;
    int rc = fs_read_file(path, &text, NULL, err);
    if (rc) return rc;
    cJSON *j = cJSON_Parse(text);
    free(text);
    cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "chat_template");
    if (cJSON_IsArray(t)) /* [{"name": "default", "template": ...}, ...] */
        for (cJSON *e = t->child; e; e = e->next) {
            cJSON *nm = cJSON_GetObjectItemCaseSensitive(e, "name");
            if (cJSON_IsString(nm) && !strcmp(nm->valuestring, "default")) {
                t = cJSON_GetObjectItemCaseSensitive(e, "template");
                break;
            }
        }
    if (!cJSON_IsString(t)) rc = err_set(err, IM_IO, "%s: field chat_template is missing (a Jinja string was expected); use --raw", path);
    else rc = chat_detect(t->valuestring, path, out, err);
    cJSON_Delete(j);
    return rc;
}

static size_t content_len(const ChatMsg *m) { return m->content_len ? m->content_len : strlen(m->content); }

static void put_trimmed(Buf *out, const char *s, size_t len) {
    const char *e = s + len;
    while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r') s++;
    while (e > s && (e[-1] == ' ' || e[-1] == '\n' || e[-1] == '\t' || e[-1] == '\r')) e--;
    buf_append(out, s, (size_t)(e - s));
}

void chat_render(ChatKind k, const ChatMsg *m, int n, int add_generation_prompt, int thinking, Buf *out) {
    if (k == CHAT_QWEN3) {
        for (int i = 0; i < n; i++) {
            buf_printf(out, "<|im_start|>%s\n", m[i].role);
            buf_append(out, m[i].content, content_len(&m[i]));
            buf_puts(out, "<|im_end|>\n");
        }
        if (add_generation_prompt) {
            buf_puts(out, "<|im_start|>assistant\n");
            if (!thinking) buf_puts(out, "<think>\n\n</think>\n\n");
        }
        return;
    }
    buf_puts(out, "<|begin_of_text|>");
    for (int i = 0; i < n; i++) {
        buf_printf(out, "<|start_header_id|>%s<|end_header_id|>\n\n", m[i].role);
        put_trimmed(out, m[i].content, content_len(&m[i]));
        buf_puts(out, "<|eot_id|>");
    }
    if (add_generation_prompt) buf_puts(out, "<|start_header_id|>assistant<|end_header_id|>\n\n");
}

int chat_messages_from_json(const cJSON *json, const char *name, ChatMsg **msgs, int *n, Err *err) {
    *msgs = NULL, *n = 0;
    const cJSON *arr = cJSON_IsObject(json) ? cJSON_GetObjectItemCaseSensitive(json, "messages") : json;
    if (!cJSON_IsArray(arr) || !cJSON_GetArraySize(arr))
        return err_set(err, IM_USAGE, "%s: messages: a non-empty array of {\"role\", \"content\"} was expected", name);
    int cnt = cJSON_GetArraySize(arr), i = 0;
    ChatMsg *m = calloc((size_t)cnt, sizeof *m);
    for (const cJSON *e = arr->child; e; e = e->next, i++) {
        const cJSON *r = cJSON_GetObjectItemCaseSensitive(e, "role"), *c = cJSON_GetObjectItemCaseSensitive(e, "content");
        if (!cJSON_IsString(r) || !cJSON_IsString(c)) {
            free(m);
            return err_set(err, IM_USAGE, "%s: messages[%d]: string fields role and content expected", name, i);
        }
        m[i].role = r->valuestring, m[i].content = c->valuestring, m[i].content_len = jreq_len(c);
    }
    *msgs = m, *n = cnt;
    return IM_OK;
}
