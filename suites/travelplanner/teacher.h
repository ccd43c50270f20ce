/* teacher.h: the programmatic teacher of IMAGINE's multi-agent system for
 * TravelPlanner (issue 15): the pieces that let the `mas` method run with
 * no model at all (`solver` Reasoner and Reflector, `rule` Judge).
 *
 *   tp_teacher_trace       a reasoning text for a plan, written from the
 *                          sandbox as the solver weighs it: for each leg the
 *                          transport options with their costs and which one
 *                          is taken, for each stay the place, its price,
 *                          rooms and the cheaper places passed over and why,
 *                          the meals and attractions, and the total against
 *                          the budget
 *   tp_teacher_perturb     one error put into a plan (a repeated restaurant,
 *                          a meal in a city off the route, a missing stay,
 *                          a flight that does not exist, a dearer stay),
 *                          chosen from those that apply by a seed
 *   tp_teacher_reflection  the errors of a plan as the official checks name
 *                          them, and each field that the correction changes
 *   tp_teacher_rule_ok     the `rule` Judge: every official check passes
 *
 * Pure functions of the database, the query and the plan (cJSON array of
 * day objects); output appended to the caller's Buf; thread-safe. */
#ifndef TP_TEACHER_H
#define TP_TEACHER_H

#include <cJSON.h>

#include "buf.h"
#include "err.h"
#include "db.h"
#include "query.h"

void tp_teacher_trace(const TpDb *db, const TpQuery *q, const cJSON *plan, Buf *out);
/* Returns 1 and modifies plan (describing the error in `what`), or 0 when
 * no kind of error applies to this plan. */
int tp_teacher_perturb(const TpDb *db, const TpQuery *q, cJSON *plan, unsigned long long seed, Buf *what);
void tp_teacher_reflection(const TpDb *db, const TpQuery *q, const cJSON *plan, const cJSON *fixed, Buf *out);
int tp_teacher_rule_ok(const TpDb *db, const TpQuery *q, const cJSON *plan);

/* The teacher through the suite interface (suite_solve, suite.h):
 *   "teacher"          options {"error_rate": R, "seed": S}: the exact
 *                      solver over the item's reference information (the
 *                      text every prompt shows, tp_reference_info), the
 *                      plan perturbed with probability R (decided by S),
 *                      answer_json the plan, log the reasoning trace
 *   "teacher-reflect"  options {"answer": PLAN}: answer_json the solver's
 *                      plan, log the reflection on PLAN
 * Other statuses as the solver's. */
struct SuiteSolution;
int tp_teacher_solve(const TpDb *db, const TpQuery *q, const char *solver, const char *options_json,
                     struct SuiteSolution *out, Err *err);

#endif
