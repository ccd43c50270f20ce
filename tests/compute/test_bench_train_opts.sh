#!/bin/sh
# bench train's GPU-side options on lavapipe: --kernels gpu runs the GPU
# kernel set (the profile names gemmt_*, attn_sg_*, gemm_sum), --peak-tflops
# prints MFU = 100 x model TFLOP/s / T, the model FLOPs printed agree with the
# products' count worked out here from config.json (6 per matrix parameter
# and token, LM head included, plus attention's QK^T and AV at 3x their
# forward), each kind prints its wall time by phase, --nt-min 1 runs dW
# and dX as NT over transposed operands where the default does not, and bad values of
# --kernels, --peer-device, --peer-dtype, --peak-tflops and a missing
# --peer-python are errors that name the option (usage: exit 2).
set -eu
IMAGINE=$1
. "$(dirname "$0")/tiny_model.sh"
"$IMAGINE" bench train --model "$T/m" --kernels gpu --tokens 32 --samples 2 --steps 1 --peak-tflops 0.000001 >"$T/out.txt"
for k in gemmt_nt gemmt_nn gemmt_tn gemmt_nt2 gemmt_nn2 gemm_sum attn_sg_fwd_hd16 attn_sg_bwd_q_hd16 attn_sg_bwd_kv_hd16 rmsnorm_t_bwd_dw_sg; do
  grep -q "($k) " "$T/out.txt" || { echo "the GPU set's $k is not in the profile"; cat "$T/out.txt"; exit 1; }
done
vocab=$(jq .vocab_size "$T/m/config.json")
for kind in full LoRA; do
  ms=$(sed -n "s/^$kind step: .*tok\/s, \([0-9.]*\) ms\/step.*/\1/p" "$T/out.txt")
  line=$(grep "^  $kind step: .* model TFLOP/s" "$T/out.txt") || { echo "no $kind FLOP line"; cat "$T/out.txt"; exit 1; }
  echo "$line" | awk -v ms="$ms" -v V="$vocab" -v kind="$kind" '{
    tf = $3 + 0; mfu = $7 + 0
    mat = 32 * (32 + 32) + 32 * 32 + 3 * 32 * 64 + V * 32   # q,k,v + o + gate,up,down + head
    attn = 4 * 32 * 8.5 * 32                                 # 16-token samples: mean causal context 8.5
    lp = 8 * ((32 + 32) + 2 * (32 + 16) + (32 + 32) + 2 * (32 + 64) + (64 + 32)) # rank 8: A [8][in] + B [out][8], 7 projections
    want = (kind == "full" ? 6 * mat * 32 : 4 * mat * 32 + 6 * lp * 32) + 3 * attn
    got = tf * 1e12 * ms / 1e3
    if (got < 0.97 * want || got > 1.03 * want) { print kind ": " got " model FLOPs per step, want " want; exit 1 }
    if (mfu < 0.999 * 100 * tf / 1e-6 || mfu > 1.001 * 100 * tf / 1e-6) { print kind ": MFU " mfu " is not 100 x " tf " / 1e-6"; exit 1 } }' ||
    { cat "$T/out.txt"; exit 1; }
  grep -q "^  $kind step wall time by phase: zero grads [0-9.]* ms, forward+backward [0-9.]* ms, grad norm [0-9.]* ms, AdamW [0-9.]* ms$" "$T/out.txt" ||
    { echo "no $kind phase line"; cat "$T/out.txt"; exit 1; }
done
# --nt-min: 1 turns every dW and dX product into NT over transposed copies (transpose_t in the
# profile, gemmx_tn and gemmx_nn gone); the default leaves the tiny shape's products as they are
"$IMAGINE" bench train --model "$T/m" --tokens 32 --samples 2 --steps 1 --nt-min 1 >"$T/nt.txt"
"$IMAGINE" bench train --model "$T/m" --tokens 32 --samples 2 --steps 1 >"$T/default.txt"
grep -q "(transpose_t) " "$T/nt.txt" || { echo "--nt-min 1 ran no transposes"; cat "$T/nt.txt"; exit 1; }
for pass in "backward dX, as NT over W^T (gemmx_nt)" "backward dW, as NT over dY^T and X^T (gemmx_nt)" "backward dX + LoRA path, as NT (gemmx_nt2)"; do
  grep -qF "$pass" "$T/nt.txt" || { echo "the profile has no '$pass'"; cat "$T/nt.txt"; exit 1; }
done
sed -n '/^full step/,/^LoRA step/p' "$T/nt.txt" | grep -q "(gemmx_tn)\|(gemmx_nn)" && { echo "--nt-min 1 left a full step's TN or NN product"; cat "$T/nt.txt"; exit 1; }
grep -q "(transpose_t) " "$T/default.txt" && { echo "the default converted the tiny shape's products"; cat "$T/default.txt"; exit 1; }
grep -q "(gemmx_tn) " "$T/default.txt" || { echo "the default ran no TN product"; cat "$T/default.txt"; exit 1; }
bad() { # option value...: a usage error naming the option
  set +e
  "$IMAGINE" bench train --model "$T/m" --steps 1 --no-profile "$@" >/dev/null 2>"$T/err.txt"
  rc=$?
  set -e
  [ "$rc" -ne 0 ] || { echo "$* exited 0"; exit 1; }
  grep -q -- "$1" "$T/err.txt" || { echo "the error of $* does not name $1"; cat "$T/err.txt"; exit 1; }
}
bad --kernels x
bad --peer-device gpu
bad --peer-dtype float16
bad --peak-tflops -1
bad --peer-python "$T/no-such-python" --peer torch --device cpu
echo "bench train options: ok"
