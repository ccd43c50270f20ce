/* strict.h (tests): a plan checker without the official evaluator's blind
 * spots: flights must fly on the day's date, names must equal a database
 * row's name exactly (no substring match), every day's city must be a real
 * city (no character iteration) of the query's destination (the city of
 * a 3-day trip, a city of the state otherwise; the evaluator checks the
 * state only), one accommodation per night whose own
 * row satisfies minimum nights, room type and house rule, and the budget
 * holds with each row's own price. Returns NULL when the plan passes, else
 * a static message naming the day. */
#ifndef TEST_STRICT_H
#define TEST_STRICT_H

#include <cJSON.h>

#include "db.h"
#include "query.h"

const char *strict_check(const TpDb *db, const TpQuery *q, const cJSON *plan);

#endif
