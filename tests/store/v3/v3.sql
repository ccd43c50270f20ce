-- A version-3 store made by imagine 587322e (today's binary before schema v4):
--   imagine run --method solver --split validation --queries q12.jsonl --limit 5 --name solver5
--   imagine run --method greedy ... --limit 3 --name greedy3
--   imagine run --method direct --model 'openai:http://127.0.0.1:9/v1#x?max_retries=0' ... --limit 2 --no-cache --name dead
-- (q12.jsonl: the first 12 lines of queries/validation.jsonl), then sqlite3 v3.db .dump.
PRAGMA application_id=1229799751;
PRAGMA user_version=3;
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE suite(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  split TEXT NOT NULL,
  source TEXT NOT NULL,
  digest TEXT NOT NULL,
  UNIQUE(name, split, digest));
INSERT INTO suite VALUES(1,'travelplanner','validation','/tmp/v3fix/q12.jsonl','b37013d4fbcc023e');
CREATE TABLE query(
  id INTEGER PRIMARY KEY,
  suite_id INTEGER NOT NULL REFERENCES suite(id),
  pos INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  level TEXT NOT NULL,
  days INTEGER NOT NULL,
  fields_json TEXT NOT NULL,
  UNIQUE(suite_id, pos));
INSERT INTO "query" VALUES(1,1,0,1,'easy',3,'{"idx": 1, "org": "Washington", "dest": "Myrtle Beach", "days": 3, "visiting_city_number": 1, "date": ["2022-03-13", "2022-03-14", "2022-03-15"], "people_number": 1, "local_constraint": {"house rule": null, "cuisine": null, "room type": null, "transportation": null}, "budget": 1400, "query": "Please create a travel plan for me where I''ll be departing from Washington and heading to Myrtle Beach for a 3-day trip from March 13th to March 15th, 2022. Can you help me keep this journey within a budget of $1,400?", "level": "easy"}');
INSERT INTO "query" VALUES(2,1,1,2,'easy',3,'{"idx": 2, "org": "Oakland", "dest": "Tucson", "days": 3, "visiting_city_number": 1, "date": ["2022-03-15", "2022-03-16", "2022-03-17"], "people_number": 1, "local_constraint": {"house rule": null, "cuisine": null, "room type": null, "transportation": null}, "budget": 1400, "query": "Please draw up a 3-day travel itinerary for one person, beginning in Oakland and heading to Tucson from March 15th to March 17th, 2022, with a budget of $1,400.", "level": "easy"}');
INSERT INTO "query" VALUES(3,1,2,3,'easy',3,'{"idx": 3, "org": "Buffalo", "dest": "Atlanta", "days": 3, "visiting_city_number": 1, "date": ["2022-03-02", "2022-03-03", "2022-03-04"], "people_number": 1, "local_constraint": {"house rule": null, "cuisine": null, "room type": null, "transportation": null}, "budget": 1100, "query": "Can you help me with a travel plan departing from Buffalo to Atlanta for a duration of 3 days, specifically from March 2nd to March 4th, 2022? I plan to travel alone and my planned budget for the trip is around $1,100.", "level": "easy"}');
INSERT INTO "query" VALUES(4,1,3,4,'easy',3,'{"idx": 4, "org": "Ontario", "dest": "Honolulu", "days": 3, "visiting_city_number": 1, "date": ["2022-03-04", "2022-03-05", "2022-03-06"], "people_number": 1, "local_constraint": {"house rule": null, "cuisine": null, "room type": null, "transportation": null}, "budget": 3200, "query": "Could you arrange a 3-day solo trip for me starting from Ontario and heading to Honolulu spanning from March 4th to March 6th, 2022, with a total budget of $3,200?", "level": "easy"}');
INSERT INTO "query" VALUES(5,1,4,5,'easy',3,'{"idx": 5, "org": "West Palm Beach", "dest": "Atlanta", "days": 3, "visiting_city_number": 1, "date": ["2022-03-13", "2022-03-14", "2022-03-15"], "people_number": 1, "local_constraint": {"house rule": null, "cuisine": null, "room type": null, "transportation": null}, "budget": 900, "query": "Please assist me in devising a travel plan that departs from West Palm Beach and heads to Atlanta, lasting 3 days from March 13th, 2022 to March 15th, 2022. It should accommodate 1 person and adhere to a budget of $900.", "level": "easy"}');
INSERT INTO "query" VALUES(6,1,5,6,'easy',3,'{"idx": 6, "org": "Detroit", "dest": "San Diego", "days": 3, "visiting_city_number": 1, "date": ["2022-03-05", "2022-03-06", "2022-03-07"], "people_number": 1, "local_constraint": {"house rule": null, "cuisine": null, "room type": null, "transportation": null}, "budget": 3000, "query": "Please assist in crafting a travel plan for a solo traveller, journeying from Detroit to San Diego for 3 days, from March 5th to March 7th, 2022. The travel plan should accommodate a total budget of $3,000.", "level": "easy"}');
INSERT INTO "query" VALUES(7,1,6,7,'easy',3,'{"idx": 7, "org": "Missoula", "dest": "Dallas", "days": 3, "visiting_city_number": 1, "date": ["2022-03-23", "2022-03-24", "2022-03-25"], "people_number": 1, "local_constraint": {"house rule": null, "cuisine": null, "room type": null, "transportation": null}, "budget": 1900, "query": "Please create a travel plan for a 3-day trip from Missoula to Dallas scheduled from March 23rd to March 25th, 2022. The budget for this trip is set at $1,900.", "level": "easy"}');
INSERT INTO "query" VALUES(8,1,7,8,'easy',3,'{"idx": 8, "org": "Boston", "dest": "San Juan", "days": 3, "visiting_city_number": 1, "date": ["2022-03-28", "2022-03-29", "2022-03-30"], "people_number": 1, "local_constraint": {"house rule": null, "cuisine": null, "room type": null, "transportation": null}, "budget": 1400, "query": "Could you arrange a 3-day travel from Boston to San Juan, Puerto Rico, for one person between March 28th and March 30th, 2022? The budget for this trip is set to $1,400.", "level": "easy"}');
INSERT INTO "query" VALUES(9,1,8,9,'easy',3,'{"idx": 9, "org": "Sarasota", "dest": "Philadelphia", "days": 3, "visiting_city_number": 1, "date": ["2022-03-02", "2022-03-03", "2022-03-04"], "people_number": 1, "local_constraint": {"house rule": null, "cuisine": null, "room type": null, "transportation": null}, "budget": 2100, "query": "Can you help me plan a trip that begins in Sarasota and ends in Philadelphia? The trip should span over 3 days, from March 2nd to March 4th, 2022, and adhere to a budget of $2,100.", "level": "easy"}');
INSERT INTO "query" VALUES(10,1,9,10,'easy',3,'{"idx": 10, "org": "Minneapolis", "dest": "St. Louis", "days": 3, "visiting_city_number": 1, "date": ["2022-03-15", "2022-03-16", "2022-03-17"], "people_number": 1, "local_constraint": {"house rule": null, "cuisine": null, "room type": null, "transportation": null}, "budget": 1000, "query": "Could you help me create a travel plan starting from Minneapolis to St. Louis, spanning 3 days from March 15th to March 17th, 2022? The budget is set at $1,000.", "level": "easy"}');
INSERT INTO "query" VALUES(11,1,10,11,'easy',3,'{"idx": 11, "org": "Minneapolis", "dest": "Seattle", "days": 3, "visiting_city_number": 1, "date": ["2022-03-29", "2022-03-30", "2022-03-31"], "people_number": 1, "local_constraint": {"house rule": null, "cuisine": null, "room type": null, "transportation": null}, "budget": 1800, "query": "Please create a travel plan departing from Minneapolis and heading to Seattle for 3 days, from March 29th to March 31st, 2022, with a budget of $1,800.", "level": "easy"}');
INSERT INTO "query" VALUES(12,1,11,12,'easy',3,'{"idx": 12, "org": "St. Petersburg", "dest": "Appleton", "days": 3, "visiting_city_number": 1, "date": ["2022-03-19", "2022-03-20", "2022-03-21"], "people_number": 1, "local_constraint": {"house rule": null, "cuisine": null, "room type": null, "transportation": null}, "budget": 1200, "query": "Please devise a travel plan that starts from St. Petersburg and heads to Appleton, taking place across 3 days from March 19th to March 21st, 2022. This itinerary is for an individual, with a budget allocated at $1,200.", "level": "easy"}');
CREATE TABLE model(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  backend TEXT NOT NULL,
  path_or_url TEXT NOT NULL DEFAULT '',
  sha256 TEXT NOT NULL DEFAULT '',
  UNIQUE(name, backend, path_or_url, sha256));
INSERT INTO model VALUES(1,'none','none','','');
INSERT INTO model VALUES(2,'openai:http://127.0.0.1:9/v1#x?max_retries=0','spec','openai:http://127.0.0.1:9/v1#x?max_retries=0','');
CREATE TABLE method(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  config_json TEXT NOT NULL DEFAULT '{}',
  UNIQUE(name, config_json));
INSERT INTO method VALUES(1,'solver','{"concurrency":1,"prompt_sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}');
INSERT INTO method VALUES(2,'greedy','{"concurrency":1,"prompt_sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}');
INSERT INTO method VALUES(3,'direct','{"model":"openai:http://127.0.0.1:9/v1#x?max_retries=0","no_cache":true,"concurrency":1,"prompt_sha256":"ae63d74c5e2e6f3b07bfa7535036cb2fd2f63f2910b3a437a1c3a446a8a88027"}');
CREATE TABLE run(
  id INTEGER PRIMARY KEY,
  name TEXT UNIQUE,
  method_id INTEGER NOT NULL REFERENCES method(id),
  model_id INTEGER NOT NULL REFERENCES model(id),
  suite_id INTEGER NOT NULL REFERENCES suite(id),
  seed INTEGER NOT NULL DEFAULT 0,
  started REAL NOT NULL,
  finished REAL,
  git_rev TEXT NOT NULL,
  config_json TEXT NOT NULL,
  status TEXT NOT NULL CHECK(status IN ('running','complete','incomplete')), active_s REAL NOT NULL DEFAULT 0);
INSERT INTO run VALUES(1,'solver5',1,1,1,0,1796283528.9805743694,1796283529.0607581138,'587322e47d24','{"suite":"travelplanner","split":"validation","queries":"/tmp/v3fix/q12.jsonl","n_queries":5,"method":"solver","model":null,"seed":0,"concurrency":1,"limit":5,"data":"/work/shared/travelplanner","imagine":"587322e47d24"}','complete',0.07733058929443359375);
INSERT INTO run VALUES(2,'greedy3',2,1,1,0,1796283529.0972766875,1796283529.17689085,'587322e47d24','{"suite":"travelplanner","split":"validation","queries":"/tmp/v3fix/q12.jsonl","n_queries":3,"method":"greedy","model":null,"seed":0,"concurrency":1,"limit":3,"data":"/work/shared/travelplanner","imagine":"587322e47d24"}','complete',0.067677021026611328125);
INSERT INTO run VALUES(3,'dead',3,2,1,0,1796283529.2391161918,1796283529.3175504207,'587322e47d24','{"suite":"travelplanner","split":"validation","queries":"/tmp/v3fix/q12.jsonl","n_queries":2,"method":"direct","model":"openai:http://127.0.0.1:9/v1#x?max_retries=0","seed":0,"concurrency":1,"limit":2,"data":"/work/shared/travelplanner","imagine":"587322e47d24"}','incomplete',0.065365552902221679687);
CREATE TABLE item(
  run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
  query_id INTEGER NOT NULL REFERENCES query(id),
  state TEXT NOT NULL CHECK(state IN ('ready','running','done','failed','error')),
  plan_json TEXT,
  raw_text TEXT,
  error TEXT,
  latency_ms REAL,
  tokens_in INTEGER NOT NULL DEFAULT 0,
  tokens_out INTEGER NOT NULL DEFAULT 0,
  cost REAL NOT NULL DEFAULT 0,
  calls INTEGER NOT NULL DEFAULT 0,
  cache_hits INTEGER NOT NULL DEFAULT 0,
  started REAL,
  finished REAL, reasoning TEXT, attempts INTEGER NOT NULL DEFAULT 0, plan_cost REAL,
  PRIMARY KEY(run_id, query_id));
INSERT INTO item VALUES(1,1,'done','[{"days":1,"current_city":"from Washington to Myrtle Beach","transportation":"Self-driving, from Washington to Myrtle Beach, Duration: 6 hours 47 mins, Distance: 693 km, Cost: 34","breakfast":"-","attraction":"-","lunch":"-","dinner":"-","accommodation":"Yellow submarine, Myrtle Beach"},{"days":2,"current_city":"Myrtle Beach","transportation":"-","breakfast":"The Night Owl, Myrtle Beach","attraction":"SkyWheel Myrtle Beach, Myrtle Beach;","lunch":"La Pino''z Pizza, Myrtle Beach","dinner":"Catfish Charlie''s, Myrtle Beach","accommodation":"Yellow submarine, Myrtle Beach"},{"days":3,"current_city":"from Myrtle Beach to Washington","transportation":"Self-driving, from Myrtle Beach to Washington, Duration: 6 hours 45 mins, Distance: 693 km, Cost: 34","breakfast":"-","attraction":"-","lunch":"-","dinner":"-","accommodation":"-"}]',NULL,NULL,0.26117099992006842512,0,0,0.0,0,0,1796283529.0274231434,1796283529.0284729003,NULL,1,466.0);
INSERT INTO item VALUES(1,2,'done','[{"days":1,"current_city":"from Oakland to Tucson","transportation":"Self-driving, from Oakland to Tucson, Duration: 12 hours 40 mins, Distance: 1,372 km, Cost: 68","breakfast":"-","attraction":"-","lunch":"-","dinner":"-","accommodation":"Private room with private bathroom, Tucson"},{"days":2,"current_city":"Tucson","transportation":"-","breakfast":"Mood 4 Food, Tucson","attraction":"Pima Air & Space Museum, Tucson;","lunch":"Uraki, Tucson","dinner":"Pizza Street, Tucson","accommodation":"Private room with private bathroom, Tucson"},{"days":3,"current_city":"from Tucson to Oakland","transportation":"Self-driving, from Tucson to Oakland, Duration: 12 hours 42 mins, Distance: 1,373 km, Cost: 68","breakfast":"-","attraction":"-","lunch":"-","dinner":"-","accommodation":"-"}]',NULL,NULL,0.19178200000169454142,0,0,0.0,0,0,1796283529.0307061671,1796283529.0350012779,NULL,1,306.0);
INSERT INTO item VALUES(1,3,'done','[{"days":1,"current_city":"from Buffalo to Atlanta","transportation":"Self-driving, from Buffalo to Atlanta, Duration: 13 hours 7 mins, Distance: 1,443 km, Cost: 72","breakfast":"-","attraction":"-","lunch":"-","dinner":"-","accommodation":"Spacious private room close St. Barnabas Hospital, Atlanta"},{"days":2,"current_city":"Atlanta","transportation":"-","breakfast":"China Hot, Atlanta","attraction":"Atlanta Botanical Garden, Atlanta;","lunch":"Bimbos, Atlanta","dinner":"Taste of Vishal, Atlanta","accommodation":"Spacious private room close St. Barnabas Hospital, Atlanta"},{"days":3,"current_city":"from Atlanta to Buffalo","transportation":"Self-driving, from Atlanta to Buffalo, Duration: 13 hours 6 mins, Distance: 1,443 km, Cost: 72","breakfast":"-","attraction":"-","lunch":"-","dinner":"-","accommodation":"-"}]',NULL,NULL,0.18277500009844516171,0,0,0.0,0,0,1796283529.0390315055,1796283529.0399644374,NULL,1,471.0);
INSERT INTO item VALUES(1,4,'failed',NULL,NULL,'transportation: no route through the 1 candidate cities has a flight on the travel date, a taxi or a self-driving route for every leg',0.088884000092548376414,0,0,0.0,0,0,1796283529.0429294108,1796283529.0467934608,NULL,1,NULL);
INSERT INTO item VALUES(1,5,'done','[{"days":1,"current_city":"from West Palm Beach to Atlanta","transportation":"Self-driving, from West Palm Beach to Atlanta, Duration: 8 hours 27 mins, Distance: 963 km, Cost: 48","breakfast":"-","attraction":"-","lunch":"-","dinner":"-","accommodation":"Spacious private room close St. Barnabas Hospital, Atlanta"},{"days":2,"current_city":"Atlanta","transportation":"-","breakfast":"China Hot, Atlanta","attraction":"Atlanta Botanical Garden, Atlanta;","lunch":"Bimbos, Atlanta","dinner":"Taste of Vishal, Atlanta","accommodation":"Spacious private room close St. Barnabas Hospital, Atlanta"},{"days":3,"current_city":"from Atlanta to West Palm Beach","transportation":"Self-driving, from Atlanta to West Palm Beach, Duration: 8 hours 29 mins, Distance: 962 km, Cost: 48","breakfast":"-","attraction":"-","lunch":"-","dinner":"-","accommodation":"-"}]',NULL,NULL,0.35336799999186041532,0,0,0.0,0,0,1796283529.050673008,1796283529.0591475963,NULL,1,423.0);
INSERT INTO item VALUES(2,1,'done','[{"days":1,"current_city":"from Washington to Myrtle Beach","transportation":"Self-driving, from Washington to Myrtle Beach, Cost: 34","breakfast":"-","attraction":"-","lunch":"-","dinner":"-","accommodation":"Adorable Prospect Heights 1 Bedroom, Myrtle Beach"},{"days":2,"current_city":"Myrtle Beach","transportation":"-","breakfast":"The Night Owl, Myrtle Beach","attraction":"SkyWheel Myrtle Beach, Myrtle Beach;","lunch":"The Night Owl, Myrtle Beach","dinner":"The Night Owl, Myrtle Beach","accommodation":"Adorable Prospect Heights 1 Bedroom, Myrtle Beach"},{"days":3,"current_city":"from Myrtle Beach to Washington","transportation":"Self-driving, from Myrtle Beach to Washington, Cost: 34","breakfast":"-","attraction":"-","lunch":"-","dinner":"-","accommodation":"-"}]',NULL,NULL,0.10070400003314716741,0,0,0.0,0,0,1796283529.1601085662,1796283529.1630280018,NULL,1,318.0);
INSERT INTO item VALUES(2,2,'done','[{"days":1,"current_city":"from Oakland to Tucson","transportation":"Self-driving, from Oakland to Tucson, Cost: 68","breakfast":"-","attraction":"-","lunch":"-","dinner":"-","accommodation":"Private room with private bathroom, Tucson"},{"days":2,"current_city":"Tucson","transportation":"-","breakfast":"Uraki, Tucson","attraction":"Pima Air & Space Museum, Tucson;","lunch":"Uraki, Tucson","dinner":"Uraki, Tucson","accommodation":"Private room with private bathroom, Tucson"},{"days":3,"current_city":"from Tucson to Oakland","transportation":"Self-driving, from Tucson to Oakland, Cost: 68","breakfast":"-","attraction":"-","lunch":"-","dinner":"-","accommodation":"-"}]',NULL,NULL,0.066047000018443213775,0,0,0.0,0,0,1796283529.1668081284,1796283529.1692051887,NULL,1,288.0);
INSERT INTO item VALUES(2,3,'done','[{"days":1,"current_city":"from Buffalo to Atlanta","transportation":"Self-driving, from Buffalo to Atlanta, Cost: 72","breakfast":"-","attraction":"-","lunch":"-","dinner":"-","accommodation":"Spacious private room close St. Barnabas Hospital, Atlanta"},{"days":2,"current_city":"Atlanta","transportation":"-","breakfast":"Taste of Vishal, Atlanta","attraction":"Atlanta Botanical Garden, Atlanta;","lunch":"Taste of Vishal, Atlanta","dinner":"Taste of Vishal, Atlanta","accommodation":"Spacious private room close St. Barnabas Hospital, Atlanta"},{"days":3,"current_city":"from Atlanta to Buffalo","transportation":"Self-driving, from Atlanta to Buffalo, Cost: 72","breakfast":"-","attraction":"-","lunch":"-","dinner":"-","accommodation":"-"}]',NULL,NULL,0.063858999965304974466,0,0,0.0,0,0,1796283529.1707017421,1796283529.1748874187,NULL,1,471.0);
INSERT INTO item VALUES(3,1,'error',NULL,NULL,'POST http://127.0.0.1:9/v1/chat/completions: Couldn''t connect to server (curl 7) (gave up after 1 attempts)',2.3160790000247288844,0,0,0.0,1,0,1796283529.2902619838,1796283529.3013148307,NULL,1,NULL);
INSERT INTO item VALUES(3,2,'error',NULL,NULL,'POST http://127.0.0.1:9/v1/chat/completions: Couldn''t connect to server (curl 7) (gave up after 1 attempts)',8.2747889999836843344,0,0,0.0,1,0,1796283529.3029839992,1796283529.3150362968,NULL,1,NULL);
CREATE TABLE IF NOT EXISTS "check"(
  run_id INTEGER NOT NULL,
  query_id INTEGER NOT NULL,
  family TEXT NOT NULL CHECK(family IN ('commonsense','hard')),
  "constraint" TEXT NOT NULL,
  result INTEGER CHECK(result IN (0,1)), msg TEXT,
  PRIMARY KEY(run_id, query_id, "constraint"),
  FOREIGN KEY(run_id, query_id) REFERENCES item(run_id, query_id) ON DELETE CASCADE);
INSERT INTO "check" VALUES(1,1,'commonsense','is_reasonable_visiting_city',1,NULL);
INSERT INTO "check" VALUES(1,1,'commonsense','is_valid_restaurants',1,NULL);
INSERT INTO "check" VALUES(1,1,'commonsense','is_valid_attractions',1,NULL);
INSERT INTO "check" VALUES(1,1,'commonsense','is_valid_accommodation',1,NULL);
INSERT INTO "check" VALUES(1,1,'commonsense','is_valid_transportation',1,NULL);
INSERT INTO "check" VALUES(1,1,'commonsense','is_valid_information_in_current_city',1,NULL);
INSERT INTO "check" VALUES(1,1,'commonsense','is_valid_information_in_sandbox',1,NULL);
INSERT INTO "check" VALUES(1,1,'commonsense','is_not_absent',1,NULL);
INSERT INTO "check" VALUES(1,1,'hard','valid_cuisine',NULL,NULL);
INSERT INTO "check" VALUES(1,1,'hard','valid_room_rule',NULL,NULL);
INSERT INTO "check" VALUES(1,1,'hard','valid_transportation',NULL,NULL);
INSERT INTO "check" VALUES(1,1,'hard','valid_room_type',NULL,NULL);
INSERT INTO "check" VALUES(1,1,'hard','valid_cost',1,NULL);
INSERT INTO "check" VALUES(1,2,'commonsense','is_reasonable_visiting_city',1,NULL);
INSERT INTO "check" VALUES(1,2,'commonsense','is_valid_restaurants',1,NULL);
INSERT INTO "check" VALUES(1,2,'commonsense','is_valid_attractions',1,NULL);
INSERT INTO "check" VALUES(1,2,'commonsense','is_valid_accommodation',1,NULL);
INSERT INTO "check" VALUES(1,2,'commonsense','is_valid_transportation',1,NULL);
INSERT INTO "check" VALUES(1,2,'commonsense','is_valid_information_in_current_city',1,NULL);
INSERT INTO "check" VALUES(1,2,'commonsense','is_valid_information_in_sandbox',1,NULL);
INSERT INTO "check" VALUES(1,2,'commonsense','is_not_absent',1,NULL);
INSERT INTO "check" VALUES(1,2,'hard','valid_cuisine',NULL,NULL);
INSERT INTO "check" VALUES(1,2,'hard','valid_room_rule',NULL,NULL);
INSERT INTO "check" VALUES(1,2,'hard','valid_transportation',NULL,NULL);
INSERT INTO "check" VALUES(1,2,'hard','valid_room_type',NULL,NULL);
INSERT INTO "check" VALUES(1,2,'hard','valid_cost',1,NULL);
INSERT INTO "check" VALUES(1,3,'commonsense','is_reasonable_visiting_city',1,NULL);
INSERT INTO "check" VALUES(1,3,'commonsense','is_valid_restaurants',1,NULL);
INSERT INTO "check" VALUES(1,3,'commonsense','is_valid_attractions',1,NULL);
INSERT INTO "check" VALUES(1,3,'commonsense','is_valid_accommodation',1,NULL);
INSERT INTO "check" VALUES(1,3,'commonsense','is_valid_transportation',1,NULL);
INSERT INTO "check" VALUES(1,3,'commonsense','is_valid_information_in_current_city',1,NULL);
INSERT INTO "check" VALUES(1,3,'commonsense','is_valid_information_in_sandbox',1,NULL);
INSERT INTO "check" VALUES(1,3,'commonsense','is_not_absent',1,NULL);
INSERT INTO "check" VALUES(1,3,'hard','valid_cuisine',NULL,NULL);
INSERT INTO "check" VALUES(1,3,'hard','valid_room_rule',NULL,NULL);
INSERT INTO "check" VALUES(1,3,'hard','valid_transportation',NULL,NULL);
INSERT INTO "check" VALUES(1,3,'hard','valid_room_type',NULL,NULL);
INSERT INTO "check" VALUES(1,3,'hard','valid_cost',1,NULL);
INSERT INTO "check" VALUES(1,5,'commonsense','is_reasonable_visiting_city',1,NULL);
INSERT INTO "check" VALUES(1,5,'commonsense','is_valid_restaurants',1,NULL);
INSERT INTO "check" VALUES(1,5,'commonsense','is_valid_attractions',1,NULL);
INSERT INTO "check" VALUES(1,5,'commonsense','is_valid_accommodation',1,NULL);
INSERT INTO "check" VALUES(1,5,'commonsense','is_valid_transportation',1,NULL);
INSERT INTO "check" VALUES(1,5,'commonsense','is_valid_information_in_current_city',1,NULL);
INSERT INTO "check" VALUES(1,5,'commonsense','is_valid_information_in_sandbox',1,NULL);
INSERT INTO "check" VALUES(1,5,'commonsense','is_not_absent',1,NULL);
INSERT INTO "check" VALUES(1,5,'hard','valid_cuisine',NULL,NULL);
INSERT INTO "check" VALUES(1,5,'hard','valid_room_rule',NULL,NULL);
INSERT INTO "check" VALUES(1,5,'hard','valid_transportation',NULL,NULL);
INSERT INTO "check" VALUES(1,5,'hard','valid_room_type',NULL,NULL);
INSERT INTO "check" VALUES(1,5,'hard','valid_cost',1,NULL);
INSERT INTO "check" VALUES(2,1,'commonsense','is_reasonable_visiting_city',1,NULL);
INSERT INTO "check" VALUES(2,1,'commonsense','is_valid_restaurants',0,'The restaurant in day 2 lunch The Night Owl, Myrtle Beach is repeated.');
INSERT INTO "check" VALUES(2,1,'commonsense','is_valid_attractions',1,NULL);
INSERT INTO "check" VALUES(2,1,'commonsense','is_valid_accommodation',0,'The accommodation Adorable Prospect Heights 1 Bedroom, Myrtle Beach do not obey the minumum nights rule.');
INSERT INTO "check" VALUES(2,1,'commonsense','is_valid_transportation',1,NULL);
INSERT INTO "check" VALUES(2,1,'commonsense','is_valid_information_in_current_city',1,NULL);
INSERT INTO "check" VALUES(2,1,'commonsense','is_valid_information_in_sandbox',1,NULL);
INSERT INTO "check" VALUES(2,1,'commonsense','is_not_absent',1,NULL);
INSERT INTO "check" VALUES(2,1,'hard','valid_cuisine',NULL,NULL);
INSERT INTO "check" VALUES(2,1,'hard','valid_room_rule',NULL,NULL);
INSERT INTO "check" VALUES(2,1,'hard','valid_transportation',NULL,NULL);
INSERT INTO "check" VALUES(2,1,'hard','valid_room_type',NULL,NULL);
INSERT INTO "check" VALUES(2,1,'hard','valid_cost',1,NULL);
INSERT INTO "check" VALUES(2,2,'commonsense','is_reasonable_visiting_city',1,NULL);
INSERT INTO "check" VALUES(2,2,'commonsense','is_valid_restaurants',0,'The restaurant in day 2 lunch Uraki, Tucson is repeated.');
INSERT INTO "check" VALUES(2,2,'commonsense','is_valid_attractions',1,NULL);
INSERT INTO "check" VALUES(2,2,'commonsense','is_valid_accommodation',1,NULL);
INSERT INTO "check" VALUES(2,2,'commonsense','is_valid_transportation',1,NULL);
INSERT INTO "check" VALUES(2,2,'commonsense','is_valid_information_in_current_city',1,NULL);
INSERT INTO "check" VALUES(2,2,'commonsense','is_valid_information_in_sandbox',1,NULL);
INSERT INTO "check" VALUES(2,2,'commonsense','is_not_absent',1,NULL);
INSERT INTO "check" VALUES(2,2,'hard','valid_cuisine',NULL,NULL);
INSERT INTO "check" VALUES(2,2,'hard','valid_room_rule',NULL,NULL);
INSERT INTO "check" VALUES(2,2,'hard','valid_transportation',NULL,NULL);
INSERT INTO "check" VALUES(2,2,'hard','valid_room_type',NULL,NULL);
INSERT INTO "check" VALUES(2,2,'hard','valid_cost',1,NULL);
INSERT INTO "check" VALUES(2,3,'commonsense','is_reasonable_visiting_city',1,NULL);
INSERT INTO "check" VALUES(2,3,'commonsense','is_valid_restaurants',0,'The restaurant in day 2 lunch Taste of Vishal, Atlanta is repeated.');
INSERT INTO "check" VALUES(2,3,'commonsense','is_valid_attractions',1,NULL);
INSERT INTO "check" VALUES(2,3,'commonsense','is_valid_accommodation',1,NULL);
INSERT INTO "check" VALUES(2,3,'commonsense','is_valid_transportation',1,NULL);
INSERT INTO "check" VALUES(2,3,'commonsense','is_valid_information_in_current_city',1,NULL);
INSERT INTO "check" VALUES(2,3,'commonsense','is_valid_information_in_sandbox',1,NULL);
INSERT INTO "check" VALUES(2,3,'commonsense','is_not_absent',1,NULL);
INSERT INTO "check" VALUES(2,3,'hard','valid_cuisine',NULL,NULL);
INSERT INTO "check" VALUES(2,3,'hard','valid_room_rule',NULL,NULL);
INSERT INTO "check" VALUES(2,3,'hard','valid_transportation',NULL,NULL);
INSERT INTO "check" VALUES(2,3,'hard','valid_room_type',NULL,NULL);
INSERT INTO "check" VALUES(2,3,'hard','valid_cost',1,NULL);
CREATE TABLE metric(
  run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  level TEXT NOT NULL DEFAULT '',
  days INTEGER NOT NULL DEFAULT 0,
  value REAL,
  PRIMARY KEY(run_id, name, level, days));
INSERT INTO metric VALUES(1,'delivery_rate','',0,0.8000000000000000444);
INSERT INTO metric VALUES(1,'commonsense_micro','',0,0.8000000000000000444);
INSERT INTO metric VALUES(1,'commonsense_macro','',0,0.8000000000000000444);
INSERT INTO metric VALUES(1,'hard_micro','',0,0.8000000000000000444);
INSERT INTO metric VALUES(1,'hard_macro','',0,0.8000000000000000444);
INSERT INTO metric VALUES(1,'final_pass_rate','',0,0.8000000000000000444);
INSERT INTO metric VALUES(1,'final_pass','easy',0,4.0);
INSERT INTO metric VALUES(1,'final_pass','medium',0,0.0);
INSERT INTO metric VALUES(1,'final_pass','hard',0,0.0);
INSERT INTO metric VALUES(2,'delivery_rate','',0,1.0);
INSERT INTO metric VALUES(2,'commonsense_micro','',0,0.83333333333333337034);
INSERT INTO metric VALUES(2,'commonsense_macro','',0,0.0);
INSERT INTO metric VALUES(2,'hard_micro','',0,1.0);
INSERT INTO metric VALUES(2,'hard_macro','',0,1.0);
INSERT INTO metric VALUES(2,'final_pass_rate','',0,0.0);
INSERT INTO metric VALUES(2,'final_pass','easy',0,0.0);
INSERT INTO metric VALUES(2,'final_pass','medium',0,0.0);
INSERT INTO metric VALUES(2,'final_pass','hard',0,0.0);
INSERT INTO metric VALUES(3,'delivery_rate','',0,0.0);
INSERT INTO metric VALUES(3,'commonsense_micro','',0,0.0);
INSERT INTO metric VALUES(3,'commonsense_macro','',0,0.0);
INSERT INTO metric VALUES(3,'hard_micro','',0,0.0);
INSERT INTO metric VALUES(3,'hard_macro','',0,0.0);
INSERT INTO metric VALUES(3,'final_pass_rate','',0,0.0);
INSERT INTO metric VALUES(3,'final_pass','easy',0,0.0);
INSERT INTO metric VALUES(3,'final_pass','medium',0,0.0);
INSERT INTO metric VALUES(3,'final_pass','hard',0,0.0);
CREATE TABLE llm_call(
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
  query_id INTEGER REFERENCES query(id),
  role TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  tokens_in INTEGER NOT NULL DEFAULT 0,
  tokens_out INTEGER NOT NULL DEFAULT 0,
  latency_ms REAL,
  cached INTEGER NOT NULL DEFAULT 0,
  status TEXT,
  created REAL NOT NULL, model TEXT, cost REAL NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0, http_status INTEGER, finish_reason TEXT, error TEXT);
INSERT INTO llm_call VALUES(1,3,1,'planner','3a7c2a1f9c44429c05addeb6c42a476f9ba481334503e1cbb452427c52130cff',0,0,0.55473800000527262454,0,'error',1796283529.301048994,'x',0.0,1,NULL,NULL,'POST http://127.0.0.1:9/v1/chat/completions: Couldn''t connect to server (curl 7) (gave up after 1 attempts)');
INSERT INTO llm_call VALUES(2,3,2,'planner','583096016f66d8196a86af76ca43db61cdfb12a536e039ac7727260e24b99050',0,0,0.19350800005213386612,0,'error',1796283529.314918518,'x',0.0,1,NULL,NULL,'POST http://127.0.0.1:9/v1/chat/completions: Couldn''t connect to server (curl 7) (gave up after 1 attempts)');
CREATE TABLE train_step(
  run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
  step INTEGER NOT NULL,
  loss REAL,
  reward REAL,
  lr REAL,
  tokens_per_s REAL,
  PRIMARY KEY(run_id, step));
CREATE INDEX item_state ON item(run_id, state);
CREATE INDEX llm_call_item ON llm_call(run_id, query_id);
COMMIT;
