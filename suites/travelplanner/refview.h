/* refview.h: the reference information of a query read back as a
 * restricted sandbox, for the solver's sole-planning mode. */
#ifndef TP_REFVIEW_H
#define TP_REFVIEW_H

#include "reference.h"

/* ---- parsing: the reference information as a restricted sandbox --------
 *
 * A TpRefView is a TpDb that holds only what one reference information
 * lists, for the sole-planning mode: the attractions, restaurants and
 * accommodations of its city tables, the flights of its flight tables and
 * one distance-matrix row per valid self-driving or taxi line. Its rows,
 * city / flight-number / route indexes and db.cities (the cities that have
 * a table, in the order listed) are set; the CSV tables, dir and the
 * city -> state background are empty. The TpDb lookups (tp_db_acc_in,
 * tp_db_find_flight, tp_db_distance_cost, ...) work on &view->db; nothing
 * of it points into another database. A view owns all its strings; free it
 * with tp_ref_view_free (accepts NULL), never with tp_db_close.
 *
 * The parsers accept what tp_ref_text / tp_ref_json print and the official
 * files (`reference_information`, train_ref_info.jsonl). Text tables are
 * read by column: each column ends where its header ends (pandas right-
 * justifies); the restaurant tables' leading index is dropped. Values lose
 * leading blanks (indistinguishable from padding); pandas' "\t", "\r",
 * "\n" escapes are read back as the characters. Errors (IM_IO) name the
 * entry and what was expected; on error *out is NULL. */
typedef struct TpRefView {
    TpDb db;
    char **str; int n_str, cap_str;      /* owned strings */
    int cap[6];                          /* capacities of the row arrays, by TpRefKind */
    int cap_cities;
} TpRefView;

/* The text form: a Python literal list of {'Description', 'Content'}. */
int tp_ref_view_text(const char *text, TpRefView **out, Err *err);
/* The JSON form: {Description: records or message, ...}. */
int tp_ref_view_json(const char *json, TpRefView **out, Err *err);
void tp_ref_view_free(TpRefView *v);

#endif
