#!/bin/sh
# no_tp_outside.sh SOURCE_DIR: no TravelPlanner type (Tp...) or function
# (tp_...) outside suites/travelplanner/ and the tests: agents, store, runs,
# exports and the other verbs reach TravelPlanner only through suites/suite.h.
# PENDING lists the files not yet moved behind the interface (each with
# why); a file outside the list that names a TravelPlanner symbol fails,
# and so does a listed file that no longer needs its place (shrink the list).
SRC=$1
cd "$SRC" || exit 2
PENDING="
"
pat='\b(Tp[A-Z][A-Za-z]*|tp_[a-z_]+)\b'
found=$(grep -rlE "$pat" --include='*.c' --include='*.h' agents harness reports common compute train suites 2>/dev/null |
        grep -v '^suites/travelplanner/' | sort)
fails=0
for f in $found; do
  echo "$PENDING" | grep -q "^$f " || { echo "FAIL: $f names TravelPlanner internals:"; grep -nE "$pat" "$f" | head -5; fails=$((fails + 1)); }
done
for f in $(echo "$PENDING" | awk 'NF {print $1}'); do
  echo "$found" | grep -qx "$f" || { echo "FAIL: $f is listed as pending but is clean: remove it from the list"; fails=$((fails + 1)); }
done
[ $fails = 0 ] && echo "no_tp_outside: ok ($(echo "$found" | grep -c .) files pending)" || exit 1
