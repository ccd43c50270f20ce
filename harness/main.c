/* main.c: entry point of `imagine`. Finds the verb (one or two words) in
 * the verb table and hands it the rest of the command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verbs.h"

int harness_fail(const Err *err) {
    fprintf(stderr, "imagine: %s\n", err->msg[0] ? err->msg : "failed");
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

int cmd_help(int argc, char **argv) {
    if (argc >= 2) {
        char name[128];
        snprintf(name, sizeof name, "%s%s%s", argv[1], argc >= 3 ? " " : "", argc >= 3 ? argv[2] : "");
        for (const CliVerb *v = imagine_verbs; v->name; v++)
            if (!strcmp(v->name, name) || !strcmp(v->name, argv[1])) {
                char *sub[] = {(char *)v->name, "--help"};
                return v->run(2, sub);
            }
        fprintf(stderr, "imagine: no verb '%s' (see imagine help)\n", name);
        return IM_USAGE;
    }
    printf("imagine: evaluation and benchmarking harness for complex-planning LLMs\n\n"
           "usage: imagine VERB [options]\n\nverbs:\n");
    for (const CliVerb *v = imagine_verbs; v->name; v++) printf("  %-16s %s\n", v->name, v->summary);
    printf("\nexit codes: 0 ok, 1 gate or check failed, 2 usage, 3 I/O/data/database, 4 run incomplete\n"
           "imagine VERB --help shows a verb's options.\n");
    return IM_OK;
}

int main(int argc, char **argv) {
    cli_set_verbs(imagine_verbs);
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) return cmd_help(1, argv);
    /* Two-word verbs first ("data check"), then one word. */
    if (argc >= 3) {
        char two[128];
        snprintf(two, sizeof two, "%s %s", argv[1], argv[2]);
        for (const CliVerb *v = imagine_verbs; v->name; v++)
            if (!strcmp(v->name, two)) {
                argv[2] = (char *)v->name;
                return v->run(argc - 2, argv + 2);
            }
    }
    for (const CliVerb *v = imagine_verbs; v->name; v++)
        if (!strcmp(v->name, argv[1])) return v->run(argc - 1, argv + 1);
    fprintf(stderr, "imagine: unknown verb '%s' (see imagine help)\n", argv[1]);
    return IM_USAGE;
}
