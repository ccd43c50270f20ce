#!/usr/bin/env python3
"""pipeline_train_check.py IMAGINE PB_DATA WORKDIR: `imagine pipeline` on
PlanBench Blocksworld end to end with its local training stages:
  1. queries (8 new 3-block problems), traces (the programmatic teacher),
     samples; then a tiny model from `imagine model init` on the samples'
     text (what a researcher does between the two runs);
  2. the same configuration with sft (`imagine train sft --device cpu`,
     4 steps, a checkpoint every step), checkpoint (half way: checkpoint-3),
     grpo (`imagine train grpo` from that checkpoint, 1 step) and eval (the
     SFT and GRPO models through `local:`, 2 problems each), report: the first three
     stages are skipped, the checkpoints exist, the trainers' runs are in
     the pipeline's store, and the evaluation runs loaded both models
     (every item done with the model's text), the report names both;
  3. again: every stage skipped, no new run;
  4. a kill during SFT (its row left `running`, its last checkpoint and
     final model gone): the same command resumes the trainer from
     checkpoint-3 to the same files, and the stages after it are skipped;
  5. a changed SFT learning rate: sft and every stage after it run again
     (the old checkpoints moved aside, never trained on), the ones before
     are skipped."""
import json, os, shutil, sqlite3, subprocess, sys

exe, pb, work = sys.argv[1:4]
fails = 0
def fail(m):
    global fails
    fails += 1
    print("FAIL:", m)

shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
store, wd, cfg_path = os.path.join(work, "pt.db"), os.path.join(work, "pt.out"), os.path.join(work, "pt.json")
init = os.path.join(work, "init")

def pipeline(cfg, code=0):
    json.dump(cfg, open(cfg_path, "w"), indent=1)
    r = subprocess.run([exe, "pipeline", cfg_path], capture_output=True, text=True)
    if r.returncode != code:
        log = open(os.path.join(wd, "pipeline.log")).read()[-3000:] if os.path.exists(os.path.join(wd, "pipeline.log")) else ""
        fail("pipeline: exit %d (expected %d): %s %s\n%s" % (r.returncode, code, r.stdout[-1500:], r.stderr[-1500:], log))
    return r.stdout

def skipped(out):
    return [l.split()[1] for l in out.splitlines() if l.startswith("stage ") and "done (inputs unchanged)" in l]
def ran(out):
    return [l.split()[1] for l in out.splitlines() if l.startswith("stage ") and l.rstrip().endswith("running")]

cfg = {"name": "pt", "suite": "planbench", "data": pb, "store": store, "workdir": wd,
       "stages": {"queries": {"n": 8, "seed": 1, "config": {"variant": "blocksworld", "blocks": 3, "zero_shot": True}},
                  "traces": {"model": "solver", "method_config": {"error_rate": 0.3, "reasoner_prompt": "statement"}},
                  "samples": {"only_passing": True}}}
out = pipeline(cfg)
if ran(out) != ["queries", "traces", "samples"]: fail("first run: %r" % out)
with open(os.path.join(work, "corpus.txt"), "w") as f:
    for l in open(os.path.join(wd, "sft.jsonl")):
        for m in json.loads(l)["messages"]: f.write(m["content"] + "\n")
r = subprocess.run([exe, "model", "init", "--corpus", os.path.join(work, "corpus.txt"), "--tok-vocab", "400", "--hidden", "64",
                    "--layers", "2", "--heads", "2", "--kv-heads", "1", "--head-dim", "32", "--ffn", "128", "--dtype", "f32",
                    "--init-std", "0.02", "--seed", "1", "--out", init], capture_output=True, text=True)
if r.returncode: fail("model init: %s" % r.stderr)

local = "local:{%s}?max_tokens=24&thinking=on&seed=1"
single = {"judges": 0, "reasoner_prompt": "statement", "no_cache": True}
cfg["stages"].update({
    "sft": {"args": ["--model", init, "--data", "{work}/sft.jsonl", "--out", "{sft}", "--device", "cpu", "--max-steps", "4",
                     "--save-every", "1", "--batch-tokens", "2048", "--max-len", "1280", "--lr", "3e-3", "--seed", "1"]},
    "checkpoint": {"fraction": 0.5},
    "grpo": {"args": ["--model", "{checkpoint}", "--suite", "planbench", "--dataset", "{work}/grpo.jsonl", "--out", "{grpo}",
                      "--steps", "1", "--group", "2", "--prompts", "2", "--think", "--max-completion", "24", "--max-prompt", "256",
                      "--device", "cpu", "--seed", "1"]},
    "eval": {"split": "blocksworld", "queries": "{work}/queries.jsonl", "limit": 2,
             "runs": [{"name": "sft", "method": "mas", "model": local % "sft", "method_config": single},
                      {"name": "grpo", "method": "mas", "model": local % "grpo", "method_config": single}]},
    "report": {"title": "pipeline_train"}})
out = pipeline(cfg)
if skipped(out) != ["queries", "traces", "samples"] or ran(out) != ["sft", "checkpoint", "grpo", "eval", "report"]: fail("training run: %r" % out)
sft, grpo = os.path.join(wd, "sft-ckpt"), os.path.join(wd, "grpo-ckpt")
for f in ["model.safetensors", "config.json", "tokenizer.json"] + ["checkpoint-%d/model.safetensors" % k for k in (1, 2, 3, 4)]:
    if not os.path.exists(os.path.join(sft, f)): fail("sft-ckpt/%s missing" % f)
if not os.path.exists(os.path.join(grpo, "model.safetensors")): fail("grpo-ckpt/model.safetensors missing")
ck = open(os.path.join(wd, "checkpoint.txt")).read().strip()
if ck != os.path.join(sft, "checkpoint-3"): fail("checkpoint.txt %r" % ck)
log = open(os.path.join(wd, "pipeline.log")).read()
if "train grpo --model %s " % ck not in log: fail("GRPO did not start from %s" % ck)
db = sqlite3.connect(store)
def steps(prefix):
    return db.execute("select count(*) from train_step s join run r on r.id = s.run_id where r.name like ?", (prefix + "%",)).fetchone()[0]
if steps("pt-sft-") != 4 or steps("pt-grpo-") != 1: fail("trainer runs in the store: sft %d steps, grpo %d" % (steps("pt-sft-"), steps("pt-grpo-")))
evals = open(os.path.join(wd, "eval.runs")).read().split()
if len(evals) != 2: fail("eval.runs %r" % evals)
for rn in evals:
    rows = db.execute("select i.state, length(i.raw_text) from item i join run r on r.id = i.run_id where r.name = ?", (rn,)).fetchall()
    if len(rows) != 2 or any(st != "done" or not n for st, n in rows): fail("eval run %s items %r" % (rn, rows))
html = open(os.path.join(wd, "report.html")).read()
if any(rn not in html for rn in evals): fail("report.html lacks the evaluation runs")
n_runs = db.execute("select count(*) from run").fetchone()[0]
stage_rows = dict(db.execute("select stage, outputs_json from pipeline_stage"))

out = pipeline(cfg)
if len(skipped(out)) != 8 or ran(out): fail("second invocation: %r" % out)
if db.execute("select count(*) from run").fetchone()[0] != n_runs: fail("second invocation made runs")

# a kill during SFT: the row says running, the last checkpoint and the final model are gone
db.execute("update pipeline_stage set state = 'running' where stage = 'sft'")
db.commit()
shutil.rmtree(os.path.join(sft, "checkpoint-4"))
os.unlink(os.path.join(sft, "model.safetensors"))
out = pipeline(cfg)
if ran(out) != ["sft"] or len(skipped(out)) != 7: fail("resume: %r" % out)
if "resuming from %s/checkpoint-3 (step 3)" % sft not in open(os.path.join(wd, "pipeline.log")).read(): fail("SFT did not resume from checkpoint-3")
if dict(db.execute("select stage, outputs_json from pipeline_stage")) != stage_rows: fail("resumed SFT: other files than the uninterrupted run's")

# a changed input reruns its stage and those after it
cfg["stages"]["sft"]["args"][cfg["stages"]["sft"]["args"].index("--lr") + 1] = "2e-3"
out = pipeline(cfg)
if skipped(out) != ["queries", "traces", "samples"] or ran(out) != ["sft", "checkpoint", "grpo", "eval", "report"]: fail("changed lr: %r" % out)
if not [d for d in os.listdir(wd) if d.startswith("sft-ckpt.old-")] or not [d for d in os.listdir(wd) if d.startswith("grpo-ckpt.old-")]:
    fail("the old checkpoints were not moved aside: %r" % os.listdir(wd))
new_rows = dict(db.execute("select stage, outputs_json from pipeline_stage"))
if new_rows["sft"] == stage_rows["sft"] or new_rows["samples"] != stage_rows["samples"]: fail("changed lr: outputs %r" % new_rows)
if steps("pt-sft-") != 8: fail("changed lr: the new SFT run has %d steps in all (want 4 + 4)" % steps("pt-sft-"))
print("pipeline_train: %s" % ("ok" if not fails else "%d failures" % fails))
sys.exit(1 if fails else 0)
