#!/usr/bin/env python3
"""mas_pb_check.py IMAGINE TP_DATA PB_DATA WORKDIR: the MAS on PlanBench.
  - the Reasoner's prompt by "reasoner_prompt": "auto" gives a suite without
    reference information mas_reasoner_task (the authors' task text with
    the domain's rules), never TravelPlanner's trip prompt; "statement" gives
    the problem statement alone; anything else is a usage error (exit 2);
  - the exports carry the prompt the run used (sft user turn, grpo prompt);
  - `train grpo --dataset` trains on the exported prompts (short enough for a
    --max-prompt that the suite's own prompt exceeds), and a malformed
    dataset line is an error naming the file and line (exit 2);
  - "teacher_options" reach the suite's teacher: {"actions": "words"} gives
    samples whose trace and answer name actions in the benchmark's English,
    plans that still pass, the same plans as the PDDL run; a non-object or an
    unknown "actions" is a usage error."""
import json, os, shutil, sqlite3, subprocess, sys

exe, tp_data, pb_data, work = sys.argv[1:5]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
env = dict(os.environ, IMAGINE_DATA=tp_data, IMAGINE_PLANBENCH_DATA=pb_data)
fails = 0
def fail(m):
    global fails
    fails += 1
    print("FAIL:", m)

def run(args, code=0):
    r = subprocess.run([exe] + args, capture_output=True, text=True, env=env)
    if r.returncode != code:
        fail("%s: exit %d (expected %d): %s %s" % (" ".join(args), r.returncode, code, r.stdout[-400:], r.stderr[-600:]))
    return r

store = os.path.join(work, "mas_pb.db")
base = ["run", "--store", store, "--suite", "planbench", "--variant", "blocksworld_3", "--limit", "6", "--method", "mas",
        "--model", "solver", "--seed", "3"]
run(base + ["--name", "auto", "--method-config", '{"error_rate": 0.5}'])
run(base + ["--name", "stmt", "--method-config", '{"error_rate": 0.5, "reasoner_prompt": "statement"}'])
r = run(base + ["--name", "bad", "--method-config", '{"reasoner_prompt": "short"}'], code=2)
if "reasoner_prompt" not in r.stderr: fail("a bad reasoner_prompt is not named: " + r.stderr)

def export(name, fmt):
    out = os.path.join(work, "%s.%s.jsonl" % (name, fmt))
    run(["export", name, "--store", store, "--format", fmt, "--out", out])
    return [json.loads(l) for l in open(out)]

auto, stmt = export("auto", "sft"), export("stmt", "sft")
if len(auto) != 6 or len(stmt) != 6: fail("6 samples each expected: %d, %d" % (len(auto), len(stmt)))
for a, s in zip(auto, stmt):
    pa, ps = a["messages"][0]["content"], s["messages"][0]["content"]
    if "I can only pick up or unstack one block at a time." not in pa: fail("auto prompt lacks the domain's rules: " + pa[:200])
    if "trip" in pa or "accommodation" in pa: fail("auto prompt is TravelPlanner's: " + pa[:200])
    if not ps.startswith("As initial conditions I have that, ") or "My goal is to have that " not in ps: fail("statement prompt: " + ps)
    if "[STATEMENT]" in ps or "restrictions" in ps or "[PLAN]" in ps: fail("statement prompt has more than the statement: " + ps)
    if ps not in pa: fail("the statement is not the auto prompt's problem: " + ps)
    if a["messages"][1]["content"] != s["messages"][1]["content"]: fail("same seed, different traces")
run(base + ["--name", "words", "--method-config",
            '{"error_rate": 0.5, "reasoner_prompt": "statement", "teacher_options": {"actions": "words"}}'])
words = export("words", "sft")
con = sqlite3.connect(store)
def plans(name):
    return con.execute("select i.state, i.plan_json from item i join run r on r.id = i.run_id where r.name = ? order by i.query_id",
                       (name,)).fetchall()
pw, ps_ = plans("words"), plans("stmt")
if len(pw) != 6 or any(st != "done" for st, _ in pw): fail("words run: %s" % pw)
for (_, w), (_, p) in zip(pw, ps_):
    ew = json.loads(w)
    if any(a.startswith("(") for a in ew) or len(ew) != len(json.loads(p)): fail("words plan %s vs %s" % (w, p))
for w, s in zip(words, stmt):
    tw, ts = w["messages"][1]["content"], s["messages"][1]["content"]
    if "after step 1 (" not in tw or "(unstack a" in tw or "(pick-up" in tw or '"(' in tw.split("</think>")[-1]:
        fail("words sample names PDDL actions: " + tw[:300])
    if w["messages"][0] != s["messages"][0]: fail("words run prompt differs")
acc = con.execute("select count(*) from item i join run r on r.id = i.run_id join verdict v on v.run_id = i.run_id "
                  "and v.query_id = i.query_id where r.name = 'words' and v.name = 'valid_plan' and v.value = 1").fetchone()[0]
if acc != 6: fail("words run: %d of 6 plans valid" % acc)
con.close()
for bad_opts in ('{"teacher_options": "words"}', '{"teacher_options": {"actions": "french"}}'):
    r = run(base + ["--name", "badopt", "--method-config", bad_opts], code=2)
grpo = export("stmt", "grpo")
if [g["prompt"][0]["content"] for g in grpo] != [s["messages"][0]["content"] for s in stmt]:
    fail("the grpo export's prompts are not the sft export's")

# train grpo --dataset: a tiny model, one step
model = os.path.join(work, "mas_pb_model")
run(["model", "init", "--corpus", os.path.join(work, "stmt.sft.jsonl"), "--tok-vocab", "400", "--dtype", "f32", "--seed", "1",
     "--out", model])
ds = os.path.join(work, "stmt.grpo.jsonl")
common = ["train", "grpo", "--model", model, "--suite", "planbench", "--store", store, "--steps", "1", "--group", "2",
          "--max-completion", "8", "--max-prompt", "150", "--lr", "1e-4", "--think"]
r = run(common + ["--dataset", ds, "--out", os.path.join(work, "mas_pb_grpo"), "--name", "grpo-ds"])
con = sqlite3.connect(store)
steps = con.execute("select count(*) from train_step s join run r on r.id = s.run_id where r.name = 'grpo-ds'").fetchone()[0]
cfg = json.loads(con.execute("select config_json from run where name = 'grpo-ds'").fetchone()[0] or "{}")
if steps != 1: fail("grpo-ds: %d steps stored" % steps)
if ds not in json.dumps(cfg): fail("grpo-ds: the dataset is not in the run's configuration: %s" % cfg)
# the suite's own prompt (rules and one-shot example) is longer than 150 tokens
qfile = os.path.join(work, "mas_pb_items.jsonl")
with open(qfile, "w") as f:
    for g in grpo: f.write(g["ground_truth"] + "\n")
r = run(common + ["--queries", qfile, "--out", os.path.join(work, "mas_pb_grpo2"), "--name", "grpo-q"], code=2)
if "--max-prompt" not in r.stderr: fail("the suite's prompt fits --max-prompt 150: " + r.stderr[-300:])
bad = os.path.join(work, "mas_pb_bad.jsonl")
with open(bad, "w") as f:
    f.write(open(ds).readline())
    f.write('{"prompt": "not a list", "ground_truth": "{}"}\n')
r = run(common + ["--dataset", bad, "--out", os.path.join(work, "mas_pb_grpo3"), "--name", "grpo-bad"], code=2)
if bad + ":2:" not in r.stderr: fail("a bad dataset line is not named as FILE:2: " + r.stderr[-300:])
r = run(common + ["--dataset", ds, "--queries", qfile, "--out", os.path.join(work, "mas_pb_grpo4")], code=2)
print("mas_pb_check: %d failure(s)" % fails)
sys.exit(1 if fails else 0)
