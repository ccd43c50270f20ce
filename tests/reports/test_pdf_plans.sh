#!/bin/sh
# test_pdf_plans.sh IMAGINE DATA WORKDIR: the PDF's per-plan section carries
# a failed plan's day table and raw output (reports/pdf.c, issue 8). The
# shipped GPT-4 direct train plans are read back with pdftotext -raw (text
# in drawing order, so a wrapped cell reads back whole once lines are
# joined): a failed plan's accommodation, the start of its raw output and
# the note on the lines left out; then a plan whose dinner carries <b>,
# </span>, quotes and & reads back literally (text, never pango markup).
set -u
imagine=$1 data=$2 work=$3
SUB=$data/outputs/train/train_gpt-4-1106-preview_direct_sole-planning_submission.jsonl
rm -rf "$work/pdf_plans" && mkdir -p "$work/pdf_plans" && cd "$work/pdf_plans" || exit 1
fail() { echo "FAIL: $*" >&2; exit 1; }
has() { grep -qF -- "$2" "$1" || fail "$1 lacks: $2"; }
report() { "$imagine" report --data "$data" --split train --no-plots "$@" || fail "imagine report $*"; }
text() { # text PDF OUT: the PDF's text in drawing order, one line
  pdftotext -raw "$1" - | tr '\n' ' ' | tr -s ' ' > "$2" || fail "pdftotext $1"
}

report --plans "direct=$SUB" --out plans.pdf
text plans.pdf plans.txt
# plan #2 fails (Minimum Nights Stay): its query, days 1 and 2 sleep here
has plans.txt '#2 · easy · 3 days'
has plans.txt 'Can you provide a travel plan for 1 person departing from Kansas City to Pensacola'
has plans.txt 'Accommodation'
has plans.txt 'Amazing apartment near museum, gardens & park!, Pensacola'
has plans.txt 'Self-driving, from Kansas City to Pensacola, Duration: 14 hours 4 mins'
# the raw output: the submission line, folded, then the note
has plans.txt 'Raw output'
has plans.txt '{"idx": 2, "query": "Can you provide a travel plan for 1 person departing'
has plans.txt 'more lines left out'
pdftoppm -r 60 -png -f 8 -l 8 plans.pdf page || fail pdftoppm

# model text with markup, quotes and & in a failed plan's dinner
sed -n 2p "$SUB" | sed 's|Frog Hollow Tavern, Pensacola|Frog <b>bold</b> </span> \\"q\\" '"'"'a'"'"' \& <i>Hollow Tavern, Pensacola|' > evil.jsonl
grep -q '</span>' evil.jsonl || fail "fixture not built"
report --plans "evil=evil.jsonl" --out evil.pdf
text evil.pdf evil.txt
has evil.txt 'Amazing apartment near museum, gardens & park!, Pensacola'
# pango may break a line after "/": compare without any white space
tr -d ' ' < evil.txt > evil.nows
has evil.nows 'Frog<b>bold</b></span>"q"'"'"'a'"'"'&<i>HollowTavern,Pensacola'
has evil.nows 'Frog<b>bold</b></span>\"q\"' # the raw line, JSON-escaped
echo "ok: pdf_plans"
