/* tokenizer.h: byte-level BPE tokenizers as Hugging Face's tokenizer.json
 * describes them (GPT-2, Qwen2/3 and Llama 3 families), and a trainer.
 *
 * tok_load parses tokenizer.json: the model section (BPE vocab, merges,
 * ignore_merges), added and special tokens, the pre-tokenizer regexes
 * (Split/ByteLevel, in sequence). The Tokenizer owns all its memory.
 * Encoding matches added tokens first, then splits with the regexes and
 * applies merges by rank; decode(encode(x)) == x for any valid UTF-8 x.
 * Not implemented: normalizers other than none/NFC (NFC is accepted and
 * not applied), byte_fallback, dropout. Errors name the file and field. */
#ifndef IMAGINE_TOKENIZER_H
#define IMAGINE_TOKENIZER_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

typedef struct Tokenizer Tokenizer;

int tok_load(const char *path, Tokenizer **out, Err *err);
/* Same from JSON text; `name` is used in error messages. */
int tok_load_json(const char *json, const char *name, Tokenizer **out, Err *err);
void tok_free(Tokenizer *t);

/* Encodes text (len bytes). *ids is malloc'd, owned by the caller. */
int tok_encode(const Tokenizer *t, const char *text, size_t len, int **ids, int *n, Err *err);
/* Appends the bytes of token id (added tokens as their content). Returns 0
 * when the id is unknown. skip_special: special tokens append nothing. */
int tok_piece(const Tokenizer *t, int id, int skip_special, Buf *out);
/* Decoded text, malloc'd, owned by the caller. */
char *tok_decode(const Tokenizer *t, const int *ids, int n, int skip_special);
/* One more than the largest token id. */
int tok_n_vocab(const Tokenizer *t);
/* Id of a token given in its vocab form or as an added token; -1 if none. */
int tok_find(const Tokenizer *t, const char *token);
int tok_is_special(const Tokenizer *t, int id);

/* The pre-tokenizer regexes of Qwen2/3 and Llama 3. */
extern const char TOK_REGEX_QWEN[];
extern const char TOK_REGEX_LLAMA3[];

/* Trains a byte-level BPE on text, appending tokenizer.json to out: vocab of
 * 256 bytes + merges up to n_vocab, then the added tokens (special[i] says
 * whether added[i] is special). Deterministic. */
int tok_train(const char *text, size_t len, const char *regex, int n_vocab, const char *const *added,
              const int *special, int n_added, Buf *out, Err *err);

#endif
