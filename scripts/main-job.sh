#!/usr/bin/env bash
# main-job.sh: the main job on embedded defaults: score the shipped GPT-4
# train submissions exactly as the official evaluator does.
set -euo pipefail
cd "$(dirname "$0")/.."
export IMAGINE_DATA="${IMAGINE_DATA:-$PWD/../shared/travelplanner}"
imagine=./build/harness/imagine
for f in "$IMAGINE_DATA"/outputs/train/train_*submission.jsonl; do
  echo "== $(basename "$f")"
  "$imagine" eval --split train --plans "$f" | head -6
done
