#!/bin/sh
# bad_input.sh IMAGINE DATA_DIR PB_DATA TMP: the training verbs refuse bad
# input before they store anything. A store holds one finished SFT run;
# then train sft with data holding a NUL byte, a malformed line, no usable
# sample, a missing file, a folder, held-out data with a NUL byte, and an
# --out that is a file (refused before any step); train grpo
# with PlanBench queries and a --dataset holding a NUL byte, and a prompt
# over --max-prompt; and imagine
# reward with responses holding one. Each exits non-zero naming the file
# (and line and column where there is one), the store still holds exactly
# the one run with all its steps, and no --out folder is made. A new
# training under that run's name is refused too (it would replace its steps).
set -eu
IMAGINE=$1 DATA=$2 PB=$3 TMP=$4
rm -rf "$TMP" && mkdir -p "$TMP" && cd "$TMP"
fail() { echo "FAIL: $*" >&2; exit 1; }

"$IMAGINE" model init --size tiny --out tiny --data "$DATA" 2>/dev/null
chat() { printf '{"messages":[{"role":"user","content":"%s"},{"role":"assistant","content":"%s"}]}\n' "$1" "$2"; }
{ chat "add 1 and 2" 3; chat "add 2 and 2" 4; } > good.jsonl
"$IMAGINE" train sft --model tiny --data good.jsonl --out good --store s.db --max-steps 3 --epochs 3 --batch-tokens 64 --max-len 64 \
    --name good >/dev/null 2>good.log || { cat good.log; fail "the good run"; }
steps() { sqlite3 s.db "SELECT count(*) FROM run WHERE status = 'complete'"; sqlite3 s.db "SELECT count(*) FROM run"; sqlite3 s.db "SELECT count(*) FROM train_step"; }
steps > before.txt
[ "$(tr '\n' ' ' < before.txt)" = "1 1 3 " ] || { cat before.txt; fail "the good run is not one complete run of 3 steps"; }

refused() { # want-code pattern args...: refused with that code and message; nothing stored, no --out made
  want=$1 pat=$2
  shift 2
  set +e
  "$IMAGINE" "$@" >/dev/null 2>err.txt
  rc=$?
  set -e
  [ "$rc" -eq "$want" ] || { cat err.txt; fail "$*: exit $rc, want $want"; }
  grep -q -- "$pat" err.txt || { cat err.txt; fail "$*: the error does not say '$pat'"; }
  steps > after.txt
  cmp -s before.txt after.txt || { cat after.txt; fail "$*: the store changed"; }
  [ ! -e out ] || fail "$*: made its --out folder"
}
sft() { # code pattern data [eval-data [more options]]
  code=$1 pat=$2 data=$3 ev=${4:-}
  shift 3; [ $# -gt 0 ] && shift
  refused "$code" "$pat" train sft --model tiny --out out --store s.db --max-steps 1 --batch-tokens 64 --max-len 64 --data "$data" ${ev:+--eval-data "$ev"} "$@"
}

{ chat "add 1 and 2" 3; printf '{"messages":[{"role":"user","content":"add"},{"role":"assistant","content":"4\0"}]}\n'; } > nul.jsonl
sft 3 "nul.jsonl:2: a NUL byte at column 78" nul.jsonl
{ chat "add 1 and 2" 3; echo '{"messages": [{"role": "user"'; } > cut.jsonl
sft 3 "cut.jsonl:2:" cut.jsonl
: > empty.jsonl
sft 2 "empty.jsonl: no usable sample" empty.jsonl
sft 3 "missing.jsonl" missing.jsonl
sft 3 "nul.jsonl:2: a NUL byte" good.jsonl nul.jsonl
mkdir folder.jsonl
sft 3 "cannot read folder.jsonl: a folder, not a file" folder.jsonl
echo "keep me" > outfile
refused 2 "--out outfile exists and is not a folder" train sft --model tiny --data good.jsonl --out outfile --store s.db --max-steps 1
[ "$(cat outfile)" = "keep me" ] || fail "--out outfile was written"

printf '{"variant": "blocksworld_3", "instance_id": 2}\n' > one.jsonl
# a new training under a stored run's name would replace that run's steps: refused without --resume,
# with --resume when the run is complete and --out holds no checkpoint of it, and for another kind
sft 2 "a run named 'good' is already there (id 1, train-sft, complete): --resume continues it" good.jsonl "" --name good
sft 2 "it is complete and --out holds no checkpoint of it" good.jsonl "" --name good --resume
refused 2 "a run named 'good' is already there (id 1, train-sft, complete): give this training another --name" train grpo --model tiny \
    --suite planbench --queries one.jsonl --data "$PB" --out out \
    --steps 1 --store s.db --name good --resume --max-prompt 8192 --max-completion 4 --group 2

# option values torch or TRL would refuse: usage errors naming the value, nothing stored
sft 2 "--adam-beta1 0.9 and --adam-beta2 -1 must be in \[0, 1)" good.jsonl "" --adam-beta2 -1
sft 2 "--adam-eps 1e-08 and --weight-decay -0.1 must be >= 0" good.jsonl "" --weight-decay -0.1
refused 2 "--temperature 0: GRPO samples its completions" train grpo --model tiny --suite planbench --queries one.jsonl \
    --data "$PB" --out out --steps 1 --store s.db --temperature 0
refused 2 "--top-p 2: expected 0 < P <= 1" train grpo --model tiny --suite planbench --queries one.jsonl \
    --data "$PB" --out out --steps 1 --store s.db --top-p 2

# GRPO: a prompt over --max-prompt is found before the first step (never cut), nothing stored, no --out
refused 2 "query 0: the prompt has [0-9]* tokens, more than --max-prompt 16" train grpo --model tiny --suite planbench --queries one.jsonl \
    --data "$PB" --out out --steps 1 --store s.db --max-prompt 16 --max-completion 4 --group 2

# GRPO: PlanBench items and an exported dataset, each with a NUL byte
printf '{"variant": "blocksworld_3", "instance_id": 1}\n{"variant": "blocksworld_3", "instance_id": 2}\0\n' > q.jsonl
refused 3 "q.jsonl:2: a NUL byte at column 47" train grpo --model tiny --suite planbench --queries q.jsonl --data "$PB" --out out --steps 1 --store s.db
printf '{"prompt": [{"role": "user", "content": "x\0"}]}\n' > d.jsonl
refused 3 "d.jsonl:1: a NUL byte at column 43" train grpo --model tiny --suite planbench --dataset d.jsonl --data "$PB" --out out --steps 1 --store s.db

# imagine reward: a responses file with a NUL byte
printf '{"idx": 1, "response": "(unstack a b)\0"}\n' > r.jsonl
refused 3 "r.jsonl:1: a NUL byte at column 38" reward --suite planbench --split blocksworld_3 --data "$PB" --responses r.jsonl
# --resume from a damaged checkpoint: a cut optimizer state, a trainer_state.json whose step is not
# its folder's; refused naming the file, the store unchanged
RES="--model tiny --data good.jsonl --store s.db --max-steps 3 --epochs 3 --batch-tokens 64 --max-len 64 --save-every 1"
"$IMAGINE" train sft $RES --out ck --store ck.db >/dev/null 2>ck.log || { cat ck.log; fail "the checkpointed run"; }
resume_refused() { # pattern: a resume of ck2 refused with exit 3 saying it; s.db unchanged
  set +e
  "$IMAGINE" train sft $RES --out ck2 --resume >/dev/null 2>err.txt
  rc=$?
  set -e
  [ "$rc" -eq 3 ] || { cat err.txt; fail "resume ($1): exit $rc, want 3"; }
  grep -q -- "$1" err.txt || { cat err.txt; fail "resume: the error does not say '$1'"; }
  steps > after.txt
  cmp -s before.txt after.txt || { cat after.txt; fail "resume ($1): the store changed"; }
}
rm -rf ck2 && cp -r ck ck2 && rm -rf ck2/checkpoint-3 && truncate -s 100 ck2/checkpoint-2/optimizer.safetensors
resume_refused "ck2/checkpoint-2/optimizer.safetensors: header says"
rm -rf ck2 && cp -r ck ck2 && rm -rf ck2/checkpoint-3 && sed -i 's/"step":[[:space:]]*2,/"step": 9,/' ck2/checkpoint-2/trainer_state.json
grep -q '"step": *9,' ck2/checkpoint-2/trainer_state.json || fail "the test did not edit the step"
resume_refused "ck2/checkpoint-2/trainer_state.json: step 9"
echo "bad input refused, nothing stored: ok"
