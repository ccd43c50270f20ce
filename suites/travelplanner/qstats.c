/* qstats.c: `imagine queries stats` for TravelPlanner (the suite's
 * items_stats op): a query file's distributions (levels, days, people,
 * constraints, budgets, solver labels) beside another set, as text or one
 * JSON object. Pure; no I/O. */
#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"
#include "suite_tp.h"

typedef struct Dist {
    int n, level[3], days[3], people[4]; /* people: 1, 2, 3-4, 5-8 */
    int house, cuisine, room, transport;
    int labelled, feasible, infeasible, unknown, inf_budget, inf_transport, inf_other;
    long *budget;
    double *per_pd; /* budget per person-day */
} Dist;

static int cmp_long(const void *a, const void *b) {
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}
static int cmp_dbl(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void dist_of(const SuiteItems *qs, Dist *d) {
    memset(d, 0, sizeof *d);
    d->n = qs->n;
    d->budget = calloc((size_t)qs->n + 1, sizeof *d->budget);
    d->per_pd = calloc((size_t)qs->n + 1, sizeof *d->per_pd);
    if (!d->budget || !d->per_pd) abort();
    for (int i = 0; i < qs->n; i++) {
        const TpQuery *q = tp_suite_query(&qs->item[i]);
        d->level[q->level]++, d->days[tp_days_slot(q->days)]++;
        d->people[q->people_number == 1 ? 0 : q->people_number == 2 ? 1 : q->people_number <= 4 ? 2 : 3]++;
        d->house += !!q->house_rule, d->cuisine += q->has_cuisine, d->room += !!q->room_type, d->transport += !!q->transportation;
        d->budget[i] = q->budget, d->per_pd[i] = (double)q->budget / q->days / q->people_number;
        const char *lab = strstr(q->json, "\"label\": {");
        if (!lab) continue;
        cJSON *l = cJSON_Parse(lab + 9);
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(l, "feasible"), *fam = cJSON_GetObjectItemCaseSensitive(l, "family");
        d->labelled++;
        if (cJSON_IsTrue(f)) d->feasible++;
        else if (cJSON_IsFalse(f)) {
            d->infeasible++;
            const char *fs = cJSON_IsString(fam) ? fam->valuestring : "";
            if (!strcmp(fs, "budget")) d->inf_budget++;
            else if (!strcmp(fs, "transportation")) d->inf_transport++;
            else d->inf_other++;
        } else d->unknown++;
        cJSON_Delete(l);
    }
    qsort(d->budget, (size_t)qs->n, sizeof *d->budget, cmp_long);
    qsort(d->per_pd, (size_t)qs->n, sizeof *d->per_pd, cmp_dbl);
}

static double pct(int k, int n) { return n ? 100.0 * k / n : 0; }
static long qtl(const long *v, int n, double p) { return n ? v[(int)(p * (n - 1) + 0.5)] : 0; }

static void row_pct(Buf *b, const char *name, int k1, const Dist *a, int k2, const Dist *o) {
    buf_printf(b, "%-30s %10.1f %%", name, pct(k1, a->n));
    if (o) buf_printf(b, " %10.1f %%", pct(k2, o->n));
    buf_putc(b, '\n');
}

static void print_stats(const char *path, const Dist *a, const char *split, const Dist *o, int json, Buf *out) {
    Buf b;
    buf_init(&b);
    if (json) {
        const Dist *ds[2] = {a, o};
        const char *names[2] = {path, split};
        buf_putc(&b, '{');
        for (int k = 0; k < 2 && ds[k]; k++) {
            const Dist *d = ds[k];
            if (k) buf_puts(&b, ", ");
            buf_json_str(&b, names[k]);
            buf_printf(&b, ": {\"n\": %d, \"levels\": {\"easy\": %d, \"medium\": %d, \"hard\": %d}, \"days\": {\"3\": %d, \"5\": %d, \"7\": %d}, "
                       "\"people\": {\"1\": %d, \"2\": %d, \"3-4\": %d, \"5-8\": %d}, \"constraints\": {\"house rule\": %d, \"cuisine\": %d, "
                       "\"room type\": %d, \"transportation\": %d}, \"budget\": {\"min\": %ld, \"p25\": %ld, \"median\": %ld, \"p75\": %ld, \"max\": %ld}, "
                       "\"labelled\": %d, \"feasible\": %d, \"infeasible\": %d, \"infeasible_budget\": %d, \"infeasible_transportation\": %d, "
                       "\"infeasible_other\": %d, \"unknown\": %d}",
                       d->n, d->level[0], d->level[1], d->level[2], d->days[0], d->days[1], d->days[2], d->people[0], d->people[1],
                       d->people[2], d->people[3], d->house, d->cuisine, d->room, d->transport, qtl(d->budget, d->n, 0),
                       qtl(d->budget, d->n, .25), qtl(d->budget, d->n, .5), qtl(d->budget, d->n, .75), qtl(d->budget, d->n, 1),
                       d->labelled, d->feasible, d->infeasible, d->inf_budget, d->inf_transport, d->inf_other, d->unknown);
        }
        buf_puts(&b, "}\n");
    } else {
        buf_printf(&b, "%-30s %12s", "", "this file");
        if (o) buf_printf(&b, " %12s", split);
        buf_printf(&b, "\n%-30s %12d", "queries", a->n);
        if (o) buf_printf(&b, " %12d", o->n);
        buf_putc(&b, '\n');
        static const char *const lv[3] = {"level easy", "level medium", "level hard"};
        for (int k = 0; k < 3; k++) row_pct(&b, lv[k], a->level[k], a, o ? o->level[k] : 0, o);
        static const char *const dy[3] = {"days 3", "days 5", "days 7"};
        for (int k = 0; k < 3; k++) row_pct(&b, dy[k], a->days[k], a, o ? o->days[k] : 0, o);
        static const char *const pp[4] = {"people 1", "people 2", "people 3-4", "people 5-8"};
        for (int k = 0; k < 4; k++) row_pct(&b, pp[k], a->people[k], a, o ? o->people[k] : 0, o);
        row_pct(&b, "constraint house rule", a->house, a, o ? o->house : 0, o);
        row_pct(&b, "constraint cuisine", a->cuisine, a, o ? o->cuisine : 0, o);
        row_pct(&b, "constraint room type", a->room, a, o ? o->room : 0, o);
        row_pct(&b, "constraint transportation", a->transport, a, o ? o->transport : 0, o);
        static const char *const qn[5] = {"budget min", "budget p25", "budget median", "budget p75", "budget max"};
        static const double qp[5] = {0, .25, .5, .75, 1};
        for (int k = 0; k < 5; k++) {
            buf_printf(&b, "%-30s %12ld", qn[k], qtl(a->budget, a->n, qp[k]));
            if (o) buf_printf(&b, " %12ld", qtl(o->budget, o->n, qp[k]));
            buf_putc(&b, '\n');
        }
        buf_printf(&b, "%-30s %12.0f", "budget per person-day median", a->n ? a->per_pd[a->n / 2] : 0);
        if (o) buf_printf(&b, " %12.0f", o->n ? o->per_pd[o->n / 2] : 0);
        buf_putc(&b, '\n');
        const Dist *ds[2] = {a, o};
        static const char *const fl[5] = {"feasible (solver label)", "infeasible: budget", "infeasible: transportation",
                                          "infeasible: other", "unknown (not proven)"};
        for (int k = 0; k < 5; k++) {
            buf_printf(&b, "%-30s", fl[k]);
            for (int c = 0; c < 2 && ds[c]; c++) {
                const Dist *d = ds[c];
                int v[5] = {d->feasible, d->inf_budget, d->inf_transport, d->inf_other, d->unknown};
                if (d->labelled) buf_printf(&b, " %10.1f %%", pct(v[k], d->labelled));
                else buf_printf(&b, " %12s", "no labels");
            }
            buf_putc(&b, '\n');
        }
    }
    buf_append(out, b.data, b.len);
    buf_free(&b);
}

void tp_items_stats(const Suite *s, const SuiteItems *items, const char *name, const SuiteItems *against, const char *against_name,
                    int json, Buf *out) {
    (void)s;
    Dist da, dob;
    dist_of(items, &da);
    if (against) dist_of(against, &dob);
    print_stats(name, &da, against_name, against ? &dob : NULL, json, out);
    free(da.budget), free(da.per_pd);
    if (against) free(dob.budget), free(dob.per_pd);
}
