/* html.h: the report as one self-contained HTML file.
 *
 * Inline CSS and inline SVG plots, no script and no external asset, so it
 * works offline. Every piece of run, query or model text goes through
 * buf_html; SVG comes only from gnuplot (which escapes its text) with its
 * element ids made unique per plot. rp_html_write renders into a buffer
 * and writes it atomically (temporary file, then rename). plots may be
 * NULL (a report without plots). */
#ifndef RP_HTML_H
#define RP_HTML_H

#include "analysis.h"
#include "plot.h"

void rp_html_render(const RpModel *m, const RpAnalysis *a, const RpPlots *plots, const char *title, Buf *out);
int rp_html_write(const char *path, const RpModel *m, const RpAnalysis *a, const RpPlots *plots, const char *title,
                  Err *err);

/* Appends an SVG document inline: drops the XML prolog and doctype and
 * prefixes its ids (and references to them) with "pN_". */
void rp_svg_inline(Buf *out, const char *svg, int n);

#endif
