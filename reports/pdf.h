/* pdf.h: the report laid out for print, with cairo and pango.
 *
 * A4 pages with page numbers: the main table, the difference to the
 * baseline, the plots (gnuplot SVG drawn with librsvg), level x days, per
 * check, usage, every failed plan (query, failed checks, the plan as a day
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
#define RP_PDF_ABI 2
/* A fingerprint of the layouts the module reads; a module from another
 * build of different structs refuses to run instead of misreading them. */
#define RP_PDF_LAYOUT                                                                                                  \
    (sizeof(RpModel) + 3 * sizeof(RpRun) + 5 * sizeof(RpItem) + 7 * sizeof(TpPlanResult) + 11 * sizeof(TpQuery) +      \
     13 * sizeof(RpAnalysis) + 17 * sizeof(RpRunStats) + 19 * sizeof(RpPlots) + 23 * sizeof(Err) + 29 * sizeof(Buf))

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
    const char *(*level_name)(int level);                /* tp_level_name */
    const char *(*rate_name)(int r);                     /* rp_rate_name */
    const char *(*check_name)(int k);                    /* rp_check_name */
    int (*item_final_pass)(const RpRun *run, int i);     /* rp_item_final_pass */
    void (*run_check_counts)(const RpRun *run, int pass[RP_NCHECKS], int fail[RP_NCHECKS]);
    void (*run_cells)(const RpRun *run, int pass[TP_NLEVELS][3], int n[TP_NLEVELS][3]);
    void (*fmt_diff)(const RpCi *ci, char *dst, size_t n); /* rp_fmt_diff */
    void (*fmt_p)(double p, char *dst, size_t n);          /* rp_fmt_p */
    /* A plan's days (pdf_load.c, cJSON): for each element of the JSON array
     * plan_json, RP_PDF_DAY_FIELDS cells in rp_pdf_day_fields order, each
     * NUL-terminated, appended to out (a string as is, another value as
     * compact JSON, a missing field empty; an element that is not an object
     * fills the first cell). Returns the number of days, or -1 when
     * plan_json is NULL or not a JSON array (out untouched). */
    int (*plan_days)(const char *plan_json, Buf *out);
} RpPdfHost;

/* The fields of a day, in the order of the HTML day table (html.c). */
#define RP_PDF_DAY_FIELDS 8
#define RP_PDF_DAY_FIELD_NAMES                                                                                         \
    {"day", "current_city", "transportation", "breakfast", "attraction", "lunch", "dinner", "accommodation"}

/* The module's one entry point (the only symbol it exports): writes the
 * report as rp_pdf_write does, after checking host->abi and host->layout
 * (IM_IO "rebuild" on a mismatch). Errors go through host->err_set. */
#define RP_PDF_ENTRY "rp_pdf_module_write"
typedef int (*RpPdfEntry)(const RpPdfHost *host, const char *path, const RpModel *m, const RpAnalysis *a,
                          const RpPlots *plots, const char *title, Err *err);

/* The host's table (for tests that load a module themselves). */
const RpPdfHost *rp_pdf_host(void);

#endif
