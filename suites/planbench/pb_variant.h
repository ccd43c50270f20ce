/* pb_variant.h: one PlanBench variant (blocksworld, blocksworld_3,
 * mystery_blocksworld, mystery_blocksworld_3, logistics, or any other
 * configs/NAME.yaml of the same form) opened from the data folder: its
 * config, its PDDL domain, what the extraction needs, and its problems.
 *
 * The data folder holds configs/, instances/, prompts/ and results/. It is
 * --data DIR, else $IMAGINE_PLANBENCH_DATA, else ../shared/planbench beside
 * the source tree (pb_data_dir). A PbVariant owns everything it points to;
 * pb_variant_close accepts NULL. Problems are read on demand and cached
 * by instance id. */
#ifndef IMAGINE_PB_VARIANT_H
#define IMAGINE_PB_VARIANT_H

#include "pb_extract.h"
#include "pb_pddl.h"
#include "pb_yaml.h"

typedef struct PbVariant {
    char *name, *dir;      /* variant name, data folder */
    PbYaml *cfg;
    PbDomain *dom;
    PbExtractCfg x;
    const char **act_names; /* for x */
    int *act_arity;
    int start, end;        /* the config's instance range */
    PbProblem **probs;     /* cache, index id - 1 */
    int nprobs;
} PbVariant;

/* The five variants of task 1 (NULL-terminated). */
extern const char *const pb_variant_names[];

const char *pb_data_dir(const char *flag);
int pb_variant_open(const char *dir, const char *name, PbVariant **out, Err *err);
void pb_variant_close(PbVariant *v);
/* The problem of instance id (borrowed; cached). */
int pb_variant_problem(PbVariant *v, int id, const PbProblem **out, Err *err);
/* Path of instance id's problem file (malloc'd). */
char *pb_variant_problem_path(const PbVariant *v, int id);

#endif
