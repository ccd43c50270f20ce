#!/usr/bin/env bash
# run.sh IMAGINE OFFICIAL_REPO [SEED] [N]: differential test of `imagine eval`
# against the official TravelPlanner evaluator (not run by ctest: it needs
# the official code and pandas, which are never part of this project).
#   OFFICIAL_REPO  a checkout (or bare git dir) of OSU-NLP-Group/TravelPlanner
#   needs: python3 with pandas (Debian: python3-pandas)
# Mutates the shipped train plans and queries (mutate.py), scores them with
# both evaluators per plan, and compares every verdict and message; plans on
# which the official code raises are counted apart (see README divergences).
set -euo pipefail
# a python3 that has pandas (Debian python3-pandas installs it for /usr/bin/python3)
py=${PYTHON:-python3}; $py -c "import pandas" 2>/dev/null || py=/usr/bin/python3
imagine=$(realpath "$1"); repo=$2; seed=${3:-1}; n=${4:-2000}
here=$(cd "$(dirname "$0")" && pwd)
data=${IMAGINE_DATA:-$here/../../../shared/travelplanner}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
for f in evaluation/commonsense_constraint.py evaluation/hard_constraint.py utils/func.py \
         tools/flights/apis.py tools/accommodations/apis.py tools/restaurants/apis.py \
         tools/attractions/apis.py tools/googleDistanceMatrix/apis.py; do
  mkdir -p "$work/peer/$(dirname $f)"
  if [ -d "$repo/.git" ] || [ -f "$repo/$f" ]; then cp "$repo/$f" "$work/peer/$f"; else git -C "$repo" show "HEAD:$f" > "$work/peer/$f"; fi
done
for d in utils tools tools/flights tools/accommodations tools/restaurants tools/attractions tools/googleDistanceMatrix; do touch "$work/peer/$d/__init__.py"; done
ln -s "$(realpath "$data")/database" "$work/peer/database"
cp "$here/official_driver.py" "$work/peer/evaluation/"
(cd "$work" && TP_DATA="$data" python3 "$here/mutate.py" "$seed" "$n" "$work/q.jsonl" "$work/p.jsonl")
start=$(date +%s.%N)
(cd "$work/peer/evaluation" && $py official_driver.py "$work/q.jsonl" "$work/p.jsonl" > "$work/official.jsonl")
mid=$(date +%s.%N)
"$imagine" eval --data "$data" --queries "$work/q.jsonl" --plans "$work/p.jsonl" --per-plan "$work/ours.jsonl" > /dev/null 2>&1 || true
end=$(date +%s.%N)
python3 "$here/compare.py" "$work/official.jsonl" "$work/ours.jsonl"
echo "official: $(echo "$mid - $start" | bc) s, imagine: $(echo "$end - $mid" | bc) s for $n plans"
