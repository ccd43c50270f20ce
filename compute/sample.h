/* sample.h: choosing the next token from logits on the host: greedy,
 * temperature, top-k, top-p, seeded by the caller's generator state; and
 * log-probabilities with the top alternatives. Pure functions of their
 * arguments (the rng state is advanced); no allocation survives a call. */
#ifndef IMAGINE_SAMPLE_H
#define IMAGINE_SAMPLE_H

#include <stdint.h>

typedef struct SampleOpts {
    float temperature; /* <= 0: greedy */
    int top_k;         /* 0: off */
    float top_p;       /* >= 1: off */
} SampleOpts;

int sample_token(const float *logits, int n, const SampleOpts *o, uint64_t *rng);
/* Log-probability of token id under softmax(logits); fills the top_n most
 * likely ids and their log-probabilities (top_n <= 20). */
float sample_logprob(const float *logits, int n, int id, int top_n, int *top_ids, float *top_lps);

#endif
