/* reward.h: the IMAGINE reward for TravelPlanner, from the official
 * evaluator (the paper's hierarchical rule reward, issue 15).
 *
 *   format   the response is "<think>" REASONING "</think>" then a JSON
 *            plan (a non-empty list of days, or an object whose "plan" is
 *            one; a Markdown fence around it is allowed). If not, the
 *            reward is format_penalty (-1) and nothing else counts.
 *   cs       commonsense_weight x the fraction of the counted commonsense
 *            checks that pass (checks whose verdict is None are left out)
 *   hard     hard_weight x the fraction of the counted hard checks that
 *            apply (not None) and pass; with gate_hard (the official rule)
 *            they run only when Complete Information and Within Sandbox
 *            pass, else this term is 0
 *   refl     reflection_bonus (+0.5) when the reasoning contains
 *            reflection_pattern (default: the REFLECTION marker of
 *            think.h), else reflection_penalty (-0.5)
 *   reward = cs + hard + refl       (range -1 .. 2.5 with the defaults)
 *
 * Every field of TpRewardCfg is a documented configuration field
 * (docs/imagine.md) read from a JSON object. Pure functions of the
 * database, the query and the text; thread-safe. */
#ifndef TP_REWARD_H
#define TP_REWARD_H

#include "buf.h"
#include "db.h"
#include "err.h"
#include "evaluate.h"
#include "query.h"

typedef struct TpRewardCfg {
    double format_penalty;     /* -1 */
    double commonsense_weight; /* 1 */
    double hard_weight;        /* 1 */
    double reflection_bonus;   /* 0.5 */
    double reflection_penalty; /* -0.5 */
    int gate_hard;             /* 1: as the official evaluator */
    int think_open_optional;   /* 0: the response must start with <think> */
    unsigned commonsense_mask; /* bit k: commonsense check k counts (all 8) */
    unsigned hard_mask;        /* bit k: hard check k counts (all 5) */
    char reflection_pattern[256];
} TpRewardCfg;

void tp_reward_cfg_default(TpRewardCfg *c);
/* Overlays the fields present in a JSON object (text) on *c: the names of
 * the fields above, "commonsense_checks" / "hard_checks" as lists of the
 * official keys. IM_USAGE naming the field on anything else. */
int tp_reward_cfg_parse(const char *json, TpRewardCfg *c, Err *err);
/* The whole configuration as one JSON object (for reports and logs). */
void tp_reward_cfg_json(const TpRewardCfg *c, Buf *out);

typedef struct TpReward {
    double reward;
    int format_ok;
    const char *format_error;  /* static; NULL when format_ok */
    double commonsense, hard, reflection; /* the three terms as added */
    int cs_passed, cs_counted, hard_passed, hard_counted, hard_evaluated;
    int has_reflection;
    int final_pass;            /* the official final pass: every check passes */
    double total_cost;         /* the plan's cost when the hard checks ran */
    TpPlanResult result;       /* every verdict (delivered == 0 on a format failure) */
} TpReward;

/* Scores one response to query q. Never fails. *out is owned by the caller
 * (tp_reward_free releases the verdicts). */
void tp_reward(const TpDb *db, const TpQuery *q, const char *response, const TpRewardCfg *cfg, TpReward *out);
void tp_reward_free(TpReward *r);
/* {"format": 1, "format_error": null, "commonsense": ..., "checks": {...}}:
 * every term, the counts, and each counted check's verdict (true, false,
 * null for None). */
void tp_reward_components_json(const TpReward *r, const TpRewardCfg *cfg, Buf *out);

#endif
