/* engine.h: text generation on the Vulkan model: prompt prefill in chunks,
 * batched decode of several requests in one forward per step, sampling,
 * EOS and stop strings, logprobs, streaming through a callback.
 *
 * An Engine owns the VkCtx, the open ModelFiles and the VkModel. A GenReq
 * is owned by the caller; engine_run fills its outputs (text, tokens,
 * finish reason), which the caller frees with genreq_free. Not thread-safe:
 * callers serialise engine_run (the server holds a mutex). */
#ifndef IMAGINE_ENGINE_H
#define IMAGINE_ENGINE_H

#include <stdint.h>

#include "buf.h"
#include "modelinit.h"
#include "sample.h"
#include "vkmodel.h"

typedef struct Engine {
    VkCtx *ctx;
    ModelFiles *mf;
    VkModel *vm;
    VkModelOpts o;
    float *logits; /* max_rows * vocab */
    /* counters for bench */
    double prefill_s, decode_s;
    long prefill_tokens, decode_tokens, decode_steps;
} Engine;

typedef struct EngineOpts {
    const char *device; /* --device NAME|INDEX, NULL for the default */
    int max_seqs, max_ctx, max_rows;
} EngineOpts;

int engine_open(const char *model_dir, const EngineOpts *o, Engine **out, Err *err);
void engine_close(Engine *e);

typedef struct TokInfo {
    int id;
    float logprob;
    int ntop;
    int top_id[20];
    float top_lp[20];
} TokInfo;

typedef struct GenReq GenReq;
/* Streaming: called with each newly final piece of text (never splitting a
 * UTF-8 character or a possible stop string); ti is the token that
 * completed it (NULL at the end). Return nonzero to cancel. */
typedef int (*GenStream)(GenReq *r, const char *text, size_t len, const TokInfo *ti);

struct GenReq {
    /* inputs */
    const int *prompt;
    int n_prompt;
    int max_tokens;
    SampleOpts sample;
    uint64_t seed;
    const char *const *stop;
    int n_stop;
    int logprobs; /* record TokInfo per generated token; top_logprobs alternatives */
    int top_logprobs;
    int ignore_eos; /* bench: always run max_tokens */
    GenStream stream;
    void *ud;
    /* outputs */
    Buf text;
    TokInfo *toks;
    int n_gen;
    const char *finish; /* "stop", "length" or "cancelled" */
    int eos_id;         /* the end token that stopped it (not in text or toks), else -1 */
    float eos_logprob;  /* its log-probability (with logprobs) */
    /* state */
    int seq, pos, last, done;
    uint64_t rng;
    size_t emitted;
};

/* Runs the requests to completion together (n <= max_seqs). */
int engine_run(Engine *e, GenReq **reqs, int n, Err *err);
void genreq_free(GenReq *r);

/* Prompt tokens of a chat (template applied) or of raw text. */
int engine_encode_chat(Engine *e, const ChatMsg *m, int n, int thinking, int **ids, int *nids, Err *err);
int engine_encode_raw(Engine *e, const char *text, int **ids, int *nids, Err *err);

#endif
