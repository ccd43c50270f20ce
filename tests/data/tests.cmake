# imagine data fetch / data check, end to end on temp mirrors of ${IMAGINE_TEST_DATA}.
foreach(case fetch_file fetch_dir check_corrupt check_missing fetch_corrupt_mirror fetch_no_readme fetch_usage fetch_http tampered_readme fetch_upstream)
  add_test(NAME data_${case}
           COMMAND ${CMAKE_CURRENT_LIST_DIR}/data_test.sh ${case} $<TARGET_FILE:imagine> ${IMAGINE_TEST_DATA})
  set_tests_properties(data_${case} PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 120)
endforeach()
add_executable(test_manifest ${CMAKE_CURRENT_LIST_DIR}/test_manifest.c)
target_link_libraries(test_manifest PRIVATE imagine_tp PkgConfig::CRYPTO)
add_test(NAME data_manifest COMMAND test_manifest)
