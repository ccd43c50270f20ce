#!/bin/sh
# demo_sft.sh IMAGINE DATA_DIR DIR [DEVICE]: the SFT demonstration (issue
# 14), trained on DEVICE (cpu, the default: the C model; vulkan: lavapipe
# in CI), generations on the Vulkan engine (lavapipe in CI).
#
# A tiny model from `imagine model init` learns the IMAGINE answer form on
# TravelPlanner queries: the user turn is the query text, the assistant
# turn "<think>\nA D-day trip.\n</think>\n" then a one-day JSON plan
# [{"days": 1, "current_city": "from ORG to DEST"}]. 203 train and 22
# held-out queries (every 10th of train + validation).
# Stated thresholds (measured: held-out loss 15.1 -> 0.91, 20/22 parse):
#   - the held-out loss falls below 1.2 in 60 steps of 512 tokens;
#   - greedy generations for the held-out queries parse in the suite's
#     format (the reward's `format` component: <think>...</think> then a
#     JSON plan) for at least 15 of 22 after SFT, and for none before.
# Leaves DIR/sft (the checkpoint) and DIR/demo.db for demo_grpo.sh.
set -eu
IMAGINE=$1 DATA=$2 DIR=$3 DEVICE=${4:-cpu}
rm -rf "$DIR" && mkdir -p "$DIR" && cd "$DIR"
fail() { echo "FAIL: $*" >&2; exit 1; }

"$IMAGINE" model init --size tiny --out tiny --data "$DATA" 2>/dev/null
python3 - "$DATA" <<'EOF'
import json, sys
qs = [json.loads(l) for f in ("train", "validation") for l in open(f"{sys.argv[1]}/queries/{f}.jsonl")]
with open("train.jsonl", "w") as tr, open("eval.jsonl", "w") as ev, open("eval_queries.jsonl", "w") as eq:
    for i, q in enumerate(qs):
        think = f"<think>\nA {q['days']}-day trip.\n</think>\n"
        plan = json.dumps([{"days": 1, "current_city": f"from {q['org']} to {q['dest']}"}])
        line = json.dumps({"messages": [{"role": "user", "content": q["query"]}, {"role": "assistant", "content": think + plan}]})
        if i % 10 == 9:
            ev.write(line + "\n"); eq.write(json.dumps(q) + "\n")
        else:
            tr.write(line + "\n")
EOF

# greedy answers of MODEL to the held-out queries, scored by the suite's reward
parsed() {
    while read -r line; do
        q=$(printf '%s' "$line" | jq -r .query); idx=$(printf '%s' "$line" | jq .idx)
        out=$("$IMAGINE" generate --model "$1" --prompt "$q" --think --max-tokens 60 2>/dev/null) || fail "generate on $1"
        jq -cn --argjson idx "$idx" --arg r "$out" '{idx: $idx, response: $r}'
    done < eval_queries.jsonl > "$2"
    "$IMAGINE" reward --suite travelplanner --queries eval_queries.jsonl --responses "$2" --json --data "$DATA" |
        jq -s '[.[] | select(.components.format == 1)] | length'
}
before=$(parsed tiny before.jsonl)
[ "$before" -eq 0 ] || fail "the untrained model's answers parse ($before of 22)"

"$IMAGINE" train sft --device "$DEVICE" --model tiny --data train.jsonl --eval-data eval.jsonl --out sft --max-len 512 --batch-tokens 512 \
    --lr 1e-2 --max-steps 60 --warmup 4 --eval-every 20 --store demo.db --name demo-sft > sft.out 2> sft.log || { cat sft.log; fail "train sft"; }
cat sft.out
loss=$(sed -n 's/^held-out loss //p' sft.out)
awk -v l="$loss" 'BEGIN { exit !(l < 1.2) }' || fail "held-out loss $loss, not below 1.2"
[ "$(sqlite3 demo.db "SELECT count(*) FROM train_step ts JOIN run r ON r.id = ts.run_id WHERE r.name = 'demo-sft'")" = 60 ] ||
    fail "60 train_step rows expected"
[ "$(sqlite3 demo.db "SELECT count(*) FROM train_step ts JOIN run r ON r.id = ts.run_id WHERE r.name = 'demo-sft' AND ts.kind = 'sft'
      AND ts.grad_norm > 0 AND ts.reward_mean IS NULL AND (ts.eval_loss IS NOT NULL) = (ts.step % 20 = 0)")" = 60 ] ||
    fail "train_step rows lack SFT figures (kind, grad norm, eval loss every 20 steps)"
after=$(parsed sft after.jsonl)
echo "held-out loss $loss; greedy answers in the suite's format: $before/22 before SFT, $after/22 after"
[ "$after" -ge 15 ] || { head -3 after.jsonl; fail "only $after of 22 answers parse after SFT"; }
echo ok
