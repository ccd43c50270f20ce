#!/bin/bash
# store_kill.sh IMAGINE DATA TMP [ROUNDS]: kill -9 at random points of a real
# run on a real store file, several times, then resume to the end.
#
# Kills come from the process itself at a random fault point and count
# (IMAGINE_FAULT=kill-after-claim|kill-in-commit|kill-after-commit:N, a real
# SIGKILL), and from outside: the run stops itself at a random item
# (stop-after-claim:N) and this script sends it kill -9. Concurrency varies
# between rounds. After every round: the items finished before are unchanged;
# at the end: every query has exactly one finished item, and the stored items
# and metrics equal those of an uninterrupted run (and `imagine eval`).
# The random choices are printed, and KILL_SEED replays them.
set -u
export LC_ALL=C
imagine=$1 data=$2 tmp=$3 rounds=${4:-8}
rm -rf "$tmp" && mkdir -p "$tmp" && cd "$tmp" || exit 2
seed=${KILL_SEED:-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')}
RANDOM=$seed
echo "store_kill: KILL_SEED=$seed"
plans="$data/outputs/train/train_gpt-4-1106-preview_two-stage_submission.jsonl"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
finished() { # the finished items with everything stored about them, one line each
  sqlite3 k.db "SELECT i.query_id, i.state, coalesce(i.plan_json,''), coalesce(i.error,''), coalesce(i.raw_text,''),
    (SELECT group_concat(c.name || '=' || coalesce(c.value,'None'), ' ') FROM verdict c
      WHERE c.run_id = i.run_id AND c.query_id = i.query_id)
    FROM item i WHERE i.state IN ('done','failed') ORDER BY i.query_id" | sort
}
strip='del(.latency_ms, .attempts)'

# the uninterrupted reference
"$imagine" run --method plans --plans "$plans" --split train --data "$data" --store ref.db --name ref > /dev/null 2>&1 \
  || fail "the reference run failed"
"$imagine" export ref --store ref.db --format jsonl | jq -c "$strip" > ref.jsonl
"$imagine" show ref --store ref.db --json | jq -S .metrics > ref_metrics.json
"$imagine" eval --split train --data "$data" --plans "$plans" --json | jq -S . > eval.json
cmp -s ref_metrics.json eval.json || fail "reference metrics differ from eval"

points=(kill-after-claim kill-in-commit kill-after-commit stop-after-claim)
: > prev
killed=0
for round in $(seq 1 "$rounds"); do
  point=${points[$((RANDOM % 4))]}
  k=$((1 + RANDOM % 3))
  left=$(sqlite3 k.db "SELECT count(*) FROM item WHERE state IN ('ready','running')" 2>/dev/null || echo 45)
  [ -z "$left" ] && left=45
  [ "$left" -lt 1 ] && break
  n=$((1 + RANDOM % left))
  echo "round $round: $point:$n, concurrency $k ($left items left)"
  if [ "$round" = 1 ]; then
    cmd=("$imagine" run --method plans --plans "$plans" --split train --data "$data" --store k.db --name k --concurrency $k)
  else
    cmd=("$imagine" resume k --store k.db --concurrency $k)
  fi
  IMAGINE_FAULT=$point:$n "${cmd[@]}" > round.out 2>&1 &
  pid=$!
  if [ "$point" = stop-after-claim ]; then
    for _ in $(seq 1 1200); do
      st=$(ps -o stat= -p $pid 2>/dev/null | cut -c1)
      [ "$st" = T ] || [ -z "$st" ] || [ "$st" = Z ] && break
      sleep 0.05
    done
    [ "$(ps -o stat= -p $pid 2>/dev/null | cut -c1)" = T ] && kill -9 $pid
  fi
  wait $pid
  rc=$?
  if [ $rc = 137 ]; then killed=$((killed + 1))
  elif [ $rc != 0 ]; then fail "round $round: exit $rc, want 137 (killed) or 0"; sed 's/^/  | /' round.out | head -5
  fi
  finished > now
  lost=$(comm -23 prev now | wc -l)
  [ "$lost" = 0 ] || { fail "round $round: $lost finished items changed or vanished"; comm -23 prev now | head -3 | cut -c1-200; }
  [ "$(sqlite3 k.db "SELECT count(*) FROM item WHERE state = 'error'")" = 0 ] || fail "round $round: items in error"
  cp now prev
done
[ $killed -ge 1 ] || fail "no round was killed"

# resume to the end
"$imagine" resume k --store k.db > final.out 2>&1 || { fail "the final resume exited $?"; cat final.out; }
finished > now
[ "$(comm -23 prev now | wc -l)" = 0 ] || fail "the final resume changed finished items"
[ "$(sqlite3 k.db "SELECT count(*) || ' ' || count(DISTINCT query_id) FROM item WHERE state IN ('done','failed')")" = "45 45" ] \
  || fail "not exactly one finished item per query: $(sqlite3 k.db "SELECT state, count(*) FROM item GROUP BY state")"
[ "$(sqlite3 k.db "SELECT count(*) FROM item")" = 45 ] || fail "items were added or lost"
"$imagine" export k --store k.db --format jsonl | jq -c "$strip" > k.jsonl
cmp -s ref.jsonl k.jsonl || { fail "the resumed run's items differ from the uninterrupted run's"; diff ref.jsonl k.jsonl | head -4 | cut -c1-200; }
"$imagine" show k --store k.db --json | jq -S .metrics > k_metrics.json
cmp -s ref_metrics.json k_metrics.json || fail "the resumed run's metrics differ from the uninterrupted run's"
"$imagine" status k --store k.db > /dev/null || fail "status of the finished run is not 0"
sqlite3 k.db "PRAGMA integrity_check" | grep -qx ok || fail "integrity check"

[ $fails = 0 ] && echo "store_kill: all checks passed ($killed of $rounds rounds killed)"
exit $((fails > 0))
