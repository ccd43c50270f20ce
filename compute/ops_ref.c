/* ops_ref.c: the float instantiation of the reference ops (the bodies are
 * in ops_ref_impl.h), the F16/BF16-weight matmuls, AdamW and norms. */
#include "ops_ref.h"

#include <math.h>
#include <stdlib.h>

#include "half.h"

#define OPR_T float
#define OPR(name) opr_##name
#include "ops_ref_impl.h"
#undef OPR
#undef OPR_T

static void row_f32(float *dst, const void *w, StDtype dt, size_t row, int k) {
    size_t base = row * (size_t)k;
    for (int i = 0; i < k; i++) {
        if (dt == ST_F32) dst[i] = ((const float *)w)[base + i];
        else if (dt == ST_F16) dst[i] = half_f16_to_f32(((const uint16_t *)w)[base + i]);
        else dst[i] = half_bf16_to_f32(((const uint16_t *)w)[base + i]);
    }
}

void opr_matmul_fwd_dt(float *y, const float *x, const void *w, StDtype dt, int n, int k, int m) {
    float *row = malloc(sizeof *row * (size_t)k);
    if (!row) abort();
    for (int r = 0; r < m; r++) {
        row_f32(row, w, dt, (size_t)r, k);
        for (int t = 0; t < n; t++) {
            double s = 0;
            for (int i = 0; i < k; i++) s += (double)x[(size_t)t * k + i] * row[i];
            y[(size_t)t * m + r] = (float)s;
        }
    }
    free(row);
}

void opr_matmul_bwd_dt(float *dx, float *dw, const float *dy, const float *x, const void *w, StDtype dt, int n, int k, int m) {
    if (dx) {
        float *row = malloc(sizeof *row * (size_t)k);
        double *acc = calloc((size_t)n * k, sizeof *acc);
        if (!row || !acc) abort();
        for (int r = 0; r < m; r++) {
            row_f32(row, w, dt, (size_t)r, k);
            for (int t = 0; t < n; t++) {
                double g = dy[(size_t)t * m + r];
                for (int i = 0; i < k; i++) acc[(size_t)t * k + i] += g * row[i];
            }
        }
        for (size_t i = 0; i < (size_t)n * k; i++) dx[i] += (float)acc[i];
        free(row), free(acc);
    }
    if (dw) opr_matmul_bwd(NULL, dw, dy, x, NULL, n, k, m);
}

static float round_dt(float f, StDtype dt) {
    if (dt == ST_F16) return half_f16_to_f32(half_f32_to_f16(f));
    if (dt == ST_BF16) return half_bf16_to_f32(half_f32_to_bf16(f));
    return f;
}

void opr_round(float *x, size_t n, StDtype dt) {
    if (dt != ST_F32)
        for (size_t i = 0; i < n; i++) x[i] = round_dt(x[i], dt);
}

void opr_adamw(float *master, float *m, float *v, const float *grad, size_t n, const OprAdamW *h, int step, float grad_scale,
               void *param, StDtype dt) {
    double bc1 = 1.0 - pow(h->beta1, step), bc2 = 1.0 - pow(h->beta2, step);
    float step_size = (float)(h->lr / bc1), bc2_sqrt = (float)sqrt(bc2), decay = 1.0f - h->lr * h->weight_decay;
    for (size_t i = 0; i < n; i++) {
        float g = grad[i] * grad_scale;
        master[i] *= decay;
        m[i] = h->beta1 * m[i] + (1.0f - h->beta1) * g;
        v[i] = h->beta2 * v[i] + (1.0f - h->beta2) * g * g;
        master[i] -= step_size * m[i] / (sqrtf(v[i]) / bc2_sqrt + h->eps);
    }
    if (param) st_pack(dt, master, param, n);
}

void opr_split_sum(float *c, const float *s, size_t n, int splits, int acc) {
    for (size_t i = 0; i < n; i++) {
        float v = acc ? c[i] : 0.0f;
        for (int z = 0; z < splits; z++) v += s[(size_t)z * n + i];
        c[i] = v;
    }
}

void opr_transpose(float *d, const float *s, int rows, int cols, int ld) {
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) d[(size_t)c * rows + r] = s[(size_t)r * ld + c];
}

double opr_sumsq(const float *g, size_t n) {
    double s = 0;
    for (size_t i = 0; i < n; i++) s += (double)g[i] * g[i];
    return s;
}
