#!/bin/sh
# fetch_test.sh CASE IMAGINE PBDATA
# `imagine data fetch --suite planbench` end to end. Mirrors are built in a
# temp dir from the package (never in the project tree):
#   fetch_file      --from file:// in the package layout -> data check passes; a rerun keeps every file
#   fetch_upstream  a real HTTP server on 127.0.0.1 serving the *repository* layout
#                   (plan-bench/, llm_planning_analysis/, LICENSE at the pinned commit), reached
#                   with --upstream-mirror (BASE/HOST/PATH for https://HOST/PATH)
#   fetch_corrupt   one changed file on the mirror: exit 3 naming it (URL and both sha256), nothing at
#                   its path, the others kept; after fixing the mirror a rerun fetches only that file
set -eu
case_=$1 imagine=$2 data=$3
tmp=$(mktemp -d)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
expect_rc() { # expect_rc RC CMD...: runs CMD, output in $tmp/out.txt
  want=$1; shift
  set +e; "$@" > "$tmp/out.txt" 2>&1; got=$?; set -e
  [ "$got" = "$want" ] || { tail -20 "$tmp/out.txt"; fail "exit $got, expected $want: $*"; }
}
no_temp_files() { ! find "$1" -name '*.tmp.*' | grep -q . || fail "temp files left in $1"; }
n=$(grep -c . "$data/SHA256SUMS")
mirror() { # mirror DEST: the package layout, writable
  mkdir -p "$1"; (cd "$data" && cp -R LICENSE configs instances prompts results "$1/"); chmod -R u+w "$1"
}
serve() { # serve DIR: python3's http.server on a free port of 127.0.0.1; sets $port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  python3 -m http.server --bind 127.0.0.1 "$port" --directory "$1" >"$tmp/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null && return 0; sleep 0.1; done
  fail "http server did not start"
}

case $case_ in
fetch_file)
  mirror "$tmp/mirror"
  expect_rc 0 "$imagine" data fetch --suite planbench --data "$tmp/out" --from "file://$tmp/mirror"
  grep -q "^$n fetched, 0 up to date, 0 failed" "$tmp/out.txt" || fail "expected $n fetched"
  expect_rc 0 "$imagine" data check --suite planbench --data "$tmp/out"
  grep -q "$n files, all match" "$tmp/out.txt" || fail "data check after the fetch"
  cmp -s "$data/SHA256SUMS" "$tmp/out/SHA256SUMS" || fail "SHA256SUMS not written as the package has it"
  no_temp_files "$tmp/out"
  expect_rc 0 "$imagine" data fetch --suite planbench --data "$tmp/out" --from "$tmp/mirror"
  grep -q "^0 fetched, $n up to date, 0 failed" "$tmp/out.txt" || fail "a rerun should keep every file"
  expect_rc 2 "$imagine" data fetch --suite planbench --data "$tmp/out" --from "$tmp/nowhere"
  expect_rc 2 "$imagine" data fetch --suite planbench --data "$tmp/out" --from "$tmp/mirror" --upstream-mirror "http://127.0.0.1:1" ;;
fetch_upstream)
  up="$tmp/up/raw.githubusercontent.com/karthikv792/LLMs-Planning/b008bc4327112affd525035b9e82f93f54b9b3a3"
  mkdir -p "$up/plan-bench" "$up/llm_planning_analysis"
  # the repository layout: configs/ and results/ under llm_planning_analysis/, LICENSE at the root, the rest under plan-bench/
  (cd "$data" && cp LICENSE "$up/" && cp -R configs results "$up/llm_planning_analysis/" && cp -R instances prompts "$up/plan-bench/")
  # and nothing of the package layout: a fetch that read PATH directly would fail
  [ ! -e "$up/instances" ] && [ ! -e "$up/configs" ] || fail "test setup"
  serve "$tmp/up"
  expect_rc 0 "$imagine" data fetch --suite planbench --data "$tmp/out" --upstream-mirror "http://127.0.0.1:$port"
  grep -q "^$n fetched, 0 up to date, 0 failed" "$tmp/out.txt" || fail "expected $n fetched over http"
  grep -q "^fetched     configs/blocksworld.yaml .*" "$tmp/out.txt" || fail "configs not fetched"
  expect_rc 0 "$imagine" data check --suite planbench --data "$tmp/out"
  grep -q "$n files, all match" "$tmp/out.txt" || fail "data check after the http fetch"
  no_temp_files "$tmp/out" ;;
fetch_corrupt)
  mirror "$tmp/mirror"
  f=instances/blocksworld/generated_basic/instance-7.pddl
  good=$(sha256sum "$data/$f" | cut -c1-64)
  printf 'X' | dd of="$tmp/mirror/$f" bs=1 seek=20 conv=notrunc 2>/dev/null
  bad=$(sha256sum "$tmp/mirror/$f" | cut -c1-64)
  serve "$tmp/mirror"
  expect_rc 3 "$imagine" data fetch --suite planbench --data "$tmp/out" --from "http://127.0.0.1:$port"
  grep -q "^FAILED      $f: http://127.0.0.1:$port/$f: sha256 $bad, expected $good" "$tmp/out.txt" ||
    { grep FAILED "$tmp/out.txt"; fail "the changed file is not named with its URL and both sha256"; }
  [ "$(grep -c '^FAILED' "$tmp/out.txt")" = 1 ] || fail "only one file should fail"
  grep -q "^$((n - 1)) fetched, 0 up to date, 1 failed" "$tmp/out.txt" || fail "summary"
  [ ! -e "$tmp/out/$f" ] || fail "a file that failed its checksum was written"
  no_temp_files "$tmp/out"
  # a good file in place is never replaced by a bad one
  cp "$data/$f" "$tmp/good.pddl"; mkdir -p "$(dirname "$tmp/out2/$f")"; cp "$data/$f" "$tmp/out2/$f"
  printf 'Y' | dd of="$tmp/out2/$f" bs=1 seek=20 conv=notrunc 2>/dev/null   # a changed local copy ...
  expect_rc 3 "$imagine" data fetch --suite planbench --data "$tmp/out2" --from "$tmp/mirror"
  grep -q "^FAILED      $f: .*sha256 $bad" "$tmp/out.txt" || fail "the changed file on the mirror was accepted"
  # ... stays as it was (never replaced by the mirror's wrong copy)
  printf 'Y' | dd of="$tmp/good.pddl" bs=1 seek=20 conv=notrunc 2>/dev/null
  cmp -s "$tmp/good.pddl" "$tmp/out2/$f" || fail "a local file was replaced by a file that failed its checksum"
  # fix the mirror: the rerun fetches only that file
  cp "$data/$f" "$tmp/mirror/$f"
  expect_rc 0 "$imagine" data fetch --suite planbench --data "$tmp/out" --from "http://127.0.0.1:$port"
  grep -q "^1 fetched, $((n - 1)) up to date, 0 failed" "$tmp/out.txt" || fail "the rerun should fetch only the fixed file"
  grep -q "^fetched     $f " "$tmp/out.txt" || fail "the fixed file not fetched"
  expect_rc 0 "$imagine" data check --suite planbench --data "$tmp/out" ;;
*) fail "unknown case $case_" ;;
esac
echo "ok: $case_"
