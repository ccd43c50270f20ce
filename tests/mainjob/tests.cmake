# tests/mainjob: the README's main job, smaller (MAIN_JOB_SCALE=small), end
# to end through the real verbs: stage-1 problems, the MAS teacher, model
# init, SFT, GRPO, the blocksworld_3 runs and the report, with thresholds
# that the untrained model fails (tests/mainjob/e2e.sh). Needs the
# PlanBench and TravelPlanner data beside the project (../shared).
add_test(NAME mainjob_e2e COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/e2e.sh $<TARGET_FILE:imagine> ${CMAKE_SOURCE_DIR}
         ${CMAKE_CURRENT_BINARY_DIR}/mainjob_e2e_tmp)
# Under LeakSanitizer the PDF stack's caches (fontconfig, pango) are the
# reports tests' suppressions. Under AddressSanitizer one model evaluation
# (lavapipe's allocations, redzones, quarantine) peaks at about 8 GB
# resident (120 MB without it): three at once were killed for memory on
# a 24 GiB machine, so the sanitizer build runs them one after another.
set(mainjob_env "LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tests/reports/lsan.supp:print_suppressions=0")
if(IMAGINE_SANITIZE)
  list(APPEND mainjob_env "MJ_EVAL_JOBS=1")
endif()
set_tests_properties(mainjob_e2e PROPERTIES TIMEOUT 600 RUN_SERIAL TRUE ENVIRONMENT "${mainjob_env}")
