# PlanBench (issue 11): exactness against the authors' verdicts and
# extractions over every one-shot and zero-shot plan-generation answer file.
set(IMAGINE_PB_DATA "${CMAKE_SOURCE_DIR}/../shared/planbench" CACHE PATH "PlanBench data for tests")
get_filename_component(IMAGINE_PB_DATA "${IMAGINE_PB_DATA}" ABSOLUTE)
add_executable(test_pb_exact ${CMAKE_SOURCE_DIR}/tests/planbench/test_exact.c)
target_link_libraries(test_pb_exact PRIVATE imagine_pb imagine_common)
add_test(NAME planbench_exact COMMAND test_pb_exact ${IMAGINE_PB_DATA} ${CMAKE_SOURCE_DIR}/tests/planbench/contradictions.tsv)
add_executable(test_pb_unit ${CMAKE_SOURCE_DIR}/tests/planbench/test_unit.c)
target_link_libraries(test_pb_unit PRIVATE imagine_pb imagine_common)
add_test(NAME planbench_unit COMMAND test_pb_unit ${IMAGINE_PB_DATA})
add_test(NAME planbench_cli COMMAND sh ${CMAKE_SOURCE_DIR}/tests/planbench/cli_test.sh $<TARGET_FILE:imagine> ${IMAGINE_PB_DATA})
add_executable(test_pb_gen ${CMAKE_SOURCE_DIR}/tests/planbench/test_gen.c)
target_link_libraries(test_pb_gen PRIVATE imagine_pb imagine_common)
add_test(NAME planbench_generate COMMAND test_pb_gen ${IMAGINE_PB_DATA})
add_executable(test_pb_suite ${CMAKE_SOURCE_DIR}/tests/planbench/test_suite_pb.c)
target_include_directories(test_pb_suite PRIVATE ${CMAKE_SOURCE_DIR}/tests)
target_link_libraries(test_pb_suite PRIVATE imagine_suites imagine_pb imagine_common)
add_test(NAME planbench_suite COMMAND test_pb_suite ${IMAGINE_PB_DATA})
# The IMAGINE reward for PlanBench through `imagine reward` and `imagine
# reward serve` (a real server on 127.0.0.1, a plain HTTP client).
add_test(NAME planbench_reward COMMAND python3 ${CMAKE_SOURCE_DIR}/tests/planbench/reward_check.py $<TARGET_FILE:imagine>
         ${IMAGINE_PB_DATA} ${CMAKE_CURRENT_BINARY_DIR}/planbench_reward_tmp)
set_tests_properties(planbench_reward PROPERTIES TIMEOUT 60)
# `imagine data fetch --suite planbench` from temp mirrors of the package (file://, and a real HTTP
# server on 127.0.0.1 in the package's and in the upstream repository's layout).
foreach(case fetch_file fetch_upstream fetch_corrupt)
  add_test(NAME planbench_${case} COMMAND sh ${CMAKE_SOURCE_DIR}/tests/planbench/fetch_test.sh ${case} $<TARGET_FILE:imagine> ${IMAGINE_PB_DATA})
  set_tests_properties(planbench_${case} PROPERTIES TIMEOUT 120)
endforeach()
