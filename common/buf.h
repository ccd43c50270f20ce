/* buf.h: a growable byte buffer for building output (reports, JSON lines).
 *
 * A Buf owns its memory; buf_free releases it and accepts a zeroed Buf.
 * Appends abort the process on out-of-memory (as llm.c's mallocCheck does):
 * output builders have no useful way to continue without memory. */
#ifndef IMAGINE_BUF_H
#define IMAGINE_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct Buf {
    char *data;  /* always NUL-terminated when len > 0 or after any append */
    size_t len;
    size_t cap;
} Buf;

void buf_init(Buf *b);
void buf_free(Buf *b);
void buf_reset(Buf *b); /* len = 0, keeps memory */
void buf_append(Buf *b, const char *s, size_t n);
void buf_puts(Buf *b, const char *s);
void buf_putc(Buf *b, char c);
void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string literal (quotes included), escaped the way
 * Python's json.dumps does with ensure_ascii=True: every non-ASCII code
 * point becomes \uXXXX (surrogate pairs above U+FFFF). Ill-formed UTF-8
 * becomes U+FFFD, one per maximal subpart (as Rust's from_utf8_lossy and
 * Hugging Face's decoders do: an incomplete sequence is ONE U+FFFD). */
void buf_json_str(Buf *b, const char *s);
/* Same for the len bytes at s, which may hold NUL bytes (written \u0000). */
void buf_json_strn(Buf *b, const char *s, size_t len);
/* Decodes one code point from s[0..n) (n >= 1) and returns the bytes it
 * takes; an ill-formed sequence gives *cp = 0xFFFD, *bad = 1 and the
 * length of its maximal subpart. */
size_t buf_utf8_decode(const char *s, size_t n, uint32_t *cp, int *bad);
/* Appends code point cp (<= U+10FFFF) as UTF-8. */
void buf_put_utf8(Buf *b, uint32_t cp);
/* Appends s escaped for HTML text and attribute values (& < > " '). */
void buf_html(Buf *b, const char *s);
/* Returns the data and leaves b empty; the caller frees the result. */
char *buf_take(Buf *b);

#endif
