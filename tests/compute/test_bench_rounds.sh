#!/bin/sh
# bench train --rounds N --peer torch: ours and PyTorch alternate N times, one
# "ours/torch KIND step:" line per kind and round, then per kind a median line
# whose median lies between its least and greatest and equals the middle of
# the round ratios printed above it; --rounds 0 is a usage error (exit 2).
set -eu
IMAGINE=$1
. "$(dirname "$0")/tiny_model.sh"
"$IMAGINE" bench train --model "$T/m" --device cpu --tokens 32 --samples 2 --steps 1 --no-profile --peer torch --peer-threads 1 --rounds 3 >"$T/out.txt"
for kind in full lora; do
  n=$(grep -c "^  ours/torch $kind step: " "$T/out.txt")
  [ "$n" -eq 3 ] || { echo "$n $kind rounds, want 3"; cat "$T/out.txt"; exit 1; }
  mid=$(sed -n "s/^  ours\/torch $kind step: \([0-9.]*\)x.*/\1/p" "$T/out.txt" | sort -g | sed -n 2p)
  line=$(grep "^ours/torch $kind step, median of 3 rounds: " "$T/out.txt") || { echo "no $kind median line"; cat "$T/out.txt"; exit 1; }
  echo "$line" | awk -v mid="$mid" '{ m = $8 + 0; lo = $10 + 0; hi = $12 + 0
    if (!(lo <= m && m <= hi) || m != mid + 0) { print "median " m " not the middle round " mid " or outside " lo ".." hi; exit 1 } }' || { cat "$T/out.txt"; exit 1; }
done
grep -c "^round [123] of 3$" "$T/out.txt" | grep -qx 3 || { echo "round headers missing"; exit 1; }
set +e
"$IMAGINE" bench train --model "$T/m" --device cpu --rounds 0 >/dev/null 2>"$T/err.txt"
rc=$?
set -e
[ "$rc" -eq 2 ] || { echo "--rounds 0 exited $rc, want 2"; cat "$T/err.txt"; exit 1; }
grep -q -- "--rounds" "$T/err.txt" || { echo "the error does not name --rounds"; cat "$T/err.txt"; exit 1; }
echo "bench train --rounds: ok"
