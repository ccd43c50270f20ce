# The IMAGINE method (issue 15): the sample format, the reward and its
# server, the query generator, the MAS, exports and the pipeline.
add_executable(test_think ${CMAKE_CURRENT_LIST_DIR}/test_think.c)
target_link_libraries(test_think PRIVATE imagine_common)
add_test(NAME imagine_think COMMAND test_think)
# The reward on a fixture per branch (CLI), then the same answers through
# `imagine reward serve` with a plain HTTP client, and its 400s.
add_test(NAME imagine_reward COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/reward_check.py $<TARGET_FILE:imagine>
         ${IMAGINE_TEST_DATA} ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(imagine_reward PROPERTIES TIMEOUT 120)
# bench reward exits 0, and every response through HTTP was a 200 (the exit code counts too).
add_test(NAME imagine_bench_reward_short COMMAND sh -c "set -e; out=$($1 bench reward --seconds 0.5 --data $2); echo \"$out\"; echo \"$out\" | grep -Eq '^  reward alone, 1 thread: +[1-9][0-9]* responses/s' && echo \"$out\" | grep -Eq '^  through HTTP: +[1-9][0-9]* responses/s .*[; (]0 non-200\\)$'"
         sh $<TARGET_FILE:imagine> ${IMAGINE_TEST_DATA})
set_tests_properties(imagine_bench_reward_short PROPERTIES TIMEOUT 60)
# Stage 1: generated TravelPlanner queries (determinism, official rules,
# deduplication, labels against `imagine solve` + `imagine eval`, stats).
add_test(NAME imagine_queries COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/queries_check.py $<TARGET_FILE:imagine>
         ${IMAGINE_TEST_DATA} ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(imagine_queries PROPERTIES TIMEOUT 120)
# Stage 2: the MAS on every branch against the test server, the exact
# flattened sample, exports, variants, and the programmatic teacher.
add_test(NAME imagine_mas COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/mas_check.py $<TARGET_FILE:imagine>
         $<TARGET_FILE:imagine-test-server> ${IMAGINE_TEST_DATA} ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(imagine_mas PROPERTIES TIMEOUT 180)
# The pipeline: kill -9 (whole process group) at random moments resumes to
# the same artifacts as an uninterrupted run; skips, reruns, the external
# training hand-off, the checkpoint choice and --dry-run.
add_test(NAME imagine_pipeline COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/pipeline_check.py $<TARGET_FILE:imagine>
         ${IMAGINE_TEST_DATA} ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(imagine_pipeline PROPERTIES TIMEOUT 180)
# The MAS on PlanBench: the Reasoner's prompt styles (auto, statement), the
# exports' prompts, and `train grpo --dataset` on the exported prompts.
add_test(NAME imagine_mas_planbench COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/mas_pb_check.py $<TARGET_FILE:imagine>
         ${IMAGINE_TEST_DATA} ${IMAGINE_PB_DATA} ${CMAKE_CURRENT_BINARY_DIR}/mas_pb)
set_tests_properties(imagine_mas_planbench PROPERTIES TIMEOUT 180)
# Paraphrases (`queries generate --paraphrase-model`): the fact check, one
# case per rule, the query line with its new text, and every template of
# 1,000 generated queries (and every train query) passing its own check.
add_executable(test_paraphrase ${CMAKE_CURRENT_LIST_DIR}/test_paraphrase.c)
target_link_libraries(test_paraphrase PRIVATE imagine_tp)
add_test(NAME imagine_paraphrase_check COMMAND sh -c "set -e; \"$1\" queries generate --suite travelplanner --n 1000 --seed 9 --config '{\"reference\": false}' --data \"$2\" --out \"$3/paraphrase_templates.jsonl\" >/dev/null; \"$4\" \"$3/paraphrase_templates.jsonl\" \"$2/queries/train.jsonl\""
         sh $<TARGET_FILE:imagine> ${IMAGINE_TEST_DATA} ${CMAKE_CURRENT_BINARY_DIR} $<TARGET_FILE:test_paraphrase>)
set_tests_properties(imagine_paraphrase_check PROPERTIES TIMEOUT 60)
# `queries generate --paraphrase-model` against the test server: answers
# accepted, rejected (a fact dropped, a figure invented), failed (HTTP 500),
# byte-identical reruns (cache, --no-cache --concurrency 1), refusals.
add_test(NAME imagine_paraphrase COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/paraphrase_check.py $<TARGET_FILE:imagine>
         $<TARGET_FILE:imagine-test-server> ${IMAGINE_TEST_DATA} ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(imagine_paraphrase PROPERTIES TIMEOUT 60)
# The pipeline's local training stages on PlanBench Blocksworld: queries ->
# traces -> samples -> `imagine train sft` (CPU) -> checkpoint -> `imagine
# train grpo` -> eval of both models; skips, a resumed SFT, a changed input.
add_test(NAME imagine_pipeline_train COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/pipeline_train_check.py $<TARGET_FILE:imagine>
         ${IMAGINE_PB_DATA} ${CMAKE_CURRENT_BINARY_DIR}/pipeline_train)
set_tests_properties(imagine_pipeline_train PROPERTIES TIMEOUT 120)
