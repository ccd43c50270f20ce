/* cost.h: the one cost function and the one room check of TravelPlanner,
 * as the official evaluator counts them (evaluation/hard_constraint.py):
 * flights x people, self-driving per car of 5, taxi per car of 4, meals x
 * people, rooms by maximum occupancy; house rules and room types as the
 * hard checks read them. The evaluator (hard.c), the solver, the greedy
 * baseline and ReAct's cost enquiry all call these; no other file holds a
 * price formula or a room rule. Pure functions: no I/O, thread-safe. */
#ifndef TP_COST_H
#define TP_COST_H

#include <cJSON.h>

#include "db.h"
#include "err.h"
#include "query.h"

/* One leg for a group: flight price x people; a ground leg's unit cost
 * (the distance matrix's) x cars, mode 's' self-driving (5 a car), 't'
 * taxi (4 a car). */
double tp_cost_flight(double price, int people);
double tp_cost_ground(double unit, int people, char mode);
/* A meal for the group: average cost x people. */
double tp_cost_meal(double average_cost, int people);
/* Rooms for the group for one night: the number of rooms
 * ceil(people / occupancy), and their price. occupancy must be > 0. */
double tp_cost_rooms(int people, double occupancy);
double tp_cost_stay(double price, int people, double occupancy);

/* Whether accommodation a satisfies the query's house rule and room type
 * (a NULL constraint is satisfied). */
int tp_house_rule_ok(const char *rule, const char *house_rules);
int tp_room_type_ok(const char *want, const char *room_type);

/* The cost for q's group of one day object or an array of them, with the
 * formulas above, looking entries up as the evaluator does (first row
 * whose name contains the given name in that city). Strict: an entry not
 * in the sandbox is IM_FAIL with err naming it (ReAct's cost enquiry
 * shows that message); *cost is then the sum so far. */
int tp_plan_cost(const TpDb *db, const TpQuery *q, const cJSON *days, double *cost, Err *err);

#endif
