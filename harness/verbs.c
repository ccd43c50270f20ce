/* verbs.c: the verb table of `imagine` (shared/STYLE.md #8). One row per
 * verb; `imagine help` and dispatch both read it. */
#include "verbs.h"

#include <stddef.h>

const CliVerb imagine_verbs[] = {
    {"help", cmd_help, "List the verbs, or show one verb's help.", "[VERB]"},
    {"eval", cmd_eval, "Score a submission file exactly as the official TravelPlanner evaluator.", ""},
    {NULL, NULL, NULL, NULL},
};
