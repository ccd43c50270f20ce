#!/bin/sh
# migrate_v3.sh: a version-3 store made by the imagine of commit 587322e
# (tests/store/v3/v3.sql, with what that binary printed for it) is migrated
# in place to the current schema by the first command that opens it, and
# nothing is lost: every check becomes a verdict with the same value and
# message in the same order, every metric keeps its value under its
# stratum, queries get their strata, a train_step row keeps its figures
# (reward as reward_mean), and show / export / runs print byte for byte
# what the version-3 binary printed.
# usage: migrate_v3.sh IMAGINE FIXTURE_DIR TMP_DIR
imagine=$1 fix=$2 tmp=$3
rm -rf "$tmp" && mkdir -p "$tmp" && cd "$tmp" || exit 2
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
sqlite3 v3.db < "$fix/v3.sql" || { echo "cannot load the fixture"; exit 2; }
# a training step as the v1..v3 schema stores it (no binary of that time wrote one)
sqlite3 v3.db "INSERT INTO train_step(run_id, step, loss, reward, lr, tokens_per_s) VALUES(1, 7, 2.5, 0.75, 0.001, 1234.5)"
[ "$(sqlite3 v3.db 'PRAGMA user_version')" = 3 ] || fail "the fixture is not at version 3"
sqlite3 v3.db "SELECT run_id, query_id, family, \"constraint\", coalesce(result,'None'), coalesce(msg,'<null>') FROM \"check\" ORDER BY rowid" > checks_before.txt
sqlite3 v3.db "SELECT run_id, name, level, days, value FROM metric ORDER BY rowid" > metrics_before.txt
sqlite3 v3.db "SELECT count(*) FROM item; SELECT count(*) FROM llm_call; SELECT count(*) FROM query" > counts_before.txt
[ "$(wc -l < checks_before.txt)" -gt 50 ] || fail "the fixture has too few checks"
inode=$(stat -c %i v3.db)

# the first command migrates; its output equals the v3 binary's
"$imagine" runs --store v3.db --json > runs.json || fail "runs exits $?"
cmp -s runs.json "$fix/runs.json" || fail "runs --json differs from the v3 binary's"
[ "$(sqlite3 v3.db 'PRAGMA user_version')" = 4 ] || fail "not migrated to version 4"
[ "$(stat -c %i v3.db)" = "$inode" ] || fail "the store was replaced, not migrated in place"
for r in solver5 greedy3 dead; do
  "$imagine" show $r --store v3.db --json > show_$r.json || fail "show $r exits $?"
  cmp -s show_$r.json "$fix/show_$r.json" || fail "show $r --json differs from the v3 binary's"
  for f in jsonl submission csv; do
    "$imagine" export $r --store v3.db --format $f > export_$r.$f || fail "export $r $f exits $?"
    cmp -s export_$r.$f "$fix/export_$r.$f" || fail "export $r --format $f differs from the v3 binary's"
  done
done

sqlite3 v3.db "SELECT run_id, query_id, family, name, coalesce(value,'None'), coalesce(message,'<null>') FROM verdict ORDER BY rowid" > verdicts_after.txt
cmp -s checks_before.txt verdicts_after.txt || fail "verdicts differ from the v3 checks (diff checks_before.txt verdicts_after.txt)"
[ "$(sqlite3 v3.db "SELECT count(*) FROM sqlite_master WHERE name = 'check'")" = 0 ] || fail "the check table is still there"
sqlite3 v3.db "SELECT run_id, name, CASE WHEN stratum = '' THEN '' ELSE substr(stratum, 7) END, 0, value FROM metric ORDER BY rowid" > metrics_after.txt
cmp -s metrics_before.txt metrics_after.txt || fail "metrics differ (diff metrics_before.txt metrics_after.txt)"
[ "$(sqlite3 v3.db "SELECT count(*) FROM metric WHERE stratum LIKE 'level=%'")" -gt 0 ] || fail "no per-level metric"
sqlite3 v3.db "SELECT count(*) FROM item; SELECT count(*) FROM llm_call; SELECT count(*) FROM query" > counts_after.txt
cmp -s counts_before.txt counts_after.txt || fail "items, model calls or queries lost"
[ "$(sqlite3 v3.db "SELECT count(*) FROM query WHERE strata = 'level=' || level || ',days=' || days AND days IN (3,5,7)")" = \
  "$(sqlite3 v3.db 'SELECT count(*) FROM query')" ] || fail "query strata not filled"
[ "$(sqlite3 v3.db "SELECT step || ' ' || loss || ' ' || reward_mean || ' ' || lr || ' ' || tokens_per_s || ' ' || coalesce(kind, 'null') FROM train_step")" = \
  "7 2.5 0.75 0.001 1234.5 null" ] || fail "train_step row not kept as reward_mean"
# the new tables take rows; a verdict of any family is accepted
sqlite3 v3.db "PRAGMA foreign_keys=ON; INSERT INTO pipeline(name, config_json, config_sha256, created) VALUES('p', '{}', 'ab', 1.0);
  INSERT INTO pipeline_stage(pipeline_id, stage, state) VALUES(1, 'queries', 'done');
  INSERT INTO train_step(run_id, step, kind, grad_norm, reward_std, components_json, reflection_ratio, completion_len,
    clip_frac, kl, eval_loss, created) VALUES(1, 8, 'grpo', 1.0, 0.1, '{}', 0.5, 100, 0.01, 0.02, 2.0, 1.0);
  INSERT INTO verdict(run_id, query_id, family, name, value) SELECT run_id, query_id, 'plan', 'valid_plan', 1 FROM item WHERE state = 'done' LIMIT 1" \
  || fail "the v4 tables refuse rows"
sqlite3 v3.db "INSERT INTO train_step(run_id, step, kind) VALUES(1, 9, 'bogus')" 2> /dev/null && fail "train_step.kind accepts 'bogus'"
# a second open changes nothing
"$imagine" show solver5 --store v3.db --json > again.json && cmp -s again.json "$fix/show_solver5.json" || fail "reopening changed show"
[ $fails = 0 ] && echo "migrate_v3: ok" || { echo "migrate_v3: $fails failures"; exit 1; }
