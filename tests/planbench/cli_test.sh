#!/bin/sh
# cli_test.sh IMAGINE DATA: the PlanBench verbs end to end (issue 11 contracts).
set -u
IM=$1
D=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
check() { # NAME EXPECTED ACTUAL
    if [ "$2" != "$3" ]; then echo "FAIL $1: expected [$2] got [$3]"; fail=1; else echo "ok $1"; fi
}
# eval --json: the authors' own count (README table: claude-3-opus one-shot Blocksworld 242/500)
out=$("$IM" eval --suite planbench --variant blocksworld --answers "$D/results/blocksworld/claude-3-opus/task_1_plan_generation.json" --json)
check "eval --json" '{"suite": "planbench", "variant": "blocksworld", "instances": 500, "judged": 500, "correct": 242, "accuracy": 48.4}' "$out"
# --extracted on the older format (Python lists, "correct"): gpt-4_chat one-shot 157/500
out=$("$IM" eval --suite planbench --variant blocksworld --answers "$D/results/blocksworld/gpt-4_chat/task_1_plan_generation.json" --extracted --json)
check "eval --extracted" '{"suite": "planbench", "variant": "blocksworld", "instances": 500, "judged": 500, "correct": 157, "accuracy": 31.4}' "$out"
# partial judging: gemini-1.5-pro one-shot Mystery has 1 judged instance of 500
out=$("$IM" eval --suite planbench --variant mystery_blocksworld --answers "$D/results/mystery_blocksworld/gemini-1.5-pro/task_1_plan_generation.json" --json --per-item "$T/pi.jsonl")
check "eval partial" '{"suite": "planbench", "variant": "mystery_blocksworld", "instances": 500, "judged": 1, "correct": 0, "accuracy": 0.0}' "$out"
check "per-item lines" 500 "$(wc -l < "$T/pi.jsonl" | tr -d ' ')"
check "per-item null" 499 "$(grep -c '"correct": null, "plan": \[\], "reason": "no response"' "$T/pi.jsonl")"
# Logistics: the extractor raises on 9 answers (no plan stored; judged false with the reason)
"$IM" eval --suite planbench --variant logistics --answers "$D/results/logistics/gpt-3.5-turbo-instruct/task_1_plan_generation.json" --per-item "$T/lg.jsonl" > /dev/null
check "logistics extraction failures" 9 "$(grep -c '"correct": false, "plan": \[\], "reason": "no plan could be extracted' "$T/lg.jsonl")"
first=$(head -1 "$T/lg.jsonl" | cut -c1-40)
check "per-item shape" '{"instance_id": 2, "correct": false, "pl' "$first"
# solve -> eval: the planner's plans, rendered in the benchmark's English, extracted and validated: 100 %
"$IM" solve --suite planbench --variant blocksworld_3 --out "$T/solved.json" > /dev/null; check "solve exit" 0 $?
out=$("$IM" eval --suite planbench --variant blocksworld_3 --answers "$T/solved.json" --json)
check "solve -> eval" '{"suite": "planbench", "variant": "blocksworld_3", "instances": 100, "judged": 100, "correct": 100, "accuracy": 100.0}' "$out"
"$IM" solve --suite planbench --variant mystery_blocksworld_3 --out "$T/my.json" > /dev/null
out=$("$IM" eval --suite planbench --variant mystery_blocksworld_3 --answers "$T/my.json" --json)
check "solve -> eval mystery" '{"suite": "planbench", "variant": "mystery_blocksworld_3", "instances": 100, "judged": 100, "correct": 100, "accuracy": 100.0}' "$out"
"$IM" solve --suite planbench --variant logistics --from 1 --to 30 --out "$T/lg.json" > /dev/null
out=$("$IM" eval --suite planbench --variant logistics --answers "$T/lg.json" --json)
check "solve -> eval logistics" '{"suite": "planbench", "variant": "logistics", "instances": 30, "judged": 30, "correct": 30, "accuracy": 100.0}' "$out"
# strata: Wilson intervals per objects x optimal length, share of correct plans that are optimal
"$IM" eval --suite planbench --variant blocksworld_3 --answers "$D/results/blocksworld_3/gpt-4_chat/task_1_plan_generation.json" --strata > "$T/strata.txt"
grep -q "^all  *100    49    49.0%  \[ 39.4,  58.7\]" "$T/strata.txt"; check "strata overall" 0 $?
grep -q "^blocksworld_3 objects=3 optimal=2 " "$T/strata.txt"; check "strata rows" 0 $?
grep -q "^correct plans that are optimal: " "$T/strata.txt"; check "strata optimal share" 0 $?
# generate (the suite's generate op, as for every suite): new problems (deduplicated), prompts, gold plans' lengths, PDDL
"$IM" queries generate --suite planbench --variant mystery_blocksworld --n 4 --blocks 5 --seed 3 --out "$T/gen.jsonl" --data "$D" > "$T/gen.txt"; check "generate exit" 0 $?
check "generate items" 4 "$(wc -l < "$T/gen.jsonl" | tr -d ' ')"
check "generate pddl" 4 "$(grep -c '"pddl": "(define (problem' "$T/gen.jsonl")"
grep -q '"query": "I am playing with a set of objects' "$T/gen.jsonl"; check "generate prompt" 0 $?
grep -q "^  PlanBench mystery_blocksworld: 4 new problems" "$T/gen.txt"; check "generate report" 0 $?
"$IM" queries generate --suite planbench --variant mystery_blocksworld --n 4 --blocks 5 --seed 3 --out "$T/gen2.jsonl" --data "$D" > /dev/null
cmp -s "$T/gen.jsonl" "$T/gen2.jsonl"; check "generate same seed, same bytes" 0 $?
"$IM" queries generate --suite planbench --variant mystery_blocksworld --n 2 --blocks 5 --against train --out "$T/gen3.jsonl" --data "$D" 2> "$T/e.txt"; check "generate foreign field" 2 $?
grep -q '"against"' "$T/e.txt"; check "generate foreign field named" 0 $?
# the generated items are items of the suite: a run over them with the solver
"$IM" run --suite planbench --split mystery_blocksworld --queries "$T/gen.jsonl" --method solver --store "$T/g.db" --data "$D" > "$T/grun.txt" 2>&1
grep -q "4 done, 0 failed, 0 errors, 0 left; accuracy rate 100.0%" "$T/grun.txt"; check "run over generated items" 0 $?
# runs through the suite interface: the solver, and the authors' answers replayed (--method plans --answers)
"$IM" run --suite planbench --variant blocksworld_3 --method solver --store "$T/s.db" --data "$D" > "$T/run.txt" 2>&1; check "run solver exit" 0 $?
grep -q "100 done, 0 failed, 0 errors, 0 left; accuracy rate 100.0%" "$T/run.txt"; check "run solver" 0 $?
"$IM" run --suite planbench --variant blocksworld_3 --method plans --answers "$D/results/blocksworld_3/gpt-4_chat/task_1_plan_generation_zero_shot.json" --store "$T/s.db" --data "$D" > "$T/run2.txt" 2>&1
grep -q "accuracy rate 59.0%" "$T/run2.txt"; check "run plans replay (authors: 59/100)" 0 $?
# the one-shot files hold instances 2..101 (each one's example is the one before): over their own list
# (--queries FILE) a replay scores as published, instance 101 included
one="$D/results/blocksworld_3/claude-3-opus/task_1_plan_generation.json"
"$IM" run --suite planbench --variant blocksworld_3 --queries "$one" --method plans --answers "$one" --name one --store "$T/s1.db" --data "$D" > "$T/run3.txt" 2>&1
grep -q "100 done, 0 failed, 0 errors, 0 left; accuracy rate 47.0%" "$T/run3.txt"; check "run plans replay over the file's instances (authors: 47/100)" 0 $?
[ "$(sqlite3 "$T/s1.db" "select count(*) from item i join query q on q.id = i.query_id where q.fields_json like '%\"instance_id\": 101,%'")" = 1 ]
check "instance 101 is an item" 0 $?
"$IM" show 2 --store "$T/s.db" > "$T/show.txt" 2>&1; check "show exit" 0 $?
grep -q "^blocksworld_3 objects=3 optimal=2 " "$T/show.txt"; check "show strata" 0 $?
# data check: the built-in list; a folder missing files fails (exit 1); no folder is exit 3
"$IM" data check --suite planbench --data "$D" > /dev/null; check "data check" 0 $?
mkdir -p "$T/pb/configs" && cp "$D/configs/blocksworld.yaml" "$T/pb/configs/" && printf 'x' >> "$T/pb/configs/blocksworld.yaml"
"$IM" data check --suite planbench --data "$T/pb" > "$T/dc.txt"; check "data check bad" 1 $?
grep -q "configs/blocksworld.yaml (sha256 differs)" "$T/dc.txt" || grep -q "(missing)" "$T/dc.txt"; check "data check names a file" 0 $?
"$IM" data check --suite planbench --data "$T/none" 2> /dev/null; check "data check no folder" 3 $?
# usage and data errors: exit 2 and 3, nothing written
"$IM" eval --suite planbench --answers x.json 2> /dev/null; check "no variant" 2 $?
"$IM" eval --suite planbench --variant nosuch --answers x.json --data "$D" 2> "$T/e.txt"; check "bad variant" 2 $?
printf '{"instances": [{"instance_id": 1, "llm_raw_response": "x"' > "$T/bad.json"
"$IM" eval --suite planbench --variant blocksworld --answers "$T/bad.json" --per-item "$T/never.jsonl" --data "$D" 2> "$T/e.txt"; check "bad json" 3 $?
grep -q "bad.json: not valid JSON at byte" "$T/e.txt"; check "bad json names the file" 0 $?
[ ! -e "$T/never.jsonl" ]; check "nothing written" 0 $?
exit $fail
