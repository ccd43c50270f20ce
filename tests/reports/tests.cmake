# tests/reports: statistics, renderers, verbs of reports/ (issue 8).
add_executable(test_report_stats ${CMAKE_CURRENT_LIST_DIR}/test_stats.c)
target_link_libraries(test_report_stats PRIVATE imagine_reports)
add_test(NAME report_stats COMMAND test_report_stats)
add_executable(test_report_model ${CMAKE_CURRENT_LIST_DIR}/test_model.c)
target_link_libraries(test_report_model PRIVATE imagine_reports imagine_suites)
add_test(NAME report_model COMMAND test_report_model ${IMAGINE_TEST_DATA})
# The verbs end to end with real tools; outputs (DOM, screenshots, PDF pages)
# stay in the build tree under tests/reports-out for a look.
foreach(mode html escape pdf gate table store bench)
  add_test(NAME report_verbs_${mode}
           COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/test_verbs.sh ${mode} $<TARGET_FILE:imagine> ${IMAGINE_TEST_DATA}
                   ${CMAKE_BINARY_DIR}/tests/reports-out)
endforeach()
foreach(mode escape pdf bench)
  set_tests_properties(report_verbs_${mode} PROPERTIES
                       ENVIRONMENT "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_LIST_DIR}/lsan.supp:print_suppressions=0")
endforeach()
# The PDF writer as a module (reports/pdf.h): loaded the way imagine loads
# it, its errors, and the binary's link without the cairo stack.
add_executable(test_report_pdf_module ${CMAKE_CURRENT_LIST_DIR}/test_pdf_module.c)
target_link_libraries(test_report_pdf_module PRIVATE imagine_reports imagine_suites)
add_dependencies(test_report_pdf_module imagine_pdf)
add_test(NAME report_pdf_module
         COMMAND test_report_pdf_module $<TARGET_FILE:imagine_pdf> ${IMAGINE_TEST_DATA} ${CMAKE_BINARY_DIR}/tests/reports-out)
add_test(NAME report_pdf_lazy
         COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/test_pdf_lazy.sh $<TARGET_FILE:imagine> ${IMAGINE_TEST_DATA}
                 ${CMAKE_BINARY_DIR}/tests/reports-out)
set_tests_properties(report_pdf_module report_pdf_lazy PROPERTIES
                     ENVIRONMENT "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_LIST_DIR}/lsan.supp:print_suppressions=0")
# The PDF's per-plan section: day table and raw output, model text as text.
add_test(NAME report_pdf_plans
         COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/test_pdf_plans.sh $<TARGET_FILE:imagine> ${IMAGINE_TEST_DATA}
                 ${CMAKE_BINARY_DIR}/tests/reports-out)
set_tests_properties(report_pdf_plans PROPERTIES
                     ENVIRONMENT "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_LIST_DIR}/lsan.supp:print_suppressions=0")
# Runs of two suites in one store (issue 11): PlanBench and TravelPlanner
# grouped in one report, their own rates, intervals and paired tests.
set(IMAGINE_REPORT_PB_DATA "${CMAKE_SOURCE_DIR}/../shared/planbench")
get_filename_component(IMAGINE_REPORT_PB_DATA "${IMAGINE_REPORT_PB_DATA}" ABSOLUTE)
add_test(NAME report_suites
         COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/test_suites.sh $<TARGET_FILE:imagine> ${IMAGINE_TEST_DATA}
                 ${IMAGINE_REPORT_PB_DATA} ${CMAKE_BINARY_DIR}/tests/reports-out)
set_tests_properties(report_suites PROPERTIES
                     ENVIRONMENT "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_LIST_DIR}/lsan.supp:print_suppressions=0")
# The Training section (an SFT and a GRPO run's steps: table against the
# store, the curves, each reward component) and --stages (issue 16).
add_test(NAME report_training
         COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/test_training.sh $<TARGET_FILE:imagine> ${IMAGINE_REPORT_PB_DATA}
                 ${CMAKE_BINARY_DIR}/tests/reports-out)
set_tests_properties(report_training PROPERTIES
                     ENVIRONMENT "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_LIST_DIR}/lsan.supp:print_suppressions=0")
