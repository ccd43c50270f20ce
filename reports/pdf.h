/* pdf.h: the report laid out for print, with cairo and pango.
 *
 * A4 pages with page numbers: the stage times (--stages), the main table, the difference to the
 * baseline, the plots (gnuplot SVG drawn with librsvg), level x days, per
 * check, usage, training (runs and curves), every failed plan (query, failed checks, the plan as a day
 * table, the first lines of the raw output), and the run
 * configurations in an appendix. Text is set with pango_layout_set_text
 * (never markup), so model text is drawn as text. Written to a temporary
 * file and renamed. plots may be NULL.
 *
 * The writer (pdf.c) is a loadable module, imagine-pdf.so beside the
 * imagine binary, so that only a process that writes a PDF maps cairo,
 * pango, librsvg and their ~40 libraries (docs/reports.md). The loader
 * (pdf_load.c, in imagine_reports, no cairo) dlopen()s it on first use and
 * hands it a table of the host functions it calls: the module links
 * nothing of imagine and uses no symbol exported by the executable.
 * Not thread-safe on the first call; the verbs call it from one thread. */
#ifndef RP_PDF_H
#define RP_PDF_H

#include <stddef.h>

#include "analysis.h"
#include "plot.h"

/* ---- the loader (imagine_reports) ---------------------------------------- */

/* The module's file name; the loader looks beside /proc/self/exe unless
 * $IMAGINE_PDF_MODULE names the file. */
#define RP_PDF_MODULE_NAME "imagine-pdf.so"

/* Loads the module once (later calls are free). Errors: IM_IO naming the
 * path looked at and why (missing, not loadable, not an imagine PDF
 * module). Call it before expensive work to fail early; rp_pdf_write calls
 * it too. The module is never unloaded (glib types cannot be). */
int rp_pdf_load(Err *err);

/* Writes the report to path. Errors: IM_IO naming the path (writing, or
 * loading the module as in rp_pdf_load). */
int rp_pdf_write(const char *path, const RpModel *m, const RpAnalysis *a, const RpPlots *plots, const char *title, Err *err);

/* ---- the module interface --------------------------------------------- */

/* Bumped whenever RpPdfHost or the entry point change. */
#define RP_PDF_ABI 4
/* A fingerprint of the layouts the module reads; a module from another
 * build of different structs refuses to run instead of misreading them. */
#define RP_PDF_LAYOUT                                                                                                  \
    (sizeof(RpModel) + 3 * sizeof(RpRun) + 5 * sizeof(RpItem) + 7 * sizeof(RpVerdict) + 11 * sizeof(RpGroup) +        \
     13 * sizeof(RpAnalysis) + 17 * sizeof(RpRunStats) + 19 * sizeof(RpPlots) + 23 * sizeof(Err) + 29 * sizeof(Buf) + \
     31 * sizeof(SuiteOps) + 37 * sizeof(SuiteRate) + 41 * sizeof(RpGroupPlots) + 43 * sizeof(RpTrainStep) + 47 * sizeof(RpStage))

/* What the module may call in imagine; filled by the loader. Borrowed: the
 * table lives as long as the process. abi, layout and err_set stay the
 * first three fields in every version, so that a mismatched module can
 * still say so. */
typedef struct RpPdfHost {
    int abi;        /* RP_PDF_ABI of the host */
    size_t layout;  /* RP_PDF_LAYOUT of the host */
    int (*err_set)(Err *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
    void (*buf_init)(Buf *b);
    void (*buf_free)(Buf *b);
    void (*buf_reset)(Buf *b);
    void (*buf_puts)(Buf *b, const char *s);
    void (*buf_printf)(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
    const char *(*rate_name)(const RpRun *run, int r);   /* rp_rate_name */
    int (*headline)(const RpRun *run);                   /* rp_headline */
    int (*run_passes)(const RpRun *run);                 /* rp_run_passes */
    void (*item_strata)(const RpRun *run, int i, Buf *out); /* rp_item_strata */
    void (*group_title)(const RpGroup *g, Buf *out);     /* rp_group_title */
    void (*cell_label)(const RpGroup *g, int y, int x, Buf *out); /* rp_cell_label */
    const char *(*suite_title)(const SuiteOps *ops);     /* rp_suite_title */
    void (*fmt_diff)(const RpCi *ci, char *dst, size_t n); /* rp_fmt_diff */
    void (*fmt_p)(double p, char *dst, size_t n);          /* rp_fmt_p */
    /* An answer's rows (pdf_load.c, cJSON): for each element of the JSON
     * array plan_json, nf cells for the NULL-terminated fields (nf of them;
     * TravelPlanner's days), each NUL-terminated, appended to out (a string
     * as is, another value as compact JSON, a missing field empty; an
     * element that is not an object fills the first cell); with no fields,
     * one cell per element. Returns the number of rows, or -1 when
     * plan_json is NULL or not a JSON array (out untouched). */
    int (*plan_days)(const char *plan_json, const char *const *fields, Buf *out);
    const char *(*train_header)(int c);                  /* rp_train_header */
    void (*train_cells)(const RpRun *run, char cells[RP_TRAIN_COLS][RP_TRAIN_CELL]); /* rp_train_cells */
} RpPdfHost;

/* The module's one entry point (the only symbol it exports): writes the
 * report as rp_pdf_write does, after checking host->abi and host->layout
 * (IM_IO "rebuild" on a mismatch). Errors go through host->err_set. */
#define RP_PDF_ENTRY "rp_pdf_module_write"
typedef int (*RpPdfEntry)(const RpPdfHost *host, const char *path, const RpModel *m, const RpAnalysis *a,
                          const RpPlots *plots, const char *title, Err *err);

/* The host's table (for tests that load a module themselves). */
const RpPdfHost *rp_pdf_host(void);

#endif
