/* pb_extract.h: reading a plan out of a model's text the way PlanBench's
 * authors do (karthikv792/LLMs-Planning), quirks included, so that our
 * extraction of `llm_raw_response` equals their stored `extracted_llm_plan`.
 *
 * Three extractors exist in the authors' code, and their published answer
 * files were made with all three (docs/planbench.md):
 *   PB_X_PLANBENCH   plan-bench/utils/text_to_pddl.py: the whole lower-cased
 *                    text, line by line; an action word must be a whole
 *                    token; objects are found by name anywhere in the line
 *                    and ordered by position; a line with the wrong number
 *                    of objects is skipped.
 *   PB_X_PLANBENCH_MD  the same with '*' (Markdown bold) removed from each
 *                    line: an intermediate version of the authors' code,
 *                    seen in their GPT-4o one-shot Blocksworld file (the
 *                    only rule that reproduces it).
 *   PB_X_ANALYSIS    llm_planning_analysis/utils/text_to_pddl.py: the same,
 *                    but only the text after "### plan:" and between
 *                    "[plan]" and "[plan end]" when present, and '*'
 *                    removed from each line.
 *   translation      (two versions, see PB_X_TR_EARLY) when an answer carries `raw_translation` (an LLM's
 *                    translation of the text into PDDL, stored in the
 *                    file), the plan is read from that translation.
 * Logistics is the same under the first two: numbering "N." / "NN."
 * stripped (and then every '.' of the line), objects are the tokens holding
 * a digit (package_0 -> p0, location_1_0 -> l1-0), the vehicle kind is read
 * from the letters of an object, a 3-object drive gets its city from the
 * from-location's first digit; several malformed lines make the authors'
 * code raise, which fails the whole extraction (ok = 0; their verdict is
 * false and no plan is stored).
 * Pure functions; the result owns its strings (pb_extracted_free). */
#ifndef IMAGINE_PB_EXTRACT_H
#define IMAGINE_PB_EXTRACT_H

#include "pb_yaml.h"

typedef enum { PB_DOM_BLOCKS = 0, PB_DOM_LOGISTICS = 1 } PbDomKind;
typedef enum { PB_X_AUTO = 0, PB_X_PLANBENCH = 1, PB_X_PLANBENCH_MD = 2, PB_X_ANALYSIS = 3 } PbDialect;
#define PB_X_COUNT 4
/* Or'ed into a dialect: read stored translations the earlier way (only
 * lines that start with '(' count; Mystery lines kept verbatim), as the
 * authors' o1-preview one-shot Mystery and Llama-3.1 zero-shot files were. */
#define PB_X_TR_EARLY 0x10
#define PB_X_RULES(d) ((PbDialect)((d) & 0x0F))

/* What the extraction needs of a variant: borrowed pointers into the
 * variant's config and domain (they outlive it). */
typedef struct PbExtractCfg {
    PbDomKind kind;
    const char *domain_name;   /* the config's domain_name */
    int nacts;
    const char *const *acts;   /* domain action names, in domain order */
    const int *arity;
    const PbKV *templates;     /* config `actions`, config order */
    int ntemplates;
    const PbKV *objects;       /* config `encoded_objects` (letter -> name) */
    int nobjects;
    const PbKV *compact;       /* config `encoded_objects_compact` or NULL */
    int ncompact;
} PbExtractCfg;

typedef struct PbExtracted {
    int ok;        /* 0: the authors' extractor raises on this text */
    char *text;    /* the plan exactly as the authors store it */
    char **steps;  /* its non-empty lines */
    int nsteps;
    char why[256]; /* when !ok */
} PbExtracted;

/* text: the model's response; translation: the stored raw_translation or
 * NULL. dialect: one of the three rule extractors (PB_X_AUTO means
 * PB_X_ANALYSIS); ignored when a translation is given. */
void pb_extract(const PbExtractCfg *c, PbDialect dialect, const char *text, const char *translation, PbExtracted *out);
void pb_extracted_free(PbExtracted *x);
/* One step of the suite's answer form as PDDL (malloc'd): "(action args)"
 * lower-cased, or one action in the benchmark's English ("stack the red
 * block on top of the blue block", as the prompts' plans write it) read by
 * the authors' rules (PB_X_PLANBENCH) into exactly one action; NULL when
 * it is neither. c NULL: PDDL only. */
char *pb_step_pddl(const PbExtractCfg *c, const char *step);
/* The suite's own answer form, as the IMAGINE samples write it: text
 * (surrounding white space ignored) is nothing but a JSON list of steps
 * that pb_step_pddl reads. Returns 1 and fills out (ok = 1, steps in PDDL,
 * text their lines) when it is; 0 (out zeroed) when it is not, and the
 * authors' extraction reads the text. */
int pb_extract_json_form(const PbExtractCfg *c, const char *text, PbExtracted *out);
/* Splits a plan text into its non-empty lines (as the steps above). */
void pb_plan_lines(const char *text, char ***steps, int *n);
const char *pb_dialect_name(PbDialect d);
/* "plan-bench", "plan-bench-md", "analysis", "auto" -> dialect; -1 if unknown. */
int pb_dialect_parse(const char *name);

#endif
