#!/bin/sh
# --cpu-latency US (bench train, train sft, train grpo): the request is the
# 32-bit integer US written to the kernel's CPU latency file, and the file
# stays open while imagine runs. $IMAGINE_CPU_LATENCY_FILE stands in for
# /dev/cpu_dma_latency (root only, and held system-wide): a regular file
# shows the bytes written. A missing file is an I/O error naming it, and
# is not created; a directory too; a negative value is a usage error
# naming the flag. Without the flag nothing is written. $IMAGINE_CPU_LATENCY
# makes the same request for any verb; a value that is not a number of
# microseconds is a usage error naming the variable.
set -eu
IMAGINE=$1
. "$(dirname "$0")/tiny_model.sh"
le32() { od -An -tu4 -N4 "$1" | tr -d ' '; }
printf 'abcd' >"$T/qos"
IMAGINE_CPU_LATENCY_FILE="$T/qos" "$IMAGINE" bench train --model "$T/m" --tokens 32 --samples 2 --steps 1 --no-profile >"$T/out.txt"
[ "$(cat "$T/qos")" = abcd ] || { echo "bench train without --cpu-latency wrote the file"; exit 1; }
IMAGINE_CPU_LATENCY_FILE="$T/qos" "$IMAGINE" bench train --model "$T/m" --tokens 32 --samples 2 --steps 1 --no-profile --cpu-latency 0 >"$T/out.txt"
[ "$(wc -c <"$T/qos")" -eq 4 ] && [ "$(le32 "$T/qos")" = 0 ] || { echo "--cpu-latency 0 did not write a 32-bit 0"; od -c "$T/qos"; exit 1; }
grep -q "^cpu latency request: 0 us" "$T/out.txt" || { echo "bench train does not say the request is held"; cat "$T/out.txt"; exit 1; }
grep -q "^full step: " "$T/out.txt" || { echo "no full step under the request"; cat "$T/out.txt"; exit 1; }
# train sft holds it too, for the whole run: the file is still open when training has begun
printf '{"messages":[{"role":"user","content":"stack the red block"},{"role":"assistant","content":"on top of the blue block"}]}\n' >"$T/d.jsonl"
IMAGINE_CPU_LATENCY_FILE="$T/qos" "$IMAGINE" train sft --model "$T/m" --data "$T/d.jsonl" --out "$T/sft" --store "$T/s.db" \
    --max-steps 2 --epochs 2 --device vulkan --cpu-latency 150 >/dev/null 2>"$T/sft.log" || { cat "$T/sft.log"; exit 1; }
[ "$(le32 "$T/qos")" = 150 ] || { echo "train sft --cpu-latency 150 wrote $(le32 "$T/qos")"; exit 1; }
bad() { # code file args...: exit code and the error's text
  want=$1 file=$2
  shift 2
  set +e
  IMAGINE_CPU_LATENCY=${LAT:-} IMAGINE_CPU_LATENCY_FILE="$file" "$IMAGINE" "$@" >/dev/null 2>"$T/err.txt"
  rc=$?
  set -e
  [ "$rc" -eq "$want" ] || { echo "$*: exit $rc, want $want"; cat "$T/err.txt"; exit 1; }
}
bad 3 "$T/none" bench train --model "$T/m" --steps 1 --no-profile --cpu-latency 0
grep -q -- "--cpu-latency: $T/none: No such file" "$T/err.txt" || { echo "the error does not name the missing file"; cat "$T/err.txt"; exit 1; }
[ ! -e "$T/none" ] || { echo "--cpu-latency created $T/none"; exit 1; }
mkdir "$T/dir"
bad 3 "$T/dir" train sft --model "$T/m" --data "$T/d.jsonl" --out "$T/sft2" --cpu-latency 0
grep -q -- "$T/dir" "$T/err.txt" || { echo "the error does not name the directory"; cat "$T/err.txt"; exit 1; }
[ ! -e "$T/sft2" ] || { echo "a refused run made its output folder"; exit 1; }
bad 2 "$T/qos" bench train --model "$T/m" --steps 1 --no-profile --cpu-latency -5
grep -q -- "--cpu-latency -5" "$T/err.txt" || { echo "the usage error does not name the flag"; cat "$T/err.txt"; exit 1; }
bad 2 "$T/qos" train grpo --model "$T/m" --suite planbench --out "$T/g" --steps 1 --cpu-latency -2
grep -q -- "--cpu-latency -2" "$T/err.txt" || { echo "train grpo's usage error does not name the flag"; cat "$T/err.txt"; exit 1; }
# $IMAGINE_CPU_LATENCY: the same request for any verb (here generate on the Vulkan engine)
printf 'abcd' >"$T/qos"
IMAGINE_CPU_LATENCY=7 IMAGINE_CPU_LATENCY_FILE="$T/qos" "$IMAGINE" generate --model "$T/m" --prompt "stack" --max-tokens 2 >/dev/null 2>"$T/gen.log" ||
    { cat "$T/gen.log"; exit 1; }
[ "$(le32 "$T/qos")" = 7 ] || { echo "IMAGINE_CPU_LATENCY=7 wrote $(le32 "$T/qos")"; exit 1; }
IMAGINE_CPU_LATENCY= IMAGINE_CPU_LATENCY_FILE="$T/none" "$IMAGINE" runs --store "$T/s.db" >/dev/null || { echo "an empty IMAGINE_CPU_LATENCY is not unset"; exit 1; }
set +e
IMAGINE_CPU_LATENCY=7us "$IMAGINE" runs --store "$T/s.db" >/dev/null 2>"$T/err.txt"
rc=$?
set -e
[ "$rc" -eq 2 ] && grep -q "IMAGINE_CPU_LATENCY=7us: expected microseconds" "$T/err.txt" || { echo "IMAGINE_CPU_LATENCY=7us: exit $rc"; cat "$T/err.txt"; exit 1; }
LAT=0 bad 3 "$T/none" runs --store "$T/s.db"
grep -q "IMAGINE_CPU_LATENCY: $T/none: No such file" "$T/err.txt" || { cat "$T/err.txt"; exit 1; }
echo "cpu latency request: ok"
