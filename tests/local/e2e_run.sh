#!/bin/sh
# e2e_run.sh IMAGINE DATA: `imagine run --method direct --model local:DIR`
# on a tiny random Qwen3 folder made here (two workers, decoded as one batch):
#  - the run completes; the random text is no plan, so both items end
#    `failed` (a result, not `error`) with the raw text stored;
#  - each item has one llm_call row with its prompt and generated token
#    counts, the folder's name as the model, finish stop or length;
#  - a second identical run is served from the cache (same text, 0 tokens);
#  - a missing folder is a clear error before any item runs.
set -u
IM=$1 DATA=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$T" || exit 1
q() { sqlite3 s.db "$1" || fail "sqlite3: $1"; }

"$IM" model init --arch qwen3 --size tiny --dtype f16 --seed 1 --out tiny --data "$DATA" 2>init.err || { cat init.err; fail "model init"; }
SPEC="local:$T/tiny?max_tokens=32&seed=1"
"$IM" run --method direct --model "$SPEC" --split train --limit 2 --store s.db --data "$DATA" --name a --concurrency 2 >out1 2>err1 ||
  { cat out1 err1; fail "first run: exit $?"; }
RA=$(q "select id from run where name = 'a'")
[ "$(q "select count(*) from item where run_id = $RA and state = 'failed' and raw_text is not null and error like '%not a plan%'")" = 2 ] ||
  { q "select state, error, substr(raw_text, 1, 80) from item where run_id = $RA"; fail "run a: expected 2 failed items with their raw text"; }
[ "$(q "select count(*) from llm_call where run_id = $RA and role = 'planner' and status = 'ok' and cached = 0 and tokens_in > 100
        and tokens_out > 0 and tokens_out <= 32 and model = 'tiny' and finish_reason in ('stop', 'length') and attempts = 1
        and length(request_hash) = 64")" = 2 ] ||
  { q "select * from llm_call where run_id = $RA"; fail "run a: expected 2 ok planner calls with token counts"; }
[ "$(q "select count(*) from item i where run_id = $RA and tokens_in = (select sum(tokens_in) from llm_call c where c.run_id = i.run_id and c.query_id = i.query_id)
        and tokens_out = (select sum(tokens_out) from llm_call c where c.run_id = i.run_id and c.query_id = i.query_id)")" = 2 ] ||
  fail "run a: the items' tokens differ from their calls'"

"$IM" run --method direct --model "$SPEC" --split train --limit 2 --store s.db --data "$DATA" --name b >out2 2>err2 ||
  { cat out2 err2; fail "second run: exit $?"; }
RB=$(q "select id from run where name = 'b'")
[ "$(q "select count(*) from llm_call where run_id = $RB and cached = 1 and tokens_in = 0 and tokens_out = 0 and status = 'ok'")" = 2 ] ||
  { q "select * from llm_call where run_id = $RB"; fail "run b: expected 2 cache hits"; }
[ "$(q "select count(*) from item a join item b on a.query_id = b.query_id where a.run_id = $RA and b.run_id = $RB
        and a.raw_text = b.raw_text and b.state = 'failed'")" = 2 ] || fail "run b: the cached text differs from run a's"
"$IM" cache stats | grep -q "2 answers" || { "$IM" cache stats; fail "cache stats"; }

"$IM" run --method direct --model "local:$T/none" --split train --limit 1 --store s.db --data "$DATA" --name c >out3 2>err3
rc=$?
[ $rc = 3 ] && grep -q "imagine model init" err3 || { cat out3 err3; fail "a missing folder: exit $rc, expected 3 with a hint"; }
echo ok
