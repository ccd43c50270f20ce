#!/usr/bin/env python3
"""mas_check.py IMAGINE TEST_SERVER DATA WORKDIR: `imagine run --method mas`
against the project's test server (tests/http/server.c) on every branch:
  q1 both Judges "No errors."          -> no Reflector call, sample says "No errors."
  q2 Judge 1 "Errors exist."           -> Reflector, its reflection and plan in the sample
  q3 an unparseable verdict            -> the documented rule (errors) -> Reflector
  q4 a Reflector failure (HTTP 500)    -> an error item that retry-errors completes
Then the exact flattened text, llm_call rows per role and model, the
exports (counts of reflections and passing), the single-agent and rule-Judge
variants, and the programmatic teacher (solver / rule / solver) on train."""
import json, os, sqlite3, subprocess, sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import test_server

exe, srv_exe, data, work = sys.argv[1:5]
fails = 0
def fail(m):
    global fails
    fails += 1
    print("FAIL:", m)
MARK = "REFLECTION(Now, I need to reflect on whether there are any errors in my reasoning above):"
END = "The reflection is over, now IMMEDIATELY output the final answer!"

qs = [json.loads(l) for l in open(os.path.join(data, "queries", "train.jsonl"))][:4]
qfile = os.path.join(work, "mas_q.jsonl")
with open(qfile, "w") as f:
    for q in qs: f.write(json.dumps(q) + "\n")
q4file = os.path.join(work, "mas_q4.jsonl")
open(q4file, "w").write(json.dumps(qs[3]) + "\n")
plans = [[d for d in q["annotated_plan"] if d] for q in qs]
script = []
verdicts = {1: ("No errors.", "No errors."), 2: ("Errors exist.", "No errors."), 3: ("The plan looks mostly fine to me.", "No errors."),
            4: ("Errors exist.", "Errors exist.")}
for i, q in enumerate(qs, 1):
    for j in (1, 2):
        script.append({"match": "reviewer %d of this request: %s" % (j, q["query"]), "content": verdicts[i][j - 1]})
    script.append({"match": "a reviewer found errors in the reasoning or the plan.\n\nRequest: " + q["query"],
                   "content": "Day 2 repeats a restaurant; I replace it.\nFinal plan:\n```json\n" + json.dumps(plans[i - 1]) + "\n```"})
    script.append({"match": "Request: " + q["query"], "content": "Here is the plan.\n```json\n" + json.dumps(plans[i - 1]) + "\n```",
                   "reasoning_content": "Reasoning for query %d: flights first, then stays." % i})
sfile = os.path.join(work, "mas_script.jsonl")
with open(sfile, "w") as f:
    for e in script: f.write(json.dumps(e) + "\n")

def start_server(faults=None):
    return test_server.start_server(srv_exe, work, sfile, faults, 'mas', 300)

def run(args, code=0):
    r = subprocess.run([exe] + args, capture_output=True, text=True)
    if r.returncode != code: fail("%s: exit %d (expected %d): %s %s" % (" ".join(args), r.returncode, code, r.stdout[-500:], r.stderr[-800:]))
    return r

store = os.path.join(work, "mas.db")
for x in (store, os.path.join(work, "mas-cache.db")):
    if os.path.exists(x): os.unlink(x)
srv, port = start_server()
M = "openai:http://127.0.0.1:%d/v1#%%s?timeout=5&backoff=0.01&max_retries=1" % port
common = ["--data", data, "--store", store, "--cache", os.path.join(work, "mas-cache.db")]
try:
    run(["run", "--method", "mas", "--model", M % "reasoner-m", "--judge-model", "%s,%s" % (M % "judge-a", M % "judge-b"),
         "--reflector-model", M % "reflector-m", "--split", "train", "--queries", qfile, "--name", "m"] + common)
    db = sqlite3.connect(store)
    rid = db.execute("select id from run where name='m'").fetchone()[0]
    items = {r[0]: r[1:] for r in db.execute("select q.idx, i.state, i.raw_text, i.plan_json from item i join query q on q.id=i.query_id where i.run_id=?", (rid,))}
    calls = {}
    for idx, role, model in db.execute("select q.idx, c.role, c.model from llm_call c join query q on q.id=c.query_id where c.run_id=?", (rid,)):
        calls.setdefault(idx, []).append((role, model))
    want_roles = {1: ["judge-1", "judge-2", "reasoner"], 2: ["judge-1", "judge-2", "reasoner", "reflector"],
                  3: ["judge-1", "judge-2", "reasoner", "reflector"], 4: ["judge-1", "judge-2", "reasoner", "reflector"]}
    for i in (1, 2, 3, 4):
        if sorted(r for r, _ in calls.get(i, [])) != want_roles[i]: fail("query %d roles %r" % (i, calls.get(i)))
        if items[i][0] != "done": fail("query %d state %s" % (i, items[i][0]))
    models = dict(calls[2])
    if models != {"reasoner": "reasoner-m", "judge-1": "judge-a", "judge-2": "judge-b", "reflector": "reflector-m"}: fail("models %r" % models)
    st, raw, plan = items[1]
    want = "<think>\nReasoning for query 1: flights first, then stays.\n" + MARK + "\nNo errors.\n" + END + "\n</think>\n" + plan
    if raw != want: fail("query 1 sample:\n%r\nexpected\n%r" % (raw, want))
    norm = [{("day" if k == "days" else k): v for k, v in d.items()} for d in plans[0]]  # the parser's key names
    if json.loads(plan) != norm: fail("query 1 plan differs from the Reasoner's")
    raw2 = items[2][1]
    want2 = "<think>\nReasoning for query 2: flights first, then stays.\n" + MARK + "\nDay 2 repeats a restaurant; I replace it.\n" + END + "\n</think>\n" + items[2][2]
    if raw2 != want2: fail("query 2 sample:\n%r" % raw2)
    if "Day 2 repeats" not in items[3][1]: fail("query 3: the unparseable verdict did not lead to the Reflector")
    # export: counts printed, exact sample
    r = run(["export", "m", "--store", store, "--format", "sft"])
    if "4 samples (3 with a reflection, 4 passing every check)" not in r.stderr: fail("export counts: %r" % r.stderr)
    s0 = json.loads(r.stdout.splitlines()[0])
    if s0["messages"][1]["content"] != want or not s0["messages"][0]["content"].endswith("Request: " + qs[0]["query"] + "\n"):
        fail("export sft sample 1: %r" % s0["messages"][0]["content"][-200:])
    pc = [json.loads(l) for l in run(["export", "m", "--store", store, "--format", "sft-prompt-completion"]).stdout.splitlines()]
    if pc[1]["completion"][0]["content"] != want2 or pc[1]["prompt"][0]["role"] != "user": fail("sft-prompt-completion")
    g = [json.loads(l) for l in run(["export", "m", "--store", store, "--format", "grpo"]).stdout.splitlines()]
    if len(g) != 4 or g[0]["data_source"] != "imagine/travelplanner" or json.loads(g[0]["reward_model"]["ground_truth"])["budget"] != qs[0]["budget"]:
        fail("grpo export %r" % g[0].get("reward_model"))
    run(["export", "m", "--store", store, "--format", "grpo", "--only-passing"], code=2)
    # variants: single agent, one rule judge
    run(["run", "--method", "mas", "--model", M % "reasoner-m", "--method-config", '{"judges": 0}', "--split", "train",
         "--queries", qfile, "--name", "single"] + common)
    sa = json.loads(run(["export", "single", "--store", store, "--format", "sft"]).stdout.splitlines()[0])["messages"][1]["content"]
    if MARK in sa or not sa.startswith("<think>\nReasoning for query 1") : fail("single-agent sample %r" % sa[:200])
    run(["run", "--method", "mas", "--model", M % "reasoner-m", "--judge-model", "rule", "--method-config", '{"judges": 1}',
         "--split", "train", "--queries", qfile, "--name", "rulejudge"] + common)
    rj = db.execute("select c.role, c.model, count(*) from llm_call c join run r on r.id=c.run_id where r.name='rulejudge' group by 1, 2").fetchall()
    if sorted(rj) != [("judge-1", "programmatic:rule", 4), ("reasoner", "reasoner-m", 4)]: fail("rule judge calls %r" % rj)
finally:
    srv.terminate(); srv.wait()

# q4 alone with a Reflector that fails twice (500, 500: max_retries=1), then retry-errors
srv, port = start_server("slow:0,slow:0,slow:0,500,500")
M = "openai:http://127.0.0.1:%d/v1#%%s?timeout=5&backoff=0.01&max_retries=1" % port
try:
    run(["run", "--method", "mas", "--model", M % "reasoner-m", "--split", "train", "--queries", q4file, "--name", "fail",
         "--no-cache", "--data", data, "--store", store], code=4)
    db = sqlite3.connect(store)
    st = db.execute("select i.state, i.error from item i join run r on r.id=i.run_id where r.name='fail'").fetchone()
    if st[0] != "error": fail("reflector failure: item %r" % (st,))
    run(["retry-errors", "fail", "--store", store])
    st = db.execute("select i.state from item i join run r on r.id=i.run_id where r.name='fail'").fetchone()
    if st[0] != "done": fail("after retry-errors: %r" % (st,))
    rows = db.execute("select c.role, c.status from llm_call c join run r on r.id=c.run_id where r.name='fail' order by c.id").fetchall()
    if ("reflector", "error") not in rows or rows[-1] != ("reflector", "ok"): fail("reflector rows %r" % rows)
finally:
    srv.terminate(); srv.wait()

# the programmatic teacher: no model, every branch on train
run(["run", "--method", "mas", "--model", "solver", "--method-config", '{"error_rate": 0.5}', "--split", "train", "--name", "teacher",
     "--data", data, "--store", store])
db = sqlite3.connect(store)
rid = db.execute("select id from run where name='teacher'").fetchone()[0]
roles = dict(((r, m), n) for r, m, n in db.execute("select role, model, count(*) from llm_call where run_id=? group by 1, 2", (rid,)))
nref = roles.get(("reflector", "programmatic:solver"), 0)
if roles.get(("reasoner", "programmatic:solver")) != 45 or roles.get(("judge-1", "programmatic:rule")) != 45 or not (10 <= nref <= 35):
    fail("teacher calls %r" % roles)
r = run(["export", "teacher", "--store", store, "--format", "sft"])
if "45 samples (%d with a reflection, 45 passing every check)" % nref not in r.stderr: fail("teacher export %r" % r.stderr)
refl = [json.loads(l)["messages"][1]["content"] for l in r.stdout.splitlines()]
refl = [x for x in refl if MARK + "\nNo errors." not in x]
if not refl or not all("fails:" in x and "Corrections: day" in x and "Total for the group" in x for x in refl): fail("teacher reflections %r" % refl[:1])
print("mas: %s" % ("ok" if not fails else "%d failures" % fails))
sys.exit(1 if fails else 0)
