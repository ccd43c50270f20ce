#!/bin/sh
# verbs_test.sh IMAGINE TP_DATA PB_DATA: the verbs that are one
# implementation for every suite (harness/cmd_solve.c, cmd_queries.c,
# cmd_data.c over suites/suite.h) give each suite's figures:
#   - bench solve: TravelPlanner train (every query solved and passing) and
#     PlanBench blocksworld_3 (100 solved, proven optimal, valid; no greedy
#     baseline in that suite);
#   - queries stats: TravelPlanner's distributions through the items_stats
#     op; a suite without one is a usage error naming it;
#   - data check --suite planbench through the data_check op; data fetch
#     --suite planbench through its data_fetch op (a bad --from is a usage
#     error naming it; the fetch itself: tests/planbench/fetch_test.sh).
#   - eval and bench eval (harness/cmd_eval.c, cmd_bench_eval.c): PlanBench's
#     own outputs through its eval_file op, an output never written over an
#     input, an option of the other suite refused; bench eval's figures for
#     PlanBench (its in-process path and its CPU target) and a peer's
#     placeholders replaced by the suite's values.
set -u
IM=$1 TP=$2 PB=$3
fail=0
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
check() { # NAME EXPECTED ACTUAL
    if [ "$2" != "$3" ]; then echo "FAIL $1: expected [$2] got [$3]"; fail=1; else echo "ok $1"; fi
}
row() { # the counts and rates of a bench solve row: split n feasible infeasible unknown optimal final baseline
    awk -v s="$1" '$1 == s { print $1, $2, $9, $10, $11, $12, $13, $14 }'
}
out=$("$IM" bench solve --split train --data "$TP"); check "bench solve exit (travelplanner)" 0 $?
check "bench solve travelplanner train" "train 45 45 0 0 45 100.0% 0.0%" "$(echo "$out" | row train)"
out=$("$IM" bench solve --suite planbench --variant blocksworld_3 --data "$PB"); check "bench solve exit (planbench)" 0 $?
check "bench solve planbench blocksworld_3" "blocksworld_3 100 100 0 0 100 100.0% -" "$(echo "$out" | row blocksworld_3)"
"$IM" bench solve --suite planbench --variant train --data "$PB" 2> /dev/null; check "bench solve unknown split" 2 $?
out=$("$IM" queries stats "$TP/queries/validation.jsonl" --against train --data "$TP"); check "queries stats exit" 0 $?
check "queries stats levels" "level easy                           33.3 %       33.3 %" "$(echo "$out" | grep '^level easy')"
"$IM" queries stats "$TP/queries/validation.jsonl" --suite planbench --data "$PB" 2> /dev/null; check "queries stats planbench" 2 $?
"$IM" data check --suite planbench --data "$PB" > /dev/null; check "data check planbench" 0 $?
err=$("$IM" data fetch --suite planbench --data "$T/pbdata" --from /nonexistent/pb 2>&1 >/dev/null); check "data fetch planbench (bad --from)" 2 $?
case $err in *"--from /nonexistent/pb: not a directory"*) echo "ok data fetch reaches the planbench op" ;; *) echo "FAIL data fetch message: $err"; fail=1 ;; esac
A="$PB/results/blocksworld_3/gpt-4_chat/task_1_plan_generation.json"
cp "$A" "$T/answers.json"
"$IM" eval --suite planbench --variant blocksworld_3 --answers "$T/answers.json" --per-item "$T/answers.json" --data "$PB" 2> "$T/e.txt"
check "eval --per-item over its input (exit)" 2 $?
cmp -s "$A" "$T/answers.json"; check "eval --per-item over its input (not written)" 0 $?
grep -q -- "--per-item $T/answers.json is $T/answers.json, an input" "$T/e.txt"; check "eval over its input: message" 0 $?
"$IM" eval --suite planbench --variant blocksworld_3 --answers "$A" --format official --data "$PB" 2> "$T/e.txt"
check "eval --suite planbench --format (TravelPlanner's option)" 2 $?
grep -q "unknown option '--format'" "$T/e.txt"; check "eval: foreign option named" 0 $?
"$IM" eval --variant blocksworld_3 --answers "$A" --extracted --data "$TP" 2> /dev/null; check "eval --extracted without --suite planbench" 2 $?
out=$("$IM" bench eval --suite planbench --runs 1 --variant blocksworld_3 --answers "$A" --data "$PB" \
      --peer 'test -s {answers} && test "$IMAGINE_BENCH_VARIANT" = {variant}' 2> "$T/b.err"); check "bench eval planbench exit" 0 $?
echo "$out" | grep -q "^blocksworld_3: plans extracted from the text  *100 *[0-9][0-9]* .* ms *[0-9.]*x$"
check "bench eval planbench row (in-process rate, peer ratio)" 0 $?
echo "$out" | grep -q "^a whole imagine eval of 100 answers: CPU [0-9.]* ms (target < 50 ms of CPU: "; check "bench eval planbench target" 0 $?
"$IM" bench eval --suite planbench --runs 1 --answers "$T/none.json" --data "$PB" 2> /dev/null; check "bench eval missing answers" 3 $?
exit $fail
