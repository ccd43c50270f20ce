/* pyre.c: Python-exact string helpers of the official evaluator. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "pyre.h"

#include <pcre2.h>
#include <pthread.h>

int py_isspace(unsigned cp) {
    if (cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x1F)) return 1;
    if (cp < 0x80) return 0;
    return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 ||
           cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

/* Decodes the code point starting at p (valid UTF-8 assumed; bytes that are
 * not valid count as one code point each, as they never are white space). */
static unsigned cp_at(const unsigned char *p, size_t n, size_t *len) {
    if (p[0] < 0x80 || n < 2) return *len = 1, p[0];
    if ((p[0] & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80) return *len = 2, ((p[0] & 0x1Fu) << 6) | (p[1] & 0x3F);
    if ((p[0] & 0xF0) == 0xE0 && n >= 3 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80)
        return *len = 3, ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3F);
    return *len = 1, 0xFFFD;
}

/* Length of the white-space code point ending at p+n, or 0. */
static size_t space_before(const unsigned char *p, size_t n) {
    for (size_t k = 1; k <= 3 && k <= n; k++) {
        size_t len;
        if ((p[n - k] & 0xC0) == 0x80) continue; /* continuation byte */
        unsigned cp = cp_at(p + n - k, k, &len);
        return len == k && py_isspace(cp) ? k : 0;
    }
    return 0;
}

TpSpan py_strip(TpSpan s) {
    const unsigned char *p = (const unsigned char *)s.p;
    size_t i = 0, n = s.n, len;
    while (i < n && py_isspace(cp_at(p + i, n - i, &len))) i += len;
    size_t k;
    while (n > i && (k = space_before(p + i, n - i)) > 0) n -= k;
    TpSpan r = {s.p + i, n - i};
    return r;
}

int tp_span_contains(TpSpan hay, const char *needle, size_t nl) {
    if (nl == 0) return 1;
    if (nl > hay.n) return 0;
    return memmem(hay.p, hay.n, needle, nl) != NULL;
}

TpSpan tp_before_paren(TpSpan s) {
    /* ^(.*?)\([^)]*\) : the text before the first '(' when some ')' follows
     * it; '.' stops at '\n', so a newline before that '(' means no match. */
    const char *open = memchr(s.p, '(', s.n);
    if (!open) return s;
    if (!memchr(open, ')', s.n - (size_t)(open - s.p))) return s;
    if (memchr(s.p, '\n', (size_t)(open - s.p))) return s;
    TpSpan r = {s.p, (size_t)(open - s.p)};
    return r;
}

int tp_name_city(TpSpan s, TpSpan *name, TpSpan *city) {
    /* (.*?),\s*([^,]+)(...)?$ : [^,]+ runs to the end, so the comma is the
     * last one and at least one character must follow it. re.search moves
     * the start past any '\n' before that comma ('.' excludes '\n'). */
    const char *comma = NULL;
    for (size_t i = s.n; i-- > 0;)
        if (s.p[i] == ',') { comma = s.p + i; break; }
    if (!comma || (size_t)(comma - s.p) + 1 >= s.n) return 0;
    const char *start = s.p;
    for (const char *q = s.p; q < comma; q++)
        if (*q == '\n') start = q + 1;
    TpSpan nm = {start, (size_t)(comma - start)};
    TpSpan after = {comma + 1, s.n - (size_t)(comma + 1 - s.p)};
    /* group(2) is after minus leading \s; strip() removes that anyway. */
    *name = py_strip(nm);
    *city = py_strip(tp_before_paren(py_strip(after)));
    return 1;
}

static pcre2_code *from_to_re;
static pthread_once_t from_to_once = PTHREAD_ONCE_INIT;
static int from_to_ok;

static void compile_from_to(void) {
    int ec;
    PCRE2_SIZE off;
    pcre2_compile_context *cc = pcre2_compile_context_create(NULL);
    if (!cc) return;
    pcre2_set_newline(cc, PCRE2_NEWLINE_LF);
    from_to_re = pcre2_compile((PCRE2_SPTR) "from\\s+(.+?)\\s+to\\s+([^,]+)(?=[,\\s]|$)", PCRE2_ZERO_TERMINATED,
                               PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &ec, &off, cc);
    pcre2_compile_context_free(cc);
    if (from_to_re) {
        pcre2_jit_compile(from_to_re, PCRE2_JIT_COMPLETE);
        from_to_ok = 1;
    }
}

int tp_pyre_init(void) {
    pthread_once(&from_to_once, compile_from_to);
    return from_to_ok ? 0 : -1;
}

int tp_from_to(TpSpan s, TpSpan *a, TpSpan *b) {
    if (!tp_span_contains(s, "from", 4)) return 0; /* fast path: the literal must occur */
    if (tp_pyre_init()) return 0;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(from_to_re, NULL);
    if (!md) return 0;
    int rc = pcre2_match(from_to_re, (PCRE2_SPTR)s.p, s.n, 0, 0, md, NULL);
    int ok = 0;
    if (rc >= 3) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        a->p = s.p + ov[2], a->n = ov[3] - ov[2];
        b->p = s.p + ov[4], b->n = ov[5] - ov[4];
        ok = 1;
    }
    pcre2_match_data_free(md);
    return ok;
}
