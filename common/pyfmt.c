/* pyfmt.c: Python's float repr (shortest round-trip, repr style). */
#include "pyfmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *py_float_repr(double x, char *out, size_t cap) {
    if (isnan(x)) return snprintf(out, cap, "nan"), out;
    if (isinf(x)) return snprintf(out, cap, x < 0 ? "-inf" : "inf"), out;
    /* Shortest significant-digit count that round-trips. */
    char digits[40];
    int prec;
    for (prec = 1; prec <= 17; prec++) {
        snprintf(digits, sizeof digits, "%.*e", prec - 1, x);
        if (strtod(digits, NULL) == x) break;
    }
    /* digits is "d.ddde[+-]XX": split mantissa and exponent. */
    char mant[40];
    int exp10 = atoi(strchr(digits, 'e') + 1);
    size_t m = 0;
    for (const char *p = digits; *p && *p != 'e'; p++)
        if (*p != '.' && *p != '-') mant[m++] = *p;
    mant[m] = 0;
    const char *sign = x < 0 || (x == 0 && signbit(x)) ? "-" : "";
    if (exp10 < -4 || exp10 >= 16) {
        /* Python: 1e+16, 1.5e-05 */
        char frac[40] = "";
        if (m > 1) snprintf(frac, sizeof frac, ".%s", mant + 1);
        snprintf(out, cap, "%s%c%se%c%02d", sign, mant[0], frac, exp10 < 0 ? '-' : '+', abs(exp10));
    } else if (exp10 < 0) {
        snprintf(out, cap, "%s0.%0*d%s", sign, -exp10 - 1, 0, mant);
        if (-exp10 - 1 == 0) snprintf(out, cap, "%s0.%s", sign, mant);
    } else if ((int)m <= exp10 + 1) {
        snprintf(out, cap, "%s%s%0*d.0", sign, mant, exp10 + 1 - (int)m, 0);
        if (exp10 + 1 - (int)m == 0) snprintf(out, cap, "%s%s.0", sign, mant);
    } else {
        snprintf(out, cap, "%s%.*s.%s", sign, exp10 + 1, mant, mant + exp10 + 1);
    }
    return out;
}
