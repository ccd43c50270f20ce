/* methods.c: finding planning methods. Each method lives in agents/m_NAME.c
 * and defines `const AgMethod ag_method_NAME`; CMake generates the table. */
#include <stdlib.h>
#include <string.h>

#include "method.h"

extern const AgMethod *const ag_all_methods[];
#define all_methods ag_all_methods

const AgMethod *const *ag_methods(void) { return all_methods; }

const AgMethod *ag_method_find(const char *name) {
    for (const AgMethod *const *m = all_methods; *m; m++)
        if (!strcmp((*m)->name, name)) return *m;
    return NULL;
}

void ag_result_free(AgResult *r) {
    if (!r) return;
    free(r->plan_json), free(r->raw_text), free(r->reasoning), free(r->failure);
    memset(r, 0, sizeof *r);
}
