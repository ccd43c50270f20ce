/* cost.c: the one cost function and the one room check (cost.h). */
#include "cost.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- formulas ------------------------------------------------------------- */

double tp_cost_flight(double price, int people) { return price * people; }

double tp_cost_ground(double unit, int people, char mode) { return unit * ceil(people / (mode == 't' ? 4.0 : 5.0)); }

double tp_cost_meal(double average_cost, int people) { return average_cost * people; }

double tp_cost_rooms(int people, double occupancy) { return ceil(people * 1.0 / occupancy); }

double tp_cost_stay(double price, int people, double occupancy) { return price * tp_cost_rooms(people, occupancy); }

/* ---- rules ---------------------------------------------------------------- */

int tp_house_rule_ok(const char *rule, const char *house_rules) {
    static const char *const rules[5][2] = {{"smoking", "No smoking"}, {"parties", "No parties"},
                                            {"children under 10", "No children under 10"},
                                            {"visitors", "No visitors"}, {"pets", "No pets"}};
    if (!rule) return 1;
    for (int k = 0; k < 5; k++)
        if (!strcmp(rule, rules[k][0]) && strstr(house_rules, rules[k][1])) return 0;
    return 1;
}

int tp_room_type_ok(const char *want, const char *type) {
    if (!want) return 1;
    return !((!strcmp(want, "not shared room") && !strcmp(type, "Shared room")) ||
             (!strcmp(want, "shared room") && strcmp(type, "Shared room")) ||
             (!strcmp(want, "private room") && strcmp(type, "Private room")) ||
             (!strcmp(want, "entire room") && strcmp(type, "Entire home/apt")));
}

/* ---- a (sub-)plan ----------------------------------------------------------- */

static const char *str_of(const cJSON *day, const char *k) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(day, k);
    return cJSON_IsString(v) ? v->valuestring : "-";
}

/* "Name, City" -> name and city (split at the last ", "). */
static int name_city(const char *s, char **name, char **city) {
    const char *c = NULL;
    for (const char *p = s; (p = strstr(p, ", ")); p++) c = p;
    if (!c) return -1;
    *name = strndup(s, (size_t)(c - s));
    *city = strdup(c + 2);
    return 0;
}

/* "..., from A to B, ..." -> A and B. */
static int from_to(const char *s, char **a, char **b) {
    const char *f = strstr(s, "from ");
    const char *t = f ? strstr(f + 5, " to ") : NULL;
    if (!t) return -1;
    const char *e = strchr(t + 4, ',');
    *a = strndup(f + 5, (size_t)(t - f - 5));
    *b = e ? strndup(t + 4, (size_t)(e - t - 4)) : strdup(t + 4);
    return 0;
}

static int transport_cost(const TpDb *db, int people, const char *t, double *cost, Err *err) {
    char *a = NULL, *b = NULL;
    int rc = IM_OK;
    if (!strncmp(t, "Flight Number:", 14)) {
        char num[64] = {0};
        sscanf(t + 14, " %63[^,]", num);
        from_to(t, &a, &b);
        int r = tp_db_find_flight(db, num, a, b);
        if (r < 0) r = tp_db_find_flight(db, num, NULL, NULL);
        if (r < 0) rc = err_set(err, IM_FAIL, "no flight %s in the sandbox", num);
        else *cost += tp_cost_flight(db->flight[r].price, people);
    } else if (from_to(t, &a, &b) == 0) {
        char mode = strstr(t, "axi") != NULL ? 't' : 's';
        long c = 0;
        if (!tp_db_distance_cost(db, a, b, mode, &c))
            rc = err_set(err, IM_FAIL, "no %s route from %s to %s in the sandbox", mode == 't' ? "taxi" : "self-driving", a, b);
        else *cost += tp_cost_ground((double)c, people, mode);
    } else
        rc = err_set(err, IM_FAIL, "transportation '%.80s' names no flight and no 'from A to B'", t);
    free(a), free(b);
    return rc;
}

static int day_cost(const TpDb *db, const TpQuery *q, const cJSON *day, double *cost, Err *err) {
    int people = q->people_number > 0 ? q->people_number : 1;
    const char *t = str_of(day, "transportation");
    int rc = strcmp(t, "-") && *t ? transport_cost(db, people, t, cost, err) : IM_OK;
    static const char *const meals[] = {"breakfast", "lunch", "dinner"};
    for (int m = 0; m < 3 && !rc; m++) {
        const char *s = str_of(day, meals[m]);
        if (!strcmp(s, "-") || !*s) continue;
        char *name, *city;
        if (name_city(s, &name, &city)) {
            rc = err_set(err, IM_FAIL, "%s '%.80s' is not 'Name, City'", meals[m], s);
            break;
        }
        int r = tp_db_find_rest(db, name, city);
        if (r < 0) rc = err_set(err, IM_FAIL, "no restaurant '%s' in %s in the sandbox", name, city);
        else *cost += tp_cost_meal(db->rest[r].average_cost, people);
        free(name), free(city);
    }
    const char *acc = str_of(day, "accommodation");
    if (!rc && strcmp(acc, "-") && *acc) {
        char *name, *city;
        if (name_city(acc, &name, &city)) return err_set(err, IM_FAIL, "accommodation '%.80s' is not 'Name, City'", acc);
        int r = tp_db_find_acc(db, name, city, NULL);
        if (r < 0) rc = err_set(err, IM_FAIL, "no accommodation '%s' in %s in the sandbox", name, city);
        else {
            double occ = db->acc[r].maximum_occupancy > 0 ? db->acc[r].maximum_occupancy : 1;
            *cost += tp_cost_stay(db->acc[r].price, people, occ);
        }
        free(name), free(city);
    }
    return rc;
}

int tp_plan_cost(const TpDb *db, const TpQuery *q, const cJSON *days, double *cost, Err *err) {
    *cost = 0;
    if (cJSON_IsObject(days)) return day_cost(db, q, days, cost, err);
    if (!cJSON_IsArray(days)) return err_set(err, IM_FAIL, "expected a day object or an array of days");
    int i = 0;
    for (const cJSON *d = days->child; d; d = d->next, i++) {
        int rc = day_cost(db, q, d, cost, err);
        if (rc) return err_prefix(err, "day %d", i + 1);
    }
    return IM_OK;
}
