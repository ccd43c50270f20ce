/* optim.c: learning-rate schedules and the clipping factor. Pure. */
#include "optim.h"

#include <math.h>
#include <string.h>

int tr_schedule_parse(const char *s) {
    if (!strcmp(s, "constant")) return TR_SCHED_CONSTANT;
    if (!strcmp(s, "linear")) return TR_SCHED_LINEAR;
    if (!strcmp(s, "cosine")) return TR_SCHED_COSINE;
    return -1;
}

const char *tr_schedule_name(TrSchedule s) {
    return s == TR_SCHED_CONSTANT ? "constant" : s == TR_SCHED_LINEAR ? "linear" : "cosine";
}

double tr_lr_at(const TrOptOpts *o, long long s) {
    if (s < o->warmup) return o->lr * (double)s / (double)o->warmup;
    if (o->schedule == TR_SCHED_CONSTANT) return o->lr;
    double span = (double)(o->total - o->warmup);
    double x = span > 0 ? (double)(s - o->warmup) / span : 1.0;
    if (x > 1) x = 1;
    if (o->schedule == TR_SCHED_LINEAR) return o->lr * (1.0 - x);
    return o->lr * 0.5 * (1.0 + cos(M_PI * x));
}

double tr_clip_scale(const TrOptOpts *o, double norm) {
    if (o->clip <= 0 || !(norm > o->clip)) return 1.0;
    return o->clip / (norm + 1e-6); /* torch.nn.utils.clip_grad_norm_ */
}
