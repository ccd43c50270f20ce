#!/usr/bin/env python3
"""pipeline_check.py IMAGINE DATA WORKDIR: `imagine pipeline` on
TravelPlanner with the programmatic teacher. An uninterrupted run A; then
the same configuration in another store, killed with SIGKILL (the whole
process group, children included) at random moments and started again
until it finishes: every artifact has the same SHA-256 as A's, and every
stage is recorded done with its outputs' hashes. A finished pipeline run
again skips every stage; a changed stage configuration reruns that stage
and those after it. The external SFT hand-off writes its command and waits
(exit 4) until the checkpoint folder appears; the checkpoint choice picks
from checkpoint-N folders. --dry-run prints stages and estimates per role."""
import hashlib, json, os, random, shutil, signal, sqlite3, subprocess, sys, time

exe, data, work = sys.argv[1:4]
fails = 0
def fail(m):
    global fails
    fails += 1
    print("FAIL:", m)
def sha(p): return hashlib.sha256(open(p, "rb").read()).hexdigest()

def config(tag, n=24, extra=None):
    c = {"name": "pl", "suite": "travelplanner", "data": data, "store": os.path.join(work, tag + ".db"),
         "workdir": os.path.join(work, tag + ".out"),
         "stages": {"queries": {"n": n, "seed": 5, "config": {"reference": True}},
                    "traces": {"model": "solver", "method_config": {"error_rate": 0.5}},
                    "samples": {"only_passing": True}}}
    if extra: c["stages"].update(extra)
    path = os.path.join(work, tag + ".json")
    json.dump(c, open(path, "w"))
    return path

for tag in ("A", "B", "C"):
    for x in (tag + ".db", tag + ".db-wal", tag + ".db-shm", tag + ".db.lock"):
        if os.path.exists(os.path.join(work, x)): os.unlink(os.path.join(work, x))
    shutil.rmtree(os.path.join(work, tag + ".out"), ignore_errors=True)

ca = config("A")
r = subprocess.run([exe, "pipeline", ca], capture_output=True, text=True)
if r.returncode: fail("A: exit %d %s %s" % (r.returncode, r.stdout, r.stderr))
arts = ["queries.jsonl", "traces.submission.jsonl", "sft.jsonl", "grpo.jsonl", "traces.run"]
A = {a: sha(os.path.join(work, "A.out", a)) for a in arts}
r = subprocess.run([exe, "pipeline", ca], capture_output=True, text=True)
if r.returncode or r.stdout.count("done (inputs unchanged)") != 3: fail("A again: not skipped: %s" % r.stdout)

cb = config("B")
rng = random.Random(int(os.environ.get("SEED", "7")))
kills = 0
# Up to 30 kills at random moments, then a run left to finish: a stage that
# takes longer than the longest wait (ASan on a loaded 2-core host) would
# otherwise be killed every time and never finish.
for attempt in range(31):
    p = subprocess.Popen([exe, "pipeline", cb], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        rc = p.wait(timeout=rng.uniform(0.05, 1.2) if attempt < 30 else 600)
        if rc == 0: break
        fail("B: exit %d without a kill" % rc)
        break
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        kills += 1
else:
    fail("B never finished")
B = {a: sha(os.path.join(work, "B.out", a)) for a in arts}
for a in arts:
    if A[a] != B[a]: fail("%s differs after %d kills" % (a, kills))
db = sqlite3.connect(os.path.join(work, "B.db"))
rows = db.execute("select stage, state, outputs_json from pipeline_stage order by stage").fetchall()
if [r[0] for r in rows] != ["queries", "samples", "traces"] or any(r[1] != "done" for r in rows): fail("B stages %r" % rows)
outs = {}
for r in rows: outs.update(json.loads(r[2]) if r[2] else {})
if outs.get("sft.jsonl") != A["sft.jsonl"] or outs.get("queries.jsonl") != A["queries.jsonl"]: fail("recorded hashes %r" % outs)
n_items = db.execute("select count(*) from item").fetchone()[0]
if n_items != 24: fail("B: %d items (a killed run left duplicates?)" % n_items)

# a changed stage reruns it and what follows; training hand-off and checkpoint choice
cc = config("C", extra={"sft": {"external": True, "base": "Qwen/Qwen3-8B", "wait_s": 0}, "checkpoint": {"fraction": 0.5}})
r = subprocess.run([exe, "pipeline", cc], capture_output=True, text=True)
if r.returncode != 4 or "waits for the external trainer" not in r.stderr: fail("C: exit %d %s" % (r.returncode, r.stderr))
cmd = open(os.path.join(work, "C.out", "sft.command.sh")).read()
if "trl sft --model_name_or_path Qwen/Qwen3-8B" not in cmd or "sft.jsonl" not in cmd: fail("sft command %r" % cmd)
for k in (10, 20, 30):
    os.makedirs(os.path.join(work, "C.out", "sft-ckpt", "checkpoint-%d" % k))
    open(os.path.join(work, "C.out", "sft-ckpt", "checkpoint-%d" % k, "config.json"), "w").write("{}")
r = subprocess.run([exe, "pipeline", cc], capture_output=True, text=True)
if r.returncode or "stage queries    done (inputs unchanged)" not in r.stdout: fail("C resume: %d %s %s" % (r.returncode, r.stdout, r.stderr))
ck = open(os.path.join(work, "C.out", "checkpoint.txt")).read().strip()
if not ck.endswith("sft-ckpt/checkpoint-20"): fail("checkpoint %r" % ck)
c = json.load(open(cc)); c["stages"]["samples"]["only_passing"] = False; json.dump(c, open(cc, "w"))
r = subprocess.run([exe, "pipeline", cc], capture_output=True, text=True)
if r.returncode or "stage traces     done (inputs unchanged)" not in r.stdout or "stage samples    running" not in r.stdout:
    fail("changed samples: %s" % r.stdout)
r = subprocess.run([exe, "pipeline", cc, "--dry-run"], capture_output=True, text=True)
if r.returncode or "programmatic:solver" not in r.stdout or "judge-2" not in r.stdout: fail("dry run %s %s" % (r.stdout, r.stderr))
print("pipeline: %d kills; %s" % (kills, "ok" if not fails else "%d failures" % fails))
sys.exit(1 if fails else 0)
