#!/bin/sh
# test_training.sh IMAGINE PBDATA WORKDIR: the report's Training section and
# its "Stages: time" table (issue 16). A store with a PlanBench solver run
# (made by `imagine run`) gets an SFT and a GRPO training run the way
# `imagine train` stores them (run rows of methods train-sft/train-grpo,
# train_step rows with every column, components_json included) plus an
# older-style run whose steps have only a loss. Checked: every number of the
# training table equals what the store holds (read back with sqlite3 here),
# each plot and each reward component series is drawn, --stages renders its
# rows and total in HTML and PDF, and a bad --stages file fails naming
# file:line with no report written or replaced.
set -u
imagine=$1 pbdata=$2 work=$3
export IMAGINE_PLANBENCH_DATA=$pbdata
rm -rf "$work/training" && mkdir -p "$work/training" && cd "$work/training" || exit 1
fail() { echo "FAIL: $*" >&2; exit 1; }
has() { grep -qF -- "$2" "$1" || fail "$1 lacks: $2"; }
lacks() { ! grep -qF -- "$2" "$1" || fail "$1 contains: $2"; }

"$imagine" run --store s.db --suite planbench --variant blocksworld_3 --method solver --name solver > solver.log 2>&1 ||
  { cat solver.log; fail "imagine run solver"; }
# the training runs: 30 SFT steps, 12 GRPO steps, figures that move with the step
sqlite3 s.db <<'SQL' || fail "fixture"
INSERT INTO method(name, config_json) VALUES('train-sft', '{"kind":"sft"}'), ('train-grpo', '{"kind":"grpo"}');
INSERT INTO model(name, backend) VALUES('tiny', 'local');
INSERT INTO suite(name, split, source, digest) VALUES('sft', 'train', 'sft.jsonl', 'd1'), ('planbench', 'grpo', 'grpo.jsonl', 'd2');
INSERT INTO run(name, method_id, model_id, suite_id, started, finished, git_rev, config_json, status)
  SELECT 'sft', (SELECT id FROM method WHERE name = 'train-sft'), (SELECT max(id) FROM model),
         (SELECT id FROM suite WHERE digest = 'd1'), 1796307175.25, 1796307259.125, 'test', '{}', 'complete';
INSERT INTO run(name, method_id, model_id, suite_id, started, finished, git_rev, config_json, status)
  SELECT 'grpo', (SELECT id FROM method WHERE name = 'train-grpo'), (SELECT max(id) FROM model),
         (SELECT id FROM suite WHERE digest = 'd2'), 1796307260.5, 1796307301.75, 'test', '{}', 'complete';
INSERT INTO run(name, method_id, model_id, suite_id, started, finished, git_rev, config_json, status)
  SELECT 'old-sft', (SELECT id FROM method WHERE name = 'train-sft'), (SELECT max(id) FROM model),
         (SELECT id FROM suite WHERE digest = 'd1'), 1796307100, 0, 'test', '{}', 'incomplete';
WITH RECURSIVE k(s) AS (SELECT 1 UNION ALL SELECT s + 1 FROM k WHERE s < 30)
INSERT INTO train_step(run_id, step, kind, loss, lr, tokens_per_s, grad_norm, created)
  SELECT (SELECT id FROM run WHERE name = 'sft'), s, 'sft', 6.3 / (1 + 0.137 * s) + 0.0071 * (s % 3), 0.003,
         800 + 13.7 * s + 5.3 * (s % 4), 2.5 / s, 1796307175.5 + s FROM k;
WITH RECURSIVE k(s) AS (SELECT 1 UNION ALL SELECT s + 1 FROM k WHERE s < 12)
INSERT INTO train_step(run_id, step, kind, loss, reward_mean, lr, tokens_per_s, reward_std, components_json,
                       reflection_ratio, completion_len, clip_frac, kl, created)
  SELECT (SELECT id FROM run WHERE name = 'grpo'), s, 'grpo', 0.013 * (s % 5) - 0.021, -1 + 0.1537 * s, 2e-5,
         310 + 7.13 * s, 0.41, json_object('format', -1 + 0.083 * s, 'valid', 0.061 * s, 'optimal', 0.0217 * s,
         'reflection', 0.5 - 0.043 * s), 0.05 * s + 0.0013, 209 - 3.71 * s + (s % 3), 0.01 * s, 0.002 * s, 1796307261 + s FROM k;
WITH RECURSIVE k(s) AS (SELECT 1 UNION ALL SELECT s + 1 FROM k WHERE s < 5)
INSERT INTO train_step(run_id, step, loss) SELECT (SELECT id FROM run WHERE name = 'old-sft'), s, 2.0 / s FROM k;
SQL

# what the store holds, formatted as the report formats it (C printf through awk)
q() { sqlite3 s.db "SELECT printf('%.17g', ($1))"; }
f() { awk -v v="$2" -v fmt="$1" 'BEGIN { printf fmt, v }'; }
id_of() { sqlite3 s.db "SELECT id FROM run WHERE name = '$1'"; }
ts() { echo "FROM train_step WHERE run_id = $(id_of "$1")"; }
end() { q "SELECT $2 $(ts "$1") AND $2 IS NOT NULL ORDER BY step $3 LIMIT 1"; }

printf 'stage\tseconds\tnote\nstage1: problems\t12.25\t3 to 5 blocks\nstage2: teacher MAS\t40\t\nstage3: SFT\t83.875\t\nstage3: GRPO\t41.25\tone step a minute\nevaluation\t310.5\t\n' > stages.tsv
"$imagine" report --store s.db solver sft grpo old-sft --stages stages.tsv --out out/ 2> report.log ||
  { cat report.log; fail "imagine report"; }
H=out/report.html
test -s out/report.pdf || fail "no PDF"
sed -n '/<h2 id="training">/,/<h2 id="plans">/p' $H > train.html
has train.html '<table id="train-table">'

# ---- the table equals the store ---------------------------------------------------
cell() { # RUN KEY: the cell's text in the run's row
  grep "<tr data-run=\"$2\">" train.html | sed -n "s/.*<td data-k=\"$3\">\([^<]*\)<.*/\1/p"
}
check() { # RUN ROW KEY EXPECTED
  got=$(cell "$1" "$2" "$3"); test "$got" = "$4" || fail "$1 $3: report says '$got', the store '$4'"
}
for r in sft:1 grpo:2; do
  run=${r%:*} row=${r#*:}
  check $run $row run $run
  check $run $row kind $(sqlite3 s.db "SELECT DISTINCT kind $(ts $run)")
  check $run $row steps $(sqlite3 s.db "SELECT count(*) $(ts $run)")
  check $run $row loss_first "$(f %.4f "$(end $run loss ASC)")"
  check $run $row loss_last "$(f %.4f "$(end $run loss DESC)")"
  check $run $row tokens_per_s "$(f %.1f "$(q "SELECT avg(tokens_per_s) $(ts $run)")")"
  check $run $row wall_s "$(f %.1f "$(q "SELECT finished - started FROM run WHERE name = '$run'")")"
done
check grpo 2 reward_first "$(f %.4f "$(end grpo reward_mean ASC)")"
check grpo 2 reward_last "$(f %.4f "$(end grpo reward_mean DESC)")"
check grpo 2 reflection_last "$(f %.3f "$(end grpo reflection_ratio DESC)")"
check grpo 2 completion_len "$(f %.1f "$(q "SELECT avg(completion_len) $(ts grpo)")")"
for k in reward_first reward_last reflection_last completion_len; do check sft 1 $k -; done
# an older run's steps: a loss only; nothing else invented (no end time: no wall time)
check old-sft 3 steps 5
check old-sft 3 loss_first 2.0000
check old-sft 3 loss_last 0.4000
for k in tokens_per_s wall_s reward_first completion_len; do check old-sft 3 $k -; done
lacks train.html '<tr data-run="0">' # the solver did not train

# ---- the plots: each one, each reward component as a series --------------------
for t in 'SFT loss' 'GRPO mean reward and its components' 'Reflection ratio' 'Completion length (tokens)'; do
  has train.html "<h3>$t</h3>"
done
test "$(grep -c '<svg' train.html)" -ge 4 || fail "fewer than 4 training plots"
sed -n '/<h3>GRPO mean reward/,/<\/svg>/p' train.html > reward.svg
for c in $(sqlite3 s.db "SELECT DISTINCT j.key $(ts grpo), json_each(components_json) j"); do
  has reward.svg "grpo: $c"
done
has reward.svg 'grpo: mean reward'
sed -n '/<h3>SFT loss/,/<\/svg>/p' train.html > loss.svg
has loss.svg '>sft<' && has loss.svg '>old-sft<'
lacks loss.svg '>grpo<' # GRPO's loss is not SFT's

# ---- the stages table ------------------------------------------------------------
sed -n '/<h2 id="stages">/,/<\/table>/p' $H > stages.html
test -s stages.html || fail "no stages table"
# it comes first, before the results
test "$(grep -n 'id="stages"' $H | cut -d: -f1)" -lt "$(grep -n 'id="main"' $H | cut -d: -f1)" || fail "stages not at the top"
tail -n +2 stages.tsv | while IFS="$(printf '\t')" read -r name secs note; do
  grep -q "<tr><td>$name</td><td data-k=\"seconds\">$(f %.1f "$secs")</td>" stages.html || fail "stage $name $secs"
  test -z "$note" || has stages.html "$note"
done
total=$(tail -n +2 stages.tsv | awk -F '\t' '{ s += $2 } END { printf "%.1f", s }')
has stages.html "<td data-k=\"total\"><b>$total</b></td>"
pdftotext -raw out/report.pdf report.txt || fail "pdftotext"
has report.txt 'Stages: time'
has report.txt "Total $total"
has report.txt 'stage3: GRPO 41.2'
has report.txt "sft sft 30 $(f %.4f "$(end sft loss ASC)")"
has report.txt 'GRPO mean reward and its components'

# a report without --stages has no such table
"$imagine" report --store s.db solver --no-plots --out plain.html 2> plain.log || { cat plain.log; fail "plain report"; }
lacks plain.html 'id="stages"'
lacks plain.html 'id="training"'
# a training run first is not the baseline (it answered nothing), and is compared with none
"$imagine" report --store s.db sft solver grpo --no-plots --out first.html 2> first.log || { cat first.log; fail "sft first"; }
has first.html 'Difference to the baseline, solver'
has first.html '<td data-k="run">sft</td>'

# ---- bad --stages files: exit 3 naming file:line, no report written or replaced ----
cp plain.html keep.html
bad() { # FILE WHAT-THE-MESSAGE-SAYS
  rm -rf badout
  "$imagine" report --store s.db solver --no-plots --stages "$1" --out badout/ 2> bad.log
  rc=$?
  test $rc -eq 3 || fail "--stages $1: exit $rc, expected 3"
  has bad.log "$2"
  test ! -e badout || fail "--stages $1: a report was written"
  "$imagine" report --store s.db solver --no-plots --stages "$1" --out plain.html 2> /dev/null && fail "--stages $1 passed"
  cmp -s plain.html keep.html || fail "--stages $1: plain.html replaced"
}
bad missing.tsv 'missing.tsv'
printf 'stage1\t12\n' > nohead.tsv
bad nohead.tsv 'nohead.tsv:1:'
printf 'stage\tseconds\nstage1\t12\nstage2\tabout 40\n' > nonnum.tsv
bad nonnum.tsv "nonnum.tsv:3: seconds 'about 40' is not a number"
printf 'stage\tseconds\nstage1\t-4\n' > negative.tsv
bad negative.tsv 'negative.tsv:2:'
printf 'stage\tseconds\nstage1\t12\nstage2\t4\0\n' > nul.tsv
bad nul.tsv 'nul.tsv:3'
printf 'stage\tseconds\nstage1\t12\tnote\n' > cols.tsv
bad cols.tsv 'cols.tsv:2:'
: > empty.tsv
bad empty.tsv 'empty.tsv:1:'
echo "ok: training table, plots, stages"
