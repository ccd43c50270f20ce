/* pyfmt.h: numbers formatted exactly as Python 3 prints them.
 *
 * The official TravelPlanner evaluator prints `f"{rate*100}%"`, i.e.
 * repr(float): the shortest decimal string that reads back to the same
 * double, with ".0" for integral values. Pure functions, no allocation. */
#ifndef IMAGINE_PYFMT_H
#define IMAGINE_PYFMT_H

#include <stddef.h>

/* Writes repr(x) into out (at least 32 bytes). Returns out. */
char *py_float_repr(double x, char *out, size_t cap);

#endif
