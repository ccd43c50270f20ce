/* local.h: the "local" model backend: chat calls answered by the Vulkan
 * engine (compute/engine.h) on a Hugging Face model folder, without HTTP.
 *
 * Spec: local:DIR[?key=value&...] (parsed by model.c; docs/local.md). The
 * folder is loaded once, when the backend is opened, and shared by every
 * thread of the run. Requests from several threads are queued; whichever
 * caller finds the engine idle runs the queued requests together through
 * the engine's batched decode (up to cfg->concurrency sequences), so
 * concurrent items share forwards and no thread is started.
 *
 * Ownership: an AgLocal borrows cfg (the AgModel's copy outlives it).
 * Responses are filled as model.h says (strings malloc'd, owned by the
 * response). Errors: open returns IM_IO (a folder that cannot be loaded,
 * naming the file) or IM_USAGE; a request that fails (a prompt longer than
 * the context, an engine error) is a response with ok = 0 and error set,
 * never an exit. */
#ifndef AG_LOCAL_H
#define AG_LOCAL_H

#include "model.h"

typedef struct AgLocal AgLocal;

int ag_local_open(const AgModelConfig *cfg, AgLocal **out, Err *err);
void ag_local_close(AgLocal *l);
/* Answers reqs[i] for every i with todo[i] != 0 into resps[i]; blocks until
 * all are answered or have failed. Thread-safe. */
void ag_local_chat_many(AgLocal *l, const AgChatRequest *reqs, const char *todo, int n, AgChatResponse *resps);

/* The identity of a model folder, for the cache key: *abs_path is the
 * folder's canonical path (malloc'd), hex the SHA-256 over config.json,
 * tokenizer_config.json, generation_config.json and tokenizer.json (those
 * present), and for each safetensors file (model.safetensors or the shards
 * of model.safetensors.index.json, which is hashed too) its header and the
 * first and last 64 KiB of its tensor data, so a re-initialised folder
 * (same shapes, other weights) is a different model. IM_IO naming the
 * file when the folder or its config.json cannot be read. */
int ag_local_identity(const char *dir, char **abs_path, char hex[65], Err *err);

#endif
