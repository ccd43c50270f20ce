/* test_csv.c: the CSV reader against pandas.read_csv semantics on the cases
 * the sandbox files and hand-edited copies can contain. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "../check.h"
#include "fsutil.h"


static int load(const char *text, CsvTable *t, Err *err) {
    char path[] = "/tmp/imagine-test-csv-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return IM_IO;
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    int rc = csv_load(path, t, err);
    remove(path);
    return rc;
}

static void cell_is(const CsvTable *t, int r, int c, const char *want, int na) {
    CHECK_MSG(!strcmp(csv_cell(t, r, c), want), "row %d col %d: [%s], want [%s]", r, c, csv_cell(t, r, c), want);
    CHECK_MSG(csv_na(t, r, c) == na, "row %d col %d: na %d, want %d", r, c, csv_na(t, r, c), na);
}

int main(void) {
    CsvTable t;
    Err err = {0};
    /* quotes, doubled quotes, CRLF, a blank line, a quote inside an unquoted
     * cell, an empty last cell, a newline inside quotes, no final newline */
    int rc = load("\xEF\xBB\xBF" "a,b,c\n1,\"x, \"\"y\"\"\",3\r\n\n4,5 \"q\" 6,\n\"m\nn\",NA,None", &t, &err);
    CHECK_MSG(rc == IM_OK, "load: %s", err.msg);
    if (rc == IM_OK) {
        CHECK_MSG(t.rows == 3 && t.cols == 3, "shape %dx%d", t.rows, t.cols);
        CHECK_MSG(!strcmp(t.header[0], "a"), "BOM not skipped: [%s]", t.header[0]);
        cell_is(&t, 0, 1, "x, \"y\"", 0);
        cell_is(&t, 0, 2, "3", 0);
        cell_is(&t, 1, 1, "5 \"q\" 6", 0);
        cell_is(&t, 1, 2, "", 1);
        cell_is(&t, 2, 0, "m\nn", 0);
        cell_is(&t, 2, 1, "NA", 1);
        cell_is(&t, 2, 2, "None", 1);
        CHECK_MSG(t.line[0] == 2 && t.line[1] == 4 && t.line[2] == 5, "lines %d %d %d", t.line[0], t.line[1], t.line[2]);
        CHECK_MSG(csv_row_has_na(&t, 1) && !csv_row_has_na(&t, 0), "row_has_na");
        csv_free(&t);
    }
    /* pandas' NA strings, and near misses that are not NA */
    const char *na[] = {"", "#N/A", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null", "-nan", "1.#IND", "<NA>"};
    const char *not_na[] = {"0", "-", "na", "NONE", "Null ", " NA", "nA", "#NA!", "1.#INDX"};
    for (size_t i = 0; i < sizeof na / sizeof *na; i++) CHECK_MSG(csv_is_na_string(na[i]), "'%s' should be NA", na[i]);
    for (size_t i = 0; i < sizeof not_na / sizeof *not_na; i++)
        CHECK_MSG(!csv_is_na_string(not_na[i]), "'%s' should not be NA", not_na[i]);
    /* errors name the file and line */
    rc = load("a,b\n1,2\n3,4,5\n", &t, &err);
    CHECK_MSG(rc == IM_IO && strstr(err.msg, ":3: expected 2 fields"), "wrong width: %s", err.msg);
    rc = load("a,b\n1,\"open\n", &t, &err);
    CHECK_MSG(rc == IM_IO && strstr(err.msg, ":2: unterminated quoted field"), "unterminated: %s", err.msg);
    rc = load("", &t, &err);
    CHECK_MSG(rc == IM_IO && strstr(err.msg, "empty file"), "empty: %s", err.msg);
    rc = csv_load("/nonexistent/x.csv", &t, &err);
    CHECK_MSG(rc == IM_IO && strstr(err.msg, "/nonexistent/x.csv"), "missing: %s", err.msg);
    printf("%s\n", check_failures ? "FAILED" : "ok");
    return check_failures ? 1 : 0;
}
