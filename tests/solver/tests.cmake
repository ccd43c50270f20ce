# Reference information, exact solver and greedy baseline (issue 5).
add_executable(test_reference ${CMAKE_SOURCE_DIR}/tests/solver/test_reference.c)
target_link_libraries(test_reference PRIVATE imagine_tp imagine_common)
add_test(NAME solver_reference_train COMMAND test_reference ${IMAGINE_TEST_DATA})
