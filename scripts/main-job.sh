#!/usr/bin/env bash
# main-job.sh: the main job on embedded defaults (no GPU, no API key): IMAGINE
# end to end on PlanBench Blocksworld, distilled into a small model on the
# CPU, next to today's TravelPlanner runs; every run in one SQLite file and
# one report (report.html, report.pdf).
#
#   stage 1  new Blocksworld problems (3 to 5 blocks), disjoint from every
#            benchmark instance (`imagine queries generate`)
#   stage 2  the programmatic MAS teacher: solver Reasoner with an error
#            rate, two rule Judges, solver Reflector (`run --method mas
#            --model solver`), flattened into IMAGINE samples (`export`)
#   stage 3  a small model from `imagine model init`, SFT on the samples,
#            then GRPO with the suite's reward on the same prompts
#   eval     blocksworld_3 (the benchmark's 100 three-block instances): the
#            untrained model, the SFT and GRPO models, the MAS teacher, the
#            solver, and the published models' answers replayed as runs;
#            TravelPlanner: solver, greedy and GPT-4-1106 replayed
#
# The distilled model gets the problem statement alone ("reasoner_prompt":
# "statement"): it learnt the rules and the answer form from its samples.
# Environment: OUT (folder, default .), IMAGINE (the binary), MAIN_JOB_SCALE
# (full: the README's job; small: the ctest end-to-end version), and every
# size below as MJ_NAME=value. Stage wall times go to OUT/stage-times.tsv.
set -euo pipefail
cd "$(dirname "$0")/.."
export IMAGINE_DATA="${IMAGINE_DATA:-$PWD/../shared/travelplanner}"
export IMAGINE_PLANBENCH_DATA="${IMAGINE_PLANBENCH_DATA:-$PWD/../shared/planbench}"
imagine=${IMAGINE:-./build/harness/imagine}
"$imagine" data check --suite planbench --data "$IMAGINE_PLANBENCH_DATA" >/dev/null || {
  echo "main-job: the PlanBench data in $IMAGINE_PLANBENCH_DATA is missing or changed (set IMAGINE_PLANBENCH_DATA; docs/planbench.md)" >&2
  exit 3
}
out=${OUT:-.}
scale=${MAIN_JOB_SCALE:-full}
mkdir -p "$out"
store="$out/main-job.db"
work="$out/main-job.d"
rm -rf "$store" "$store-wal" "$store-shm" "$work"
mkdir -p "$work"

# Sizes. full: about 15 minutes on 2 cores (README); small: the ctest.
if [ "$scale" = small ]; then
  : "${MJ_N3:=31}" "${MJ_N4:=40}" "${MJ_N5:=0}" "${MJ_SFT_EPOCHS:=1}" "${MJ_SFT_STEPS:=40}" "${MJ_GRPO_STEPS:=1}" \
    "${MJ_GROUP:=2}" "${MJ_EVAL_LIMIT:=10}" "${MJ_TP:=0}" "${MJ_BATCH_TOKENS:=2048}" "${MJ_WARMUP:=3}" "${MJ_LR:=3e-3}"
else
  : "${MJ_N3:=31}" "${MJ_N4:=600}" "${MJ_N5:=60}" "${MJ_SFT_EPOCHS:=6}" "${MJ_SFT_STEPS:=0}" "${MJ_GRPO_STEPS:=4}" \
    "${MJ_GROUP:=8}" "${MJ_EVAL_LIMIT:=100}" "${MJ_TP:=1}" "${MJ_LR:=3e-3}" "${MJ_WARMUP:=50}"
fi
: "${MJ_INIT_STD=0.02}" "${MJ_ERROR_RATE:=0.2}" "${MJ_ACTIONS:=words}" "${MJ_EVAL_JOBS:=3}" "${MJ_SEED:=1}" "${MJ_LR:=2e-3}" "${MJ_WARMUP:=20}" "${MJ_GRPO_LR:=2e-5}" "${MJ_BATCH_TOKENS:=1280}" \
  "${MJ_MAX_LEN:=1280}" "${MJ_MAX_TOKENS:=600}" "${MJ_DEVICE:=cpu}" "${MJ_CONCURRENCY:=16}"
: "${MJ_SHAPE:=--tok-vocab 1000 --hidden 128 --layers 4 --heads 4 --kv-heads 2 --head-dim 32 --ffn 384}"
read -r -a model_shape <<<"$MJ_SHAPE"

times="$out/stage-times.tsv"
printf 'stage\tseconds\n' >"$times"
t0=$(date +%s)
stage() { local t; t=$(date +%s); printf '%s\t%s\n' "$1" "$((t - t0))" >>"$times"; echo "== $1: $((t - t0)) s"; t0=$t; }
run() { "$imagine" run --store "$store" "$@"; }

# ---- stage 1: new problems, disjoint from every benchmark instance ----------
gen() { # blocks n seed: one item a line, in the form the suite's items_load reads
  [ "$2" -gt 0 ] || return 0
  "$imagine" queries generate --suite planbench --variant blocksworld --blocks "$1" --n "$2" --seed "$3" \
      --zero-shot --out "$work/new-$1.jsonl"
}
gen 3 "$MJ_N3" "$MJ_SEED"; gen 4 "$MJ_N4" "$MJ_SEED"; gen 5 "$MJ_N5" "$MJ_SEED"
# one set, numbered once (each file numbers its own items from 1)
cat "$work"/new-*.jsonl | jq -c -s 'to_entries[] | .value.instance_id = .key + 1 | .value' >"$work/stage1.jsonl"
stage "stage 1: $(wc -l <"$work/stage1.jsonl") new problems (3-5 blocks)"

# ---- stage 2: the MAS teacher's traces, flattened ---------------------------
teacher="{\"error_rate\": $MJ_ERROR_RATE, \"reasoner_prompt\": \"statement\", \"teacher_options\": {\"actions\": \"$MJ_ACTIONS\"}}"
run --suite planbench --variant blocksworld --queries "$work/stage1.jsonl" --method mas --model solver \
    --method-config "$teacher" --seed "$MJ_SEED" --name mas-stage2
"$imagine" export mas-stage2 --store "$store" --format sft --only-passing --out "$work/sft.jsonl"
"$imagine" export mas-stage2 --store "$store" --format grpo --out "$work/grpo.jsonl"
stage "stage 2: MAS teacher traces"

# ---- stage 3: model init, SFT, GRPO ------------------------------------------
jq -r '.messages[].content' "$work/sft.jsonl" >"$work/corpus.txt" # the tokenizer learns the samples' text
"$imagine" model init --corpus "$work/corpus.txt" "${model_shape[@]}" --dtype f32 ${MJ_INIT_STD:+--init-std "$MJ_INIT_STD"} --seed "$MJ_SEED" \
    --out "$work/init"
sft_len=(--epochs "$MJ_SFT_EPOCHS"); [ "$MJ_SFT_STEPS" -gt 0 ] && sft_len=(--max-steps "$MJ_SFT_STEPS")
"$imagine" train sft --model "$work/init" --data "$work/sft.jsonl" --out "$work/sft" --store "$store" --name sft \
    --device "$MJ_DEVICE" --batch-tokens "$MJ_BATCH_TOKENS" --max-len "$MJ_MAX_LEN" --lr "$MJ_LR" "${sft_len[@]}" \
    --warmup "$MJ_WARMUP" --schedule cosine --seed "$MJ_SEED"
stage "stage 3a: SFT"
"$imagine" train grpo --model "$work/sft" --suite planbench --dataset "$work/grpo.jsonl" --out "$work/grpo" \
    --store "$store" --name grpo --steps "$MJ_GRPO_STEPS" --group "$MJ_GROUP" --prompts 2 --think \
    --max-completion "$MJ_MAX_TOKENS" --max-prompt 256 --lr "$MJ_GRPO_LR" --temperature 1 --device "$MJ_DEVICE" \
    --seed "$MJ_SEED"
stage "stage 3b: GRPO"

# ---- evaluation on blocksworld_3 ----------------------------------------------
# The instances of the authors' one-shot task (2..101: each one's example is
# the one before), so that the replayed answers score as published and every
# run is paired on the same items.
instances=$(ls "$IMAGINE_PLANBENCH_DATA"/results/blocksworld_3/*/task_1_plan_generation.json | head -1)
ev() { run --suite planbench --variant blocksworld_3 --queries "$instances" --limit "$MJ_EVAL_LIMIT" "$@"; }
local_model() { echo "local:$1?max_tokens=$MJ_MAX_TOKENS&thinking=on&seed=$MJ_SEED&concurrency=$MJ_CONCURRENCY"; }
single='{"judges": 0, "reasoner_prompt": "statement", "no_cache": true}'
# The three models at once (MJ_EVAL_JOBS=3, the default; 1: one after another): each decode waits on
# lavapipe most of the time (65 % of the CPU idle with one), and greedy answers do not depend on what
# runs beside them (the same texts either way). Each process holds about 120 MB.
pids=()
failed=0
for m in init:untrained sft:sft-model grpo:grpo-model; do
  ev --method mas --model "$(local_model "$work/${m%%:*}")" --method-config "$single" --name "${m#*:}" &
  pids+=($!)
  if [ "$MJ_EVAL_JOBS" -le 1 ]; then wait "$!" || failed=$((failed + 1)); pids=(); fi
done
for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
[ "$failed" = 0 ] || { echo "main-job: $failed of the model evaluations failed (see above)" >&2; exit 1; }
ev --method mas --model solver --method-config "$teacher" --seed "$MJ_SEED" --name mas-teacher
ev --method solver --name solver
published=()
for f in "$IMAGINE_PLANBENCH_DATA"/results/blocksworld_3/*/task_1_plan_generation.json; do
  name=$(basename "$(dirname "$f")")
  ev --method plans --answers "$f" --name "$name"
  published+=("$name")
done
stage "evaluation on blocksworld_3"

# ---- TravelPlanner: today's runs ------------------------------------------------
tp_runs=()
if [ "$MJ_TP" = 1 ]; then
  outputs="$IMAGINE_DATA/outputs/train"
  for split in train validation; do
    run --method solver --split "$split" --name "solver-$split"
    run --method greedy --split "$split" --name "greedy-$split"
  done
  for m in direct cot; do
    run --method plans --split train --name "gpt4-$m-train" \
        --plans "$outputs/train_gpt-4-1106-preview_${m}_sole-planning_submission.jsonl"
  done
  run --method plans --split train --name gpt4-two-stage-train \
      --plans "$outputs/train_gpt-4-1106-preview_two-stage_submission.jsonl"
  tp_runs=(solver-train greedy-train gpt4-direct-train gpt4-cot-train gpt4-two-stage-train solver-validation greedy-validation)
  stage "TravelPlanner runs"
fi

# ---- one report ----------------------------------------------------------------
"$imagine" runs --store "$store"
title="IMAGINE on a CPU: PlanBench Blocksworld distilled into a small model; TravelPlanner baselines"
for fmt in html pdf; do
  "$imagine" report --store "$store" --baseline solver --out "$out/report.$fmt" --title "$title" --stages "$times" \
      untrained sft-model grpo-model mas-teacher solver "${published[@]}" sft grpo "${tp_runs[@]}"
done
stage "report"
cat "$times"
echo "wrote $out/report.html and $out/report.pdf (runs in $store, stage times in $times)"
