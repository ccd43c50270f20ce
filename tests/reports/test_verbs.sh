#!/bin/sh
# test_verbs.sh MODE IMAGINE DATA WORKDIR: the report verbs end to end on the
# shipped train submissions, checked with real tools (headless Chromium,
# pdftotext, pdftoppm). MODE: html | escape | pdf | gate | table | store | bench.
set -u
mode=$1 imagine=$2 data=$3 work=$4
T=$data/outputs/train
DIRECT=direct=$T/train_gpt-4-1106-preview_direct_sole-planning_submission.jsonl
COT=cot=$T/train_gpt-4-1106-preview_cot_sole-planning_submission.jsonl
TWO=two-stage=$T/train_gpt-4-1106-preview_two-stage_submission.jsonl
GOLD=annotated=$T/train_annotated_plans.jsonl
rm -rf "$work/$mode" && mkdir -p "$work/$mode" && cd "$work/$mode" || exit 1
fail() { echo "FAIL: $*" >&2; exit 1; }
has() { grep -qF -- "$2" "$1" || fail "$1 lacks: $2"; }
lacks() { ! grep -qF -- "$2" "$1" || fail "$1 contains: $2"; }

chrome() { # chrome OUTFLAG FILE: dump the DOM or take a screenshot
  profile=$(mktemp -d)
  timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --window-size=1280,2200 "$1" "file://$PWD/$2" 2>chrome.log
  rc=$?; rm -rf "$profile"; return $rc
}

report() { "$imagine" report --data "$data" --split train "$@" || fail "imagine report $*"; }

case $mode in
html)
  report --plans "$DIRECT" --plans "$COT" --plans "$TWO" --plans "$GOLD" --out report.html
  chrome --dump-dom report.html > dom.html || fail "chromium --dump-dom"
  chrome --screenshot=screenshot.png report.html || fail "chromium --screenshot"
  test -s screenshot.png || fail "no screenshot"
  # the official rates of the direct run (golden eval output): final 4.4, CS micro 75.6, hard micro 41.0
  has dom.html 'data-rate="final_pass_rate">4.4 <small>[1.2, 14.8]</small>'
  has dom.html 'data-rate="commonsense_micro">75.6'
  has dom.html 'data-rate="hard_micro">41.0'
  has dom.html 'data-rate="delivery_rate">91.1 <small>[79.3, 96.5]</small>'
  has dom.html '<td>5/5</td>'
  has dom.html 'id="diff-table"'
  has dom.html 'Minimum Nights Stay'
  has dom.html '<svg'
  # self-contained: no external asset, no script
  lacks dom.html '<script'
  lacks dom.html 'src="http'
  lacks dom.html 'href="http'
  lacks report.html '<link'
  ;;
escape)
  # one plan line whose text carries markup, quotes and &, labelled with markup too
  head -1 "$T/train_gpt-4-1106-preview_direct_sole-planning_submission.jsonl" |
    sed 's|Coco Bambu, Rockford|Coco <script>document.title=\\"PWNED\\";document.body.setAttribute(\\"data-pwned\\",\\"1\\")</script></td>\\"'"'"' \& Bambu, Rockford|' > evil.jsonl
  grep -q '<script>' evil.jsonl || fail "fixture not built"
  report --plans "x<img src=q onerror=alert(1)>&\"'=evil.jsonl" --plans "$DIRECT" --out report.html
  chrome --dump-dom report.html > dom.html || fail "chromium --dump-dom"
  chrome --screenshot=screenshot.png report.html || fail "chromium --screenshot"
  has dom.html '<title>imagine report</title>'
  lacks dom.html 'data-pwned="1"'
  lacks dom.html '<script'
  lacks dom.html '<img'
  has dom.html '&lt;script&gt;document.title="PWNED"'
  has dom.html '&lt;/td&gt;"'"'"' &amp; Bambu'
  has dom.html 'x&lt;img src=q onerror=alert(1)&gt;&amp;"'"'"
  # the PDF draws the same text as text
  report --plans "x<img src=q onerror=alert(1)>&\"'=evil.jsonl" --plans "$DIRECT" --out report.pdf
  pdftotext report.pdf report.txt || fail pdftotext
  has report.txt 'x<img src=q onerror=alert(1)>&"'"'"
  ;;
pdf)
  report --plans "$DIRECT" --plans "$COT" --plans "$TWO" --plans "$GOLD" --out report.pdf --title "Train replay"
  pdftotext -layout report.pdf report.txt || fail pdftotext
  has report.txt 'Main results'
  has report.txt '[1.2, 14.8]'
  has report.txt '75.6'
  has report.txt '91.1'
  has report.txt 'Difference to the baseline, direct'
  has report.txt 'Appendix: run configurations'
  has report.txt 'Minimum Nights Stay'
  pdftoppm -r 50 -png report.pdf page || fail pdftoppm
  n=$(ls page-*.png | wc -l)
  test "$n" -ge 3 || fail "only $n pages"
  pdftotext -f 2 -l 2 report.pdf p2.txt && grep -qx '2' p2.txt || grep -q '^ *2 *$' p2.txt || fail "no page number on page 2"
  ;;
gate)
  c() { "$imagine" compare --data "$data" --split train "$@"; }
  # a constructed regression: the annotated plans (all pass) replaced by direct (2 of 45)
  c --plans "$GOLD" --plans "$DIRECT" --gate final_pass_rate:5 > regress.txt; rc=$?
  test $rc -eq 1 || fail "regression: exit $rc, expected 1"
  has regress.txt 'gate final_pass_rate'
  has regress.txt 'REGRESSED'
  has regress.txt '43 passed -> failed'
  # the improvement, same gate
  c --plans "$DIRECT" --plans "$GOLD" --gate final_pass_rate:5 > improve.txt; rc=$?
  test $rc -eq 0 || fail "improvement: exit $rc, expected 0"
  # a drop that is not significant (direct -> cot: -2.2 points, McNemar p = 1)
  c --plans "$DIRECT" --plans "$COT" --gate final_pass_rate:0 --json > small.json; rc=$?
  test $rc -eq 0 || fail "non-significant drop: exit $rc, expected 0"
  has small.json '"regressed": false'
  has small.json '"test": "exact McNemar"'
  # a significant drop inside a wide tolerance passes; outside it fails
  c --plans "$DIRECT" --plans "$TWO" --gate hard_micro:40 > wide.txt; rc=$?
  test $rc -eq 0 || fail "drop within tolerance: exit $rc"
  c --plans "$DIRECT" --plans "$TWO" --gate hard_micro:10 --json > narrow.json; rc=$?
  test $rc -eq 1 || fail "drop beyond tolerance: exit $rc"
  has narrow.json '"regressed": true'
  c --plans "$DIRECT" --plans "$TWO" --gate bogus:1 2>usage.txt; rc=$?
  test $rc -eq 2 || fail "unknown metric: exit $rc, expected 2"
  has usage.txt 'unknown metric'
  ;;
table)
  t() { "$imagine" table --data "$data" --split train --plans "$DIRECT" --plans "$COT" --plans "$GOLD" "$@" || fail "table $*"; }
  t --format md > t.md; has t.md '| direct (baseline) | 45 |'; has t.md '4.4 [1.2, 14.8]'
  t --format csv > t.csv; has t.csv '"direct",45,1,100.0000'
  t --format latex > t.tex; has t.tex '\toprule'; has t.tex '\bottomrule'; has t.tex '4.4 {\scriptsize [1.2, 14.8]}'
  "$imagine" table --data "$data" --split train --plans "$DIRECT" --format html 2>err.txt; test $? -eq 2 || fail "bad format"
  ;;
store)
  # runs replayed into a store, then read back by name and by id
  for r in "direct ${DIRECT#direct=}" "two-stage ${TWO#two-stage=}"; do
    set -- $r
    "$imagine" run --method plans --plans "$2" --split train --name "$1" --store s.db --data "$data" >/dev/null 2>&1 ||
      fail "imagine run $1"
  done
  "$imagine" table direct 2 --store s.db --data "$data" > t.md || fail "table from the store"
  has t.md '| direct (baseline) | 45 | 100.0 [92.1, 100.0] |'
  has t.md '4.4 [1.2, 14.8]'
  has t.md '| two-stage | 45 | 91.1 [79.3, 96.5] |'
  "$imagine" compare 1 two-stage --store s.db --data "$data" --gate hard_micro:10 > c.txt; rc=$?
  test $rc -eq 1 || fail "store gate: exit $rc, expected 1"
  has c.txt 'flipped (final pass): 2 passed -> failed: #1, 21'
  "$imagine" report direct two-stage --store s.db --data "$data" --out r.html || fail "report from the store"
  has r.html 'The restaurant in day'
  "$imagine" table nosuchrun --store s.db --data "$data" >/dev/null 2>&1; rc=$?
  test $rc -eq 2 || fail "unknown run: exit $rc, expected 2"
  ;;
bench)
  "$imagine" bench report --data "$data" --runs 3 --pdf > bench.txt || fail "bench report"
  cat bench.txt
  # every figure it claims, each a time in seconds
  for line in '^bench report: 3 runs x 180 queries, [0-9]+ bootstrap resamples$' \
              '^  statistics +[0-9]+\.[0-9]+ s$' '^  plots +[0-9]+\.[0-9]+ s \(gnuplot, [1-9][0-9]* SVG\)$' \
              '^  html +[0-9]+\.[0-9]+ s \([0-9.]+ [KM]?B\)$' '^  report +[0-9]+\.[0-9]+ s total' '^  pdf +[0-9]+\.[0-9]+ s'; do
    grep -Eq "$line" bench.txt || fail "bench.txt lacks a line matching $line"
  done
  ;;
*) fail "unknown mode $mode" ;;
esac
echo "ok: $mode"
