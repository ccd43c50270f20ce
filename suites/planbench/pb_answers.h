/* pb_answers.h: PlanBench answer files in the authors' results format
 * (results/VARIANT/MODEL/task_1_*.json) and our evaluation of them.
 *
 * Format variants accepted: `llm_correct` (bool) or, in older files,
 * `correct` (bool, or the string "True"/"False"); `extracted_llm_plan` as
 * text (one action a line), a JSON list, or a Python-list string
 * ("['(unstack b c)', ...]"); `raw_translation` when the authors' LLM
 * translator was used. A PbAnswers owns everything; pb_answers_free accepts
 * NULL. Errors name the file and the instance. */
#ifndef IMAGINE_PB_ANSWERS_H
#define IMAGINE_PB_ANSWERS_H

#include "buf.h"
#include "pb_extract.h"
#include "pb_val.h"
#include "pb_variant.h"

typedef struct PbAnswer {
    int id;
    char *raw;          /* llm_raw_response; NULL when absent or null */
    char *translation;  /* raw_translation or NULL */
    char *stored;       /* extracted_llm_plan as text (a list joined by '\n'), NULL when absent */
    int stored_is_text; /* 1: stored as a string (compared byte for byte) */
    char **stored_steps;
    int nstored;
    int verdict;        /* the authors' verdict: -1 none, 0 false, 1 true */
} PbAnswer;

typedef struct PbAnswers {
    char *path;
    char *domain, *prompt_type, *engine, *task; /* header fields, may be NULL */
    PbAnswer *a;
    int n;
} PbAnswers;

int pb_answers_load(const char *path, PbAnswers **out, Err *err);
int pb_answers_parse(const char *json, size_t len, const char *path, PbAnswers **out, Err *err);
void pb_answers_free(PbAnswers *s);

/* Our verdict on one answer. */
typedef struct PbItem {
    int id;
    int correct;  /* -1: nothing to judge (no response), 0, 1 */
    int extracted_ok;
    char **steps; /* the plan judged, lower-case PDDL actions */
    int nsteps;
    char *text;   /* the plan text judged (as the authors store it), may be NULL */
    char reason[600];
} PbItem;

/* Evaluates every answer in file order. use_stored: judge the stored
 * extracted_llm_plan instead of extracting from llm_raw_response.
 * dialect: PB_X_AUTO picks, for the whole file, the extractor that agrees
 * with more of the stored plans (the analysis one when none are stored or
 * on a tie); *chosen receives it. items: n entries, caller frees with
 * pb_items_free. */
int pb_answers_eval(PbVariant *v, const PbAnswers *s, int use_stored, PbDialect dialect, PbDialect *chosen, PbItem **items,
                    Err *err);
void pb_items_free(PbItem *items, int n);
/* {"instance_id": ID, "correct": true|false|null, "plan": [...], "reason": TEXT} */
void pb_item_json(const PbItem *it, Buf *out);
/* Whether our extraction of answer a (given dialect) equals its stored plan;
 * 1 equal (or nothing stored and our extractor fails as theirs raised),
 * 0 differs. mine receives our extraction (pb_extracted_free). */
int pb_answer_extraction_matches(const PbVariant *v, const PbAnswer *a, PbDialect dialect, PbExtracted *mine);

#endif
