/* main.c: entry point of `imagine`. Finds the verb (one or two words) in
 * the verb table and hands it the rest of the command line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpulat.h"
#include "fsutil.h"
#include "verbs.h"

int harness_fail(const Err *err) {
    /* messages that already name the verb ("imagine eval: ...") keep theirs */
    const char *msg = err->msg[0] ? err->msg : "failed";
    fprintf(stderr, "%s%s\n", strncmp(msg, "imagine ", 8) ? "imagine: " : "", msg);
    return err->code ? err->code : IM_IO;
}

const char *harness_data_dir(const char *flag) {
    if (flag && *flag) return flag;
    const char *env = getenv("IMAGINE_DATA");
    if (env && *env) return env;
    static char def[4096];
    const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
    if (xdg && *xdg) snprintf(def, sizeof def, "%s/imagine/travelplanner", xdg);
    else snprintf(def, sizeof def, "%s/.local/share/imagine/travelplanner", home ? home : ".");
    return def;
}

int harness_refuse_input_as_output(const char *verb, const char *flag, const char *out, const char *const *inputs, int n,
                                   Err *err) {
    return fs_refuse_overwrite(verb, flag, out, inputs, n, err);
}

const CliVerb *harness_find_verb(const char *name) {
    for (const CliVerb *const *f = imagine_verb_families; *f; f++)
        for (const CliVerb *v = *f; v->name; v++)
            if (!strcmp(v->name, name)) return v;
    return NULL;
}

/* A verb's results are lost when standard output cannot take them (a full
 * disk, /dev/full): that is an I/O error (exit 3), whatever the verb said. */
static int stdout_checked(int rc) {
    int e = fflush(stdout) != 0 ? errno : 0;
    if (!e && !ferror(stdout)) return rc;
    fprintf(stderr, "imagine: cannot write the results to standard output: %s\n", e ? strerror(e) : "write error");
    return rc ? rc : IM_IO;
}

static int run_verb(const CliVerb *v, int argc, char **argv) {
    Err err = {0};
    if (cpulat_from_env(&err)) return harness_fail(&err); /* held for the verb's life (cpulat.h) */
    return stdout_checked(v->run(argc, argv));
}

int main(int argc, char **argv) {
    cli_set_lookup(harness_find_verb);
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))
        return run_verb(harness_find_verb("help"), argc < 2 ? 1 : argc - 1, argc < 2 ? argv : argv + 1);
    /* Two-word verbs first ("data check"), then one word. */
    if (argc >= 3) {
        char two[128];
        snprintf(two, sizeof two, "%s %s", argv[1], argv[2]);
        const CliVerb *v = harness_find_verb(two);
        if (v) {
            argv[2] = (char *)v->name;
            return run_verb(v, argc - 2, argv + 2);
        }
    }
    const CliVerb *v = harness_find_verb(argv[1]);
    if (v) return run_verb(v, argc - 1, argv + 1);
    /* "imagine data" alone: list the two-word verbs it starts */
    size_t n = strlen(argv[1]);
    int listed = 0;
    for (const CliVerb *const *f = imagine_verb_families; *f; f++)
        for (const CliVerb *w = *f; w->name; w++)
            if (!strncmp(w->name, argv[1], n) && w->name[n] == ' ') {
                if (!listed++) fprintf(stderr, "imagine %s: say which one:\n", argv[1]);
                fprintf(stderr, "  imagine %-14s %s\n", w->name, w->summary);
            }
    if (!listed) fprintf(stderr, "imagine: unknown verb '%s' (see imagine help)\n", argv[1]);
    return IM_USAGE;
}
