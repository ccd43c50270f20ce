/* buf.h: a growable byte buffer for building output (reports, JSON lines).
 *
 * A Buf owns its memory; buf_free releases it and accepts a zeroed Buf.
 * Appends abort the process on out-of-memory (as llm.c's mallocCheck does):
 * output builders have no useful way to continue without memory. */
#ifndef IMAGINE_BUF_H
#define IMAGINE_BUF_H

#include <stddef.h>

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
 * point becomes \uXXXX (surrogate pairs above U+FFFF). Invalid UTF-8 bytes
 * are written as U+FFFD. */
void buf_json_str(Buf *b, const char *s);
/* Appends s escaped for HTML text and attribute values (& < > " '). */
void buf_html(Buf *b, const char *s);
/* Returns the data and leaves b empty; the caller frees the result. */
char *buf_take(Buf *b);

#endif
