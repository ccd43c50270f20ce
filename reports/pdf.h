/* pdf.h: the report laid out for print, with cairo and pango.
 *
 * A4 pages with page numbers: the main table, the difference to the
 * baseline, the plots (gnuplot SVG drawn with librsvg), level x days, per
 * check, usage, the failed checks of every plan, and the run
 * configurations in an appendix. Text is set with pango_layout_set_text
 * (never markup), so model text is drawn as text. Written to a temporary
 * file and renamed. Errors: IM_IO naming the path. plots may be NULL. */
#ifndef RP_PDF_H
#define RP_PDF_H

#include "analysis.h"
#include "plot.h"

int rp_pdf_write(const char *path, const RpModel *m, const RpAnalysis *a, const RpPlots *plots, const char *title, Err *err);

#endif
