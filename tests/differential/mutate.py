"""mutate.py SEED N QUERIES_OUT PLANS_OUT: realistic and broken variants of the
shipped train plans and queries, for the differential test (run.sh)."""
import json, random, csv, sys, os
D = os.environ.get('TP_DATA', '../shared/travelplanner')
rng = random.Random(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
N = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
qs = [json.loads(l) for l in open(f'{D}/queries/train.jsonl')]
for q in qs: q.pop('reference_information', None); q.pop('annotated_plan', None)
vq = [json.loads(l) for l in open(f'{D}/queries/validation.jsonl')]
plans = []
for f in ['train_annotated_plans', 'train_gpt-4-1106-preview_direct_sole-planning_submission',
          'train_gpt-4-1106-preview_cot_sole-planning_submission', 'train_gpt-4-1106-preview_two-stage_submission']:
    plans.append([json.loads(l)['plan'] for l in open(f'{D}/outputs/train/{f}.jsonl')])
rest = list(csv.DictReader(open(f'{D}/database/restaurants/clean_restaurant_2022.csv')))
attr = list(csv.DictReader(open(f'{D}/database/attractions/attractions.csv')))
acc = list(csv.DictReader(open(f'{D}/database/accommodations/clean_accommodations_2022.csv')))
fl = list(csv.DictReader(open(f'{D}/database/flights/clean_Flights_2022.csv')))
dist = list(csv.DictReader(open(f'{D}/database/googleDistanceMatrix/distance.csv')))
cities = [l.split('\t')[0] for l in open(f'{D}/database/background/citySet_with_states.txt').read().split('\n')]
FIELDS = ['current_city', 'transportation', 'breakfast', 'attraction', 'lunch', 'dinner', 'accommodation']

def city_of(plan):
    cs = [d.get('current_city', '') for d in plan if isinstance(d, dict) and d]
    return rng.choice(cs) if cs else 'Rockford'

def rand_value(field, plan):
    r = rng.random()
    if r < 0.08: return rng.choice(['-', '', '-', 'N/A'])
    if field in ('breakfast', 'lunch', 'dinner'):
        x = rng.choice(rest); name = x['Name']
        if rng.random() < 0.2: name = name[:max(1, len(name) // 2)]
        return f"{name}, {x['City']}" if rng.random() < 0.9 else name
    if field == 'attraction':
        k = rng.randint(1, 3); xs = [rng.choice(attr) for _ in range(k)]
        s = ''.join(f"{x['Name']}, {x['City']};" for x in xs)
        return s if rng.random() < 0.8 else s.rstrip(';')
    if field == 'accommodation':
        x = rng.choice(acc); return f"{x['NAME']}, {x['city']}"
    if field == 'transportation':
        r = rng.random()
        if r < 0.4:
            x = rng.choice(fl); s = f"Flight Number: {x['Flight Number']}, from {x['OriginCityName']} to {x['DestCityName']}, Departure Time: {x['DepTime']}, Arrival Time: {x['ArrTime']}"
            return s.lower() if rng.random() < 0.03 else s
        x = rng.choice(dist); mode = rng.choice(['Self-driving', 'Taxi', 'self-driving', 'taxi'])
        return f"{mode}, from {x['origin']} to {x['destination']}, duration: {x['duration']}, distance: {x['distance']}"
    if field == 'current_city':
        if rng.random() < 0.5: return rng.choice(cities)
        return f"from {rng.choice(cities)} to {rng.choice(cities)}"

def mutate(plan):
    plan = json.loads(json.dumps(plan)) or []
    days = [d for d in plan if isinstance(d, dict) and d]
    for _ in range(rng.randint(1, 4)):
        if not days: break
        op = rng.random(); d = rng.choice(days)
        f = rng.choice(FIELDS)
        if op < 0.45: d[f] = rand_value(f, plan)
        elif op < 0.6:
            e = rng.choice(days); d[f], e[f] = e.get(f, '-'), d.get(f, '-')
        elif op < 0.65 and len(plan) > 1: plan.pop(rng.randrange(len(plan))); days = [x for x in plan if isinstance(x, dict) and x]
        elif op < 0.7: plan.append(json.loads(json.dumps(rng.choice(days))))
        elif op < 0.8 and isinstance(d.get(f), str): d[f] = d[f].replace(', ', ',  ') if rng.random() < 0.5 else d[f] + ' '
        elif op < 0.9 and isinstance(d.get(f), str) and '(' not in d[f]: d[f] = d[f] + '(' + rng.choice(['x', 'New York', 'a b']) + ')'
        else: d[f] = rng.choice(days).get(rng.choice(FIELDS), '-')
    return plan

def mutate_query(q):
    q = json.loads(json.dumps(q)); lc = q['local_constraint']
    if rng.random() < 0.5: lc['house rule'] = rng.choice([None, 'smoking', 'parties', 'children under 10', 'visitors', 'pets'])
    if rng.random() < 0.5: lc['room type'] = rng.choice([None, 'shared room', 'not shared room', 'private room', 'entire room'])
    if rng.random() < 0.5: lc['transportation'] = rng.choice([None, 'no flight', 'no self-driving'])
    if rng.random() < 0.5: lc['cuisine'] = rng.choice([None, ['Mexican'], ['Chinese', 'Italian'], ['American', 'Indian', 'French'], ['Mediterranean']])
    if rng.random() < 0.3: q['people_number'] = rng.randint(1, 8)
    if rng.random() < 0.3: q['budget'] = rng.randint(300, 15000)
    if rng.random() < 0.2: q['visiting_city_number'] = rng.randint(1, 3)
    return q

with open(sys.argv[3], 'w') as fq, open(sys.argv[4], 'w') as fp:
    for i in range(N):
        k = rng.randrange(45)
        q = mutate_query(qs[k]) if rng.random() < 0.6 else json.loads(json.dumps(qs[k]))
        if rng.random() < 0.15:  # a validation query with a train plan
            q = json.loads(json.dumps(rng.choice(vq)))
        p = rng.choice(plans)[k]
        p = mutate(p) if rng.random() < 0.9 else p
        q['idx'] = i + 1
        fq.write(json.dumps(q) + '\n'); fp.write(json.dumps({'idx': i + 1, 'plan': p}) + '\n')
