#!/bin/sh
# run_fuzz.sh FUZZER DATA SEEDS: a bounded libFuzzer run (IMAGINE_FUZZ_SECONDS,
# default 60) on a temp corpus: the committed seeds plus one input per line of
# the shipped submissions (byte 0 = that line's query, so plans meet their own
# query). Crash inputs are kept in $IMAGINE_FUZZ_ARTIFACTS (default: a temp dir
# that is printed).
set -eu
fuzzer=$1 data=$2 seeds=$3
secs=${IMAGINE_FUZZ_SECONDS:-60}
work=$(mktemp -d)
mkdir -p "$work/corpus"
art=${IMAGINE_FUZZ_ARTIFACTS:-$work/artifacts}
mkdir -p "$art"
cp "$seeds"/* "$work/corpus/"
python3 - "$data" "$work/corpus" <<'PY' 2>/dev/null || echo "python3 not found: committed seeds only"
import glob, os, sys
data, out = sys.argv[1], sys.argv[2]
for path in sorted(glob.glob(os.path.join(data, "outputs/train/*.jsonl"))):
    lines = open(path, "rb").read().strip().split(b"\n")
    for i, line in enumerate(lines):
        name = "%s-%02d" % (os.path.basename(path)[:-6], i + 1)
        open(os.path.join(out, name), "wb").write(bytes([i % 45]) + line)
PY
echo "corpus: $(ls "$work/corpus" | wc -l) inputs; running ${secs}s; artifacts in $art"
set +e
IMAGINE_DATA="$data" "$fuzzer" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -artifact_prefix="$art/" -print_final_stats=1 "$work/corpus" > "$work/fuzz.log" 2>&1
rc=$?
set -e
tail -40 "$work/fuzz.log"
if [ "$rc" != 0 ]; then echo "FAIL: the fuzzer exited $rc; crash inputs in $art"; exit 1; fi
rm -rf "$work"
echo "ok: fuzz_eval ran ${secs}s without a crash"
