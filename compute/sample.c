/* sample.c: host-side sampling over one row of logits. */
#include "sample.h"

#include <math.h>
#include <stdlib.h>

#include "modelinit.h"

typedef struct Cand {
    float l;
    int id;
} Cand;

static int cmp_cand(const void *a, const void *b) {
    float x = ((const Cand *)a)->l, y = ((const Cand *)b)->l;
    if (x != y) return x < y ? 1 : -1;
    return ((const Cand *)a)->id - ((const Cand *)b)->id;
}

static int argmax(const float *l, int n) {
    int b = 0;
    for (int i = 1; i < n; i++)
        if (l[i] > l[b]) b = i;
    return b;
}

int sample_token(const float *logits, int n, const SampleOpts *o, uint64_t *rng) {
    if (o->temperature <= 0 || o->top_k == 1) return argmax(logits, n);
    float mx = logits[argmax(logits, n)], t = o->temperature;
    /* candidates: drop what cannot matter (p < e^-40 of the best) */
    Cand *c = malloc(sizeof *c * (size_t)n);
    int m = 0;
    for (int i = 0; i < n; i++)
        if ((logits[i] - mx) / t > -40.0f) c[m].l = logits[i], c[m].id = i, m++;
    int need_sort = (o->top_k > 0 && o->top_k < m) || o->top_p < 1.0f;
    if (need_sort) qsort(c, (size_t)m, sizeof *c, cmp_cand);
    if (o->top_k > 0 && o->top_k < m) m = o->top_k;
    double sum = 0;
    double *p = malloc(sizeof *p * (size_t)m);
    for (int i = 0; i < m; i++) sum += (p[i] = exp((double)(c[i].l - mx) / t));
    if (o->top_p < 1.0f) {
        double acc = 0;
        int k = 0;
        while (k < m && acc < o->top_p * sum) acc += p[k++];
        m = k > 0 ? k : 1;
        sum = acc > 0 ? acc : p[0];
    }
    double u = rng_uniform(rng) * sum, acc = 0;
    int pick = c[m - 1].id;
    for (int i = 0; i < m; i++) {
        acc += p[i];
        if (u < acc) {
            pick = c[i].id;
            break;
        }
    }
    free(p), free(c);
    return pick;
}

float sample_logprob(const float *logits, int n, int id, int top_n, int *top_ids, float *top_lps) {
    float mx = logits[argmax(logits, n)];
    double sum = 0;
    for (int i = 0; i < n; i++) sum += exp((double)(logits[i] - mx));
    float lse = mx + (float)log(sum);
    if (top_n > 20) top_n = 20;
    for (int k = 0; k < top_n; k++) top_ids[k] = -1;
    for (int i = 0; i < n && top_n > 0; i++) { /* insertion into a short sorted list */
        if (top_ids[top_n - 1] >= 0 && logits[i] <= logits[top_ids[top_n - 1]]) continue;
        int k = top_n - 1;
        while (k > 0 && (top_ids[k - 1] < 0 || logits[i] > logits[top_ids[k - 1]])) top_ids[k] = top_ids[k - 1], k--;
        top_ids[k] = i;
    }
    for (int k = 0; k < top_n; k++) top_lps[k] = top_ids[k] >= 0 ? logits[top_ids[k]] - lse : -INFINITY;
    return logits[id] - lse;
}
