#!/bin/sh
# Several processes opening one new (empty) cache file at the same moment, as
# the main job's three model evaluations do: every one of them gets the
# cache (exit 0), none "database is locked", and the file ends up an imagine
# cache in WAL mode with its tables. 20 rounds of 8 processes each. Before
# the schema went in one BEGIN IMMEDIATE transaction an opener could see
# the tables without the application_id and refuse the file, or meet
# "database is locked" (CI, mainjob_e2e).
set -u
IMAGINE=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
for round in $(seq 1 20); do
  f="$T/c$round.db"
  : >"$f"
  pids=""
  for p in 1 2 3 4 5 6 7 8; do
    "$IMAGINE" cache stats --json --cache "$f" >"$T/out.$p" 2>"$T/err.$p" &
    pids="$pids $!"
  done
  p=0
  for pid in $pids; do
    p=$((p + 1))
    wait "$pid" || { echo "round $round: opener $p failed:"; cat "$T/err.$p"; exit 1; }
  done
  [ "$(sqlite3 "$f" 'PRAGMA journal_mode')" = wal ] || { echo "round $round: $f is not in WAL mode"; exit 1; }
  [ "$(sqlite3 "$f" "SELECT count(*) FROM sqlite_master WHERE name IN ('meta', 'response')")" = 2 ] ||
    { echo "round $round: $f lacks its tables"; exit 1; }
done
echo "cache open race: 20 rounds of 8 concurrent openers, all ok"
