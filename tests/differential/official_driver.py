# official_driver.py QUERIES PLANS: runs the official per-plan evaluation (the
# official modules, imported from a local checkout) and prints one JSON line
# per plan, or {"crash": ...} where the official code raises.
import sys, types, json, os, io, contextlib
for name in ['gradio', 'requests', 'requests.exceptions', 'tqdm', 'datasets']:
    m = types.ModuleType(name); sys.modules[name] = m
sys.modules['requests.exceptions'].SSLError = Exception
sys.modules['tqdm'].tqdm = lambda x, **k: x
sys.modules['datasets'].load_dataset = None
sys.path.insert(0, os.path.abspath('..'))
os.chdir(os.path.dirname(os.path.abspath(__file__)))
with contextlib.redirect_stdout(io.StringIO()):
    from commonsense_constraint import evaluation as cs_eval
    from hard_constraint import evaluation as hard_eval, convert_bool_values
qfile, pfile = sys.argv[1], sys.argv[2]
queries = [json.loads(l) for l in open(qfile) if l.strip()]
plans = [json.loads(l) for l in open(pfile).read().strip().split('\n')]
for q, p in zip(queries, plans):
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            cs = cs_eval(q, p['plan']) if p['plan'] else None
            hard = hard_eval(q, p['plan']) if cs and cs['is_not_absent'][0] and cs['is_valid_information_in_sandbox'][0] else None
        print(json.dumps(convert_bool_values({'commonsense_constraint': cs, 'hard_constraint': hard})))
    except Exception as e:
        print(json.dumps({'crash': type(e).__name__ + ': ' + str(e)}))
