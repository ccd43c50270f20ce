/* pb_pddl.h: a reader for the STRIPS subset of PDDL that PlanBench's
 * domains use: typed or untyped objects and parameters, predicates,
 * actions whose precondition is a conjunction of atoms and whose effect is a
 * conjunction of atoms and negated atoms; problems with objects, an initial
 * state and a conjunctive goal. Names are case-insensitive (lower-cased).
 *
 * A PbDomain / PbProblem owns all its strings and arrays; the free
 * functions accept NULL. A problem's atoms index the domain's predicates and
 * the problem's objects, so a problem is read against its domain and must
 * not outlive it. Errors name the file, the line and what was expected. */
#ifndef IMAGINE_PB_PDDL_H
#define IMAGINE_PB_PDDL_H

#include <stdint.h>

#include "err.h"

#define PB_MAX_ARGS 4
#define PB_MAX_OBJS 4000

typedef struct PbAtom {
    int pred;
    int nargs;
    int args[PB_MAX_ARGS]; /* parameter index (action schemas) or object index (ground) */
} PbAtom;

typedef struct PbAction {
    char *name;
    int nparams;
    char **params; /* "?ob" */
    int *ptype;    /* type index or -1 */
    PbAtom *pre, *add, *del;
    int npre, nadd, ndel;
} PbAction;

typedef struct PbDomain {
    char *name;
    char **types;
    int *type_parent; /* -1: object */
    int ntypes;
    char **preds;
    int *arity;
    int npreds;
    PbAction *acts;
    int nacts;
} PbDomain;

typedef struct PbProblem {
    char *name, *domain;
    char **objs;
    int *otype; /* type index or -1 */
    int nobjs;
    PbAtom *init, *goal;
    int ninit, ngoal;
} PbProblem;

int pb_domain_parse(const char *text, const char *path, PbDomain **out, Err *err);
int pb_domain_load(const char *path, PbDomain **out, Err *err);
void pb_domain_free(PbDomain *d);
int pb_problem_parse(const PbDomain *d, const char *text, const char *path, PbProblem **out, Err *err);
int pb_problem_load(const PbDomain *d, const char *path, PbProblem **out, Err *err);
void pb_problem_free(PbProblem *p);

int pb_domain_action(const PbDomain *d, const char *name); /* index or -1 */
int pb_domain_pred(const PbDomain *d, const char *name);   /* index or -1 */
int pb_problem_obj(const PbProblem *p, const char *name);  /* index or -1 */
/* Whether type t is a (reflexive, transitive) subtype of want (-1: any). */
int pb_type_is(const PbDomain *d, int t, int want);

/* A ground atom as one integer: predicate and up to four object indices. */
static inline uint64_t pb_atom_key(const PbAtom *a) {
    uint64_t k = (uint64_t)a->pred << 48;
    for (int i = 0; i < a->nargs; i++) k |= (uint64_t)(a->args[i] + 1) << (36 - 12 * i);
    return k;
}
/* Writes "(pred a b)" for a ground atom of p. */
struct Buf;
void pb_atom_str(const PbDomain *d, const PbProblem *p, const PbAtom *a, struct Buf *out);

#endif
