/* ops_fast.c: attention per packed sample on gemm.h's products, cross-
 * entropy that exponentiates each logit once per pass in float, SwiGLU and
 * RMSNorm in float, RoPE from a per-batch table. Contracts in ops_fast.h. */
#include "ops_fast.h"

#include <math.h>
#include <string.h>

#include "gemm.h"

int opf_segments(const int *seg, int n, int *start) {
    int count = 0;
    for (int t = 0; t < n; t++) {
        if (t && seg[t] == seg[t - 1]) continue;
        for (int i = 0; i < count; i++) /* a sample that comes back: not one run */
            if (seg[start[i]] == seg[t]) return -1;
        start[count++] = t;
    }
    start[count] = n;
    return count;
}

size_t opf_attn_p_size(const int *start, int count, int nq) {
    size_t s = 0;
    for (int i = 0; i < count; i++) s += (size_t)(start[i + 1] - start[i]) * (size_t)(start[i + 1] - start[i]);
    return s * (size_t)nq;
}

size_t opf_attn_scratch_size(const int *start, int count) {
    size_t mx = 0;
    for (int i = 0; i < count; i++) {
        size_t l = (size_t)(start[i + 1] - start[i]);
        if (l * l > mx) mx = l * l;
    }
    return mx;
}

/* Row-wise causal softmax of the L x L scores in place (entries above the diagonal set to 0). */
static void causal_softmax(float *s, int L) {
    for (int i = 0; i < L; i++) {
        float *r = s + (size_t)i * L, mx = r[0];
        for (int j = 1; j <= i; j++) mx = r[j] > mx ? r[j] : mx;
        double sum = 0;
        for (int j = 0; j <= i; j++) sum += (r[j] = expf(r[j] - mx));
        float inv = (float)(1.0 / sum);
        for (int j = 0; j <= i; j++) r[j] *= inv;
        for (int j = i + 1; j < L; j++) r[j] = 0;
    }
}

void opf_attn_fwd(float *out, float *p, const float *q, const float *k, const float *v, const int *start, int count, int nq,
                  int nkv, int hd) {
    int qd = nq * hd, kvd = nkv * hd, group = nq / nkv;
    float scale = (float)(1.0 / sqrt((double)hd));
    size_t per_head = opf_attn_p_size(start, count, 1);
    for (int h = 0; h < nq; h++) {
        int kh = h / group;
        float *ph = p + (size_t)h * per_head;
        for (int i = 0; i < count; i++) {
            int a = start[i], L = start[i + 1] - start[i];
            /* S = scale * Q_h K_kh^T, then softmax, then O_h = P V_kh */
            gemm_f32(0, 1, L, L, hd, scale, q + (size_t)a * qd + h * hd, qd, k + (size_t)a * kvd + kh * hd, kvd, 0.0f, ph, L);
            causal_softmax(ph, L);
            gemm_f32(0, 0, L, hd, L, 1.0f, ph, L, v + (size_t)a * kvd + kh * hd, kvd, 0.0f, out + (size_t)a * qd + h * hd, qd);
            ph += (size_t)L * L;
        }
    }
}

void opf_attn_bwd(float *dq, float *dk, float *dv, const float *dout, const float *p, const float *q, const float *k,
                  const float *v, const int *start, int count, int nq, int nkv, int hd, float *scratch) {
    int qd = nq * hd, kvd = nkv * hd, group = nq / nkv;
    float scale = (float)(1.0 / sqrt((double)hd));
    size_t per_head = opf_attn_p_size(start, count, 1);
    for (int h = 0; h < nq; h++) {
        int kh = h / group;
        const float *ph = p + (size_t)h * per_head;
        for (int i = 0; i < count; i++) {
            int a = start[i], L = start[i + 1] - start[i];
            const float *g = dout + (size_t)a * qd + h * hd, *qh = q + (size_t)a * qd + h * hd;
            const float *kk = k + (size_t)a * kvd + kh * hd, *vv = v + (size_t)a * kvd + kh * hd;
            /* dP = dO V^T; dS = P * (dP - rowsum(P * dP)) * scale */
            gemm_f32(0, 1, L, L, hd, 1.0f, g, qd, vv, kvd, 0.0f, scratch, L);
            for (int r = 0; r < L; r++) {
                const float *pr = ph + (size_t)r * L;
                float *ds = scratch + (size_t)r * L;
                double pdp = 0;
                for (int j = 0; j <= r; j++) pdp += (double)pr[j] * ds[j];
                for (int j = 0; j <= r; j++) ds[j] = pr[j] * (ds[j] - (float)pdp) * scale;
                for (int j = r + 1; j < L; j++) ds[j] = 0;
            }
            if (dq) gemm_f32(0, 0, L, hd, L, 1.0f, scratch, L, kk, kvd, 1.0f, dq + (size_t)a * qd + h * hd, qd);
            if (dk) gemm_f32(1, 0, L, hd, L, 1.0f, scratch, L, qh, qd, 1.0f, dk + (size_t)a * kvd + kh * hd, kvd);
            if (dv) gemm_f32(1, 0, L, hd, L, 1.0f, ph, L, g, qd, 1.0f, dv + (size_t)a * kvd + kh * hd, kvd);
            ph += (size_t)L * L;
        }
    }
}

double opf_xent_fwd(float *logp, float *lse, const float *logits, const int *target, const float *weight, int n, int v) {
    double loss = 0;
    for (int t = 0; t < n; t++) {
        lse[t] = 0;
        if (logp) logp[t] = 0;
        if (target[t] < 0) continue;
        const float *l = logits + (size_t)t * v;
        float mx = l[0];
        for (int i = 1; i < v; i++) mx = l[i] > mx ? l[i] : mx;
        double sum = 0;
        for (int i = 0; i < v; i++) sum += expf(l[i] - mx);
        double z = mx + log(sum);
        lse[t] = (float)z;
        double lp = l[target[t]] - z;
        if (logp) logp[t] = (float)lp;
        loss -= weight[t] * lp;
    }
    return loss;
}

void opf_xent_bwd(float *dlogits, const float *logits, const float *lse, const int *target, const float *weight, int n, int v) {
    for (int t = 0; t < n; t++) {
        float *d = dlogits + (size_t)t * v;
        if (target[t] < 0 || weight[t] == 0) {
            memset(d, 0, sizeof(float) * (size_t)v);
            continue;
        }
        const float *l = logits + (size_t)t * v;
        float w = weight[t], z = lse[t];
        for (int i = 0; i < v; i++) d[i] = w * expf(l[i] - z);
        d[target[t]] -= w;
    }
}

void opf_swiglu_fwd(float *h, const float *g, const float *u, size_t n) {
    for (size_t i = 0; i < n; i++) h[i] = g[i] / (1.0f + expf(-g[i])) * u[i];
}

void opf_swiglu_bwd(float *dg, float *du, const float *dh, const float *g, const float *u, size_t n) {
    for (size_t i = 0; i < n; i++) {
        float sg = 1.0f / (1.0f + expf(-g[i]));
        dg[i] += dh[i] * u[i] * sg * (1.0f + g[i] * (1.0f - sg));
        du[i] += dh[i] * g[i] * sg;
    }
}

void opf_rmsnorm_fwd(float *out, float *rstd, const float *x, const float *w, int n, int d, double eps) {
    for (int t = 0; t < n; t++) {
        const float *xr = x + (size_t)t * d;
        float *o = out + (size_t)t * d;
        double ss = 0;
        for (int i = 0; i < d; i++) ss += (double)xr[i] * xr[i];
        float s = (float)(1.0 / sqrt(ss / d + eps));
        rstd[t] = s;
        for (int i = 0; i < d; i++) o[i] = xr[i] * s * w[i];
    }
}

void opf_rmsnorm_bwd(float *dx, float *dw, const float *dout, const float *x, const float *w, const float *rstd, int n, int d) {
    for (int t = 0; t < n; t++) {
        const float *xr = x + (size_t)t * d, *g = dout + (size_t)t * d;
        float *dxr = dx + (size_t)t * d, s = rstd[t];
        double dot = 0;
        for (int i = 0; i < d; i++) dot += (double)(g[i] * w[i]) * xr[i];
        float c = (float)(dot * s * s * s / d);
        for (int i = 0; i < d; i++) dxr[i] += s * g[i] * w[i] - c * xr[i];
        if (dw)
            for (int i = 0; i < d; i++) dw[i] += g[i] * xr[i] * s;
    }
}

void opf_rope_table(float *cs, const int *pos, const float *inv_freq, int n, int hd) {
    int half = hd / 2;
    for (int t = 0; t < n; t++)
        for (int i = 0; i < half; i++) {
            double a = (double)pos[t] * inv_freq[i];
            cs[((size_t)t * half + i) * 2] = (float)cos(a), cs[((size_t)t * half + i) * 2 + 1] = (float)sin(a);
        }
}

void opf_rope(float *x, const float *cs, int n, int heads, int hd, int sign) {
    int half = hd / 2;
    for (int t = 0; t < n; t++)
        for (int h = 0; h < heads; h++) {
            float *p = x + ((size_t)t * heads + h) * hd;
            const float *c = cs + (size_t)t * half * 2;
            for (int i = 0; i < half; i++) {
                float co = c[2 * i], sn = sign > 0 ? c[2 * i + 1] : -c[2 * i + 1];
                float x0 = p[i], x1 = p[i + half];
                p[i] = x0 * co - x1 * sn;
                p[i + half] = x1 * co + x0 * sn;
            }
        }
}
