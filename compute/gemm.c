/* gemm.c: f32 matrix products through OpenBLAS, dlopen()ed on first use
 * (IMAGINE_OPENBLAS_SO: the library compute/CMakeLists.txt found with
 * pkg-config openblas, else the soname), else through loops that
 * accumulate in double (the reference ops' loops for the three model
 * products). The thread count is always set explicitly. */
#include "gemm.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops_ref.h"

#ifndef IMAGINE_OPENBLAS_SO
#define IMAGINE_OPENBLAS_SO "" /* none found at build time */
#endif

/* The reference loops: gemm_f32 accumulates in double; the three model
 * products are the opr_* ops'. */
static void ref_f32(int ta, int tb, int mm, int nn, int kk, float alpha, const float *a, int lda, const float *b, int ldb, float beta,
                    float *c, int ldc) {
    for (int i = 0; i < mm; i++)
        for (int j = 0; j < nn; j++) {
            double s = 0;
            for (int l = 0; l < kk; l++)
                s += (double)(ta ? a[(size_t)l * lda + i] : a[(size_t)i * lda + l]) * (tb ? b[(size_t)j * ldb + l] : b[(size_t)l * ldb + j]);
            float *cij = &c[(size_t)i * ldc + j];
            *cij = (float)(alpha * s + (beta != 0.0f ? (double)beta * *cij : 0.0));
        }
}

/* OpenBLAS, loaded on first use (pthread_once): the table is written only
 * by the once routine. CBLAS constants: row-major 101, no-trans 111, trans 112. */
typedef void (*SgemmFn)(int order, int ta, int tb, int m, int n, int k, float alpha, const float *a, int lda, const float *b,
                        int ldb, float beta, float *c, int ldc);
static struct {
    SgemmFn sgemm;
    void (*set_threads)(int);
    char *(*config)(void);
    int threads;
    char why[300]; /* why the reference loops run */
} blas;
static pthread_once_t blas_once = PTHREAD_ONCE_INIT;

static int resolve(void *lib, const char *name, void *slot) {
    void *p = dlsym(lib, name);
    if (p) memcpy(slot, &p, sizeof p); /* object to function pointer, as POSIX allows */
    return p != NULL;
}

/* $IMAGINE_THREADS, else 1: OpenBLAS's idle threads spin, and on a shared
 * host (this project's: 2 cores, several jobs) 2 threads made a step up to
 * 3x slower than 1 (bench train, load average 7-9: 1,188 against 3,700 tok/s
 * for a LoRA step; GRPO's update 3.9-7.2 s against 2.3-3.5 s). */
static int threads_default(void) {
    const char *e = getenv("IMAGINE_THREADS");
    long n = e && *e ? strtol(e, NULL, 10) : 0;
    return n > 0 && n < 1024 ? (int)n : 1;
}

/* OpenBLAS 0.3.21 (Debian 12) takes CPUs it does not know by model number
 * (e.g. recent Xeons) for a Prescott and runs SSE3 kernels 2-3x slower: unless
 * the user chose, name the kernel family from the CPU's features before
 * OpenBLAS reads OPENBLAS_CORETYPE in its constructor (at dlopen). The
 * variable stays set, so a child (the torch peer) gets the same kernels. */
static void coretype_default(void) {
    if (getenv("OPENBLAS_CORETYPE")) return;
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512dq"))
        setenv("OPENBLAS_CORETYPE", "SkylakeX", 0);
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) setenv("OPENBLAS_CORETYPE", "Haswell", 0);
#endif
}

static void blas_load(void) {
    blas.threads = threads_default();
    if (!*IMAGINE_OPENBLAS_SO) {
        snprintf(blas.why, sizeof blas.why, "no OpenBLAS at build time: apt-get install libopenblas-dev, then cmake again");
        return;
    }
    coretype_default();
    void *lib = dlopen(IMAGINE_OPENBLAS_SO, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char *e = dlerror();
        snprintf(blas.why, sizeof blas.why, "cannot load %s: %s", IMAGINE_OPENBLAS_SO, e ? e : "?");
        return;
    }
    if (!resolve(lib, "cblas_sgemm", &blas.sgemm) || !resolve(lib, "openblas_set_num_threads", &blas.set_threads) ||
        !resolve(lib, "openblas_get_config", &blas.config)) {
        snprintf(blas.why, sizeof blas.why, "%s lacks cblas_sgemm, openblas_set_num_threads or openblas_get_config", IMAGINE_OPENBLAS_SO);
        blas.sgemm = NULL;
        return; /* not closed: its constructor may have started threads */
    }
    blas.set_threads(blas.threads);
}

void gemm_threads_set(int n) {
    pthread_once(&blas_once, blas_load);
    blas.threads = n > 0 ? n : threads_default();
    if (blas.sgemm) blas.set_threads(blas.threads);
}

int gemm_threads(void) {
    pthread_once(&blas_once, blas_load);
    return blas.sgemm ? blas.threads : 1;
}

const char *gemm_backend(void) {
    static char s[400];
    pthread_once(&blas_once, blas_load);
    if (!blas.sgemm) snprintf(s, sizeof s, "reference loops (%s)", blas.why);
    else {
        const char *cfg = blas.config();
        snprintf(s, sizeof s, "OpenBLAS (%s; %d thread%s)", cfg ? cfg : "?", blas.threads, blas.threads == 1 ? "" : "s");
    }
    return s;
}

void gemm_f32(int ta, int tb, int mm, int nn, int kk, float alpha, const float *a, int lda, const float *b, int ldb, float beta,
              float *c, int ldc) {
    if (mm <= 0 || nn <= 0) return;
    pthread_once(&blas_once, blas_load);
    if (blas.sgemm) blas.sgemm(101, ta ? 112 : 111, tb ? 112 : 111, mm, nn, kk, alpha, a, lda, b, ldb, beta, c, ldc);
    else ref_f32(ta, tb, mm, nn, kk, alpha, a, lda, b, ldb, beta, c, ldc);
}

void gemm_xwt(float *y, const float *x, const float *w, int n, int k, int m) {
    pthread_once(&blas_once, blas_load);
    if (blas.sgemm) gemm_f32(0, 1, n, m, k, 1.0f, x, k, w, k, 0.0f, y, m);
    else opr_matmul_fwd(y, x, w, n, k, m);
}

void gemm_dx(float *dx, const float *dy, const float *w, int n, int k, int m) {
    pthread_once(&blas_once, blas_load);
    if (blas.sgemm) gemm_f32(0, 0, n, k, m, 1.0f, dy, m, w, k, 1.0f, dx, k);
    else opr_matmul_bwd(dx, NULL, dy, NULL, w, n, k, m);
}

void gemm_dw(float *dw, const float *dy, const float *x, int n, int k, int m) {
    pthread_once(&blas_once, blas_load);
    if (blas.sgemm) gemm_f32(1, 0, m, k, n, 1.0f, dy, m, x, k, 1.0f, dw, k);
    else opr_matmul_bwd(NULL, dw, dy, x, NULL, n, k, m);
}

