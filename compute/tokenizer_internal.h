/* tokenizer_internal.h: the GPT-2 byte <-> unicode table shared by the
 * tokenizer and its trainer. Not a public interface. */
#ifndef IMAGINE_TOKENIZER_INTERNAL_H
#define IMAGINE_TOKENIZER_INTERNAL_H

typedef struct TokBytes {
    char enc[256][3];      /* byte -> UTF-8 of its code point (NUL-terminated) */
    short cp_to_byte[512]; /* code point -> byte, -1 when not in the table */
} TokBytes;

void tokb_table(TokBytes *tb);

#endif
