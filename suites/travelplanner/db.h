/* db.h: the TravelPlanner sandbox database, loaded once into indexed memory.
 *
 * Loading follows the official evaluator exactly: pandas.read_csv with its
 * default NA strings, then dropna() on every table but the distance matrix
 * (so 710 accommodations are invisible), rows kept in file order so that
 * "the first matching row" means what it means there. A TpDb is immutable
 * after tp_db_open and may be shared by threads. All strings are owned by
 * the TpDb. Errors name the file and line; a missing file suggests
 * `imagine data fetch` or --data. */
#ifndef TP_DB_H
#define TP_DB_H

#include <stddef.h>

#include "csv.h"
#include "err.h"
#include "strmap.h"

typedef struct TpAccommodation {
    const char *name, *room_type, *house_rules, *city;
    double price, minimum_nights, maximum_occupancy, review_rate;
} TpAccommodation;

typedef struct TpRestaurant {
    const char *name, *city, *cuisines;
    double average_cost, rating;
} TpRestaurant;

typedef struct TpAttraction {
    const char *name, *city, *address, *phone, *website;
    double latitude, longitude;
} TpAttraction;

typedef struct TpFlight {
    const char *number, *dep_time, *arr_time, *elapsed, *date, *origin, *dest;
    double price, distance;
} TpFlight;

typedef struct TpDistance {
    const char *origin, *dest, *duration, *distance; /* duration/distance NULL when NA */
} TpDistance;

/* Rows of one city, in file order (indices into the table). */
typedef struct TpIndexList {
    int *idx;
    int n;
} TpIndexList;

typedef struct TpDb {
    char *dir;
    CsvTable acc_csv, rest_csv, attr_csv, flight_csv, dist_csv;
    TpAccommodation *acc; int n_acc;
    TpRestaurant *rest; int n_rest;
    TpAttraction *attr; int n_attr;
    TpFlight *flight; int n_flight;
    TpDistance *dist; int n_dist;
    /* indexes: city -> list of rows (in file order) */
    StrMap acc_by_city, rest_by_city, attr_by_city;
    TpIndexList *acc_lists, *rest_lists, *attr_lists;
    StrMap flight_by_number;  /* number -> head of a chain in flight_next */
    int *flight_next;
    StrMap dist_by_pair;      /* "origin\x1f dest" -> first row */
    char *pair_keys;
    /* background: city -> state (citySet_with_states.txt), cities, states */
    char *bg_text;
    StrMap city_state;        /* value: index into states_of */
    const char **city_state_val;
    int n_city_state;
    const char **cities; int n_cities;
    const char **states; int n_states;
} TpDb;

/* For builders of restricted databases (refview.c): the city indexes and
 * flight-number chains over the rows already in db, and their release
 * (the maps, lists and chains only; the rows stay the builder's). */
int tp_db_index(TpDb *db, Err *err);
void tp_db_index_free(TpDb *db);

/* data_dir is the folder that holds database/ (and queries/). */
int tp_db_open(const char *data_dir, TpDb **out, Err *err);
void tp_db_close(TpDb *db);

/* Rows of a city (empty list when none). */
const TpIndexList *tp_db_acc_in(const TpDb *db, const char *city);
const TpIndexList *tp_db_rest_in(const TpDb *db, const char *city);
const TpIndexList *tp_db_attr_in(const TpDb *db, const char *city);

/* Official lookups: first row whose name contains `name` (substring, case
 * sensitive) and whose city equals `city`; -1 if none. count (if not NULL)
 * receives the number of matching rows. */
int tp_db_find_acc(const TpDb *db, const char *name, const char *city, int *count);
int tp_db_find_rest(const TpDb *db, const char *name, const char *city);
int tp_db_find_attr(const TpDb *db, const char *name, const char *city);
/* First flight with this number (any cities), or -1; with cities: the
 * first that also has this origin and destination. */
int tp_db_find_flight(const TpDb *db, const char *number, const char *origin, const char *dest);
/* The official GoogleDistanceMatrix.run_for_evaluation cost: 1 and *cost
 * set when valid, 0 when "no valid information". mode: 's' self-driving,
 * 't' taxi. origin/dest are taken before any parenthesis as there. */
int tp_db_distance_cost(const TpDb *db, const char *origin, const char *dest, char mode, long *cost);
/* The cities of a state in citySet_with_states order (first line of each
 * city), but `except` (may be NULL). Returns the count (at most max); the
 * names are owned by db. */
int tp_db_state_cities(const TpDb *db, const char *state, const char *except, const char **out, int max);
/* State of a city, or NULL when the city is not in citySet_with_states. */
const char *tp_db_city_state(const TpDb *db, const char *city);

#endif
