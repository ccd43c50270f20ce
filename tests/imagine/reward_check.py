#!/usr/bin/env python3
"""reward_check.py IMAGINE DATA WORKDIR: `imagine reward` on the fixtures of
every reward branch (expected values in reward_fixtures.jsonl), then the
same responses through `imagine reward serve` with a plain HTTP client
(urllib): the answers must equal the CLI's; malformed requests get a 400
with a reason and the server keeps answering."""
import json, os, subprocess, sys, time, urllib.request, urllib.error

exe, data, work = sys.argv[1], sys.argv[2], sys.argv[3]
here = os.path.dirname(os.path.abspath(__file__))
fails = 0

def fail(msg):
    global fails
    fails += 1
    print("FAIL:", msg)

fx = [json.loads(l) for l in open(os.path.join(here, "reward_fixtures.jsonl"))]
resp = os.path.join(work, "responses.jsonl")
with open(resp, "w") as f:
    for x in fx:
        item = {"response": x["response"]}
        if "idx" in x: item["idx"] = x["idx"]
        else: item["query"] = x["query"]
        f.write(json.dumps(item) + "\n")
base = [exe, "reward", "--suite", "travelplanner", "--split", "train", "--data", data, "--responses", resp]
out = subprocess.run(base + ["--json"], capture_output=True, text=True)
if out.returncode: fail("imagine reward --json exit %d: %s" % (out.returncode, out.stderr))
cli = [json.loads(l) for l in out.stdout.splitlines()]
if len(cli) != len(fx): fail("%d answers for %d responses" % (len(cli), len(fx)))
for x, a in zip(fx, cli):
    if abs(a["reward"] - x["reward"]) > 1e-12: fail("%s: reward %r, expected %r" % (x["name"], a["reward"], x["reward"]))
    for k, v in x["components"].items():
        if a["components"].get(k) != v: fail("%s: component %s = %r, expected %r" % (x["name"], k, a["components"].get(k), v))
    if a["idx"] != x.get("idx"): fail("%s: idx %r" % (x["name"], a["idx"]))
plain = subprocess.run(base, capture_output=True, text=True).stdout.splitlines()
if [l.split("\t")[1] for l in plain] != [repr(float(a["reward"])) for a in cli]: fail("plain output differs from --json: %r" % plain[:3])

# bad input: exit codes and messages naming the place
def expect_exit(args, code, text):
    r = subprocess.run([exe] + args, capture_output=True, text=True)
    if r.returncode != code or text not in r.stderr: fail("%s: exit %d %r, expected %d and %r" % (args, r.returncode, r.stderr, code, text))
bad = os.path.join(work, "bad.jsonl")
open(bad, "w").write('{"idx": 1, "response": "<think>r</think>[]"}\n{"idx": 1, "response": \n')
expect_exit(["reward", "--suite", "travelplanner", "--split", "train", "--data", data, "--responses", bad], 3, "bad.jsonl:2")
open(bad, "w").write('{"idx": 99999, "response": "x"}\n')
expect_exit(["reward", "--suite", "travelplanner", "--split", "train", "--data", data, "--responses", bad], 3, "idx 99999 is not in")
expect_exit(["reward", "--split", "train", "--data", data, "--responses", bad], 2, "--suite")
expect_exit(["reward", "--suite", "travelplanner", "--split", "train", "--data", data, "--responses", bad, "--config", '{"gate_hardd": true}'], 2, "gate_hardd")

# the server: same answers, 400s on malformed requests, never dies
srv = subprocess.Popen([exe, "reward", "serve", "--suite", "travelplanner", "--split", "train", "--data", data, "--port", "0"],
                       stdout=subprocess.PIPE, text=True)
line = srv.stdout.readline()
port = int(line.split("http://127.0.0.1:")[1].split("/")[0])
url = "http://127.0.0.1:%d" % port

def post(path, body, method="POST"):
    req = urllib.request.Request(url + path, data=body if body is None else body.encode(), method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r: return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e: return e.code, json.loads(e.read())

try:
    items = [json.loads(l) for l in open(resp)]
    batch = [{"query": it.get("idx", it.get("query")), "response": it["response"]} for it in items]
    st, ans = post("/reward", json.dumps(batch))
    if st != 200 or ans["rewards"] != cli: fail("server batch: status %d, answers differ from the CLI's" % st)
    st, ans = post("/reward", json.dumps({"items": batch[:2]}))
    if st != 200 or ans["rewards"] != cli[:2]: fail("server {items}: status %d" % st)
    for body, code, text in [("{not json", 400, "not JSON"), ('{"x": 1}', 400, "expected a list"),
                             ('[{"query": 1}]', 400, "item 0: field 'response'"),
                             ('[{"query": 1, "response": "a"}, {"query": 424242, "response": "a"}]', 400, "item 1: idx 424242"),
                             ('[{"query": {"org": "A"}, "response": "a"}]', 400, "item 0: field 'query'"),
                             ('[{"query": "one", "response": "a"}]', 400, "item 0:"),
                             ('[{"query": 1, "response": "a\0b"}]', 400, "a NUL byte at offset 28")]:
        st, ans = post("/reward", body)
        if st != code or text not in ans.get("error", ""): fail("malformed %r: %d %r" % (body, st, ans))
    st, ans = post("/nowhere", "[]")
    if st != 404: fail("unknown path: %d" % st)
    st, ans = post("/reward", None, method="GET")
    if st != 405: fail("GET /reward: %d" % st)
    st, ans = post("/health", None, method="GET")
    if st != 200 or not ans.get("ok") or ans.get("queries") != 45: fail("health after bad requests: %d %r" % (st, ans))
    st, ans = post("/config", None, method="GET")
    if st != 200 or ans.get("gate_hard") is not True or ans.get("reflection_bonus") != 0.5: fail("config: %r" % ans)
    if srv.poll() is not None: fail("the server exited")
finally:
    srv.terminate()
    srv.wait(timeout=10)
print("reward fixtures: %d, %s" % (len(fx), "ok" if not fails else "%d failures" % fails))
sys.exit(1 if fails else 0)
