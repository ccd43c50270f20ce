/* jsonreq.h: a strict JSON parser for HTTP request bodies, into a cJSON
 * tree whose strings keep their length.
 *
 * cJSON cuts a string at "\u0000" and answers a lone surrogate with a bare
 * failure; requests need both done right: a prompt may hold NUL bytes, and
 * a bad body gets a message naming the line, column and cause. jreq_parse
 * accepts RFC 8259 JSON only (UTF-8 text, paired surrogates, no trailing
 * commas, nesting at most 64 deep). String nodes hold their bytes in
 * valuestring (NUL-terminated, may hold NUL) and their length, read with
 * jreq_len. The caller owns *out (cJSON_Delete). Object keys are cut at a
 * NUL (cJSON keeps them as C strings). */
#ifndef IMAGINE_JSONREQ_H
#define IMAGINE_JSONREQ_H

#include <cJSON.h>
#include <stddef.h>

#include "err.h"

/* name: what the text is, for messages ("the request body"). */
int jreq_parse(const char *text, size_t len, const char *name, cJSON **out, Err *err);
/* Bytes of a string node made by jreq_parse (0 for any other node). */
size_t jreq_len(const cJSON *s);

#endif
