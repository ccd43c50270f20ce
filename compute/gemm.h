/* gemm.h: the f32 matrix products of the CPU training device
 * (model_ref.c): OpenBLAS's sgemm when the build found it (pkg-config
 * openblas; loaded at the first product, see gemm.c for its kernel choice
 * through OPENBLAS_CORETYPE), else plain loops accumulating in double (the
 * reference's values, the reference's speed).
 *
 * Row-major, caller-owned arrays, no allocation. OpenBLAS is run with an
 * explicit thread count (gemm_threads_set; default $IMAGINE_THREADS, else
 * 1, see gemm.c): for one thread count its results are the
 * same bit for bit run after run, which the trainer's bit-identical
 * --resume needs. Thread-safe as OpenBLAS is (the pthread build). */
#ifndef IMAGINE_GEMM_H
#define IMAGINE_GEMM_H

/* y[n][m] = x[n][k] . w[m][k]^T (w in Hugging Face's [out][in] layout). */
void gemm_xwt(float *y, const float *x, const float *w, int n, int k, int m);
/* dx[n][k] += dy[n][m] . w[m][k] */
void gemm_dx(float *dx, const float *dy, const float *w, int n, int k, int m);
/* dw[m][k] += dy[n][m]^T . x[n][k] */
void gemm_dw(float *dw, const float *dy, const float *x, int n, int k, int m);

/* The general product on strided operands:
 * c[mm][nn] = alpha * op(a) . op(b) + beta * c, op(a) [mm][kk], op(b) [kk][nn],
 * ta/tb: 1 = the operand is stored transposed; lda/ldb/ldc: row strides. */
void gemm_f32(int ta, int tb, int mm, int nn, int kk, float alpha, const float *a, int lda, const float *b, int ldb, float beta,
              float *c, int ldc);

/* Threads OpenBLAS uses from now on (n <= 0: $IMAGINE_THREADS, else 1).
 * No-op without OpenBLAS. */
void gemm_threads_set(int n);
/* The threads the products run on (1 for the reference loops). */
int gemm_threads(void);
/* "OpenBLAS (its config string; N threads)" or "reference loops (why)". */
const char *gemm_backend(void);

#endif
