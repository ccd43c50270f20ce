/* cmd_help.c: `imagine help [VERB]`, printed from the verb tables. */
#include <stdio.h>
#include <string.h>

#include "verbs.h"

static int cmd_help(int argc, char **argv) {
    if (argc >= 2) {
        char name[128];
        snprintf(name, sizeof name, "%s%s%s", argv[1], argc >= 3 ? " " : "", argc >= 3 ? argv[2] : "");
        const CliVerb *v = harness_find_verb(name);
        if (!v) v = harness_find_verb(argv[1]);
        if (v) {
            char *sub[] = {(char *)v->name, "--help"};
            return v->run(2, sub);
        }
        fprintf(stderr, "imagine: no verb '%s' (see imagine help)\n", name);
        return IM_USAGE;
    }
    printf("imagine: evaluation and benchmarking harness for complex-planning LLMs\n\n"
           "usage: imagine VERB [options]\n\nverbs:\n");
    for (const CliVerb *const *f = imagine_verb_families; *f; f++)
        for (const CliVerb *v = *f; v->name; v++) printf("  %-16s %s\n", v->name, v->summary);
    printf("\nexit codes: 0 ok, 1 gate or check failed, 2 usage, 3 I/O/data/database, 4 run incomplete\n"
           "imagine VERB --help shows a verb's options.\n");
    return IM_OK;
}

const CliVerb imagine_verbs_help[] = {{"help", cmd_help, "List the verbs, or show one verb's help.", "[VERB]"}, {0}};
