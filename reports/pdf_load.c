/* pdf_load.c: finds, loads and calls the PDF writer module (pdf.h). Looks
 * at $IMAGINE_PDF_MODULE, else imagine-pdf.so in the directory of
 * /proc/self/exe; dlopen()s it once, never unloads it, and passes it the
 * host table. Links no cairo; a missing or broken module is an Err. */
#include "pdf.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cJSON.h"
#include "fsutil.h"
#include "table.h"

static int plan_days(const char *plan_json, const char *const *field, Buf *out) {
    int nf = 0;
    while (field && field[nf]) nf++;
    cJSON *plan = plan_json ? cJSON_Parse(plan_json) : NULL;
    if (!cJSON_IsArray(plan)) {
        cJSON_Delete(plan);
        return -1;
    }
    int n = 0;
    const cJSON *day;
    cJSON_ArrayForEach(day, plan) {
        for (int f = 0; f < (nf ? nf : 1); f++) {
            const cJSON *v = nf && cJSON_IsObject(day) ? cJSON_GetObjectItemCaseSensitive(day, field[f]) : f ? NULL : day;
            if (cJSON_IsString(v)) buf_append(out, v->valuestring, strlen(v->valuestring));
            else if (v) {
                char *t = cJSON_PrintUnformatted(v);
                if (t) buf_append(out, t, strlen(t));
                cJSON_free(t);
            }
            buf_append(out, "", 1);
        }
        n++;
    }
    cJSON_Delete(plan);
    return n;
}

static const RpPdfHost host = {
    .abi = RP_PDF_ABI,
    .layout = RP_PDF_LAYOUT,
    .err_set = err_set,
    .buf_init = buf_init,
    .buf_free = buf_free,
    .buf_reset = buf_reset,
    .buf_puts = buf_puts,
    .buf_printf = buf_printf,
    .rate_name = rp_rate_name,
    .headline = rp_headline,
    .run_passes = rp_run_passes,
    .item_strata = rp_item_strata,
    .group_title = rp_group_title,
    .cell_label = rp_cell_label,
    .suite_title = rp_suite_title,
    .fmt_diff = rp_fmt_diff,
    .fmt_p = rp_fmt_p,
    .plan_days = plan_days,
    .train_header = rp_train_header,
    .train_cells = rp_train_cells,
};

static RpPdfEntry entry; /* set once the module is loaded */

const RpPdfHost *rp_pdf_host(void) { return &host; }

/* The path to load into dst: $IMAGINE_PDF_MODULE, or beside the binary. */
static int module_path(char *dst, size_t n, Err *err) {
    const char *env = getenv("IMAGINE_PDF_MODULE");
    if (env && *env) {
        if (strlen(env) >= n) return err_set(err, IM_IO, "IMAGINE_PDF_MODULE is too long");
        strcpy(dst, env);
        return IM_OK;
    }
    char exe[PATH_MAX];
    ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (k <= 0)
        return err_set(err, IM_IO, "cannot find the PDF writer: /proc/self/exe is unreadable — set IMAGINE_PDF_MODULE to the path of %s",
                       RP_PDF_MODULE_NAME);
    exe[k] = 0;
    char *slash = strrchr(exe, '/');
    if (slash) slash[1] = 0;
    else exe[0] = 0;
    if (strlen(exe) + strlen(RP_PDF_MODULE_NAME) >= n) return err_set(err, IM_IO, "cannot find the PDF writer: path too long");
    strcpy(dst, exe);
    strcat(dst, RP_PDF_MODULE_NAME);
    return IM_OK;
}

int rp_pdf_load(Err *err) {
    if (entry) return IM_OK;
    char path[PATH_MAX + 64];
    int rc = module_path(path, sizeof path, err);
    if (rc) return rc;
    static const char hint[] = "the PDF writer is built with imagine (target imagine_pdf) and must sit beside the "
                               "binary, or set IMAGINE_PDF_MODULE";
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        size_t n = strlen(path);
        if (!why) why = "unknown error";
        else if (!strncmp(why, path, n) && !strncmp(why + n, ": ", 2)) why += n + 2; /* dlerror repeats the path */
        return err_set(err, IM_IO, "cannot load the PDF writer %s: %s — %s", path, why, hint);
    }
    /* POSIX: a data pointer converted to a function pointer via memcpy */
    void *sym = dlsym(h, RP_PDF_ENTRY);
    if (!sym) {
        dlclose(h);
        return err_set(err, IM_IO, "cannot load the PDF writer %s: it has no %s (not an imagine PDF module) — %s", path,
                       RP_PDF_ENTRY, hint);
    }
    memcpy(&entry, &sym, sizeof entry);
    return IM_OK;
}

int rp_pdf_write(const char *path, const RpModel *m, const RpAnalysis *a, const RpPlots *plots, const char *title, Err *err) {
    int rc = rp_pdf_load(err);
    FsOut o;
    if (!rc) rc = fs_out_begin(path, &o, err);
    if (rc) return rc;
    rc = entry(&host, o.write_path, m, a, plots, title, err);
    if (rc) fs_out_abort(&o);
    return rc ? rc : fs_out_commit(&o, err);
}
