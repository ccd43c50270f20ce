/* reference.h: the sole-planning reference information of a query, built
 * from the sandbox database in the two official forms.
 *
 * The official data (HF `reference_information`, database/train_ref_info.jsonl)
 * lists, for one route org -> c1 -> ... -> cn -> org: attractions,
 * restaurants and accommodations of every visited city (the tools' views
 * after dropna(), rows in file order), then for every leg the flights on
 * its date, and the self-driving and taxi lines of the distance matrix.
 * Content is what the official tools return: a pandas DataFrame (a table
 * here) or a message string.
 *
 *   tp_ref_json  json.dumps({Description: records-or-string, ...})
 *   tp_ref_text  str([{'Description': d, 'Content': df.to_string(index=False)
 *                      or the string}, ...])  (Python literal)
 *
 * A TpRef owns its strings and row lists; row indices point into the TpDb
 * it was built from, which must outlive it. Pure functions: no I/O. */
#ifndef TP_REFERENCE_H
#define TP_REFERENCE_H

#include "buf.h"
#include "db.h"
#include "err.h"
#include "query.h"

typedef enum { TP_REF_ATTR, TP_REF_REST, TP_REF_ACC, TP_REF_FLIGHT, TP_REF_DRIVE, TP_REF_TAXI } TpRefKind;

typedef struct TpRefEntry {
    TpRefKind kind;
    char *description; /* "Attractions in Rockford", "Flight from A to B on D", ... */
    int *rows;         /* table rows (indices into db->attr/rest/acc/flight) */
    int n_rows;
    char *text;        /* the message when the content is a string (no rows, distances) */
} TpRefEntry;

typedef struct TpRef {
    TpRefEntry *e;
    int n;
} TpRef;

/* One leg of the route: travel from `from` to `to` on `date`. */
typedef struct TpRefLeg {
    const char *from, *to, *date;
} TpRefLeg;

/* The reference information for cities (in visiting order) and legs, in
 * the official order: the three city tables of each city, then for each
 * leg its flights, self-driving and taxi entries. Fails (IM_IO) only on a
 * name too long to be a city. *out is owned by the caller (tp_ref_free). */
int tp_ref_build(const TpDb *db, const char *const *cities, int n_cities, const TpRefLeg *legs, int n_legs,
                 TpRef **out, Err *err);
/* The route org -> cities[0..n) -> org of query q, leg k on the day the
 * official data travels (days 1, 3, 5, ... and the last day). */
int tp_ref_for_route(const TpDb *db, const TpQuery *q, const char *const *cities, int n_cities, TpRef **out,
                     Err *err);
void tp_ref_free(TpRef *r);

/* ---- the one builder every method uses ------------------------------------ */

/* The cities the reference information of q covers, in order: the
 * destination for a 3-day trip; for 5- and 7-day trips (the official
 * "state" grain, utils/budget_estimation.py: days in [5, 7]) every city of
 * the destination state in citySet_with_states order but the origin, so a
 * state named like a city (Washington, New York) is a state when the trip
 * length says so. Returns the count (at most max, names borrowed from db);
 * 0 when the destination is no state of the sandbox. */
int tp_reference_cities(const TpDb *db, const TpQuery *q, const char **out, int max);

/* The reference information text of q, the one every method and the
 * solver's sole planning read: the query's own `reference_information`
 * when it ships one (train), else built in the official text form over
 * tp_reference_cities: the three tables of every city, then the legs on
 * the official travel days (day 1 from the origin to each city; between
 * every two cities on each middle travel day, days 3 and 5; back from each
 * city on the last day). IM_FAIL naming the query when the destination is
 * neither a city (3 days) nor a state with cities (5, 7 days). *out is
 * malloc'd. */
int tp_reference_info(const TpDb *db, const TpQuery *q, char **out, Err *err);

/* The JSON form (one line of train_ref_info.jsonl, without newline). */
void tp_ref_json(const TpDb *db, const TpRef *r, Buf *out);
/* The text form (the value of `reference_information`, a Python literal). */
void tp_ref_text(const TpDb *db, const TpRef *r, Buf *out);
/* The Content text of one entry (a pandas table printed with
 * to_string(index=False), or the message). */
void tp_ref_entry_content(const TpDb *db, const TpRefEntry *e, Buf *out);

/* Python repr() of a str (quotes chosen and characters escaped as Python
 * does; non-printable characters as \xNN, \uNNNN). */
void py_str_repr(Buf *out, const char *s);

#endif
