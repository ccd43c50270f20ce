/* think.c: the IMAGINE sample format (think.h). Pure string work. */
#include "think.h"

#include <string.h>

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

static void trim(const char **s, size_t *n) {
    while (*n && is_space(**s)) (*s)++, (*n)--;
    while (*n && is_space((*s)[*n - 1])) (*n)--;
}

void think_flatten(Buf *out, const char *reasoning, const char *reflection, const char *answer) {
    buf_puts(out, THINK_OPEN "\n");
    buf_puts(out, reasoning ? reasoning : "");
    buf_puts(out, "\n" THINK_REFLECTION_OPEN "\n");
    buf_puts(out, reflection && *reflection ? reflection : THINK_NO_ERRORS);
    buf_puts(out, "\n" THINK_REFLECTION_CLOSE "\n" THINK_CLOSE "\n");
    buf_puts(out, answer ? answer : "");
}

int think_split(const char *text, int open_optional, ThinkSplit *out) {
    memset(out, 0, sizeof *out);
    if (!text) return out->error = "no response", -1;
    const char *p = text;
    while (is_space(*p)) p++;
    size_t lo = strlen(THINK_OPEN);
    if (!strncmp(p, THINK_OPEN, lo)) p += lo;
    else if (!open_optional) return out->error = "the response does not start with <think>", -1;
    const char *close = strstr(p, THINK_CLOSE);
    if (!close) {
        out->reasoning = p, out->reasoning_len = strlen(p);
        return out->error = "no </think> after the reasoning", -1;
    }
    out->reasoning = p, out->reasoning_len = (size_t)(close - p);
    out->answer = close + strlen(THINK_CLOSE);
    out->answer_len = strlen(out->answer);
    trim(&out->answer, &out->answer_len);
    if (!out->answer_len) return out->error = "nothing after </think>", -1;
    return 0;
}

int think_has_reflection(const char *reasoning, size_t len, const char *pattern) {
    if (!reasoning || !pattern || !*pattern) return 0;
    size_t m = strlen(pattern);
    if (m > len) return 0;
    for (const char *s = reasoning, *end = reasoning + len - m; s <= end; s++) {
        s = memchr(s, pattern[0], (size_t)(end - s) + 1);
        if (!s) return 0;
        if (!memcmp(s, pattern, m)) return 1;
    }
    return 0;
}

void think_answer_json(const char *answer, size_t len, const char **b, size_t *n) {
    *b = answer, *n = len;
    if (len < 6 || strncmp(answer, "```", 3) || strncmp(answer + len - 3, "```", 3)) return;
    const char *s = answer + 3, *e = answer + len - 3;
    const char *nl = memchr(s, '\n', (size_t)(e - s));
    if (!nl) return;
    /* the fence's info string: empty or one word (json) */
    for (const char *t = s; t < nl; t++)
        if (is_space(*t) && *t != '\r') return;
    *b = nl + 1, *n = (size_t)(e - (nl + 1));
    trim(b, n);
}

int think_reflection_kind(const char *text) {
    const char *m = text ? strstr(text, THINK_REFLECTION_OPEN) : NULL;
    if (!m) return 0;
    m += strlen(THINK_REFLECTION_OPEN);
    while (is_space(*m)) m++;
    size_t n = strlen(THINK_NO_ERRORS);
    if (strncmp(m, THINK_NO_ERRORS, n)) return 2;
    m += n;
    while (is_space(*m)) m++;
    return strncmp(m, THINK_REFLECTION_CLOSE, strlen(THINK_REFLECTION_CLOSE)) ? 2 : 1;
}
