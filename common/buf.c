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

/* Decodes one UTF-8 code point at s; returns its length (1 for an invalid
 * byte, with *cp = 0xFFFD). */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp) {
    if (s[0] < 0x80) return *cp = s[0], 1;
    int n = (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3 : (s[0] & 0xF8) == 0xF0 ? 4 : 0;
    if (!n) return *cp = 0xFFFD, 1;
    uint32_t v = s[0] & (0x7F >> n);
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) return *cp = 0xFFFD, 1;
        v = (v << 6) | (s[i] & 0x3F);
    }
    static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < min[n] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return *cp = 0xFFFD, 1;
    return *cp = v, (size_t)n;
}

void buf_json_str(Buf *b, const char *s) {
    buf_putc(b, '"');
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        uint32_t cp;
        size_t n = utf8_decode(p, &cp);
        p += n;
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
