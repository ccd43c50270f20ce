/* csv.c: CSV parsing into one text block; pandas default NA detection. */
#include "csv.h"

#include <stdlib.h>
#include <string.h>

#include "fsutil.h"

/* pandas.io.parsers default na_values (pandas >= 1.x, STR_NA_VALUES). */
static const char *const na_strings[] = {
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
    "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null", NULL};

int csv_is_na_string(const char *s) {
    /* Every NA string is at most 8 bytes and starts with one of "#-1<NnI":
     * most cells are rejected without a comparison (this runs per cell). */
    if (!s[0]) return 1;
    if (!strchr("#-1<Nn", s[0]) || strnlen(s, 9) > 8) return 0;
    for (const char *const *p = na_strings; *p; p++)
        if (!strcmp(*p, s)) return 1;
    return 0;
}

void csv_free(CsvTable *t) {
    if (!t) return;
    free(t->text);
    free(t->cells);
    free(t->na);
    free(t->line);
    free(t->header);
    memset(t, 0, sizeof *t);
}

int csv_col(const CsvTable *t, const char *name) {
    for (int c = 0; c < t->cols; c++)
        if (!strcmp(t->header[c], name)) return c;
    return -1;
}

int csv_row_has_na(const CsvTable *t, int r) {
    for (int c = 0; c < t->cols; c++)
        if (csv_na(t, r, c)) return 1;
    return 0;
}

typedef struct {
    char **cells;
    size_t n, cap;
} CellVec;

static int push_cell(CellVec *v, char *cell) {
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 4096;
        char **p = realloc(v->cells, cap * sizeof *p);
        if (!p) return -1;
        v->cells = p, v->cap = cap;
    }
    v->cells[v->n++] = cell;
    return 0;
}

/* Splits buf (len bytes, NUL at buf[len]) into cells, in place: quotes are
 * removed and each cell is NUL-terminated where its delimiter was, so the
 * write position never passes the read position. Records the number of
 * cells of each record in rowlen. */
static int split_records(const char *path, char *buf, size_t len, CellVec *cells, int **rowlen, int **rowline,
                         int *nrec, Err *err) {
    /* a '"' inside an unquoted cell is a plain character, as in pandas */
    static const unsigned char stop[256] = {[','] = 1, ['\n'] = 1, ['\r'] = 1};
    size_t cap = 1024;
    int *lens = malloc(cap * sizeof *lens), *lines = malloc(cap * sizeof *lines);
    int n = 0, line = 1;
    size_t i = 0;
    char *dst = buf;
    if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3)) i = 3; /* BOM, as pandas skips it */
    while (i < len && lens && lines) {
        /* skip blank lines (skip_blank_lines=True) */
        if (buf[i] == '\n' || buf[i] == '\r') {
            if (buf[i] == '\n') line++;
            i++;
            continue;
        }
        int start_line = line, ncell = 0;
        char delim = 0; /* what ended the last cell; its byte may now be the cell's NUL */
        for (;;) {
            char *cell = dst;
            if (i < len && buf[i] == '"') {
                i++;
                for (;;) {
                    if (i >= len) {
                        free(lens), free(lines);
                        return err_set(err, IM_IO, "%s:%d: unterminated quoted field", path, start_line);
                    }
                    if (buf[i] == '"') {
                        if (i + 1 < len && buf[i + 1] == '"') { *dst++ = '"'; i += 2; continue; }
                        i++;
                        break;
                    }
                    if (buf[i] == '\n') line++;
                    *dst++ = buf[i++];
                }
            }
            /* unquoted text (or pandas' text after a closing quote) up to the delimiter */
            size_t j = i;
            while (j < len && !stop[(unsigned char)buf[j]]) j++;
            if (dst != buf + i) memmove(dst, buf + i, j - i);
            dst += j - i, i = j;
            if (push_cell(cells, cell)) break;
            ncell++;
            delim = i < len ? buf[i] : 0;
            *dst++ = 0; /* lands on the delimiter or before it */
            if (delim == ',') { i++; continue; }
            break;
        }
        if (delim == '\r') i++;
        else if (delim == '\n') i++, line++;
        if (delim == '\r' && i < len && buf[i] == '\n') i++, line++;
        if ((size_t)n == cap) {
            cap *= 2;
            int *a = realloc(lens, cap * sizeof *a), *b = realloc(lines, cap * sizeof *b);
            if (a) lens = a;
            if (b) lines = b;
            if (!a || !b) break;
        }
        lens[n] = ncell, lines[n] = start_line, n++;
    }
    if (!lens || !lines) {
        free(lens), free(lines);
        return err_set(err, IM_IO, "%s: out of memory", path);
    }
    *rowlen = lens, *rowline = lines, *nrec = n;
    return IM_OK;
}

int csv_load(const char *path, CsvTable *out, Err *err) {
    memset(out, 0, sizeof *out);
    size_t len;
    int rc = fs_read_text(path, &out->text, &len, err);
    if (rc) return rc;
    out->ends_with_eol = len > 0 && (out->text[len - 1] == '\n' || out->text[len - 1] == '\r');
    CellVec cells = {0};
    int *rowlen = NULL, *rowline = NULL, nrec = 0;
    rc = split_records(path, out->text, len, &cells, &rowlen, &rowline, &nrec, err);
    if (rc) goto fail;
    if (nrec == 0) { rc = err_set(err, IM_IO, "%s: empty file, expected a header line", path); goto fail; }
    out->cols = rowlen[0];
    out->rows = nrec - 1;
    size_t k = 0;
    for (int r = 0; r < nrec; r++) {
        if (rowlen[r] != out->cols) {
            rc = err_set(err, IM_IO, "%s:%d: expected %d fields as in the header, found %d", path, rowline[r],
                         out->cols, rowlen[r]);
            goto fail;
        }
        k += (size_t)rowlen[r];
    }
    (void)k;
    out->header = malloc((size_t)out->cols * sizeof(char *));
    out->cells = malloc(((size_t)out->rows * out->cols + 1) * sizeof(char *));
    out->na = malloc((size_t)out->rows * out->cols + 1);
    out->line = malloc(((size_t)out->rows + 1) * sizeof(int));
    if (!out->header || !out->cells || !out->na || !out->line) { rc = err_set(err, IM_IO, "%s: out of memory", path); goto fail; }
    memcpy(out->header, cells.cells, (size_t)out->cols * sizeof(char *));
    memcpy(out->cells, cells.cells + out->cols, (size_t)out->rows * out->cols * sizeof(char *));
    for (size_t c = 0; c < (size_t)out->rows * out->cols; c++) out->na[c] = (unsigned char)csv_is_na_string(out->cells[c]);
    for (int r = 0; r < out->rows; r++) out->line[r] = rowline[r + 1];
    free(cells.cells), free(rowlen), free(rowline);
    return IM_OK;
fail:
    free(cells.cells), free(rowlen), free(rowline);
    csv_free(out);
    return rc;
}
