/* push.h: the push-constant struct of every kernel, declared once
 * for C (compute/ops.h includes it) and GLSL (the kernels include it; glslc
 * defines VULKAN). Each struct is what the kernel's push_constant block
 * holds, in order; members are 32-bit, so the layouts agree. Kernel names,
 * bindings and references are in the op table, compute/ops.c. */
#ifndef IMAGINE_PUSH_H
#define IMAGINE_PUSH_H

#ifdef VULKAN
#define PU32 uint
#else
#include <stdint.h>
#define PU32 uint32_t
#endif

/* gemm.comp: C[M][N] (+)= alpha * A . B over K. A is [M][K] (or [K][M]
 * in the _tn variants), B is [N][K] (_nt) or [K][N] (_nn, _tn). */
/* gemm*.comp; gemmx.comp also reads a_off and b_off (texels to skip at the
   start of A and B) and lda (A's row stride in floats; 0: K in NT and NN,
   M in TN): a product over a slice of a buffer too large to bind as
   storage, or over a range of K (train_vk.c's slices and K chunks).
   gemmx_nt2 and gemmx_nn2 add alpha2 * A2 . B2 over k2 (gemmx.comp, SEG2).
   c_off and ldc (gemmx.comp, gemm_tile.comp without kc): C starts c_off floats
   into its buffer and its rows are ldc floats apart (0: N), both multiples of
   4: a projection's columns of the [n][q|k|v] and [n][gate|up] activations
   that train_vk.c keeps interleaved, so that q, k and v are one product.
   a2_off (texels) and lda2 (floats; 0: k2): where A2 starts and its row
   stride (SEG2: a projection's columns of its group's x . A^T); ldb: B's row
   stride in NN and TN (floats; 0: N), B from its group's x . A^T too. */
struct PushGemm { PU32 M, N, K; float alpha; PU32 acc, a_off, lda, b_off, k2; float alpha2; PU32 kc, c_off, ldc, a2_off, lda2, ldb; };
/* gemm_tile.comp with kc != 0: workgroup z takes depth [z kc, (z + 1) kc) and
   writes its partial product to C + z M N (split-K; gemm_sum.comp adds them):
   skinny products (LoRA's rank-r ones) have too few tiles to fill a GPU. */
struct PushSplit { PU32 n, splits, acc; }; /* gemm_sum.comp: C[n] (+)= sum of splits partials */
/* transpose_t.comp: D[cols][rows] = S[rows][cols], S from texel off with row stride ld floats (0: cols). */
struct PushTranspose { PU32 rows, cols, off, ld; };
#define TRANSPOSE_BLOCKS 64 /* transpose_t.comp: 4x4 blocks an invocation, down the rows */
/* gemmx.comp's block of C per invocation: rows, and columns in texels of 4
   (NT in single columns); the grids of train_vk.c follow them. */
#define GEMMX_NT_ROWS 32
#define GEMMX_NT_COLS 8
#define GEMMX_NT_KU 2 /* texels of K a loop iteration (gemmx.comp says why) */
#define GEMMX_NN_ROWS 16
#define GEMMX_NN_TEXELS 4
#define GEMMX_TN_TEXELS_M 4
#define GEMMX_TN_TEXELS_N 2
/* Where C has fewer blocks of columns than a workgroup has lanes (LoRA's
 * rank-r products), the lanes walk blocks of rows instead (the grid's x:
 * workgroups of rows, y: column blocks); else x walks row blocks, y
 * workgroups of columns. */
#define GEMMX_ROW_LANES(colblocks, lanes) ((colblocks) < (lanes))
/* rmsnorm_t.comp: n rows of d; eps; acc: BWD_DX adds to DX (else writes it). */
struct PushRows { PU32 n, d; float eps; PU32 acc, chunk; }; /* chunk: BWD_DW SG_ROWS, rows per workgroup y (its partial DW[y]) */
/* elementwise kernels over n elements; a: a scalar operand (sign, scale);
   f: SwiGLU's width, its input [rows][2 f] holding gate then up (f % 4 == 0). */
struct PushElem { PU32 n; float a; PU32 f; };
/* qkpost_t.comp: n rows of [nq + 2 nkv heads][hd] (q, k, v); norm: the q/k
   RMSNorm (Qwen3) before RoPE, with eps. */
struct PushQkPost { PU32 n, nq, nkv, hd, norm; float eps; };
/* attn_*.comp: n rows, nq query heads, nkv kv heads of hd; scale 1/sqrt(hd). */
struct PushAttn { PU32 n, nq, nkv, hd; float scale; };
/* xent.comp: n rows of v logits. */
struct PushXent { PU32 n, v, row0; }; /* L and DL bound from row row0 on; T, W, OUT whole */
/* embed_*.comp: n rows (fwd) or u unique tokens (bwd) of d. */
struct PushEmbed { PU32 n, d, row0, rows; }; /* backward: DE holds table rows [row0, row0 + rows) */
/* adamw.comp: n elements; lr, betas, eps, decoupled decay, 1/(1-b1^t), 1/sqrt(1-b2^t), gradient scale. */
struct PushAdamw { PU32 n; float lr, beta1, beta2, eps, decay, bc1, bc2s, gscale; };

/* Inference kernels (vkmodel.c). matmul.comp: Y[b][row0 + m] over a chunk of M rows of K. */
struct PushMatmul { PU32 K, M, N, row0, ystride; };
/* embed.comp: D columns of rows row0 .. row0 + nrows of a chunk, N rows, IL = the interleave (subgroup size). */
struct PushEmbedInf { PU32 D, row0, nrows, N, IL; };
/* rmsnorm.comp: gather != 0 reads row rows[r].src (the final norm). */
struct PushNorm { PU32 D; float eps; PU32 gather; };
/* qkv_post.comp: q/k norm, RoPE and KV-cache write of N rows; ctx = positions per sequence. */
struct PushQkvPost { PU32 nq, nkv, hd, N, ctx; float eps; };
/* attention.comp: causal GQA over the KV cache. */
struct PushAttnInf { PU32 nq, nkv, hd, ctx; float scale; };

#ifndef VULKAN
typedef struct PushMatmul PushMatmul;
typedef struct PushEmbedInf PushEmbedInf;
typedef struct PushNorm PushNorm;
typedef struct PushQkvPost PushQkvPost;
typedef struct PushAttnInf PushAttnInf;
typedef struct PushGemm PushGemm;
typedef struct PushSplit PushSplit;
typedef struct PushTranspose PushTranspose;
typedef struct PushRows PushRows;
typedef struct PushElem PushElem;
typedef struct PushQkPost PushQkPost;
typedef struct PushAttn PushAttn;
typedef struct PushXent PushXent;
typedef struct PushEmbed PushEmbed;
typedef struct PushAdamw PushAdamw;
#endif

#endif
