/* tools.h: the official two-stage tool set of TravelPlanner on the
 * in-memory sandbox: FlightSearch, DistanceMatrix, AccommodationSearch,
 * RestaurantSearch, AttractionSearch, CitySearch, NotebookWrite, Planner.
 *
 * Observations are the official tools' texts: the tables and messages of
 * the reference information (reference.h: pandas tables printed without
 * the index, "There is no flight from A to B on D.", "self-driving, from A
 * to B, duration: ..., distance: ..., cost: ...", ...), CitySearch a
 * Python list of cities, NotebookWrite "The information has been recorded
 * in Notebook, and its index is N.". A TpTools session owns its notebook
 * and last observation; the TpDb is borrowed. No I/O. */
#ifndef TP_TOOLS_H
#define TP_TOOLS_H

#include "buf.h"
#include "db.h"

typedef struct TpTools {
    const TpDb *db;
    Buf notebook;    /* "Description: ...\nContent: ...\n\n" per note */
    int n_notes;
    char *last_obs;  /* the last search observation (what NotebookWrite saves) */
} TpTools;

enum { TP_TOOL_OBS = 0, TP_TOOL_PLANNER = 1, TP_TOOL_INVALID = 2 };

void tp_tools_init(TpTools *t, const TpDb *db);
void tp_tools_free(TpTools *t);
/* Runs one action "Name[arguments]" and appends its observation to obs.
 * Returns TP_TOOL_OBS, TP_TOOL_PLANNER (Planner was called: obs holds its
 * argument, the planner runs on t->notebook) or TP_TOOL_INVALID (obs says
 * what is wrong, with the expected form). */
int tp_tools_run(TpTools *t, const char *action, Buf *obs);

#endif
