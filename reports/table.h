/* table.h: the main table of a report for a paper: Markdown, CSV, LaTeX.
 *
 * Appends to a caller-owned Buf; never fails (formats are checked by
 * rp_format_parse). Run names are escaped for the format (Markdown pipes,
 * CSV quotes, LaTeX specials). Also the small number formatters every
 * renderer shares, so HTML, PDF and tables print the same digits. */
#ifndef RP_TABLE_H
#define RP_TABLE_H

#include "analysis.h"

typedef enum { RP_FMT_MD, RP_FMT_CSV, RP_FMT_LATEX } RpFormat;

/* "md", "csv" or "latex" (also "markdown", "tex"); IM_USAGE otherwise. */
int rp_format_parse(const char *s, RpFormat *out, Err *err);
void rp_table_main(const RpModel *m, const RpAnalysis *a, RpFormat f, Buf *out);

/* "55.6" (percent of a fraction, one decimal) */
void rp_fmt_pct(double frac, char *dst, size_t n);
/* "55.6 [41.2, 69.1]" */
void rp_fmt_ci(const RpCi *ci, char *dst, size_t n);
/* "+3.4 [-1.2, +8.0]" (percentage points) */
void rp_fmt_diff(const RpCi *ci, char *dst, size_t n);
/* "0.023", "<0.001" */
void rp_fmt_p(double p, char *dst, size_t n);

#endif
