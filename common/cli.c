/* cli.c: option parsing and help text from one table per verb. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const CliVerb *(*find_verb)(const char *name);

void cli_set_lookup(const CliVerb *(*find)(const char *name)) { find_verb = find; }

const char *cli_summary(const char *verb) {
    const CliVerb *v = find_verb ? find_verb(verb) : NULL;
    return v ? v->summary : "";
}

void cli_print_help(const char *verb, const char *usage, const char *summary, const CliOpt *opts) {
    printf("usage: imagine %s [options]%s%s\n", verb, usage && *usage ? " " : "", usage ? usage : "");
    if (summary && *summary) printf("\n%s\n", summary);
    if (opts && opts->name) printf("\noptions:\n");
    for (const CliOpt *o = opts; o && o->name; o++) {
        char left[64];
        snprintf(left, sizeof left, "%s%s%s", o->name, o->meta ? " " : "", o->meta ? o->meta : "");
        printf("  %-24s %s%s\n", left, o->help, o->kind == CLI_LIST ? " (repeatable)" : "");
    }
    printf("  %-24s %s\n", "--help", "show this help");
}

static int set_value(const char *verb, const CliOpt *o, const char *val, Err *err) {
    char *end;
    errno = 0;
    switch (o->kind) {
    case CLI_STR: *(const char **)o->dst = val; return IM_OK;
    case CLI_INT:
    case CLI_INT_IN: {
        const CliIntIn *r = o->kind == CLI_INT_IN ? o->dst : NULL;
        long v = strtol(val, &end, 10);
        int bad = *val == 0 || *end || errno;
        if (r && (bad || v < r->min || v > r->max))
            return err_set(err, IM_USAGE, "imagine %s: %s %s is out of range: expected a whole number from %ld to %ld", verb,
                           o->name, val, r->min, r->max);
        if (bad)
            return err_set(err, IM_USAGE, "imagine %s: %s expects a whole number, got '%s'%s", verb, o->name, val,
                           errno == ERANGE ? " (too large)" : "");
        *(r ? r->dst : (long *)o->dst) = v;
        return IM_OK;
    }
    case CLI_FLOAT:
    case CLI_FLOAT_IN: {
        const CliFloatIn *r = o->kind == CLI_FLOAT_IN ? o->dst : NULL;
        double v = strtod(val, &end);
        int bad = *val == 0 || *end || errno || !isfinite(v);
        if (r && (bad || !(v >= r->min && v <= r->max)))
            return err_set(err, IM_USAGE, "imagine %s: %s %s is out of range: expected a number from %g to %g", verb,
                           o->name, val, r->min, r->max);
        if (bad) return err_set(err, IM_USAGE, "imagine %s: %s expects a finite number, got '%s'", verb, o->name, val);
        *(r ? r->dst : (double *)o->dst) = v;
        return IM_OK;
    }
    case CLI_LIST: {
        CliList *l = o->dst;
        if (l->n >= (int)(sizeof l->items / sizeof l->items[0]))
            return err_set(err, IM_USAGE, "imagine %s: too many %s options", verb, o->name);
        l->items[l->n++] = val;
        return IM_OK;
    }
    case CLI_FLAG: break;
    }
    return IM_OK;
}

int cli_parse(const char *verb, const char *usage, int argc, char **argv,
              const CliOpt *opts, const char **pos, int maxpos, int *npos, Err *err) {
    *npos = 0;
    int only_pos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!only_pos && !strcmp(a, "--")) { only_pos = 1; continue; }
        if (!only_pos && (!strcmp(a, "--help") || !strcmp(a, "-h"))) {
            cli_print_help(verb, usage, cli_summary(verb), opts);
            return -1;
        }
        if (only_pos || a[0] != '-' || a[1] == 0) {
            if (*npos >= maxpos)
                return err_set(err, IM_USAGE, "imagine %s: unexpected argument '%s' (see imagine %s --help)", verb, a, verb);
            pos[(*npos)++] = a;
            continue;
        }
        /* --name=value or --name value */
        const char *eq = strchr(a, '=');
        size_t nlen = eq ? (size_t)(eq - a) : strlen(a);
        const CliOpt *o = opts;
        for (; o && o->name; o++)
            if (strlen(o->name) == nlen && !strncmp(o->name, a, nlen)) break;
        if (!o || !o->name)
            return err_set(err, IM_USAGE, "imagine %s: unknown option '%.*s' (see imagine %s --help)", verb, (int)nlen, a, verb);
        if (o->kind == CLI_FLAG) {
            if (eq) return err_set(err, IM_USAGE, "imagine %s: %s takes no value", verb, o->name);
            *(int *)o->dst = 1;
            continue;
        }
        const char *val = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!val) return err_set(err, IM_USAGE, "imagine %s: %s needs a value (%s)", verb, o->name, o->meta ? o->meta : "VALUE");
        int rc = set_value(verb, o, val, err);
        if (rc) return rc;
    }
    return IM_OK;
}
