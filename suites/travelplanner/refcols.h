/* refcols.h (internal): the columns of the official tools' tables, shared
 * by the reference printer (reference.c) and its parser (refview.c), so the
 * two can never disagree on a header or a type. */
#ifndef TP_REFCOLS_H
#define TP_REFCOLS_H

#include "reference.h"

typedef struct Col {
    const char *header; /* as in the CSV and the official output */
    char type;          /* 's' string, 'n' number (int or float by the CSV's dtype) */
} Col;

static const Col attr_cols[] = {{"Name", 's'}, {"Latitude", 'n'}, {"Longitude", 'n'}, {"Address", 's'},
                                {"Phone", 's'}, {"Website", 's'}, {"City", 's'}, {NULL, 0}};
static const Col rest_cols[] = {{"Name", 's'}, {"Average Cost", 'n'}, {"Cuisines", 's'}, {"Aggregate Rating", 'n'},
                                {"City", 's'}, {NULL, 0}};
static const Col acc_cols[] = {{"NAME", 's'}, {"price", 'n'}, {"room type", 's'}, {"house_rules", 's'},
                               {"minimum nights", 'n'}, {"maximum occupancy", 'n'}, {"review rate number", 'n'},
                               {"city", 's'}, {NULL, 0}};
static const Col flight_cols[] = {{"Flight Number", 's'}, {"Price", 'n'}, {"DepTime", 's'}, {"ArrTime", 's'},
                                  {"ActualElapsedTime", 's'}, {"FlightDate", 's'}, {"OriginCityName", 's'},
                                  {"DestCityName", 's'}, {"Distance", 'n'}, {NULL, 0}};

static inline const Col *cols_of(TpRefKind k) {
    switch (k) {
    case TP_REF_ATTR: return attr_cols;
    case TP_REF_REST: return rest_cols;
    case TP_REF_ACC: return acc_cols;
    case TP_REF_FLIGHT: return flight_cols;
    default: return NULL;
    }
}

/* Decodes one UTF-8 code point and advances *s. */
static inline unsigned utf8_next(const char **s) {
    const unsigned char *p = (const unsigned char *)*s;
    unsigned c = p[0];
    int n = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
    for (int i = 1; i <= n; i++)
        if ((p[i] & 0xC0) != 0x80) n = 0;
    if (n == 1) c &= 0x1F;
    if (n == 2) c &= 0x0F;
    if (n == 3) c &= 0x07;
    for (int i = 1; i <= n; i++) c = (c << 6) | (p[i] & 0x3F);
    *s += n + 1;
    return c;
}

#endif
