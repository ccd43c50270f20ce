/* paraphrase.h: `imagine queries generate --paraphrase-model SPEC` (issue
 * 15, docs/imagine.md "Paraphrases"): every generated item's text is sent
 * to a model with the embedded prompt agents/prompts/paraphrase.txt,
 * through the one chat interface (agents/model.h: its retries, its
 * concurrency, the SQLite response cache), temperature 0 unless the spec
 * says otherwise. The answer is untrusted: it replaces the text only when
 * it is one clean paragraph (trimmed, one pair of enclosing quotes
 * removed; no line break or control character, valid UTF-8, not
 * containing the template word for word, at most 4 times the template's
 * length + 200 bytes, the model not cut off) and passes the suite's fact check
 * (SuiteOps.paraphrase_check). Every item then has its template text in
 * "query_template" and a "paraphrase" object: {"status": "paraphrased" |
 * "paraphrase_rejected" | "paraphrase_failed", "reason" (the last two),
 * "model", "prompt_sha256"}; a rejected or failed item keeps the template
 * text. The same items and the same answers (the cache) give the same
 * bytes whatever the concurrency.
 *
 * Library code: returns a status, prints nothing but the progress line on
 * stderr; the report goes into a caller's Buf. */
#ifndef IMAGINE_PARAPHRASE_H
#define IMAGINE_PARAPHRASE_H

#include "buf.h"
#include "err.h"
#include "suite.h"

typedef struct ParaOptions {
    const char *spec;  /* the model spec (--paraphrase-model) */
    const char *cache; /* the response cache file; NULL: AG_CACHE_DEFAULT */
    int no_cache;      /* 1: no cache */
    int concurrency;   /* requests in flight; 0: the spec's (default 8) */
} ParaOptions;

/* Before anything is generated: the suite has the ops (IM_USAGE naming
 * the flag and why not), the spec parses (IM_USAGE naming the flag), the
 * cache is not `out` and opens. */
int para_preflight(const SuiteOps *ops, const ParaOptions *o, const char *out, Err *err);

/* Rewrites jsonl (the generator's lines, from s) in place and appends
 * the report lines (counts, the prompt's SHA-256, the rejections and
 * failures) to report. A failed model call is no error: the item keeps
 * its template. IM_IO/IM_USAGE on a model that cannot be opened or a line
 * that is not the generator's. */
int para_apply(const Suite *s, const ParaOptions *o, Buf *jsonl, Buf *report, Err *err);

#endif
