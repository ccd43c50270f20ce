/* test_pdf_module.c: the PDF writer loaded as imagine loads it (pdf.h).
 * A missing file, a file that is not a shared object, and a shared object
 * without the entry point are IM_IO errors naming the path; a module that
 * sees another interface or layout refuses to run; the real module writes
 * a PDF of one train submission (and no temporary file is left).
 * Usage: test_pdf_module MODULE DATA OUTDIR */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis.h"
#include "load.h"
#include "pdf.h"

static int fails;

#define CHECK(c, ...)                                                    \
    do {                                                                 \
        if (!(c)) {                                                      \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);         \
            fprintf(stderr, __VA_ARGS__);                                \
            fprintf(stderr, "\n");                                       \
            fails++;                                                     \
        }                                                                \
    } while (0)

/* rp_pdf_load with $IMAGINE_PDF_MODULE=path must fail with IM_IO naming path and saying want. */
static void load_fails(const char *path, const char *want) {
    setenv("IMAGINE_PDF_MODULE", path, 1);
    Err err = {0};
    int rc = rp_pdf_load(&err);
    CHECK(rc == IM_IO && err.code == IM_IO, "%s: rc %d, want IM_IO", path, rc);
    CHECK(strstr(err.msg, path) != NULL, "message does not name %s: %s", path, err.msg);
    CHECK(strstr(err.msg, want) != NULL, "message does not say '%s': %s", want, err.msg);
    CHECK(strstr(err.msg, "IMAGINE_PDF_MODULE") != NULL, "message has no hint: %s", err.msg);
}

/* Calls the module's entry point with a host table off by one field. */
static void mismatch_refused(const char *module, const RpModel *m, const RpAnalysis *a, const char *out, int which) {
    void *h = dlopen(module, RTLD_NOW | RTLD_LOCAL);
    CHECK(h != NULL, "dlopen %s: %s", module, dlerror());
    if (!h) return;
    void *sym = dlsym(h, RP_PDF_ENTRY);
    CHECK(sym != NULL, "%s has no %s", module, RP_PDF_ENTRY);
    if (!sym) return;
    RpPdfEntry entry;
    memcpy(&entry, &sym, sizeof entry);
    RpPdfHost host = *rp_pdf_host();
    if (which) host.layout++;
    else host.abi++;
    Err err = {0};
    int rc = entry(&host, out, m, a, NULL, "refused", &err);
    CHECK(rc == IM_IO && strstr(err.msg, "rebuild"), "%s mismatch: rc %d, %s", which ? "layout" : "abi", rc, err.msg);
    CHECK(access(out, F_OK) != 0, "%s written despite the mismatch", out);
    /* never dlclose: the module's glib stack cannot be unloaded */
}

int main(int argc, char **argv) {
    if (argc < 4) return fprintf(stderr, "usage: test_pdf_module MODULE DATA OUTDIR\n"), 2;
    const char *module = argv[1], *data = argv[2], *outdir = argv[3];
    char junk[4096], out[4096], path[4200];
    snprintf(junk, sizeof junk, "%s/not-a-module.so", outdir);
    snprintf(out, sizeof out, "%s/pdf-module.pdf", outdir);
    mkdir(outdir, 0755); /* may exist */
    FILE *f = fopen(junk, "w");
    if (!f) return fprintf(stderr, "cannot write %s\n", junk), 3;
    fputs("this is not an ELF file\n", f);
    fclose(f);
    remove(out);

    load_fails("/nonexistent/imagine-pdf.so", "cannot load the PDF writer");
    load_fails(junk, "cannot load the PDF writer");
    load_fails("libm.so.6", "not an imagine PDF module"); /* loadable, no entry point */

    Err err = {0};
    Suite *suite = NULL;
    SuiteItems *qs = NULL;
    if (suite_open(suite_find("travelplanner"), data, &suite, &err) || suite_items_load(suite, "train", NULL, &qs, &err))
        return fprintf(stderr, "%s\n", err.msg), 3;
    RpModel m;
    rp_model_init(&m);
    RpRun *run;
    snprintf(path, sizeof path, "%s/outputs/train/train_gpt-4-1106-preview_direct_sole-planning_submission.jsonl", data);
    if (rp_load_plans(suite, qs, "train", path, &run, NULL, &err)) return fprintf(stderr, "%s\n", err.msg), 3;
    rp_model_add(&m, run);
    RpAnalysis a = {0};
    RpBoot bs = {200, RP_SEED_DEFAULT, 0.95};
    if (rp_analyse(&m, -1, &bs, &a, &err)) return fprintf(stderr, "%s\n", err.msg), 3;

    mismatch_refused(module, &m, &a, out, 0);
    mismatch_refused(module, &m, &a, out, 1);

    setenv("IMAGINE_PDF_MODULE", module, 1);
    int rc = rp_pdf_write(out, &m, &a, NULL, "pdf module test", &err);
    CHECK(rc == IM_OK, "rp_pdf_write: %s", err.msg);
    char head[5] = {0};
    f = fopen(out, "rb");
    CHECK(f != NULL, "%s not written", out);
    if (f) {
        CHECK(fread(head, 1, 4, f) == 4 && !memcmp(head, "%PDF", 4), "%s does not start with %%PDF", out);
        fclose(f);
    }
    snprintf(path, sizeof path, "%s.tmp.%ld", out, (long)getpid());
    CHECK(access(path, F_OK) != 0, "%s left behind", path);
    /* loaded once: a later call does not look at the environment again */
    setenv("IMAGINE_PDF_MODULE", "/nonexistent/imagine-pdf.so", 1);
    CHECK(rp_pdf_load(&err) == IM_OK, "second load: %s", err.msg);

    rp_analysis_free(&a);
    rp_model_free(&m);
    suite_items_free(suite, qs);
    suite_close(suite);
    remove(junk);
    if (fails) return fprintf(stderr, "%d failure(s)\n", fails), 1;
    printf("ok: missing, junk and foreign modules refused with their path; mismatched interface refused; %s written\n", out);
    return 0;
}
