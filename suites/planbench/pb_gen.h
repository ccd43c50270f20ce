/* pb_gen.h: new PlanBench problems, deduplicated against the benchmark.
 *
 * Blocksworld (and Mystery, its renaming): initial and goal states drawn
 * uniformly over all states of n blocks, the method of Slaney & Thiebaux's
 * bwstates: with u towers still floating and k on the table, the next
 * floating tower goes to the table with probability g(u-1, k+1) / g(u, k),
 * else on top of one of the u-1+k other towers chosen uniformly, where
 * g(0, k) = 1 and g(u, k) = g(u-1, k+1) + (u-1+k) g(u-1, k) counts the
 * states. The goal is the goal state's (on x y) facts (as the benchmark's
 * problems are). Logistics: cities with s locations each (location 0 is
 * the airport), trucks spread over the cities, airplanes at airports,
 * packages at random locations, each with a different random goal location.
 * Problems are PDDL text in the benchmark's layout. A problem is a
 * duplicate when its initial state and goal (predicates by position in the
 * domain, so a Mystery problem equals its Blocksworld twin) equal those of a
 * benchmark instance or of an earlier generated one.
 * Returned strings are malloc'd; the caller frees. No I/O except reading
 * the benchmark's instances for the deduplication set. */
#ifndef IMAGINE_PB_GEN_H
#define IMAGINE_PB_GEN_H

#include <stdint.h>

#include "pb_variant.h"

typedef struct PbGenOpts {
    int blocks;                                  /* Blocksworld family: number of blocks (1..12) */
    int cities, locations, trucks, airplanes, packages; /* Logistics (locations per city) */
    uint64_t seed;
} PbGenOpts;

/* A set of problem keys (the benchmark's, then the generated ones). */
typedef struct PbKeySet {
    char **k;
    int n, cap;
} PbKeySet;

/* The canonical key of a problem (initial state and goal). */
char *pb_problem_key(const PbDomain *d, const PbProblem *p);
/* Every instance file of every variant of the same kind (and its
 * renamings) under DATA/instances: their keys. */
int pb_benchmark_keys(const PbVariant *v, PbKeySet *out, Err *err);
int pb_keyset_has(const PbKeySet *s, const char *k);
void pb_keyset_add(PbKeySet *s, char *k); /* takes ownership */
void pb_keyset_free(PbKeySet *s);

/* One random problem as PDDL text (not deduplicated). rng: state, updated. */
int pb_gen_problem(const PbVariant *v, const PbGenOpts *o, uint64_t *rng, int serial, char **pddl, Err *err);
/* The number of Blocksworld states of n blocks (13 for 3, 73 for 4, ...). */
double pb_bw_state_count(int n);
/* A uniformly drawn Blocksworld state: below[i] = block under block i, or
 * -1 for the table. */
void pb_bw_random_state(int n, uint64_t *rng, int *below);
uint64_t pb_rng_next(uint64_t *s);

#endif
