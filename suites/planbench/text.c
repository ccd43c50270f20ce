/* text.c: Python string semantics on UTF-8 for the PlanBench extraction
 * (pb_text.h). Pure functions; no I/O. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "pb_text.h"

unsigned pb_utf8_next(const char *s, size_t n, int *len) {
    const unsigned char *u = (const unsigned char *)s;
    unsigned c = u[0];
    int need = (c >= 0xF0 && c < 0xF8) ? 3 : (c >= 0xE0 && c < 0xF0) ? 2 : (c >= 0xC0 && c < 0xE0) ? 1 : 0;
    *len = 1;
    if (c < 0x80 || need == 0 || (size_t)need + 1 > n) return c;
    unsigned cp = c & (0x3Fu >> need);
    for (int i = 1; i <= need; i++) {
        if ((u[i] & 0xC0) != 0x80) return c;
        cp = (cp << 6) | (u[i] & 0x3Fu);
    }
    *len = need + 1;
    return cp;
}

int pb_cp_isspace(unsigned cp) {
    if (cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x1F)) return 1;
    if (cp < 0x80) return 0;
    return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 ||
           cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

int pb_cp_isdigit(unsigned cp) {
    if (cp >= '0' && cp <= '9') return 1;
    if (cp < 0x80) return 0;
    if (cp == 0xB2 || cp == 0xB3 || cp == 0xB9 || cp == 0x2070 || (cp >= 0x2074 && cp <= 0x2079)) return 1;
    if (cp >= 0x2080 && cp <= 0x2089) return 1;
    if (cp >= 0x2460 && cp <= 0x2468) return 1; /* circled 1-9 */
    if (cp >= 0x2474 && cp <= 0x247C) return 1; /* parenthesized 1-9 */
    if (cp >= 0x2488 && cp <= 0x2490) return 1; /* 1. .. 9. */
    if (cp >= 0x24F5 && cp <= 0x24FD) return 1;
    if (cp >= 0x2776 && cp <= 0x2792) return 1; /* dingbat circled */
    static const unsigned zeros[] = {0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66,
                                     0xCE6, 0xD66, 0xE50, 0xED0, 0xF20, 0x1040, 0x17E0, 0x1810, 0xFF10};
    for (size_t i = 0; i < sizeof zeros / sizeof zeros[0]; i++)
        if (cp >= zeros[i] && cp <= zeros[i] + 9) return 1;
    return 0;
}

static void put_cp(Buf *b, unsigned cp) {
    char t[4];
    if (cp < 0x80) {
        buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        t[0] = (char)(0xC0 | (cp >> 6)), t[1] = (char)(0x80 | (cp & 0x3F));
        buf_append(b, t, 2);
    } else if (cp < 0x10000) {
        t[0] = (char)(0xE0 | (cp >> 12)), t[1] = (char)(0x80 | ((cp >> 6) & 0x3F)), t[2] = (char)(0x80 | (cp & 0x3F));
        buf_append(b, t, 3);
    } else {
        t[0] = (char)(0xF0 | (cp >> 18)), t[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        t[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), t[3] = (char)(0x80 | (cp & 0x3F));
        buf_append(b, t, 4);
    }
}

static unsigned lower_cp(unsigned cp) {
    if (cp >= 'A' && cp <= 'Z') return cp + 32;
    if (cp < 0xC0) return cp;
    if ((cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)) return cp + 32;
    if (cp >= 0x100 && cp <= 0x17F && cp != 0x130 && cp != 0x131 && cp != 0x138 && cp != 0x149 && cp != 0x17F) {
        int even_upper = (cp < 0x139) || (cp >= 0x14A && cp < 0x179);
        if (even_upper) return (cp % 2 == 0) ? cp + 1 : cp;
        return (cp % 2 == 1) ? cp + 1 : cp;
    }
    if (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2) return cp + 32;
    if (cp >= 0x410 && cp <= 0x42F) return cp + 32;
    if (cp >= 0x400 && cp <= 0x40F) return cp + 80;
    if (cp == 0x212A) return 'k';
    return cp;
}

char *pb_lower(const char *s) {
    size_t n = strlen(s);
    Buf b;
    buf_init(&b);
    buf_append(&b, "", 0);
    size_t run = 0; /* start of the pending ASCII run */
    char *tmp = malloc(n + 1);
    if (!tmp) abort();
    for (size_t i = 0; i < n; i++) tmp[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] + 32) : s[i];
    for (size_t i = 0; i < n;) {
        if ((unsigned char)s[i] < 0x80) {
            i++;
            continue;
        }
        buf_append(&b, tmp + run, i - run);
        int len;
        unsigned cp = pb_utf8_next(s + i, n - i, &len);
        if (len == 1) buf_putc(&b, s[i]); /* an invalid byte: kept as is */
        else if (cp == 0x130) buf_append(&b, "i\xcc\x87", 3);
        else put_cp(&b, lower_cp(cp));
        i += (size_t)len;
        run = i;
    }
    buf_append(&b, tmp + run, n - run);
    free(tmp);
    buf_putc(&b, 0);
    return buf_take(&b);
}

char *pb_replace(const char *s, const char *from, const char *to) {
    size_t fl = strlen(from), tl = strlen(to);
    Buf b;
    buf_init(&b);
    if (fl == 0) { /* not used by the extraction; Python inserts `to` between characters */
        buf_puts(&b, s);
        buf_putc(&b, 0);
        return buf_take(&b);
    }
    const char *p = s, *q;
    while ((q = strstr(p, from)) != NULL) {
        buf_append(&b, p, (size_t)(q - p));
        buf_append(&b, to, tl);
        p = q + fl;
    }
    buf_puts(&b, p);
    buf_putc(&b, 0);
    return buf_take(&b);
}

static inline int space_at(const char *s, size_t n, size_t i, int *len) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x80) {
        *len = 1;
        return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
    }
    unsigned cp = pb_utf8_next(s + i, n - i, len);
    return pb_cp_isspace(cp);
}

void pb_strip(const char *s, size_t n, size_t *b, size_t *e) {
    size_t i = 0, last;
    int len;
    while (i < n && space_at(s, n, i, &len)) i += (size_t)len;
    *b = last = i;
    while (i < n) {
        int sp = space_at(s, n, i, &len);
        i += (size_t)len;
        if (!sp) last = i;
    }
    *e = last;
}

int pb_split_ws(const char *s, size_t n, size_t *starts, size_t *lens, int max) {
    int count = 0;
    size_t i = 0;
    while (i < n) {
        int len;
        while (i < n && space_at(s, n, i, &len)) i += (size_t)len;
        if (i >= n) break;
        size_t st = i;
        while (i < n && !space_at(s, n, i, &len)) i += (size_t)len;
        if (count < max) starts[count] = st, lens[count] = i - st;
        count++;
    }
    return count;
}

long pb_find(const char *s, size_t n, const char *needle) {
    size_t m = strlen(needle);
    if (m == 0) return 0;
    const char *q = memmem(s, n, needle, m);
    return q ? (long)(q - s) : -1;
}

char *pb_dupn(const char *s, size_t n) {
    char *r = malloc(n + 1);
    if (!r) abort();
    memcpy(r, s, n);
    r[n] = 0;
    return r;
}
