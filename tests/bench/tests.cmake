# imagine bench eval: runs end to end and prints its figures (a stand-in peer).
add_test(NAME bench_eval COMMAND ${CMAKE_CURRENT_LIST_DIR}/bench_eval_test.sh $<TARGET_FILE:imagine> ${IMAGINE_TEST_DATA})
set_tests_properties(bench_eval PROPERTIES TIMEOUT 300)
