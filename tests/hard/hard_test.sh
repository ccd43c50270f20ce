#!/bin/bash
# hard_test.sh CASE IMAGINE DATA SPY: the reproductions of issue 13, one case
# each, on temp copies (never the shared data). SPY is fsync_spy.so.
set -u
export LC_ALL=C
case_=$1 imagine=$2 data=$3 spy=${4:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
expect_rc() { # expect_rc WANT DESCRIPTION CMD...: output in out.txt, err.txt
  local want=$1 what=$2; shift 2
  "$@" > out.txt 2> err.txt; local rc=$?
  [ "$rc" = "$want" ] || { fail "$what: exit $rc, want $want"; sed 's/^/  | /' err.txt | head -5; }
}
err_has() { grep -q -- "$1" err.txt || { fail "$2: stderr lacks '$1'"; sed 's/^/  | /' err.txt | head -5; }; }
plans="$data/outputs/train/train_annotated_plans.jsonl"
ev=("$imagine" eval --split train --data "$data")

case $case_ in
out_special) # item 5: devices, FIFOs and symlinks are never replaced
  # Never the system's own nodes: a broken imagine run as root would replace
  # them. A private copy of /dev/full (as root) and of the /dev/stdout link.
  full=/dev/full
  mknod full c 1 7 2>/dev/null && full=$tmp/full
  ln -s /proc/self/fd/1 stdout
  expect_rc 3 "solve --out $full" "$imagine" solve --split train --data "$data" --method greedy --out "$full"
  err_has "No space left" "solve --out $full"
  [ -c "$full" ] || fail "$full is no longer a character device"
  n=$("$imagine" solve --split train --data "$data" --method greedy --out stdout 2>/dev/null | wc -l)
  [ "$n" = 45 ] || fail "solve --out STDOUT-LINK gave $n lines, want 45"
  [ -L stdout ] || fail "the /proc/self/fd/1 link is no longer a symlink"
  mkfifo fifo
  timeout 60 cat fifo > from_fifo & reader=$!
  expect_rc 0 "eval --per-plan FIFO" "${ev[@]}" --plans "$plans" --per-plan fifo
  wait $reader
  [ -p fifo ] || fail "the FIFO was replaced"
  [ "$(wc -l < from_fifo)" = 45 ] || fail "the FIFO's reader got $(wc -l < from_fifo) lines, want 45"
  mkdir sub && ln -s sub/real.jsonl link.jsonl
  expect_rc 0 "eval --per-plan to a dangling symlink" "${ev[@]}" --plans "$plans" --per-plan link.jsonl
  [ -L link.jsonl ] || fail "the symlink was replaced by a file"
  [ "$(wc -l < sub/real.jsonl)" = 45 ] || fail "the symlink's target was not written"
  echo old > sub/real.jsonl
  expect_rc 0 "eval --per-plan to a symlink" "${ev[@]}" --plans "$plans" --per-plan link.jsonl
  [ -L link.jsonl ] && [ "$(wc -l < sub/real.jsonl)" = 45 ] || fail "second write through the symlink"
  ls sub | grep -q tmp && fail "a temp file was left in sub/"
  expect_rc 3 "eval --per-plan DIR" "${ev[@]}" --plans "$plans" --per-plan sub
  err_has "is a directory" "--per-plan DIR"
  # the PDF writer goes through the same path
  expect_rc 0 "a run for the report" "$imagine" run --method plans --plans "$plans" --split train --data "$data" --store s.db --name a --limit 3
  ln -s sub/report.pdf r.pdf
  expect_rc 0 "report --out SYMLINK.pdf" "$imagine" report a --store s.db --data "$data" --no-plots --out r.pdf
  [ -L r.pdf ] || fail "report replaced the symlink r.pdf"
  head -c 5 sub/report.pdf | grep -q '%PDF-' || fail "the symlink's target is not a PDF"
  mkfifo pipe.pdf
  timeout 60 cat pipe.pdf > got.pdf & reader=$!
  expect_rc 0 "report --out FIFO.pdf" "$imagine" report a --store s.db --data "$data" --no-plots --out pipe.pdf
  wait $reader
  [ -p pipe.pdf ] || fail "report replaced the FIFO"
  head -c 5 got.pdf | grep -q '%PDF-' || fail "the FIFO's reader got no PDF"
  ;;
out_is_input) # item 6: an output that is one of the inputs is refused
  cp "$plans" p.jsonl && chmod u+w p.jsonl && cp p.jsonl keep.jsonl && ln -s p.jsonl alias.jsonl
  expect_rc 2 "eval --per-plan = --plans" "${ev[@]}" --plans p.jsonl --per-plan p.jsonl
  err_has "an input" "eval --per-plan = --plans"
  expect_rc 2 "eval --per-plan = --plans (through a symlink)" "${ev[@]}" --plans alias.jsonl --per-plan p.jsonl
  cmp -s p.jsonl keep.jsonl || fail "the plans file was changed"
  cp "$data/queries/train.jsonl" q.jsonl && cp q.jsonl qkeep.jsonl
  expect_rc 2 "eval --per-plan = --queries" "$imagine" eval --queries q.jsonl --data "$data" --plans p.jsonl --per-plan q.jsonl
  expect_rc 2 "solve --out = --queries" "$imagine" solve --queries q.jsonl --data "$data" --out q.jsonl
  cmp -s q.jsonl qkeep.jsonl || fail "the query file was changed"
  expect_rc 0 "a run" "$imagine" run --method plans --plans p.jsonl --split train --data "$data" --store s.db --name a --limit 2
  cp s.db s.keep
  expect_rc 2 "export --out = --store" "$imagine" export a --store s.db --format csv --out s.db
  cmp -s s.db s.keep || fail "export replaced the store"
  ;;
fsync_dir) # item 7: after the rename, the directory is synced
  [ -f "$spy" ] || { fail "no spy library"; exit 1; }
  mkdir d
  FSYNC_SPY_LOG=$tmp/spy.log LD_PRELOAD=$spy ASAN_OPTIONS=verify_asan_link_order=0:${ASAN_OPTIONS:-} \
    expect_rc 0 "eval --per-plan" "${ev[@]}" --plans "$plans" --per-plan d/v.jsonl
  real=$(cd d && pwd -P)
  grep -n . spy.log | sed 's/^/  spy: /'
  r=$(grep -n "^rename .* d/v.jsonl$" spy.log | cut -d: -f1)
  f=$(grep -n "^fsync file $real/v.jsonl.tmp" spy.log | cut -d: -f1)
  s=$(grep -n "^fsync dir $real$" spy.log | cut -d: -f1)
  [ -n "$r" ] || fail "no rename onto d/v.jsonl"
  [ -n "$f" ] && [ -n "$r" ] && [ "$f" -lt "$r" ] || fail "the temp file is not synced before the rename"
  [ -n "$s" ] && [ -n "$r" ] && [ "$s" -gt "$r" ] || fail "the directory d is not synced after the rename"
  ;;
stdout_full) # item 8: lost standard output is exit 3, for every reading verb
  "$imagine" run --method plans --plans "$plans" --split train --data "$data" --store s.db --name a --limit 2 > /dev/null 2>&1 ||
    fail "setup run"
  "$imagine" run --method plans --plans "$plans" --split train --data "$data" --store s.db --name b --limit 2 > /dev/null 2>&1
  for v in "eval --split train --data $data --plans $plans" "eval --split train --data $data --plans $plans --json" \
           "show a --store s.db" "runs --store s.db" "status a --store s.db" "compare a b --store s.db" \
           "table a --store s.db --data $data" "data check --data $data" "cache stats --cache none.db"; do
    # shellcheck disable=SC2086
    "$imagine" $v > /dev/full 2> err.txt; rc=$?
    [ "$rc" = 3 ] || fail "imagine $v > /dev/full: exit $rc, want 3"
    grep -q "standard output" err.txt || fail "imagine $v > /dev/full: no message"
    # shellcheck disable=SC2086
    "$imagine" $v > /dev/null 2>&1 || fail "imagine $v > /dev/null fails"
  done
  ;;
cache_foreign) # item 9: a file that is not an imagine cache is refused, unchanged
  sqlite3 other.db "CREATE TABLE t(x); INSERT INTO t VALUES (1);" && cp other.db other.keep
  expect_rc 3 "cache stats --cache OTHER" "$imagine" cache stats --cache other.db
  err_has "not an imagine cache" "foreign SQLite file"
  expect_rc 3 "cache clear --cache OTHER" "$imagine" cache clear --cache other.db
  cmp -s other.db other.keep || fail "the other program's file was changed"
  "$imagine" run --method plans --plans "$plans" --split train --data "$data" --store s.db --name a --limit 2 >/dev/null 2>&1
  cp s.db s.keep
  expect_rc 3 "cache stats --cache STORE" "$imagine" cache stats --cache s.db
  err_has "an imagine run store" "the run store as a cache"
  cmp -s s.db s.keep || fail "the store was changed"
  printf 'not sqlite at all\n' > junk && cp junk junk.keep
  expect_rc 3 "cache stats --cache TEXT" "$imagine" cache stats --cache junk
  cmp -s junk junk.keep || fail "the text file was changed"
  # a cache made by an older imagine (no application_id) is still a cache
  sqlite3 old.db "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT); INSERT INTO meta VALUES('schema','1');
    CREATE TABLE response(key BLOB PRIMARY KEY, model TEXT NOT NULL, created REAL NOT NULL, text TEXT NOT NULL,
    reasoning TEXT, finish_reason TEXT, tokens_in INTEGER, tokens_out INTEGER, latency_ms REAL);"
  expect_rc 0 "cache stats on an older cache" "$imagine" cache stats --cache old.db
  ;;
input_nul) # item 10: a NUL byte is an error naming the file and line, not the end of the file
  { head -n 1 "$data/queries/train.jsonl" | tr -d '\n'; printf '\0\n'; tail -n +2 "$data/queries/train.jsonl"; } > q.jsonl
  expect_rc 3 "eval, NUL in the query file" "$imagine" eval --queries q.jsonl --data "$data" --plans "$plans"
  err_has "q.jsonl:1: a NUL byte" "eval, NUL in the query file"
  grep -q "Rate" out.txt && fail "eval printed rates for a file with a NUL byte"
  expect_rc 3 "run, NUL in the query file" "$imagine" run --method plans --plans "$plans" --queries q.jsonl --split train \
    --data "$data" --store s.db --name nul
  err_has "q.jsonl:1: a NUL byte" "run, NUL in the query file"
  if [ -e s.db ]; then [ "$("$imagine" runs --store s.db --json | jq length)" = 0 ] || fail "run stored a run from a file with a NUL byte"; fi
  { head -n 3 "$plans"; printf '{"idx": 4\0}\n'; tail -n +5 "$plans"; } > p.jsonl
  expect_rc 3 "eval, NUL in the plan file" "${ev[@]}" --plans p.jsonl
  err_has "p.jsonl:4: a NUL byte at column 10" "eval, NUL in the plan file"
  ;;
truncated_csv) # item 10: a database CSV cut off inside its last row is an error naming file and line
  mkdir -p d && cp -r "$data/database" "$data/queries" d/ && chmod -R u+w d
  f=d/database/restaurants/clean_restaurant_2022.csv
  size=$(wc -c < "$f")
  truncate -s $((size - 2)) "$f"
  lines=$(wc -l < "$f")
  expect_rc 3 "eval on a truncated CSV" "$imagine" eval --split train --data d --plans "$plans"
  err_has "clean_restaurant_2022.csv:$((lines + 1)): the last line has no end of line" "truncated CSV"
  printf 'a\0b\n' >> "$f"
  expect_rc 3 "eval on a CSV with a NUL byte" "$imagine" eval --split train --data d --plans "$plans"
  err_has "clean_restaurant_2022.csv:$((lines + 1)): a NUL byte" "CSV with a NUL byte"
  ;;
cli_values) # item 12: values out of range are usage errors naming the value and the range
  check_usage() { # check_usage VALUE-IN-MESSAGE CMD...
    local want=$1; shift
    expect_rc 2 "imagine ${*:1:2} ... $want" "$@"
    grep -q -- "$want" err.txt || { fail "'$*': stderr lacks '$want'"; sed 's/^/  | /' err.txt | head -3; }
  }
  check_usage "--format xml" "${ev[@]}" --plans "$plans" --format xml
  check_usage "--limit 0 is out of range: expected a whole number from 1 to" \
    "$imagine" run --method solver --split train --data "$data" --store s.db --limit 0
  [ -e s.db ] && fail "a refused run created the store"
  for t in inf 0 -1 nan -inf 1e9; do
    check_usage "--timeout $t is out of range: expected a number from 0.001 to 86400" \
      "$imagine" solve --split train --data "$data" --out o.jsonl --timeout "$t"
  done
  [ -e o.jsonl ] && fail "a refused solve wrote its output"
  for r in 100000000 1e8 0 -5 3000000000 99999999999999999999; do
    check_usage "--resamples $r is out of range: expected a whole number from 1 to 1000000" \
      "$imagine" table a --store s.db --resamples "$r"
  done
  check_usage "--timeout 0 is out of range" "$imagine" data fetch --data d --timeout 0
  [ -e d ] && fail "a refused data fetch created its folder"
  expect_rc 0 "solve --timeout 0.5" "$imagine" solve --split train --data "$data" --out o.jsonl --timeout 0.5 --method greedy
  ;;
git_rev) # item 18: the revision is read at build time, and a run records the one the binary was built with
  script=$GITREV_SCRIPT
  mkdir repo && git -C repo init -q && git -C repo config user.email t@t && git -C repo config user.name t
  echo a > repo/f && git -C repo add f && git -C repo commit -qm one
  gen() { "$CMAKE" -DSRC=repo -DOUT=rev.c -P "$script" || fail "GitRev.cmake failed"; sed -n 's/.*"\(.*\)".*/\1/p' rev.c; }
  r1=$(gen); h1=$(git -C repo rev-parse --short=12 HEAD)
  [ "$r1" = "$h1" ] || fail "revision $r1, want $h1"
  m1=$(stat -c %Y.%y rev.c); sleep 1.1
  [ "$(gen)" = "$h1" ] && [ "$(stat -c %Y.%y rev.c)" = "$m1" ] || fail "an unchanged revision rewrote rev.c (forces a rebuild)"
  echo b > repo/f
  [ "$(gen)" = "$h1-dirty" ] || fail "a changed tree is not -dirty"
  git -C repo commit -qam two; h2=$(git -C repo rev-parse --short=12 HEAD)
  [ "$(gen)" = "$h2" ] || fail "after a new commit: $(cat rev.c), want $h2"
  rm -rf repo/.git
  [ "$(gen)" = unknown ] || fail "outside git: $(cat rev.c), want unknown"
  # the binary records what its build read (git_rev.c beside it)
  built=$(sed -n 's/.*"\(.*\)".*/\1/p' "$(dirname "$imagine")/git_rev.c")
  expect_rc 0 "a run" "$imagine" run --method plans --plans "$plans" --split train --data "$data" --store s.db --name a --limit 1
  got=$("$imagine" show a --store s.db --json | jq -r .git_rev)
  [ -n "$built" ] && [ "$got" = "$built" ] || fail "the run records '$got', the build read '$built'"
  ;;
store_race) # item 13: concurrent first runs on one store; runs started at once with one name
  for round in 1 2 3 4; do
    rm -f r.db r.db-*
    for i in 1 2 3 4; do
      "$imagine" run --method solver --split train --limit 2 --data "$data" --store r.db --name "n$i" > /dev/null 2> "err$i.txt" &
    done
    rcs=""; for j in 1 2 3 4; do wait -n; rcs="$rcs$?"; done
    [ "$rcs" = 0000 ] || { fail "round $round: concurrent first runs exited $rcs"; cat err?.txt | sed 's/^/  | /' | head -5; }
    [ "$("$imagine" runs --store r.db --json | jq length)" = 4 ] || fail "round $round: want 4 runs"
  done
  rm -f r.db r.db-*
  for i in 1 2 3 4; do
    "$imagine" run --method solver --split train --limit 2 --data "$data" --store r.db --name same > /dev/null 2> "err$i.txt" &
  done
  rcs=""; for j in 1 2 3 4; do wait -n; rcs="$rcs$?"; done
  [ "$(echo "$rcs" | grep -o 0 | wc -l)" = 1 ] && [ "$(echo "$rcs" | grep -o 2 | wc -l)" = 3 ] ||
    fail "four runs named 'same' at once exited $rcs, want one 0 and three 2"
  grep -l "a run named 'same' already exists" err?.txt | wc -l | grep -qx 3 || fail "the refused runs do not say the name is taken"
  grep -q "UNIQUE constraint" err?.txt && fail "a raw UNIQUE constraint error"
  [ "$("$imagine" runs --store r.db --json | jq length)" = 1 ] || fail "want exactly 1 run named same"
  ;;
no_junk_run) # item 14: what would fail after the run is created is checked before
  spec="openai:http://127.0.0.1:9/v1#m"
  expect_rc 0 "setup run" "$imagine" run --method plans --plans "$plans" --split train --limit 2 --data "$data" --store s.db --name a
  runs() { "$imagine" runs --store s.db --json | jq length; }
  expect_rc 2 "--model bogus:xyz" "$imagine" run --method direct --model bogus:xyz --split train --data "$data" --store s.db
  err_has "--model" "--model bogus:xyz"
  [ "$(runs)" = 1 ] || fail "--model bogus:xyz left a run behind"
  printf 'garbage\n' > garbage
  expect_rc 3 "--cache garbage" "$imagine" run --method direct --model "$spec" --cache garbage --split train --data "$data" --store s.db
  err_has "not an imagine cache" "--cache garbage"
  [ "$(runs)" = 1 ] || fail "--cache garbage left a run behind"
  cp s.db s.keep
  expect_rc 2 "--cache = --store" "$imagine" run --method direct --model "$spec" --cache s.db --split train --data "$data" --store s.db
  [ "$(runs)" = 1 ] || fail "--cache STORE left a run behind"
  "$imagine" show a --store s.db > /dev/null || fail "the store is damaged"
  ;;
report_nothing_delivered) # item 16: a report over runs with no delivered plan shows their zeros
  jq -c '.plan = null' "$plans" > none.jsonl
  expect_rc 0 "all failed" "$imagine" run --method plans --plans none.jsonl --split train --data "$data" --store s.db --name none --limit 3
  IMAGINE_FAULT=error-item:1,error-item:2,error-item:3 "$imagine" run --method plans --plans "$plans" --split train \
    --data "$data" --store s.db --name errs --limit 3 > /dev/null 2>&1
  [ "$("$imagine" show errs --store s.db --json | jq .states.error)" = 3 ] || fail "setup: want 3 items in error"
  for runs in "none" "errs" "none errs"; do
    # shellcheck disable=SC2086
    expect_rc 0 "report $runs" "$imagine" report $runs --store s.db --data "$data" --out "r.html"
    grep -q "No check ran in any of these runs" r.html || fail "report $runs: no note where the per-check plot would be"
    grep -q "<svg" r.html || fail "report $runs: the other plots are missing"
  done
  expect_rc 0 "report none (PDF)" "$imagine" report none errs --store s.db --data "$data" --out r.pdf
  head -c 5 r.pdf | grep -q '%PDF-' || fail "no PDF"
  # with a run that delivered plans, the per-check plot is drawn
  expect_rc 0 "a delivered run" "$imagine" run --method plans --plans "$plans" --split train --data "$data" --store s.db --name ok --limit 3
  expect_rc 0 "report none ok" "$imagine" report none ok --store s.db --data "$data" --out r.html
  grep -q "none: no check ran (no plan was delivered), so they are not in the per-check plot" r.html ||
    fail "report none ok: the run left out of the per-check plot is not named"
  [ "$(grep -c "<svg" r.html)" -ge 4 ] || fail "report none ok: plots missing"
  expect_rc 0 "report ok" "$imagine" report ok --store s.db --data "$data" --out r.html
  grep -q "no check ran" r.html && fail "the note appears although checks ran"
  ;;
*) echo "unknown case $case_"; exit 2 ;;
esac
[ "$fails" = 0 ] && echo "ok: $case_" || { echo "$fails failure(s) in $case_"; exit 1; }
