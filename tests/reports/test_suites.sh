#!/bin/sh
# test_suites.sh IMAGINE TPDATA PBDATA WORKDIR: reports, tables and
# comparisons over runs of two suites in one store (issue 11): a PlanBench
# Blocksworld solver run, two replayed published answer files, a replayed
# file whose raw answer carries markup, and a TravelPlanner run. The
# report groups them by suite, each group with its own rates, intervals,
# baseline and paired tests; numbers are compared with what `imagine run`
# printed for each run (computed here, not written down).
set -u
imagine=$1 tpdata=$2 pbdata=$3 work=$4
export IMAGINE_DATA=$tpdata IMAGINE_PLANBENCH_DATA=$pbdata
rm -rf "$work/suites" && mkdir -p "$work/suites" && cd "$work/suites" || exit 1
fail() { echo "FAIL: $*" >&2; exit 1; }
has() { grep -qF -- "$2" "$1" || fail "$1 lacks: $2"; }
lacks() { ! grep -qF -- "$2" "$1" || fail "$1 contains: $2"; }
R=$pbdata/results/blocksworld_3
V=blocksworld_3

# the runs; each one's accuracy as `imagine run` printed it ("accuracy rate 46.0%")
acc_of() { sed -n 's/.*accuracy rate \([0-9.]*\)%.*/\1/p' "$1" | tail -1; }
"$imagine" run --store s.db --suite planbench --variant $V --method solver --name solver > solver.log 2>&1 || fail "run solver"
for m in claude-3-opus gemini-1.5-pro; do
  "$imagine" run --store s.db --suite planbench --variant $V --method plans --answers "$R/$m/task_1_plan_generation.json" \
    --name "$m" > "$m.log" 2>&1 || fail "run $m"
done
# model output is untrusted: a raw answer carrying a script, and a run name with markup
sed '0,/"llm_raw_response": "/s//&<script>document.body.setAttribute(1)<\/script> \&amp; /' \
  "$R/claude-3-opus/task_1_plan_generation.json" > evil.json
grep -q '<script>' evil.json || fail "fixture not built"
"$imagine" run --store s.db --suite planbench --variant $V --method plans --answers evil.json --name 'x<b>evil</b>' \
  > evil.log 2>&1 || fail "run evil"
"$imagine" run --store s.db --method plans --plans "$tpdata/outputs/train/train_gpt-4-1106-preview_direct_sole-planning_submission.jsonl" \
  --split train --name tp-direct > tp.log 2>&1 || fail "run tp-direct"
for l in solver claude-3-opus gemini-1.5-pro evil; do
  a=$(acc_of $l.log); test -n "$a" || fail "$l.log has no accuracy"; eval "acc_$(echo $l | tr -c 'a-z0-9\n' _)=$a"
done
# the solver solves every instance; the published answers do not
test "$acc_solver" = "100.0" || fail "solver accuracy $acc_solver"

# ---- the report: HTML and PDF ----------------------------------------------
"$imagine" report --store s.db solver claude-3-opus tp-direct gemini-1.5-pro 'x<b>evil</b>' --out out/ 2> report.log ||
  { cat report.log; fail "imagine report"; }
H=out/report.html
test -s out/report.pdf || fail "no PDF"
# two sections, one per suite and variant/split, each with its runs only
has $H '<h2 id="group-0" class="group">PlanBench · blocksworld_3 <small>(4 runs)</small></h2>'
has $H '<h2 id="group-1" class="group">TravelPlanner · train <small>(1 run)</small></h2>'
sed -n '/id="group-0"/,/id="group-1"/p' $H > pb.html
sed -n '/id="group-1"/,/id="config"/p' $H > tp.html
lacks pb.html 'tp-direct'
lacks tp.html 'claude-3-opus'
has tp.html 'data-rate="final_pass_rate">4.4 <small>[1.2, 14.8]</small>'   # the golden eval output of direct
lacks tp.html 'id="diff-table' # one run: no baseline, nothing compared across suites
# the PlanBench rates: accuracy as `imagine run` printed it, with its 95 % interval
k=0
for l in solver claude-3-opus gemini-1.5-pro evil; do
  eval "a=\$acc_$(echo $l | tr -c 'a-z0-9\n' _)"
  run=$k; test $k -ge 2 && run=$((k + 1)) # the model order: tp-direct is run 2
  cellre="data-run=\"$run\" data-rate=\"accuracy\">$a <small>\[\([0-9.]*\), \([0-9.]*\)\]</small>"
  grep -q "$cellre" pb.html || fail "$l: no accuracy cell $a with an interval (run $run)"
  lohi=$(sed -n "s|.*$cellre.*|\1 \2|p" pb.html | head -1)
  awk -v a="$a" -v lh="$lohi" 'BEGIN { split(lh, x, " "); exit !(x[1] <= a && a <= x[2] && x[1] < x[2] || a == 100 && x[2] == 100) }' ||
    fail "$l: interval [$lohi] does not hold $a"
  k=$((k + 1))
done
has pb.html 'data-rate="optimal_rate">100.0'
# the baseline is the group's first run; paired tests against it
has pb.html 'solver <small>(baseline)</small>'
has pb.html 'id="diff-table-g0"'
has pb.html 'only base'
has pb.html 'Accuracy per variant, number of objects and optimal plan length'
has pb.html 'Valid plan (VAL)'
has pb.html '<ol class="steps"><li>('
# escaped: the script is text, the name's markup too
lacks $H '<script'
lacks $H '<b>evil'
has $H '&lt;script&gt;document.body.setAttribute(1)&lt;/script&gt; &amp;amp;'
has $H 'x&lt;b&gt;evil&lt;/b&gt;'
# the PDF: both sections, the same numbers, the name as text
pdftotext -layout out/report.pdf report.txt || fail pdftotext
has report.txt 'PlanBench · blocksworld_3 (4 runs)'
has report.txt 'TravelPlanner · train (1 run)'
has report.txt "$acc_claude_3_opus"
has report.txt 'x<b>evil</b>'
has report.txt 'Difference to the baseline, solver'

# --baseline belongs to one group: there it is the baseline; the other group keeps its own
"$imagine" report --store s.db tp-direct solver claude-3-opus --baseline claude-3-opus --no-plots --out b.html 2> b.log ||
  { cat b.log; fail "report --baseline"; }
has b.html 'claude-3-opus <small>(baseline)</small>'
lacks b.html 'solver <small>(baseline)</small>'
has b.html '<h4>Difference to the baseline, claude-3-opus</h4>'
has b.html '<h2 id="group-0" class="group">TravelPlanner · train <small>(1 run)</small></h2>'

# ---- the table: CSV of the PlanBench runs ------------------------------------
"$imagine" table --store s.db solver claude-3-opus gemini-1.5-pro --format csv > t.csv || fail "table"
col=$(head -1 t.csv | tr ',' '\n' | grep -nx accuracy | cut -d: -f1)
test -n "$col" || fail "t.csv has no accuracy column"
for l in solver claude-3-opus gemini-1.5-pro; do
  eval "a=\$acc_$(echo $l | tr -c 'a-z0-9\n' _)"
  got=$(grep "^\"$l\"," t.csv | cut -d, -f$col)
  awk -v a="$a" -v g="$got" 'BEGIN { exit !(g != "" && (a - g < 0.05 && g - a < 0.05)) }' || fail "t.csv $l accuracy $got, run printed $a"
done
grep -q '^"solver",100,1,' t.csv || fail "t.csv: solver is not the baseline"
# a table over both suites: one table each
"$imagine" table --store s.db solver tp-direct claude-3-opus > t.md || fail "table md"
has t.md '### PlanBench · blocksworld\_3'
has t.md '### TravelPlanner · train'

# ---- compare: paired within a suite, refused across suites --------------------
"$imagine" compare --store s.db solver claude-3-opus --json > c.json || fail "compare"
has c.json '"paired": true'
has c.json '"test": "exact McNemar"'
"$imagine" compare --store s.db solver claude-3-opus --gate accuracy:5 > gate.txt; rc=$?
test $rc -eq 1 || fail "gate on a drop: exit $rc, expected 1"
has gate.txt 'REGRESSED'
"$imagine" compare --store s.db solver tp-direct > x.txt 2> x.err; rc=$?
test $rc -eq 2 || fail "compare across suites: exit $rc, expected 2"
has x.err 'runs of different suites are not compared'
"$imagine" compare --store s.db solver claude-3-opus --gate final_pass_rate:1 2> g.err; rc=$?
test $rc -eq 2 || fail "a TravelPlanner gate on PlanBench runs: exit $rc, expected 2"
has g.err "unknown metric 'final_pass_rate' (expected optimal_rate or accuracy)"
echo "ok: suites (PlanBench accuracies $acc_solver $acc_claude_3_opus $acc_gemini_1_5_pro $acc_evil)"
