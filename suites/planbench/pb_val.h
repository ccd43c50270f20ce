/* pb_val.h: plan validation with VAL's semantics, and a step-by-step
 * simulator (the teacher's view of the state after each action).
 *
 * A plan is VAL plan-file text: "(action obj ...)" steps, optionally timed
 * ("0: (a b)" or "(a b) [1]"), ';' comments. Every step's action must exist
 * with at least its number of parameters (VAL binds the first arguments and
 * ignores extra ones), every bound argument must be a declared object of
 * the parameter's type, every precondition must hold in the
 * current state; effects are applied delete first, then add (so an atom
 * both deleted and added holds afterwards); the goal must hold after the
 * last step. An empty plan is valid exactly when the goal holds initially.
 * Pure functions of the domain, problem and plan; no I/O. */
#ifndef IMAGINE_PB_VAL_H
#define IMAGINE_PB_VAL_H

#include <stdint.h>

#include "buf.h"
#include "pb_pddl.h"

typedef struct PbVerdict {
    int valid;      /* 1 valid, 0 invalid */
    int step;       /* 1-based step that failed; 0: the plan text or the goal */
    int nsteps;     /* steps read */
    char reason[512];
} PbVerdict;

/* A ground step of a plan. */
typedef struct PbStep {
    int act;
    int nargs;
    int args[PB_MAX_ARGS + 2];
} PbStep;

/* The state: a sorted set of ground atoms (pb_atom_key). */
typedef struct PbSim {
    const PbDomain *d;
    const PbProblem *p;
    uint64_t *atoms;
    int n, cap;
} PbSim;

void pb_sim_init(PbSim *s, const PbDomain *d, const PbProblem *p);
void pb_sim_free(PbSim *s);
int pb_sim_holds(const PbSim *s, const PbAtom *a);
/* Applies a ground step; returns 1, or 0 with why (the unmet precondition)
 * in reason and the state unchanged. */
int pb_sim_apply(PbSim *s, const PbStep *st, char *reason, size_t cap);
/* 1 when every goal atom holds; else 0 and the first unmet goal in reason. */
int pb_sim_goal(const PbSim *s, char *reason, size_t cap);
/* Appends the state's atoms, "(on a b) (clear a) ...", in init order
 * of predicates and objects (stable). */
void pb_sim_state_str(const PbSim *s, Buf *out);
/* The state's i-th atom (0 <= i < s->n), decoded. */
void pb_sim_atom(const PbSim *s, int i, PbAtom *a);
/* "(pick-up a)" */
void pb_step_str(const PbDomain *d, const PbProblem *p, const PbStep *st, Buf *out);

/* Parses a plan text into ground steps (malloc'd, caller frees). On an
 * unreadable plan returns 0 with v filled (invalid, reason). */
int pb_plan_parse(const PbDomain *d, const PbProblem *p, const char *text, PbStep **steps, int *n, PbVerdict *v);
/* Validates a plan text; fills v. */
void pb_validate(const PbDomain *d, const PbProblem *p, const char *text, PbVerdict *v);

#endif
