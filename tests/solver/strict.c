/* strict.c (tests): see strict.h. */
#include "strict.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static char msg[4096];

#define FAIL(...) return (snprintf(msg, sizeof msg, __VA_ARGS__), msg)

static const char *str(const cJSON *day, const char *k) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(day, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* "Name, City" split at the last ", "; 0 when malformed. */
static int split(const char *s, char *name, char *city) {
    const char *c = NULL;
    for (const char *p = strstr(s, ", "); p; p = strstr(p + 1, ", ")) c = p;
    if (!c || (size_t)(c - s) >= 512 || strlen(c + 2) >= 512) return 0;
    memcpy(name, s, (size_t)(c - s)), name[c - s] = 0;
    strcpy(city, c + 2);
    return 1;
}

static int exact_rest(const TpDb *db, const char *name, const char *city) {
    const TpIndexList *l = tp_db_rest_in(db, city);
    for (int i = 0; i < l->n; i++)
        if (!strcmp(db->rest[l->idx[i]].name, name)) return l->idx[i];
    return -1;
}
static int exact_attr(const TpDb *db, const char *name, const char *city) {
    const TpIndexList *l = tp_db_attr_in(db, city);
    for (int i = 0; i < l->n; i++)
        if (!strcmp(db->attr[l->idx[i]].name, name)) return l->idx[i];
    return -1;
}
static int exact_acc(const TpDb *db, const char *name, const char *city) {
    const TpIndexList *l = tp_db_acc_in(db, city);
    for (int i = 0; i < l->n; i++)
        if (!strcmp(db->acc[l->idx[i]].name, name)) return l->idx[i];
    return -1;
}

const char *strict_check(const TpDb *db, const TpQuery *q, const cJSON *plan) {
    int D = q->days;
    if (!cJSON_IsArray(plan) || cJSON_GetArraySize(plan) != D) FAIL("plan must have %d days", D);
    char here[512], name[512], city[512];
    snprintf(here, sizeof here, "%s", q->org);
    double cost = 0;
    int acc_row[16], acc_city_ok = 1, visited = 0;
    const char *seen[64];
    int nseen = 0;
    unsigned cuisines = 0;
    char visited_names[8][512];
    for (int d = 0; d < D; d++) {
        const cJSON *day = cJSON_GetArrayItem(plan, d);
        const char *cc = str(day, "current_city"), *tr = str(day, "transportation");
        if (!cc || !tr) FAIL("day %d: current_city and transportation must be strings", d + 1);
        char night[512], from[512] = "";
        if (!strncmp(cc, "from ", 5)) {
            const char *to = strstr(cc, " to ");
            if (!to || (size_t)(to - cc - 5) >= 512) FAIL("day %d: current_city '%s'", d + 1, cc);
            char a[512];
            memcpy(a, cc + 5, (size_t)(to - cc - 5)), a[to - cc - 5] = 0;
            if (strcmp(a, here)) FAIL("day %d: leaves %s but the traveller is in %s", d + 1, a, here);
            snprintf(from, sizeof from, "%s", a);
            snprintf(here, sizeof here, "%s", to + 4);
            if (!tp_db_city_state(db, here)) FAIL("day %d: %s is not a city", d + 1, here);
            char num[64], dep[16], arr[16];
            if (sscanf(tr, "Flight Number: %63[^,], from", num) == 1) {
                char expect[1200];
                int found = 0;
                for (int i = 0; i < db->n_flight && !found; i++) {
                    const TpFlight *f = &db->flight[i];
                    if (strcmp(f->number, num) || strcmp(f->origin, a) || strcmp(f->dest, here) ||
                        strcmp(f->date, q->date[d]))
                        continue;
                    snprintf(dep, sizeof dep, "%s", f->dep_time), snprintf(arr, sizeof arr, "%s", f->arr_time);
                    snprintf(expect, sizeof expect, "Flight Number: %s, from %s to %s, Departure Time: %s, Arrival Time: %s",
                             num, a, here, dep, arr);
                    found = !strcmp(expect, tr);
                    cost += f->price * q->people_number;
                }
                if (!found) FAIL("day %d: flight %s does not fly %s -> %s on %s as written", d + 1, num, a, here, q->date[d]);
            } else {
                int self = !strncmp(tr, "Self-driving, from ", 19), taxi = !strncmp(tr, "Taxi, from ", 11);
                long unit;
                if (!self && !taxi) FAIL("day %d: transportation '%s'", d + 1, tr);
                if (!tp_db_distance_cost(db, a, here, self ? 's' : 't', &unit)) FAIL("day %d: no route %s -> %s", d + 1, a, here);
                cost += unit * ceil(q->people_number / (self ? 5.0 : 4.0));
            }
        } else {
            if (strcmp(cc, here)) FAIL("day %d: current_city '%s' but the traveller is in %s", d + 1, cc, here);
            if (strcmp(tr, "-")) FAIL("day %d: transportation on a day without travel", d + 1);
        }
        snprintf(night, sizeof night, "%s", here);
        if (strcmp(here, q->org)) {
            /* the query's destination: the city of a 3-day trip, else a city of the state */
            const char *st = tp_db_city_state(db, here);
            if (q->days <= 3 ? strcmp(here, q->dest) != 0 : !st || strcmp(st, q->dest) != 0)
                FAIL("day %d: %s is not the destination %s", d + 1, here, q->dest);
            int dup = 0;
            for (int k = 0; k < visited; k++) dup |= !strcmp(visited_names[k], here);
            if (!dup && visited < 8) snprintf(visited_names[visited++], 512, "%s", here);
        }
        static const char *const meal[3] = {"breakfast", "lunch", "dinner"};
        for (int m = 0; m < 3; m++) {
            const char *v = str(day, meal[m]);
            if (!v) FAIL("day %d: %s missing", d + 1, meal[m]);
            if (!strcmp(v, "-")) continue;
            /* a travel day's meals are at either end */
            if (!split(v, name, city) || (strcmp(city, here) && strcmp(city, from)))
                FAIL("day %d: %s '%s' not in %s", d + 1, meal[m], v, here);
            int r = exact_rest(db, name, city);
            if (r < 0) FAIL("day %d: no restaurant named exactly '%s' in %s", d + 1, name, city);
            for (int k = 0; k < nseen; k++)
                if (!strcmp(seen[k], v)) FAIL("day %d: restaurant '%s' repeated", d + 1, v);
            if (nseen < 64) seen[nseen++] = v;
            cost += db->rest[r].average_cost * q->people_number;
            for (int k = 0; q->has_cuisine && k < q->n_cuisine; k++)
                if (strstr(db->rest[r].cuisines, q->cuisine[k])) cuisines |= 1u << k;
        }
        const char *at = str(day, "attraction");
        if (!at) FAIL("day %d: attraction missing", d + 1);
        if (strcmp(at, "-")) {
            char buf[4096];
            snprintf(buf, sizeof buf, "%s", at);
            if (buf[strlen(buf) - 1] != ';') FAIL("day %d: attraction list must end with ';'", d + 1);
            for (char *s = strtok(buf, ";"); s; s = strtok(NULL, ";")) {
                if (!split(s, name, city) || strcmp(city, here) || exact_attr(db, name, city) < 0)
                    FAIL("day %d: attraction '%s' is not one of %s", d + 1, s, here);
            }
        }
        const char *acc = str(day, "accommodation");
        if (!acc) FAIL("day %d: accommodation missing", d + 1);
        if (d < D - 1) {
            if (!split(acc, name, city) || strcmp(city, night)) FAIL("day %d: accommodation '%s' not in %s", d + 1, acc, night);
            acc_row[d] = exact_acc(db, name, city);
            if (acc_row[d] < 0) FAIL("day %d: no accommodation named exactly '%s' in %s", d + 1, name, city);
            const TpAccommodation *x = &db->acc[acc_row[d]];
            cost += x->price * ceil(q->people_number / x->maximum_occupancy);
        } else if (strcmp(acc, "-")) {
            acc_city_ok = 0;
        }
    }
    if (!acc_city_ok) FAIL("accommodation on the last day");
    if (strcmp(here, q->org)) FAIL("the trip ends in %s, not %s", here, q->org);
    if (visited != q->visiting_city_number) FAIL("%d cities visited, %d asked", visited, q->visiting_city_number);
    for (int d = 0; d < D - 1;) {
        int e = d;
        while (e < D - 1 && acc_row[e] == acc_row[d]) e++;
        const TpAccommodation *x = &db->acc[acc_row[d]];
        if (x->minimum_nights > e - d) FAIL("day %d: %s needs %.0f nights, stay is %d", d + 1, x->name, x->minimum_nights, e - d);
        if (q->room_type) {
            const char *w = q->room_type, *t = x->room_type;
            if ((!strcmp(w, "not shared room") && !strcmp(t, "Shared room")) ||
                (!strcmp(w, "shared room") && strcmp(t, "Shared room")) ||
                (!strcmp(w, "private room") && strcmp(t, "Private room")) ||
                (!strcmp(w, "entire room") && strcmp(t, "Entire home/apt")))
                FAIL("day %d: room type %s", d + 1, t);
        }
        if (q->house_rule) {
            char no[64];
            snprintf(no, sizeof no, "No %s", q->house_rule);
            if (strstr(x->house_rules, no)) FAIL("day %d: %s forbids %s", d + 1, x->name, q->house_rule);
        }
        d = e;
    }
    if (q->has_cuisine && cuisines != (1u << q->n_cuisine) - 1) FAIL("cuisines not all served");
    if (cost > q->budget) FAIL("cost %.0f over budget %ld", cost, q->budget);
    return NULL;
}
