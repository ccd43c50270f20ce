/* ops_fast.h: fast f32 versions of the reference ops whose cost dominates a
 * CPU training step (model_ref.c uses them; ops_ref.h stays the oracle and
 * test_model_fast checks a whole step of these against it).
 *
 * Same contracts as the opr_* ops of ops_ref.h, except where said: sums
 * in float (through gemm.h where they are products; long reductions still
 * in double), exp in float, attention computed per packed sample. Pure functions over caller-owned arrays: no
 * allocation, no I/O. */
#ifndef IMAGINE_OPS_FAST_H
#define IMAGINE_OPS_FAST_H

#include <stddef.h>

/* The packed samples of seg[n] as runs: start[0..count] (start[count] = n)
 * when every sample is one contiguous run of rows (as the packers lay them
 * out): returns count. Returns -1 when a sample id comes back after another
 * one (the caller then uses opr_attn_*). start has room for n+1 ints. */
int opf_segments(const int *seg, int n, int *start);
/* Floats of the probabilities p of opf_attn_fwd: nq * sum of len^2. */
size_t opf_attn_p_size(const int *start, int count, int nq);
/* The largest len^2 (the backward's scratch). */
size_t opf_attn_scratch_size(const int *start, int count);

/* Causal GQA attention as opr_attn_fwd, per run: for head h and run i
 * (rows a..a+L-1), p holds the L x L probabilities (0 above the diagonal)
 * at offset h * sum(L^2) + sum of the earlier runs' L^2. */
void opf_attn_fwd(float *out, float *p, const float *q, const float *k, const float *v, const int *start, int count, int nq,
                  int nkv, int hd);
/* Adds into dq, dk, dv as opr_attn_bwd; scratch[opf_attn_scratch_size]. */
void opf_attn_bwd(float *dq, float *dk, float *dv, const float *dout, const float *p, const float *q, const float *k,
                  const float *v, const int *start, int count, int nq, int nkv, int hd, float *scratch);

/* Cross-entropy as opr_xent_fwd (sums in double), also saving each row's
 * log-sum-exp lse[n] for the backward (0 on rows without a target). */
double opf_xent_fwd(float *logp, float *lse, const float *logits, const int *target, const float *weight, int n, int v);
/* SETS (not adds) dlogits[t] = weight[t] * (softmax - onehot), 0 on rows
 * without a target, from the forward's lse. */
void opf_xent_bwd(float *dlogits, const float *logits, const float *lse, const int *target, const float *weight, int n, int v);

/* SwiGLU as opr_swiglu_fwd/bwd (adds into dg, du), in float with expf. */
void opf_swiglu_fwd(float *h, const float *g, const float *u, size_t n);
void opf_swiglu_bwd(float *dg, float *du, const float *dh, const float *g, const float *u, size_t n);

/* RMSNorm as opr_rmsnorm_fwd/bwd (sums in double, the rest in float; the
 * backward adds into dx and, when not NULL, dw). */
void opf_rmsnorm_fwd(float *out, float *rstd, const float *x, const float *w, int n, int d, double eps);
void opf_rmsnorm_bwd(float *dx, float *dw, const float *dout, const float *x, const float *w, const float *rstd, int n, int d);

/* RoPE as opr_rope_fwd/bwd from a table cs[n][hd/2][2] of (cos, sin) made
 * by opf_rope_table (the angles of opr_rope_*, computed once per batch). */
void opf_rope_table(float *cs, const int *pos, const float *inv_freq, int n, int hd);
void opf_rope(float *x, const float *cs, int n, int heads, int hd, int sign);

#endif
