/* chat.h: chat templates the engine knows (Qwen3 ChatML with thinking on
 * or off, Llama 3), and chat messages from JSON.
 *
 * The template is recognised from the Jinja text in tokenizer_config.json
 * and rendered in C (the engine has no Jinja interpreter); an unrecognised
 * template is an error, never a silent default. Messages borrow their
 * strings from the cJSON tree the caller keeps. */
#ifndef IMAGINE_CHAT_H
#define IMAGINE_CHAT_H

#include <cJSON.h>

#include "buf.h"
#include "err.h"

typedef enum { CHAT_QWEN3 = 0, CHAT_LLAMA3 = 1 } ChatKind;

typedef struct ChatMsg {
    const char *role, *content;
    size_t content_len; /* bytes of content (it may hold NUL); 0: up to its NUL */
} ChatMsg;

/* Reads chat_template from tokenizer_config.json at path. */
int chat_load(const char *tokenizer_config_path, ChatKind *out, Err *err);
int chat_detect(const char *jinja, const char *name, ChatKind *out, Err *err);
/* Appends the prompt text; ends with the assistant header when
 * add_generation_prompt. thinking = 0 closes an empty <think> block
 * (Qwen3 enable_thinking=False); ignored by Llama 3. */
void chat_render(ChatKind k, const ChatMsg *m, int n, int add_generation_prompt, int thinking, Buf *out);
/* The Jinja text written into tokenizer_config.json by `model init`. */
const char *chat_template_jinja(ChatKind k);
/* msgs from a JSON array [{"role","content"}...] or {"messages": [...]}.
 * *msgs is malloc'd; its strings are borrowed from json. */
int chat_messages_from_json(const cJSON *json, const char *name, ChatMsg **msgs, int *n, Err *err);

#endif
