"""compare.py OFFICIAL.jsonl OURS.jsonl: per-plan verdicts, message for message."""
import json, sys
off = [json.loads(l) for l in open(sys.argv[1])]
ours = [json.loads(l) for l in open(sys.argv[2])]
crash = diff = same = 0
for i, (a, b) in enumerate(zip(off, ours)):
    if 'crash' in a: crash += 1; continue
    b.pop('error', None)
    if a == b: same += 1
    else:
        diff += 1
        if diff <= 5:
            for fam in ['commonsense_constraint', 'hard_constraint']:
                x, y = a.get(fam), b.get(fam)
                if x != y:
                    if isinstance(x, dict) and isinstance(y, dict):
                        for k in x:
                            if x[k] != y.get(k): print(f'line {i+1} {k}: official {x[k]} ours {y.get(k)}')
                    else: print(f'line {i+1} {fam}: official {x} ours {y}')
print(f'same {same} differ {diff} official-crash {crash}')
sys.exit(1 if diff else 0)
