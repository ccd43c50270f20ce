/* registry.c: the suites of imagine, one line each (suite.h). Adding a
 * suite: its folder suites/NAME/ and one line here. */
#include "suite.h"

extern const SuiteOps suite_travelplanner;

const SuiteOps *const suite_registry[] = {
    &suite_travelplanner,
    NULL};
