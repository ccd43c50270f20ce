/* suite.h: what a benchmark is, for the rest of imagine, and the registry
 * of benchmarks.
 *
 * A suite is a table of functions (SuiteOps) and nothing else: agents,
 * store, runs and reports call these functions and never a suite's own
 * types. suites/NAME/ implements one table; suites/registry.def lists the
 * tables (one line per suite, SUITE(NAME)). Adding a suite touches its
 * folder and that one line.
 *
 * Vocabulary. An *item* is one task of the benchmark (a TravelPlanner
 * query, a PlanBench instance). A *split* is a named list of items
 * (TravelPlanner: train, validation, test; PlanBench: the variants
 * blocksworld, mystery_blocksworld, ...). An *answer* is what a method
 * delivers for an item, as one JSON value in the suite's form
 * (TravelPlanner: the "plan" array of day objects; PlanBench: the array of
 * PDDL actions as lower-case strings). A *verdict* is one judged property
 * of an answer: {family, name, value true|false|null, message}. *Strata*
 * are the dimensions a suite's metrics are broken down by (TravelPlanner:
 * level x days; PlanBench: variant x objects x optimal plan length).
 *
 * Ownership, once for the whole interface:
 *   - Every struct filled by an ops function (SuiteItem, SuiteItems,
 *     SuiteEval, SuiteMetrics, SuiteMaterial, SuiteReward, SuiteSolution)
 *     is owned by the caller and released by the matching suite_*_free
 *     below, which accept zeroed values. Strings in them are malloc'd
 *     unless the field says "static" (names of verdicts, families and
 *     metrics are static strings of the suite, valid for the process).
 *   - `native` pointers belong to the suite: callers never look inside;
 *     the suite frees them in its *_free ops.
 *   - A Suite (opened data) is immutable after suite_open and may be
 *     shared by threads: every ops function taking `const Suite *` is
 *     thread-safe. Tool sessions are per item and per thread.
 * Errors: every function returning int returns IM_OK or an err.h code
 * with err naming the file, line or field and a hint (IM_IO for data,
 * IM_USAGE for a bad option or an operation the suite does not have,
 * IM_FAIL for a task the suite could not do, e.g. no reference
 * information). On error, out-parameters are left zeroed. Optional ops
 * may be NULL: the suite_* wrappers then return IM_USAGE naming the suite
 * and the operation. Nothing here prints or exits. */
#ifndef SUITE_H
#define SUITE_H

#include <signal.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"

#define SUITE_MAX_STRATA 4
#define SUITE_MAX_COMPONENTS 8

typedef struct SuiteOps SuiteOps;

/* An opened suite: its table, its data folder, its loaded data. */
typedef struct Suite {
    const SuiteOps *ops;
    char *data_dir;   /* absolute or as given; malloc'd */
    void *state;      /* the suite's loaded data (TravelPlanner: its sandbox) */
} Suite;

/* ---- items ---------------------------------------------------------------- */

typedef struct SuiteItem {
    int idx;             /* the item's number as the suite's files name it (TP "idx", PlanBench instance_id) */
    int pos;             /* 0-based position in its split or file */
    int line;            /* 1-based line (or position) in the source, for messages */
    char *fields_json;   /* the item as one JSON object: stored in query.fields_json, read back by item_parse */
    char *text;          /* the task in words (TP: the query text), for reports and prompts */
    char *stratum[SUITE_MAX_STRATA]; /* value per strata dimension ("easy", "3"); NULL past ops->n_strata */
    void *native;        /* the suite's parsed item (suite-owned) */
} SuiteItem;

typedef struct SuiteItems {
    SuiteItem *item;
    int n;
    char *source;        /* the file the items were read from */
} SuiteItems;

/* ---- evaluation ----------------------------------------------------------- */

typedef struct SuiteVerdict {
    const char *family;  /* static: TP "commonsense" | "hard"; PlanBench "plan" */
    const char *name;    /* static: the suite's key, e.g. "is_valid_restaurants", "valid_plan" */
    signed char value;   /* 1 true, 0 false, -1 null (not applicable, nothing to judge) */
    char *message;       /* why, or NULL */
} SuiteVerdict;

typedef struct SuiteEval {
    int delivered;       /* there was an answer to judge (TP: the official `if plan`) */
    int passed;          /* the suite's headline pass (TP final pass; PlanBench correct) */
    SuiteVerdict *v;     /* n verdicts in the suite's order (malloc'd array) */
    int n;
    char *note;          /* why the answer was not read as one (then delivered = 0), or NULL */
    char *log;           /* what the official evaluator prints while judging, or NULL */
    double cost;         /* the answer's cost where the suite has one (TP: total cost), else 0 */
    int has_cost;
    void *native;        /* suite-owned (TravelPlanner: the official plan result) */
} SuiteEval;

/* ---- metrics -------------------------------------------------------------- */

/* One metric row as the store keeps it (metric(run, name, stratum, value)).
 * stratum: "" for the whole split, else "dim=value[,dim=value]" with the
 * suite's strata dimensions in ops->strata order ("level=easy,days=3"). */
typedef struct SuiteMetric {
    const char *name;    /* static: "final_pass_rate", "accuracy", ... */
    char stratum[96];
    double value;        /* rates are fractions */
    double num, den;     /* a rate: value = num / den; den = 0 when not a rate */
} SuiteMetric;

typedef struct SuiteMetrics {
    SuiteMetric *row;    /* overall rows first, then per stratum */
    int n;
    void *native;        /* suite-owned (TravelPlanner: the official metrics), what metrics_text prints */
} SuiteMetrics;

/* A headline rate of the suite, for tables, plots and paired tests. */
typedef struct SuiteRate {
    const char *key;     /* metric name: "final_pass_rate", "accuracy" */
    const char *label;   /* "Final pass", "Accuracy" */
    int binary;          /* one pass/fail per item (paired tests apply) */
    const char *short_label; /* for plot axes ("CS micro"), or NULL: label */
} SuiteRate;

/* ---- what a method gets --------------------------------------------------- */

typedef struct SuiteMaterial {
    char *task;          /* the task as the prompt states it (TP: the query text) */
    char *reference;     /* reference information text, or NULL when the suite has none */
    char *prompt;        /* a whole prompt in the benchmark's own form (PlanBench one-shot), or NULL */
    char *answer_format; /* how the answer must be written, for prompts of our own; or NULL */
    char *statement;     /* the problem alone, in the benchmark's words, without rules, examples or
                          * instructions (TP: the query; PlanBench: the [STATEMENT] part): the
                          * prompt of a model distilled on the suite (IMAGINE's "statement" prompt) */
} SuiteMaterial;

/* tools_run's outcome for one action "Name[args]". */
enum { SUITE_TOOL_OBS = 0, SUITE_TOOL_FINAL = 1, SUITE_TOOL_INVALID = 2 };

/* ---- reward, generation, solving ------------------------------------------- */

typedef struct SuiteReward {
    double total;
    int n;                                      /* components */
    const char *name[SUITE_MAX_COMPONENTS];     /* static: "format", "commonsense", "hard", "reflection" */
    double value[SUITE_MAX_COMPONENTS];         /* total = sum of value[] */
    char *note;                                 /* why the format failed, or NULL */
    char *components_json;                      /* every component, count and verdict as one JSON object
                                                   (what `imagine reward --json` prints), or NULL */
} SuiteReward;

enum { SUITE_SOLVED = 0, SUITE_INFEASIBLE = 1, SUITE_UNKNOWN = 2 };

typedef struct SuiteSolution {
    int status;          /* SUITE_SOLVED, SUITE_INFEASIBLE (proven), SUITE_UNKNOWN (not proven either way) */
    int optimal;         /* SOLVED: 1 when proven optimal (cheapest / shortest) */
    char *answer_json;   /* SOLVED: the answer in the suite's form */
    char *reason;        /* INFEASIBLE: the proof in words; UNKNOWN: why not decided; SOLVED: how it was found, or NULL */
    const char *family;  /* INFEASIBLE: static name of the constraint family that rules it out, or NULL */
    double cost;         /* SOLVED: the answer's cost (TP dollars, PlanBench plan length) */
    double bound;        /* INFEASIBLE: the bound that proves it, when there is one */
    long nodes;          /* search effort */
    int timed_out;       /* UNKNOWN because the search ran out of time (worth retrying) */
    char *log;           /* a trace of the search in words, or NULL */
} SuiteSolution;

/* ---- fetching data ---------------------------------------------------------------- */

typedef struct SuiteFetchEvent {
    const char *path;   /* the file, as the suite's checksum list names it */
    const char *status; /* "fetched", "up to date", "FAILED", "not available upstream" */
    const char *detail; /* URL or error message, or NULL */
    double bytes;
} SuiteFetchEvent;

typedef struct SuiteFetchOpts {
    const char *from;              /* a mirror in the suite's layout (a folder or a URL base), or NULL: the official sources */
    const char *upstream_mirror;   /* without from: the official sources through a mirror in their own layout, or NULL */
    long timeout_s;                /* per file; 0: the suite's default */
    volatile sig_atomic_t *cancel; /* set non-zero: transfers stop, partial files are removed */
    /* The suite's words, in order: say(ctx, 0, line) what goes to stdout
     * (what is fetched from where, the summary), say(ctx, 1, line) advice
     * for stderr; on_file once per file. Each may be NULL. */
    void (*say)(void *ctx, int to_stderr, const char *line);
    void (*on_file)(void *ctx, const SuiteFetchEvent *ev);
    void *ctx;
} SuiteFetchOpts;

/* ---- evaluating an answer file: `imagine eval`, `imagine bench eval` ---------- */

/* An option a suite adds to `imagine eval` or `imagine bench eval` beyond
 * the common ones: the verb lists it in --help and parses it; its value
 * reaches the op as a string (a flag: "1"), so the suite checks values
 * itself and words its own errors. */
typedef struct SuiteOption {
    const char *name;    /* "--format" */
    const char *meta;    /* "F"; NULL: a flag */
    const char *help;
} SuiteOption;

#define SUITE_MAX_OPTIONS 12

/* What `imagine eval` parsed. The common options have both suites' words:
 * --plans and --answers are one option, so are --per-plan and
 * --per-item; *_flag is the spelling given, for messages. opt[i] is the
 * value of the suite's option i (ops->eval_options or bench_options
 * order), NULL when not given. */
typedef struct SuiteEvalArgs {
    const char *split;        /* --split / --variant, or NULL */
    const char *items;        /* --queries FILE: items in the suite's form, or NULL */
    const char *answers, *answers_flag;
    const char *per_item, *per_item_flag; /* the per-item verdicts file to write, or NULL */
    int json;
    const char *opt[SUITE_MAX_OPTIONS];
} SuiteEvalArgs;

/* One input `imagine bench eval` times: a file of answers the suite has
 * written or found, evaluated by a whole `imagine eval` process and, when
 * the suite can, in process. */
typedef struct SuiteBenchInput {
    char label[96];
    int n;                    /* answers in it */
    char *eval_args[16];      /* `imagine eval` arguments after the verb (--data included), NULL-terminated, malloc'd */
    const char *var[5];       /* the --peer command's placeholders ("split"), NULL-terminated, static */
    char *value[5];           /* their values (malloc'd): {split} and $IMAGINE_BENCH_SPLIT */
    double target_ms;         /* a whole process should take less (0: no target) */
    int target_cpu;           /* the target is on CPU time (user + sys), else wall time */
} SuiteBenchInput;

typedef struct SuiteBench {
    SuiteBenchInput *in;
    int n;
    const char *unit;         /* static: what an answer is called in the table ("plans", "answers") */
    const char *loaded;       /* static: what a whole process loads before judging ("database") */
    double load_ms;           /* loading that once, in process; 0 when not measured */
    void *native;             /* suite-owned: what bench_eval_once judges from */
} SuiteBench;

/* ---- the table -------------------------------------------------------------- */

struct SuiteOps {
    const char *name;            /* "travelplanner": --suite, store suite.name */
    const char *summary;
    const char *data_env;        /* env var naming the data folder ("IMAGINE_DATA"), or NULL */
    const char *const *splits;   /* NULL-terminated: the official splits / variants */
    const char *default_split;   /* or NULL: --split/--variant is then required */
    const char *const *strata;   /* NULL-terminated dimension names: {"level","days",NULL} */
    const SuiteRate *rates;      /* n_rates headline rates; rates[0] is the one runs are ranked by */
    int n_rates;
    const char *const *verdicts; /* NULL-terminated: every verdict name in order (export columns) */

    /* How reports name things (all optional; NULL: the raw names). title:
     * the benchmark's name in words ("TravelPlanner"). verdict_labels and
     * verdict_families: parallel to verdicts ("Minimum Nights Stay",
     * "commonsense"). strata_labels / strata_short: per strata dimension a
     * printf format with one %s for a value, in words ("%s days") and in a
     * table header ("%s d"); strata_title: the strata in words ("level and
     * trip length"); strata_values: a dimension's known values in order,
     * so that reports show them all (NULL: those the runs have). verdicts_note: when verdicts are judged beyond a
     * delivered answer, in words. answer_fields / answer_field_labels: NULL-terminated
     * keys of the objects an answer is a list of (TravelPlanner's days), and
     * their column titles; NULL when an answer is a list of strings. */
    const char *title;
    const char *const *verdict_labels;
    const char *const *verdict_families;
    const char *const *strata_labels;
    const char *const *strata_short;
    const char *strata_title;
    const char *const *strata_values; /* per dimension: its values in order, comma-separated ("easy,medium,hard"), or NULL */
    const char *verdicts_note;   /* when a verdict is judged beyond a delivered answer, or NULL */
    const char *const *answer_fields;
    const char *const *answer_field_labels;

    /* Data. open loads what evaluation needs into *state (may be NULL when
     * nothing). data_check verifies the data folder (checksums) and appends
     * a readable report; a non-zero status when something does not match
     * (the suite's exit code: TravelPlanner IM_IO, PlanBench IM_FAIL), or
     * IM_IO when there is no such folder. */
    int (*open)(const char *data_dir, void **state, Err *err);
    void (*close)(void *state);
    int (*data_check)(const char *data_dir, Buf *report, Err *err);
    /* Optional: fills data_dir (created when needed) from o's source, every
     * file checked against the checksums built into imagine: IM_IO when a
     * file failed or is not available there, IM_USAGE for a malformed
     * source. Prints nothing itself (o->say, o->on_file). */
    int (*data_fetch)(const char *data_dir, const SuiteFetchOpts *o, Err *err);

    /* Items. items_load reads a split (file NULL: the split's file in the
     * data folder) or a file of items in the suite's form. item_parse reads
     * back one item from its fields_json (the store's copy); where/line name
     * it in messages. items_free / item_free release what they made. */
    int (*items_load)(const Suite *s, const char *split, const char *file, SuiteItems **out, Err *err);
    int (*item_parse)(const Suite *s, const char *fields_json, const char *where, int line, SuiteItem *out, Err *err);
    void (*item_free)(SuiteItem *it);

    /* Material for a method: prompt text, reference information, and how
     * the answer is written. IM_FAIL when the item cannot be presented
     * (err says why, naming the item). */
    int (*material)(const Suite *s, const SuiteItem *it, SuiteMaterial *out, Err *err);
    /* Tools (optional): set names a tool set ("cost" for ReAct's
     * CostEnquiry, "two-stage" for TravelPlanner's official tools). A
     * session is per item; tools_run appends the observation of one action
     * "Name[args]" to obs; SUITE_TOOL_FINAL: the action hands over (obs
     * holds its argument); tools_notes: what the session recorded (a
     * notebook) or NULL. */
    int (*tools_open)(const Suite *s, const SuiteItem *it, const char *set, void **session, Err *err);
    int (*tools_run)(void *session, const char *action, Buf *obs);
    const char *(*tools_notes)(void *session);
    void (*tools_close)(void *session);

    /* Answers. extract turns a model's text into the answer (IM_FAIL with
     * err saying why and where). evaluate judges an answer (answer_json
     * NULL: nothing delivered); it never fails: every outcome is verdicts.
     * line is the answer's place in its file, for messages. verdicts_load
     * rebuilds an evaluation from stored verdicts (delivered as given), so
     * metrics apply to stored runs. eval_free releases. */
    int (*extract)(const Suite *s, const SuiteItem *it, const char *text, char **answer_json, Err *err);
    /* Optional: a cheap self-check a method may show the model (Reflexion's
     * reason to reflect; not the evaluator): why the answer looks wrong
     * (malloc'd), or NULL when nothing is seen. */
    char *(*critique)(const Suite *s, const SuiteItem *it, const char *answer_json);
    void (*evaluate)(const Suite *s, const SuiteItem *it, const char *answer_json, int line, SuiteEval *out);
    int (*verdicts_load)(const Suite *s, SuiteEval *e, Err *err);
    void (*eval_free)(SuiteEval *e);
    /* The per-item verdict object the suite's own evaluator prints
     * (TravelPlanner: the official per-plan JSON line), for exports; e as
     * evaluate or verdicts_load filled it. */
    void (*eval_json)(const SuiteEval *e, Buf *out);

    /* Answer files in the suite's own format (TravelPlanner: a submission
     * file, paired with items by position as eval.py pairs them).
     * answers_open reads one; answer gives an item's answer: IM_OK with
     * *answer_json, or with *answer_json NULL and *why (malloc'd) when the
     * file delivers none for the item (then the item is not delivered);
     * *raw (may be NULL) is the file's text for the item. */
    int (*answers_open)(const Suite *s, const char *path, void **answers, Err *err);
    int (*answer)(void *answers, const SuiteItem *it, char **answer_json, char **raw, char **why, Err *err);
    void (*answers_close)(void *answers);

    /* Metrics over n items and their evaluations (split: the official
     * split's name when the items are that whole split, else NULL).
     * metrics_text is what `eval` and `show` print, metrics_json the
     * --json object. */
    int (*metrics)(const Suite *s, const char *split, const SuiteItem *items, const SuiteEval *evals, int n,
                   SuiteMetrics *out, Err *err);
    void (*metrics_text)(const SuiteMetrics *m, Buf *out);
    void (*metrics_json)(const SuiteMetrics *m, Buf *out);
    void (*metrics_free)(SuiteMetrics *m);
    /* The part of rate r (index into rates) one item contributes:
     * num / den, with sum(num)/sum(den) the rate over the items. */
    void (*rate_parts)(const Suite *s, const SuiteItem *it, const SuiteEval *e, int r, double *num, double *den);

    /* Export: one line of the suite's submission file for the answer
     * (answer_json NULL: not delivered), without newline. */
    void (*export_line)(const Suite *s, const SuiteItem *it, const char *answer_json, Buf *out);
    /* Optional: the distributions of a file of items (`queries stats`:
     * TravelPlanner's levels, days, people, constraints, budgets, labels)
     * beside those of against (may be NULL), as text or one JSON object
     * (json), appended to out; name / against_name label the columns. */
    void (*items_stats)(const Suite *s, const SuiteItems *items, const char *name, const SuiteItems *against,
                        const char *against_name, int json, Buf *out);
    /* Optional: a whole answer file in the suite's own format (the form
     * answers_open reads) for items[0..n): answers[i] is item i's answer
     * or NULL (none); sols (may be NULL) the solver's outcome per item,
     * for the fields the format keeps of it. What `imagine solve` writes. */
    void (*answers_write)(const Suite *s, const SuiteItem *items, char *const *answers, const SuiteSolution *sols, int n,
                          Buf *out);

    /* Optional: `imagine eval`. eval_options: the suite's own options
     * (NULL-terminated by name, at most SUITE_MAX_OPTIONS). eval_file reads
     * the items and the answer file a names, judges every answer with the
     * suite's own evaluator, writes a->per_item (never over an input:
     * IM_USAGE naming both) and appends what the verb prints to out
     * (stdout) and warn (stderr, printed even when it fails). It opens
     * only the data it needs from data_dir: a whole process is what bench
     * eval times. IM_USAGE for missing or bad options, worded with the
     * suite's flags. Without it, suite_eval_file judges through
     * answers_open, evaluate and metrics. */
    const SuiteOption *eval_options;
    int (*eval_file)(const char *data_dir, const SuiteEvalArgs *a, Buf *out, Buf *warn, Err *err);
    /* Optional: `imagine bench eval`. bench_open chooses or writes (into
     * the empty folder tmp) the inputs to time, with the options
     * bench_options (values in a->opt; the other fields are unused), and
     * loads what bench_eval_once needs. bench_eval_once judges every answer
     * of input i once, in process (what the answers/s figure times):
     * IM_OK, or an err.h code; NULL when the suite has no in-process
     * path. bench_close releases b->native (may be NULL); the inputs'
     * strings are freed by suite_bench_close. */
    const SuiteOption *bench_options;
    int (*bench_open)(const char *data_dir, const SuiteEvalArgs *a, const char *tmp, SuiteBench *b, Err *err);
    int (*bench_eval_once)(SuiteBench *b, int i, Err *err);
    void (*bench_close)(void *native);

    /* Optional. reward: the RL reward of a model response (text) for the
     * item, with named components; config_json (NULL: defaults) selects
     * the documented options. generate: n new items (one fields_json line
     * each, the form items_load reads) from seed; the same seed and config
     * give the same bytes; report (may be NULL) receives what the
     * generator has to say in words (labels, duplicates, configuration in
     * force), one or more lines indented by two spaces. solve: an exact solver; solver names the
     * suite's solver ("solver", "greedy", ...; NULL: the exact one). */
    int (*reward)(const Suite *s, const SuiteItem *it, const char *response, const char *config_json,
                  SuiteReward *out, Err *err);
    /* With reward: checks config_json (NULL: the defaults) and appends the
     * whole configuration in force as one JSON object; IM_USAGE naming an
     * unknown or ill-typed field. */
    int (*reward_config)(const char *config_json, Buf *out, Err *err);
    int (*generate)(const Suite *s, const char *config_json, unsigned long long seed, int n, Buf *jsonl, Buf *report,
                    Err *err);
    int (*solve)(const Suite *s, const SuiteItem *it, const char *solver, const char *options_json,
                 SuiteSolution *out, Err *err);
    /* Optional, together (`queries generate --paraphrase-model`): a model's
     * rewording of a generated item's text. paraphrase_check: NULL when
     * text keeps every fact of it that the suite's documented check reads,
     * else why not (malloc'd, one sentence). item_retext: appends the item's
     * line (its fields_json as the generator wrote it) with text in place
     * of its text, the old text kept beside it, and note_json (a JSON
     * object) as its "paraphrase" field, without a newline; IM_IO naming
     * the item when the line is not the generator's. A suite whose items'
     * text is the benchmark's own template (PlanBench) has neither. */
    char *(*paraphrase_check)(const Suite *s, const SuiteItem *it, const char *text);
    int (*item_retext)(const Suite *s, const SuiteItem *it, const char *text, const char *note_json, Buf *out, Err *err);
};

/* ---- registry --------------------------------------------------------------- */

/* The suites of this binary, NULL-terminated (suites/registry.c over
 * registry.def; a test binary may compile it over its own list). */
extern const SuiteOps *const suite_registry[];

/* By name; NULL when unknown. */
const SuiteOps *suite_find(const char *name);
/* The default suite ("travelplanner"). */
const char *suite_default_name(void);
/* "a, b, c": the registered names, for messages. Static buffer. */
const char *suite_names(void);
/* Whether split is one of ops->splits. */
int suite_has_split(const SuiteOps *ops, const char *split);

/* The data folder of a suite: flag (--data) when given, else the
 * environment variable ops->data_env, else the user's data folder
 * ($XDG_DATA_HOME or ~/.local/share)/imagine/NAME when it exists, else
 * ../shared/NAME beside the project (compiled in) when it exists, else
 * the user's data folder (so that messages suggest `imagine data fetch`).
 * Returns a malloc'd path. */
char *suite_data_dir(const SuiteOps *ops, const char *flag);
/* The same without the copy beside the project: where `data fetch` writes
 * (flag, else the environment variable, else the user's data folder). */
char *suite_user_data_dir(const SuiteOps *ops, const char *flag);

/* ---- calling a suite ---------------------------------------------------------- */

/* Opens the suite's data (ops->open). *out owned by the caller. A NULL
 * data_dir opens the suite without its data: items, stored verdicts and
 * metrics work (what `show` and reports need); evaluate, material, tools
 * and solve must not be called. */
int suite_open(const SuiteOps *ops, const char *data_dir, Suite **out, Err *err);
void suite_close(Suite *s);

int suite_items_load(const Suite *s, const char *split, const char *file, SuiteItems **out, Err *err);
void suite_items_free(const Suite *s, SuiteItems *items);
int suite_item_parse(const Suite *s, const char *fields_json, const char *where, int line, SuiteItem *out, Err *err);
void suite_item_free(const Suite *s, SuiteItem *it);
/* The strata of an item as the store's text ("level=easy,days=3"). */
void suite_item_stratum(const Suite *s, const SuiteItem *it, Buf *out);

int suite_material(const Suite *s, const SuiteItem *it, SuiteMaterial *out, Err *err);
void suite_material_free(SuiteMaterial *m);

void suite_evaluate(const Suite *s, const SuiteItem *it, const char *answer_json, int line, SuiteEval *out);
void suite_eval_free(const Suite *s, SuiteEval *e);
/* Adds one verdict to e (strings: family and name static, message copied). */
int suite_eval_add(SuiteEval *e, const char *family, const char *name, int value, const char *message);

int suite_metrics(const Suite *s, const char *split, const SuiteItem *items, const SuiteEval *evals, int n,
                  SuiteMetrics *out, Err *err);
void suite_metrics_free(const Suite *s, SuiteMetrics *m);
/* The value of metric name over the whole split; -1 when absent. */
double suite_metric_value(const SuiteMetrics *m, const char *name);
/* Appends a row (name static); IM_IO when out of memory. */
int suite_metrics_add(SuiteMetrics *m, const char *name, const char *stratum, double num, double den);

int suite_reward(const Suite *s, const SuiteItem *it, const char *response, const char *config_json, SuiteReward *out,
                 Err *err);
void suite_reward_free(SuiteReward *r);
/* The reward configuration in force for config_json (ops->reward_config). */
int suite_reward_config(const SuiteOps *ops, const char *config_json, Buf *out, Err *err);
/* Fetching a suite's data (ops->data_fetch). */
int suite_data_fetch(const SuiteOps *ops, const char *data_dir, const SuiteFetchOpts *o, Err *err);
/* For data_fetch ops: o->say with a printf format (one line of at most
 * 1 KiB); nothing when o->say is NULL. */
void suite_fetch_say(const SuiteFetchOpts *o, int to_stderr, const char *fmt, ...);
/* The data check of a suite's data folder (ops->data_check). */
int suite_data_check(const SuiteOps *ops, const char *data_dir, Buf *report, Err *err);
int suite_solve(const Suite *s, const SuiteItem *it, const char *solver, const char *options_json, SuiteSolution *out,
                Err *err);
void suite_solution_free(SuiteSolution *r);
int suite_generate(const Suite *s, const char *config_json, unsigned long long seed, int n, Buf *jsonl, Buf *report, Err *err);

/* `imagine eval` of any suite: ops->eval_file, else the generic
 * evaluation (suite_eval.c) for a suite that reads answer files: items
 * of a->split or a->items, answers_open/answer, evaluate, metrics_text
 * (metrics_json with a->json), eval_json lines into a->per_item. IM_USAGE
 * naming the suite when it has neither. */
int suite_eval_file(const SuiteOps *ops, const char *data_dir, const SuiteEvalArgs *a, Buf *out, Buf *warn, Err *err);
/* `imagine bench eval`'s inputs (ops->bench_open; IM_USAGE naming the
 * suite when it has none); on error *b is released and zeroed. */
int suite_bench_open(const SuiteOps *ops, const char *data_dir, const SuiteEvalArgs *a, const char *tmp, SuiteBench *b, Err *err);
void suite_bench_close(const SuiteOps *ops, SuiteBench *b);

#endif
