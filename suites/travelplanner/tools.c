/* tools.c: the two-stage tools over the sandbox (see tools.h). Search
 * observations come from the reference information builder, so a tool
 * says exactly what the reference information would. Pure: no I/O. */
#include "tools.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "reference.h"

void tp_tools_init(TpTools *t, const TpDb *db) {
    memset(t, 0, sizeof *t);
    t->db = db;
    buf_init(&t->notebook);
}

void tp_tools_free(TpTools *t) {
    if (!t) return;
    buf_free(&t->notebook);
    free(t->last_obs);
    memset(t, 0, sizeof *t);
}

/* Splits "a, b, c" into at most max trimmed arguments (in place). */
static int split_args(char *s, char **argv, int max) {
    int n = 0;
    for (char *p = s; p && n < max;) {
        char *comma = n < max - 1 ? strchr(p, ',') : NULL;
        if (comma) *comma = 0;
        while (isspace((unsigned char)*p)) p++;
        char *e = p + strlen(p);
        while (e > p && isspace((unsigned char)e[-1])) *--e = 0;
        if (e - p >= 2 && (*p == '"' || *p == '\'') && e[-1] == *p) p++, *--e = 0;
        argv[n++] = p;
        p = comma ? comma + 1 : NULL;
    }
    return n;
}

/* The content of the entry of `kind` built for these cities / this leg. */
static int ref_content(const TpDb *db, const char *city, const TpRefLeg *leg, TpRefKind kind, Buf *obs) {
    TpRef *r = NULL;
    Err err = {0};
    const char *cities[1] = {city};
    if (tp_ref_build(db, cities, city ? 1 : 0, leg, leg ? 1 : 0, &r, &err)) {
        buf_puts(obs, err.msg);
        return TP_TOOL_INVALID;
    }
    int found = 0;
    for (int i = 0; i < r->n && !found; i++)
        if (r->e[i].kind == kind) tp_ref_entry_content(db, &r->e[i], obs), found = 1;
    tp_ref_free(r);
    if (!found) buf_puts(obs, "No information.");
    return TP_TOOL_OBS;
}

/* The cities of a state in the order of citySet_with_states.txt (the
 * city map's values are the insertion order). */
static int city_search(const TpDb *db, const char *state, Buf *obs) {
    const StrMap *m = &db->city_state;
    const char **found = calloc(m->n + 1, sizeof *found);
    int n = 0;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys || !m->keys[i]) continue;
        int v = m->vals[i];
        if (v >= 0 && (size_t)v < m->n && db->city_state_val[v] && !strcmp(db->city_state_val[v], state)) found[v] = m->keys[i];
    }
    for (size_t v = 0; v < m->n; v++) {
        if (!found[v]) continue;
        buf_puts(obs, n++ ? ", " : "[");
        py_str_repr(obs, found[v]);
    }
    free(found);
    if (!n) buf_puts(obs, "Invalid State");
    else buf_putc(obs, ']');
    return TP_TOOL_OBS;
}

int tp_tools_run(TpTools *t, const char *action, Buf *obs) {
    while (isspace((unsigned char)*action)) action++;
    const char *open = strchr(action, '['), *close = strrchr(action, ']');
    if (!open || !close || close < open) {
        buf_puts(obs, "Invalid action: expected Tool[arguments], e.g. FlightSearch[Austin, Denver, 2022-03-10].");
        return TP_TOOL_INVALID;
    }
    size_t nlen = (size_t)(open - action);
    while (nlen && isspace((unsigned char)action[nlen - 1])) nlen--;
    char *args = strndup(open + 1, (size_t)(close - open - 1));
    char *argv[3] = {0};
    size_t start = obs->len;
    int rc = TP_TOOL_OBS;
#define IS(name) (nlen == strlen(name) && !strncmp(action, name, nlen))
    if (IS("FlightSearch")) {
        if (split_args(args, argv, 3) != 3) {
            buf_puts(obs, "FlightSearch needs [Departure City, Destination City, Date].");
            rc = TP_TOOL_INVALID;
        } else {
            TpRefLeg leg = {argv[0], argv[1], argv[2]};
            rc = ref_content(t->db, NULL, &leg, TP_REF_FLIGHT, obs);
        }
    } else if (IS("DistanceMatrix") || IS("GoogleDistanceMatrix")) {
        int n = split_args(args, argv, 3);
        const char *mode = n == 3 ? argv[2] : "";
        int taxi = !strcasecmp(mode, "taxi"), drive = !strcasecmp(mode, "self-driving") || !strcasecmp(mode, "driving");
        if (n != 3 || (!taxi && !drive)) {
            buf_puts(obs, "DistanceMatrix needs [Origin, Destination, Mode] with mode self-driving or taxi.");
            rc = TP_TOOL_INVALID;
        } else {
            TpRefLeg leg = {argv[0], argv[1], ""};
            rc = ref_content(t->db, NULL, &leg, taxi ? TP_REF_TAXI : TP_REF_DRIVE, obs);
        }
    } else if (IS("AccommodationSearch") || IS("RestaurantSearch") || IS("AttractionSearch")) {
        split_args(args, argv, 1);
        TpRefKind k = IS("AccommodationSearch") ? TP_REF_ACC : IS("RestaurantSearch") ? TP_REF_REST : TP_REF_ATTR;
        rc = ref_content(t->db, argv[0], NULL, k, obs);
    } else if (IS("CitySearch")) {
        split_args(args, argv, 1);
        rc = city_search(t->db, argv[0], obs);
    } else if (IS("NotebookWrite")) {
        if (!t->last_obs) buf_puts(obs, "There is no observation to record yet: search first, then write it.");
        else {
            buf_printf(&t->notebook, "Description: %s\nContent:\n%s\n\n", args, t->last_obs);
            buf_printf(obs, "The information has been recorded in Notebook, and its index is %d.", t->n_notes++);
        }
        free(args);
        return TP_TOOL_OBS; /* not a search: keeps last_obs */
    } else if (IS("Planner")) {
        buf_puts(obs, args);
        free(args);
        return TP_TOOL_PLANNER;
    } else {
        buf_printf(obs, "Invalid action '%.*s'. The tools are FlightSearch, DistanceMatrix, AccommodationSearch, "
                   "RestaurantSearch, AttractionSearch, CitySearch, NotebookWrite and Planner.", (int)nlen, action);
        rc = TP_TOOL_INVALID;
    }
#undef IS
    if (rc == TP_TOOL_OBS) {
        free(t->last_obs);
        t->last_obs = strdup(obs->data + start);
    }
    free(args);
    return rc;
}
