/* pyre.h: the string helpers of the official evaluator, with Python's
 * exact semantics (re module, str.strip on Unicode white space).
 *
 *   tp_before_paren   utils.func.extract_before_parenthesis  ^(.*?)\([^)]*\)
 *   tp_name_city      utils.func.get_valid_name_city  (.*?),\s*([^,]+)(\(\w[\w\s]*\))?$
 *   tp_from_to        extract_from_to  from\s+(.+?)\s+to\s+([^,]+)(?=[,\s]|$)
 *
 * The first two are closed-form (their regexes reduce to "the first '('
 * with a ')' after it" and "the last comma"); the third runs PCRE2 in UTF
 * and UCP mode, which matches Python's lazy quantifiers and look-ahead.
 * Results are written into caller buffers or a TpStr arena; no global
 * state beyond the compiled pattern (thread-safe after tp_pyre_init). */
#ifndef TP_PYRE_H
#define TP_PYRE_H

#include <stddef.h>

/* A view of bytes; not NUL-terminated. */
typedef struct TpSpan {
    const char *p;
    size_t n;
} TpSpan;

/* Python str.isspace() for one code point. */
int py_isspace(unsigned cp);
/* Python str.strip(): trims Unicode white space from both ends. */
TpSpan py_strip(TpSpan s);
/* extract_before_parenthesis(s) */
TpSpan tp_before_paren(TpSpan s);
/* get_valid_name_city(s): 1 and name/city on a match; 0 when Python
 * prints "... can not be parsed, '-' will be used instead." (the caller
 * then uses "-" for both). */
int tp_name_city(TpSpan s, TpSpan *name, TpSpan *city);
/* extract_from_to(s): 1 and both groups on a match, 0 for (None, None). */
int tp_from_to(TpSpan s, TpSpan *a, TpSpan *b);
/* Compiles the pattern once; returns 0 on success. Called by tp_db_open. */
int tp_pyre_init(void);

static inline TpSpan tp_span(const char *s);
#include <string.h>
static inline TpSpan tp_span(const char *s) { TpSpan r = {s, s ? strlen(s) : 0}; return r; }
/* 1 when span equals NUL-terminated t. */
static inline int tp_span_eq(TpSpan s, const char *t) { return strlen(t) == s.n && !memcmp(s.p, t, s.n); }
/* 1 when needle (NUL-terminated) occurs in span hay. */
int tp_span_contains(TpSpan hay, const char *needle, size_t needle_len);

#endif
