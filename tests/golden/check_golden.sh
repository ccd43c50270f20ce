#!/bin/sh
# check_golden.sh IMAGINE DATA PLANS EXPECTED_EVAL EXPECTED_PERPLAN
# Runs `imagine eval` and compares with the official evaluator's outputs.
set -eu
imagine=$1 data=$2 plans=$3 expected_eval=$4 expected_perplan=$5
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$imagine" eval --data "$data" --split train --plans "$plans" --format official --per-plan "$tmp/perplan.jsonl" > "$tmp/eval.txt"
# eval.py's stdout, byte for byte (tqdm's bar goes to stderr there)
if ! cmp -s "$expected_eval" "$tmp/eval.txt"; then
  echo "official output differs from $expected_eval:"; diff "$expected_eval" "$tmp/eval.txt" | head -20; exit 1
fi
if ! cmp -s "$expected_perplan" "$tmp/perplan.jsonl"; then
  echo "per-plan verdicts differ from $expected_perplan:"; diff "$expected_perplan" "$tmp/perplan.jsonl" | head -10; exit 1
fi
# the default output starts with the same six lines
"$imagine" eval --data "$data" --split train --plans "$plans" > "$tmp/human.txt"
grep -E '^(Delivery|Commonsense|Hard|Final)' "$expected_eval" > "$tmp/want6"
head -6 "$tmp/human.txt" > "$tmp/got6"
cmp -s "$tmp/want6" "$tmp/got6" || { echo "six rate lines differ"; diff "$tmp/want6" "$tmp/got6"; exit 1; }
echo "ok: $(basename "$plans")"
