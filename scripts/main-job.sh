#!/usr/bin/env bash
# main-job.sh: the main job on embedded defaults (no GPU, no API key).
# On train and validation: the exact solver (upper bound) and the greedy
# baseline; on train: the shipped GPT-4-1106 plans (direct, CoT, two-stage)
# replayed as runs. All stored in one SQLite file, then one report with
# confidence intervals and paired tests: report.html and report.pdf.
set -euo pipefail
cd "$(dirname "$0")/.."
export IMAGINE_DATA="${IMAGINE_DATA:-$PWD/../shared/travelplanner}"
imagine=${IMAGINE:-./build/harness/imagine}
out=${OUT:-.}
store="$out/main-job.db"
rm -f "$store" "$store-wal" "$store-shm"
mkdir -p "$out"
run() { "$imagine" run --store "$store" "$@" ; }
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
"$imagine" runs --store "$store"
"$imagine" report --store "$store" --baseline solver-train --out "$out/report.html" \
    --title "TravelPlanner: exact solver, greedy and GPT-4-1106 (train and validation)" \
    solver-train greedy-train gpt4-direct-train gpt4-cot-train gpt4-two-stage-train solver-validation greedy-validation
"$imagine" report --store "$store" --baseline solver-train --out "$out/report.pdf" \
    --title "TravelPlanner: exact solver, greedy and GPT-4-1106 (train and validation)" \
    solver-train greedy-train gpt4-direct-train gpt4-cot-train gpt4-two-stage-train solver-validation greedy-validation
echo "wrote $out/report.html and $out/report.pdf (runs in $store)"
