#!/bin/sh
# sft_resume.sh IMAGINE DATA_DIR TMP [DEVICE]: `imagine train sft` end to end
# on a tiny model, on DEVICE (default cpu; vulkan: lavapipe in CI):
#  - an uninterrupted run A, a checkpoint every step;
#  - run B, the same command killed with kill -9 after its 5th step (while
#    it may be writing a checkpoint), then `--resume`: every step's loss and
#    lr in the store, and the final weights, equal run A's bit for bit;
#  - a checkpoint is a model folder `generate` opens;
#  - refusals: --out inside the input model, an --out with checkpoints and
#    no --resume, --resume with other options; a sample over --max-len is
#    counted and reported;
#  - LoRA: the adapter in PEFT's layout (adapter_config.json, tensor names
#    base_model.model.<module>.lora_A/B.weight with [r, in] / [out, r]),
#    and `imagine model merge` writes exactly the merged weights the
#    trainer saved beside it.
set -eu
IMAGINE=$1 DATA=$2 TMP=$3 DEVICE=${4:-cpu}
rm -rf "$TMP" && mkdir -p "$TMP" && cd "$TMP"
fail() { echo "FAIL: $*" >&2; exit 1; }

"$IMAGINE" model init --size tiny --out tiny --data "$DATA" 2>/dev/null
# 160 short chats: "add A and B" -> the sum; one sample far over --max-len
awk 'BEGIN { s = 7; for (i = 0; i < 160; i++) { s = (s * 1103515245 + 12345) % 2147483648; a = s % 30;
       s = (s * 1103515245 + 12345) % 2147483648; b = s % 30;
       printf "{\"messages\":[{\"role\":\"user\",\"content\":\"add %d and %d\"},{\"role\":\"assistant\",\"content\":\"%d\"}]}\n", a, b, a + b }
     printf "{\"messages\":[{\"role\":\"user\",\"content\":\"long\"},{\"role\":\"assistant\",\"content\":\"";
     for (i = 0; i < 300; i++) printf "word%d ", i; printf "\"}]}\n" }' > data.jsonl

ARGS="--model tiny --data data.jsonl --lr 3e-3 --epochs 2 --batch-tokens 256 --max-len 128 --grad-accum 2 --warmup 2 --schedule cosine --save-every 1 --max-steps 12 --device $DEVICE"
"$IMAGINE" train sft $ARGS --out A --store a.db 2> a.log || { cat a.log; fail "run A"; }
grep -q "1 longer than --max-len 128 left out (first at line 161)" a.log || { cat a.log; fail "the over-long sample is not reported"; }

# run B: kill -9 after step 5 is printed, then resume
"$IMAGINE" train sft $ARGS --out B --store b.db 2> b1.log &
pid=$!
i=0
until grep -q "^step 5/" b1.log 2>/dev/null; do
    i=$((i + 1)); [ $i -lt 600 ] || { kill -9 $pid; fail "run B never reached step 5"; }
    sleep 0.05
done
kill -9 $pid
wait $pid 2>/dev/null && fail "run B was not killed"
[ -d B/checkpoint-12 ] && fail "run B finished before the kill"
"$IMAGINE" train sft $ARGS --out B --store b.db 2> b2.log && fail "an --out with checkpoints needs --resume"
grep -q "pass --resume" b2.log || fail "no hint to --resume"
"$IMAGINE" train sft $ARGS --lr 1e-3 --out B --store b.db --resume 2> b2.log && fail "--resume with another --lr"
grep -q "lr" b2.log || fail "the differing option is not named"
"$IMAGINE" train sft $ARGS --out B --store b.db --resume 2> b2.log || { cat b2.log; fail "resume"; }
grep -q "resuming from B/checkpoint-" b2.log || { cat b2.log; fail "did not resume from a checkpoint"; }
ls -a B | grep -q 'tmp' && fail "a killed checkpoint's temporary folder was left in B"
q="SELECT step, printf('%.17g %.17g', loss, lr) FROM train_step ORDER BY step"
sqlite3 a.db "$q" > a.steps
sqlite3 b.db "$q" > b.steps
[ "$(wc -l < a.steps)" -eq 12 ] || fail "run A stored $(wc -l < a.steps) steps, 12 expected"
cmp a.steps b.steps || { diff a.steps b.steps; fail "the resumed curve differs"; }
cmp A/model.safetensors B/model.safetensors || fail "the resumed final weights differ"
cmp A/checkpoint-12/optimizer.safetensors B/checkpoint-12/optimizer.safetensors || fail "the resumed optimizer state differs"
[ "$(sqlite3 b.db "SELECT count(*) FROM run WHERE status = 'complete'")" = 1 ] || fail "run B is not one complete run"
first=$(sed -n 1p a.steps | cut -d'|' -f2 | cut -d' ' -f1)
last=$(sed -n 12p a.steps | cut -d'|' -f2 | cut -d' ' -f1)
awk -v f="$first" -v l="$last" 'BEGIN { exit !(l < f / 2) }' || fail "loss did not fall: $first -> $last"

# a checkpoint is a model folder the engine opens
"$IMAGINE" generate --model A/checkpoint-6 --prompt "add 2 and 3" --max-tokens 4 > gen.txt 2>&1 || { cat gen.txt; fail "generate on a checkpoint"; }
# the input model is never an output
"$IMAGINE" train sft $ARGS --out tiny/sub --store c.db 2> c.log && fail "--out inside the model folder"
grep -q "never replaced" c.log || fail "no reason given for refusing --out"

# LoRA: PEFT layout, and the merge verb equals the trainer's merged weights
"$IMAGINE" train sft --model tiny --data data.jsonl --lr 1e-2 --epochs 1 --batch-tokens 256 --max-len 128 --max-steps 3 \
    --lora 4 --lora-alpha 8 --lora-targets q,v,down --device "$DEVICE" --out L --store l.db 2> l.log || { cat l.log; fail "LoRA run"; }
for f in adapter_config.json adapter_model.safetensors model.safetensors config.json tokenizer.json; do
    [ -f "L/$f" ] || fail "L/$f missing"
done
jq -e '.peft_type == "LORA" and .r == 4 and .lora_alpha == 8 and (.target_modules | sort) == ["down_proj","q_proj","v_proj"]' \
    L/adapter_config.json > /dev/null || fail "adapter_config.json: $(cat L/adapter_config.json)"
python3 - L/adapter_model.safetensors <<'EOF' || fail "adapter tensor names or shapes"
import json, struct, sys
raw = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
h = {k: v for k, v in json.loads(raw[8:8 + n]).items() if k != "__metadata__"}
assert len(h) == 2 * 2 * 3, sorted(h)  # 2 layers x 3 modules x (A, B)
for k, v in h.items():
    assert k.startswith("base_model.model.model.layers.") and (k.endswith(".lora_A.weight") or k.endswith(".lora_B.weight")), k
    assert v["dtype"] == "F32" and len(v["shape"]) == 2, (k, v)
    assert (v["shape"][0] == 4) if ".lora_A." in k else (v["shape"][1] == 4), (k, v)
a = h["base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"]["shape"]
b = h["base_model.model.model.layers.0.mlp.down_proj.lora_B.weight"]["shape"]
assert a == [4, 64] and b == [64, 4], (a, b)
EOF
"$IMAGINE" model merge --base tiny --adapter L --out M 2> m.log || { cat m.log; fail "merge"; }
cmp L/model.safetensors M/model.safetensors || fail "merge differs from the trainer's merged weights"
"$IMAGINE" model merge --base tiny --adapter L --out M 2> /dev/null && fail "merge replaced an existing folder"
"$IMAGINE" generate --model M --prompt "add 1 and 1" --max-tokens 3 > /dev/null 2>&1 || fail "generate on the merged model"
echo ok
