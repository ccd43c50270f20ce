# The local model backend (agents/local.c): the backend on tiny Qwen3
# folders (specs, identity, answers, batching, cache, same text as
# `imagine generate`), and `imagine run --method direct --model local:DIR`.
add_executable(test_local ${CMAKE_CURRENT_LIST_DIR}/test_local.c)
target_link_libraries(test_local PRIVATE imagine_agents imagine_compute imagine_common)
add_test(NAME local_backend COMMAND test_local $<TARGET_FILE:imagine> ${IMAGINE_TEST_DATA})
set_tests_properties(local_backend PROPERTIES TIMEOUT 600)
add_test(NAME local_e2e_run COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/e2e_run.sh $<TARGET_FILE:imagine> ${IMAGINE_TEST_DATA})
set_tests_properties(local_e2e_run PROPERTIES TIMEOUT 600)
