/* prompts.h: the prompt templates of agents/prompts/NAME.txt, embedded at
 * build time with their SHA-256 (so a change of text changes the hash a
 * run records and, through the messages, the cache key).
 *
 * A template names its slots {{slot}}; ag_prompt_render fills them. All
 * prompt data is static; rendering appends to a caller's Buf. */
#ifndef AG_PROMPTS_H
#define AG_PROMPTS_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

typedef struct AgPrompt {
    const char *name;   /* file name without .txt */
    const char *text;   /* NUL-terminated */
    size_t len;
    const char *sha256; /* hex of the file's bytes */
} AgPrompt;

/* The prompt called name, or NULL. */
const AgPrompt *ag_prompt(const char *name);
/* Appends the template with each {{slot}} replaced by the value of the
 * same name (names[i] -> values[i]). An unknown slot is an error (IM_IO)
 * naming the prompt and the slot. */
int ag_prompt_render(const char *name, const char *const *names, const char *const *values, int n, Buf *out, Err *err);
/* Appends "name:sha256[,name:sha256...]" of the named prompts, for a
 * run's recorded configuration. */
void ag_prompt_versions(const char *const *names, int n, Buf *out);

#endif
