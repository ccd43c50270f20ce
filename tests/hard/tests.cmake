# tests/hard: the reproductions of issue 13 (output files, standard output,
# the cache, input, CLI values, the store), each a case of hard_test.sh on
# temp copies with the real binary.
add_library(fsync_spy MODULE ${CMAKE_CURRENT_LIST_DIR}/fsync_spy.c)
target_compile_options(fsync_spy PRIVATE -fno-sanitize=all)
target_link_options(fsync_spy PRIVATE -fno-sanitize=all)
target_link_libraries(fsync_spy PRIVATE ${CMAKE_DL_LIBS})
foreach(case out_special out_is_input fsync_dir stdout_full cache_foreign input_nul truncated_csv cli_values store_race no_junk_run report_nothing_delivered)
  add_test(NAME hard_${case}
           COMMAND ${CMAKE_CURRENT_LIST_DIR}/hard_test.sh ${case} $<TARGET_FILE:imagine> ${IMAGINE_TEST_DATA}
                   $<TARGET_FILE:fsync_spy>)
  # The PDF stack (pango/fontconfig, loaded with the PDF module) keeps caches
  # LeakSanitizer reports: the reports tests' suppressions apply here too.
  set_tests_properties(hard_${case} PROPERTIES TIMEOUT 120
                       ENVIRONMENT "LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tests/reports/lsan.supp:print_suppressions=0")
endforeach()
add_test(NAME hard_git_rev
         COMMAND ${CMAKE_CURRENT_LIST_DIR}/hard_test.sh git_rev $<TARGET_FILE:imagine> ${IMAGINE_TEST_DATA})
set_tests_properties(hard_git_rev PROPERTIES TIMEOUT 60 ENVIRONMENT
                     "CMAKE=${CMAKE_COMMAND};GITREV_SCRIPT=${CMAKE_SOURCE_DIR}/cmake/GitRev.cmake")
