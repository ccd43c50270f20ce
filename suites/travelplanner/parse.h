/* parse.h: model text -> plan (the JSON array of day objects of a
 * submission line's "plan").
 *
 * Accepts, in this order of preference: the last JSON plan in a code fence,
 * the last JSON plan anywhere in the text (an array of day objects, or an
 * object with a "plan" array), then the last "Day 1:" block of the
 * day-by-day text format of the TravelPlanner prompts (Day N: / Current
 * City: / Transportation: / Breakfast: / Attraction: / Lunch: / Dinner: /
 * Accommodation:). Deterministic; needs no model call. JSON values are
 * kept as written; only the keys are normalised ("Current City" ->
 * "current_city", "days" -> "day"). Pure function: no I/O, no globals. */
#ifndef TP_PARSE_H
#define TP_PARSE_H

#include "err.h"

/* On success returns IM_OK and *plan_json (malloc'd, owned by the caller).
 * On failure returns IM_FAIL, *plan_json = NULL, and err says why and
 * where parsing stopped (line and column of the text). */
int tp_parse_plan(const char *text, char **plan_json, Err *err);

#endif
