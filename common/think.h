/* think.h: the IMAGINE sample format, in one place: the reflection markers,
 * the flattening of a multi-agent trace into one reasoning text, and the
 * split of a model's response into its <think> part and its answer.
 *
 * A flattened sample (issue 15, the paper's stage 2) is exactly
 *   "<think>" REASONING THINK_REFLECTION_OPEN REFLECTION-or-"No errors."
 *   THINK_REFLECTION_CLOSE "</think>" ANSWER
 * with one "\n" between the parts (docs/imagine.md shows a whole sample).
 * The reward (every suite) reads responses with think_split, and counts a
 * reflection with think_has_reflection: one implementation of each rule.
 * Pure functions; no I/O. Spans point into the caller's text. */
#ifndef IMAGINE_THINK_H
#define IMAGINE_THINK_H

#include <stddef.h>

#include "buf.h"

#define THINK_OPEN "<think>"
#define THINK_CLOSE "</think>"
#define THINK_REFLECTION_OPEN "REFLECTION(Now, I need to reflect on whether there are any errors in my reasoning above):"
#define THINK_NO_ERRORS "No errors."
#define THINK_REFLECTION_CLOSE "The reflection is over, now IMMEDIATELY output the final answer!"

/* Appends the flattened assistant text. reflection NULL or empty: the
 * judges found no errors, and THINK_NO_ERRORS is written in its place. */
void think_flatten(Buf *out, const char *reasoning, const char *reflection, const char *answer);

typedef struct ThinkSplit {
    const char *reasoning; size_t reasoning_len; /* between <think> and </think> */
    const char *answer; size_t answer_len;       /* after </think>, surrounding white space trimmed */
    const char *error;                           /* NULL when well formed; else why (static) */
} ThinkSplit;

/* Splits a response into reasoning and answer. Well formed: optional white
 * space, then "<think>" (unless open_optional: a chat template may have
 * put it in the prompt), then text, then the first "</think>", then a
 * non-empty answer. On error the spans that were found are still set. */
int think_split(const char *text, int open_optional, ThinkSplit *out);

/* 1 when the reasoning span contains pattern (a plain substring; the
 * default pattern is THINK_REFLECTION_OPEN). */
int think_has_reflection(const char *reasoning, size_t len, const char *pattern);

/* What a flattened text holds after the REFLECTION marker: 0 no marker
 * (a single-agent trace), 1 THINK_NO_ERRORS (the Judges found none), 2 a
 * reflection (a Judge found errors and the Reflector wrote one). */
int think_reflection_kind(const char *text);

/* The JSON text of an answer: the span itself, or the inside of one
 * Markdown code fence (```json ... ``` or ``` ... ```) that is the whole
 * answer. Sets *b and *n to the span. */
void think_answer_json(const char *answer, size_t len, const char **b, size_t *n);

#endif
