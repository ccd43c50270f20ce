/* react.h: the thought/action/observation loop shared by `react`,
 * `reflexion` and the tool stage of `two-stage`.
 *
 * ag_react_split reads one model turn: the thought and the first action
 * ("Action N: Name[...]", brackets balanced, JSON strings respected); the
 * rest of the turn (a model writing its own observations) is dropped.
 * ag_react_attempt runs the sole-planning loop for at most max_steps
 * turns: Finish[answer] ends it (the suite's extract reads the answer);
 * any other action goes to the suite's "cost" tool set (TravelPlanner:
 * CostEnquiry[day or days]). Strings are malloc'd and
 * owned by the caller. */
#ifndef AG_REACT_H
#define AG_REACT_H

#include "llm.h"

/* Returns 0 with *thought and *action (NULL when the turn has no action). */
int ag_react_split(const char *turn, char **thought, char **action);

/* One react attempt. On return res holds the outcome: AG_DONE (Finish with
 * a readable plan), AG_FAILED (no Finish within the steps: *why says so),
 * or AG_ERROR. The transcript is appended to scratch. reflections may be
 * "" or NULL. Returns IM_OK or an error that stops the run. */
int ag_react_attempt(AgContext *ctx, const SuiteItem *it, const char *reference, const char *reflections, Buf *scratch,
                     AgResult *res, Err *err);

#endif
