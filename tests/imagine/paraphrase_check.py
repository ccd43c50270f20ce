#!/usr/bin/env python3
"""paraphrase_check.py IMAGINE TEST_SERVER DATA WORKDIR: `imagine queries
generate --suite travelplanner --paraphrase-model SPEC` against the
project's test server (tests/http/server.c) on 127.0.0.1:
  - a server that rewords well: every answer that keeps the facts replaces
    the text, the template stays in "query_template", every other field is
    the generator's; answers that drop the budget or invent a figure are
    rejected (template kept, the reason recorded and reported);
  - the same command again gives a byte-identical file (answers from the
    cache), and so does --no-cache --concurrency 1 (same answers);
  - a server that answers 500 to every attempt: every item is
    paraphrase_failed with its template, the generation completes (exit 0);
    with --concurrency 1, no retry and one 500 first, only the first item fails;
  - a malformed spec exits 2 naming --paraphrase-model; PlanBench refuses
    the flag with exit 2; --concurrency without the flag exits 2;
  - `imagine pipeline --dry-run` with the queries stage's paraphrase_model
    prints the paraphraser's calls, tokens and cost."""
import hashlib, json, os, subprocess, sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import test_server

exe, srv_exe, data, work = sys.argv[1:5]
src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
fails = 0
def fail(m):
    global fails
    fails += 1
    print("FAIL:", m)

def run(args, code=0):
    r = subprocess.run([exe] + args, capture_output=True, text=True)
    if r.returncode != code: fail("%s: exit %d (expected %d): %s %s" % (" ".join(args), r.returncode, code, r.stdout[-800:], r.stderr[-800:]))
    return r

N = 12
gen = ["queries", "generate", "--suite", "travelplanner", "--n", str(N), "--seed", "11", "--config", '{"reference": false}', "--data", data]
base_file = os.path.join(work, "para_base.jsonl")
run(gen + ["--out", base_file])
base = [json.loads(l) for l in open(base_file)]

def reword(q):
    """A rewording of our own that keeps every fact the check reads."""
    d1, d2 = int(q["date"][0][-2:]), int(q["date"][-1][-2:])
    who = "a lone traveller" if q["people_number"] == 1 else "%d of us" % q["people_number"]
    place = q["dest"] if q["visiting_city_number"] == 1 else "%d cities of %s" % (q["visiting_city_number"], q["dest"])
    s = "Starting in %s, %s would like to see %s from March %d until March %d, 2022, spending no more than $%s overall." % (
        q["org"], who, place, d1, d2, "{:,}".format(q["budget"]))
    lc = q["local_constraint"]
    rules = {"smoking": "Smoking must be allowed where we stay.", "parties": "Parties have to be permitted.",
             "children under 10": "Our children under 10 must be welcome.", "visitors": "Visitors must be allowed.",
             "pets": "Pets must be accepted."}
    rooms = {"entire room": "We want the entire place.", "private room": "Private rooms only.",
             "not shared room": "The rooms must not be shared.", "shared room": "Shared rooms are fine."}
    if lc["house rule"]: s += " " + rules[lc["house rule"]]
    if lc["cuisine"]: s += " We want to eat " + " and ".join(lc["cuisine"]) + " food."
    if lc["room type"]: s += " " + rooms[lc["room type"]]
    if lc["transportation"]: s += " No flying." if lc["transportation"] == "no flight" else " No driving ourselves."
    return s

want = {}
script = []
for i, q in enumerate(base):
    text = reword(q)
    answer = text
    if i == 1: answer = '  "' + text + '"\n'              # quotes and blanks around it are removed
    if i == 3: answer = text.replace("$" + "{:,}".format(q["budget"]), "a reasonable sum")  # the budget dropped
    if i == 5: answer = text + " We arrive at 11:45 pm."   # an invented figure
    want[q["idx"]] = None if i in (3, 5) else text
    script.append({"match": "Request: " + q["query"] + "\n", "content": answer})
sfile = os.path.join(work, "para_script.jsonl")
with open(sfile, "w") as f:
    for e in script: f.write(json.dumps(e) + "\n")
prompt_sha = hashlib.sha256(open(os.path.join(src, "agents", "prompts", "paraphrase.txt"), "rb").read()).hexdigest()

def start_server(faults=None):
    return test_server.start_server(srv_exe, work, sfile, faults, 'para', 120)

def check_common(lines, what):
    if len(lines) != N: fail("%s: %d lines" % (what, len(lines))); return
    for b, l in zip(base, lines):
        if l.get("query_template") != b["query"]: fail("%s: item %d: query_template %r" % (what, b["idx"], l.get("query_template")))
        p = l.get("paraphrase", {})
        if p.get("model") != "para-m" or p.get("prompt_sha256") != prompt_sha: fail("%s: item %d: note %r" % (what, b["idx"], p))
        rest = {k: v for k, v in l.items() if k not in ("query", "query_template", "paraphrase")}
        if rest != {k: v for k, v in b.items() if k != "query"}: fail("%s: item %d: other fields changed" % (what, b["idx"]))

cache = os.path.join(work, "para-cache.db")
for x in (cache,):
    if os.path.exists(x): os.unlink(x)
out1, out2, out3 = (os.path.join(work, "para_%d.jsonl" % k) for k in (1, 2, 3))
srv, port = start_server()
M = "openai:http://127.0.0.1:%d/v1#para-m?timeout=5&backoff=0.01&max_retries=1" % port
try:
    r = run(gen + ["--out", out1, "--paraphrase-model", M, "--cache", cache, "--concurrency", "4"])
    if "paraphrase: model para-m, prompt agents/prompts/paraphrase.txt sha256 %s; %d paraphrased, 2 paraphrase_rejected, 0 paraphrase_failed (0 answers from the cache" % (prompt_sha, N - 2) not in r.stdout:
        fail("report: %r" % r.stdout)
    lines = [json.loads(l) for l in open(out1)]
    check_common(lines, "good server")
    for b, l in zip(base, lines):
        st = l["paraphrase"]["status"]
        if want[b["idx"]] is None:
            if st != "paraphrase_rejected" or l["query"] != b["query"]: fail("item %d: %s %r" % (b["idx"], st, l["query"]))
        elif st != "paraphrased" or l["query"] != want[b["idx"]] or "reason" in l["paraphrase"]:
            fail("item %d: %s %r" % (b["idx"], st, l["query"]))
    if "budget" not in lines[3]["paraphrase"].get("reason", "") or "rejected, item 4: the budget" not in r.stdout:
        fail("budget rejection: %r / %r" % (lines[3]["paraphrase"], r.stdout))
    if "none of the query's figures" not in lines[5]["paraphrase"].get("reason", ""): fail("figure rejection: %r" % lines[5]["paraphrase"])
    # the same command: the same bytes, from the cache; the same answers without it, one at a time
    r = run(gen + ["--out", out2, "--paraphrase-model", M, "--cache", cache])
    if open(out1, "rb").read() != open(out2, "rb").read(): fail("rerun from the cache: the file differs")
    if "(%d answers from the cache" % N not in r.stdout: fail("rerun: not from the cache: %r" % r.stdout)
    run(gen + ["--out", out3, "--paraphrase-model", M, "--no-cache", "--concurrency", "1"])
    if open(out1, "rb").read() != open(out3, "rb").read(): fail("--no-cache --concurrency 1: the file differs")
finally:
    srv.terminate(); srv.wait()

# every attempt a 500 (2 attempts an item: max_retries=1): all failed, templates kept, exit 0
srv, port = start_server(",".join(["500"] * (2 * N)))
M = "openai:http://127.0.0.1:%d/v1#para-m?timeout=5&backoff=0.01&max_retries=1" % port
try:
    r = run(gen + ["--out", out1, "--paraphrase-model", M, "--no-cache"])
    lines = [json.loads(l) for l in open(out1)]
    check_common(lines, "500 server")
    if any(l["paraphrase"]["status"] != "paraphrase_failed" or l["query"] != l["query_template"] or
           l["paraphrase"].get("reason") != "the model call failed" for l in lines):
        fail("500 server: items %r" % [l["paraphrase"] for l in lines])
    if "0 paraphrased, 0 paraphrase_rejected, %d paraphrase_failed" % N not in r.stdout or "failed, item 1:" not in r.stdout:
        fail("500 report: %r" % r.stdout)
finally:
    srv.terminate(); srv.wait()
# one 500 first, no retry, one request at a time: the first item fails, the others are answered
srv, port = start_server("500")
M = "openai:http://127.0.0.1:%d/v1#para-m?timeout=5&max_retries=0" % port
try:
    r = run(gen + ["--out", out1, "--paraphrase-model", M, "--no-cache", "--concurrency", "1"])
    st = [json.loads(l)["paraphrase"]["status"] for l in open(out1)]
    if st[0] != "paraphrase_failed" or st.count("paraphrased") != N - 3: fail("partial failure: %r" % st)
finally:
    srv.terminate(); srv.wait()

# refusals
r = run(gen + ["--out", out1, "--paraphrase-model", "openai:http://127.0.0.1:1/v1"], code=2)
if "--paraphrase-model" not in r.stderr: fail("malformed spec: %r" % r.stderr)
r = run(gen + ["--out", out1, "--paraphrase-model", "openai:http://127.0.0.1:1/v1#m?temperature=hot"], code=2)
if "--paraphrase-model" not in r.stderr: fail("malformed spec (key): %r" % r.stderr)
r = run(["queries", "generate", "--suite", "planbench", "--variant", "blocksworld", "--blocks", "3", "--n", "2", "--seed", "1",
         "--out", out1, "--paraphrase-model", "openai:http://127.0.0.1:1/v1#m"], code=2)
if "PlanBench" not in r.stderr or "--paraphrase-model" not in r.stderr: fail("planbench: %r" % r.stderr)
run(gen + ["--out", out1, "--concurrency", "2"], code=2)
# the pipeline's queries stage takes the flag; --dry-run counts the paraphraser's calls and cost
pcfg = os.path.join(work, "para_pipeline.json")
json.dump({"name": "para", "suite": "travelplanner", "data": data, "store": os.path.join(work, "para_dry.db"),
           "workdir": os.path.join(work, "para_dry.out"),
           "stages": {"queries": {"n": N, "seed": 11, "paraphrase_model": "openai:http://127.0.0.1:1/v1#para-m?price_in=1000&price_out=2000"},
                      "traces": {"model": "solver"}}}, open(pcfg, "w"))
r = subprocess.run([exe, "pipeline", pcfg, "--dry-run"], capture_output=True, text=True)
row = [l.split() for l in r.stdout.splitlines() if l.split()[:1] == ["paraphrase"]]
if r.returncode or row != [["paraphrase", "para-m", str(N), str(200 * N), str(100 * N), "%.2f" % ((200 * N * 1000 + 100 * N * 2000) / 1e6)]]:
    fail("pipeline --dry-run: %r %r" % (row, r.stdout + r.stderr))
print("paraphrase: %s" % ("ok" if not fails else "%d failures" % fails))
sys.exit(1 if fails else 0)
