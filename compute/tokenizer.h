/* tokenizer.h: byte-level BPE tokenizers as Hugging Face's tokenizer.json
 * describes them (GPT-2, Qwen2/3 and Llama 3 families), and a trainer.
 *
 * tok_load parses tokenizer.json: the model section (BPE vocab, merges,
 * ignore_merges), added and special tokens, the normalizer (NFC, NFD, NFKC,
 * NFKD, Prepend, Replace with a string, in a Sequence), the pre-tokenizer
 * regexes (Split/ByteLevel, in sequence) and the post-processor
 * (TemplateProcessing's single template, Bert/Roberta, ByteLevel, in a
 * Sequence). The Tokenizer owns all its memory.
 * Encoding as Hugging Face's: added tokens that are not normalized are
 * matched in the raw text; the text between is normalized, split on the
 * normalized added tokens, split with the regexes, and merged by rank;
 * the post-processor adds its special tokens when asked (add_special).
 * decode(encode(x)) == x for any valid UTF-8 x the normalizer leaves alone.
 * Not implemented: byte_fallback, dropout, lstrip/rstrip of added tokens,
 * Regex patterns in Replace. Errors name the file and field. */
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

/* Encodes text (len bytes, NUL bytes included) without the
 * post-processor's special tokens (HF's add_special_tokens=False, as chat
 * templates are encoded). *ids is malloc'd, owned by the caller. */
int tok_encode(const Tokenizer *t, const char *text, size_t len, int **ids, int *n, Err *err);
/* Same; add_special != 0 adds the post-processor's tokens (HF's default
 * encode: Llama 3's <|begin_of_text|>). max_ids > 0 stops encoding soon
 * after max_ids ids (*n > max_ids then says the text is longer). */
int tok_encode_special(const Tokenizer *t, const char *text, size_t len, int add_special, int max_ids, int **ids, int *n, Err *err);
/* A lower bound on the tokens that `bytes` bytes of text encode to (no
 * token is longer than the longest vocabulary string), to refuse text that
 * cannot fit a context before encoding it. */
size_t tok_min_tokens(const Tokenizer *t, size_t bytes);
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

/* The parts of a trained tokenizer.json that are not learned, as in the
 * real files: Qwen3's NFC normalizer; Llama 3's post-processor adding a
 * BOS (added[bos]) by TemplateProcessing after ByteLevel. */
typedef struct TokShape {
    int nfc;
    int bos; /* index into added, -1: no BOS (a ByteLevel post-processor alone) */
} TokShape;

/* Trains a byte-level BPE on text, appending tokenizer.json to out: vocab of
 * 256 bytes + merges up to n_vocab, then the added tokens (special[i] says
 * whether added[i] is special) with ids from n_vocab on (fewer when the
 * text has fewer merges). shape may be NULL. Deterministic. */
int tok_train(const char *text, size_t len, const char *regex, int n_vocab, const char *const *added,
              const int *special, int n_added, const TokShape *shape, Buf *out, Err *err);

#endif
