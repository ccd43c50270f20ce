/* data.h: SFT samples for `imagine train sft`: the chat-messages JSONL
 * ({"messages": [{role, content}, ...]}) and TRL's prompt-completion form
 * ({"prompt": ..., "completion": ...}, each a string or a message list),
 * rendered with the model's chat template and tokenized; the loss mask
 * covers assistant tokens only (each assistant turn's content and its end
 * token). Samples are packed into micro-batches of whole samples; positions
 * restart at 0 in each sample and attention never crosses samples.
 *
 * Tokenization is per segment: the text before an assistant turn is
 * encoded exactly as the engine encodes a prompt (template with the
 * generation header), the turn's content separately, then its end token —
 * so a trained model sees at training time the tokens it sees and emits at
 * generation time. A sample longer than max_len tokens is never cut: it is
 * counted in n_too_long (with its line) and left out.
 *
 * Ownership: TrData owns its samples (tr_data_free accepts a zeroed one);
 * TrBatch owns its arrays (tr_batch_free). Errors name the file and line. */
#ifndef IMAGINE_TRAIN_DATA_H
#define IMAGINE_TRAIN_DATA_H

#include <stdint.h>

#include "modelinit.h"

typedef struct TrSample {
    int *ids;             /* n token ids */
    unsigned char *mask;  /* mask[i] = 1: ids[i] is a target (predicted from i-1) */
    int n, n_target;
    int line;             /* 1-based line in the file */
} TrSample;

typedef struct TrData {
    TrSample *s;
    int n;
    int n_lines;          /* non-empty lines read */
    int n_too_long;       /* left out: longer than max_len */
    int first_too_long;   /* line of the first one (0 when none) */
    int longest;          /* tokens of the longest sample (kept or not) */
    int n_no_target;      /* left out: no assistant token */
    long long tokens, targets; /* over kept samples */
} TrData;

/* Reads path (see the top of this file). */
int tr_data_load(const char *path, const ModelFiles *mf, int max_len, TrData *out, Err *err);
/* The same from JSONL text already in memory (tests); name for errors. */
int tr_data_parse(const char *text, const char *name, const ModelFiles *mf, int max_len, TrData *out, Err *err);
void tr_data_free(TrData *d);

/* A packed micro-batch: n rows (tokens) from n_seq samples laid end to end.
 * Row i holds tok[i] at position pos[i] of its sample; tgt[i] is the token
 * it must predict (-1: none), with weight w[i] (0 when tgt is -1).
 * seq_start[k] is the first row of sample k (n_seq + 1 entries); seg[i]
 * is the sample of row i (attention stays within a sample). */
typedef struct TrBatch {
    int n, n_seq;
    int *tok, *pos, *tgt, *seg, *seq_start;
    float *w;
    long long n_target;
} TrBatch;

/* The order of an epoch: a permutation of 0..n-1 drawn from (seed, epoch)
 * alone (Fisher-Yates with splitmix64), so a resumed run draws the same. */
void tr_data_order(int n, uint64_t seed, int epoch, int *perm);
/* Packs samples order[*at], order[*at+1], ... into b while the rows fit in
 * batch_tokens (at least one sample); advances *at. Weights are left 1 on
 * targets; tr_batch_scale sets them. */
int tr_batch_pack(const TrData *d, const int *order, int n_order, int *at, int batch_tokens, TrBatch *b, Err *err);
/* Multiplies every target weight by s (e.g. 1 / the step's target count). */
void tr_batch_scale(TrBatch *b, float s);
void tr_batch_free(TrBatch *b);

#endif
