#!/bin/sh
# data_test.sh CASE IMAGINE DATA
# End-to-end tests of `imagine data fetch` and `imagine data check`. The
# shared data folder is mirrored into a temp dir at test time (never into
# the project tree); every case works on its own temp copies.
set -eu
case_=$1 imagine=$2 data=$3
tmp=$(mktemp -d)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

# The files of the package (the README's checksum block) and a mirror of them.
files=$(sed -n '/^## Checksums (sha256)/,$p' "$data/README.md" | sed -n '/^```/,/^```/p' | grep -E '^[0-9a-f]{64}  ' | cut -c67-)
mirror() { # mirror DEST: the README and every listed file
  mkdir -p "$1"; cp "$data/README.md" "$1/"
  for f in $files; do mkdir -p "$1/$(dirname "$f")"; cp "$data/$f" "$1/$f"; done
}
expect_rc() { # expect_rc RC CMD...: runs CMD, output in $tmp/out.txt
  want=$1; shift
  set +e; "$@" > "$tmp/out.txt" 2>&1; got=$?; set -e
  [ "$got" = "$want" ] || { cat "$tmp/out.txt"; fail "exit $got, expected $want: $*"; }
}
no_temp_files() { ! find "$1" -name '*.tmp.*' | grep -q . || fail "temp files left in $1"; }

case $case_ in
fetch_file) # file:// mirror -> fetch -> check passes -> eval works on the result
  mirror "$tmp/mirror"
  expect_rc 0 "$imagine" data fetch --data "$tmp/out" --from "file://$tmp/mirror"
  grep -q "15 fetched" "$tmp/out.txt" || fail "expected 15 fetched"
  expect_rc 0 "$imagine" data check --data "$tmp/out"
  grep -q "15 files match" "$tmp/out.txt" || fail "no summary"
  cmp -s "$data/README.md" "$tmp/out/README.md" || fail "README.md not copied"
  expect_rc 0 "$imagine" eval --data "$tmp/out" --split train --plans "$tmp/out/outputs/train/train_annotated_plans.jsonl"
  grep -q "Final Pass Rate: 100.0%" "$tmp/out.txt" || fail "eval on the fetched data"
  # a second fetch keeps the verified files
  expect_rc 0 "$imagine" data fetch --data "$tmp/out" --from "file://$tmp/mirror"
  grep -q "0 fetched, 15 up to date" "$tmp/out.txt" || fail "expected 15 up to date"
  no_temp_files "$tmp/out" ;;
fetch_dir) # a plain directory as --from, into a folder given by $IMAGINE_DATA
  mirror "$tmp/mirror"
  IMAGINE_DATA="$tmp/out" expect_rc 0 "$imagine" data fetch --from "$tmp/mirror"
  IMAGINE_DATA="$tmp/out" expect_rc 0 "$imagine" data check --quiet ;;
check_corrupt) # one byte changed in a copy: check fails naming the file
  mirror "$tmp/copy"
  f=database/restaurants/clean_restaurant_2022.csv
  printf 'X' | dd of="$tmp/copy/$f" bs=1 seek=1000 conv=notrunc 2>/dev/null
  expect_rc 3 "$imagine" data check --data "$tmp/copy" --quiet
  grep -q "^CHANGED   $f " "$tmp/out.txt" || fail "changed file not named"
  [ "$(grep -c -E '^(CHANGED|MISSING)' "$tmp/out.txt")" = 1 ] || fail "only one file should be named"
  grep -q "1 of 15 files" "$tmp/out.txt" || fail "summary" ;;
check_missing) # a missing file is named
  mirror "$tmp/copy"
  rm "$tmp/copy/queries/validation.jsonl"
  expect_rc 3 "$imagine" data check --data "$tmp/copy"
  grep -q "^MISSING   queries/validation.jsonl" "$tmp/out.txt" || fail "missing file not named"
  expect_rc 3 "$imagine" data check --data "$tmp/nowhere"
  grep -q "not a folder" "$tmp/out.txt" || fail "no folder" ;;
fetch_corrupt_mirror) # the mirror serves a changed file: it is never written, the rest is
  mirror "$tmp/mirror"
  f=queries/train.jsonl
  printf 'X' | dd of="$tmp/mirror/$f" bs=1 seek=10 conv=notrunc 2>/dev/null
  rm "$tmp/mirror/database/background/stateSet.txt"
  expect_rc 3 "$imagine" data fetch --data "$tmp/out" --from "file://$tmp/mirror"
  grep -q "^FAILED      $f: .*sha256" "$tmp/out.txt" || fail "corrupt file not named"
  grep -q "^FAILED      database/background/stateSet.txt" "$tmp/out.txt" || fail "missing file not named"
  [ ! -e "$tmp/out/$f" ] || fail "a file that failed its checksum was written"
  no_temp_files "$tmp/out"
  expect_rc 3 "$imagine" data check --data "$tmp/out" --quiet
  [ "$(grep -c '^MISSING' "$tmp/out.txt")" = 2 ] || fail "check should name the 2 files" ;;
fetch_no_readme) # a mirror without README.md: the built-in checksum list
  mirror "$tmp/mirror"
  rm "$tmp/mirror/README.md"
  expect_rc 0 "$imagine" data fetch --data "$tmp/out" --from "file://$tmp/mirror"
  grep -q "verified against the built-in checksum list$" "$tmp/out.txt" || fail "built-in list not used"
  expect_rc 0 "$imagine" data check --data "$tmp/out" ;;
tampered_readme) # item 11 of issue 13: a changed file with a README that matches it is still caught
  mirror "$tmp/mirror"
  tf=queries/train.jsonl
  printf 'X' | dd of="$tmp/mirror/$tf" bs=1 seek=10 conv=notrunc 2>/dev/null
  new=$(sha256sum "$tmp/mirror/$tf" | cut -c1-64)
  old=$(sha256sum "$data/$tf" | cut -c1-64)
  chmod u+w "$tmp/mirror/README.md"; sed -i "s/$old/$new/" "$tmp/mirror/README.md"
  grep -q "$new  $tf" "$tmp/mirror/README.md" || fail "test setup: README not changed"
  expect_rc 3 "$imagine" data fetch --data "$tmp/out" --from "file://$tmp/mirror"
  grep -q "^FAILED      $tf: .*sha256 $new, expected $old" "$tmp/out.txt" || fail "the tampered file was not refused"
  grep -q "^not copied  README.md" "$tmp/out.txt" || fail "the tampered README was copied"
  [ ! -e "$tmp/out/$tf" ] || fail "the tampered file was written"
  cmp -s "$tmp/out/README.md" "$tmp/mirror/README.md" && fail "the tampered README was written"
  # data check on a folder whose README was changed with the file
  mirror "$tmp/copy"; chmod -R u+w "$tmp/copy"
  cp "$tmp/mirror/$tf" "$tmp/copy/$tf"; cp "$tmp/mirror/README.md" "$tmp/copy/README.md"
  expect_rc 3 "$imagine" data check --data "$tmp/copy" --quiet
  grep -q "^CHANGED   $tf (sha256 $new, expected $old)" "$tmp/out.txt" || fail "data check trusted the README" ;;
fetch_upstream) # issue 13 item 17: the official sources (GitHub raw, Hugging Face CSVs) through a local mirror in their layout
  command -v python3 >/dev/null || { echo "python3 not found"; exit 1; }
  up="$tmp/up"
  gh="$up/raw.githubusercontent.com/OSU-NLP-Group/TravelPlanner"
  hf="$up/huggingface.co/datasets/osunlp/TravelPlanner/resolve/main"
  mkdir -p "$gh/958f30d7e7629d18f33d79183dedf9b2830ff88c" "$gh/da7c1d41d51bf1d6e8592099bc109c9368b2dfe4/database" "$hf"
  (cd "$data" && for d in accommodations attractions background googleDistanceMatrix restaurants; do
     mkdir -p "$gh/958f30d7e7629d18f33d79183dedf9b2830ff88c/database/$d" && cp database/$d/* "$gh/958f30d7e7629d18f33d79183dedf9b2830ff88c/database/$d/"; done)
  cp "$data/database/train_ref_info.jsonl" "$gh/da7c1d41d51bf1d6e8592099bc109c9368b2dfe4/database/"
  python3 "$(dirname "$0")/hf_csv.py" "$data/queries/train.jsonl" "$hf/train.csv"
  python3 "$(dirname "$0")/hf_csv.py" "$data/queries/validation.jsonl" "$hf/validation.csv"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  python3 -m http.server --bind 127.0.0.1 "$port" --directory "$up" >"$tmp/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null && break; sleep 0.1; done
  # flights and the train outputs are not in the official sources: exit 3, named
  expect_rc 3 "$imagine" data fetch --data "$tmp/out" --upstream-mirror "http://127.0.0.1:$port"
  for q in train validation; do
    grep -q "^fetched     queries/$q.jsonl" "$tmp/out.txt" || fail "queries/$q.jsonl not fetched and verified"
    cmp -s "$data/queries/$q.jsonl" "$tmp/out/queries/$q.jsonl" || fail "queries/$q.jsonl differs from the package's"
  done
  grep -q "^fetched     database/restaurants/clean_restaurant_2022.csv" "$tmp/out.txt" || fail "database file not fetched"
  grep -q "^not available upstream database/flights/clean_Flights_2022.csv" "$tmp/out.txt" || fail "flights not named"
  grep -q "10 fetched, 0 up to date, 0 failed, 5 not available" "$tmp/out.txt" || fail "summary"
  no_temp_files "$tmp/out"
  # the converted files pass data check (the missing ones are named)
  expect_rc 3 "$imagine" data check --data "$tmp/out" --quiet
  [ "$(grep -c '^MISSING' "$tmp/out.txt")" = 5 ] && ! grep -q "^CHANGED" "$tmp/out.txt" || fail "data check after the upstream fetch"
  # a changed train CSV is refused: the built-in checksum covers its conversion
  rm "$tmp/out/queries/train.jsonl"
  sed -i '2s/,1700,/,1800,/' "$hf/train.csv"
  expect_rc 3 "$imagine" data fetch --data "$tmp/out" --upstream-mirror "http://127.0.0.1:$port"
  grep -q "^FAILED      queries/train.jsonl: .*converted to sha256" "$tmp/out.txt" || fail "a changed train CSV was accepted"
  [ ! -e "$tmp/out/queries/train.jsonl" ] || fail "a changed train conversion was written"
  # a CSV field that is not a Python literal is named with file, line and column
  rm "$tmp/out/queries/validation.jsonl"
  printf 'org,dest,days,visiting_city_number,date,people_number,local_constraint,budget,query,level\nA,B,3,1,"[\x27x\x27",1,{},9,q,easy\n' > "$hf/validation.csv"
  expect_rc 3 "$imagine" data fetch --data "$tmp/out" --upstream-mirror "http://127.0.0.1:$port"
  grep -q "^FAILED      queries/validation.jsonl: http://127.0.0.1:$port/huggingface.co/.*/validation.csv: .*:2, column 'date': not a Python literal" "$tmp/out.txt" ||
    { grep validation "$tmp/out.txt"; fail "a bad literal is not named"; }
  expect_rc 2 "$imagine" data fetch --data "$tmp/out" --from "$tmp/up" --upstream-mirror "http://127.0.0.1:$port" ;;
fetch_usage)
  expect_rc 2 "$imagine" data fetch --data "$tmp/out" --from "ftp://example.org/x"
  expect_rc 2 "$imagine" data fetch --data "$tmp/out" --from "$tmp/not-a-dir"
  expect_rc 2 "$imagine" data check --bogus ;;
fetch_http) # a real HTTP server on 127.0.0.1
  command -v python3 >/dev/null || { echo "python3 not found: skipped"; exit 77; }
  mirror "$tmp/mirror"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  python3 -m http.server --bind 127.0.0.1 "$port" --directory "$tmp/mirror" >"$tmp/server.log" 2>&1 &
  server_pid=$!
  python3 - "$port" <<'PY'
import socket, sys, time
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2).close(); sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit("http server did not start")
PY
  expect_rc 0 "$imagine" data fetch --data "$tmp/out" --from "http://127.0.0.1:$port/"
  grep -q "15 fetched" "$tmp/out.txt" || fail "expected 15 fetched over http"
  grep -q "the source's README.md" "$tmp/out.txt" || fail "README.md over http"
  expect_rc 0 "$imagine" data check --data "$tmp/out"
  # a 404 is named
  rm "$tmp/mirror/outputs/train/train_annotated_plans.jsonl"
  expect_rc 3 "$imagine" data fetch --data "$tmp/out2" --from "http://127.0.0.1:$port"
  grep -q "^FAILED      outputs/train/train_annotated_plans.jsonl: .*404" "$tmp/out.txt" || fail "404 not named"
  no_temp_files "$tmp/out2" ;;
*) fail "unknown case $case_" ;;
esac
echo "ok: $case_"
