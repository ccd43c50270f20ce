/* commonsense.c: the 8 commonsense checks of the official evaluator
 * (evaluation/commonsense_constraint.py), one function each, in the same
 * order of tests and with the same messages. Pure functions of the plan,
 * the query and the sandbox; the only output is the verdict and what the
 * official code prints (ctx log). */
#include <stdio.h>
#include <string.h>

#include "checkctx.h"

#define MAXCODEPOINTS 4096

/* The cities a day's current_city names: "from A to B" gives [A, B]; any
 * other text gives the text itself, which Python then iterates character by
 * character (the official quirk): each code point is one "city". */
typedef struct Cities {
    TpSpan item[MAXCODEPOINTS];
    int n;
} Cities;

static void split_code_points(Ctx *c, TpSpan s, int day, Cities *out) {
    out->n = 0;
    for (size_t i = 0; i < s.n;) {
        if (out->n == MAXCODEPOINTS) ctx_crash(c, day, "current_city", "longer than 4096 characters");
        size_t len = 1;
        unsigned char b = (unsigned char)s.p[i];
        if (b >= 0xF0) len = 4; else if (b >= 0xE0) len = 3; else if (b >= 0xC0) len = 2;
        if (i + len > s.n) len = s.n - i;
        out->item[out->n].p = s.p + i, out->item[out->n].n = len, out->n++;
        i += len;
    }
}

/* extract_from_to + extract_before_parenthesis on both; crash on None. */
static void from_to_cities(Ctx *c, TpSpan cc, int i, TpSpan *a, TpSpan *b) {
    if (!tp_from_to(cc, a, b)) ctx_crash(c, i + 1, "current_city", "'from' without a parsable 'from A to B'");
    *a = tp_before_paren(*a);
    *b = tp_before_paren(*b);
}

static int span_eq(TpSpan a, TpSpan b) { return a.n == b.n && !memcmp(a.p, b.p, a.n); }

static int span_eq_str(TpSpan a, const char *s) { return tp_span_eq(a, s); }

/* The route of the plan as the official code builds it (city_list). */
static int city_list(Ctx *c, TpSpan *list, TpVerdict *early) {
    int n = 0;
    for (int i = 0; i < c->ndays; i++) {
        const cJSON *u = ctx_day(c, i);
        const cJSON *cv = ctx_get(c, u, i, "current_city");
        if (ctx_in(c, tp_span("from"), cv, i, "current_city")) {
            TpSpan a, b;
            from_to_cities(c, ctx_str(c, cv, i, "current_city"), i, &a, &b);
            if (i == 0 && !span_eq_str(a, c->q->org)) {
                *early = tp_failf("The first day's city should be %s.", c->q->org);
                return -1;
            }
            list[n++] = a, list[n++] = b;
        } else {
            list[n++] = tp_before_paren(ctx_str(c, cv, i, "current_city"));
        }
    }
    return n;
}

static int valid_city_sequence(const TpSpan *l, int n) {
    if (n < 3) return 0;
    TpSpan visited[2 * 8 + 2];
    int nv = 0, i = 0;
    while (i < n) {
        TpSpan city = l[i];
        int seen = 0;
        for (int k = 0; k < nv; k++) seen |= span_eq(visited[k], city);
        if (seen && i != 0 && i != n - 1) return 0;
        int count = 0;
        while (i < n && span_eq(l[i], city)) count++, i++;
        if (count == 1 && 0 < i - 1 && i - 1 < n - 1) return 0;
        visited[nv++] = city;
    }
    return 1;
}

TpVerdict tp_cs_reasonable_city(Ctx *c) {
    TpSpan list[2 * 8];
    TpVerdict early;
    int n = city_list(c, list, &early);
    if (n < 0) return early;
    if (!span_eq(list[0], list[n - 1])) return tp_failf("The trip should be a closed circle.");
    if (!valid_city_sequence(list, n)) return tp_failf("The city sequence is invalid.");
    for (int k = 0; k < n; k++) {
        char city[1024];
        snprintf(city, sizeof city, "%.*s", (int)list[k].n, list[k].p);
        const char *state = strlen(city) == list[k].n ? tp_db_city_state(c->db, city) : NULL;
        if (!state) return tp_failf("%.*s is not a valid city.", (int)list[k].n, list[k].p);
        if (k != 0 && k != n - 1 && c->q->days > 3 && strcmp(state, c->q->dest))
            return tp_failf("%.*s is not in %s.", (int)list[k].n, list[k].p, c->q->dest);
    }
    return tp_pass();
}

TpVerdict tp_cs_restaurants(Ctx *c) {
    static const char *const meal[3] = {"breakfast", "lunch", "dinner"};
    const cJSON *seen[3 * 8];
    int ns = 0;
    for (int i = 0; i < c->ndays; i++) {
        const cJSON *u = ctx_day(c, i);
        for (int m = 0; m < 3; m++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(u, meal[m]);
            if (!py_filled(v)) continue;
            int dup = 0;
            for (int k = 0; k < ns && !dup; k++) dup = cJSON_Compare(seen[k], v, 1);
            if (!dup) {
                seen[ns++] = v;
                continue;
            }
            if (m == 1) {
                char s[1024];
                py_str(v, s, sizeof s);
                return tp_failf("The restaurant in day %d lunch %s is repeated.", i + 1, s);
            }
            return tp_failf("The restaurant in day %d %s is repeated.", i + 1, meal[m]);
        }
    }
    return tp_pass();
}

/* text.split(';')[:-1]: the pieces before each ';'. */
typedef struct Pieces {
    TpSpan p[256];
    int n;
} Pieces;

static void split_attractions(Ctx *c, const cJSON *v, int i, Pieces *out) {
    TpSpan s = ctx_str(c, v, i, "attraction");
    out->n = 0;
    size_t start = 0;
    for (size_t k = 0; k < s.n; k++) {
        if (s.p[k] != ';') continue;
        if (out->n == (int)(sizeof out->p / sizeof out->p[0])) ctx_crash(c, i + 1, "attraction", "more than 256 attractions");
        out->p[out->n].p = s.p + start, out->p[out->n].n = k - start, out->n++;
        start = k + 1;
    }
}

TpVerdict tp_cs_attractions(Ctx *c) {
    TpSpan list[512];
    int nl = 0;
    for (int i = 0; i < c->ndays; i++) {
        const cJSON *u = ctx_day(c, i);
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(u, "attraction");
        if (!py_filled(v)) continue;
        Pieces ps;
        split_attractions(c, v, i, &ps);
        for (int k = 0; k < ps.n; k++) {
            int dup = 0;
            for (int j = 0; j < nl && !dup; j++) dup = span_eq(list[j], ps.p[k]);
            if (dup) return tp_failf("The attraction '%.*s' in day %d is repeated.", (int)ps.p[k].n, ps.p[k].p, i + 1);
            if (nl < (int)(sizeof list / sizeof list[0])) list[nl++] = ps.p[k];
        }
    }
    return tp_pass();
}

TpVerdict tp_cs_accommodation(Ctx *c) {
    const cJSON *vals[8];
    int n = 0;
    for (int i = 0; i < c->ndays; i++) {
        const cJSON *u = ctx_day(c, i);
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(u, "accommodation");
        if (!v) return tp_failf("No Accommodation Info.");
        vals[n++] = v;
    }
    for (int i = 0; i < n;) {
        int j = i;
        while (j < n && cJSON_Compare(vals[j], vals[i], 1)) j++;
        const cJSON *v = vals[i];
        int count = j - i;
        if (!py_blank(v)) {
            TpSpan name, city;
            ctx_name_city(c, ctx_str(c, v, i, "accommodation"), &name, &city);
            int matches, r = ctx_find_acc(c, name, city, &matches);
            if (matches == 1 && count < c->db->acc[r].minimum_nights)
                return tp_failf("The accommodation %s do not obey the minumum nights rule.", v->valuestring);
        }
        i = j;
    }
    return tp_pass();
}

/* transportation_match(): 'Taxi', 'Self-driving', 'Flight' or None (0). */
static char transport_kind(Ctx *c, const cJSON *v, int i) {
    TpSpan s = ctx_str(c, v, i, "transportation");
    if (span_icontains(s, "taxi")) return 'T';
    if (span_icontains(s, "self-driving")) return 'S';
    if (span_icontains(s, "flight")) return 'F';
    return 0;
}

TpVerdict tp_cs_transportation(Ctx *c) {
    const cJSON *t0 = ctx_get(c, ctx_day(c, 0), 0, "transportation");
    if (!py_filled(t0)) return tp_failf("The transportation in day 1 should not be empty.");
    int has[128] = {0};
    has[(unsigned char)transport_kind(c, t0, 0)] = 1;
    for (int i = 0; i < c->ndays; i++) {
        const cJSON *u = ctx_day(c, i);
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(u, "transportation");
        if (py_filled(v)) has[(unsigned char)transport_kind(c, v, i)] = 1;
    }
    if ((has['S'] && has['F']) || (has['T'] && has['S'])) return tp_failf("The transportation is conflicting.");
    return tp_pass();
}

/* The day's final_city_list: [A, B] for "from A to B", else the
 * characters of the text. */
static void day_cities(Ctx *c, const cJSON *u, int i, Cities *out) {
    const cJSON *cv = ctx_get(c, u, i, "current_city");
    if (ctx_in(c, tp_span("from"), cv, i, "current_city")) {
        TpSpan a, b;
        from_to_cities(c, ctx_str(c, cv, i, "current_city"), i, &a, &b);
        out->item[0] = a, out->item[1] = b, out->n = 2;
    } else {
        split_code_points(c, tp_before_paren(ctx_str(c, cv, i, "current_city")), i + 1, out);
    }
}

static int any_city_in(Ctx *c, const Cities *cs, const cJSON *v, int i, const char *field) {
    for (int k = 0; k < cs->n; k++)
        if (ctx_in(c, cs->item[k], v, i, field)) return 1;
    return 0;
}

static TpVerdict current_city_day(Ctx *c, const cJSON *u, int i) {
    static const char *const meal[3] = {"breakfast", "lunch", "dinner"};
    Cities cs;
    day_cities(c, u, i, &cs);
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(u, "transportation");
    if (py_filled(t))
        for (int k = 0; k < cs.n; k++)
            if (!ctx_in(c, cs.item[k], t, i, "transportation"))
                return tp_failf("The transportation in day %d is invalid city choice.", i + 1);
    for (int m = 0; m < 3; m++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(u, meal[m]);
        if (py_filled(v) && !any_city_in(c, &cs, v, i, meal[m]))
            return tp_failf("The %s in day %d is invalid city choice.", meal[m], i + 1);
    }
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(u, "attraction");
    if (py_filled(a)) {
        Pieces ps;
        split_attractions(c, a, i, &ps);
        for (int k = 0; k < ps.n; k++) {
            int found = 0;
            for (int j = 0; j < cs.n && !found; j++) found = tp_span_contains(ps.p[k], cs.item[j].p, cs.item[j].n);
            if (!found) return tp_failf("The attraction in day %d is invalid city choice.", i + 1);
        }
    }
    const cJSON *acc = cJSON_GetObjectItemCaseSensitive(u, "accommodation");
    if (py_filled(acc)) {
        if (cs.n == 0) ctx_crash(c, i + 1, "current_city", "empty city list (index out of range)");
        if (!ctx_in(c, cs.item[cs.n - 1], acc, i, "accommodation"))
            return tp_failf("The accommodation in day %d is invalid city choice.", i + 1);
    }
    return tp_pass();
}

TpVerdict tp_cs_current_city(Ctx *c) {
    for (int i = 0; i < c->ndays; i++) {
        TpVerdict v = current_city_day(c, ctx_day(c, i), i);
        if (v.value == 0) return v;
    }
    return tp_pass();
}

/* Within Sandbox, the transportation of one day. */
static TpVerdict sandbox_transport(Ctx *c, const cJSON *u, int i) {
    const cJSON *tv = ctx_get(c, u, i, "transportation");
    if (!py_filled(tv)) return tp_pass();
    TpSpan value = ctx_str(c, tv, i, "transportation"), org, dest;
    int ok = tp_from_to(value, &org, &dest);
    if (!ok) ok = tp_from_to(ctx_str(c, ctx_get(c, u, i, "current_city"), i, "current_city"), &org, &dest);
    if (span_icontains(value, "flight number")) {
        if (!ok) ctx_crash(c, i + 1, "transportation", "the flight's cities cannot be parsed");
        org = tp_before_paren(org), dest = tp_before_paren(dest);
        TpSpan num = ctx_flight_number(c, value, i);
        char nb[256], ob[1024], db[1024];
        int found = num.n < sizeof nb && org.n < sizeof ob && dest.n < sizeof db;
        if (found) {
            snprintf(nb, sizeof nb, "%.*s", (int)num.n, num.p);
            snprintf(ob, sizeof ob, "%.*s", (int)org.n, org.p);
            snprintf(db, sizeof db, "%.*s", (int)dest.n, dest.p);
            found = tp_db_find_flight(c->db, nb, ob, db) >= 0;
        }
        if (!found) return tp_failf("The flight number in day %d is invalid in the sandbox.", i + 1);
    } else if (span_icontains(value, "self-driving") || span_icontains(value, "taxi")) {
        if (ok) {
            org = tp_before_paren(org), dest = tp_before_paren(dest);
        } else {
            org = dest = tp_span("-");
            if (c->log)
                buf_printf(c->log, "The transportation %.*s in day %d can not be parsed and '-' will be used instead.\n",
                           (int)value.n, value.p, i + 1);
        }
        long cost;
        int self = span_icontains(value, "self-driving");
        if (!ctx_distance_cost(c, org, dest, self ? 's' : 't', &cost))
            return tp_failf("The %s in day %d is invalid in the sandbox.", self ? "self-driving" : "taxi", i + 1);
    }
    return tp_pass();
}

static TpVerdict sandbox_day(Ctx *c, const cJSON *u, int i) {
    static const char *const meal[3] = {"breakfast", "lunch", "dinner"};
    TpVerdict v = sandbox_transport(c, u, i);
    if (v.value == 0) return v;
    TpSpan name, city;
    for (int m = 0; m < 3; m++) {
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(u, meal[m]);
        if (!py_filled(x)) continue;
        ctx_name_city(c, ctx_str(c, x, i, meal[m]), &name, &city);
        if (ctx_find_rest(c, name, city) < 0) return tp_failf("The %s in day %d is invalid in the sandbox.", meal[m], i + 1);
    }
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(u, "attraction");
    if (py_filled(a)) {
        Pieces ps;
        split_attractions(c, a, i, &ps);
        for (int k = 0; k < ps.n; k++) {
            ctx_name_city(c, ps.p[k], &name, &city);
            if (ctx_find_attr(c, name, city) < 0)
                return tp_failf("The attraction %.*s in day %d is invalid in the sandbox.", (int)ps.p[k].n, ps.p[k].p, i + 1);
        }
    }
    const cJSON *acc = cJSON_GetObjectItemCaseSensitive(u, "accommodation");
    if (py_filled(acc)) {
        ctx_name_city(c, ctx_str(c, acc, i, "accommodation"), &name, &city);
        if (ctx_find_acc(c, name, city, NULL) < 0) return tp_failf("The accommodation in day %d is invalid in the sandbox.", i + 1);
    }
    return tp_pass();
}

TpVerdict tp_cs_sandbox(Ctx *c) {
    for (int i = 0; i < c->ndays; i++) {
        TpVerdict v = sandbox_day(c, ctx_day(c, i), i);
        if (v.value == 0) return v;
    }
    return tp_pass();
}

/* is_valid_days */
static int valid_days(Ctx *c) {
    int lens = 0;
    for (int i = 0; i < c->ndays; i++) {
        const cJSON *u = cJSON_GetArrayItem(c->plan, i);
        if (cJSON_IsObject(u) && !u->child) continue; /* {} */
        u = ctx_day(c, i);
        if (!py_eq(ctx_get(c, u, i, "current_city"), "You don't need to fill in the information for this or later days."))
            lens++;
    }
    return lens == c->q->days;
}

/* is_valid_visiting_city_number */
static int valid_city_number(Ctx *c) {
    TpSpan set[2 * 8 + 2];
    int n = 0;
    for (int i = 0; i < c->ndays; i++) {
        const cJSON *cv = ctx_get(c, ctx_day(c, i), i, "current_city");
        TpSpan add[2];
        int k = 0;
        if (ctx_in(c, tp_span("from"), cv, i, "current_city")) {
            from_to_cities(c, ctx_str(c, cv, i, "current_city"), i, &add[0], &add[1]);
            if (i == 0 && !span_eq_str(add[0], c->q->org)) return 0;
            k = 2;
        } else {
            add[0] = tp_before_paren(ctx_str(c, cv, i, "current_city")), k = 1;
        }
        for (int j = 0; j < k; j++) {
            int dup = 0;
            for (int s = 0; s < n && !dup; s++) dup = span_eq(set[s], add[j]);
            if (!dup) set[n++] = add[j];
        }
    }
    int distinct = 0;
    for (int s = 0; s < n; s++) distinct += !span_eq_str(set[s], c->q->org);
    return distinct == c->q->visiting_city_number;
}

static TpVerdict absent_day(Ctx *c, const cJSON *u, int i, int *valid) {
    static const char *const keys[6] = {"transportation", "breakfast", "lunch", "dinner", "attraction", "accommodation"};
    static const char *const msgs[6] = {"No Transportation Info.", "No Breakfast Info.", "No Lunch Info.",
                                        "No Dinner Info.", "No Attraction Info.", "No Accommodation Info."};
    for (int k = 0; k < 6; k++)
        if (!ctx_has(u, keys[k])) return tp_failf("%s", msgs[k]);
    const cJSON *cc = ctx_get(c, u, i, "current_city");
    const cJSON *t = ctx_get(c, u, i, "transportation"), *a = ctx_get(c, u, i, "attraction");
    const cJSON *acc = ctx_get(c, u, i, "accommodation");
    const cJSON *b = ctx_get(c, u, i, "breakfast"), *l = ctx_get(c, u, i, "lunch"), *d = ctx_get(c, u, i, "dinner");
    int from_ = ctx_in(c, tp_span("from "), cc, i, "current_city");
    if ((from_ || ctx_in(c, tp_span("to "), cc, i, "current_city")) && py_blank(t))
        return tp_failf("No transportation in day %d is not allowed.", i + 1);
    if (!from_ && !ctx_in(c, tp_span(" to "), cc, i, "current_city") && py_blank(a))
        return tp_failf("No attaction in day %d is not allowed.", i + 1);
    if (i != c->q->days - 1 && py_blank(acc)) return tp_failf("No accommodation in day %d is not allowed.", i + 1);
    if ((py_blank(b) || py_blank(l) || py_blank(d)) && !from_) return tp_failf("No meal in day %d is not allowed.", i + 1);
    const cJSON *it;
    cJSON_ArrayForEach(it, u) *valid += py_filled(it);
    return tp_pass();
}

TpVerdict tp_cs_not_absent(Ctx *c) {
    int needed = 6 * c->q->days, valid = 0;
    if (!valid_days(c)) return tp_failf("Invalid Days");
    if (!valid_city_number(c)) return tp_failf("Invalid City Number");
    for (int i = 0; i < c->ndays; i++) {
        TpVerdict v = absent_day(c, ctx_day(c, i), i, &valid);
        if (v.value == 0) return v;
    }
    if (valid * 1.0 / needed < 0.5) return tp_failf("The absent information is more than 50%%.");
    return tp_pass();
}
