/* variant.c: opening a PlanBench variant from the data folder
 * (pb_variant.h). Reads configs/NAME.yaml, the domain and, on demand, the
 * problem files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "pb_variant.h"

const char *const pb_variant_names[] = {"blocksworld", "blocksworld_3", "mystery_blocksworld", "mystery_blocksworld_3",
                                        "logistics", NULL};

#ifndef IMAGINE_SOURCE_DIR
#define IMAGINE_SOURCE_DIR "."
#endif

const char *pb_data_dir(const char *flag) {
    if (flag && *flag) return flag;
    const char *env = getenv("IMAGINE_PLANBENCH_DATA");
    if (env && *env) return env;
    return IMAGINE_SOURCE_DIR "/../shared/planbench";
}

void pb_variant_close(PbVariant *v) {
    if (!v) return;
    for (int i = 0; i < v->nprobs; i++) pb_problem_free(v->probs[i]);
    free(v->probs);
    pb_yaml_free(v->cfg);
    pb_domain_free(v->dom);
    free(v->act_names);
    free(v->act_arity);
    free(v->name);
    free(v->dir);
    free(v);
}

static int map_entry(const PbYaml *y, const char *key, const PbKV **kv, int *n) {
    const PbYamlEntry *e = pb_yaml_get(y, key);
    if (!e || e->kind != PB_Y_MAP) {
        *kv = NULL;
        *n = 0;
        return 0;
    }
    *kv = e->kv;
    *n = e->nkv;
    return 1;
}

int pb_variant_open(const char *dir, const char *name, PbVariant **out, Err *err) {
    *out = NULL;
    if (!name || !*name || strchr(name, '/') || strchr(name, '.'))
        return err_set(err, IM_USAGE, "bad PlanBench variant '%s': one of blocksworld, blocksworld_3, mystery_blocksworld, mystery_blocksworld_3, logistics",
                       name ? name : "");
    PbVariant *v = calloc(1, sizeof *v);
    if (!v) abort();
    v->name = strdup(name);
    v->dir = strdup(dir);
    char path[4096];
    snprintf(path, sizeof path, "%s/configs/%s.yaml", dir, name);
    int rc;
    if (!fs_exists(path)) {
        rc = fs_is_dir(dir) ? err_set(err, IM_USAGE, "no PlanBench variant '%s': %s does not exist (variants: blocksworld, blocksworld_3, mystery_blocksworld, mystery_blocksworld_3, logistics)", name, path)
                            : err_set(err, IM_IO, "PlanBench data folder %s not found: pass --data DIR or set $IMAGINE_PLANBENCH_DATA", dir);
        pb_variant_close(v);
        return rc;
    }
    rc = pb_yaml_load(path, &v->cfg, err);
    const char *dn = rc ? NULL : pb_yaml_str(v->cfg, "domain_name");
    const char *df = rc ? NULL : pb_yaml_str(v->cfg, "domain_file");
    if (!rc && (!dn || !df || !pb_yaml_str(v->cfg, "instance_dir") || !pb_yaml_str(v->cfg, "instances_template")))
        rc = err_set(err, IM_IO, "%s: needs domain_name, domain_file, instance_dir and instances_template", path);
    if (!rc && strstr(dn, "obfuscated"))
        rc = err_set(err, IM_IO, "%s: obfuscated domains are not supported (domain_name %s)", path, dn);
    if (!rc && strcmp(dn, "logistics") && !strstr(dn, "blocksworld"))
        rc = err_set(err, IM_IO, "%s: domain_name %s: only Blocksworld, its renamings and Logistics are supported", path, dn);
    if (!rc) {
        snprintf(path, sizeof path, "%s/instances/%s", dir, df);
        rc = pb_domain_load(path, &v->dom, err);
    }
    if (!rc) {
        const char *s = pb_yaml_str(v->cfg, "start"), *e = pb_yaml_str(v->cfg, "end");
        v->start = s ? atoi(s) : 1;
        v->end = e ? atoi(e) : 0;
        v->x.kind = !strcmp(dn, "logistics") ? PB_DOM_LOGISTICS : PB_DOM_BLOCKS;
        v->x.domain_name = dn;
        v->act_names = malloc((size_t)v->dom->nacts * sizeof *v->act_names);
        v->act_arity = malloc((size_t)v->dom->nacts * sizeof *v->act_arity);
        if (!v->act_names || !v->act_arity) abort();
        for (int i = 0; i < v->dom->nacts; i++) v->act_names[i] = v->dom->acts[i].name, v->act_arity[i] = v->dom->acts[i].nparams;
        v->x.nacts = v->dom->nacts;
        v->x.acts = v->act_names;
        v->x.arity = v->act_arity;
        map_entry(v->cfg, "actions", &v->x.templates, &v->x.ntemplates);
        map_entry(v->cfg, "encoded_objects", &v->x.objects, &v->x.nobjects);
        map_entry(v->cfg, "encoded_objects_compact", &v->x.compact, &v->x.ncompact);
        for (int i = 0; i < v->dom->nacts && !rc; i++)
            if (!pb_yaml_map_get(v->cfg, "actions", v->dom->acts[i].name))
                rc = err_set(err, IM_IO, "%s/configs/%s.yaml: `actions` has no template for the domain's action %s", dir, name, v->dom->acts[i].name);
        if (!rc && v->x.kind == PB_DOM_BLOCKS && v->x.nobjects == 0)
            rc = err_set(err, IM_IO, "%s/configs/%s.yaml: `encoded_objects` is missing", dir, name);
    }
    if (rc) {
        pb_variant_close(v);
        return rc;
    }
    *out = v;
    return IM_OK;
}

char *pb_variant_problem_path(const PbVariant *v, int id) {
    const char *tmpl = pb_yaml_str(v->cfg, "instances_template");
    const char *idir = pb_yaml_str(v->cfg, "instance_dir");
    char file[512], num[32];
    snprintf(num, sizeof num, "%d", id);
    const char *brace = strstr(tmpl, "{}");
    if (brace) snprintf(file, sizeof file, "%.*s%s%s", (int)(brace - tmpl), tmpl, num, brace + 2);
    else snprintf(file, sizeof file, "%s", tmpl);
    char *path = malloc(strlen(v->dir) + strlen(idir) + strlen(file) + 16);
    if (!path) abort();
    sprintf(path, "%s/instances/%s/%s", v->dir, idir, file);
    return path;
}

int pb_variant_problem(PbVariant *v, int id, const PbProblem **out, Err *err) {
    *out = NULL;
    if (id < 1 || id > 1000000) return err_set(err, IM_IO, "instance id %d out of range", id);
    if (id > v->nprobs) {
        v->probs = realloc(v->probs, (size_t)id * sizeof *v->probs);
        if (!v->probs) abort();
        memset(v->probs + v->nprobs, 0, (size_t)(id - v->nprobs) * sizeof *v->probs);
        v->nprobs = id;
    }
    if (!v->probs[id - 1]) {
        char *path = pb_variant_problem_path(v, id);
        int rc = pb_problem_load(v->dom, path, &v->probs[id - 1], err);
        free(path);
        if (rc) return rc;
    }
    *out = v->probs[id - 1];
    return IM_OK;
}
