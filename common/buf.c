/* buf.c: growable output buffer and the escapers that write into it. */
#include "buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(Buf *b) { b->data = NULL, b->len = 0, b->cap = 0; }

void buf_free(Buf *b) {
    if (!b) return;
    free(b->data);
    buf_init(b);
}

void buf_reset(Buf *b) {
    b->len = 0;
    if (b->data) b->data[0] = 0;
}

static void buf_reserve(Buf *b, size_t extra) {
    if (b->len + extra + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        fprintf(stderr, "imagine: out of memory (%zu bytes)\n", cap);
        abort();
    }
    b->data = p, b->cap = cap;
}

void buf_append(Buf *b, const char *s, size_t n) {
    buf_reserve(b, n);
    if (n) memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = 0;
}

void buf_puts(Buf *b, const char *s) { buf_append(b, s, strlen(s)); }

void buf_putc(Buf *b, char c) { buf_append(b, &c, 1); }

void buf_printf(Buf *b, const char *fmt, ...) {
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n > 0) {
        buf_reserve(b, (size_t)n);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
        b->len += (size_t)n;
    }
    va_end(ap2);
}

/* Ill-formed sequences take their maximal subpart (Unicode 15, 3.9 U+FFFD
 * substitution; what Rust's from_utf8_lossy and WHATWG's TextDecoder do):
 * "\xe6\x97" followed by "a" is one U+FFFD, then 'a'. */
size_t buf_utf8_decode(const char *str, size_t n, uint32_t *cp, int *bad) {
    const unsigned char *s = (const unsigned char *)str;
    *bad = 0;
    if (s[0] < 0x80) return *cp = s[0], 1;
    *bad = 1;
    int need = s[0] >= 0xC2 && s[0] <= 0xDF ? 2 : s[0] >= 0xE0 && s[0] <= 0xEF ? 3 : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : 0;
    if (!need) return *cp = 0xFFFD, 1;
    /* the allowed range of the second byte excludes overlongs, surrogates and > U+10FFFF */
    unsigned char lo = s[0] == 0xE0 ? 0xA0 : s[0] == 0xF0 ? 0x90 : 0x80;
    unsigned char hi = s[0] == 0xED ? 0x9F : s[0] == 0xF4 ? 0x8F : 0xBF;
    uint32_t v = s[0] & (0x7F >> need);
    for (int i = 1; i < need; i++) {
        if ((size_t)i >= n || s[i] < (i == 1 ? lo : 0x80) || s[i] > (i == 1 ? hi : 0xBF)) return *cp = 0xFFFD, (size_t)i;
        v = (v << 6) | (s[i] & 0x3F);
    }
    *bad = 0;
    return *cp = v, (size_t)need;
}

void buf_put_utf8(Buf *b, uint32_t cp) {
    char u[4];
    size_t n;
    if (cp < 0x80) u[0] = (char)cp, n = 1;
    else if (cp < 0x800) u[0] = (char)(0xC0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
    else if (cp < 0x10000) u[0] = (char)(0xE0 | cp >> 12), u[1] = (char)(0x80 | (cp >> 6 & 0x3F)), u[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
    else u[0] = (char)(0xF0 | cp >> 18), u[1] = (char)(0x80 | (cp >> 12 & 0x3F)), u[2] = (char)(0x80 | (cp >> 6 & 0x3F)), u[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
    buf_append(b, u, n);
}

void buf_json_str(Buf *b, const char *s) { buf_json_strn(b, s, strlen(s)); }

void buf_json_strn(Buf *b, const char *s, size_t len) {
    buf_putc(b, '"');
    const char *p = s, *end = s + len;
    while (p < end) {
        uint32_t cp;
        int bad;
        p += buf_utf8_decode(p, (size_t)(end - p), &cp, &bad);
        switch (cp) {
        case '"': buf_puts(b, "\\\""); continue;
        case '\\': buf_puts(b, "\\\\"); continue;
        case '\n': buf_puts(b, "\\n"); continue;
        case '\r': buf_puts(b, "\\r"); continue;
        case '\t': buf_puts(b, "\\t"); continue;
        case '\b': buf_puts(b, "\\b"); continue;
        case '\f': buf_puts(b, "\\f"); continue;
        default: break;
        }
        if (cp >= 0x20 && cp < 0x7F) {
            buf_putc(b, (char)cp);
        } else if (cp < 0x10000) {
            buf_printf(b, "\\u%04x", cp);
        } else {
            cp -= 0x10000;
            buf_printf(b, "\\u%04x\\u%04x", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
        }
    }
    buf_putc(b, '"');
}

void buf_html(Buf *b, const char *s) {
    for (; *s; s++) {
        switch (*s) {
        case '&': buf_puts(b, "&amp;"); break;
        case '<': buf_puts(b, "&lt;"); break;
        case '>': buf_puts(b, "&gt;"); break;
        case '"': buf_puts(b, "&quot;"); break;
        case '\'': buf_puts(b, "&#39;"); break;
        default: buf_putc(b, *s);
        }
    }
}

char *buf_take(Buf *b) {
    if (!b->data) buf_append(b, "", 0);
    char *p = b->data;
    buf_init(b);
    return p;
}
