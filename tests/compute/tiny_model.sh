# tiny_model.sh: sourced by the bench tests after IMAGINE is set. Makes a
# temporary folder T (removed at exit) holding a 1-layer Qwen3 folder T/m
# (hidden 32, 2/1 heads of 16, ffn 64, f32) whose 300-token tokenizer is
# trained on a line of Blocksworld text (T/c.txt).
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
for i in 1 2 3 4 5 6 7 8 9 10; do echo "stack the red block on top of the blue block and pick up the orange one" >>"$T/c.txt"; done
"$IMAGINE" model init --corpus "$T/c.txt" --tok-vocab 300 --hidden 32 --layers 1 --heads 2 --kv-heads 1 --head-dim 16 --ffn 64 --dtype f32 --out "$T/m" 2>/dev/null
