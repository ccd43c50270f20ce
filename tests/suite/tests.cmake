# tests/suite: the suite interface (suites/suite.h) and TravelPlanner
# behind it: registry, items, evaluation and metrics through the interface,
# the one cost function and room check, the one reference builder.
add_executable(test_suite_tp ${CMAKE_CURRENT_LIST_DIR}/test_suite_tp.c)
target_include_directories(test_suite_tp PRIVATE ${CMAKE_SOURCE_DIR}/tests)
target_link_libraries(test_suite_tp PRIVATE imagine_suites imagine_tp imagine_common)
add_test(NAME suite_travelplanner COMMAND test_suite_tp ${IMAGINE_TEST_DATA})
