#!/usr/bin/env bash
# e2e_run.sh IMAGINE TEST_SERVER DATA: `imagine run --method direct` over
# train against the test server answering the GPT-4 direct plans:
#  - injected faults end as error items (never failed); retry-errors completes the run;
#  - the run's metrics equal `imagine eval` on the same plans;
#  - a second run with the server gone is served entirely from the cache;
#  - cache stats / clear work.

set -u
IM=$1 SRV=$2 DATA=$3
T=$(mktemp -d)
SP=
cleanup() { [ -n "$SP" ] && kill "$SP" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$T" || exit 1
SUB=$DATA/outputs/train/train_gpt-4-1106-preview_direct_sole-planning_submission.jsonl
"$SRV" --port-file port --plans "$SUB" --faults 500,500,503,503,drop,drop,429:0,429:0 --seconds 300 >/dev/null &
SP=$!
for _ in $(seq 50); do [ -s port ] && break; sleep 0.1; done
[ -s port ] || fail "the test server did not start"
MODEL="openai:http://127.0.0.1:$(cat port)/v1#gpt-4-test?timeout=5&backoff=0.01&max_retries=1"

"$IM" run --method direct --model "$MODEL" --split train --data "$DATA" --store s.db --name a --concurrency 1 >out1 2>err1
rc=$?
[ $rc = 4 ] || { cat out1 err1; fail "first run: exit $rc, expected 4 (items left in error)"; }
"$IM" show a --store s.db --json >show1 || fail "show"
grep -q '"failed": 0' show1 || { cat show1; fail "an injected fault made a failed item"; }
"$IM" retry-errors a --store s.db >out2 2>err2 || { cat out2 err2; fail "retry-errors did not complete the run"; }
"$IM" show a --store s.db --json >show2 || fail "show"
"$IM" eval --split train --plans "$SUB" --data "$DATA" --json >eval.json || fail "eval"
for k in delivery_rate commonsense_micro commonsense_macro hard_micro hard_macro final_pass_rate; do
  a=$(grep -o "\"$k\": [0-9.e+-]*" show2 | head -1) b=$(grep -o "\"$k\": [0-9.e+-]*" eval.json | head -1)
  [ -n "$b" ] && [ "$a" = "$b" ] || fail "$k: run '$a' vs eval '$b'"
done
kill "$SP"; wait "$SP" 2>/dev/null; SP=
"$IM" run --method direct --model "$MODEL" --split train --data "$DATA" --store s.db --name b >out3 2>err3 ||
  { cat out3 err3; fail "second run with the server gone: not served from the cache"; }
"$IM" cache stats | grep -q "45 answers" || { "$IM" cache stats; fail "cache stats"; }
"$IM" cache clear | grep -q "45 answers deleted" || fail "cache clear"
echo "ok"
