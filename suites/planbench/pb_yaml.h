/* pb_yaml.h: the subset of YAML that PlanBench's configs/NAME.yaml use.
 *
 * Top-level keys only, each with one of: a plain or quoted scalar, a literal
 * block scalar (`key: |`, clipped: one trailing newline), a flow mapping of
 * strings (`{k: "v", ...}`, possibly over several lines, order kept), or a
 * block list of scalars (`- item`). Comment lines (#) are skipped outside
 * block scalars. The returned PbYaml owns all strings; pb_yaml_free accepts
 * NULL. Errors name the file and line. */
#ifndef IMAGINE_PB_YAML_H
#define IMAGINE_PB_YAML_H

#include "err.h"

typedef struct PbKV {
    char *key, *val;
} PbKV;

typedef enum { PB_Y_SCALAR, PB_Y_MAP, PB_Y_LIST } PbYamlKind;

typedef struct PbYamlEntry {
    char *key;
    PbYamlKind kind;
    char *text;  /* scalar or block text */
    PbKV *kv;    /* map entries (kind MAP), or list items in .val (kind LIST) */
    int nkv;
} PbYamlEntry;

typedef struct PbYaml {
    PbYamlEntry *e;
    int n;
} PbYaml;

int pb_yaml_parse(const char *text, const char *path, PbYaml **out, Err *err);
int pb_yaml_load(const char *path, PbYaml **out, Err *err);
void pb_yaml_free(PbYaml *y);
/* NULL when absent. */
const PbYamlEntry *pb_yaml_get(const PbYaml *y, const char *key);
/* Scalar text of key, or NULL. */
const char *pb_yaml_str(const PbYaml *y, const char *key);
/* Value of k in the map at key, or NULL. */
const char *pb_yaml_map_get(const PbYaml *y, const char *key, const char *k);

#endif
