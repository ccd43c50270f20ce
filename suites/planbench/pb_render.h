/* pb_render.h: PDDL -> the benchmark's English, with the variant's config:
 * an action through its `actions` template ("unstack the {} from on top of
 * the {}"), an object through `encoded_objects` (a -> "red block";
 * Logistics l1-0 -> "location_1_0"), an atom through `predicates`. Used for
 * solver answers, zero-shot prompts and generated problems.
 * Pure functions; returned strings are malloc'd (caller frees). */
#ifndef IMAGINE_PB_RENDER_H
#define IMAGINE_PB_RENDER_H

#include "buf.h"
#include "pb_variant.h"

/* "(stack a b)" -> "stack the red block on top of the blue block"; NULL
 * when the step is not an action of the variant. */
char *pb_render_step(const PbVariant *v, const char *step);
/* An object's English name (a -> "red block", p0 -> "package_0"). */
void pb_render_object(const PbVariant *v, const char *obj, Buf *out);
/* A ground atom through `predicates` ("the red block is clear"); appends
 * nothing for predicates rendered as "" (Logistics' type predicates). */
int pb_render_atom(const PbVariant *v, const PbProblem *p, const PbAtom *a, Buf *out);
/* A plan text (one action a line) as English lines, "[PLAN END]" last. */
char *pb_render_plan(const PbVariant *v, char *const *steps, int n);

#endif
