/* csv.h: a CSV reader with the semantics of pandas.read_csv defaults.
 *
 * RFC 4180 quoting (commas, quotes and newlines inside quotes), blank lines
 * skipped, and pandas' default NA strings ("", "NA", "NaN", "null", ...)
 * flagged per cell, so dropna() can be reproduced exactly. The table owns
 * one text block; every cell string points into it. */
#ifndef TP_CSV_H
#define TP_CSV_H

#include <stddef.h>

#include "err.h"

typedef struct CsvTable {
    char *text;          /* owned: the file, unescaped in place into NUL-separated cells */
    char **cells;        /* owned: rows * cols pointers into text */
    unsigned char *na;   /* owned: rows * cols flags, 1 = pandas NA */
    int *line;           /* owned: source line (1-based) of each row */
    char **header;       /* owned: cols pointers into text */
    int rows, cols;
    int ends_with_eol;   /* the file's last byte is an end of line */
} CsvTable;

/* Parses the file at path. A row with another number of cells than the
 * header is an error naming the file and line. */
int csv_load(const char *path, CsvTable *out, Err *err);
void csv_free(CsvTable *t);
/* Column index by header name, or -1. */
int csv_col(const CsvTable *t, const char *name);
static inline const char *csv_cell(const CsvTable *t, int r, int c) { return t->cells[(size_t)r * t->cols + c]; }
static inline int csv_na(const CsvTable *t, int r, int c) { return t->na[(size_t)r * t->cols + c]; }
/* 1 when any cell of row r is NA (pandas dropna() drops it). */
int csv_row_has_na(const CsvTable *t, int r);
/* pandas' default NA strings. */
int csv_is_na_string(const char *s);

#endif
