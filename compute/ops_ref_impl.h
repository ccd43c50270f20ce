/* ops_ref_impl.h: the body of the plain-C reference ops, written once for
 * a scalar type. Include it with OPR_T (float or double) and OPR(name)
 * (the function name) defined: compute/ops_ref.c makes the float ops the
 * library uses (opr_*), the op tests make double ones for central finite
 * differences. Sums are accumulated in double in both. No allocation, no
 * I/O; every backward ADDS into its gradient outputs (the caller zeroes),
 * except rope_bwd, which rotates a gradient in place. Contracts and shapes
 * are stated in compute/ops_ref.h. */
#include <math.h>
#include <stddef.h>

#ifndef OPR_T
#error "define OPR_T and OPR(name) before including ops_ref_impl.h"
#endif

void OPR(embed_fwd)(OPR_T *out, const OPR_T *table, const int *tok, int n, int d) {
    for (int t = 0; t < n; t++)
        for (int i = 0; i < d; i++) out[(size_t)t * d + i] = table[(size_t)tok[t] * d + i];
}

void OPR(embed_bwd)(OPR_T *dtable, const OPR_T *dout, const int *tok, int n, int d) {
    for (int t = 0; t < n; t++)
        for (int i = 0; i < d; i++) dtable[(size_t)tok[t] * d + i] += dout[(size_t)t * d + i];
}

void OPR(rmsnorm_fwd)(OPR_T *out, OPR_T *rstd, const OPR_T *x, const OPR_T *w, int n, int d, double eps) {
    for (int t = 0; t < n; t++) {
        const OPR_T *xr = x + (size_t)t * d;
        double ss = 0;
        for (int i = 0; i < d; i++) ss += (double)xr[i] * xr[i];
        OPR_T s = (OPR_T)(1.0 / sqrt(ss / d + eps));
        rstd[t] = s;
        for (int i = 0; i < d; i++) out[(size_t)t * d + i] = xr[i] * s * w[i];
    }
}

void OPR(rmsnorm_bwd)(OPR_T *dx, OPR_T *dw, const OPR_T *dout, const OPR_T *x, const OPR_T *w, const OPR_T *rstd, int n, int d) {
    for (int t = 0; t < n; t++) {
        const OPR_T *xr = x + (size_t)t * d, *g = dout + (size_t)t * d;
        double s = rstd[t], dot = 0;
        for (int i = 0; i < d; i++) dot += (double)g[i] * w[i] * xr[i];
        double c = dot * s * s * s / d;
        for (int i = 0; i < d; i++) {
            if (dx) dx[(size_t)t * d + i] += (OPR_T)(s * g[i] * w[i] - c * xr[i]);
            if (dw) dw[i] += (OPR_T)((double)g[i] * xr[i] * s);
        }
    }
}

/* Rotate-half RoPE by angle pos[t]*inv_freq[i] (sign +1), or its transpose (-1). */
static void OPR(rope_apply)(OPR_T *x, const int *pos, const float *inv_freq, int n, int heads, int hd, int sign) {
    int half = hd / 2;
    for (int t = 0; t < n; t++)
        for (int i = 0; i < half; i++) {
            double a = (double)pos[t] * inv_freq[i];
            OPR_T cs = (OPR_T)cos(a), sn = (OPR_T)(sign * sin(a));
            for (int h = 0; h < heads; h++) {
                OPR_T *p = x + ((size_t)t * heads + h) * hd;
                OPR_T x0 = p[i], x1 = p[i + half];
                p[i] = x0 * cs - x1 * sn;
                p[i + half] = x1 * cs + x0 * sn;
            }
        }
}

void OPR(rope_fwd)(OPR_T *x, const int *pos, const float *inv_freq, int n, int heads, int hd) {
    OPR(rope_apply)(x, pos, inv_freq, n, heads, hd, 1);
}

void OPR(rope_bwd)(OPR_T *dx, const int *pos, const float *inv_freq, int n, int heads, int hd) {
    OPR(rope_apply)(dx, pos, inv_freq, n, heads, hd, -1);
}

void OPR(attn_fwd)(OPR_T *out, OPR_T *p, const OPR_T *q, const OPR_T *k, const OPR_T *v, const int *seg, int n, int nq,
                   int nkv, int hd) {
    int qd = nq * hd, kvd = nkv * hd, group = nq / nkv;
    double scale = 1.0 / sqrt((double)hd);
    for (int h = 0; h < nq; h++) {
        int kh = h / group;
        for (int t = 0; t < n; t++) {
            const OPR_T *qr = q + (size_t)t * qd + h * hd;
            OPR_T *pr = p + ((size_t)h * n + t) * n;
            double mx = -INFINITY;
            for (int s = 0; s < n; s++) {
                pr[s] = 0;
                if (s > t || seg[s] != seg[t]) continue;
                const OPR_T *kr = k + (size_t)s * kvd + kh * hd;
                double dot = 0;
                for (int i = 0; i < hd; i++) dot += (double)qr[i] * kr[i];
                pr[s] = (OPR_T)(dot * scale);
                if (pr[s] > mx) mx = pr[s];
            }
            double sum = 0;
            for (int s = 0; s <= t; s++)
                if (seg[s] == seg[t]) sum += (pr[s] = (OPR_T)exp(pr[s] - mx));
            OPR_T *o = out + (size_t)t * qd + h * hd;
            for (int i = 0; i < hd; i++) o[i] = 0;
            for (int s = 0; s <= t; s++) {
                if (seg[s] != seg[t]) continue;
                pr[s] = (OPR_T)(pr[s] / sum);
                const OPR_T *vr = v + (size_t)s * kvd + kh * hd;
                for (int i = 0; i < hd; i++) o[i] += pr[s] * vr[i];
            }
        }
    }
}

void OPR(attn_bwd)(OPR_T *dq, OPR_T *dk, OPR_T *dv, const OPR_T *dout, const OPR_T *p, const OPR_T *q, const OPR_T *k,
                   const OPR_T *v, const int *seg, int n, int nq, int nkv, int hd) {
    int qd = nq * hd, kvd = nkv * hd, group = nq / nkv;
    double scale = 1.0 / sqrt((double)hd);
    for (int h = 0; h < nq; h++) {
        int kh = h / group;
        for (int t = 0; t < n; t++) {
            const OPR_T *pr = p + ((size_t)h * n + t) * n, *g = dout + (size_t)t * qd + h * hd;
            const OPR_T *qr = q + (size_t)t * qd + h * hd;
            double pdp = 0; /* sum_s p_s dP_s */
            for (int s = 0; s <= t; s++) {
                if (seg[s] != seg[t]) continue;
                const OPR_T *vr = v + (size_t)s * kvd + kh * hd;
                double dp = 0;
                for (int i = 0; i < hd; i++) dp += (double)g[i] * vr[i];
                pdp += pr[s] * dp;
            }
            for (int s = 0; s <= t; s++) {
                if (seg[s] != seg[t]) continue;
                const OPR_T *vr = v + (size_t)s * kvd + kh * hd, *kr = k + (size_t)s * kvd + kh * hd;
                double dp = 0;
                for (int i = 0; i < hd; i++) dp += (double)g[i] * vr[i];
                double ds = pr[s] * (dp - pdp) * scale;
                for (int i = 0; i < hd; i++) {
                    dv[(size_t)s * kvd + kh * hd + i] += pr[s] * g[i];
                    dq[(size_t)t * qd + h * hd + i] += (OPR_T)(ds * kr[i]);
                    dk[(size_t)s * kvd + kh * hd + i] += (OPR_T)(ds * qr[i]);
                }
            }
        }
    }
}

void OPR(swiglu_fwd)(OPR_T *h, const OPR_T *g, const OPR_T *u, size_t n) {
    for (size_t i = 0; i < n; i++) h[i] = (OPR_T)(g[i] / (1.0 + exp(-(double)g[i])) * u[i]);
}

void OPR(swiglu_bwd)(OPR_T *dg, OPR_T *du, const OPR_T *dh, const OPR_T *g, const OPR_T *u, size_t n) {
    for (size_t i = 0; i < n; i++) {
        double sg = 1.0 / (1.0 + exp(-(double)g[i])), silu = g[i] * sg;
        dg[i] += (OPR_T)(dh[i] * u[i] * sg * (1.0 + g[i] * (1.0 - sg)));
        du[i] += (OPR_T)(dh[i] * silu);
    }
}

void OPR(matmul_fwd)(OPR_T *y, const OPR_T *x, const OPR_T *w, int n, int k, int m) {
    for (int t = 0; t < n; t++)
        for (int r = 0; r < m; r++) {
            const OPR_T *xr = x + (size_t)t * k, *wr = w + (size_t)r * k;
            double s = 0;
            for (int i = 0; i < k; i++) s += (double)xr[i] * wr[i];
            y[(size_t)t * m + r] = (OPR_T)s;
        }
}

void OPR(matmul_bwd)(OPR_T *dx, OPR_T *dw, const OPR_T *dy, const OPR_T *x, const OPR_T *w, int n, int k, int m) {
    if (dx)
        for (int t = 0; t < n; t++)
            for (int i = 0; i < k; i++) {
                double s = 0;
                for (int r = 0; r < m; r++) s += (double)dy[(size_t)t * m + r] * w[(size_t)r * k + i];
                dx[(size_t)t * k + i] += (OPR_T)s;
            }
    if (dw)
        for (int r = 0; r < m; r++)
            for (int i = 0; i < k; i++) {
                double s = 0;
                for (int t = 0; t < n; t++) s += (double)dy[(size_t)t * m + r] * x[(size_t)t * k + i];
                dw[(size_t)r * k + i] += (OPR_T)s;
            }
}

double OPR(xent_fwd)(OPR_T *logp, const OPR_T *logits, const int *target, const OPR_T *weight, int n, int v) {
    double loss = 0;
    for (int t = 0; t < n; t++) {
        if (logp) logp[t] = 0;
        if (target[t] < 0) continue;
        const OPR_T *l = logits + (size_t)t * v;
        double mx = -INFINITY, sum = 0;
        for (int i = 0; i < v; i++) mx = l[i] > mx ? l[i] : mx;
        for (int i = 0; i < v; i++) sum += exp(l[i] - mx);
        double lp = l[target[t]] - mx - log(sum);
        if (logp) logp[t] = (OPR_T)lp;
        loss -= weight[t] * lp;
    }
    return loss;
}

void OPR(xent_bwd)(OPR_T *dlogits, const OPR_T *logits, const int *target, const OPR_T *weight, int n, int v) {
    for (int t = 0; t < n; t++) {
        if (target[t] < 0 || weight[t] == 0) continue;
        const OPR_T *l = logits + (size_t)t * v;
        double mx = -INFINITY, sum = 0;
        for (int i = 0; i < v; i++) mx = l[i] > mx ? l[i] : mx;
        for (int i = 0; i < v; i++) sum += exp(l[i] - mx);
        for (int i = 0; i < v; i++) dlogits[(size_t)t * v + i] += (OPR_T)(weight[t] * exp(l[i] - mx) / sum);
        dlogits[(size_t)t * v + target[t]] -= weight[t];
    }
}

void OPR(lora_fwd)(OPR_T *y, OPR_T *xa, const OPR_T *x, const OPR_T *w, const OPR_T *a, const OPR_T *b, double scale, int n,
                   int k, int m, int r) {
    OPR(matmul_fwd)(y, x, w, n, k, m);
    OPR(matmul_fwd)(xa, x, a, n, k, r);
    for (int t = 0; t < n; t++)
        for (int o = 0; o < m; o++) {
            double s = 0;
            for (int j = 0; j < r; j++) s += (double)xa[(size_t)t * r + j] * b[(size_t)o * r + j];
            y[(size_t)t * m + o] += (OPR_T)(scale * s);
        }
}

void OPR(lora_bwd)(OPR_T *dx, OPR_T *dw, OPR_T *da, OPR_T *db, OPR_T *scratch, const OPR_T *dy, const OPR_T *x,
                   const OPR_T *xa, const OPR_T *w, const OPR_T *a, const OPR_T *b, double scale, int n, int k, int m,
                   int r) {
    OPR(matmul_bwd)(dx, dw, dy, x, w, n, k, m);
    /* scratch = scale * dy . b  (d xa), [n][r] */
    for (int t = 0; t < n; t++)
        for (int j = 0; j < r; j++) {
            double s = 0;
            for (int o = 0; o < m; o++) s += (double)dy[(size_t)t * m + o] * b[(size_t)o * r + j];
            scratch[(size_t)t * r + j] = (OPR_T)(scale * s);
        }
    if (db)
        for (int o = 0; o < m; o++)
            for (int j = 0; j < r; j++) {
                double s = 0;
                for (int t = 0; t < n; t++) s += (double)dy[(size_t)t * m + o] * xa[(size_t)t * r + j];
                db[(size_t)o * r + j] += (OPR_T)(scale * s);
            }
    OPR(matmul_bwd)(dx, da, scratch, x, a, n, k, r);
}
