#!/bin/sh
# reference_e2e.sh IMAGINE TEST_SERVER DATA: issue 12.1 end to end. Every
# prompting method runs over all 180 validation queries against the
# project's test server (which echoes each prompt back as the answer):
#  - every query reaches the model (no `error` item, a model call for every
#    query), so the reference builder fails none (111 did before: states);
#  - the prompt of every 7-day query (read back from the method's response
#    cache: the echo is the prompt) names every city of its state that the
#    official form names: every city of citySet_with_states.txt in that
#    state but the origin; for Washington and New York too.
# react, reflexion and two-stage run one step (the builder is what is tested).
IM=$1 SRV=$2 DATA=$3
T=$(mktemp -d)
SP=
cleanup() { [ -n "$SP" ] && kill "$SP" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$T" || exit 2
"$SRV" --port-file port --seconds 600 >/dev/null 2>&1 &
SP=$!
for _ in $(seq 50); do [ -s port ] && break; sleep 0.1; done
[ -s port ] || fail "the test server did not start"
MODEL="openai:http://127.0.0.1:$(cat port)/v1#echo?timeout=30&max_retries=0"
for m in direct cot thinking react reflexion two-stage; do
  "$IM" run --method $m --model "$MODEL" --split validation --data "$DATA" --store s.db --name $m --concurrency 8 \
    $( [ $m = two-stage ] && echo --no-cache || echo --cache c_$m.db ) --max-steps 1 \
    $( [ $m = reflexion ] && echo --max-attempts 1 ) >/dev/null 2>err_$m
  rc=$?
  [ $rc = 0 ] || { cat err_$m; fail "$m: exit $rc (items left in error?)"; }
  n=$(sqlite3 s.db "SELECT count(*) FROM item i JOIN run r ON r.id = i.run_id WHERE r.name = '$m' AND i.state = 'error'")
  [ "$n" = 0 ] || fail "$m: $n error items"
  n=$(sqlite3 s.db "SELECT count(DISTINCT c.query_id) FROM llm_call c JOIN run r ON r.id = c.run_id WHERE r.name = '$m'")
  [ "$n" = 180 ] || fail "$m: $n of 180 queries reached the model"
done
python3 - "$DATA" <<'PY' || exit 1
import json, sqlite3, sys
data = sys.argv[1]
state_cities = {}
for line in open(f"{data}/database/background/citySet_with_states.txt"):
    if "\t" in line:
        city, state = line.rstrip("\n").split("\t")
        state_cities.setdefault(state, [])
        if city not in state_cities[state]:
            state_cities[state].append(city)
queries = [json.loads(l) for l in open(f"{data}/queries/validation.jsonl")]
bad = checked = 0
for m in ["direct", "cot", "thinking", "react", "reflexion"]:
    texts = [r[0] for r in sqlite3.connect(f"c_{m}.db").execute("SELECT text FROM response")]
    for q in queries:
        if q["days"] != 7:
            continue
        prompts = [t for t in texts if q["query"] in t and "Accommodations in" in t]
        if not prompts:
            print(f"FAIL: {m}: no prompt with reference information for query {q['idx']}")
            bad += 1
            continue
        want = [c for c in state_cities[q["dest"]] if c != q["org"]]
        for c in want:
            if f"Accommodations in {c}'" not in prompts[0] and f'Accommodations in {c}"' not in prompts[0]:
                print(f"FAIL: {m}: query {q['idx']} ({q['dest']}): the prompt does not name {c}")
                bad += 1
        checked += 1
n7 = sum(q["days"] == 7 for q in queries)
if checked != 5 * n7 or n7 < 50:
    print(f"FAIL: checked {checked} prompts of {n7} 7-day queries")
    bad += 1
sys.exit(1 if bad else 0)
PY
echo "reference_e2e: ok"
