#!/usr/bin/env bash
# e2e_run.sh IMAGINE TEST_SERVER DATA: `imagine run --method direct` over
# train against the test server answering the GPT-4 direct plans:
#  - injected faults end as error items (never failed); retry-errors completes the run;
#  - the run's metrics equal `imagine eval` on the same plans;
#  - a second run with the server gone is served entirely from the cache;
#  - every model call is a row of llm_call (45 ok planner calls plus one
#    per injected failure; the cached run's 45 are hits with 0 tokens), and
#    `imagine show --json` sums them under "llm_calls";
#  - cache stats / clear work;
#  - on a terminal (script(1)), a 429 shows "backoff" on the progress line.

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
E=$(grep -o '"error": [0-9]*' show1 | head -1 | grep -o '[0-9]*$')
[ -n "$E" ] && [ "$E" -gt 0 ] || { cat show1; fail "first run: no error items from the injected faults"; }
"$IM" retry-errors a --store s.db >out2 2>err2 || { cat out2 err2; fail "retry-errors did not complete the run"; }
"$IM" show a --store s.db --json >show2 || fail "show"
"$IM" eval --split train --plans "$SUB" --data "$DATA" --json >eval.json || fail "eval"
for k in delivery_rate commonsense_micro commonsense_macro hard_micro hard_macro final_pass_rate; do
  a=$(grep -o "\"$k\": [0-9.e+-]*" show2 | head -1) b=$(grep -o "\"$k\": [0-9.e+-]*" eval.json | head -1)
  [ -n "$b" ] && [ "$a" = "$b" ] || fail "$k: run '$a' vs eval '$b'"
done
# llm_call: every call of run a, failed ones included, in the items' transactions
q() { sqlite3 s.db "$1" || fail "sqlite3: $1"; }
RA=$(q "select id from run where name = 'a'")
[ "$(q "select count(*) from llm_call where run_id = $RA and role = 'planner' and status = 'ok' and cached = 0 and tokens_in > 0 and attempts >= 1 and finish_reason = 'stop' and model = 'gpt-4-test' and length(request_hash) = 64")" = 45 ] ||
  { q "select * from llm_call limit 5"; fail "run a: expected 45 ok planner calls in llm_call"; }
[ "$(q "select count(*) from llm_call where run_id = $RA and status = 'error' and attempts = 2 and error like '%gave up after 2 attempts%'")" = "$E" ] ||
  { q "select status, attempts, error from llm_call where status = 'error'"; fail "run a: expected $E failed calls (2 attempts each)"; }
[ "$(q "select count(*) from llm_call c left join item i on i.run_id = c.run_id and i.query_id = c.query_id where i.query_id is null")" = 0 ] ||
  fail "llm_call rows without their item"
[ "$(q "select sum(tokens_in) = (select sum(tokens_in) from item where run_id = $RA) from llm_call where run_id = $RA and status = 'ok'")" = 1 ] ||
  fail "run a: llm_call tokens differ from the items' tokens"
tr -d '\n' <show2 | grep -o '"llm_calls": {[^}]*}' >calls2
AT=$(q "select sum(attempts) from llm_call where run_id = $RA")
[ "$AT" -ge $((45 + 2 * E)) ] || fail "run a: $AT HTTP attempts, expected at least $((45 + 2 * E))"
for kv in "\"calls\": $((45 + E))" "\"ok\": 45" "\"errors\": $E" '"cache_hits": 0' "\"attempts\": $AT"; do
  grep -q "$kv" calls2 || { cat calls2; fail "show a --json: llm_calls lacks $kv"; }
done
"$IM" show a --store s.db | grep -q "model calls: $((45 + E)) ($((45)) ok, $E error, 0 cache hits" ||
  { "$IM" show a --store s.db; fail "show a: no model calls line"; }
kill "$SP"; wait "$SP" 2>/dev/null; SP=
"$IM" run --method direct --model "$MODEL" --split train --data "$DATA" --store s.db --name b >out3 2>err3 ||
  { cat out3 err3; fail "second run with the server gone: not served from the cache"; }
RB=$(q "select id from run where name = 'b'")
[ "$(q "select count(*) from llm_call where run_id = $RB and cached = 1 and tokens_in = 0 and tokens_out = 0 and cost = 0 and attempts = 0 and status = 'ok'")" = 45 ] &&
  [ "$(q "select count(*) from llm_call where run_id = $RB")" = 45 ] ||
  { q "select * from llm_call where run_id = $RB limit 3"; fail "run b: expected 45 cache-hit calls with 0 tokens"; }
"$IM" show b --store s.db --json | tr -d '\n' | grep -o '"llm_calls": {[^}]*}' >calls3
for kv in '"calls": 45' '"ok": 45' '"errors": 0' '"cache_hits": 45' '"tokens_in": 0' '"tokens_out": 0'; do
  grep -q "$kv" calls3 || { cat calls3; fail "show b --json: llm_calls lacks $kv"; }
done
"$IM" cache stats | grep -q "45 answers" || { "$IM" cache stats; fail "cache stats"; }
"$IM" cache clear | grep -q "45 answers deleted" || fail "cache clear"

# The progress line on a terminal shows the wait on a 429 (Retry-After: 1).
if command -v script >/dev/null; then
  rm -f port
  "$SRV" --port-file port --plans "$SUB" --faults 429:1 --seconds 60 >/dev/null &
  SP=$!
  for _ in $(seq 50); do [ -s port ] && break; sleep 0.1; done
  [ -s port ] || fail "the test server did not start again"
  M2="openai:http://127.0.0.1:$(cat port)/v1#gpt-4-test?timeout=5&backoff=0.01&max_retries=2"
  script -qec "'$IM' run --method direct --model '$M2' --split train --data '$DATA' --store s.db --name tty --limit 2 --no-cache" \
    /dev/null >tty.out 2>&1 || { cat -v tty.out; fail "run on a terminal"; }
  grep -q "backoff [0-9]*s (HTTP 429)" tty.out || { cat -v tty.out; fail "no backoff on the progress line"; }
  kill "$SP"; wait "$SP" 2>/dev/null; SP=
else
  echo "skip: no script(1) for the terminal check"
fi
echo "ok"
