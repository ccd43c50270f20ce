/* suite_registry.c: finding a suite in suite_registry[] (registry.c, or a
 * test's own list). */
#include <stdio.h>
#include <string.h>

#include "suite.h"

const SuiteOps *suite_find(const char *name) {
    for (const SuiteOps *const *s = suite_registry; name && *s; s++)
        if (!strcmp((*s)->name, name)) return *s;
    return NULL;
}

const char *suite_default_name(void) { return suite_registry[0] ? suite_registry[0]->name : "travelplanner"; }

const char *suite_names(void) {
    static char buf[512];
    size_t k = 0;
    buf[0] = 0;
    for (const SuiteOps *const *s = suite_registry; *s && k < sizeof buf; s++)
        k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%s", s == suite_registry ? "" : ", ", (*s)->name);
    return buf;
}
