/* cmd_cache.c: `imagine cache stats` and `imagine cache clear`, the LLM
 * response cache (agents/cache.h). Reads or deletes rows; never shows
 * cached text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cache.h"
#include "fsutil.h"
#include "verbs.h"

static int cmd_stats(int argc, char **argv) {
    const char *path = AG_CACHE_DEFAULT;
    int json = 0;
    const CliOpt opts[] = {{"--cache", CLI_STR, &path, "FILE", "the cache file (default: " AG_CACHE_DEFAULT ")"},
                           {"--json", CLI_FLAG, &json, NULL, "print one JSON object"},
                           {0}};
    Err err = {0};
    const char *pos[1];
    int npos, rc = cli_parse("cache stats", "", argc, argv, opts, pos, 0, &npos, &err);
    if (rc < 0) return IM_OK;
    if (rc) return harness_fail(&err);
    if (!fs_exists(path)) { /* nothing cached yet: an empty cache, and nothing is created */
        if (json) {
            fputs("{\"cache\": ", stdout);
            Buf b;
            buf_init(&b);
            buf_json_str(&b, path);
            fputs(b.data, stdout);
            buf_free(&b);
            fputs(", \"entries\": 0, \"tokens_in\": 0, \"tokens_out\": 0, \"bytes\": 0, \"models\": []}\n", stdout);
        } else {
            printf("cache %s: 0 answers (no cache file yet: runs create it)\n", path);
        }
        return IM_OK;
    }
    AgCache *c = NULL;
    AgCacheStats st;
    char *models = NULL;
    if ((rc = ag_cache_open(path, &c, &err)) || (rc = ag_cache_stats(c, &st, &err)) ||
        (rc = ag_cache_models(c, &models, &err))) {
        ag_cache_close(c);
        return harness_fail(&err);
    }
    Buf out;
    buf_init(&out);
    if (json) {
        buf_puts(&out, "{\"cache\": ");
        buf_json_str(&out, path);
        buf_printf(&out, ", \"entries\": %ld, \"tokens_in\": %ld, \"tokens_out\": %ld, \"bytes\": %lld, \"models\": [", st.entries,
                   st.tokens_in, st.tokens_out, st.bytes);
        int first = 1;
        for (char *line = strtok(models, "\n"); line; line = strtok(NULL, "\n")) {
            char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL, *t3 = t2 ? strchr(t2 + 1, '\t') : NULL;
            if (!t3) continue;
            *t1 = *t2 = *t3 = 0;
            buf_puts(&out, first ? "{\"model\": " : ", {\"model\": ");
            buf_json_str(&out, line);
            buf_printf(&out, ", \"entries\": %s, \"tokens_in\": %s, \"tokens_out\": %s}", t1 + 1, t2 + 1, t3 + 1);
            first = 0;
        }
        buf_puts(&out, "]}\n");
    } else {
        buf_printf(&out, "cache %s: %ld answers, %.1f MB; each hit saves its tokens (all entries: %ld in, %ld out)\n", path,
                   st.entries, (double)st.bytes / 1e6, st.tokens_in, st.tokens_out);
        if (st.entries) buf_printf(&out, "%-40s %10s %12s %12s\n", "model", "answers", "tokens in", "tokens out");
        for (char *line = strtok(models, "\n"); line; line = strtok(NULL, "\n")) {
            char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL, *t3 = t2 ? strchr(t2 + 1, '\t') : NULL;
            if (!t3) continue;
            *t1 = *t2 = *t3 = 0;
            buf_printf(&out, "%-40s %10s %12s %12s\n", line, t1 + 1, t2 + 1, t3 + 1);
        }
    }
    fwrite(out.data, 1, out.len, stdout);
    buf_free(&out);
    free(models);
    ag_cache_close(c);
    return IM_OK;
}

static int cmd_clear(int argc, char **argv) {
    const char *path = AG_CACHE_DEFAULT, *model = NULL;
    const CliOpt opts[] = {{"--cache", CLI_STR, &path, "FILE", "the cache file (default: " AG_CACHE_DEFAULT ")"},
                           {"--model", CLI_STR, &model, "NAME", "only the answers of this model (its name in the spec)"},
                           {0}};
    Err err = {0};
    const char *pos[1];
    int npos, rc = cli_parse("cache clear", "", argc, argv, opts, pos, 0, &npos, &err);
    if (rc < 0) return IM_OK;
    if (rc) return harness_fail(&err);
    if (!fs_exists(path)) {
        printf("cache %s: 0 answers deleted (no cache file)\n", path);
        return IM_OK;
    }
    AgCache *c = NULL;
    long n = 0;
    if ((rc = ag_cache_open(path, &c, &err)) || (rc = ag_cache_clear(c, model, &n, &err))) {
        ag_cache_close(c);
        return harness_fail(&err);
    }
    printf("cache %s: %ld answers deleted%s%s\n", path, n, model ? " of model " : "", model ? model : "");
    ag_cache_close(c);
    return IM_OK;
}

const CliVerb imagine_verbs_cache[] = {
    {"cache stats", cmd_stats, "Show the LLM response cache: answers, size, tokens per model.", ""},
    {"cache clear", cmd_clear, "Delete the cached answers (all, or one model's).", ""},
    {0}};
