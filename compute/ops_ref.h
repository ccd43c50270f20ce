/* ops_ref.h: the plain-C reference forward and backward of every op the
 * models use (the oracle for the Vulkan kernels and for training), plus
 * AdamW and the squared norm of a gradient. Slow and obvious on purpose.
 *
 * Pure functions over caller-owned arrays: no allocation, no I/O, no state.
 * Layouts are row-major, "[n][d]" = n rows of d. Every *_bwd ADDS into its
 * gradient outputs (the caller zeroes them); a NULL gradient output is not
 * computed. rope_bwd is the one exception: it rotates a gradient in place.
 * Sums are accumulated in double. The body is compute/ops_ref_impl.h,
 * instantiated here for float (opr_*) and by the op tests for double. */
#ifndef IMAGINE_OPS_REF_H
#define IMAGINE_OPS_REF_H

#include <stddef.h>

#include "safetensors.h"

/* out[n][d] = table[tok[t]][d]; backward scatter-adds dout rows into dtable. */
void opr_embed_fwd(float *out, const float *table, const int *tok, int n, int d);
void opr_embed_bwd(float *dtable, const float *dout, const int *tok, int n, int d);

/* RMSNorm of each row of x[n][d]: out = x * rstd * w, rstd[n] = 1/sqrt(mean(x^2) + eps)
 * (saved for the backward). The q/k norm of Qwen3 is this op over n*heads
 * rows of head_dim. out may alias x in the forward. */
void opr_rmsnorm_fwd(float *out, float *rstd, const float *x, const float *w, int n, int d, double eps);
void opr_rmsnorm_bwd(float *dx, float *dw, const float *dout, const float *x, const float *w, const float *rstd, int n, int d);

/* Rotate-half RoPE in place on x[n][heads][hd] at positions pos[n] with
 * inv_freq[hd/2] (model_config_inv_freq). The backward applies the inverse
 * rotation to a gradient in place. */
void opr_rope_fwd(float *x, const int *pos, const float *inv_freq, int n, int heads, int hd);
void opr_rope_bwd(float *dx, const int *pos, const float *inv_freq, int n, int heads, int hd);

/* Causal attention with GQA and packing: q[n][nq*hd], k, v[n][nkv*hd];
 * row t attends to rows s <= t with seg[s] == seg[t] (no attention across
 * samples), scale 1/sqrt(hd); query head h reads kv head h/(nq/nkv).
 * p[nq][n][n] receives the probabilities (0 where masked) for the backward. */
void opr_attn_fwd(float *out, float *p, const float *q, const float *k, const float *v, const int *seg, int n, int nq, int nkv, int hd);
void opr_attn_bwd(float *dq, float *dk, float *dv, const float *dout, const float *p, const float *q, const float *k,
                  const float *v, const int *seg, int n, int nq, int nkv, int hd);

/* h[i] = silu(g[i]) * u[i] over n elements. */
void opr_swiglu_fwd(float *h, const float *g, const float *u, size_t n);
void opr_swiglu_bwd(float *dg, float *du, const float *dh, const float *g, const float *u, size_t n);

/* y[n][m] = x[n][k] . w[m][k]^T (the Hugging Face [out][in] layout).
 * Backward: dx += dy . w, dw += dy^T . x. */
void opr_matmul_fwd(float *y, const float *x, const float *w, int n, int k, int m);
void opr_matmul_bwd(float *dx, float *dw, const float *dy, const float *x, const float *w, int n, int k, int m);
/* The same with w stored as F32, F16 or BF16 (converted row by row); dw is
 * always fp32. */
void opr_matmul_fwd_dt(float *y, const float *x, const void *w, StDtype dt, int n, int k, int m);
void opr_matmul_bwd_dt(float *dx, float *dw, const float *dy, const float *x, const void *w, StDtype dt, int n, int k, int m);

/* Cross-entropy over logits[n][v] with targets[n] (< 0: no loss at that row)
 * and weights[n]: returns sum_t weight[t] * -log softmax(logits[t])[target[t]];
 * logp[n] (optional) receives log softmax at the target (0 where none).
 * Backward: dlogits[t] += weight[t] * (softmax(logits[t]) - onehot(target[t])).
 * A weight may be any real: the gradient of any function of the log-probs
 * (GRPO) is this backward with weight[t] = -dL/dlogp[t]. */
double opr_xent_fwd(float *logp, const float *logits, const int *target, const float *weight, int n, int v);
void opr_xent_bwd(float *dlogits, const float *logits, const int *target, const float *weight, int n, int v);

/* LoRA-adapted linear: y = x.w^T + scale * (x.a^T).b^T with a[r][k] (lora_A),
 * b[m][r] (lora_B), scale = alpha / r; xa[n][r] = x.a^T is saved. Backward
 * adds into dx, dw (NULL when the base is frozen), da, db; scratch[n][r]. */
void opr_lora_fwd(float *y, float *xa, const float *x, const float *w, const float *a, const float *b, double scale, int n,
                  int k, int m, int r);
void opr_lora_bwd(float *dx, float *dw, float *da, float *db, float *scratch, const float *dy, const float *x,
                  const float *xa, const float *w, const float *a, const float *b, double scale, int n, int k, int m, int r);

/* AdamW as torch.optim.AdamW (decoupled decay, bias correction): with
 * g = grad * grad_scale (grad_scale < 1 clips by global norm),
 *   p *= 1 - lr*wd;  m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g^2;
 *   p -= lr/(1-b1^step) * m / (sqrt(v)/sqrt(1-b2^step) + eps)
 * on the fp32 master weights; step counts from 1. When param is not NULL it
 * receives the updated master rounded to dt (the weights the model runs). */
typedef struct OprAdamW {
    float lr, beta1, beta2, eps, weight_decay;
} OprAdamW;
void opr_adamw(float *master, float *m, float *v, const float *grad, size_t n, const OprAdamW *h, int step, float grad_scale,
               void *param, StDtype dt);

/* sum of g[i]^2, in double (the global norm is the sqrt of the sum over tensors). */
double opr_sumsq(const float *g, size_t n);
/* c[i] = (c[i] when acc) + sum over z < splits of s[z n + i]: a split-K product's partials. */
void opr_split_sum(float *c, const float *s, size_t n, int splits, int acc);
/* d[cols][rows] = s[rows][cols], s's rows ld floats apart. */
void opr_transpose(float *d, const float *s, int rows, int cols, int ld);
/* Rounds x[n] in place to the values dt can hold (identity for F32). */
void opr_round(float *x, size_t n, StDtype dt);

#endif
