#!/bin/sh
# model init --corpus and shape overrides: the tokenizer learns the given text
# (a PlanBench sentence becomes few tokens), config.json has the asked shape,
# the folder generates, and out-of-range values are usage errors (exit 2).
# --init-std S (Hugging Face's initializer_range): config.json says S and the
# initial SFT loss is within 0.25 of ln(vocab) (uniform predictions), while
# the default init keeps its old weights, whose loss is > ln(vocab) + 3.
set -eu
IMAGINE=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
i=0
while [ $i -lt 300 ]; do
  echo "the red block is on top of the blue block, the hand is empty, pick up the orange block, stack the yellow block on top of the red block" >>"$T/corpus.txt"
  i=$((i + 1))
done
"$IMAGINE" model init --corpus "$T/corpus.txt" --tok-vocab 400 --hidden 96 --layers 3 --heads 6 --kv-heads 2 --head-dim 16 --ffn 160 --dtype f32 --out "$T/m" 2>/dev/null
cfg="$T/m/config.json"
for kv in '"hidden_size": 96' '"num_hidden_layers": 3' '"num_attention_heads": 6' '"num_key_value_heads": 2' '"head_dim": 16' '"intermediate_size": 160'; do
  grep -q "$kv" "$cfg" || { echo "config.json lacks $kv"; cat "$cfg"; exit 1; }
done
# A sentence of the corpus is a handful of tokens once the BPE learned it.
n=$(python3 -c "import json,sys; t=json.load(open(sys.argv[1])); print(len(t['model']['merges']))" "$T/m/tokenizer.json")
[ "$n" -gt 30 ] || { echo "only $n merges learned from the corpus"; exit 1; }
"$IMAGINE" generate --model "$T/m" --prompt "pick up the red block" --max-tokens 4 >/dev/null
# initial loss of a folder: bench train on the CPU, one step on random tokens (lr 1e-4)
loss_of() {
  "$IMAGINE" bench train --model "$1" --device cpu --tokens 64 --samples 2 --steps 1 --no-profile >"$T/bench.txt"
  sed -n 's/^full step: .*loss \([0-9.]*\)).*/\1/p' "$T/bench.txt"
}
"$IMAGINE" model init --corpus "$T/corpus.txt" --tok-vocab 400 --hidden 96 --layers 3 --heads 6 --kv-heads 2 --head-dim 16 --ffn 160 --dtype f32 --init-std 0.03 --out "$T/s" 2>/dev/null
grep -q '"initializer_range": 0.03,' "$T/s/config.json" || { echo "config.json lacks initializer_range 0.03"; cat "$T/s/config.json"; exit 1; }
grep -q '"initializer_range": 0.02,' "$cfg" || { echo "default config.json lacks initializer_range 0.02"; exit 1; }
vocab=$(sed -n 's/.*"vocab_size": \([0-9]*\).*/\1/p' "$cfg")
ls=$(loss_of "$T/s")
ld=$(loss_of "$T/m")
awk -v s="$ls" -v d="$ld" -v v="$vocab" 'BEGIN {
  lv = log(v); printf "vocab %d ln %.3f: --init-std 0.03 loss %s, default loss %s\n", v, lv, s, d
  if (s == "" || d == "" || s - lv > 0.25 || lv - s > 0.25 || d < lv + 3) exit 1 }' || { echo "initial losses wrong"; cat "$T/bench.txt"; exit 1; }
for bad in "--init-std -1" "--hidden 3" "--layers 0" "--heads 5 --kv-heads 2" "--tok-vocab 10" "--head-dim 6"; do
  set +e
  # shellcheck disable=SC2086
  "$IMAGINE" model init --corpus "$T/corpus.txt" $bad --out "$T/bad" 2>"$T/err"
  rc=$?
  set -e
  [ $rc -eq 2 ] || { echo "model init $bad: exit $rc, expected 2"; cat "$T/err"; exit 1; }
  [ ! -e "$T/bad/config.json" ] || { echo "model init $bad wrote a folder"; exit 1; }
done
: >"$T/empty.txt"
set +e
"$IMAGINE" model init --corpus "$T/empty.txt" --out "$T/e" 2>"$T/err"; rc=$?
set -e
[ $rc -eq 2 ] && grep -q empty.txt "$T/err" || { echo "empty corpus: exit $rc"; cat "$T/err"; exit 1; }
echo ok
