#!/bin/sh
# model init --corpus and shape overrides: the tokenizer learns the given text
# (a PlanBench sentence becomes few tokens), config.json has the asked shape,
# the folder generates, and out-of-range values are usage errors (exit 2).
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
for bad in "--hidden 3" "--layers 0" "--heads 5 --kv-heads 2" "--tok-vocab 10" "--head-dim 6"; do
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
