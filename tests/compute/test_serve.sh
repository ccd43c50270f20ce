#!/bin/sh
# test_serve.sh IMAGINE DATA: `model init`, `generate` and `serve` end to end
# on a tiny model (lavapipe without a GPU): health, models, chat completions
# (JSON and SSE), completions with logprobs, stop strings, seeded sampling,
# concurrent requests, and clear errors.
set -u
IM=$1
DATA=$2
T=$(mktemp -d /tmp/imagine_serve.XXXXXX)
fail() { echo "FAIL: $*" >&2; [ -n "${PID:-}" ] && kill "$PID" 2>/dev/null; cat "$T/serve.log" >&2 2>/dev/null; rm -rf "$T"; exit 1; }
"$IM" model init --arch qwen3 --size tiny --dtype f16 --seed 1 --out "$T/m" --data "$DATA" 2>/dev/null || fail "model init"
out=$("$IM" generate --model "$T/m" --prompt "Plan a trip" --max-tokens 8 --temperature 0.9 --seed 4) || fail "generate"
out2=$("$IM" generate --model "$T/m" --prompt "Plan a trip" --max-tokens 8 --temperature 0.9 --seed 4) || fail "generate 2"
[ "$out" = "$out2" ] || fail "generate with the same seed differs"
"$IM" generate --model "$T/m" --prompt x --messages y 2>/dev/null; [ $? -eq 2 ] || fail "usage error expected"
for bad in "--max-tokens -1" "--temperature -1" "--top-k -5" "--top-p 0"; do
  err=$("$IM" generate --model "$T/m" --prompt x $bad 2>&1 >/dev/null); rc=$?
  [ $rc -eq 2 ] && echo "$err" | grep -q -- "${bad% *}" || fail "generate $bad: exit $rc, $err"
done
printf '{"chat_template": "{{ messages }}"}' > "$T/m/tokenizer_config.json.new"
cp -r "$T/m" "$T/bad" && mv "$T/bad/tokenizer_config.json.new" "$T/bad/tokenizer_config.json"
err=$("$IM" generate --model "$T/bad" --prompt hi 2>&1 >/dev/null) && fail "unknown template accepted"
echo "$err" | grep -q "chat_template" || fail "unknown template message: $err"
"$IM" generate --model "$T/bad" --prompt hi --raw --max-tokens 2 >/dev/null || fail "--raw with an unknown template"

"$IM" serve --model "$T/m" --port 0 --batch 4 --ctx 256 2>"$T/serve.log" &
PID=$!
i=0
while ! grep -q "http://" "$T/serve.log" 2>/dev/null; do
  i=$((i + 1)); [ $i -gt 100 ] && fail "server did not start"; sleep 0.1
done
PORT=$(sed -n 's/.*http:\/\/[0-9.]*:\([0-9]*\).*/\1/p' "$T/serve.log" | head -1)
U=http://127.0.0.1:$PORT
curl -sf "$U/health" | grep -q ok || fail "/health"
curl -sf "$U/v1/models" | grep -q '"id": "m"' || fail "/v1/models"
R=$(curl -sf "$U/v1/chat/completions" -d '{"messages":[{"role":"user","content":"Plan a trip to Rockford"}],"max_tokens":6,"temperature":0}') || fail "chat"
echo "$R" | grep -q '"object": "chat.completion"' || fail "chat object: $R"
echo "$R" | grep -q '"completion_tokens": ' || fail "chat usage: $R"
S=$(curl -sfN "$U/v1/chat/completions" -d '{"messages":[{"role":"user","content":"Plan a trip to Rockford"}],"max_tokens":6,"temperature":0,"stream":true}') || fail "stream"
echo "$S" | grep -q '^data: \[DONE\]' || fail "stream end: $S"
echo "$S" | grep -q 'chat.completion.chunk' || fail "stream chunks: $S"
C=$(curl -sf "$U/v1/completions" -d '{"prompt":"Rockford","max_tokens":5,"temperature":0.7,"seed":9,"logprobs":3}') || fail "completions"
echo "$C" | grep -q '"token_logprobs": \[' || fail "completion logprobs: $C"
C2=$(curl -sf "$U/v1/completions" -d '{"prompt":"Rockford","max_tokens":5,"temperature":0.7,"seed":9,"logprobs":3}')
[ "$(echo "$C" | sed 's/"created": [0-9]*//;s/"id": "[^"]*"//')" = "$(echo "$C2" | sed 's/"created": [0-9]*//;s/"id": "[^"]*"//')" ] || fail "same seed, different completions"
L=$(curl -sf "$U/v1/chat/completions" -d '{"messages":[{"role":"user","content":"hi"}],"max_tokens":3,"logprobs":true,"top_logprobs":2}')
echo "$L" | grep -q '"top_logprobs": \[{' || fail "chat logprobs: $L"
# stop strings: cut the greedy text at a substring of itself (any text: the
# check works on code points, whatever the model wrote)
python3 - "$U" <<'PY' || fail "stop strings"
import json, sys, urllib.request
def post(body):
    req = urllib.request.Request(sys.argv[1] + "/v1/completions", json.dumps(body).encode())
    return json.load(urllib.request.urlopen(req, timeout=60))["choices"][0]
checked = 0
for prompt in ("hotel", "Plan a trip to Rockford", "flight", "Rockford", "budget"):
    g = post({"prompt": prompt, "max_tokens": 12, "temperature": 0})["text"]
    # a two-character window from the 4th character on, of whole characters
    windows = [g[i:i + 2] for i in range(3, len(g) - 1) if "\ufffd" not in g[i:i + 2]]
    if not windows:
        continue
    stop, checked = windows[0], checked + 1
    r = post({"prompt": prompt, "max_tokens": 12, "temperature": 0, "stop": [stop]})
    want = g[:g.find(stop)]
    if r["finish_reason"] != "stop" or r["text"] != want:
        sys.exit(f"stop {stop!r} on {g!r}: got {r['text']!r} ({r['finish_reason']}), expected {want!r} (stop)")
    print(f"stop {stop!r}: {want!r}")
if checked < 2:
    sys.exit(f"only {checked} greedy texts had a stop-string window")
PY
# concurrent requests are decoded together
for k in 1 2 3; do
  curl -sf "$U/v1/completions" -d '{"prompt":"Trip","max_tokens":8,"temperature":0}' > "$T/c$k" &
done
wait %2 %3 %4 2>/dev/null
for k in 1 2 3; do grep -q '"text_completion"' "$T/c$k" || fail "concurrent request $k"; done
[ "$(sed 's/"created": [0-9]*//;s/"id": "[^"]*"//' "$T/c1")" = "$(sed 's/"created": [0-9]*//;s/"id": "[^"]*"//' "$T/c2")" ] || fail "batched greedy results differ"
E=$(curl -s -o /dev/null -w '%{http_code}' "$U/v1/completions" -d '{"max_tokens":3}')
[ "$E" = 400 ] || fail "missing prompt gives $E"
E=$(curl -s -o /dev/null -w '%{http_code}' "$U/v1/nothing")
[ "$E" = 404 ] || fail "unknown path gives $E"
kill -TERM $PID
wait $PID || fail "server exit status"
rm -rf "$T"
echo "serve: ok"
