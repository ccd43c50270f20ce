/* cmd_train.c: the trainer's verbs: `model merge` (a LoRA adapter in
 * PEFT's layout merged into its base: a new model folder). The loops live
 * in train/; this file parses flags and prints. */
#include <stdio.h>
#include <string.h>

#include "ckpt.h"
#include "verbs.h"

static int usage(const char *msg) {
    Err err;
    err_set(&err, IM_USAGE, "%s", msg);
    return harness_fail(&err);
}

/* ---- model merge -------------------------------------------------------- */

static int cmd_model_merge(int argc, char **argv) {
    const char *base = NULL, *adapter = NULL, *out = NULL;
    const CliOpt opts[] = {
        {"--base", CLI_STR, &base, "DIR", "the base model folder the adapter was trained on"},
        {"--adapter", CLI_STR, &adapter, "DIR", "a PEFT LoRA adapter: adapter_config.json + adapter_model.safetensors"},
        {"--out", CLI_STR, &out, "DIR", "the merged model folder to write (must not exist)"},
        {0}};
    Err err = {0};
    const char *pos[1];
    int npos, rc = cli_parse("model merge", "", argc, argv, opts, pos, 0, &npos, &err);
    if (rc < 0) return IM_OK;
    if (rc) return harness_fail(&err);
    if (!base || !adapter || !out) return usage("imagine model merge: --base DIR, --adapter DIR and --out DIR are required");
    if ((rc = tr_lora_merge(base, adapter, out, &err))) return harness_fail(&err);
    fprintf(stderr, "wrote %s (%s + %s)\n", out, base, adapter);
    return IM_OK;
}

const CliVerb imagine_verbs_train[] = {
    {"model merge", cmd_model_merge, "Merge a LoRA adapter (PEFT layout) into its base model: a new model folder W + alpha/r B A.", ""},
    {0}};
