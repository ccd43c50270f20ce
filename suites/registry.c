/* registry.c: the suites of imagine (suite.h), listed in registry.def one
 * line each: SUITE(NAME) for a `const SuiteOps suite_NAME` of
 * suites/NAME/. Adding a suite: its folder and one line in registry.def.
 * The first suite is the default (--suite travelplanner). A test binary
 * may compile this file over its own registry.def (tests/suite/fixture). */
#include "suite.h"

#define SUITE(name) extern const SuiteOps suite_##name;
#include <registry.def> /* from the include path: a test may put its own first */
#undef SUITE

#define SUITE(name) &suite_##name,
const SuiteOps *const suite_registry[] = {
#include <registry.def> /* from the include path: a test may put its own first */
    NULL};
#undef SUITE
