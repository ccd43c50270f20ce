/* prompts.c: finding and filling the embedded prompt templates. Pure
 * functions over static data (the table is generated, prompts_data.c). */
#include "prompts.h"

#include <string.h>

extern const AgPrompt ag_prompt_table[];

const AgPrompt *ag_prompt(const char *name) {
    for (const AgPrompt *p = ag_prompt_table; p->name; p++)
        if (!strcmp(p->name, name)) return p;
    return NULL;
}

int ag_prompt_render(const char *name, const char *const *names, const char *const *values, int n, Buf *out, Err *err) {
    const AgPrompt *p = ag_prompt(name);
    if (!p) return err_set(err, IM_IO, "no prompt agents/prompts/%s.txt in this build", name);
    const char *s = p->text;
    for (;;) {
        const char *open = strstr(s, "{{");
        if (!open) break;
        const char *close = strstr(open + 2, "}}");
        if (!close) break;
        buf_append(out, s, (size_t)(open - s));
        size_t k = (size_t)(close - open - 2);
        int found = 0;
        for (int i = 0; i < n && !found; i++)
            if (strlen(names[i]) == k && !strncmp(names[i], open + 2, k)) {
                buf_puts(out, values[i] ? values[i] : "");
                found = 1;
            }
        if (!found) return err_set(err, IM_IO, "prompt agents/prompts/%s.txt: no value for slot {{%.*s}}", name, (int)k, open + 2);
        s = close + 2;
    }
    buf_puts(out, s);
    return IM_OK;
}

void ag_prompt_versions(const char *const *names, int n, Buf *out) {
    for (int i = 0; i < n; i++) {
        const AgPrompt *p = ag_prompt(names[i]);
        buf_printf(out, "%s%s:%s", i ? "," : "", names[i], p ? p->sha256 : "missing");
    }
}
