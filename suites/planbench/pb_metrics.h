/* pb_metrics.h: PlanBench metrics and the GRPO reward.
 *
 * Metrics: accuracy over judged instances with a Wilson 95 % interval,
 * overall and per stratum (variant x number of objects x optimal plan
 * length), and the share of correct plans that are optimal (their length
 * equals the proven optimum).
 *
 * Reward (a configuration with defaults, like TravelPlanner's; the response
 * is read with common/think.h, as TravelPlanner's reward reads it):
 *   format   the response is "<think>" REASONING "</think>" then an answer
 *            (think_split; think_open_optional: the opening tag may be in
 *            the prompt) from which a plan of at least one action is read:
 *            the suite's own JSON form (a list of "(action args)"), else
 *            the authors' extraction (extractor, default analysis). If not:
 *            format_penalty (-1) and nothing else counts.
 *   valid    valid_weight (1) when the plan is valid (VAL semantics)
 *   optimal  optimal_weight (0) when valid and as short as the optimum
 *            (needs the optimal length; skipped when unknown)
 *   refl     reflection_bonus (+0.5) when the reasoning contains
 *            reflection_pattern (default: think.h's REFLECTION marker),
 *            else reflection_penalty (-0.5)
 *   reward = valid + optimal + refl        (-1 .. 1.5 with the defaults)
 * Pure functions; no I/O. */
#ifndef IMAGINE_PB_METRICS_H
#define IMAGINE_PB_METRICS_H

#include "buf.h"
#include "pb_answers.h"

void pb_wilson(int k, int n, double *lo, double *hi);

typedef struct PbStratum {
    char variant[64];
    int objects, opt_len; /* opt_len -1: unknown */
    int n, judged, correct, correct_optimal;
} PbStratum;

typedef struct PbMetrics {
    int n, judged, correct, correct_optimal, correct_known; /* correct with a known optimum */
    PbStratum *st;
    int nst;
} PbMetrics;

/* objects[i], opt_len[i]: per item (opt_len -1 when unknown). */
void pb_metrics_compute(const char *variant, const PbItem *items, int n, const int *objects, const int *opt_len, PbMetrics *m);
void pb_metrics_free(PbMetrics *m);
/* A text table: overall, then one line per stratum. */
void pb_metrics_print(const PbMetrics *m, Buf *out);

typedef struct PbRewardCfg {
    double format_penalty, valid_weight, optimal_weight, reflection_bonus, reflection_penalty;
    int think_open_optional; /* 0: the response must start with <think> */
    char reflection_pattern[256];
    int dialect; /* PbDialect for the extraction (default analysis) */
} PbRewardCfg;

void pb_reward_cfg_default(PbRewardCfg *c);
/* Overlays the fields of a JSON object; IM_USAGE naming an unknown field. */
int pb_reward_cfg_parse(const char *json, PbRewardCfg *c, Err *err);
void pb_reward_cfg_json(const PbRewardCfg *c, Buf *out);

typedef struct PbReward {
    double reward, valid, optimal, reflection;
    int format_ok, is_valid, nsteps, has_reflection;
    char format_error[256]; /* why the format failed (when !format_ok) */
    char reason[600];       /* the validator's verdict in words (when format_ok) */
} PbReward;

/* Scores one answer to problem p of variant v. opt_len: the optimal plan
 * length or -1. Never fails. */
void pb_reward(const PbVariant *v, const PbProblem *p, const char *response, int opt_len, const PbRewardCfg *c, PbReward *out);
/* {"format", "format_error", "valid", "optimal", "reflection",
 * "has_reflection", "plan_valid", "steps", "reason"}: every term. */
void pb_reward_components_json(const PbReward *r, Buf *out);

#endif
