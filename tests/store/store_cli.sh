#!/bin/bash
# store_cli.sh IMAGINE DATA TMP: the run verbs on real store files.
#  - metrics of replayed runs equal `imagine eval` on the same plans (4 files)
#  - export submission re-evaluates to the same metrics; --concurrency 4
#    stores the same items as --concurrency 1
#  - retry-errors redoes exactly the items in error; failed stays a result
#  - refusals: not imagine's / not SQLite / newer / read-only: exit 3, file unchanged
#  - status reads while another connection holds the write lock; resume refuses
#    while another process executes the run
#  - usage errors: exit 2
set -u
export LC_ALL=C
imagine=$1 data=$2 tmp=$3
rm -rf "$tmp" && mkdir -p "$tmp" && cd "$tmp" || exit 2
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
expect_rc() { # expect_rc WANT DESCRIPTION CMD...
  local want=$1 what=$2; shift 2
  "$@" > out.txt 2> err.txt; local rc=$?
  [ "$rc" = "$want" ] || { fail "$what: exit $rc, want $want"; sed 's/^/  | /' err.txt | head -5; }
}
outs="$data/outputs/train"
two="$outs/train_gpt-4-1106-preview_two-stage_submission.jsonl"

# ---- metrics equal imagine eval, for every shipped submission ----------------
for f in "$outs"/*.jsonl; do
  n=$(basename "$f" .jsonl)
  expect_rc 0 "run $n" "$imagine" run --method plans --plans "$f" --split train --data "$data" --store s.db --name "$n"
  grep -q "45/45 finished" out.txt || fail "run $n: no summary line on a non-TTY stdout: $(cat out.txt)"
  [ "$(wc -l < out.txt)" = 1 ] || fail "run $n: more than one line on a non-TTY stdout"
  "$imagine" eval --split train --data "$data" --plans "$f" --json | jq -S . > want.json
  "$imagine" show "$n" --store s.db --json | jq -S .metrics > got.json
  cmp -s want.json got.json || { fail "$n: show --json metrics differ from eval --json"; diff want.json got.json | head -5; }
  "$imagine" eval --split train --data "$data" --plans "$f" | head -6 > want6
  "$imagine" show "$n" --store s.db | grep -E '^(Delivery|Commonsense Constraint|Hard Constraint|Final) .*Rate: ' > got6
  cmp -s want6 got6 || fail "$n: show's rate lines differ from eval's"
  expect_rc 0 "export $n" "$imagine" export "$n" --store s.db --format submission --out "$n.sub"
  [ "$(wc -l < "$n.sub")" = 45 ] || fail "$n: export has $(wc -l < "$n.sub") lines, want 45"
  "$imagine" eval --split train --data "$data" --plans "$n.sub" --json | jq -S . > again.json
  cmp -s want.json again.json || fail "$n: the exported submission scores differently"
  # same plans line by line (undelivered plans become [])
  jq -c '[.idx, .query, (.plan // [])]' "$f" > a.lines
  jq -c '[.idx, .query, .plan]' "$n.sub" > b.lines
  cmp -s a.lines b.lines || fail "$n: exported plans differ from the replayed file"
done
[ "$("$imagine" runs --store s.db --json | jq length)" = 4 ] || fail "runs --json does not list 4 runs"
[ "$("$imagine" runs --store s.db | wc -l)" = 5 ] || fail "runs does not print a header and 4 rows"

# ---- concurrency: same stored items ---------------------------------------
expect_rc 0 "run -c 4" "$imagine" run --method plans --plans "$two" --split train --data "$data" --store s.db --name c4 --concurrency 4
strip='del(.latency_ms)'
"$imagine" export c4 --store s.db --format jsonl | jq -c "$strip" > c4.jsonl
"$imagine" export train_gpt-4-1106-preview_two-stage_submission --store s.db --format jsonl | jq -c "$strip" > c1.jsonl
cmp -s c1.jsonl c4.jsonl || fail "--concurrency 4 stored different items than --concurrency 1"
[ "$(grep -c '"state":"failed"' c4.jsonl)" = 4 ] || fail "the 4 null plans of two-stage are not 'failed' items"
"$imagine" export c4 --store s.db --format csv > c4.csv
[ "$(wc -l < c4.csv)" = 46 ] || fail "csv: want a header and 45 rows"

# ---- --limit, unknown runs, usage -------------------------------------------
expect_rc 0 "run --limit 5" "$imagine" run --method plans --plans "$two" --split train --data "$data" --store s.db --name five --limit 5
[ "$("$imagine" show five --store s.db --json | jq .items)" = 5 ] || fail "--limit 5 did not make 5 items"
expect_rc 2 "a taken name" "$imagine" run --method plans --plans "$two" --split train --data "$data" --store s.db --name five
expect_rc 2 "an unknown run" "$imagine" show nosuch --store s.db
expect_rc 2 "resume of an unknown run" "$imagine" resume 999 --store s.db
expect_rc 2 "no --method" "$imagine" run --split train --data "$data" --store s.db
expect_rc 2 "unknown method" "$imagine" run --method nosuch --split train --data "$data" --store s.db
expect_rc 2 "plans without --plans" "$imagine" run --method plans --split train --data "$data" --store s.db
expect_rc 2 "bad split" "$imagine" run --method plans --plans "$two" --split dev --data "$data" --store s.db
expect_rc 2 "bad export format" "$imagine" export five --store s.db --format xml
expect_rc 3 "missing store" "$imagine" runs --store nothere.db
[ -e nothere.db ] && fail "a reading verb created a store"
expect_rc 0 "resume of a complete run" "$imagine" resume five --store s.db
[ "$("$imagine" show five --store s.db --json | jq '.states.done + .states.failed')" = 5 ] || fail "resume changed a complete run"

# ---- retry-errors -------------------------------------------------------------
IMAGINE_FAULT=error-item:3,error-item:7,error-item:20 expect_rc 4 "run with 3 infrastructure errors" \
  "$imagine" run --method plans --plans "$two" --split train --data "$data" --store s.db --name errs
[ "$("$imagine" show errs --store s.db --json | jq .states.error)" = 3 ] || fail "want 3 items in error"
expect_rc 4 "status of a run with errors" "$imagine" status errs --store s.db
expect_rc 4 "resume does not retry errors" "$imagine" resume errs --store s.db
sqlite3 s.db "SELECT i.query_id, i.state, i.attempts, coalesce(i.plan_json,'') FROM item i JOIN run r ON r.id = i.run_id
              WHERE r.name = 'errs' AND i.state IN ('done','failed') ORDER BY 1" | sort > before_retry
expect_rc 0 "retry-errors" "$imagine" retry-errors errs --store s.db
sqlite3 s.db "SELECT i.query_id, i.state, i.attempts, coalesce(i.plan_json,'') FROM item i JOIN run r ON r.id = i.run_id
              WHERE r.name = 'errs' AND i.state IN ('done','failed') ORDER BY 1" | sort > after_retry
[ "$(comm -23 before_retry after_retry | wc -l)" = 0 ] || fail "retry-errors changed finished items"
[ "$(comm -13 before_retry after_retry | wc -l)" = 3 ] || fail "retry-errors did not finish exactly the 3 error items"
[ "$(sqlite3 s.db "SELECT count(*) FROM item i JOIN run r ON r.id=i.run_id WHERE r.name='errs' AND attempts = 2")" = 3 ] \
  || fail "the 3 error items were not attempted twice"
"$imagine" show errs --store s.db --json | jq -S .metrics > got.json
"$imagine" eval --split train --data "$data" --plans "$two" --json | jq -S . > want.json
cmp -s want.json got.json || fail "metrics after retry-errors differ from eval"
expect_rc 0 "retry-errors with nothing in error" "$imagine" retry-errors errs --store s.db

# ---- refusals: exit 3, nothing written ----------------------------------------
refused() { # refused FILE DESCRIPTION
  cp "$1" "$1.orig"
  for verb in "run --method plans --plans $two --split train --data $data" "runs" "show 1" "resume 1" "status 1"; do
    # shellcheck disable=SC2086
    expect_rc 3 "$2: imagine $verb" "$imagine" $verb --store "$1"
    cmp -s "$1" "$1.orig" || fail "$2: imagine $verb changed the file"
    [ -e "$1-wal" ] && fail "$2: imagine $verb made a WAL file"
  done
  grep -q "$3" err.txt || fail "$2: message lacks '$3': $(cat err.txt)"
}
printf 'not a database at all, just some text\n' > text.db
refused text.db "a text file" "not an imagine store"
sqlite3 other.db "CREATE TABLE t(x); INSERT INTO t VALUES (1);"
refused other.db "another SQLite database" "not an imagine store"
cp s.db newer.db && sqlite3 newer.db "PRAGMA journal_mode=DELETE; PRAGMA user_version=99;" > /dev/null
refused newer.db "a newer store" "newer than this imagine"
cp s.db ro.db && sqlite3 ro.db "PRAGMA journal_mode=DELETE;" > /dev/null && chmod 0444 ro.db
refused ro.db "a read-only store" "read-only"
chmod 0644 ro.db

# ---- status while another connection writes; the run lock ----------------------
mkfifo hold.fifo
sqlite3 s.db < hold.fifo > hold.out 2>&1 &
holder=$!
exec 9> hold.fifo
echo "BEGIN IMMEDIATE; UPDATE run SET status = status; SELECT 'holding';" >&9
for _ in $(seq 1 600); do grep -q holding hold.out && break; sleep 0.05; done
grep -q holding hold.out || fail "the sqlite3 writer did not start"
expect_rc 0 "status while another connection holds the write lock" "$imagine" status five --store s.db
grep -q "5/5 finished" out.txt || fail "status output: $(cat out.txt)"
echo "COMMIT;" >&9
exec 9>&-
wait $holder

IMAGINE_FAULT=stop-after-claim:2 "$imagine" run --method plans --plans "$two" --split train --data "$data" --store s.db --name held > /dev/null 2>&1 &
pid=$!
for _ in $(seq 1 600); do [ "$(ps -o stat= -p $pid 2>/dev/null | cut -c1)" = T ] && break; sleep 0.05; done
[ "$(ps -o stat= -p $pid | cut -c1)" = T ] || fail "the run did not stop at the fault point"
expect_rc 0 "status of a run another process executes" "$imagine" status held --store s.db
grep -q "executing (pid $pid)" out.txt || fail "status does not name the executing process: $(cat out.txt)"
expect_rc 3 "resume while another process executes the run" "$imagine" resume held --store s.db
grep -q "another process" err.txt || fail "resume's message: $(cat err.txt)"
kill -9 $pid; wait $pid 2>/dev/null
expect_rc 0 "resume after the executing process died" "$imagine" resume held --store s.db
"$imagine" show held --store s.db --json | jq -S .metrics > got.json
cmp -s want.json got.json || fail "metrics of the resumed run differ from eval"

[ $fails = 0 ] && echo "store_cli: all checks passed"
exit $((fails > 0))
