# hf_csv.py JSONL OUT.csv: a split CSV in the Hugging Face layout (osunlp/TravelPlanner) made from
# the suite's JSONL: date and local_constraint as Python literals (repr), annotated_plan as the repr of
# [query fields, day list], reference_information as its string. For the data_fetch_upstream test.
import csv, json, sys
cols = ['org', 'dest', 'days', 'visiting_city_number', 'date', 'people_number', 'local_constraint', 'budget',
        'query', 'level', 'annotated_plan', 'reference_information']
rows = [json.loads(l) for l in open(sys.argv[1], encoding='utf-8')]
with open(sys.argv[2], 'w', newline='', encoding='utf-8') as f:
    w = csv.writer(f, lineterminator='\n')
    w.writerow(cols)
    for r in rows:
        head = {k: r[k] for k in cols[:10]}
        w.writerow([repr(r[c]) if c in ('date', 'local_constraint') else
                    (repr([head, r[c]]) if c in r else '') if c == 'annotated_plan' else
                    r.get(c, '') for c in cols])
