# tests/suite: the suite interface (suites/suite.h) and TravelPlanner
# behind it: registry, items, evaluation and metrics through the interface,
# the one cost function and room check, the one reference builder.
add_executable(test_suite_tp ${CMAKE_CURRENT_LIST_DIR}/test_suite_tp.c)
target_include_directories(test_suite_tp PRIVATE ${CMAKE_SOURCE_DIR}/tests)
target_link_libraries(test_suite_tp PRIVATE imagine_suites imagine_tp imagine_common)
add_test(NAME suite_travelplanner COMMAND test_suite_tp ${IMAGINE_TEST_DATA})
# Issue 12.1 end to end: every prompting method over all 180 validation
# queries against the test server; every query reaches the model, every
# 7-day prompt names every city of its state.
add_test(NAME suite_reference_e2e COMMAND ${CMAKE_CURRENT_LIST_DIR}/reference_e2e.sh $<TARGET_FILE:imagine>
         $<TARGET_FILE:imagine-test-server> ${IMAGINE_TEST_DATA})
set_tests_properties(suite_reference_e2e PROPERTIES TIMEOUT 300)
# A suite registered only here (fixture/suite_sums.c) proves that adding a
# suite is its folder and one registration line: imagine-sums is imagine's
# verbs over suites/registry.c compiled with fixture/registry.def (the
# project's list plus one line); the test runs run, show, export, eval and
# resume through it, and checks that the two lists differ by that line.
add_library(imagine_suite_sums STATIC ${CMAKE_CURRENT_LIST_DIR}/fixture/suite_sums.c)
target_link_libraries(imagine_suite_sums PUBLIC imagine_suite PkgConfig::CJSON)
add_executable(imagine-sums $<TARGET_OBJECTS:imagine_harness_objs> ${CMAKE_SOURCE_DIR}/suites/registry.c)
target_include_directories(imagine-sums BEFORE PRIVATE ${CMAKE_CURRENT_LIST_DIR}/fixture)
target_link_libraries(imagine-sums PRIVATE imagine_suite_sums imagine_harness_deps)
add_test(NAME suite_fixture_sums COMMAND ${CMAKE_CURRENT_LIST_DIR}/fixture/sums_test.sh $<TARGET_FILE:imagine-sums>
         ${CMAKE_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/suite_fixture_sums_tmp ${IMAGINE_TEST_DATA})
# No TravelPlanner type or function outside suites/travelplanner/ (and the
# tests), but the files listed as pending in the script.
add_test(NAME suite_no_tp_outside COMMAND ${CMAKE_CURRENT_LIST_DIR}/no_tp_outside.sh ${CMAKE_SOURCE_DIR})
# The verbs that are one implementation for every suite (solve, bench solve,
# queries generate/stats, data check): each suite's figures through them.
add_test(NAME suite_verbs COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/verbs_test.sh $<TARGET_FILE:imagine> ${IMAGINE_TEST_DATA} ${IMAGINE_PB_DATA})
set_tests_properties(suite_verbs PROPERTIES TIMEOUT 120)
