#!/bin/sh
# tests/mainjob/e2e.sh IMAGINE SRC TMP: the README's main job at the small
# scale (MAIN_JOB_SCALE=small) through the real verbs, then checks that
# the model learnt (thresholds the untrained model fails):
#   - SFT: the last step's loss is under a third of the first step's;
#   - the SFT model's outputs are IMAGINE samples in the making: they open
#     with <think> and trace states ("after step") on at least half of the
#     blocksworld_3 items it is given, the untrained model's on none (the
#     full job's accuracy is in the README: this scale trains 40 steps);
#   - stage 2 stored its traces and some pass VAL (the generator's own
#     tests hold disjointness from the benchmark);
#   - the report has the PlanBench section with every run, in HTML and PDF,
#     the stage times and the training section.
set -eu
imagine=$1 src=$2 tmp=$3
rm -rf "$tmp" && mkdir -p "$tmp"
export IMAGINE="$imagine" OUT="$tmp" MAIN_JOB_SCALE=small
export IMAGINE_DATA="$src/../shared/travelplanner" IMAGINE_PLANBENCH_DATA="$src/../shared/planbench"
fail() { echo "mainjob_e2e: $*" >&2; exit 1; }
"$src/scripts/main-job.sh" >"$tmp/log" 2>&1 || { tail -30 "$tmp/log"; fail "main-job.sh failed"; }
db="$tmp/main-job.db"
q() { sqlite3 "$db" "$1"; }
first=$(q "select loss from train_step s join run r on r.id = s.run_id where r.name = 'sft' order by step limit 1")
last=$(q "select loss from train_step s join run r on r.id = s.run_id where r.name = 'sft' order by step desc limit 1")
echo "SFT loss $first -> $last"
awk -v a="$first" -v b="$last" 'BEGIN { exit !(a > 0 && b < a / 3) }' || fail "SFT loss $first -> $last: not under a third"
form() { # run name: items whose raw output opens a state trace
  q "select count(*) from item i join run r on r.id = i.run_id where r.name = '$1' and i.raw_text like '<think>%after step %'"
}
total=$(q "select count(*) from item i join run r on r.id = i.run_id where r.name = 'sft-model'")
sft=$(form sft-model) untrained=$(form untrained)
echo "state traces: sft-model $sft/$total, untrained $untrained/$total"
[ "$total" -gt 0 ] && [ $((2 * sft)) -ge "$total" ] || fail "the SFT model traces states on $sft of $total items"
[ "$untrained" -eq 0 ] || fail "the untrained model traces states on $untrained items: the check cannot tell"
n=$(q "select count(*) from item i join run r on r.id = i.run_id where r.name = 'mas-stage2'")
[ "$n" -gt 30 ] || fail "stage 2 has $n items"
passing=$(q "select count(*) from verdict v join run r on r.id = v.run_id where r.name = 'mas-stage2' and v.name = 'valid_plan' and v.value = 1")
echo "stage 2: $n items, $passing valid plans"
[ "$passing" -gt 0 ] || fail "no stage-2 plan passes VAL"
for f in report.html report.pdf; do [ -s "$tmp/$f" ] || fail "no $f"; done
grep -q "sft-model" "$tmp/report.html" || fail "report.html lacks the sft-model run"
grep -q "claude-3-opus" "$tmp/report.html" || fail "report.html lacks the replayed claude-3-opus run"
pdftotext "$tmp/report.pdf" - | grep -q "grpo-model" || fail "report.pdf lacks the grpo-model run"
grep -q "stage 3a: SFT" "$tmp/report.html" || fail "report.html lacks the stage times"
grep -q 'id="training"' "$tmp/report.html" || fail "report.html lacks the training section"
echo "mainjob_e2e: ok"
