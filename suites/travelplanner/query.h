/* query.h: TravelPlanner queries (queries/SPLIT.jsonl, one JSON object a line).
 *
 * The loader validates every field the evaluator reads and names the file,
 * line and field on error (IM_IO). A TpQuerySet owns all its strings. */
#ifndef TP_QUERY_H
#define TP_QUERY_H

#include <stddef.h>

#include "err.h"

enum { TP_LEVEL_EASY, TP_LEVEL_MEDIUM, TP_LEVEL_HARD, TP_NLEVELS };

typedef struct TpQuery {
    int idx;                 /* 1-based position in the split */
    int line;                /* line in the query file */
    char *org, *dest;
    int days;                /* 3, 5 or 7 */
    int visiting_city_number;
    char **date; int n_date;
    int people_number;
    long budget;
    int level;               /* TP_LEVEL_* */
    /* local_constraint; NULL when null */
    char *house_rule, *room_type, *transportation;
    char **cuisine; int n_cuisine; int has_cuisine; /* has_cuisine: list present and non-empty */
    char *query;             /* natural-language text */
    char *json;              /* the whole line, as read (for the store) */
} TpQuery;

typedef struct TpQuerySet {
    TpQuery *q;
    int n;
    char *path;
} TpQuerySet;

int tp_queries_load(const char *path, TpQuerySet **out, Err *err);
/* Parses one query object (text) ; used by the loader and by generators. */
int tp_query_parse(const char *json_text, const char *file, int line, TpQuery *out, Err *err);
void tp_query_free(TpQuery *q);
void tp_queries_free(TpQuerySet *s);
const char *tp_level_name(int level);
/* Index of days (3, 5, 7) in the detail tables: 0, 1, 2; -1 otherwise. */
int tp_days_slot(int days);

#endif
