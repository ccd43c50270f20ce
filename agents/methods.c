/* methods.c: finding planning methods (each lives in agents/m_NAME.c and
 * defines `const AgMethod ag_method_NAME`; CMake generates the table), and
 * the lifetime of an AgResult with its call log. */
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
    for (int i = 0; i < r->n_call_log; i++) {
        AgCall *c = &r->call_log[i];
        free(c->model), free(c->finish_reason), free(c->error);
    }
    free(r->call_log);
    memset(r, 0, sizeof *r);
}

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

int ag_result_add_call(AgResult *r, const AgCall *c) {
    if (r->n_call_log == r->cap_call_log) {
        int cap = r->cap_call_log ? 2 * r->cap_call_log : 4;
        AgCall *grown = realloc(r->call_log, (size_t)cap * sizeof *grown);
        if (!grown) return IM_IO;
        r->call_log = grown, r->cap_call_log = cap;
    }
    AgCall *d = &r->call_log[r->n_call_log];
    *d = *c;
    d->model = dup_or_null(c->model), d->finish_reason = dup_or_null(c->finish_reason), d->error = dup_or_null(c->error);
    if ((c->model && !d->model) || (c->finish_reason && !d->finish_reason) || (c->error && !d->error)) {
        free(d->model), free(d->finish_reason), free(d->error);
        return IM_IO;
    }
    r->n_call_log++;
    return IM_OK;
}
