/* unorm.h: Unicode normalization forms NFC, NFD, NFKC and NFKD (UAX #15)
 * for the tokenizer's normalizers, on tables generated at build time from
 * the Unicode Character Database (compute/unicode/gen_unorm.c).
 *
 * unorm_apply appends the normalized form of s[0..n) to out. Ill-formed
 * UTF-8 bytes are copied unchanged and act as boundaries (text from a
 * JSON request is well-formed; raw bytes are kept, never dropped). */
#ifndef IMAGINE_UNORM_H
#define IMAGINE_UNORM_H

#include <stddef.h>

#include "buf.h"

typedef enum { UNORM_NFC, UNORM_NFD, UNORM_NFKC, UNORM_NFKD } UnormForm;

void unorm_apply(UnormForm f, const char *s, size_t n, Buf *out);

/* the generated tables */
typedef struct UnormCcc {
    unsigned cp, ccc;
} UnormCcc;
typedef struct UnormDecomp {
    unsigned cp, compat, off, len;
} UnormDecomp;
typedef struct UnormPair {
    unsigned first, second, composite;
} UnormPair;
extern const UnormCcc unorm_ccc[];
extern const int unorm_nccc;
extern const UnormDecomp unorm_decomp[];
extern const int unorm_ndecomp;
extern const unsigned unorm_decomp_cps[];
extern const UnormPair unorm_pairs[];
extern const int unorm_npairs;

#endif
