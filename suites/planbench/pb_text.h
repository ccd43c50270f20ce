/* pb_text.h: the few Python string semantics that PlanBench's extraction
 * depends on, on UTF-8 text: str.isspace (for split/strip), str.isdigit,
 * str.lower, and plain substring replacement.
 *
 * Pure functions. Returned strings are malloc'd and owned by the caller.
 * Unicode coverage: every whitespace code point Python's str.split() splits
 * on; digits: ASCII, superscripts, subscripts, circled 1-9, fullwidth and the
 * common decimal blocks; lower(): ASCII, Latin-1, Latin Extended-A, Greek,
 * Cyrillic, plus the two code points that lower-case into ASCII (U+212A
 * KELVIN SIGN -> 'k', U+0130 -> "i\u0307"). */
#ifndef IMAGINE_PB_TEXT_H
#define IMAGINE_PB_TEXT_H

#include <stddef.h>

/* Decodes one code point at s (n bytes left); sets *len (>= 1). Invalid
 * bytes decode as themselves (0x80..0xFF) with length 1. */
unsigned pb_utf8_next(const char *s, size_t n, int *len);
int pb_cp_isspace(unsigned cp);
int pb_cp_isdigit(unsigned cp);
/* Python's str.lower() over UTF-8 (see coverage above). */
char *pb_lower(const char *s);
/* Python's s.replace(from, to), all occurrences, left to right. */
char *pb_replace(const char *s, const char *from, const char *to);
/* Bounds of s without leading/trailing Python whitespace. */
void pb_strip(const char *s, size_t n, size_t *b, size_t *e);
/* Splits s[0..n) on runs of Python whitespace (str.split()); returns the
 * number of tokens, and fills up to max (start, length) pairs. */
int pb_split_ws(const char *s, size_t n, size_t *starts, size_t *lens, int max);
/* Whether s[0..n) contains the NUL-terminated needle; first byte offset
 * (or -1). */
long pb_find(const char *s, size_t n, const char *needle);

/* A malloc'd copy of s[0..n) (aborts on out-of-memory, like buf.h). */
char *pb_dupn(const char *s, size_t n);

#endif
