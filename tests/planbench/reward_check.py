#!/usr/bin/env python3
"""reward_check.py IMAGINE PB_DATA WORKDIR: PlanBench's IMAGINE reward through
`imagine reward --suite planbench` and through `imagine reward serve --suite
planbench` with a plain HTTP client (urllib), as tests/imagine/reward_check.py
does for TravelPlanner: a correct plan (the suite's JSON form and the
benchmark's words; with and without a reflection), a wrong plan, a malformed
answer (-1), a missing </think> (-1); the server's answers equal the CLI's;
malformed requests get a 400 naming the item and the server keeps answering.

Blocksworld instance 1: the blue block (b) is on the orange block (c) and
the goal is c on b, so unstack b c, put-down b, pick-up c, stack c b is the
optimal plan (4 steps); "(pick-up a)" fails at its first step."""
import json, os, subprocess, sys, urllib.request, urllib.error

exe, data, work = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(work, exist_ok=True)
fails = 0

def fail(msg):
    global fails
    fails += 1
    print("FAIL:", msg)

PLAN = '["(unstack b c)", "(put-down b)", "(pick-up c)", "(stack c b)"]'
WORDS = ("unstack the blue block from on top of the orange block\nput down the blue block\n"
         "pick up the orange block\nstack the orange block on top of the blue block")
REFL = ("REFLECTION(Now, I need to reflect on whether there are any errors in my reasoning above):\nNo errors.\n"
        "The reflection is over, now IMMEDIATELY output the final answer!")
# name, request item, reward, components that must hold
cases = [
    ("correct, JSON form", {"idx": 1, "response": "<think>\nb is on c.\n</think>\n" + PLAN}, 0.5,
     {"format": 1, "format_error": None, "valid": 1.0, "reflection": -0.5, "has_reflection": 0, "plan_valid": True, "steps": 4}),
    ("correct, the benchmark's words", {"idx": 1, "response": "<think>\nb is on c.\n</think>\n" + WORDS}, 0.5,
     {"format": 1, "valid": 1.0, "plan_valid": True, "steps": 4}),
    ("correct with a reflection", {"idx": 1, "response": "<think>\nb is on c.\n" + REFL + "\n</think>\n" + PLAN}, 1.5,
     {"format": 1, "valid": 1.0, "reflection": 0.5, "has_reflection": 1}),
    ("correct, given by fields", {"query": {"variant": "blocksworld", "instance_id": 1},
                                  "response": "<think>\nb is on c.\n</think>\n" + PLAN}, 0.5, {"format": 1, "plan_valid": True}),
    ("wrong plan", {"idx": 1, "response": "<think>\nfirst a.\n</think>\n[\"(pick-up a)\"]"}, -0.5,
     {"format": 1, "valid": 0.0, "plan_valid": False, "steps": 1}),
    ("malformed answer", {"idx": 1, "response": "<think>\nhmm\n</think>\nI cannot do this."}, -1.0,
     {"format": 0, "valid": 0.0, "reflection": 0.0, "plan_valid": None}),
    ("missing </think>", {"idx": 1, "response": "<think>\nb is on c.\n" + PLAN}, -1.0,
     {"format": 0, "format_error": "no </think> after the reasoning", "plan_valid": None}),
    ("no <think>", {"idx": 2, "response": PLAN}, -1.0, {"format": 0}),
]
resp = os.path.join(work, "pb_responses.jsonl")
with open(resp, "w") as f:
    for _, item, _, _ in cases: f.write(json.dumps(item) + "\n")
base = [exe, "reward", "--suite", "planbench", "--variant", "blocksworld", "--data", data, "--responses", resp]
out = subprocess.run(base + ["--json"], capture_output=True, text=True)
if out.returncode: fail("imagine reward --suite planbench --json: exit %d: %s" % (out.returncode, out.stderr))
cli = [json.loads(l) for l in out.stdout.splitlines()]
if len(cli) != len(cases): fail("%d answers for %d responses" % (len(cli), len(cases)))
for (name, item, reward, comp), a in zip(cases, cli):
    if a["reward"] != reward: fail("%s: reward %r, expected %r" % (name, a["reward"], reward))
    for k, v in comp.items():
        if a["components"].get(k) != v: fail("%s: component %s = %r, expected %r" % (name, k, a["components"].get(k), v))
    if a["idx"] != item.get("idx"): fail("%s: idx %r" % (name, a["idx"]))
plain = subprocess.run(base, capture_output=True, text=True).stdout.splitlines()
if [l.split("\t")[1] for l in plain] != [repr(float(a["reward"])) for a in cli]: fail("plain output differs from --json: %r" % plain[:3])

def expect_exit(args, code, text):
    r = subprocess.run([exe] + args, capture_output=True, text=True)
    if r.returncode != code or text not in r.stderr: fail("%s: exit %d %r, expected %d and %r" % (args, r.returncode, r.stderr, code, text))
bad = os.path.join(work, "pb_bad.jsonl")
open(bad, "w").write('{"idx": 9999, "response": "x"}\n')
expect_exit(["reward", "--suite", "planbench", "--variant", "blocksworld", "--data", data, "--responses", bad], 3, "idx 9999 is not in")
expect_exit(["reward", "--suite", "planbench", "--variant", "blocksworld", "--data", data, "--responses", resp, "--config", '{"bonus": 1}'],
            2, '"bonus"')
expect_exit(["reward", "--suite", "planbench", "--variant", "blocksworld9", "--data", data, "--responses", resp], 2, "blocksworld9")

srv = subprocess.Popen([exe, "reward", "serve", "--suite", "planbench", "--variant", "blocksworld", "--data", data, "--port", "0"],
                       stdout=subprocess.PIPE, text=True)
line = srv.stdout.readline()
url = "http://127.0.0.1:%d" % int(line.split("http://127.0.0.1:")[1].split("/")[0])

def post(path, body, method="POST"):
    req = urllib.request.Request(url + path, data=body if body is None else body.encode(), method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r: return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e: return e.code, json.loads(e.read())

try:
    batch = [{"query": it.get("idx", it.get("query")), "response": it["response"]} for _, it, _, _ in cases]
    st, ans = post("/reward", json.dumps(batch))
    if st != 200 or ans.get("rewards") != cli: fail("server batch: status %d, answers differ from the CLI's: %r" % (st, ans))
    for body, text in [('[{"query": 1}]', "item 0: field 'response'"),
                       ('[{"query": 1, "response": "a"}, {"query": 9999, "response": "a"}]', "item 1: idx 9999"),
                       ('[{"query": {"variant": "nowhere", "instance_id": 1}, "response": "a"}]', "item 0: field 'query'"),
                       ("{not json", "not JSON")]:
        st, ans = post("/reward", body)
        if st != 400 or text not in ans.get("error", ""): fail("malformed %r: %d %r" % (body, st, ans))
    st, ans = post("/health", None, method="GET")
    if st != 200 or ans.get("suite") != "planbench" or ans.get("queries") != 500: fail("health: %d %r" % (st, ans))
    st, ans = post("/config", None, method="GET")
    if st != 200 or ans.get("valid_weight") != 1 or ans.get("reflection_bonus") != 0.5: fail("config: %r" % ans)
    if srv.poll() is not None: fail("the server exited")
finally:
    srv.terminate()
    srv.wait(timeout=10)
print("planbench reward: %d cases, %s" % (len(cases), "ok" if not fails else "%d failures" % fails))
sys.exit(1 if fails else 0)
