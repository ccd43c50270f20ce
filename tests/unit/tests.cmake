# Unit tests of the foundation modules.
add_executable(test_csv ${CMAKE_CURRENT_LIST_DIR}/test_csv.c)
target_link_libraries(test_csv PRIVATE imagine_tp)
add_test(NAME unit_csv COMMAND test_csv)
add_executable(test_query ${CMAKE_CURRENT_LIST_DIR}/test_query.c)
target_link_libraries(test_query PRIVATE imagine_tp)
add_test(NAME unit_query COMMAND test_query)
