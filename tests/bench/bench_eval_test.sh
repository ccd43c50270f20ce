#!/bin/sh
# bench_eval_test.sh IMAGINE DATA: `imagine bench eval` runs end to end,
# with a stand-in peer, and prints every figure it promises.
set -eu
imagine=$1 data=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$imagine" bench eval --data "$data" --runs 1 --peer-runs 1 \
  --peer 'test -s {plans} && test -s {queries} && test -d {data} && test -n "$IMAGINE_BENCH_PLANS"' > "$tmp/out.txt"
cat "$tmp/out.txt"
for want in "train/annotated_plans" "validation: 180 queries" "1,000 plans: train queries" \
            "a whole imagine eval of 1,000 plans:" "x faster than the peer" "database load alone"; do
  grep -q "$want" "$tmp/out.txt" || { echo "FAIL: no '$want'"; exit 1; }
done
[ "$(grep -c ' ms  *[0-9.]*x$' "$tmp/out.txt")" = 7 ] || { echo "FAIL: expected 7 rows with a ratio"; exit 1; }
"$imagine" bench eval --data "$data" --runs 1 --json > "$tmp/out.json"
grep -q '"whole_eval_ms"' "$tmp/out.json" || { echo "FAIL: --json"; exit 1; }
# a failing peer is reported, not fatal
"$imagine" bench eval --data "$data" --runs 1 --peer false > "$tmp/out2.txt" 2>&1
grep -q "the peer failed" "$tmp/out2.txt" || { echo "FAIL: failing peer not reported"; exit 1; }
# bad data folder: exit 3
set +e; "$imagine" bench eval --data "$tmp/nowhere" --runs 1 >/dev/null 2>&1; rc=$?; set -e
[ "$rc" = 3 ] || { echo "FAIL: exit $rc for a missing data folder"; exit 1; }
echo "ok: bench eval"
