/* checkctx.h (internal to the evaluator): what a check sees, and the Python
 * value semantics of the official code over cJSON values.
 *
 * A check runs under tp_check_run(), which setjmp()s; where the official
 * Python would raise (KeyError, TypeError, IndexError, ...), the helpers
 * call ctx_crash(), which longjmp()s back and turns the check into a
 * failure naming the plan line, day and field. Checks allocate nothing but
 * their final message, so unwinding leaks nothing. */
#ifndef TP_CHECKCTX_H
#define TP_CHECKCTX_H

#include <cJSON.h>
#include <setjmp.h>

#include "buf.h"
#include "db.h"
#include "evaluate.h"
#include "pyre.h"
#include "query.h"

typedef struct Ctx {
    const TpDb *db;
    const TpQuery *q;
    const cJSON *plan;   /* a JSON array */
    int ndays;           /* min(q->days, len(plan)) */
    int line;            /* submission line, for messages */
    Buf *log;            /* what the official code prints */
    double total_cost;   /* set by the cost check */
    jmp_buf jb;
    char crash[768];
} Ctx;

typedef TpVerdict (*TpCheckFn)(Ctx *c);

/* Runs one check; a crash becomes {0, message}. */
TpVerdict tp_check_run(Ctx *c, TpCheckFn fn);
TpVerdict tp_pass(void);
TpVerdict tp_none(void);
TpVerdict tp_failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

_Noreturn void ctx_crash(Ctx *c, int day, const char *field, const char *what);

/* plan[i], which must be an object (else crash). */
const cJSON *ctx_day(Ctx *c, int i);
/* unit[key]; crash with KeyError when absent. */
const cJSON *ctx_get(Ctx *c, const cJSON *unit, int i, const char *key);
/* 'key' in unit */
int ctx_has(const cJSON *unit, const char *key);
/* Python truthiness of a JSON value (NULL = absent counts as false). */
int py_truthy(const cJSON *v);
/* v == s for a Python str s (only a JSON string can equal it). */
int py_eq(const cJSON *v, const char *s);
/* The official guard `v and v != '-'`. */
static inline int py_filled(const cJSON *v) { return py_truthy(v) && !py_eq(v, "-"); }
/* v in ['', '-'] */
static inline int py_blank(const cJSON *v) { return py_eq(v, "") || py_eq(v, "-"); }
/* A value the code uses as str (re.search, .split, .lower): crash if not. */
TpSpan ctx_str(Ctx *c, const cJSON *v, int i, const char *field);
/* `needle in v` for str (substring), list (element), dict (key). */
int ctx_in(Ctx *c, TpSpan needle, const cJSON *v, int i, const char *field);
/* Python str(v) for messages: a string as is, anything else as JSON. */
void py_str(const cJSON *v, char *out, size_t cap);

/* get_valid_name_city with its print and the '-' fallback. */
void ctx_name_city(Ctx *c, TpSpan s, TpSpan *name, TpSpan *city);
/* Lowercase substring test for an ASCII needle (Python v.lower()). */
int span_icontains(TpSpan hay, const char *needle);

/* Official database lookups, spans in. */
int ctx_find_acc(Ctx *c, TpSpan name, TpSpan city, int *count);
int ctx_find_rest(Ctx *c, TpSpan name, TpSpan city);
int ctx_find_attr(Ctx *c, TpSpan name, TpSpan city);
/* value.split('Flight Number: ')[1].split(',')[0]; crash when absent. */
TpSpan ctx_flight_number(Ctx *c, TpSpan value, int i);
int ctx_distance_cost(Ctx *c, TpSpan org, TpSpan dest, char mode, long *cost);

/* The checks. */
TpVerdict tp_cs_reasonable_city(Ctx *c);
TpVerdict tp_cs_restaurants(Ctx *c);
TpVerdict tp_cs_attractions(Ctx *c);
TpVerdict tp_cs_accommodation(Ctx *c);
TpVerdict tp_cs_transportation(Ctx *c);
TpVerdict tp_cs_current_city(Ctx *c);
TpVerdict tp_cs_sandbox(Ctx *c);
TpVerdict tp_cs_not_absent(Ctx *c);
TpVerdict tp_hard_cuisine(Ctx *c);
TpVerdict tp_hard_room_rule(Ctx *c);
TpVerdict tp_hard_transportation(Ctx *c);
TpVerdict tp_hard_room_type(Ctx *c);
/* get_total_cost(); crashes like the others. */
double tp_hard_total_cost(Ctx *c);

#endif
