/* paraphrase.h: what a model's rewording of a generated TravelPlanner
 * query must keep (`imagine queries generate --paraphrase-model`, issue
 * 15; docs/imagine.md "Paraphrases"), and the query line with the new text.
 *
 * The check reads the text case-insensitively. A number is a run of
 * digits ("1,900" with its comma groups is 1900; "1,900.00" too; "5th" is 5);
 * the numbers 1 to 10 may also be written as words ("five"). The text keeps
 * the query when all of these hold:
 *   - the origin city and the destination (city or state) are named;
 *   - with several cities to visit, their number is a number of the text
 *     (the number of days need not be written: the dates below give it;
 *     a wrong one is an invented figure);
 *   - the people: their number (2-8; 2 also "couple", "pair", "duo"); for
 *     one person no word of a group ("people", "persons", "travellers",
 *     "travelers", "group", "couple", "pair", "family", "friends",
 *     "adults"), as the benchmark's own queries often leave one traveller
 *     unsaid;
 *   - the dates: "March" (or "Mar", or an ISO date 2022-03-DD), the year
 *     2022, and the first and the last day of the trip as numbers;
 *   - the budget is a number of the text, and every amount written with
 *     '$' is the budget;
 *   - no other figure: every number is one of the query's (days, people,
 *     cities, budget, a day of the trip, 2022, 3 for the month, 10 for
 *     "children under 10");
 *   - each local constraint by its words: house rule (smoking: "smok";
 *     parties: "part"; children under 10: "child" or "kid", and 10;
 *     visitors: "visit" or "guest"; pets: "pet"), every cuisine's name,
 *     room type (entire room: "entire" or "whole"; private room: "private";
 *     not shared room: "not shared", "unshared", "non-shared" or "not be
 *     shared"; shared room: "shared" without those), transportation (no
 *     flight: "fly", "flight", "plane" or "air"; no self-driving: "driv").
 * It checks that each fact is present, not its polarity ("we love to
 * fly" keeps the flight constraint for this check). Pure functions. */
#ifndef TP_PARAPHRASE_H
#define TP_PARAPHRASE_H

#include "buf.h"
#include "err.h"
#include "query.h"

/* NULL when text keeps every fact of q, else why not (malloc'd, one
 * sentence naming the first fact missing). */
char *tp_paraphrase_check(const TpQuery *q, const char *text);

/* Appends q's line (q->json, as the generator wrote it) with "query" set
 * to text, "query_template" the old text and "paraphrase" the JSON object
 * note_json, in the generator's form. IM_IO naming the line when q->json
 * is not a generator's line. */
int tp_query_retext(const TpQuery *q, const char *text, const char *note_json, Buf *out, Err *err);

#endif
