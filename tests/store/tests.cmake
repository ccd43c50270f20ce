# tests/store: the SQLite store, runs, resume, retry-errors (issue 4).
# Everything runs on real store files in the build tree with the real binary.
set(STORE_TEST_SRC ${CMAKE_SOURCE_DIR}/harness/store.c ${CMAKE_SOURCE_DIR}/harness/store_schema.c
    ${CMAKE_SOURCE_DIR}/harness/store_read.c ${CMAKE_SOURCE_DIR}/harness/store_write.c
    ${CMAKE_SOURCE_DIR}/harness/fault.c)
add_executable(test_store ${CMAKE_CURRENT_LIST_DIR}/test_store.c ${STORE_TEST_SRC})
target_include_directories(test_store PRIVATE ${CMAKE_SOURCE_DIR}/harness)
target_link_libraries(test_store PRIVATE imagine_harness_deps)
add_test(NAME store_unit COMMAND test_store ${IMAGINE_TEST_DATA} ${CMAKE_CURRENT_BINARY_DIR}/store_unit_tmp)
add_test(NAME store_cli COMMAND ${CMAKE_CURRENT_LIST_DIR}/store_cli.sh $<TARGET_FILE:imagine> ${IMAGINE_TEST_DATA}
         ${CMAKE_CURRENT_BINARY_DIR}/store_cli_tmp)
add_test(NAME store_kill COMMAND ${CMAKE_CURRENT_LIST_DIR}/store_kill.sh $<TARGET_FILE:imagine> ${IMAGINE_TEST_DATA}
         ${CMAKE_CURRENT_BINARY_DIR}/store_kill_tmp 8)
# A version-3 store made by the imagine of commit 587322e migrates in place
# to the current schema with nothing lost (tests/store/v3/).
add_test(NAME store_migrate_v3 COMMAND ${CMAKE_CURRENT_LIST_DIR}/migrate_v3.sh $<TARGET_FILE:imagine>
         ${CMAKE_CURRENT_LIST_DIR}/v3 ${CMAKE_CURRENT_BINARY_DIR}/store_migrate_v3_tmp)
